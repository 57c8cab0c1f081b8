//! Team lead: the crew with status and selection marks, and the crew buttons.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::layout;
use super::super::model::{CrewAction, Model, Screen};
use super::super::text;
use super::super::theme::Theme;
use super::super::update::{CREW_ACTIONS, crew_jobs, crew_layout, crew_of};
use super::actions::draw_list;
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
        let (input, list) = layout::search(p.body);
        let q = text::fit(&picker.query, usize::from(input.width).saturating_sub(4));
        frame.render_widget(
            Paragraph::new(format!("{q}▏"))
                .block(Block::default().borders(Borders::ALL).title(s.pick_job)),
            input,
        );
        draw_list(
            frame,
            list,
            &crew_jobs(roster, &picker.query),
            picker.selected,
            theme,
        );
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
        let label = match a {
            CrewAction::ClockIn => s.crew_clock_in,
            CrewAction::ClockOut => s.crew_clock_out,
            CrewAction::StartJob => s.crew_start_job,
            CrewAction::StopJob => s.crew_stop_job,
            CrewAction::CheckOutMember => s.crew_check_out_member,
        };
        button(frame, r, &(i + 1).to_string(), label, theme.base);
    }
    hint(frame, p.hint, s.crew_hint, theme);
    notice(model, frame, p.notice, theme);
}
