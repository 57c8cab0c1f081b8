//! Admin: menu, the queue of events the hub refused (with reasons), device
//! info, and the exit confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::super::layout;
use super::super::model::{AdminPage, Model, Screen};
use super::super::text;
use super::super::theme::Theme;
use super::{header, hint, notice, sync_line};

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
    let lines: Vec<Line> = match page {
        AdminPage::Menu => vec![Line::from(s.admin_menu)],
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
            lines
        }
        AdminPage::Device => {
            let (sync, _) = sync_line(model, theme);
            let roster = model
                .roster
                .as_ref()
                .map_or("-".to_owned(), |r| text::fit(&r.version, 40));
            vec![
                Line::styled(s.admin_device, theme.title),
                Line::from(format!("id     {}", model.device.id)),
                Line::from(format!("name   {}", text::fit(&model.device.name, w))),
                Line::from(format!("hub    {}", text::fit(&model.device.hub_url, w))),
                Line::from(format!("sync   {sync}")),
                Line::from(format!("roster {roster}")),
                Line::from(format!("tapin  {}", env!("CARGO_PKG_VERSION"))),
            ]
        }
        AdminPage::ConfirmExit => vec![Line::styled(s.admin_exit_confirm, theme.warn)],
    };
    let body = Rect::new(
        p.body.x + 2,
        p.body.y,
        p.body.width.saturating_sub(4),
        p.body.height,
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    hint(frame, p.hint, s.admin_menu, theme);
    notice(model, frame, p.notice, theme);
}
