//! Home: the big clock and date, the device name and sync status, the roster
//! grid with each person's status, the group tabs, and the prompt.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::super::layout;
use super::super::model::Model;
use super::super::text;
use super::super::theme::Theme;
use super::super::update::identify_tab_labels;
use super::{big, header, hhmm, long_date, notice, status};

pub(super) fn draw(model: &Model, frame: &mut Frame, area: Rect, theme: &Theme) {
    let l = layout::home(area);
    header(model, frame, l.header, theme);
    big::draw(
        frame,
        l.clock,
        &hhmm(model, model.now),
        layout::big_scale(area),
        theme.title,
    );
    frame.render_widget(
        Paragraph::new(long_date(model, model.now))
            .alignment(Alignment::Center)
            .style(theme.base),
        l.date,
    );
    tabs(model, frame, &l, theme);
    grid(model, frame, &l, theme);
    let s = model.strings();
    frame.render_widget(
        Paragraph::new(format!("▸ {} ◂", s.prompt))
            .alignment(Alignment::Center)
            .style(theme.title),
        l.prompt,
    );
    notice(model, frame, l.notice, theme);
}

fn tabs(model: &Model, frame: &mut Frame, l: &layout::HomeLayout, theme: &Theme) {
    let labels = identify_tab_labels(model);
    let widths: Vec<usize> = labels.iter().map(|s| text::width(s)).collect();
    for (i, r) in layout::tab_rects(l.tabs, &widths).into_iter().enumerate() {
        let (label, style) = if i == model.tab {
            (format!("[{}]", labels[i]), theme.selected)
        } else {
            (format!(" {} ", labels[i]), theme.muted)
        };
        frame.render_widget(Paragraph::new(label).style(style), r);
    }
}

fn grid(model: &Model, frame: &mut Frame, l: &layout::HomeLayout, theme: &Theme) {
    let Some(roster) = &model.roster else {
        return;
    };
    let people = roster.tab_people(model.tab);
    // Each cell is a touch target three rows tall: a bar in the status colour
    // beside the name and, under it, the status (symbol and word: colour is
    // never the only signal); the third row spaces the cells apart.
    let inner = usize::from(l.cell_width).saturating_sub(3);
    for (i, person) in people.iter().skip(model.scroll).enumerate() {
        let Some(r) = l.cell(i) else {
            break;
        };
        let (sym, word, style) = status(model, &roster.state(*person), theme);
        let name = text::fit(roster.name(*person), inner);
        let word = text::fit(&format!("{sym} {word}"), inner);
        let card = Rect::new(r.x, r.y, r.width.saturating_sub(1), r.height.min(2));
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(name, theme.base.add_modifier(Modifier::BOLD)),
                Line::styled(word, style),
            ])
            .block(
                Block::default()
                    .borders(Borders::LEFT)
                    .border_type(BorderType::Thick)
                    .border_style(style),
            ),
            card,
        );
    }
    if model.scroll > 0 {
        let r = Rect::new(l.grid.x + l.grid.width.saturating_sub(16), l.tabs.y, 6, 1);
        frame.render_widget(
            Paragraph::new("▲").style(theme.muted.add_modifier(Modifier::BOLD)),
            r,
        );
    }
    let shown = people.len().saturating_sub(model.scroll);
    if shown > l.per_page() {
        let more = format!("▼ {}", shown - l.per_page());
        let r = Rect::new(l.grid.x + l.grid.width.saturating_sub(8), l.tabs.y, 8, 1);
        frame.render_widget(
            Paragraph::new(more).style(theme.muted.add_modifier(Modifier::BOLD)),
            r,
        );
    }
}
