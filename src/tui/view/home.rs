//! Home: the big clock and date, the device name and sync status, the roster
//! grid with each person's status, the group tabs, and the prompt.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

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
    // Each cell is a bordered touch target (three rows); one column between cells.
    let cw = usize::from(l.cell_width).saturating_sub(1);
    let inner = cw.saturating_sub(2);
    let status_w = 12.min(inner / 2);
    let name_w = inner.saturating_sub(status_w + 3);
    for (i, person) in people.iter().skip(model.scroll).enumerate() {
        let Some(r) = l.cell(i) else {
            break;
        };
        let (sym, word, style) = status(model, &roster.state(*person), theme);
        let name = text::fit(roster.name(*person), name_w);
        let pad = name_w.saturating_sub(text::width(&name));
        let word = text::fit(&word, status_w);
        let r = Rect::new(r.x, r.y, r.width.saturating_sub(1), r.height);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!("{sym} "), style),
                Span::styled(name, theme.base),
                Span::raw(" ".repeat(pad + 1)),
                Span::styled(word, style),
            ]))
            .block(Block::default().borders(Borders::ALL).border_style(style)),
            r,
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
