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

    pub fn inner_mut(&mut self) -> &mut B {
        &mut self.inner
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
            match op {
                Op::Draw(cells) => self.inner.draw(cells.iter().map(|(x, y, c)| (*x, *y, c)))?,
                Op::HideCursor => self.inner.hide_cursor()?,
                Op::ShowCursor => self.inner.show_cursor()?,
                Op::SetCursor(p) => self.inner.set_cursor_position(p)?,
                Op::Clear => self.inner.clear()?,
                Op::ClearRegion(t) => self.inner.clear_region(t)?,
                Op::AppendLines(n) => self.inner.append_lines(n)?,
                Op::Flush => self.inner.flush()?,
            }
        }
        Ok(())
    }

    /// Forgets what was held and stops holding. The terminal still shows the
    /// frame before: ratatui must be told to redraw everything
    /// (`Terminal::clear`).
    pub fn discard(&mut self) {
        self.held = None;
    }

    /// Keeps `op` if holding; otherwise gives it back to be done now.
    fn keep(&mut self, op: Op) -> Option<Op> {
        match &mut self.held {
            Some(ops) => {
                ops.push(op);
                None
            }
            None => Some(op),
        }
    }
}

impl<B: Backend> Backend for HoldingBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
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
        match self.keep(Op::AppendLines(n)) {
            Some(_) => self.inner.append_lines(n),
            None => Ok(()),
        }
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        match self.keep(Op::HideCursor) {
            Some(_) => self.inner.hide_cursor(),
            None => Ok(()),
        }
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        match self.keep(Op::ShowCursor) {
            Some(_) => self.inner.show_cursor(),
            None => Ok(()),
        }
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        let position = position.into();
        match self.keep(Op::SetCursor(position)) {
            Some(_) => self.inner.set_cursor_position(position),
            None => Ok(()),
        }
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        match self.keep(Op::Clear) {
            Some(_) => self.inner.clear(),
            None => Ok(()),
        }
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        match self.keep(Op::ClearRegion(clear_type)) {
            Some(_) => self.inner.clear_region(clear_type),
            None => Ok(()),
        }
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        match self.keep(Op::Flush) {
            Some(_) => self.inner.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Paragraph;

    use super::*;

    fn text(t: &Terminal<HoldingBackend<TestBackend>>) -> String {
        let b = t.backend().inner().buffer();
        (0..b.area.height)
            .map(|y| (0..b.area.width).map(|x| b[(x, y)].symbol()).collect())
            .collect::<Vec<String>>()
            .join("\n")
    }

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
        assert_eq!(text(&t), "first   ", "held");
        assert!(t.backend().is_holding());
        t.backend_mut().release().unwrap();
        assert_eq!(text(&t), "second  ", "released");
        assert!(!t.backend().is_holding());

        t.backend_mut().hold();
        draw(&mut t, "third");
        t.backend_mut().discard();
        assert_eq!(text(&t), "second  ", "discarded");
        // ratatui believes "third" is shown: after a clear it redraws whole.
        t.clear().unwrap();
        draw(&mut t, "second");
        assert_eq!(text(&t), "second  ");
        draw(&mut t, "fourth");
        assert_eq!(text(&t), "fourth  ", "passes through when not held");
    }
}
