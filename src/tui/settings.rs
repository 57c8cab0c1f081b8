//! The kiosk's screen and badge settings (kiosk.toml `[kiosk]` and `[badge]`),
//! each with a default and a range check, so a typo cannot make a kiosk that
//! never times out or never shows a confirmation.

use std::time::Duration;

use serde::Deserialize;

use super::catalog::Language;
use super::input::BadgeSettings;
use super::theme::ThemeName;

/// When the PIN pad is shown after someone is picked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinPolicy {
    /// Never: a badge, a name or a tap is enough.
    Never,
    /// After a name or a tap; a badge scan is enough on its own.
    #[default]
    UnlessBadge,
    /// Always, badge or not.
    Always,
}

/// `[kiosk]`: what the screen shows and how long things stay.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScreenSettings {
    /// Shown on Home instead of the name the hub gave the device.
    pub device_name: Option<String>,
    pub pin: PinPolicy,
    /// Seconds without input before the screen returns Home.
    pub idle_timeout_secs: u64,
    /// Seconds the confirmation stays (any key ends it sooner).
    pub confirmation_secs: u64,
    /// A shift longer than this many hours asks when the person left.
    pub missed_punch_hours: u32,
    pub theme: ThemeName,
    pub language: Language,
    /// Set by `tapin demo` only (never read from kiosk.toml): the screen says
    /// DEMO and F1 lists these people to try.
    #[serde(skip)]
    pub demo: Option<DemoSheet>,
}

/// The demo's people to try, for the F1 help screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoSheet {
    pub rows: Vec<DemoRow>,
}

/// One person of the demo: name, badge number, PIN and what to try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoRow {
    pub name: String,
    pub badge: String,
    pub pin: String,
    pub what: String,
}

impl Default for ScreenSettings {
    fn default() -> Self {
        Self {
            device_name: None,
            pin: PinPolicy::default(),
            idle_timeout_secs: 30,
            confirmation_secs: 4,
            missed_punch_hours: 14,
            theme: ThemeName::default(),
            language: Language::default(),
            demo: None,
        }
    }
}

/// `[badge]`: the badge reader (a keyboard wedge).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BadgeConfig {
    pub prefix: String,
    pub suffix: String,
    /// Longest gap between two characters of one scan, in milliseconds.
    pub max_gap_ms: u64,
}

impl Default for BadgeConfig {
    fn default() -> Self {
        let d = BadgeSettings::default();
        Self {
            prefix: d.prefix,
            suffix: d.suffix,
            max_gap_ms: d.max_gap.as_millis() as u64,
        }
    }
}

impl BadgeConfig {
    pub fn to_settings(&self) -> BadgeSettings {
        BadgeSettings {
            prefix: self.prefix.clone(),
            suffix: self.suffix.clone(),
            max_gap: Duration::from_millis(self.max_gap_ms),
            ..BadgeSettings::default()
        }
    }
}

/// A setting out of range: the key, the value as text, and why.
pub type BadSetting = (&'static str, String, String);

pub(crate) fn range(key: &'static str, value: u64, lo: u64, hi: u64) -> Result<(), BadSetting> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err((
            key,
            value.to_string(),
            format!("must be between {lo} and {hi}"),
        ))
    }
}

/// Printable text only: these strings reach the screen or the reader's parser.
fn plain(key: &'static str, value: &str, max: usize) -> Result<(), BadSetting> {
    if value.chars().any(crate::sanitize::is_unsafe) {
        return Err((
            key,
            crate::sanitize::for_terminal(value),
            "must not contain control characters".into(),
        ));
    }
    if value.chars().count() > max {
        return Err((
            key,
            crate::sanitize::for_terminal(value),
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

impl ScreenSettings {
    pub fn check(&self) -> Result<(), BadSetting> {
        range("kiosk.idle_timeout_secs", self.idle_timeout_secs, 5, 3600)?;
        range("kiosk.confirmation_secs", self.confirmation_secs, 1, 60)?;
        range(
            "kiosk.missed_punch_hours",
            u64::from(self.missed_punch_hours),
            1,
            72,
        )?;
        if let Some(name) = &self.device_name {
            plain("kiosk.device_name", name, 64)?;
        }
        Ok(())
    }
}

impl BadgeConfig {
    pub fn check(&self) -> Result<(), BadSetting> {
        range("badge.max_gap_ms", self.max_gap_ms, 5, 500)?;
        plain("badge.prefix", &self.prefix, 16)?;
        plain("badge.suffix", &self.suffix, 16)
    }
}
