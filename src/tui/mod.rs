//! The kiosk's screen, in The Elm Architecture: a model, messages, a pure
//! `update`, and a `view` that only draws; the main loop is generic over the
//! ratatui backend so tests drive it with `TestBackend`.
//!
//! - [`input`]: terminal events to messages (keys, taps, badge-reader bursts);
//! - [`text`]: display-width-aware fitting and search folding of outside strings;
//! - [`theme`]: colours and styles (normal and high contrast);
//! - [`model`], [`msg`], [`update`], [`view`]: the architecture itself;
//! - [`roster`]: the device roster as the screen uses it;
//! - [`layout`]: geometry shared by the views and tap hit-testing;
//! - [`catalog`]: every user-facing string, English and Spanish;
//! - [`settings`]: kiosk.toml `[kiosk]` and `[badge]`;
//! - [`runtime`]: the main loop, the terminal, and carrying out commands.

pub mod catalog;
pub mod input;
pub mod layout;
pub mod model;
pub mod msg;
pub mod roster;
pub mod runtime;
pub mod settings;
pub mod text;
pub mod theme;
pub mod update;
pub mod view;
