//! Actions: the person's buttons (number key, ≥ 3 rows tall, the first is
//! Enter), the job picker, and the missed-punch question.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::catalog::{Catalog, fill};
use super::super::layout;
use super::super::model::{Action, CrewAction, JobPicker, Model, Screen};
use super::super::text;
use super::super::theme::Theme;
use super::super::update::{available, jobs_for, missed_button};
use super::{button, header, hhmm, hint, long_date, notice, status};
use crate::domain::{JobId, PersonId};

pub fn label(s: &Catalog, a: Action) -> &'static str {
    match a {
        Action::ClockIn => s.clock_in,
        Action::ClockOut => s.clock_out,
        Action::BreakStart => s.break_start,
        Action::BreakEnd => s.break_end,
        Action::CheckIn => s.check_in,
        Action::SwitchJob => s.switch_job,
        Action::CheckOut => s.check_out,
        Action::Crew => s.crew,
        Action::MissedPunch => s.missed_punch,
        Action::Override => s.override_action,
    }
}

pub fn crew_label(s: &Catalog, a: CrewAction) -> &'static str {
    match a {
        CrewAction::ClockIn => s.crew_clock_in,
        CrewAction::ClockOut => s.crew_clock_out,
        CrewAction::StartJob => s.crew_start_job,
        CrewAction::StopJob => s.crew_stop_job,
        CrewAction::CheckOutMember => s.crew_check_out_member,
    }
}

pub(super) fn draw(model: &Model, frame: &mut Frame, area: Rect, theme: &Theme) {
    let p = layout::page(area);
    header(model, frame, p.title, theme);
    let Some(roster) = &model.roster else {
        return;
    };
    let s = model.strings();
    match &model.screen {
        Screen::Actions {
            person,
            proven,
            selected,
            picker,
            ..
        } => {
            who(model, frame, p.subtitle, *person, theme);
            if let Some((_, picker)) = picker {
                let jobs = jobs_for(roster, *person, &picker.query);
                job_picker(model, frame, p.body, picker, &jobs, theme);
                hint(frame, p.hint, s.search_hint, theme);
            } else {
                let actions = available(roster, *person, *proven);
                let rects = layout::buttons(p.body, actions.len());
                for (i, (a, r)) in actions.iter().zip(rects).enumerate() {
                    let style = if i == *selected {
                        theme.selected
                    } else {
                        theme.base
                    };
                    let key = if i == 0 {
                        format!("{} ⏎", i + 1)
                    } else {
                        format!("{}", i + 1)
                    };
                    button(frame, r, &key, label(s, *a), style);
                }
                hint(frame, p.hint, s.actions_hint, theme);
            }
        }
        Screen::MissedPunch {
            person,
            since,
            digits,
            ..
        } => {
            who(model, frame, p.subtitle, *person, theme);
            let when = format!("{} {}", long_date(model, *since), hhmm(model, *since));
            let q = fill(s.missed_question, &[&when]);
            frame.render_widget(
                Paragraph::new(q)
                    .style(theme.warn)
                    .wrap(Wrap { trim: true }),
                Rect::new(p.body.x + 2, p.body.y, p.body.width.saturating_sub(4), 2),
            );
            let mut shown: Vec<char> = digits.chars().collect();
            shown.resize(4, '_');
            let time = format!("{}{}:{}{}", shown[0], shown[1], shown[2], shown[3]);
            frame.render_widget(
                Paragraph::new(time)
                    .style(theme.title)
                    .block(Block::default().borders(Borders::ALL)),
                Rect::new(p.body.x + 2, p.body.y + 3, 11, 3),
            );
            button(
                frame,
                missed_button(area),
                "s",
                s.missed_supervisor,
                theme.base,
            );
            hint(frame, p.hint, s.missed_hint, theme);
        }
        _ => {}
    }
    notice(model, frame, p.notice, theme);
}

/// "Name — ● in" under the header.
pub(super) fn who(model: &Model, frame: &mut Frame, r: Rect, person: PersonId, theme: &Theme) {
    let Some(roster) = &model.roster else {
        return;
    };
    let (sym, word, style) = status(model, &roster.state(person), theme);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(text::fit(roster.name(person), 40), theme.title),
            Span::raw(" — "),
            Span::styled(format!("{sym} {word}"), style),
        ])),
        r,
    );
}

/// The job search box and the matching `jobs` under it, the selected one marked.
pub(super) fn job_picker(
    model: &Model,
    frame: &mut Frame,
    body: Rect,
    picker: &JobPicker,
    jobs: &[(JobId, String)],
    theme: &Theme,
) {
    let (input, list) = layout::search(body);
    let q = text::fit(&picker.query, usize::from(input.width).saturating_sub(4));
    frame.render_widget(
        Paragraph::new(format!("{q}▏")).block(
            Block::default()
                .borders(Borders::ALL)
                .title(model.strings().pick_job),
        ),
        input,
    );
    let w = usize::from(list.width).saturating_sub(2);
    for (i, (_, name)) in jobs.iter().take(usize::from(list.height)).enumerate() {
        let (marker, style) = if i == picker.selected {
            ("▶ ", theme.selected)
        } else {
            ("  ", theme.base)
        };
        frame.render_widget(
            Paragraph::new(format!("{marker}{}", text::fit(name, w))).style(style),
            Rect::new(list.x, list.y + i as u16, list.width, 1),
        );
    }
}
