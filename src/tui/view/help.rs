//! The F1 help over the screen, and the DEMO marker. In the demo the help lists
//! the people to try (badge, PIN, what to try); on a real kiosk it is a short
//! usage note. Names come from the demo's own table, and are fitted all the same.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::super::catalog::Language;
use super::super::model::{Model, Screen};
use super::super::text;
use super::super::theme::Theme;

/// The marker's text on Home in the demo.
pub const DEMO_MARKER: &str = " DEMO · F1: people to try ";

/// Draws the DEMO marker (Home, demo only) and the help when open.
pub(super) fn draw(model: &Model, frame: &mut Frame, area: Rect, theme: &Theme) {
    let demo = model.settings.demo.as_ref();
    if demo.is_some() && model.screen == Screen::Home && model.help.is_none() {
        let width = (text::width(DEMO_MARKER) as u16).min(area.width);
        frame.render_widget(
            Paragraph::new(DEMO_MARKER).style(theme.warn.add_modifier(Modifier::REVERSED)),
            Rect::new(area.x, area.y + 1, width, 1),
        );
    }
    let Some(selected) = model.help else {
        return;
    };
    let width = area.width.saturating_sub(4).min(100);
    let height = area.height.saturating_sub(2);
    let r = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let spanish = model.settings.language == Language::Es;
    let title = match (demo.is_some(), spanish) {
        (true, false) => " DEMO: people to try ",
        (true, true) => " DEMO: personas para probar ",
        (false, false) => " Help ",
        (false, true) => " Ayuda ",
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title))
        .style(theme.base)
        .border_style(theme.border);
    let inner = block.inner(r);
    frame.render_widget(Clear, r);
    frame.render_widget(block, r);
    let inner_w = usize::from(inner.width);
    let mut lines: Vec<Line> = intro(demo.is_some(), spanish)
        .iter()
        .map(|l| Line::styled(text::fit(l, inner_w), theme.muted))
        .collect();
    if let Some(sheet) = demo {
        lines.push(Line::from(""));
        let header = if spanish {
            "Tarjeta  PIN   Nombre                  Para probar"
        } else {
            "Badge    PIN   Name                    Try"
        };
        lines.push(Line::styled(text::fit(header, inner_w), theme.title));
        let room = usize::from(inner.height).saturating_sub(lines.len());
        // Keep the selected row in view.
        let first = selected.saturating_sub(room.saturating_sub(1));
        for (i, row) in sheet.rows.iter().enumerate().skip(first).take(room) {
            let name = text::fit(&row.name, 22);
            let pad = " ".repeat(22usize.saturating_sub(text::width(&name)));
            let line = format!(
                "{:<8} {:<5} {name}{pad}  {}",
                text::fit(&row.badge, 8),
                text::fit(&row.pin, 5),
                text::fit(&row.what, 40)
            );
            let style = if i == selected {
                theme.selected
            } else {
                theme.base
            };
            lines.push(Line::styled(text::fit(&line, inner_w), style));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn intro(demo: bool, spanish: bool) -> &'static [&'static str] {
    match (demo, spanish) {
        (true, false) => &[
            "Up/Down picks a person, Enter scans their badge. Any other key closes.",
            "Or type a name on Home (the PIN pad then asks for their PIN), or tap.",
            "F12 and an administrator (Morgan, Priya) open the device admin.",
        ],
        (true, true) => &[
            "Arriba/Abajo elige, Intro pasa su tarjeta. Cualquier otra tecla cierra.",
            "O escriba un nombre en Inicio (luego se pide el PIN), o toque.",
            "F12 y un administrador (Morgan, Priya) abren la administración.",
        ],
        (false, false) => &[
            "Scan your badge, or type your name and pick it with Enter, or tap it.",
            "The PIN pad asks for your PIN when this kiosk needs one.",
            "Enter does the first action; the number keys pick another.",
            "Any key ends a confirmation. F12 opens the admin (administrators).",
            "Any key closes this help.",
        ],
        (false, true) => &[
            "Pase su tarjeta, o escriba su nombre y elíjalo con Intro, o tóquelo.",
            "Se pide el PIN cuando este quiosco lo necesita.",
            "Intro hace la primera acción; los números eligen otra.",
            "Cualquier tecla termina una confirmación. F12 abre la administración.",
            "Cualquier tecla cierra esta ayuda.",
        ],
    }
}
