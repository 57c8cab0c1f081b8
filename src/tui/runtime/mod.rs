//! The main loop: one thread owns the model; everything else (the terminal
//! reader, PIN checks, the sync status, signals) sends it [`LoopEvent`]s over
//! one channel. Generic over the ratatui backend: tests use `TestBackend`.
//!
//! It draws only after something changed, and wakes once a second for the
//! clock (or sooner when the badge decoder holds keys), so an idle kiosk costs
//! one small redraw a second.

pub mod effects;
pub mod events;
mod holding;
mod present;
pub mod terminal;

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, Offset, Utc};
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::input::BadgeDecoder;
use super::model::Model;
use super::msg::{Cmd, Msg};
use super::update::update;
use super::view::view;
pub use effects::Services;
pub use holding::HoldingBackend;
use present::Present;

/// What the loop is told.
#[derive(Debug)]
pub enum LoopEvent {
    /// A terminal event and when it was read (the badge decoder times keys).
    Term(crossterm::event::Event, Instant),
    Msg(Msg),
    /// The cached roster changed (a new version): read it again.
    RosterChanged,
    /// SIGTERM or SIGHUP: leave cleanly.
    Shutdown,
}

/// Why the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// An administrator chose "exit" on the Admin screen.
    Admin,
    /// SIGTERM/SIGHUP, or every sender is gone.
    Shutdown,
}

/// The time and the local UTC offset; tests fix it.
pub trait Clock {
    fn now(&self) -> (DateTime<Utc>, i32);
}

/// The system clock in the system's time zone.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> (DateTime<Utc>, i32) {
        let now = Utc::now();
        let offset = now.with_timezone(&Local).offset().fix().local_minus_utc();
        (now, offset)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("drawing the screen: {0}")]
    Draw(String),
    #[error("starting the kiosk: {0}")]
    Start(String),
}

/// Runs the kiosk until an admin exits or a shutdown is asked for.
pub fn run<B: Backend + Send>(
    terminal: &mut Terminal<HoldingBackend<B>>,
    model: &mut Model,
    services: &mut Services,
    rx: &Receiver<LoopEvent>,
    decoder: BadgeDecoder,
    clock: &dyn Clock,
) -> Result<Exit, RuntimeError> {
    run_then(terminal, model, services, rx, decoder, clock, || Ok(()))
}

/// [`run`], calling `after_first_frame` once the first frame (with the cached
/// roster) is drawn: work the first screen does not need (the sync worker,
/// TLS roots) starts there, so the person at the kiosk does not wait for it.
/// Its error ends the loop.
pub fn run_then<B: Backend + Send>(
    terminal: &mut Terminal<HoldingBackend<B>>,
    model: &mut Model,
    services: &mut Services,
    rx: &Receiver<LoopEvent>,
    mut decoder: BadgeDecoder,
    clock: &dyn Clock,
    after_first_frame: impl FnOnce() -> Result<(), String>,
) -> Result<Exit, RuntimeError> {
    let mut after_first_frame = Some(after_first_frame);
    let mut dirty = true;
    let mut last_second = i64::MIN;
    if let Ok(size) = terminal.size() {
        step(
            model,
            services,
            Msg::Resize {
                width: size.width,
                height: size.height,
            },
        );
    }
    reload_roster(model, services);
    loop {
        let (now, offset) = clock.now();
        if now.timestamp() != last_second {
            last_second = now.timestamp();
            tick(model, services, (now, offset));
            dirty = true;
        }
        if dirty {
            terminal
                .draw(|f| view(model, f))
                .map_err(|e| RuntimeError::Draw(e.to_string()))?;
            dirty = false;
            if let Some(then) = after_first_frame.take() {
                then().map_err(RuntimeError::Start)?;
            }
        }
        if model.exiting {
            return Ok(Exit::Admin);
        }
        let to_next_second =
            Duration::from_millis(1000u64.saturating_sub(u64::from(now.timestamp_subsec_millis())));
        let wait = decoder.deadline().map_or(to_next_second, |d| {
            d.saturating_duration_since(Instant::now())
                .min(to_next_second)
        });
        let event = match rx.recv_timeout(wait) {
            Ok(e) => Some(e),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Ok(Exit::Shutdown),
        };
        let msgs = match event {
            None => events::decoded(decoder.flush(Instant::now())),
            Some(LoopEvent::Term(ev, at)) => {
                let mut msgs = events::decoded(decoder.flush(at));
                msgs.extend(events::translate(&ev, at, &mut decoder));
                msgs
            }
            Some(LoopEvent::Msg(m)) => vec![m],
            Some(LoopEvent::RosterChanged) => {
                reload_roster(model, services);
                dirty = true;
                Vec::new()
            }
            Some(LoopEvent::Shutdown) => return Ok(Exit::Shutdown),
        };
        if !msgs.is_empty() {
            // Input is handled at the time it arrives, not the last tick's.
            tick(model, services, clock.now());
            let mut shown = false;
            for m in msgs {
                shown = step_shown(terminal, model, services, m);
            }
            dirty = !shown;
        }
    }
}

/// One message through `update`, and its commands carried out (answers
/// available at once go through `update` too, in order).
pub fn step(model: &mut Model, services: &mut Services, msg: Msg) {
    step_on(model, services, msg, None);
}

/// [`step`] on the kiosk's screen: a punch's confirmation is drawn while the
/// journal commits and shown as soon as it has committed. Returns whether the
/// screen shows the model now (nothing left to draw).
pub fn step_shown<B: Backend + Send>(
    terminal: &mut Terminal<HoldingBackend<B>>,
    model: &mut Model,
    services: &mut Services,
    msg: Msg,
) -> bool {
    step_on(model, services, msg, Some(terminal))
}

fn step_on(
    model: &mut Model,
    services: &mut Services,
    msg: Msg,
    mut screen: Option<&mut (dyn Present + Send)>,
) -> bool {
    let mut shown = false;
    let mut queue = vec![msg];
    // The loop ends on a message that left no answers, so `shown` is the last
    // message's: commands do not change the model, their answers do.
    while let Some(m) = queue.pop() {
        let cmds: Vec<Cmd> = update(model, m);
        shown = false;
        let mut answers = Vec::new();
        for cmd in cmds {
            match (cmd, screen.as_deref_mut()) {
                (
                    Cmd::Record {
                        request,
                        drafts,
                        utc_offset_secs,
                        hours_for,
                    },
                    Some(screen),
                ) => {
                    let presented = present::record(
                        model,
                        services,
                        screen,
                        request,
                        &drafts,
                        utc_offset_secs,
                        hours_for,
                    );
                    shown = presented.shown;
                    answers.extend(presented.answers);
                }
                (cmd, _) => answers.extend(effects::execute(services, cmd, model.roster.as_ref())),
            }
        }
        // Answers are handled in the order the commands were given.
        answers.reverse();
        queue.extend(answers);
    }
    shown
}

fn tick(model: &mut Model, services: &mut Services, (now, utc_offset_secs): (DateTime<Utc>, i32)) {
    step(
        model,
        services,
        Msg::Tick {
            now,
            utc_offset_secs,
        },
    );
}

fn reload_roster(model: &mut Model, services: &mut Services) {
    let msg = match effects::load_roster(&services.journal) {
        Ok(Some(r)) => Msg::Roster(Ok(Box::new(r))),
        Ok(None) => return,
        Err(e) => Msg::Roster(Err(e.to_string())),
    };
    step(model, services, msg);
}
