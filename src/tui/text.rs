//! Outside strings (names, job titles, group names) made ready for a cell grid:
//! sanitized, and fitted by display width, so wide and combining characters keep
//! columns aligned.
//!
//! Widths are counted the way ratatui's buffer places text (grapheme by
//! grapheme, zero-width graphemes dropped), so `pad(name, 20)` takes exactly 20
//! cells when drawn. [`fit`] also removes the joiners and selectors that build
//! emoji sequences: terminals disagree on how wide those are, and a name must
//! not shift the columns after it.

use ratatui::buffer::CellWidth;
use ratatui::text::Span;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::sanitize::for_terminal;

/// What [`fit`] ends a cut string with.
pub const ELLIPSIS: char = '…';

/// Most characters one grapheme keeps: a base and a few marks is every real
/// script; "Zalgo" stacks of hundreds of marks are cut.
const MAX_GRAPHEME_CHARS: usize = 5;

/// `text` sanitized and cut to at most `width` columns, ending in `…` when cut.
/// A wide character that would straddle the edge is left out whole.
pub fn fit(text: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let clean = clean(text);
    let span = Span::raw(clean.as_str());
    let mut out = String::new();
    let mut used = 0;
    // Where `out` ended while a `…` still fitted after it.
    let mut cut_at = 0;
    for grapheme in span.styled_graphemes(ratatui::style::Style::default()) {
        let piece = short_grapheme(grapheme.symbol);
        let w = usize::from(piece.cell_width());
        if w == 0 {
            continue; // ratatui would not draw it; keeping it only hides bytes
        }
        if used + w > width {
            out.truncate(cut_at);
            out.push(ELLIPSIS);
            return settle(out, width);
        }
        out.push_str(piece);
        used += w;
        if used < width {
            cut_at = out.len();
        }
    }
    settle(out, width)
}

/// [`fit`], then spaces up to exactly `width` columns.
pub fn pad(text: &str, width: usize) -> String {
    let mut out = fit(text, width);
    let used = self::width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// The display width of `text` in terminal columns, as ratatui draws it
/// (control characters, which ratatui skips, count 0).
pub fn width(text: &str) -> usize {
    Span::raw(text)
        .styled_graphemes(ratatui::style::Style::default())
        .map(|g| usize::from(g.symbol.cell_width()))
        .sum()
}

/// A form of `text` for search: lower case, compatibility forms unfolded
/// (full-width letters, ligatures), diacritics removed, and a few letters that
/// have no decomposition spelled out ("José Ñúñez" → "jose nunez",
/// "Straße" → "strasse", "Søren" → "soren").
pub fn fold_for_search(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Decompose first so compatibility forms ("𝑨", "Ｆ") are lowered too;
    // lowering can add marks ("İ" → "i̇"), so marks are dropped after it.
    let lowered = text.nfkd().flat_map(char::to_lowercase);
    for c in lowered.filter(|c| !is_combining_mark(*c)) {
        match c {
            'ς' => out.push('σ'),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'þ' => out.push_str("th"),
            'ø' => out.push('o'),
            'đ' | 'ð' => out.push('d'),
            'ł' => out.push('l'),
            'ı' => out.push('i'),
            'ħ' => out.push('h'),
            'ŧ' => out.push('t'),
            c => out.push(c),
        }
    }
    out
}

/// Sanitized (unsafe → U+FFFD), composed (fewer combining marks), without the
/// invisible characters that glue graphemes together in terminal-dependent ways.
fn clean(text: &str) -> String {
    for_terminal(text).nfc().filter(|c| !is_glue(*c)).collect()
}

/// Zero-width joiner, variation selectors, emoji skin-tone modifiers, tag
/// characters and "prepend" format characters.
fn is_glue(c: char) -> bool {
    matches!(c,
        '\u{200D}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{E0100}'..='\u{E01EF}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0000}'..='\u{E007F}'
        | '\u{0600}'..='\u{0605}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{0890}'..='\u{0891}'
        | '\u{08E2}'
        | '\u{0D4E}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{111C2}'..='\u{111C3}'
        | '\u{1193F}'
        | '\u{11941}'
        | '\u{11A3A}'
        | '\u{11A84}'..='\u{11A89}'
        | '\u{11D46}'
        | '\u{11F02}'
    )
}

/// The first [`MAX_GRAPHEME_CHARS`] characters of a grapheme.
fn short_grapheme(grapheme: &str) -> &str {
    match grapheme.char_indices().nth(MAX_GRAPHEME_CHARS) {
        Some((end, _)) => &grapheme[..end],
        None => grapheme,
    }
}

/// Safety net for scripts whose graphemes join differently once neighbours
/// were dropped or cut: shortens until the whole string measures `width` or less.
fn settle(mut out: String, width: usize) -> String {
    while self::width(&out) > width {
        let keep = out.trim_end_matches(ELLIPSIS);
        let Some((last, _)) = keep.char_indices().next_back() else {
            return String::new();
        };
        out.truncate(last);
        out.push(ELLIPSIS);
    }
    out
}
