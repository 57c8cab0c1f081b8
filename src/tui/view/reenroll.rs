//! Re-enrollment: the hub URL and the one-time code, the confirmation (with
//! the events still waiting), and how it went.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::catalog::fill;
use super::super::layout;
use super::super::model::{Model, ReenrollForm, ReenrollStep};
use super::super::text;
use super::super::theme::Theme;

pub(super) fn draw(
    model: &Model,
    frame: &mut Frame,
    area: Rect,
    form: &ReenrollForm,
    theme: &Theme,
) {
    let s = model.strings();
    let body = layout::page(area).body;
    let x = body.x + 2;
    let width = body.width.saturating_sub(4);
    frame.render_widget(
        Paragraph::new(s.reenroll_title).style(theme.title),
        Rect::new(x, body.y, width, 1),
    );
    let fields = [(s.reenroll_url, &form.url), (s.reenroll_code, &form.code)];
    for (i, (label, value)) in fields.into_iter().enumerate() {
        let focused = i == form.field && form.step == ReenrollStep::Editing;
        let inner = usize::from(width).saturating_sub(4);
        let shown = text::fit(value, inner.saturating_sub(1));
        let cursor = if focused { "▏" } else { "" };
        let style = if focused { theme.selected } else { theme.base };
        let title = if focused {
            format!("▶ {label}")
        } else {
            label.to_owned()
        };
        frame.render_widget(
            Paragraph::new(format!("{shown}{cursor}")).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(title)
                    .border_style(style),
            ),
            Rect::new(x, body.y + 2 + u16::try_from(i).unwrap_or(0) * 4, width, 3),
        );
    }
    let pending = model.sync.as_ref().map_or(0, |st| st.pending).to_string();
    let (message, style) = match &form.step {
        ReenrollStep::Editing => return,
        ReenrollStep::Confirm => (fill(s.reenroll_confirm, &[&pending]), theme.warn),
        ReenrollStep::Working => (s.reenroll_working.to_owned(), theme.muted),
        ReenrollStep::Failed(e) => (fill(s.reenroll_failed, &[e]), theme.error),
        ReenrollStep::Done(name) => (fill(s.reenroll_done, &[&text::fit(name, 40)]), theme.ok),
    };
    let y = body.y + 10;
    frame.render_widget(
        Paragraph::new(crate::sanitize::for_terminal(&message))
            .style(style)
            .wrap(Wrap { trim: true }),
        Rect::new(x, y, width, body.height.saturating_sub(10)),
    );
}
