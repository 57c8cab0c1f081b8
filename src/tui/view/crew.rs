//! Team lead: the crew with status and selection marks, and the crew buttons.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::layout;
use super::super::model::{Model, Screen};
use super::super::text;
use super::super::theme::Theme;
use super::super::update::{CREW_ACTIONS, crew_jobs, crew_layout, crew_of};
use super::actions::{crew_label, job_picker};
use super::{button, header, hint, notice, status};

pub(super) fn draw(model: &Model, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Screen::Crew {
        lead,
        cursor,
        chosen,
        picker,
    } = &model.screen
    else {
        return;
    };
    let Some(roster) = &model.roster else {
        return;
    };
    let s = model.strings();
    let p = layout::page(area);
    header(model, frame, p.title, theme);
    let title = format!("{} — {}", text::fit(roster.name(*lead), 40), s.crew_title);
    frame.render_widget(Paragraph::new(title).style(theme.title), p.subtitle);
    if let Some(picker) = picker {
        let jobs = crew_jobs(roster, &picker.query);
        job_picker(model, frame, p.body, picker, &jobs, theme);
        hint(frame, p.hint, s.search_hint, theme);
        notice(model, frame, p.notice, theme);
        return;
    }
    let (list, buttons) = crew_layout(area);
    let name_w = usize::from(list.width).saturating_sub(24).min(40);
    for (i, m) in crew_of(roster, *lead)
        .iter()
        .take(usize::from(list.height))
        .enumerate()
    {
        let mark = if chosen.contains(m) { "[x]" } else { "[ ]" };
        let (sym, word, style) = status(model, &roster.state(*m), theme);
        let name = text::fit(roster.name(*m), name_w);
        let pad = name_w.saturating_sub(text::width(&name));
        let base = if i == *cursor {
            theme.selected
        } else {
            theme.base
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!("{mark} {name}{}", " ".repeat(pad + 2)), base),
                Span::styled(format!("{sym} {}", text::fit(&word, 18)), style),
            ])),
            Rect::new(list.x, list.y + i as u16, list.width, 1),
        );
    }
    for (i, (a, r)) in CREW_ACTIONS.iter().zip(buttons).enumerate() {
        button(
            frame,
            r,
            &(i + 1).to_string(),
            crew_label(s, *a),
            theme.base,
        );
    }
    hint(frame, p.hint, s.crew_hint, theme);
    notice(model, frame, p.notice, theme);
}
