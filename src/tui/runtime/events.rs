//! Terminal events to messages. Keys go through the badge decoder (a scan is a
//! fast burst ending in Enter); Ctrl and Alt combinations never do and become
//! [`Msg::Ctrl`], which `update` ignores: the kiosk is not left by Ctrl-C,
//! Ctrl-Z, Ctrl-\ or Ctrl-D.

use std::time::Instant;

use crossterm::event::Event;

use super::super::input::{BadgeDecoder, Decoded, InputEvent, KeyInput, from_crossterm};
use super::super::msg::Msg;

/// The messages of one terminal event read at `at`.
pub fn translate(event: &Event, at: Instant, decoder: &mut BadgeDecoder) -> Vec<Msg> {
    match from_crossterm(event) {
        Some(InputEvent::Key {
            key: KeyInput::Char(c),
            ctrl,
            alt,
        }) if ctrl || alt => vec![Msg::Ctrl(c)],
        Some(InputEvent::Key { ctrl, alt, .. }) if ctrl || alt => Vec::new(),
        Some(InputEvent::Key { key, .. }) => decoded(decoder.key(key, at)),
        Some(InputEvent::Tap { column, row }) => vec![Msg::Tap { column, row }],
        Some(InputEvent::Resize { width, height }) => vec![Msg::Resize { width, height }],
        None => Vec::new(),
    }
}

/// What the decoder released, as messages.
pub fn decoded(d: Decoded) -> Vec<Msg> {
    match d {
        Decoded::Keys(keys) => keys.into_iter().map(Msg::Key).collect(),
        Decoded::Badge(code) => vec![Msg::Badge(code)],
        Decoded::BadScan => vec![Msg::BadScan],
        Decoded::Pending => Vec::new(),
    }
}
