//! Terminal events to what the kiosk understands: keys, taps, and badge scans.
//!
//! A badge reader is a keyboard ("wedge"): it types the badge number fast and ends
//! with Enter. [`BadgeDecoder`] tells a scan from typing by the gap between keys.
//!
//! The runtime's loop, in short:
//!
//! ```text
//! loop {
//!     let timeout = decoder.deadline().map(|d| d.saturating_duration_since(now()));
//!     if poll(timeout.unwrap_or(clock_tick))? {
//!         match from_crossterm(&read()?) {
//!             Some(InputEvent::Key { key, ctrl: false, alt: false }) => handle(decoder.key(key, now())),
//!             Some(other) => handle_directly(other), // hotkeys, taps, resizes
//!             None => {}
//!         }
//!     } else if decoder.deadline().is_some_and(|d| d <= now()) {
//!         handle(decoder.flush(now()));
//!     }
//! }
//! ```
//!
//! Keys with Ctrl or Alt never come from a wedge, so they bypass the decoder.

mod badge;
mod terminal;

use std::time::Duration;

pub use badge::BadgeDecoder;
pub use terminal::{InputEvent, from_crossterm};

/// Badge reader settings (kiosk.toml `[badge]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadgeSettings {
    /// Characters the reader sends before the number, stripped.
    pub prefix: String,
    /// Characters the reader sends after the number (before Enter), stripped.
    pub suffix: String,
    /// Longest gap between two keys of one scan.
    pub max_gap: Duration,
    /// Fewest characters a scan has.
    pub min_len: usize,
    /// Most characters a scan has; longer bursts are garbage.
    pub max_len: usize,
}

impl Default for BadgeSettings {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            suffix: String::new(),
            max_gap: Duration::from_millis(50),
            min_len: 3,
            max_len: 64,
        }
    }
}

/// What a key press turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// Keys for the screen (typing, arrows, Enter...), in order.
    Keys(Vec<KeyInput>),
    /// A complete scan: the badge number, prefix and suffix removed.
    Badge(String),
    /// A burst that looked like a scan but was not a valid one (too long, bad
    /// characters, missing prefix or suffix): shown as "badge not read, scan again".
    BadScan,
    /// Nothing yet: keys are held back while a burst may be a scan (see
    /// [`BadgeDecoder::deadline`]).
    Pending,
}

/// A key, reduced to what the kiosk reacts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyInput {
    Char(char),
    Enter,
    Backspace,
    Escape,
    Up,
    Down,
    Left,
    Right,
    Tab,
    BackTab,
    PageUp,
    PageDown,
    Home,
    End,
    /// F1..F12.
    F(u8),
}
