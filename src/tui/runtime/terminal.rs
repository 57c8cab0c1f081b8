//! The real terminal: raw mode, alternate screen, hidden cursor, mouse capture;
//! restored on every way out, a panic included (the hook restores and logs;
//! the kiosk then exits non-zero so the service manager restarts it).

use std::io::{self, Stdout, Write};
use std::sync::mpsc::Sender;
use std::time::Instant;

use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::LoopEvent;
use super::holding::HoldingBackend;

pub type RealTerminal = Terminal<HoldingBackend<CrosstermBackend<Stdout>>>;

/// Takes over the terminal. In raw mode Ctrl-C, Ctrl-Z and Ctrl-\ arrive as
/// keys, not signals.
pub fn enter() -> io::Result<RealTerminal> {
    enable_raw_mode()?;
    let mut out = io::stdout();
    // Bracketed paste: a paste arrives as one event the kiosk ignores, not as keys.
    if let Err(e) = execute!(
        out,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        Hide
    ) {
        restore();
        return Err(e);
    }
    Terminal::new(HoldingBackend::new(CrosstermBackend::new(out)))
}

/// Gives the terminal back. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show
    );
}

/// On a panic in any thread: restore the terminal and log, then the usual
/// report on stderr (readable now that the screen is back). The caller turns a
/// panic of the screen thread into a non-zero exit.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!("kiosk panicked: {info}");
        previous(info);
    }));
}

/// Reads terminal events on a thread of its own, stamping each with the time
/// it was read.
pub fn spawn_reader(tx: Sender<LoopEvent>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("terminal-reader".into())
        .spawn(move || {
            loop {
                match crossterm::event::read() {
                    Ok(ev) => {
                        if tx.send(LoopEvent::Term(ev, Instant::now())).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::error!("reading the terminal: {e}");
                        let _ = tx.send(LoopEvent::Shutdown);
                        break;
                    }
                }
            }
        })
        .map(|_| ())
}

/// Rings the terminal bell.
pub fn bell() {
    let mut out = io::stdout();
    let _ = out.write_all(b"\x07");
    let _ = out.flush();
}
