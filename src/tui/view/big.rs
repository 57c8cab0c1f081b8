//! Large digits for the clock and the confirmation time: 3×5 cells per glyph,
//! doubled on tall screens, drawn with full blocks.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

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

/// Draws `text` in big digits centred in `area`.
pub fn draw(frame: &mut Frame, area: Rect, text: &str, scale: u16, style: Style) {
    let lines: Vec<Line> = lines(text, scale).into_iter().map(Line::from).collect();
    frame.render_widget(
        Paragraph::new(lines)
            .style(style)
            .alignment(ratatui::layout::Alignment::Center),
        area,
    );
}
