//! The proptest twins of the cargo-fuzz targets (tests/fuzz/): the same checks
//! (tests/fuzz_support/), fed by proptest on every `cargo test`, from random
//! bytes and from valid documents with random edits, so that the structured
//! decoders are reached past their first byte.

mod fuzz_support;
mod hub_support;
mod tui_support;

use proptest::collection::vec;
use proptest::prelude::*;
use tapin::domain::{DeviceId, EventKind, PersonId};
use tapin::wire::EventsRequest;

/// One edit of a document: cut a range, insert bytes, or copy a range over.
#[derive(Clone, Debug)]
enum Edit {
    Cut(usize, usize),
    Insert(usize, Vec<u8>),
    Copy(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0usize..64).prop_map(|(at, n)| Edit::Cut(at, n)),
        (any::<usize>(), vec(any::<u8>(), 1..16)).prop_map(|(at, b)| Edit::Insert(at, b)),
        (
            any::<usize>(),
            (any::<usize>(), 1usize..64).prop_map(|(a, n)| (a, n))
        )
            .prop_map(|(to, (from, n))| Edit::Copy(from, n, to)),
        // Structural bytes that JSON and TOML care about.
        (
            any::<usize>(),
            prop::sample::select(vec![
                b"\"".to_vec(),
                b"{".to_vec(),
                b"}".to_vec(),
                b"[".to_vec(),
                b"]".to_vec(),
                b",".to_vec(),
                b"null".to_vec(),
                b"-1".to_vec(),
                b"1e999".to_vec(),
                b"\\u0000".to_vec(),
                b"\\ud800".to_vec(),
                b"\n[x]\n".to_vec(),
                b" = ".to_vec(),
            ])
        )
            .prop_map(|(at, b)| Edit::Insert(at, b)),
    ]
}

fn apply(mut doc: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = doc.len().max(1);
        match e {
            Edit::Cut(at, n) => {
                let at = at % len;
                let end = (at + n).min(doc.len());
                if at < end {
                    doc.drain(at..end);
                }
            }
            Edit::Insert(at, bytes) => {
                let at = at % (doc.len() + 1);
                doc.splice(at..at, bytes.iter().copied());
            }
            Edit::Copy(from, n, to) => {
                let from = from % len;
                let end = (from + n).min(doc.len());
                let piece: Vec<u8> = doc.get(from..end).map(<[u8]>::to_vec).unwrap_or_default();
                let to = to % (doc.len() + 1);
                doc.splice(to..to, piece);
            }
        }
    }
    doc
}

/// A valid document with up to eight edits (none: the document itself).
fn edited(doc: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    vec(edit(), 0..8).prop_map(move |edits| apply(doc.clone(), &edits))
}

fn roster_json() -> Vec<u8> {
    serde_json::to_vec(&tui_support::response()).expect("the sample roster encodes")
}

fn batch_json() -> Vec<u8> {
    let device = DeviceId::new();
    let person = PersonId::new();
    let at = tui_support::now();
    let events = vec![
        hub_support::event(device, 1, person, EventKind::ClockIn, at),
        hub_support::event(
            device,
            2,
            person,
            EventKind::ClockOut,
            at + chrono::Duration::hours(8),
        ),
    ];
    serde_json::to_vec(&EventsRequest { events }).expect("the sample batch encodes")
}

const KIOSK_TOML: &str = include_str!("../kiosk.toml.example");

#[test]
fn the_samples_are_valid() {
    // The edited strategies start from these: a sample that no longer decodes
    // would leave the decoders' inner paths untested.
    assert!(tapin::hub::extract::parse_strict::<EventsRequest>(&batch_json()).is_ok());
    assert!(serde_json::from_slice::<tapin::wire::RosterResponse>(&roster_json()).is_ok());
    assert!(
        tapin::config::KioskConfig::parse(std::path::Path::new("kiosk.toml"), KIOSK_TOML).is_ok()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn badge_input(data in vec(any::<u8>(), 0..4096)) {
        fuzz_support::badge_input(&data);
    }

    #[test]
    fn sanitizer_bytes(data in vec(any::<u8>(), 0..2048)) {
        fuzz_support::sanitizer(&data);
    }

    #[test]
    fn sanitizer_escapes(text in "([\u{1b}\u{9b}\u{9d}\u{7}\u{0}\u{202e}\u{2066}\u{200f}\\[\\]0-9;?a-zA-Z]|\\PC){0,200}") {
        fuzz_support::sanitizer(text.as_bytes());
    }

    #[test]
    fn kiosk_config_bytes(data in vec(any::<u8>(), 0..1024)) {
        fuzz_support::kiosk_config(&data);
    }

    #[test]
    fn kiosk_config_edited(data in edited(KIOSK_TOML.as_bytes().to_vec())) {
        fuzz_support::kiosk_config(&data);
    }

    #[test]
    fn event_batch_bytes(data in vec(any::<u8>(), 0..1024)) {
        fuzz_support::event_batch(&data);
    }

    #[test]
    fn event_batch_edited(data in edited(batch_json())) {
        fuzz_support::event_batch(&data);
    }

    #[test]
    fn roster_decoding_bytes(data in vec(any::<u8>(), 0..1024)) {
        fuzz_support::roster_decoding(&data);
    }

    #[test]
    fn roster_decoding_edited(data in edited(roster_json())) {
        fuzz_support::roster_decoding(&data);
    }

    #[test]
    fn retry_after(text in "[0-9 ]{0,25}|(Mon|Sun|Xyz), [0-9]{1,2} (Jan|Nov|Foo) [0-9]{1,5} [0-9:]{0,9} (GMT|UTC)|\\PC{0,40}") {
        fuzz_support::retry_after(text.as_bytes());
    }
}
