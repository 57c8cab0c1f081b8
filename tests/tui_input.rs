//! The badge-reader decoder and the crossterm mapping: scans become badges and
//! never keys, typing stays typing, garbage is refused without hanging.

use std::time::{Duration, Instant};

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseButton, MouseEvent,
    MouseEventKind,
};
use proptest::prelude::*;
use tapin::tui::input::{
    BadgeDecoder, BadgeSettings, Decoded, InputEvent, KeyInput, from_crossterm,
};

/// A key and the milliseconds since the previous key.
type Step = (KeyInput, u64);

const WEDGE_MS: u64 = 8;
const HUMAN_MS: u64 = 150;

/// Runs `steps` through a decoder the way the runtime does: `flush` whenever
/// the deadline passes before the next key (if `on_time`), and at the end.
fn run(settings: BadgeSettings, steps: &[Step], on_time: bool) -> Vec<Decoded> {
    let mut decoder = BadgeDecoder::new(settings);
    let mut out = Vec::new();
    let mut at = Instant::now();
    let mut keep = |d: Decoded| {
        if d != Decoded::Pending {
            out.push(d);
        }
    };
    for &(key, gap) in steps {
        at += Duration::from_millis(gap);
        // Bounded, so a decoder that never releases fails instead of hanging.
        for _ in 0..8 {
            match decoder.deadline() {
                Some(due) if on_time && due <= at => keep(decoder.flush(due)),
                _ => break,
            }
        }
        keep(decoder.key(key, at));
    }
    // Bounded: each flush at a passed deadline releases something.
    for _ in 0..8 {
        let Some(due) = decoder.deadline() else { break };
        keep(decoder.flush(due));
    }
    assert_eq!(decoder.deadline(), None, "everything released at the end");
    out
}

fn chars(text: &str, gap: u64) -> Vec<Step> {
    text.chars().map(|c| (KeyInput::Char(c), gap)).collect()
}

/// A scan: the text at wedge speed after an idle second, then Enter.
fn scan(text: &str) -> Vec<Step> {
    let mut steps = chars(text, WEDGE_MS);
    if let Some(first) = steps.first_mut() {
        first.1 = 1_000;
    }
    steps.push((KeyInput::Enter, WEDGE_MS));
    steps
}

fn typed(text: &str) -> Vec<Step> {
    chars(text, HUMAN_MS)
}

fn keys(text: &str) -> Vec<KeyInput> {
    text.chars().map(KeyInput::Char).collect()
}

fn with(prefix: &str, suffix: &str) -> BadgeSettings {
    BadgeSettings {
        prefix: prefix.into(),
        suffix: suffix.into(),
        ..BadgeSettings::default()
    }
}

/// Every key released, in order, across the decoded results.
fn released(out: &[Decoded]) -> Vec<KeyInput> {
    out.iter()
        .flat_map(|d| match d {
            Decoded::Keys(k) => k.clone(),
            _ => Vec::new(),
        })
        .collect()
}

#[test]
fn bursts_decode_by_the_table() {
    let badge = |n: &str| vec![Decoded::Badge(n.into())];
    let bad = vec![Decoded::BadScan];
    let long = "9".repeat(65);
    let cases: Vec<(&str, BadgeSettings, Vec<Step>, Vec<Decoded>)> = vec![
        ("plain scan", with("", ""), scan("12345"), badge("12345")),
        ("shortest scan", with("", ""), scan("123"), badge("123")),
        (
            "longest scan",
            with("", ""),
            scan(&"7".repeat(64)),
            badge(&"7".repeat(64)),
        ),
        ("scan too long", with("", ""), scan(&long), bad.clone()),
        (
            "bell inside a scan",
            with("", ""),
            scan("12\u{7}45"),
            bad.clone(),
        ),
        (
            "escape sequence in a scan",
            with("", ""),
            scan("1\u{1b}[2J"),
            bad.clone(),
        ),
        (
            "zero-width space in a scan",
            with("", ""),
            scan("12\u{200B}45"),
            bad.clone(),
        ),
        (
            "bidi override in a scan",
            with("", ""),
            scan("12\u{202E}45"),
            bad.clone(),
        ),
        (
            "prefix stripped",
            with("%", ""),
            scan("%12345"),
            badge("12345"),
        ),
        ("prefix missing", with("%", ""), scan("12345"), bad.clone()),
        (
            "prefix, number too short",
            with("%", ""),
            scan("%12"),
            bad.clone(),
        ),
        (
            "suffix stripped",
            with("", "?"),
            scan("12345?"),
            badge("12345"),
        ),
        ("suffix missing", with("", "?"), scan("12345"), bad.clone()),
        (
            "both stripped",
            with(";", "?"),
            scan(";0042?"),
            badge("0042"),
        ),
        ("only the framing", with(";", "?"), scan(";?"), bad.clone()),
        (
            "Tab inside a scan poisons it",
            with("", ""),
            [
                chars("12345", WEDGE_MS),
                vec![(KeyInput::Tab, 5), (KeyInput::Enter, 5)],
            ]
            .concat(),
            bad.clone(),
        ),
        (
            "a scan that lost its Enter, with a prefix",
            with("%", ""),
            chars("%12345", WEDGE_MS),
            bad.clone(),
        ),
        (
            "stuck key, hundreds of repeats",
            with("", ""),
            chars(&"a".repeat(300), 30),
            bad.clone(),
        ),
        (
            "stuck key ended by Enter",
            with("", ""),
            [chars(&"1".repeat(300), 30), vec![(KeyInput::Enter, 30)]].concat(),
            bad.clone(),
        ),
        (
            "lone Enter",
            with("", ""),
            vec![(KeyInput::Enter, 0)],
            vec![Decoded::Keys(vec![KeyInput::Enter])],
        ),
        (
            "fast short burst with Enter is typing",
            with("", ""),
            scan("ab"),
            vec![Decoded::Keys(vec![
                KeyInput::Char('a'),
                KeyInput::Char('b'),
                KeyInput::Enter,
            ])],
        ),
        (
            "fast pair then an arrow is typing",
            with("", ""),
            vec![(KeyInput::Char('a'), 0), (KeyInput::Up, 5)],
            vec![Decoded::Keys(vec![KeyInput::Char('a'), KeyInput::Up])],
        ),
        (
            "typing, a pause, then a scan",
            with("", ""),
            [typed("jo"), scan("777")].concat(),
            vec![
                Decoded::Keys(keys("j")),
                Decoded::Keys(keys("o")),
                Decoded::Badge("777".into()),
            ],
        ),
        (
            "a scan, then typing",
            with("", ""),
            [
                scan("4242"),
                vec![(KeyInput::Char('x'), 400), (KeyInput::Down, 400)],
            ]
            .concat(),
            vec![
                Decoded::Badge("4242".into()),
                Decoded::Keys(keys("x")),
                Decoded::Keys(vec![KeyInput::Down]),
            ],
        ),
    ];
    for (name, settings, steps, expected) in cases {
        assert_eq!(run(settings, &steps, true), expected, "{name}");
    }
}

#[test]
fn typed_keys_wait_exactly_the_gap() {
    let mut decoder = BadgeDecoder::new(BadgeSettings::default());
    let t = Instant::now();
    assert_eq!(decoder.key(KeyInput::Char('a'), t), Decoded::Pending);
    assert_eq!(decoder.deadline(), Some(t + Duration::from_millis(50)));
    assert_eq!(
        decoder.flush(t + Duration::from_millis(49)),
        Decoded::Pending
    );
    assert_eq!(
        decoder.flush(t + Duration::from_millis(50)),
        Decoded::Keys(keys("a"))
    );
    assert_eq!(decoder.deadline(), None);
    assert_eq!(decoder.flush(t + Duration::from_secs(1)), Decoded::Pending);
    // Not a character: nothing to wait for.
    assert_eq!(
        decoder.key(KeyInput::Down, t),
        Decoded::Keys(vec![KeyInput::Down])
    );
    assert_eq!(decoder.deadline(), None);
}

#[test]
fn a_late_caller_loses_no_key() {
    // The runtime was busy and never flushed: the next key ends the old burst.
    let t = Instant::now();
    let mut decoder = BadgeDecoder::new(BadgeSettings::default());
    decoder.key(KeyInput::Char('a'), t);
    decoder.key(KeyInput::Char('b'), t + Duration::from_millis(5));
    let late = t + Duration::from_millis(500);
    assert_eq!(
        decoder.key(KeyInput::Up, late),
        Decoded::Keys(vec![KeyInput::Char('a'), KeyInput::Char('b'), KeyInput::Up])
    );

    // A garbage burst and a key after it: both come out, in order.
    decoder.key(KeyInput::Char('\u{7}'), late);
    let later = late + Duration::from_millis(500);
    assert_eq!(decoder.key(KeyInput::Up, later), Decoded::BadScan);
    assert_eq!(
        decoder.deadline(),
        Some(later),
        "the held Up is due at once"
    );
    assert_eq!(decoder.flush(later), Decoded::Keys(vec![KeyInput::Up]));
    assert_eq!(decoder.deadline(), None);
}

#[test]
fn a_megabyte_pasted_at_once_is_one_bad_scan_in_bounded_memory() {
    let mut decoder = BadgeDecoder::new(BadgeSettings::default());
    let t = Instant::now();
    let mut most_held = 0;
    for c in "0123456789".chars().cycle().take(1 << 20) {
        assert_eq!(decoder.key(KeyInput::Char(c), t), Decoded::Pending);
        most_held = most_held.max(decoder.held());
    }
    assert!(most_held <= 64, "held {most_held} characters");
    assert_eq!(decoder.key(KeyInput::Enter, t), Decoded::BadScan);
    assert_eq!(decoder.deadline(), None);
}

#[test]
fn an_absurd_configuration_stays_bounded() {
    let settings = BadgeSettings {
        max_len: usize::MAX,
        max_gap: Duration::MAX,
        ..BadgeSettings::default()
    };
    let mut decoder = BadgeDecoder::new(settings);
    let t = Instant::now();
    for _ in 0..10_000 {
        decoder.key(KeyInput::Char('1'), t);
    }
    assert!(decoder.held() <= 1024);
    let due = decoder.deadline().expect("a burst is open");
    assert!(due <= t + Duration::from_secs(1), "the gap is capped");
    assert_eq!(decoder.flush(due), Decoded::BadScan);
    assert_eq!(decoder.deadline(), None);
}

fn key_event(code: KeyCode, modifiers: KeyModifiers, kind: KeyEventKind) -> Event {
    Event::Key(KeyEvent {
        code,
        modifiers,
        kind,
        state: KeyEventState::NONE,
    })
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Event {
    Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn crossterm_events_map_by_the_table() {
    use KeyEventKind::{Press, Release, Repeat};
    let none = KeyModifiers::NONE;
    let key = |key, ctrl, alt| Some(InputEvent::Key { key, ctrl, alt });
    let cases = [
        (
            key_event(KeyCode::Char('a'), none, Press),
            key(KeyInput::Char('a'), false, false),
        ),
        (
            key_event(KeyCode::Char('A'), KeyModifiers::SHIFT, Press),
            key(KeyInput::Char('A'), false, false),
        ),
        (
            key_event(KeyCode::Char('c'), KeyModifiers::CONTROL, Press),
            key(KeyInput::Char('c'), true, false),
        ),
        (
            key_event(KeyCode::Char('x'), KeyModifiers::ALT, Press),
            key(KeyInput::Char('x'), false, true),
        ),
        (
            key_event(KeyCode::Backspace, none, Repeat),
            key(KeyInput::Backspace, false, false),
        ),
        (key_event(KeyCode::Char('a'), none, Release), None),
        (
            key_event(KeyCode::Enter, none, Press),
            key(KeyInput::Enter, false, false),
        ),
        (
            key_event(KeyCode::Esc, none, Press),
            key(KeyInput::Escape, false, false),
        ),
        (
            key_event(KeyCode::BackTab, KeyModifiers::SHIFT, Press),
            key(KeyInput::BackTab, false, false),
        ),
        (
            key_event(KeyCode::F(12), none, Press),
            key(KeyInput::F(12), false, false),
        ),
        (key_event(KeyCode::F(13), none, Press), None),
        (key_event(KeyCode::Delete, none, Press), None),
        (key_event(KeyCode::Insert, none, Press), None),
        (
            mouse(MouseEventKind::Down(MouseButton::Left), 7, 3),
            Some(InputEvent::Tap { column: 7, row: 3 }),
        ),
        (mouse(MouseEventKind::Up(MouseButton::Left), 7, 3), None),
        (mouse(MouseEventKind::Down(MouseButton::Right), 7, 3), None),
        (mouse(MouseEventKind::Moved, 7, 3), None),
        (mouse(MouseEventKind::ScrollDown, 7, 3), None),
        (
            Event::Resize(160, 48),
            Some(InputEvent::Resize {
                width: 160,
                height: 48,
            }),
        ),
        (Event::Paste("12345\r".repeat(1000)), None),
        (Event::FocusGained, None),
    ];
    for (event, expected) in cases {
        assert_eq!(from_crossterm(&event), expected, "{event:?}");
    }
}

fn any_key() -> impl Strategy<Value = KeyInput> {
    prop_oneof![
        6 => any::<char>().prop_map(KeyInput::Char),
        6 => prop::char::range('0', 'z').prop_map(KeyInput::Char),
        2 => Just(KeyInput::Enter),
        1 => prop::sample::select(vec![
            KeyInput::Backspace, KeyInput::Escape, KeyInput::Up, KeyInput::Down,
            KeyInput::Tab, KeyInput::Home, KeyInput::F(1),
        ]),
    ]
}

fn framing() -> impl Strategy<Value = BadgeSettings> {
    prop::sample::select(vec![
        ("", ""),
        ("%", ""),
        ("", "?"),
        (";", "?"),
        ("AB", "Z"),
    ])
    .prop_map(|(p, s)| with(p, s))
}

proptest! {
    #[test]
    fn arbitrary_keys_and_timings_never_panic_and_stay_bounded(
        steps in prop::collection::vec((any_key(), 0u64..200), 0..400),
        on_time in any::<bool>(),
        settings in framing(),
    ) {
        let out = run(settings, &steps, on_time);
        prop_assert!(out.len() <= steps.len() + 1);
    }

    #[test]
    fn a_scan_at_wedge_speed_is_exactly_that_badge(
        before in "[ -~]{0,12}",
        badge in "[A-Za-z0-9]{3,64}",
        gaps in prop::collection::vec(0u64..50, 70),
        settings in framing(),
    ) {
        let framed = format!("{}{badge}{}", settings.prefix, settings.suffix);
        let mut steps = typed(&before);
        let mut scanned: Vec<Step> = framed
            .chars()
            .zip(&gaps)
            .map(|(c, gap)| (KeyInput::Char(c), *gap))
            .collect();
        scanned[0].1 = 1_000;
        steps.extend(scanned);
        steps.push((KeyInput::Enter, gaps[69]));
        let out = run(settings, &steps, true);
        prop_assert_eq!(out.last(), Some(&Decoded::Badge(badge)));
        prop_assert_eq!(released(&out), keys(&before), "only the typed text leaks out as keys");
        prop_assert!(out[..out.len() - 1].iter().all(|d| matches!(d, Decoded::Keys(_))));
    }

    #[test]
    fn human_typing_never_decodes_to_a_badge(
        text in "[ -~]{0,40}",
        extra in prop::collection::vec(0u64..250, 41),
        enter in any::<bool>(),
        on_time in any::<bool>(),
        settings in framing(),
    ) {
        let mut steps: Vec<Step> = text
            .chars()
            .zip(&extra)
            .map(|(c, e)| (KeyInput::Char(c), HUMAN_MS + e))
            .collect();
        if enter {
            steps.push((KeyInput::Enter, HUMAN_MS + extra[40]));
        }
        let out = run(settings, &steps, on_time);
        let mut expected = keys(&text);
        if enter {
            expected.push(KeyInput::Enter);
        }
        prop_assert!(out.iter().all(|d| matches!(d, Decoded::Keys(_))), "{:?}", out);
        prop_assert_eq!(released(&out), expected);
    }
}
