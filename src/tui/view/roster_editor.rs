//! The device roster editor: the entries in order (person or team, group), the
//! selected one marked, the button row; the group being typed, or the list of
//! people and teams to add.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::catalog::fill;
use super::super::model::{EditEntry, EditMode, Model, RosterEditor};
use super::super::text;
use super::super::theme::Theme;
use super::super::update::{EDIT_BUTTONS, addable, editor_scroll, roster_editor_layout};
use super::{button, hint};
use crate::wire::RosterItem;

pub(super) fn draw(model: &Model, frame: &mut Frame, area: Rect, ed: &RosterEditor, theme: &Theme) {
    let s = model.strings();
    let (list, buttons) = roster_editor_layout(area);
    let p = super::super::layout::page(area);
    let entries = match &ed.entries {
        None => {
            frame.render_widget(Paragraph::new("…"), list);
            return;
        }
        Some(Err(e)) => {
            let e = text::fit(e, usize::from(list.width));
            frame.render_widget(Paragraph::new(e).style(theme.error), list);
            return;
        }
        Some(Ok(entries)) => entries,
    };
    let dirty = if ed.dirty { " *" } else { "" };
    let title = format!(
        "{}{dirty}",
        fill(s.editor_title, &[&entries.len().to_string()])
    );
    frame.render_widget(
        Paragraph::new(title).style(theme.title),
        Rect::new(list.x, list.y.saturating_sub(1), list.width, 1),
    );
    match &ed.mode {
        EditMode::Add {
            query,
            selected,
            candidates,
        } => {
            add_list(
                model, frame, list, entries, query, *selected, candidates, theme,
            );
            hint(frame, p.hint, s.editor_add_prompt, theme);
            return;
        }
        EditMode::Group { text: typed } => {
            let name = entries.get(ed.cursor).map_or("", |e| e.name.as_str());
            let prompt = fill(s.editor_group_prompt, &[&text::fit(name, 30)]);
            hint(frame, p.hint, &prompt, theme);
            let w = usize::from(list.width).saturating_sub(4).min(44);
            frame.render_widget(
                Paragraph::new(format!("{}▏", text::fit(typed, w)))
                    .block(Block::default().borders(Borders::ALL)),
                Rect::new(list.x, list.y, list.width.min(48), 3),
            );
            return;
        }
        EditMode::List => hint(frame, p.hint, s.editor_hint, theme),
    }
    if entries.is_empty() {
        frame.render_widget(Paragraph::new(s.editor_empty).style(theme.warn), list);
    }
    let rows = usize::from(list.height);
    let first = editor_scroll(ed.cursor, rows);
    let w = usize::from(list.width);
    for (i, e) in entries.iter().enumerate().skip(first).take(rows) {
        let (marker, style) = if i == ed.cursor {
            ("▶", theme.selected)
        } else {
            (" ", theme.base)
        };
        let line = format!("{marker} {:>3}. {}", i + 1, entry_text(model, e));
        let y = list.y + u16::try_from(i - first).unwrap_or(0);
        frame.render_widget(
            Paragraph::new(text::fit(&line, w)).style(style),
            Rect::new(list.x, y, list.width, 1),
        );
    }
    for (i, (_, r)) in EDIT_BUTTONS.iter().zip(buttons).enumerate() {
        let label = s.editor_buttons.get(i).copied().unwrap_or("");
        button(frame, r, "", label, theme.base);
    }
}

/// "Ana García · Office", or "Floor crew (team) · (no group)".
fn entry_text(model: &Model, e: &EditEntry) -> String {
    let s = model.strings();
    let kind = match e.item {
        RosterItem::Person(_) => String::new(),
        RosterItem::Team(_) => format!(" ({})", s.editor_team),
    };
    let group = e
        .group
        .as_deref()
        .map_or(s.editor_no_group.to_owned(), |g| text::fit(g, 24));
    format!("{}{kind} · {group}", text::fit(&e.name, 30))
}

#[allow(clippy::too_many_arguments)]
fn add_list(
    model: &Model,
    frame: &mut Frame,
    list: Rect,
    entries: &[EditEntry],
    query: &str,
    selected: usize,
    candidates: &Option<Result<Vec<EditEntry>, String>>,
    theme: &Theme,
) {
    let s = model.strings();
    let w = usize::from(list.width);
    frame.render_widget(
        Paragraph::new(format!("» {}▏", text::fit(query, w.saturating_sub(4)))).style(theme.title),
        Rect::new(list.x, list.y, list.width, 1),
    );
    let rest = Rect::new(
        list.x,
        list.y + 1,
        list.width,
        list.height.saturating_sub(1),
    );
    let all = match candidates {
        None => {
            frame.render_widget(Paragraph::new(s.editor_loading).style(theme.muted), rest);
            return;
        }
        Some(Err(e)) => {
            frame.render_widget(Paragraph::new(text::fit(e, w)).style(theme.error), rest);
            return;
        }
        Some(Ok(all)) => all,
    };
    let found: Vec<&EditEntry> = addable(all, entries, query)
        .take(usize::from(rest.height))
        .collect();
    if found.is_empty() {
        frame.render_widget(Paragraph::new(s.no_match).style(theme.warn), rest);
    }
    for (i, e) in found.iter().enumerate() {
        let (marker, style) = if i == selected {
            ("▶", theme.selected)
        } else {
            (" ", theme.base)
        };
        let kind = match e.item {
            RosterItem::Person(_) => String::new(),
            RosterItem::Team(_) => format!(" ({})", s.editor_team),
        };
        let line = format!("{marker} {}{kind}", text::fit(&e.name, 40));
        frame.render_widget(
            Paragraph::new(text::fit(&line, w)).style(style),
            Rect::new(
                rest.x,
                rest.y + u16::try_from(i).unwrap_or(0),
                rest.width,
                1,
            ),
        );
    }
}
