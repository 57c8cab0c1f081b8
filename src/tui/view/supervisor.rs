//! The supervisor override: whom to enter a time for, then the start or finish
//! buttons, the day and the typed time, then the reason buttons (or the typed
//! reason).

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::catalog::fill;
use super::super::layout;
use super::super::model::{Model, OverrideForm, Screen};
use super::super::text;
use super::super::theme::Theme;
use super::super::update::{OVERRIDE_REASONS, override_candidates, override_layout};
use super::actions::who;
use super::identify::search_list;
use super::{button, header, hhmm, hint, long_date, notice};
use crate::domain::{EnteredPunch, PersonId};

pub(super) fn draw(model: &Model, frame: &mut Frame, area: Rect, theme: &Theme) {
    let p = layout::page(area);
    header(model, frame, p.title, theme);
    let s = model.strings();
    match &model.screen {
        Screen::OverridePick {
            supervisor,
            query,
            selected,
        } => {
            frame.render_widget(
                Paragraph::new(s.override_pick_title).style(theme.title),
                p.subtitle,
            );
            pick(model, frame, p.body, *supervisor, query, *selected, theme);
            hint(frame, p.hint, s.search_hint, theme);
        }
        Screen::Override {
            supervisor,
            subject,
            form,
        } => {
            who(model, frame, p.subtitle, *subject, theme);
            let text_hint = if form.at.is_none() {
                time_step(model, frame, area, *supervisor, *subject, form, theme);
                s.override_time_hint
            } else {
                reason_step(model, frame, area, form, theme);
                if form.other.is_some() {
                    s.override_typed_hint
                } else {
                    s.override_reason_hint
                }
            };
            hint(frame, p.hint, text_hint, theme);
        }
        _ => {}
    }
    notice(model, frame, p.notice, theme);
}

fn pick(
    model: &Model,
    frame: &mut Frame,
    body: Rect,
    supervisor: PersonId,
    query: &str,
    selected: usize,
    theme: &Theme,
) {
    let Some(roster) = &model.roster else {
        return;
    };
    let people = override_candidates(roster, supervisor, query);
    search_list(model, frame, body, query, people, selected, theme);
}

fn time_step(
    model: &Model,
    frame: &mut Frame,
    area: Rect,
    supervisor: PersonId,
    subject: PersonId,
    form: &OverrideForm,
    theme: &Theme,
) {
    let s = model.strings();
    let l = override_layout(area);
    let (sup, who) = model
        .roster
        .as_ref()
        .map_or(("", ""), |r| (r.name(supervisor), r.name(subject)));
    let intro = fill(
        s.override_title,
        &[&text::fit(sup, 30), &text::fit(who, 30)],
    );
    frame.render_widget(
        Paragraph::new(text::fit(&intro, usize::from(l.intro.width))).style(theme.warn),
        l.intro,
    );
    let punches = [
        (EnteredPunch::ClockIn, s.override_start),
        (EnteredPunch::ClockOut, s.override_end),
    ];
    for ((punch, label), r) in punches.into_iter().zip(l.punch) {
        let (mark, style) = if punch == form.punch {
            ("◉", theme.selected)
        } else {
            ("○", theme.base)
        };
        button(frame, r, mark, label, style);
    }
    for (r, arrow) in [(l.day_back, "◀"), (l.day_forward, "▶")] {
        frame.render_widget(
            Paragraph::new(arrow)
                .alignment(Alignment::Center)
                .block(Block::default().borders(Borders::ALL)),
            r,
        );
    }
    let day = text::fit(&day_name(model, form), usize::from(l.day.width));
    frame.render_widget(
        Paragraph::new(day)
            .alignment(Alignment::Center)
            .style(theme.title),
        Rect::new(l.day.x, l.day.y + 1, l.day.width, 1),
    );
    let mut shown: Vec<char> = form.digits.chars().collect();
    shown.resize(4, '_');
    let time = format!("{}{}:{}{}", shown[0], shown[1], shown[2], shown[3]);
    frame.render_widget(
        Paragraph::new(time)
            .style(theme.title)
            .block(Block::default().borders(Borders::ALL)),
        l.time,
    );
}

/// The chosen day, like "Monday, 9 March 2026".
fn day_name(model: &Model, form: &OverrideForm) -> String {
    let noon = form
        .day
        .and_hms_opt(12, 0, 0)
        .and_then(|d| d.and_local_timezone(model.offset()).single())
        .map(|d| d.with_timezone(&chrono::Utc));
    noon.map_or_else(|| form.day.to_string(), |at| long_date(model, at))
}

fn reason_step(model: &Model, frame: &mut Frame, area: Rect, form: &OverrideForm, theme: &Theme) {
    let s = model.strings();
    let l = override_layout(area);
    let what = match form.punch {
        EnteredPunch::ClockIn => s.override_start,
        EnteredPunch::ClockOut => s.override_end,
    };
    let when = form
        .at
        .map(|at| format!("{} {}", long_date(model, at), hhmm(model, at)))
        .unwrap_or_default();
    let summary = format!("{what}: {when} — {}", s.override_reason_title);
    frame.render_widget(
        Paragraph::new(text::fit(&summary, usize::from(l.summary.width))).style(theme.title),
        l.summary,
    );
    if let Some(typed) = &form.other {
        let w = usize::from(l.typed.width).saturating_sub(4);
        let shown = tail(typed, w);
        frame.render_widget(
            Paragraph::new(format!("{shown}▏")).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(s.override_other),
            ),
            l.typed,
        );
        return;
    }
    let labels = s
        .override_reasons
        .iter()
        .copied()
        .chain([s.override_other])
        .take(OVERRIDE_REASONS + 1);
    for (i, (label, r)) in labels.zip(l.reasons.iter()).enumerate() {
        let style = if i == form.selected {
            theme.selected
        } else {
            theme.base
        };
        let key = if i == form.selected {
            format!("{} ⏎", i + 1)
        } else {
            format!("{}", i + 1)
        };
        button(frame, *r, &key, label, style);
    }
}

/// The end of `typed`, sanitized, at most `width` columns: the cursor stays in view.
fn tail(typed: &str, width: usize) -> String {
    let mut clean = text::fit(typed, usize::MAX);
    while text::width(&clean) > width {
        clean.remove(0);
    }
    clean
}
