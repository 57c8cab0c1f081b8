//! One check per fuzz target: each takes the fuzzer's bytes, feeds them to one
//! of the kiosk's or the hub's decoders, and panics when a promise is broken.
//! The cargo-fuzz targets (tests/fuzz/fuzz_targets/) and their proptest twins
//! (tests/fuzz_twins.rs, run by `cargo test`) call these same functions, so a
//! finding of either is a finding of both.
//!
//! Only `tapin` and its own dependencies are used here: the fuzz crate includes
//! this file with `#[path]`.
#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant, UNIX_EPOCH};

use tapin::config::KioskConfig;
use tapin::hub::extract::parse_strict;
use tapin::sanitize::{for_terminal, is_unsafe};
use tapin::sync::retry::{Backoff, parse_retry_after};
use tapin::tui::input::{BadgeDecoder, BadgeSettings, Decoded, KeyInput};
use tapin::tui::roster::Roster;
use tapin::tui::text::{fit, width};
use tapin::wire::{EventsRequest, RosterResponse};

/// Keys a badge reader or a person can send, by byte.
fn key_of(b: u8) -> KeyInput {
    match b {
        0 => KeyInput::Enter,
        1 => KeyInput::Backspace,
        2 => KeyInput::Escape,
        3 => KeyInput::Up,
        4 => KeyInput::Down,
        5 => KeyInput::Tab,
        6 => KeyInput::F(b % 13),
        7..=31 => KeyInput::Char(char::from(b'0' + b % 10)),
        // Latin-1 and above map to letters with accents and symbols.
        _ => KeyInput::Char(char::from(b)),
    }
}

/// The key and badge decoder: any keys at any pace never panic, hold back at
/// most a scan's worth of keys, and a decoded badge is within the configured
/// length and carries nothing unsafe for a terminal.
pub fn badge_input(data: &[u8]) {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let settings = BadgeSettings {
        prefix: if head & 1 == 1 {
            "%".into()
        } else {
            String::new()
        },
        suffix: if head & 2 == 2 {
            "?".into()
        } else {
            String::new()
        },
        max_gap: Duration::from_millis(u64::from(head % 64) + 1),
        min_len: usize::from(head % 5),
        max_len: 8 + usize::from(head % 57),
    };
    let max_len = settings.max_len;
    let min_len = settings.min_len;
    let bound = max_len + settings.prefix.len() + settings.suffix.len() + 2;
    let mut decoder = BadgeDecoder::new(settings);
    let start = Instant::now();
    let mut now = start;
    let check = |out: Decoded| {
        if let Decoded::Badge(badge) = out {
            let n = badge.chars().count();
            assert!((min_len..=max_len).contains(&n), "badge of {n} characters");
            assert!(!badge.chars().any(is_unsafe), "unsafe badge {badge:?}");
        }
    };
    for pair in rest.chunks(2) {
        let key = key_of(pair[0]);
        let gap = pair.get(1).map_or(0, |g| u64::from(*g));
        now += Duration::from_millis(gap);
        if decoder.deadline().is_some_and(|d| d <= now) {
            check(decoder.flush(now));
        }
        check(decoder.key(key, now));
        assert!(decoder.held() <= bound, "{} keys held", decoder.held());
    }
    check(decoder.flush(now + Duration::from_secs(1)));
    assert_eq!(decoder.held(), 0, "keys held after the last deadline");
}

/// The name sanitizer and the fitting of text to a cell: nothing unsafe
/// survives, sanitizing twice changes nothing, a fitted text never exceeds
/// its width.
pub fn sanitizer(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let safe = for_terminal(&text);
    assert!(!safe.chars().any(is_unsafe), "unsafe left in {safe:?}");
    assert_eq!(for_terminal(&safe), safe, "not idempotent");
    let w = data.first().map_or(0, |b| usize::from(*b % 64));
    let fitted = fit(&text, w);
    assert!(width(&fitted) <= w, "{fitted:?} is wider than {w}");
    assert!(!fitted.chars().any(is_unsafe), "unsafe left in {fitted:?}");
}

/// kiosk.toml: any text is a config or an error, never a panic.
pub fn kiosk_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = KioskConfig::parse(Path::new("kiosk.toml"), text) {
        let _ = config.journal_options();
    }
}

/// The hub's event batch decoding: any bytes are a batch or a 4xx, never a
/// panic; a batch that decodes encodes and decodes again to itself.
pub fn event_batch(data: &[u8]) {
    let Ok(batch) = parse_strict::<EventsRequest>(data) else {
        return;
    };
    let again = serde_json::to_vec(&batch).expect("a decoded batch encodes");
    let back: EventsRequest = parse_strict(&again).expect("its own encoding decodes");
    assert_eq!(back.events, batch.events);
}

/// The kiosk's roster decoding: any bytes from the hub are a roster or an
/// error, never a panic, and a decoded roster can be searched and scanned.
pub fn roster_decoding(data: &[u8]) {
    let Ok(response) = serde_json::from_slice::<RosterResponse>(data) else {
        return;
    };
    let roster = Roster::from_response(response);
    for query in ["", "a", "é", "\u{1b}[2J"] {
        let _ = roster.search(query);
    }
    let _ = roster.by_badge("0001");
}

/// `Retry-After`: any header text is a wait or nothing, never a panic; whole
/// seconds are read exactly; the backoff honours it only up to its cap.
pub fn retry_after(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let parsed = parse_retry_after(text, now);
    let digits = text.trim();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let secs = digits.parse().unwrap_or(u64::MAX);
        assert_eq!(parsed, Some(Duration::from_secs(secs)));
    }
    let cap = Duration::from_secs(60);
    let mut backoff = Backoff::new(Duration::from_millis(100), cap);
    let mut rng = rand::rngs::mock::StepRng::new(0, 1);
    assert!(backoff.next_delay(parsed, &mut rng) <= cap);
}
