//! Admin: the menu (buttons), the queue of events the hub refused (with
//! reasons), device info, sync and clock, the exit confirmation; the roster
//! editor and re-enrollment are in their own files.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::super::catalog::fill;
use super::super::layout;
use super::super::model::{AdminPage, Model, Screen};
use super::super::text;
use super::super::theme::Theme;
use super::super::update::{ADMIN_MENU, admin_menu_layout};
use super::{button, header, hhmm, hint, notice, sync_line};
use crate::sync::status::RosterState;

pub(super) fn draw(model: &Model, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Screen::Admin { admin, page } = &model.screen else {
        return;
    };
    let s = model.strings();
    let p = layout::page(area);
    header(model, frame, p.title, theme);
    let name = model.roster.as_ref().map_or("", |r| r.name(*admin));
    frame.render_widget(
        Paragraph::new(format!("⚙ {} — {}", s.admin_title, text::fit(name, 40))).style(theme.title),
        p.subtitle,
    );
    let w = usize::from(p.body.width).saturating_sub(4);
    let body = Rect::new(
        p.body.x + 2,
        p.body.y,
        p.body.width.saturating_sub(4),
        p.body.height,
    );
    let (lines, page_hint): (Vec<Line>, &str) = match page {
        AdminPage::Menu => {
            let rects = admin_menu_layout(area);
            for (i, (_, r)) in ADMIN_MENU.iter().zip(rects).enumerate() {
                let label = s.admin_items.get(i).copied().unwrap_or("");
                button(frame, r, &(i + 1).to_string(), label, theme.base);
            }
            (Vec::new(), s.admin_menu)
        }
        AdminPage::Queue { rows, selected } => {
            let mut lines = vec![Line::styled(s.admin_queue, theme.title)];
            match rows {
                None => lines.push(Line::from("…")),
                Some(Err(e)) => lines.push(Line::styled(text::fit(e, w), theme.error)),
                Some(Ok(rows)) if rows.is_empty() => lines.push(Line::from(s.admin_no_parked)),
                Some(Ok(rows)) => {
                    for (i, r) in rows.iter().enumerate() {
                        let marker = if i == *selected { "▶" } else { " " };
                        let line = format!(
                            "{marker} {} {} {:<11} {}",
                            model.local(r.at).format("%m-%d %H:%M"),
                            text::fit(&r.subject, 20),
                            r.kind,
                            r.reason
                        );
                        let style = if i == *selected {
                            theme.selected
                        } else {
                            theme.base
                        };
                        lines.push(Line::styled(text::fit(&line, w), style));
                    }
                }
            }
            (lines, s.admin_queue_hint)
        }
        AdminPage::Device => {
            let (sync, _) = sync_line(model, theme);
            let roster = model
                .roster
                .as_ref()
                .map_or("-".to_owned(), |r| text::fit(&r.version, 40));
            let lines = vec![
                Line::styled(s.admin_device, theme.title),
                Line::from(format!("id     {}", model.device.id)),
                Line::from(format!("name   {}", text::fit(&model.device.name, w))),
                Line::from(format!("hub    {}", text::fit(&model.device.hub_url, w))),
                Line::from(format!("sync   {sync}")),
                Line::from(format!("roster {roster}")),
                Line::from(format!("tapin  {}", env!("CARGO_PKG_VERSION"))),
            ];
            (lines, s.admin_back_hint)
        }
        AdminPage::Sync { changes } => (sync_page(model, changes.as_ref(), w, theme), s.sync_hint),
        AdminPage::ConfirmExit => (
            vec![Line::styled(s.admin_exit_confirm, theme.warn)],
            s.admin_back_hint,
        ),
        AdminPage::Roster(ed) => {
            super::roster_editor::draw(model, frame, area, ed, theme);
            (Vec::new(), "")
        }
        AdminPage::Reenroll(form) => {
            super::reenroll::draw(model, frame, area, form, theme);
            let editing = form.step == super::super::model::ReenrollStep::Editing;
            (Vec::new(), if editing { s.reenroll_hint } else { "" })
        }
    };
    if !lines.is_empty() {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    }
    if !page_hint.is_empty() {
        hint(frame, p.hint, page_hint, theme);
    }
    notice(model, frame, p.notice, theme);
}

/// Link, queues, last answer, roster, clock offset and skew, the roster
/// changes made here.
fn sync_page<'a>(
    model: &Model,
    changes: Option<&Result<Vec<super::super::model::AdminChangeRow>, String>>,
    w: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let s = model.strings();
    let row = |label: &str, value: String| format!("{:<18} {value}", text::fit(label, 18));
    let (link, link_style) = sync_link(model, theme);
    let st = model.sync.as_ref();
    let mut lines = vec![
        Line::styled(s.sync_title, theme.title),
        Line::styled(text::fit(&row(s.sync_link, link), w), link_style),
        Line::from(row(
            s.sync_pending,
            st.map_or(0, |st| st.pending).to_string(),
        )),
        Line::from(row(s.sync_parked, st.map_or(0, |st| st.parked).to_string())),
        Line::from(row(
            s.sync_last,
            model.last_sync.map_or(s.sync_never.to_owned(), |at| {
                model.local(at).format("%Y-%m-%d %H:%M:%S").to_string()
            }),
        )),
    ];
    let roster = match st.map(|st| &st.roster) {
        Some(RosterState::Cached {
            version,
            fetched_at,
        }) => format!(
            "{} · {}",
            text::fit(version, 24),
            model.local(*fetched_at).format("%Y-%m-%d %H:%M")
        ),
        _ => s.sync_roster_none.to_owned(),
    };
    lines.push(Line::from(text::fit(&row(s.sync_roster, roster), w)));
    let clock = st.and_then(|st| st.clock);
    let skewed = st.is_some_and(|st| st.clock_skewed);
    let offset = clock.map_or(s.clock_unknown.to_owned(), |c| {
        fill(
            s.clock_offset,
            &[
                &format!("{:+.1}", c.offset.num_milliseconds() as f64 / 1000.0),
                &c.uncertainty.as_millis().to_string(),
                &hhmm(model, c.measured_at),
            ],
        )
    });
    lines.push(Line::from(text::fit(&row(s.clock_title, offset), w)));
    if clock.is_some() {
        lines.push(if skewed {
            Line::styled(s.clock_warn, theme.error)
        } else {
            Line::styled(format!("{:<18} {}", "", s.clock_ok), theme.ok)
        });
    }
    if let Some(problem) = st.and_then(|st| st.last_problem.as_deref()) {
        lines.push(Line::styled(
            text::fit(&row(s.sync_problem, problem.to_owned()), w),
            theme.warn,
        ));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(s.sync_changes, theme.title));
    match changes {
        None => lines.push(Line::from("…")),
        Some(Err(e)) => lines.push(Line::styled(text::fit(e, w), theme.error)),
        Some(Ok(rows)) if rows.is_empty() => lines.push(Line::from(s.sync_no_changes)),
        Some(Ok(rows)) => {
            for r in rows {
                let (state, style) = match &r.refused {
                    None => (s.sync_change_waiting.to_owned(), theme.warn),
                    Some(why) => (fill(s.sync_change_refused, &[why]), theme.error),
                };
                // The hub's reason may be long: wrapped, not cut.
                let line = format!(
                    "{} {} — {}",
                    model.local(r.queued_at).format("%m-%d %H:%M"),
                    text::fit(&r.by, 24),
                    crate::sanitize::for_terminal(&state)
                );
                lines.push(Line::styled(line, style));
            }
        }
    }
    lines
}

/// The link in words, with the reason when offline.
fn sync_link(model: &Model, theme: &Theme) -> (String, ratatui::style::Style) {
    use crate::sync::status::Link;
    let (line, style) = sync_line(model, theme);
    let why = match model.sync.as_ref().map(|s| &s.link) {
        Some(Link::Offline { why, .. }) => format!(" ({why})"),
        _ => String::new(),
    };
    // The status line's first part (before the counts) and the reason.
    let head = line.split(" · ").next().unwrap_or_default().to_owned();
    (format!("{head}{why}"), style)
}
