//! Confirmation: icon, name, action and the time in large digits, today's and
//! this week's hours. Shown only after the journal committed the punch.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::catalog::fill;
use super::super::layout;
use super::super::model::{Action, Done, Model, Screen};
use super::super::text;
use super::super::theme::Theme;
use super::actions::{crew_label, label};
use super::{big, header, hhmm, hint, hours};

pub(super) fn draw(model: &Model, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Screen::Confirm {
        name,
        done,
        at,
        hours: h,
        ..
    } = &model.screen
    else {
        return;
    };
    let s = model.strings();
    let p = layout::page(area);
    header(model, frame, p.title, theme);
    let (icon, style) = match done {
        Done::One {
            action: Action::ClockOut | Action::BreakStart | Action::CheckOut,
            ..
        } => ("◀", theme.on_break),
        _ => ("✔", theme.ok),
    };
    let what = match done {
        Done::One { action, job } => {
            let job = job
                .and_then(|j| model.roster.as_ref()?.dir.job(j))
                .map(|j| format!(": {}", text::fit(&j.name, 30)))
                .unwrap_or_default();
            let what = match action {
                Action::Override => s.override_done,
                a => label(s, *a),
            };
            format!("{what}{job}")
        }
        Done::Crew { action, count } => format!("{} ({count})", crew_label(s, *action)),
    };
    let scale = layout::big_scale(area);
    let big_h = 5 * scale;
    let box_h = big_h + 8;
    let y = p.body.y + p.body.height.saturating_sub(box_h) / 2;
    let boxed = Rect::new(p.body.x + 2, y, p.body.width.saturating_sub(4), box_h);
    frame.render_widget(
        Block::default()
            .borders(Borders::ALL)
            .border_style(style)
            .title(format!(" {icon} {} ", s.done)),
        boxed,
    );
    let bold = style.add_modifier(Modifier::BOLD);
    let line = |dy: u16| Rect::new(boxed.x + 1, boxed.y + dy, boxed.width - 2, 1);
    let name = text::fit(name, usize::from(boxed.width) - 4);
    frame.render_widget(
        Paragraph::new(Line::styled(format!("{icon} {name}"), bold)).alignment(Alignment::Center),
        line(1),
    );
    frame.render_widget(
        Paragraph::new(Line::styled(what, bold)).alignment(Alignment::Center),
        line(2),
    );
    big::draw(
        frame,
        Rect::new(boxed.x + 1, boxed.y + 3, boxed.width - 2, big_h),
        &hhmm(model, *at),
        scale,
        bold,
    );
    if let Some(h) = h {
        let text = format!(
            "{}   ·   {}",
            fill(s.today, &[&hours(h.today)]),
            fill(s.week, &[&hours(h.week)])
        );
        frame.render_widget(
            Paragraph::new(text).alignment(Alignment::Center),
            line(4 + big_h),
        );
    }
    hint(frame, p.hint, s.next_person, theme);
}
