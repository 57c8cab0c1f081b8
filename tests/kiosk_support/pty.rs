//! A program in a pseudo-terminal (portable-pty) whose output feeds a vt100
//! screen on a reader thread. Tests write keys as raw bytes, as a keyboard or
//! badge reader would, and wait on what the screen shows.
//!
//! - Start: [`Pty::builder`] (defaults: the `tapin` binary, 80×24, TERM
//!   xterm-256color, `TAPIN_*` variables of the test's own environment removed).
//! - Input: [`Pty::send`] (raw bytes, see [`keys`]), [`Pty::type_text`],
//!   [`Pty::type_slowly`], [`Pty::scan_badge`], [`Pty::tap`], [`Pty::resize`],
//!   [`Pty::send_signal`].
//! - Output: [`Pty::wait_for_text`], [`Pty::wait_until_gone`], [`Pty::wait_until`],
//!   [`Pty::screen_text`], [`Pty::screen_rows`], [`Pty::with_screen`] (colours,
//!   attributes, cursor), [`Pty::bells`].
//! - End: [`Pty::wait_exit`]; dropping a `Pty` kills a program still running.
//!
//! The reader thread answers the two queries crossterm may send at start-up
//! (cursor position `ESC[6n`, device attributes `ESC[c`), as a real terminal would.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

/// Raw bytes of keys, as a terminal in raw mode sends them.
pub mod keys {
    pub const ENTER: u8 = b'\r';
    pub const ESC: u8 = 0x1b;
    pub const BACKSPACE: u8 = 0x7f;
    pub const TAB: u8 = b'\t';
    pub const CTRL_C: u8 = 0x03;
    pub const CTRL_D: u8 = 0x04;
    pub const CTRL_Z: u8 = 0x1a;
    pub const CTRL_BACKSLASH: u8 = 0x1c;
    pub const UP: &[u8] = b"\x1b[A";
    pub const DOWN: &[u8] = b"\x1b[B";
    pub const RIGHT: &[u8] = b"\x1b[C";
    pub const LEFT: &[u8] = b"\x1b[D";
    pub const HOME: &[u8] = b"\x1b[H";
    pub const END: &[u8] = b"\x1b[F";
    pub const PAGE_UP: &[u8] = b"\x1b[5~";
    pub const PAGE_DOWN: &[u8] = b"\x1b[6~";
    pub const F1: &[u8] = b"\x1bOP";
    pub const F2: &[u8] = b"\x1bOQ";
    pub const F10: &[u8] = b"\x1b[21~";
    pub const F12: &[u8] = b"\x1b[24~";

    /// Alt+`c`: ESC then the character.
    pub fn alt(c: char) -> Vec<u8> {
        let mut bytes = vec![ESC];
        bytes.extend(c.to_string().as_bytes());
        bytes
    }
}

/// Gap between characters of [`Pty::scan_badge`]: a fast wedge reader.
pub const WEDGE_GAP: Duration = Duration::from_millis(4);

/// How a program is started in the pseudo-terminal.
pub struct PtyBuilder {
    program: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    cwd: Option<PathBuf>,
    cols: u16,
    rows: u16,
}

impl PtyBuilder {
    /// Another program than `tapin` (to test the harness itself).
    pub fn program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = program.into();
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    /// Terminal size in cells: columns, then rows.
    pub fn size(mut self, cols: u16, rows: u16) -> Self {
        self.cols = cols;
        self.rows = rows;
        self
    }

    pub fn spawn(self) -> Result<Pty, String> {
        let size = PtySize {
            rows: self.rows,
            cols: self.cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        let pair = native_pty_system()
            .openpty(size)
            .map_err(|e| format!("openpty: {e:#}"))?;
        let mut command = CommandBuilder::new(&self.program);
        command.args(&self.args);
        // The test's own environment must not point the kiosk at real files.
        for key in ["TAPIN_CONFIG", "TAPIN_DATA_DIR", "TAPIN_HUB_URL"] {
            command.env_remove(key);
        }
        command.env("TERM", "xterm-256color");
        command.env("LANG", "C.UTF-8");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        if let Some(dir) = &self.cwd {
            command.cwd(dir);
        }
        let child = pair
            .slave
            .spawn_command(command)
            .map_err(|e| format!("spawn {}: {e:#}", self.program.display()))?;
        // Only the child may hold the terminal's slave side, so the reader sees
        // end-of-file when the child is gone.
        drop(pair.slave);
        let reader = pair
            .master
            .try_clone_reader()
            .map_err(|e| format!("pty reader: {e:#}"))?;
        let writer = pair
            .master
            .take_writer()
            .map_err(|e| format!("pty writer: {e:#}"))?;
        let writer = Arc::new(Mutex::new(writer));
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                parser: vt100::Parser::new_with_callbacks(
                    self.rows,
                    self.cols,
                    0,
                    Events::default(),
                ),
                eof: false,
                tail: Vec::new(),
            }),
            changed: Condvar::new(),
        });
        let thread_shared = Arc::clone(&shared);
        let thread_writer = Arc::clone(&writer);
        thread::Builder::new()
            .name("pty-reader".into())
            .spawn(move || read_loop(reader, &thread_shared, &thread_writer))
            .map_err(|e| format!("reader thread: {e}"))?;
        Ok(Pty {
            child,
            master: pair.master,
            writer,
            shared,
            exit: None,
        })
    }
}

/// A running program in a pseudo-terminal and the screen it draws.
pub struct Pty {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    shared: Arc<Shared>,
    exit: Option<ExitStatus>,
}

struct Shared {
    state: Mutex<State>,
    /// Notified after every chunk of output and at end-of-file.
    changed: Condvar,
}

struct State {
    parser: vt100::Parser<Events>,
    eof: bool,
    /// The last bytes of output, to spot a query split across two reads.
    tail: Vec<u8>,
}

/// What the screen alone does not keep.
#[derive(Default)]
struct Events {
    bells: usize,
}

impl vt100::Callbacks for Events {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }
}

impl Pty {
    /// The `tapin` binary of this build, 80×24.
    pub fn builder() -> PtyBuilder {
        PtyBuilder {
            program: PathBuf::from(env!("CARGO_BIN_EXE_tapin")),
            args: Vec::new(),
            env: Vec::new(),
            cwd: None,
            cols: 80,
            rows: 24,
        }
    }

    /// The child's process id (for `kill`, `/proc`).
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Writes raw bytes to the terminal, as typed.
    pub fn send(&self, bytes: &[u8]) -> Result<(), String> {
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| "pty writer poisoned".to_owned())?;
        writer
            .write_all(bytes)
            .and_then(|()| writer.flush())
            .map_err(|e| format!("write to pty: {e}"))
    }

    /// Writes `text` in one go (arrives as one fast burst).
    pub fn type_text(&self, text: &str) -> Result<(), String> {
        self.send(text.as_bytes())
    }

    /// Writes `text` one character at a time, `gap` apart: a person typing.
    /// The sleeps pace the input; they do not wait for the program.
    pub fn type_slowly(&self, text: &str, gap: Duration) -> Result<(), String> {
        for (i, c) in text.chars().enumerate() {
            if i > 0 {
                thread::sleep(gap);
            }
            self.send(c.to_string().as_bytes())?;
        }
        Ok(())
    }

    /// A badge reader: the characters and Enter in one burst. Include any
    /// configured prefix and suffix in `text`. A real wedge types them a few
    /// milliseconds apart ([`Pty::scan_badge_slowly`]); one write keeps a test
    /// process starved by a loaded machine from stretching a gap past the
    /// kiosk's limit and turning the scan into typing (the decoder's timing is
    /// tested on its own in tui_input.rs).
    pub fn scan_badge(&self, text: &str) -> Result<(), String> {
        self.send(format!("{text}\r").as_bytes())
    }

    /// A badge reader typing [`WEDGE_GAP`] apart, then Enter.
    pub fn scan_badge_slowly(&self, text: &str) -> Result<(), String> {
        self.type_slowly(text, WEDGE_GAP)?;
        thread::sleep(WEDGE_GAP);
        self.send(&[keys::ENTER])
    }

    /// A left click or touch at a 0-based cell (SGR mouse report, press then
    /// release): needs the program to have enabled mouse capture.
    pub fn tap(&self, column: u16, row: u16) -> Result<(), String> {
        let (x, y) = (u32::from(column) + 1, u32::from(row) + 1);
        self.send(format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m").as_bytes())
    }

    /// Resizes the terminal; the program gets SIGWINCH.
    pub fn resize(&self, cols: u16, rows: u16) -> Result<(), String> {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .map_err(|e| format!("resize: {e:#}"))?;
        self.lock().parser.screen_mut().set_size(rows, cols);
        Ok(())
    }

    /// Sends a signal by name ("TERM", "HUP", "INT", "TSTP", "KILL"...) with `kill`.
    pub fn send_signal(&self, signal: &str) -> Result<(), String> {
        let pid = self.pid().ok_or("the child has no pid")?;
        let status = std::process::Command::new("kill")
            .args(["-s", signal, &pid.to_string()])
            .status()
            .map_err(|e| format!("run kill: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("kill -s {signal} {pid}: {status}"))
        }
    }

    /// The screen as text: rows joined by newlines, a row the program wrapped
    /// joined to the next without one, trailing blanks trimmed.
    pub fn screen_text(&self) -> String {
        self.lock().parser.screen().contents()
    }

    /// Each row of the screen, full width.
    pub fn screen_rows(&self) -> Vec<String> {
        let state = self.lock();
        let screen = state.parser.screen();
        let (_, cols) = screen.size();
        screen.rows(0, cols).collect()
    }

    /// Reads anything from the screen: cell colours and attributes, cursor,
    /// alternate screen, hidden cursor.
    pub fn with_screen<T>(&self, read: impl FnOnce(&vt100::Screen) -> T) -> T {
        read(self.lock().parser.screen())
    }

    /// How many times the program rang the terminal bell.
    pub fn bells(&self) -> usize {
        self.lock().parser.callbacks().bells
    }

    /// Waits until the program has rung the bell more than `seen` times.
    pub fn wait_for_bell(&self, seen: usize, timeout: Duration) -> Result<usize, String> {
        self.wait_on(&format!("a bell after {seen}"), timeout, |parser| {
            let bells = parser.callbacks().bells;
            (bells > seen).then_some(bells)
        })
    }

    /// Waits until the screen shows `needle`; returns the screen then. The
    /// error carries the screen as it was at the deadline or at exit.
    pub fn wait_for_text(&self, needle: &str, timeout: Duration) -> Result<String, String> {
        self.wait_until(&format!("{needle:?} on screen"), timeout, |screen| {
            screen.contents().contains(needle)
        })
    }

    /// Waits until the screen no longer shows `needle`.
    pub fn wait_until_gone(&self, needle: &str, timeout: Duration) -> Result<String, String> {
        self.wait_until(&format!("{needle:?} gone"), timeout, |screen| {
            !screen.contents().contains(needle)
        })
    }

    /// Waits until `ready(screen)` holds, re-checking after every output. Fails
    /// at the deadline, or once the program has closed the terminal without
    /// the condition holding.
    pub fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        ready: impl Fn(&vt100::Screen) -> bool,
    ) -> Result<String, String> {
        self.wait_on(what, timeout, |parser| {
            let screen = parser.screen();
            ready(screen).then(|| screen.contents())
        })
    }

    /// Waits until `check` answers, on every screen change, up to `timeout`;
    /// the error carries the screen as it was at the deadline or at exit.
    fn wait_on<T>(
        &self,
        what: &str,
        timeout: Duration,
        check: impl Fn(&vt100::Parser<Events>) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if let Some(found) = check(&state.parser) {
                return Ok(found);
            }
            let screen = state.parser.screen();
            if state.eof {
                return Err(failure(what, "the program closed the terminal", screen));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(failure(
                    what,
                    &format!("timed out after {timeout:?}"),
                    screen,
                ));
            }
            state = match self.shared.changed.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Waits for the program to exit, then for its last output to reach the
    /// screen (briefly: a grandchild could keep the terminal open).
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<ExitStatus, String> {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = &self.exit {
                break status.clone();
            }
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    self.exit = Some(status.clone());
                    break status;
                }
                Ok(None) if Instant::now() < deadline => {
                    // No way to block on the child with a timeout: poll it.
                    thread::sleep(Duration::from_millis(10));
                }
                Ok(None) => {
                    return Err(format!(
                        "still running after {timeout:?}; screen:\n{}",
                        self.screen_text()
                    ));
                }
                Err(e) => return Err(format!("wait for the child: {e}")),
            }
        };
        let _ = self.wait_until("end of output", Duration::from_secs(2), |_| false);
        Ok(status)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the screen from the report.
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.exit.is_none() && matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn failure(what: &str, why: &str, screen: &vt100::Screen) -> String {
    let (rows, cols) = screen.size();
    let rule = "-".repeat(usize::from(cols));
    let body: Vec<String> = screen.rows(0, cols).collect();
    format!(
        "waiting for {what}: {why}; screen ({cols}x{rows}):\n{rule}\n{}\n{rule}",
        body.join("\n")
    )
}

/// Feeds output to the screen until end-of-file (EIO on Linux once the child
/// and every other holder of the slave side are gone).
fn read_loop(
    mut reader: Box<dyn Read + Send>,
    shared: &Shared,
    writer: &Mutex<Box<dyn Write + Send>>,
) {
    let mut buf = [0u8; 8192];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let replies = {
            let mut state = shared.state.lock().unwrap_or_else(|p| p.into_inner());
            state.parser.process(&buf[..n]);
            let replies = answer_queries(&mut state, &buf[..n]);
            shared.changed.notify_all();
            replies
        };
        if !replies.is_empty()
            && let Ok(mut w) = writer.lock()
        {
            let _ = w.write_all(&replies).and_then(|()| w.flush());
        }
    }
    let mut state = shared.state.lock().unwrap_or_else(|p| p.into_inner());
    state.eof = true;
    shared.changed.notify_all();
}

/// Replies a terminal gives to cursor-position and device-attribute queries
/// found in `chunk` (or straddling the previous chunk).
fn answer_queries(state: &mut State, chunk: &[u8]) -> Vec<u8> {
    const QUERIES: [&[u8]; 3] = [b"\x1b[6n", b"\x1b[c", b"\x1b[0c"];
    let skip = state.tail.len();
    let mut window = std::mem::take(&mut state.tail);
    window.extend_from_slice(chunk);
    let mut replies = Vec::new();
    for start in 0..window.len() {
        for query in QUERIES {
            // Count a match once: it must end inside the new chunk.
            let end = start + query.len();
            if end > skip && window[start..].starts_with(query) {
                if query == b"\x1b[6n" {
                    let (row, col) = state.parser.screen().cursor_position();
                    replies.extend(format!("\x1b[{};{}R", row + 1, col + 1).into_bytes());
                } else {
                    replies.extend(b"\x1b[?62;22c");
                }
            }
        }
    }
    let keep = window.len().saturating_sub(3);
    state.tail = window.split_off(keep);
    replies
}
