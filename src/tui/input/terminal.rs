//! crossterm events reduced to the few the kiosk reacts to.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::KeyInput;

/// A terminal event the kiosk reacts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputEvent {
    /// A key press (or an auto-repeat of one). Keys with `ctrl` or `alt` are
    /// hotkeys and never part of a badge scan: do not feed them to the decoder.
    Key {
        key: KeyInput,
        ctrl: bool,
        alt: bool,
    },
    /// A left click or a touch, at a 0-based cell.
    Tap { column: u16, row: u16 },
    /// The terminal's new size in cells.
    Resize { width: u16, height: u16 },
}

/// The kiosk's view of a crossterm event; `None` for what it ignores:
/// - key releases (only reported with the kitty protocol, and a press already
///   acted); repeats are kept, as a held arrow or Backspace should repeat (the
///   badge decoder treats a fast run of one character as garbage, not a scan);
/// - keys without a kiosk meaning (Insert, Delete, media, modifier keys...);
/// - mouse moves, drags, scrolls, releases and other buttons: a touch screen
///   sends a left-button press, which is the tap;
/// - focus changes;
/// - bracketed paste, on purpose: a badge reader types, it never pastes, and
///   nothing on the kiosk takes pasted text. The runtime should enable
///   bracketed paste so a paste arrives as this one ignored event rather than
///   as thousands of keys (which the decoder would also survive, as `BadScan`).
pub fn from_crossterm(event: &Event) -> Option<InputEvent> {
    match event {
        Event::Key(key) => key_event(key),
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            ..
        }) => Some(InputEvent::Tap {
            column: *column,
            row: *row,
        }),
        Event::Resize(width, height) => Some(InputEvent::Resize {
            width: *width,
            height: *height,
        }),
        Event::Mouse(_) | Event::Paste(_) | Event::FocusGained | Event::FocusLost => None,
    }
}

fn key_event(event: &KeyEvent) -> Option<InputEvent> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let key = match event.code {
        KeyCode::Char(c) => KeyInput::Char(c),
        KeyCode::Enter => KeyInput::Enter,
        KeyCode::Backspace => KeyInput::Backspace,
        KeyCode::Esc => KeyInput::Escape,
        KeyCode::Up => KeyInput::Up,
        KeyCode::Down => KeyInput::Down,
        KeyCode::Left => KeyInput::Left,
        KeyCode::Right => KeyInput::Right,
        KeyCode::Tab => KeyInput::Tab,
        KeyCode::BackTab => KeyInput::BackTab,
        KeyCode::PageUp => KeyInput::PageUp,
        KeyCode::PageDown => KeyInput::PageDown,
        KeyCode::Home => KeyInput::Home,
        KeyCode::End => KeyInput::End,
        KeyCode::F(n @ 1..=12) => KeyInput::F(n),
        _ => return None,
    };
    Some(InputEvent::Key {
        key,
        ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
        alt: event.modifiers.contains(KeyModifiers::ALT),
    })
}
