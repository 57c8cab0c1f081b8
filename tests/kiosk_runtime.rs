//! The main loop with `TestBackend`, a real journal and crossterm events: a
//! badge scan typed as a fast burst is recorded durably and confirmed; Ctrl-C
//! does nothing; a shutdown ends the loop.

mod tui_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tapin::journal::{CachedRoster, Journal, JournalOptions};
use tapin::tui::input::{BadgeDecoder, BadgeSettings};
use tapin::tui::model::{Model, Screen};
use tapin::tui::runtime::{self, Clock, Exit, HoldingBackend, LoopEvent, Services};
use tapin::tui::settings::ScreenSettings;
use tui_support::*;

struct Fixed;

impl Clock for Fixed {
    fn now(&self) -> (DateTime<Utc>, i32) {
        (now(), 0)
    }
}

fn key(code: KeyCode, modifiers: KeyModifiers, at: Instant) -> LoopEvent {
    LoopEvent::Term(Event::Key(KeyEvent::new(code, modifiers)), at)
}

fn screen_text(t: &Terminal<HoldingBackend<TestBackend>>) -> String {
    let b = t.backend().inner().buffer();
    let mut out = String::new();
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            out.push_str(b[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn a_badge_burst_is_recorded_and_confirmed_and_ctrl_c_does_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut journal = Journal::open(dir.path(), JournalOptions::default()).expect("journal");
    let body = serde_json::to_vec(&response()).expect("roster json");
    journal
        .store_roster(&CachedRoster {
            etag: "\"v1\"".into(),
            body,
            fetched_at: now(),
        })
        .expect("store roster");
    let shared = Arc::new(Mutex::new(journal));
    let (tx, rx) = mpsc::channel();
    let bells = Arc::new(AtomicUsize::new(0));
    let nudges = Arc::new(AtomicUsize::new(0));
    let (b, n) = (bells.clone(), nudges.clone());
    let mut services = Services {
        journal: shared.clone(),
        device: DEVICE,
        pepper: "00".repeat(32),
        nudge: Box::new(move || {
            n.fetch_add(1, Ordering::SeqCst);
        }),
        bell: Box::new(move || {
            b.fetch_add(1, Ordering::SeqCst);
        }),
        tx: tx.clone(),
        hub: None,
    };
    let mut model = Model::new(ScreenSettings::default(), device(), now());
    // Ctrl-C, Ctrl-Z, Ctrl-\ and Ctrl-D first: nothing happens.
    let t0 = Instant::now();
    for c in ['c', 'z', '\\', 'd'] {
        tx.send(key(KeyCode::Char(c), KeyModifiers::CONTROL, t0))
            .unwrap();
    }
    // The reader types "1001" and Enter within a millisecond: a scan.
    for c in "1001".chars() {
        tx.send(key(KeyCode::Char(c), KeyModifiers::NONE, t0))
            .unwrap();
    }
    tx.send(key(KeyCode::Enter, KeyModifiers::NONE, t0))
        .unwrap();
    // The person presses Enter: the common action (clock in).
    let later = t0 + std::time::Duration::from_millis(400);
    tx.send(key(KeyCode::Enter, KeyModifiers::NONE, later))
        .unwrap();
    tx.send(LoopEvent::Shutdown).unwrap();

    let mut terminal = Terminal::new(HoldingBackend::new(TestBackend::new(80, 24))).unwrap();
    let decoder = BadgeDecoder::new(BadgeSettings::default());
    let exit = runtime::run(
        &mut terminal,
        &mut model,
        &mut services,
        &rx,
        decoder,
        &Fixed,
    )
    .expect("loop");
    assert_eq!(exit, Exit::Shutdown);
    let text = screen_text(&terminal);
    assert!(matches!(model.screen, Screen::Confirm { .. }), "{text}");
    assert!(
        text.contains("Ana García") && text.contains("Clock in"),
        "{text}"
    );
    // Durable: the journal holds the clock-in.
    let j = shared.lock().unwrap();
    let events = j
        .events_for_person_since(ANA, now() - chrono::TimeDelta::days(1))
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, tapin::domain::EventKind::ClockIn);
    assert_eq!(events[0].method, tapin::domain::Method::Badge);
    assert_eq!(j.pending_count(), 1);
    assert!(bells.load(Ordering::SeqCst) >= 1);
    assert_eq!(nudges.load(Ordering::SeqCst), 1);
}
