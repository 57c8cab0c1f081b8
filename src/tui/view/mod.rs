//! `view`: draws the model, changes nothing. Every outside string (names, jobs,
//! groups, device name, errors) goes through `text::fit`, which sanitizes it and
//! cuts it by display width, so hostile or wide names keep the grid aligned.
//! Colour is never the only signal: each state also has a word and a symbol.

mod actions;
mod admin;
mod big;
mod confirm;
mod crew;
mod help;
mod home;
mod identify;
mod reenroll;
mod roster_editor;
mod supervisor;

use chrono::{DateTime, Datelike, Utc};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::catalog::{self, fill};
use super::layout;
use super::model::{Model, Notice, Screen};
use super::text;
use super::theme::Theme;
use crate::domain::PunchState;
use crate::sync::status::Link;

pub use big::lines as big_lines;
pub use help::DEMO_MARKER;

pub fn view(model: &Model, frame: &mut Frame) {
    let area = frame.area();
    let theme = Theme::new(model.settings.theme);
    set_style(frame.buffer_mut(), area, theme.base);
    if layout::too_small(area) {
        return too_small(model, frame, area, &theme);
    }
    if model.not_recorded.is_some() {
        return not_recorded(model, frame, area, &theme);
    }
    if model.roster.is_none() {
        return not_set_up(model, frame, area, &theme);
    }
    match &model.screen {
        Screen::Home => home::draw(model, frame, area, &theme),
        Screen::Identify { .. } | Screen::Pin { .. } => identify::draw(model, frame, area, &theme),
        Screen::Actions { .. } | Screen::MissedPunch { .. } => {
            actions::draw(model, frame, area, &theme)
        }
        Screen::Crew { .. } => crew::draw(model, frame, area, &theme),
        Screen::Confirm { .. } => confirm::draw(model, frame, area, &theme),
        Screen::Admin { .. } => admin::draw(model, frame, area, &theme),
        Screen::OverridePick { .. } | Screen::Override { .. } => {
            supervisor::draw(model, frame, area, &theme)
        }
    }
    help::draw(model, frame, area, &theme);
}

fn too_small(model: &Model, frame: &mut Frame, area: Rect, theme: &Theme) {
    let s = model.strings();
    let msg = fill(
        s.enlarge,
        &[
            &format!("{}×{}", layout::MIN_WIDTH, layout::MIN_HEIGHT),
            &format!("{}×{}", area.width, area.height),
        ],
    );
    frame.render_widget(
        Paragraph::new(msg)
            .style(theme.warn)
            .wrap(Wrap { trim: true })
            .alignment(Alignment::Center),
        area,
    );
}

fn not_recorded(model: &Model, frame: &mut Frame, area: Rect, theme: &Theme) {
    let s = model.strings();
    let error = model
        .not_recorded
        .as_ref()
        .map_or(String::new(), |n| crate::sanitize::for_terminal(&n.error));
    let style = theme
        .error
        .add_modifier(Modifier::REVERSED | Modifier::BOLD);
    frame.render_widget(Block::default().style(style), area);
    let mid = area.height / 2;
    let lines = vec![
        Line::from(format!("✖ {} ✖", s.not_recorded)),
        Line::from(""),
        Line::from(s.tell_supervisor),
        Line::from(""),
        Line::from(error),
        Line::from(""),
        Line::from(s.not_recorded_hint),
    ];
    let r = Rect::new(
        area.x + 2,
        area.y + mid.saturating_sub(4),
        area.width - 4,
        10,
    );
    frame.render_widget(
        Paragraph::new(lines)
            .style(style)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        r,
    );
}

fn not_set_up(model: &Model, frame: &mut Frame, area: Rect, theme: &Theme) {
    let s = model.strings();
    let reached = matches!(model.sync.as_ref().map(|x| &x.link), Some(Link::Online));
    let hint = if reached {
        s.waiting_roster
    } else {
        s.not_set_up_hint
    };
    header(model, frame, layout::home(area).header, theme);
    let r = Rect::new(area.x + 2, area.y + area.height / 2 - 2, area.width - 4, 5);
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(format!("⚙ {}", s.not_set_up), theme.title),
            Line::from(""),
            Line::from(hint),
        ])
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true }),
        r,
    );
}

/// What `Buffer::set_style` (and so a `Block` with only a style) does, a row of
/// cells at a time: the whole screen is styled first on every frame, and
/// indexing its cells one position at a time was a tenth of drawing a
/// confirmation.
pub(super) fn set_style(buf: &mut Buffer, area: Rect, style: Style) {
    let area = buf.area.intersection(area);
    let width = usize::from(area.width);
    for y in area.top()..area.bottom() {
        let start = buf.index_of(area.x, y);
        if let Some(row) = buf.content.get_mut(start..start + width) {
            for cell in row {
                cell.set_style(style);
            }
        }
    }
}

/// Device name on the left, sync status on the right.
pub(super) fn header(model: &Model, frame: &mut Frame, r: Rect, theme: &Theme) {
    let name = model
        .settings
        .device_name
        .as_deref()
        .unwrap_or(&model.device.name);
    let (status, style) = sync_line(model, theme);
    let status_w = text::width(&status);
    let name_w = usize::from(r.width).saturating_sub(status_w + 2);
    let name = text::fit(name, name_w);
    let pad = usize::from(r.width).saturating_sub(text::width(&name) + status_w);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(name, theme.title),
            Span::raw(" ".repeat(pad)),
            Span::styled(status, style),
        ])),
        r,
    );
}

/// The sync status line: online / offline since HH:MM / N pending / revoked /
/// clock skew, each with a symbol.
pub fn sync_line(model: &Model, theme: &Theme) -> (String, Style) {
    let s = model.strings();
    let Some(st) = &model.sync else {
        return (format!("… {}", s.connecting), theme.muted);
    };
    let (mut line, style) = match &st.link {
        Link::Starting => (format!("… {}", s.connecting), theme.muted),
        Link::Online => (format!("✔ {}", s.online), theme.ok),
        Link::Offline { since, .. } => (
            format!("✖ {}", fill(s.offline_since, &[&hhmm(model, *since)])),
            theme.warn,
        ),
        Link::Revoked => (format!("⚠ {}", s.revoked), theme.error),
    };
    if st.pending > 0 {
        line.push_str(&format!(
            " · {}",
            fill(s.pending, &[&st.pending.to_string()])
        ));
    }
    if st.clock_skewed
        && let Some(c) = &st.clock
    {
        let secs = (c.offset_ms() / 1000).to_string();
        line.push_str(&format!(" · ⚠ {}", fill(s.clock_skew, &[&secs])));
    }
    (line, style)
}

pub(super) fn hhmm(model: &Model, at: DateTime<Utc>) -> String {
    model.local(at).format("%H:%M").to_string()
}

pub(super) fn long_date(model: &Model, at: DateTime<Utc>) -> String {
    let s = model.strings();
    let d = model.local(at);
    let wd = s.weekdays[d.weekday().num_days_from_monday() as usize];
    let month = s.months[d.month0() as usize];
    match model.settings.language {
        catalog::Language::En => format!("{wd}, {} {month} {}", d.day(), d.year()),
        catalog::Language::Es => format!("{wd}, {} de {month} de {}", d.day(), d.year()),
    }
}

/// A person's status: symbol, word, style.
pub(super) fn status(model: &Model, state: &PunchState, theme: &Theme) -> (char, String, Style) {
    let s = model.strings();
    if let Some(job) = state.current_job() {
        let name = model
            .roster
            .as_ref()
            .and_then(|r| r.dir.job(job))
            .map_or("?", |j| j.name.as_str());
        return (
            '▶',
            fill(s.status_job, &[&text::fit(name, 24)]),
            theme.on_job,
        );
    }
    if state.is_on_break() {
        ('◐', s.status_break.to_owned(), theme.on_break)
    } else if state.is_clocked_in() {
        ('●', s.status_in.to_owned(), theme.clocked_in)
    } else {
        ('○', s.status_out.to_owned(), theme.clocked_out)
    }
}

/// The notice line, if any.
pub(super) fn notice(model: &Model, frame: &mut Frame, r: Rect, theme: &Theme) {
    let Some(n) = &model.notice else {
        return;
    };
    let s = model.strings();
    let text = match n {
        Notice::Refused(refusal) => catalog::refusal(model.settings.language, refusal),
        Notice::WrongPin { left } => fill(s.wrong_pin, &[&left.to_string()]),
        Notice::Locked { until } => fill(s.pin_locked, &[&hhmm(model, *until)]),
        Notice::PrivilegedWait { until } => fill(
            s.privileged_wait,
            &[&model.local(*until).format("%H:%M:%S").to_string()],
        ),
        Notice::NoPin => s.no_pin.to_owned(),
        Notice::UnknownBadge => s.unknown_badge.to_owned(),
        Notice::BadScan => s.bad_scan.to_owned(),
        Notice::NotAdmin => s.not_admin.to_owned(),
        Notice::BadTime => s.bad_time.to_owned(),
        Notice::NoJobs => s.no_jobs.to_owned(),
        Notice::Problem(p) => p.clone(),
        Notice::Queued => s.editor_queued.to_owned(),
        Notice::Unsaved => s.editor_unsaved.to_owned(),
        Notice::BadEnrollment => s.bad_enrollment.to_owned(),
    };
    // Good news is not drawn as an error: its own symbol and colour.
    let (symbol, style) = match n {
        Notice::Queued => ("✔", theme.ok),
        _ => ("⚠", theme.error),
    };
    let line = format!(
        "{symbol} {}",
        text::fit(&text, usize::from(r.width).saturating_sub(2))
    );
    frame.render_widget(
        Paragraph::new(line).style(style.add_modifier(Modifier::BOLD)),
        r,
    );
}

/// A bordered touch button with a number key and a label.
pub(super) fn button(frame: &mut Frame, r: Rect, key: &str, label: &str, style: Style) {
    let inner = usize::from(r.width).saturating_sub(4);
    let text = text::fit(&format!("{key}  {label}"), inner);
    frame.render_widget(
        Paragraph::new(text)
            .style(style)
            .block(Block::default().borders(Borders::ALL).style(style)),
        r,
    );
}

/// A hint line in muted style.
pub(super) fn hint(frame: &mut Frame, r: Rect, text: &str, theme: &Theme) {
    frame.render_widget(Paragraph::new(text.to_owned()).style(theme.muted), r);
}

/// Hours as "7 h 05".
pub(super) fn hours(d: chrono::TimeDelta) -> String {
    let m = d.num_minutes().max(0);
    format!("{} h {:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use ratatui::style::Color;

    use super::*;

    #[test]
    fn set_style_styles_what_buffer_set_style_styles() {
        let style = Style::new()
            .fg(Color::White)
            .bg(Color::Black)
            .add_modifier(Modifier::BOLD)
            .remove_modifier(Modifier::ITALIC);
        let screen = Rect::new(2, 1, 30, 10);
        for area in [
            screen,
            Rect::new(0, 0, 100, 100),
            Rect::new(5, 3, 7, 4),
            Rect::new(25, 8, 20, 20),
            Rect::new(40, 40, 3, 3),
        ] {
            let mut ours = Buffer::empty(screen);
            ours.set_string(3, 2, "abc", Style::new().add_modifier(Modifier::ITALIC));
            let mut theirs = ours.clone();
            set_style(&mut ours, area, style);
            theirs.set_style(area, style);
            assert_eq!(ours, theirs, "{area:?}");
        }
    }
}
