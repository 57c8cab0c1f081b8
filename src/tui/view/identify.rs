//! Identify: the name search with its result list, and the PIN pad with masked
//! digits.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::layout::{self, PIN_KEYS};
use super::super::model::{Model, Purpose, Screen};
use super::super::text;
use super::super::theme::Theme;
use super::{header, hint, notice, status};
use crate::domain::PersonId;

pub(super) fn draw(model: &Model, frame: &mut Frame, area: Rect, theme: &Theme) {
    let p = layout::page(area);
    header(model, frame, p.title, theme);
    let s = model.strings();
    match &model.screen {
        Screen::Identify {
            purpose,
            query,
            selected,
        } => {
            let title = match purpose {
                Purpose::Punch => s.search_title,
                Purpose::Admin => s.admin_login,
                Purpose::Override { .. } => s.override_login,
            };
            frame.render_widget(Paragraph::new(title).style(theme.title), p.subtitle);
            search(model, frame, p.body, query, *selected, theme);
            hint(frame, p.hint, s.search_hint, theme);
        }
        Screen::Pin { person, digits, .. } => {
            let name = model.roster.as_ref().map_or("", |r| r.name(*person));
            let title = format!("{} — {}", text::fit(name, 40), s.pin_title);
            frame.render_widget(Paragraph::new(title).style(theme.title), p.subtitle);
            pad(model, frame, p.body, digits, theme);
            hint(frame, p.hint, s.pin_hint, theme);
        }
        _ => {}
    }
    notice(model, frame, p.notice, theme);
}

fn search(model: &Model, frame: &mut Frame, body: Rect, query: &str, sel: usize, theme: &Theme) {
    let Some(roster) = &model.roster else {
        return;
    };
    search_list(model, frame, body, query, roster.matches(query), sel, theme);
}

/// A search field holding `query` above one page of `people` (the matches, in
/// order), each with their status; row `sel` is marked.
pub(super) fn search_list(
    model: &Model,
    frame: &mut Frame,
    body: Rect,
    query: &str,
    people: impl Iterator<Item = PersonId>,
    sel: usize,
    theme: &Theme,
) {
    let Some(roster) = &model.roster else {
        return;
    };
    let (input, list) = layout::search(body);
    let shown = text::fit(query, usize::from(input.width).saturating_sub(4));
    frame.render_widget(
        Paragraph::new(format!("{shown}▏")).block(Block::default().borders(Borders::ALL)),
        input,
    );
    // One page of matches: the search stops once the list is full.
    let matches: Vec<PersonId> = people.take(usize::from(list.height)).collect();
    if matches.is_empty() {
        frame.render_widget(
            Paragraph::new(model.strings().no_match).style(theme.warn),
            Rect::new(list.x, list.y, list.width, 1),
        );
        return;
    }
    let name_w = usize::from(list.width).saturating_sub(20).min(40);
    for (i, person) in matches.iter().enumerate() {
        let (sym, word, style) = status(model, &roster.state(*person), theme);
        let name = text::fit(roster.name(*person), name_w);
        let pad = name_w.saturating_sub(text::width(&name));
        let marker = if i == sel { "▶ " } else { "  " };
        let base = if i == sel { theme.selected } else { theme.base };
        let row = Rect::new(list.x, list.y + i as u16, list.width, 1);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!("{marker}{name}{}", " ".repeat(pad + 2)), base),
                Span::styled(format!("{sym} {}", text::fit(&word, 16)), style),
            ])),
            row,
        );
    }
}

fn pad(model: &Model, frame: &mut Frame, body: Rect, digits: &str, theme: &Theme) {
    let l = layout::pin(body);
    let masked: String = if model.checking_pin.is_some() {
        model.strings().checking_pin.to_owned()
    } else if digits.is_empty() {
        "_ _ _ _".to_owned()
    } else {
        vec!["●"; digits.len()].join(" ")
    };
    frame.render_widget(
        Paragraph::new(masked)
            .alignment(Alignment::Center)
            .style(theme.title),
        l.digits,
    );
    for (r, key) in l.keys.iter().zip(PIN_KEYS) {
        let label = match key {
            '<' => "⌫".to_owned(),
            '>' => "OK".to_owned(),
            c => c.to_string(),
        };
        frame.render_widget(
            Paragraph::new(label)
                .alignment(Alignment::Center)
                .block(Block::default().borders(Borders::ALL)),
            *r,
        );
    }
}
