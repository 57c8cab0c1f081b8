//! Where things are on screen, computed from the terminal size alone. The views
//! draw into these rectangles and `update` hit-tests taps against the same ones,
//! so a tap lands on what was drawn.

use ratatui::layout::Rect;

/// The smallest terminal the kiosk draws on.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// Touch targets (action buttons, PIN keys) are at least this many rows tall.
pub const BUTTON_HEIGHT: u16 = 3;
/// Home's roster cells are touch targets too.
pub const CELL_HEIGHT: u16 = BUTTON_HEIGHT;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// Scale of the big digits: doubled on tall screens.
pub fn big_scale(area: Rect) -> u16 {
    if area.height >= 40 && area.width >= 120 {
        2
    } else {
        1
    }
}

pub struct HomeLayout {
    pub header: Rect,
    pub clock: Rect,
    pub date: Rect,
    pub tabs: Rect,
    pub grid: Rect,
    pub cell_width: u16,
    pub prompt: Rect,
    pub notice: Rect,
}

pub fn home(area: Rect) -> HomeLayout {
    let clock_h = 5 * big_scale(area);
    let row = |y: u16, h: u16| Rect::new(area.x, area.y + y, area.width, h);
    let tabs_y = 2 + clock_h + 1;
    let grid_y = tabs_y + 2;
    let grid_h = area.height.saturating_sub(grid_y + 2);
    HomeLayout {
        header: row(0, 1),
        clock: row(1, clock_h),
        date: row(1 + clock_h, 1),
        tabs: row(tabs_y, 1),
        grid: row(grid_y, grid_h),
        cell_width: if area.width >= 120 { 32 } else { 26 },
        prompt: row(area.height.saturating_sub(2), 1),
        notice: row(area.height.saturating_sub(1), 1),
    }
}

impl HomeLayout {
    pub fn columns(&self) -> usize {
        usize::from((self.grid.width / self.cell_width).max(1))
    }

    /// Rows of cells on a page.
    pub fn rows(&self) -> usize {
        usize::from(self.grid.height / CELL_HEIGHT)
    }

    pub fn per_page(&self) -> usize {
        self.columns() * self.rows()
    }

    /// The cell of the `i`th person on the page, row by row.
    pub fn cell(&self, i: usize) -> Option<Rect> {
        let cols = self.columns();
        let (r, c) = (i / cols, i % cols);
        if r >= self.rows() {
            return None;
        }
        let y = u16::try_from(r).ok()? * CELL_HEIGHT;
        let x = self.grid.x + u16::try_from(c).ok()? * self.cell_width;
        Some(Rect::new(x, self.grid.y + y, self.cell_width, CELL_HEIGHT))
    }

    /// The index on the page of the cell at a tap, if any.
    pub fn cell_at(&self, column: u16, row: u16) -> Option<usize> {
        if !contains(self.grid, column, row) {
            return None;
        }
        let c = usize::from((column - self.grid.x) / self.cell_width);
        let r = usize::from((row - self.grid.y) / CELL_HEIGHT);
        if c >= self.columns() || r >= self.rows() {
            return None;
        }
        Some(r * self.columns() + c)
    }
}

/// The tab labels' rectangles on the tab row (labels already fitted).
pub fn tab_rects(tabs: Rect, widths: &[usize]) -> Vec<Rect> {
    let mut x = tabs.x;
    let mut out = Vec::with_capacity(widths.len());
    for w in widths {
        let w = u16::try_from(*w + 2).unwrap_or(u16::MAX);
        if x.saturating_add(w) > tabs.x + tabs.width {
            break;
        }
        out.push(Rect::new(x, tabs.y, w, 1));
        x += w + 1;
    }
    out
}

/// A screen with a title, a body and a hint line; a notice line above the hint.
pub struct PageLayout {
    pub title: Rect,
    pub subtitle: Rect,
    pub body: Rect,
    pub notice: Rect,
    pub hint: Rect,
}

pub fn page(area: Rect) -> PageLayout {
    let row = |y: u16, h: u16| Rect::new(area.x, area.y + y, area.width, h);
    PageLayout {
        title: row(0, 1),
        subtitle: row(1, 1),
        body: row(3, area.height.saturating_sub(6)),
        notice: row(area.height.saturating_sub(2), 1),
        hint: row(area.height.saturating_sub(1), 1),
    }
}

/// A search box (3 rows) and the result list under it, one row per entry.
pub fn search(body: Rect) -> (Rect, Rect) {
    let input = Rect::new(body.x + 2, body.y, body.width.saturating_sub(4).min(60), 3);
    let list = Rect::new(
        body.x + 2,
        body.y + 3,
        body.width.saturating_sub(4),
        body.height.saturating_sub(3),
    );
    (input, list)
}

/// Buttons stacked vertically, each [`BUTTON_HEIGHT`] rows, in `body`.
pub fn buttons(body: Rect, count: usize) -> Vec<Rect> {
    let width = body.width.saturating_sub(4).min(70);
    (0..count)
        .map_while(|i| {
            let y = body.y + u16::try_from(i).ok()? * BUTTON_HEIGHT;
            (y + BUTTON_HEIGHT <= body.y + body.height)
                .then(|| Rect::new(body.x + 2, y, width, BUTTON_HEIGHT))
        })
        .collect()
}

/// Buttons side by side along the bottom of `body`.
pub fn button_row(body: Rect, count: usize) -> Vec<Rect> {
    let count16 = u16::try_from(count.max(1)).unwrap_or(1);
    let w = body.width / count16;
    let y = (body.y + body.height).saturating_sub(BUTTON_HEIGHT);
    (0..count16)
        .map(|i| Rect::new(body.x + i * w, y, w.saturating_sub(1), BUTTON_HEIGHT))
        .collect()
}

/// The PIN pad: `1`..`9`, then `⌫`, `0`, `OK`; with the row for the digits.
pub struct PinLayout {
    pub digits: Rect,
    pub keys: Vec<Rect>,
}

pub const PIN_KEYS: [char; 12] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '<', '0', '>'];

pub fn pin(body: Rect) -> PinLayout {
    let key_w = 9;
    let pad_w = key_w * 3;
    let x0 = body.x + body.width.saturating_sub(pad_w) / 2;
    let y0 = body.y + 2;
    let keys = (0..12u16)
        .map(|i| {
            Rect::new(
                x0 + (i % 3) * key_w,
                y0 + (i / 3) * BUTTON_HEIGHT,
                key_w - 1,
                BUTTON_HEIGHT,
            )
        })
        .collect();
    PinLayout {
        digits: Rect::new(body.x, body.y, body.width, 1),
        keys,
    }
}

pub fn contains(r: Rect, column: u16, row: u16) -> bool {
    column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
}

/// The index of the first rectangle containing the tap.
pub fn hit(rects: &[Rect], column: u16, row: u16) -> Option<usize> {
    rects.iter().position(|r| contains(*r, column, row))
}
