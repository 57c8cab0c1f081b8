//! A backend that can hold a frame back: the kiosk draws a punch's
//! confirmation while the journal commits, and shows it only once the commit
//! has returned (or never, if it failed).

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// What the terminal was asked to do while a frame was held, in order.
#[derive(Debug)]
enum Op {
    Draw(Vec<(u16, u16, Cell)>),
    HideCursor,
    ShowCursor,
    SetCursor(Position),
    Clear,
    ClearRegion(ClearType),
    AppendLines(u16),
    Flush,
}

/// Wraps the kiosk's real backend (crossterm, or `TestBackend` in tests).
/// Outside [`HoldingBackend::hold`] it passes everything straight through.
#[derive(Debug)]
pub struct HoldingBackend<B> {
    inner: B,
    held: Option<Vec<Op>>,
}

impl<B: Backend> HoldingBackend<B> {
    pub fn new(inner: B) -> Self {
        Self { inner, held: None }
    }

    pub fn inner(&self) -> &B {
        &self.inner
    }

    /// From now on, output is kept until [`Self::release`] or [`Self::discard`].
    pub fn hold(&mut self) {
        self.held.get_or_insert_with(Vec::new);
    }

    /// Whether output is being held.
    pub fn is_holding(&self) -> bool {
        self.held.is_some()
    }

    /// Sends what was held to the terminal, in order, and stops holding.
    pub fn release(&mut self) -> Result<(), B::Error> {
        for op in self.held.take().unwrap_or_default() {
            apply(&mut self.inner, op)?;
        }
        Ok(())
    }

    /// Forgets what was held and stops holding. The terminal still shows the
    /// frame before: ratatui must be told to redraw everything
    /// (`Terminal::clear`).
    pub fn discard(&mut self) {
        self.held = None;
    }

    /// Keeps `op` if holding; otherwise does it now.
    fn pass(&mut self, op: Op) -> Result<(), B::Error> {
        match &mut self.held {
            Some(ops) => {
                ops.push(op);
                Ok(())
            }
            None => apply(&mut self.inner, op),
        }
    }
}

/// Does `op` on the terminal.
fn apply<B: Backend>(inner: &mut B, op: Op) -> Result<(), B::Error> {
    match op {
        Op::Draw(cells) => inner.draw(cells.iter().map(|(x, y, c)| (*x, *y, c))),
        Op::HideCursor => inner.hide_cursor(),
        Op::ShowCursor => inner.show_cursor(),
        Op::SetCursor(p) => inner.set_cursor_position(p),
        Op::Clear => inner.clear(),
        Op::ClearRegion(t) => inner.clear_region(t),
        Op::AppendLines(n) => inner.append_lines(n),
        Op::Flush => inner.flush(),
    }
}

impl<B: Backend> Backend for HoldingBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        // Not through `pass`: cells are copied only when held.
        match &mut self.held {
            Some(ops) => {
                ops.push(Op::Draw(
                    content.map(|(x, y, c)| (x, y, c.clone())).collect(),
                ));
                Ok(())
            }
            None => self.inner.draw(content),
        }
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.pass(Op::AppendLines(n))
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.pass(Op::HideCursor)
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.pass(Op::ShowCursor)
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.pass(Op::SetCursor(position.into()))
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.pass(Op::Clear)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.pass(Op::ClearRegion(clear_type))
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.pass(Op::Flush)
    }
}

/// The text a test terminal shows, row by row.
#[cfg(test)]
pub(super) fn screen_text(
    t: &ratatui::Terminal<HoldingBackend<ratatui::backend::TestBackend>>,
) -> String {
    let b = t.backend().inner().buffer();
    (0..b.area.height)
        .map(|y| (0..b.area.width).map(|x| b[(x, y)].symbol()).collect())
        .collect::<Vec<String>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Paragraph;

    use super::*;

    fn draw(t: &mut Terminal<HoldingBackend<TestBackend>>, s: &str) {
        t.draw(|f| f.render_widget(Paragraph::new(s), f.area()))
            .unwrap();
    }

    #[test]
    fn a_held_frame_shows_only_when_released_and_never_when_discarded() {
        let mut t = Terminal::new(HoldingBackend::new(TestBackend::new(8, 1))).unwrap();
        draw(&mut t, "first");
        t.backend_mut().hold();
        draw(&mut t, "second");
        assert_eq!(screen_text(&t), "first   ", "held");
        assert!(t.backend().is_holding());
        t.backend_mut().release().unwrap();
        assert_eq!(screen_text(&t), "second  ", "released");
        assert!(!t.backend().is_holding());

        t.backend_mut().hold();
        draw(&mut t, "third");
        t.backend_mut().discard();
        assert_eq!(screen_text(&t), "second  ", "discarded");
        // ratatui believes "third" is shown: after a clear it redraws whole.
        t.clear().unwrap();
        draw(&mut t, "second");
        assert_eq!(screen_text(&t), "second  ");
        draw(&mut t, "fourth");
        assert_eq!(screen_text(&t), "fourth  ", "passes through when not held");
    }
}
