//! Colours and styles. Colour is never the only signal: every state also has a
//! word or a symbol (see the views). The high-contrast theme uses only black,
//! white and yellow, in bold, for low vision and for screens in sunlight.

use ratatui::style::{Color, Modifier, Style};

/// The kiosk's look (kiosk.toml `theme`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeName {
    #[default]
    Normal,
    HighContrast,
}

/// Styles the views use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Every screen's background and plain text.
    pub base: Style,
    pub title: Style,
    /// Secondary text (hints, dates); still readable.
    pub muted: Style,
    /// The highlighted row or button.
    pub selected: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    pub clocked_in: Style,
    pub on_break: Style,
    pub clocked_out: Style,
    pub on_job: Style,
    /// Box and tab borders.
    pub border: Style,
    /// Key labels in hints ("[Enter]", "[1]").
    pub key_hint: Style,
    /// The search and PIN fields.
    pub input: Style,
    /// Full-screen alarms ("NOT RECORDED, tell your supervisor").
    pub alarm: Style,
}

impl Theme {
    pub fn new(name: ThemeName) -> Self {
        match name {
            ThemeName::Normal => Self::normal(),
            ThemeName::HighContrast => Self::high_contrast(),
        }
    }

    fn normal() -> Self {
        let bold = Modifier::BOLD;
        Self {
            base: Style::new().fg(Color::White).bg(Color::Black),
            title: Style::new().fg(Color::Cyan).add_modifier(bold),
            // Gray, not DarkGray: dark grey on black is unreadable on cheap panels.
            muted: Style::new().fg(Color::Gray),
            selected: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(bold),
            ok: Style::new().fg(Color::Green).add_modifier(bold),
            warn: Style::new().fg(Color::Yellow).add_modifier(bold),
            error: Style::new().fg(Color::LightRed).add_modifier(bold),
            clocked_in: Style::new().fg(Color::Green),
            on_break: Style::new().fg(Color::Yellow),
            clocked_out: Style::new().fg(Color::Gray),
            on_job: Style::new().fg(Color::LightCyan),
            border: Style::new().fg(Color::Gray),
            key_hint: Style::new().fg(Color::Yellow).add_modifier(bold),
            input: Style::new().fg(Color::White).bg(Color::DarkGray),
            alarm: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(bold),
        }
    }

    /// Black, white and yellow only; everything bold; states differ by
    /// underline and reverse video as well as colour.
    fn high_contrast() -> Self {
        let bold = Modifier::BOLD;
        let white = Style::new()
            .fg(Color::White)
            .bg(Color::Black)
            .add_modifier(bold);
        let yellow = Style::new()
            .fg(Color::Yellow)
            .bg(Color::Black)
            .add_modifier(bold);
        let on_yellow = Style::new()
            .fg(Color::Black)
            .bg(Color::Yellow)
            .add_modifier(bold);
        Self {
            base: white,
            title: yellow,
            muted: white,
            selected: on_yellow,
            ok: white,
            warn: yellow.add_modifier(Modifier::UNDERLINED),
            error: on_yellow,
            clocked_in: yellow,
            on_break: white.add_modifier(Modifier::UNDERLINED),
            clocked_out: white,
            on_job: yellow.add_modifier(Modifier::UNDERLINED),
            border: white,
            key_hint: yellow.add_modifier(Modifier::REVERSED),
            input: Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(bold),
            alarm: on_yellow,
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::new(ThemeName::Normal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles(theme: &Theme) -> [Style; 15] {
        [
            theme.base,
            theme.title,
            theme.muted,
            theme.selected,
            theme.ok,
            theme.warn,
            theme.error,
            theme.clocked_in,
            theme.on_break,
            theme.clocked_out,
            theme.on_job,
            theme.border,
            theme.key_hint,
            theme.input,
            theme.alarm,
        ]
    }

    #[test]
    fn high_contrast_uses_only_black_white_and_yellow_in_bold() {
        let theme = Theme::new(ThemeName::HighContrast);
        let allowed = [
            None,
            Some(Color::Black),
            Some(Color::White),
            Some(Color::Yellow),
        ];
        for style in styles(&theme) {
            assert!(allowed.contains(&style.fg), "{style:?}");
            assert!(allowed.contains(&style.bg), "{style:?}");
            assert!(style.add_modifier.contains(Modifier::BOLD), "{style:?}");
        }
    }

    #[test]
    fn the_selected_row_is_a_filled_bold_bar() {
        // A filled bar reads as selected in grey scale too, not only by hue.
        for name in [ThemeName::Normal, ThemeName::HighContrast] {
            let theme = Theme::new(name);
            assert_ne!(theme.selected.bg, theme.base.bg, "{name:?}");
            assert_eq!(theme.selected.fg, Some(Color::Black), "{name:?}");
            assert!(
                theme.selected.add_modifier.contains(Modifier::BOLD),
                "{name:?}"
            );
        }
    }

    #[test]
    fn the_theme_is_named_in_kebab_case() {
        #[derive(serde::Deserialize)]
        struct Config {
            theme: ThemeName,
        }
        let config: Config = toml::from_str("theme = \"high-contrast\"").expect("parses");
        assert_eq!(config.theme, ThemeName::HighContrast);
    }
}
