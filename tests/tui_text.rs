//! Outside strings on a cell grid: hostile names come out inert and exactly as
//! wide as asked, as ratatui draws them; search folding ignores case and accents.

use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use tapin::sanitize::is_unsafe;
use tapin::tui::text::{ELLIPSIS, fit, fold_for_search, pad, width};

/// Cells ratatui fills when drawing `text` from column 0 on a wide line.
fn drawn_width(text: &str) -> u16 {
    let mut buffer = Buffer::empty(Rect::new(0, 0, 400, 1));
    buffer.set_stringn(0, 0, text, 400, Style::default()).0
}

fn assert_inert(text: &str) {
    assert!(
        !text.chars().any(is_unsafe),
        "unsafe character left in {text:?}"
    );
}

#[test]
fn hostile_names_fit_by_the_table() {
    let ten_thousand = "A".repeat(10_000);
    let zalgo = format!("Z{}", "\u{0301}".repeat(500));
    let cases: &[(&str, &str, usize, &str)] = &[
        ("plain, fits", "Ana María", 20, "Ana María"),
        ("plain, exact", "Ana María", 9, "Ana María"),
        ("plain, cut", "Ana María", 8, "Ana Mar…"),
        ("width one", "Ana", 1, "…"),
        ("width zero", "Ana", 0, ""),
        ("empty", "", 5, ""),
        ("clear screen", "\u{1b}[2JEve", 10, "\u{FFFD}[2JEve"),
        (
            "OSC 52 clipboard write",
            "\u{1b}]52;c;ZXZpbA==\u{7}Bob",
            40,
            "\u{FFFD}]52;c;ZXZpbA==\u{FFFD}Bob",
        ),
        ("C1 CSI", "a\u{9b}31mb", 10, "a\u{FFFD}31mb"),
        (
            "line breaks",
            "Jo\r\nhn\tDoe",
            20,
            "Jo\u{FFFD}\u{FFFD}hn\u{FFFD}Doe",
        ),
        ("bidi override", "\u{202E}gnp.exe", 20, "\u{FFFD}gnp.exe"),
        ("bidi isolate", "\u{2067}x\u{2069}", 20, "\u{FFFD}x\u{FFFD}"),
        ("CJK fits", "李小龍", 6, "李小龍"),
        (
            "CJK cut, the wide char left out whole",
            "李小龍",
            5,
            "李小…",
        ),
        ("CJK cut to an odd width", "李小龍", 4, "李…"),
        ("CJK in one column", "李", 1, "…"),
        (
            "combining accent kept with its letter",
            "Jose\u{301} N\u{303}un\u{303}ez",
            20,
            "José Ñuñez",
        ),
        (
            "combining accent cut with its letter",
            "Rene\u{301}e",
            4,
            "Ren…",
        ),
        ("orphan combining mark dropped", "\u{301}Ann", 10, "Ann"),
        ("emoji", "Zoë 🎉", 6, "Zoë 🎉"),
        ("emoji cut", "Zoë 🎉", 5, "Zoë …"),
        (
            "ZWJ family split into drawable emoji",
            "👨\u{200D}👩\u{200D}👧",
            6,
            "👨👩👧",
        ),
        (
            "variation selector dropped",
            "I \u{2764}\u{FE0F} NY",
            10,
            "I \u{2764} NY",
        ),
        ("skin tone dropped", "👍\u{1F3FD}", 4, "👍"),
        ("zero-width space dropped", "Al\u{200B}ice", 10, "Alice"),
        ("flag stays one cell pair", "🇫🇷 Élodie", 20, "🇫🇷 Élodie"),
    ];
    for (name, input, w, expected) in cases {
        assert_eq!(fit(input, *w), *expected, "{name}");
    }
    let long = fit(&ten_thousand, 30);
    assert_eq!(long, format!("{}{ELLIPSIS}", "A".repeat(29)));
    let tall = fit(&zalgo, 10);
    assert!(
        tall.chars().count() <= 5,
        "marks stacked on one letter are capped: {tall:?}"
    );
    assert_eq!(width(&tall), 1);
}

#[test]
fn pad_fills_exactly_the_columns_ratatui_draws() {
    let names = [
        "Ana María",
        "李小龍 Bruce",
        "\u{1b}]52;c;ZXZpbA==\u{7}",
        "👨\u{200D}👩\u{200D}👧 family",
        "e\u{301}\u{301}\u{301}",
        "\u{202E}evil",
        "ｶﾞｷﾞ",
        "\u{1100}\u{1161}\u{11A8}각",
        "",
    ];
    for name in names {
        for w in 0..16 {
            let padded = pad(name, w);
            assert_inert(&padded);
            assert_eq!(width(&padded), w, "{name:?} at {w}: {padded:?}");
            assert_eq!(
                usize::from(drawn_width(&padded)),
                w,
                "{name:?} at {w}: {padded:?}"
            );
        }
    }
}

#[test]
fn width_counts_terminal_columns() {
    let cases = [
        ("abc", 3),
        ("李小龍", 6),
        ("e\u{301}", 1),
        ("🎉", 2),
        ("", 0),
        ("\u{200B}", 0),
        ("a\u{7}b", 2), // ratatui skips control characters
    ];
    for (text, expected) in cases {
        assert_eq!(width(text), expected, "{text:?}");
    }
}

#[test]
fn search_folding_ignores_case_and_diacritics() {
    let cases = [
        ("José Ñúñez", "jose nunez"),
        ("ÉLODIE", "elodie"),
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("Søren Łukasz", "soren lukasz"),
        ("Æsa Œdipe", "aesa oedipe"),
        ("Đorđe", "dorde"),
        ("İsmail Işık", "ismail isik"),
        ("Ｆｕｌｌ", "full"),
        ("Nguyễn Thị", "nguyen thi"),
        ("李小龍", "李小龍"),
        ("jose\u{301}", "jose"),
    ];
    for (text, expected) in cases {
        assert_eq!(fold_for_search(text), expected, "{text:?}");
    }
}

proptest! {
    #[test]
    fn fit_never_exceeds_the_width_and_leaves_nothing_unsafe(s in any::<String>(), w in 0usize..40) {
        let fitted = fit(&s, w);
        assert_inert(&fitted);
        prop_assert!(width(&fitted) <= w, "{:?} -> {:?}", s, fitted);
        prop_assert!(usize::from(drawn_width(&fitted)) <= w, "{:?} -> {:?}", s, fitted);
    }

    #[test]
    fn pad_is_exact_for_any_text(s in "(\\PC|[\u{0300}-\u{036F}\u{200D}\u{FE0F}\u{1F3FB}\u{1F600}\u{1100}\u{1161}\u{AC00}\u{0600}])*", w in 0usize..40) {
        let padded = pad(&s, w);
        prop_assert_eq!(width(&padded), w, "{:?} -> {:?}", s, padded);
        prop_assert_eq!(usize::from(drawn_width(&padded)), w, "{:?} -> {:?}", s, padded);
    }

    #[test]
    fn fit_keeps_short_plain_text_whole(s in "[a-zA-Z ]{0,20}") {
        prop_assert_eq!(fit(&s, 20), s);
    }

    #[test]
    fn folding_is_idempotent(s in any::<String>()) {
        let once = fold_for_search(&s);
        prop_assert_eq!(fold_for_search(&once), once.clone());
    }
}
