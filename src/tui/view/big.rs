//! Large digits for the clock and the confirmation time: 3×5 cells per glyph,
//! doubled on tall screens, drawn with full blocks.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

fn glyph(c: char) -> [&'static str; 5] {
    match c {
        '0' => ["███", "█ █", "█ █", "█ █", "███"],
        '1' => ["  █", "  █", "  █", "  █", "  █"],
        '2' => ["███", "  █", "███", "█  ", "███"],
        '3' => ["███", "  █", "███", "  █", "███"],
        '4' => ["█ █", "█ █", "███", "  █", "  █"],
        '5' => ["███", "█  ", "███", "  █", "███"],
        '6' => ["███", "█  ", "███", "█ █", "███"],
        '7' => ["███", "  █", "  █", "  █", "  █"],
        '8' => ["███", "█ █", "███", "█ █", "███"],
        '9' => ["███", "█ █", "███", "  █", "███"],
        ':' => ["   ", " █ ", "   ", " █ ", "   "],
        _ => ["   ", "   ", "   ", "   ", "   "],
    }
}

/// The lines of `text` in big digits at `scale` (1 or 2).
pub fn lines(text: &str, scale: u16) -> Vec<String> {
    let s = usize::from(scale.max(1));
    let mut out = Vec::with_capacity(5 * s);
    for row in 0..5 {
        let mut line = String::new();
        for (i, c) in text.chars().enumerate() {
            if i > 0 {
                line.push(' ');
            }
            for ch in glyph(c)[row].chars() {
                for _ in 0..s {
                    line.push(ch);
                }
            }
        }
        for _ in 0..s {
            out.push(line.clone());
        }
    }
    out
}

/// Draws `text` in big digits centred in `area`, cell by cell: what a centred
/// `Paragraph` of [`lines`] styled `style` draws (the whole area styled, each
/// line centred and cut to the width), without its per-grapheme layout (the
/// glyphs are single cells), which was most of drawing a confirmation.
pub fn draw(frame: &mut Frame, area: Rect, text: &str, scale: u16, style: Style) {
    let buf = frame.buffer_mut();
    let area = area.intersection(buf.area);
    super::set_style(buf, area, style);
    for (dy, line) in (0..area.height).zip(lines(text, scale)) {
        let width = u16::try_from(line.chars().count()).unwrap_or(u16::MAX);
        let shown = width.min(area.width);
        // A centred paragraph's offset: half the area less half the line.
        let x = area.x + (area.width / 2).saturating_sub(shown / 2);
        for (dx, ch) in (0..shown).zip(line.chars()) {
            buf[(x + dx, area.y + dy)].set_char(ch);
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::{Color, Modifier};
    use ratatui::text::Line;
    use ratatui::widgets::Paragraph;

    use super::*;

    /// The paragraph `draw` stands for.
    fn paragraph(frame: &mut Frame, area: Rect, text: &str, scale: u16, style: Style) {
        let lines: Vec<Line> = lines(text, scale).into_iter().map(Line::from).collect();
        frame.render_widget(
            Paragraph::new(lines)
                .style(style)
                .alignment(ratatui::layout::Alignment::Center),
            area,
        );
    }

    #[test]
    fn draws_what_a_centred_paragraph_draws() {
        let style = Style::new().fg(Color::Green).add_modifier(Modifier::BOLD);
        let areas = [
            Rect::new(1, 3, 60, 10),
            Rect::new(2, 1, 37, 6),
            Rect::new(0, 0, 20, 4),
            Rect::new(5, 5, 40, 20),
            Rect::new(70, 0, 30, 5),
        ];
        for area in areas {
            for (text, scale) in [("12:34", 2), ("09:05", 1), ("7", 1), ("1:2x", 2), ("", 1)] {
                let draw_with = |how: fn(&mut Frame, Rect, &str, u16, Style)| {
                    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
                    t.draw(|f| how(f, area, text, scale, style)).unwrap();
                    t.backend().buffer().clone()
                };
                assert_eq!(
                    draw_with(draw),
                    draw_with(paragraph),
                    "{text:?} at {scale} in {area:?}"
                );
            }
        }
    }
}
