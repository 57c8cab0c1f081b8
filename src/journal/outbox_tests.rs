//! Unit tests of the outbox: sequence numbers, the life of a row, compaction, and
//! the query plans of the hot statements.

use chrono::Duration;

use super::*;
use crate::domain::{DeviceId, EventDraft};
use crate::journal::test_support::{draft, fresh, reopen, t0};
use crate::journal::{DB_FILE, JournalOptions};

fn ids(events: &[Event]) -> Vec<EventId> {
    events.iter().map(|e| e.id).collect()
}

fn seqs(events: &[Event]) -> Vec<u64> {
    events.iter().map(|e| e.seq).collect()
}

/// `n` clock-ins of `person` at `t0()`: one decision of `n` events.
fn clock_ins(person: PersonId, n: usize) -> Vec<EventDraft> {
    (0..n).map(|_| draft(person, t0())).collect()
}

#[test]
fn record_assigns_ids_and_gap_free_seqs() {
    let (_dir, mut j) = fresh();
    let device = DeviceId::new();
    let p = PersonId::new();
    let a = j.record(device, 3600, &[draft(p, t0())]).unwrap();
    let b = j
        .record(device, 3600, &[draft(p, t0()), draft(p, t0())])
        .unwrap();
    assert_eq!(seqs(&a), [1]);
    assert_eq!(seqs(&b), [2, 3]);
    assert!(a.iter().chain(&b).all(|e| e.id.0.get_version_num() == 7));
    assert!(
        a.iter()
            .chain(&b)
            .all(|e| e.device == device && e.utc_offset_secs == 3600)
    );
    assert_eq!(j.record(device, 0, &[]).unwrap(), []);
    let pending = j.pending_batch(10).unwrap();
    assert_eq!(pending, [a, b].concat(), "stored events round-trip exactly");
    assert_eq!(j.pending_count(), 3);
}

#[test]
fn events_carry_the_clock_offset_known_when_recorded() {
    let (dir, mut j) = fresh();
    let device = DeviceId::new();
    let p = PersonId::new();
    let before = j.record(device, 0, &[draft(p, t0())]).unwrap();
    j.set_clock_offset_ms(Some(-2_500));
    let after = j.record(device, 0, &[draft(p, t0())]).unwrap();
    assert_eq!(before[0].clock_offset_ms, None);
    assert_eq!(after[0].clock_offset_ms, Some(-2_500));
    let j = reopen(&dir, j);
    let stored = j.pending_batch(10).unwrap();
    assert_eq!(stored, [before, after].concat(), "kept through a reopen");
}

#[test]
fn seqs_are_per_device() {
    let (_dir, mut j) = fresh();
    let (d1, d2) = (DeviceId::new(), DeviceId::new());
    let p = PersonId::new();
    assert_eq!(seqs(&j.record(d1, 0, &[draft(p, t0())]).unwrap()), [1]);
    assert_eq!(seqs(&j.record(d2, 0, &[draft(p, t0())]).unwrap()), [1]);
    assert_eq!(seqs(&j.record(d1, 0, &[draft(p, t0())]).unwrap()), [2]);
}

#[test]
fn seqs_stay_gap_free_across_reopen_and_compaction() {
    let (dir, mut j) = fresh();
    let device = DeviceId::new();
    let p = PersonId::new();
    let first = j
        .record(device, 0, &[draft(p, t0()), draft(p, t0())])
        .unwrap();
    let mut j = reopen(&dir, j);
    assert_eq!(seqs(&j.record(device, 0, &[draft(p, t0())]).unwrap()), [3]);

    // Acknowledge and compact everything: the counter must not rewind.
    let all = ids(&j.pending_batch(100).unwrap());
    j.acknowledge(&all, t0()).unwrap();
    let now = t0() + Duration::days(100);
    assert_eq!(j.compact_acked(Duration::days(1), now).unwrap(), 3);
    let bodies: i64 = j
        .conn
        .query_row("SELECT count(*) FROM outbox_event", [], |r| r.get(0))
        .unwrap();
    assert_eq!(bodies, 0, "the events went with their rows");
    assert!(j.events_for_person_since(p, t0()).unwrap().is_empty());
    assert_eq!(seqs(&j.record(device, 0, &[draft(p, now)]).unwrap()), [4]);
    let mut j = reopen(&dir, j);
    assert_eq!(seqs(&j.record(device, 0, &[draft(p, now)]).unwrap()), [5]);
    assert_ne!(first[0].id, first[1].id);
}

#[test]
fn a_journal_emptied_by_compaction_resumes_each_devices_numbers() {
    let (dir, mut j) = fresh();
    let (d1, d2) = (DeviceId::new(), DeviceId::new());
    let p = PersonId::new();
    j.record(d1, 0, &clock_ins(p, 3)).unwrap();
    j.record(d2, 0, &clock_ins(p, 2)).unwrap();
    let all = ids(&j.pending_batch(100).unwrap());
    j.acknowledge(&all, t0()).unwrap();
    let now = t0() + Duration::days(100);
    assert_eq!(j.compact_acked(Duration::days(1), now).unwrap(), 5);
    // Nothing left in the outbox: the numbers come from what deleting kept.
    let mut j = reopen(&dir, j);
    assert_eq!(seqs(&j.record(d1, 0, &[draft(p, now)]).unwrap()), [4]);
    assert_eq!(seqs(&j.record(d2, 0, &[draft(p, now)]).unwrap()), [3]);
    let mut j = reopen(&dir, j);
    assert_eq!(seqs(&j.record(d1, 0, &[draft(p, now)]).unwrap()), [5]);
}

#[test]
fn seqs_survive_devices_taking_turns_across_reopen() {
    let (dir, mut j) = fresh();
    let (d1, d2) = (DeviceId::new(), DeviceId::new());
    let p = PersonId::new();
    j.record(d1, 0, &clock_ins(p, 3)).unwrap();
    j.record(d2, 0, &clock_ins(p, 2)).unwrap();
    // d2's rows are the newest: d1's number lives in `device_seq` alone.
    let mut j = reopen(&dir, j);
    assert_eq!(seqs(&j.record(d1, 0, &[draft(p, t0())]).unwrap()), [4]);
    let mut j = reopen(&dir, j);
    assert_eq!(seqs(&j.record(d2, 0, &[draft(p, t0())]).unwrap()), [3]);
    assert_eq!(seqs(&j.record(d2, 0, &[draft(p, t0())]).unwrap()), [4]);
    let mut j = reopen(&dir, j);
    assert_eq!(seqs(&j.record(d1, 0, &[draft(p, t0())]).unwrap()), [5]);
    assert_eq!(seqs(&j.record(d2, 0, &[draft(p, t0())]).unwrap()), [5]);
}

#[test]
fn handed_out_and_other_ids_are_acknowledged_alike() {
    let (dir, mut j) = fresh();
    let events = j
        .record(DeviceId::new(), 0, &clock_ins(PersonId::new(), 6))
        .unwrap();
    // 0..3 handed out (acknowledged by position); 3..6 not (by id).
    let (page, _) = j.pending_after(OutboxPos::START, 3).unwrap();
    assert_eq!(page, events[..3]);
    assert_eq!(
        j.acknowledge(&[events[0].id, events[4].id], t0()).unwrap(),
        2
    );
    assert_eq!(j.park(&[(events[1].id, "no".into())], t0()).unwrap(), 1);
    assert_eq!(j.park(&[(events[5].id, "no".into())], t0()).unwrap(), 1);
    // Parked ones acknowledged after all, by position and by id.
    assert_eq!(
        j.acknowledge(&[events[1].id, events[5].id], t0()).unwrap(),
        2
    );
    // Again, and after a reopen (nothing handed out): no change.
    assert_eq!(j.acknowledge(&ids(&events[..2]), t0()).unwrap(), 0);
    let mut j = reopen(&dir, j);
    assert_eq!(j.acknowledge(&ids(&events[..2]), t0()).unwrap(), 0);
    assert_eq!(j.pending_count(), 2);
    assert_eq!(
        j.pending_batch(10).unwrap(),
        [events[2].clone(), events[3].clone()]
    );
}

#[test]
fn acknowledge_removes_from_pending_and_duplicates_are_harmless() {
    let (dir, mut j) = fresh();
    let device = DeviceId::new();
    let p = PersonId::new();
    let events = j.record(device, 0, &clock_ins(p, 3)).unwrap();
    assert_eq!(
        j.acknowledge(&[events[0].id, events[2].id], t0()).unwrap(),
        2
    );
    assert_eq!(j.pending_batch(10).unwrap(), [events[1].clone()]);
    assert_eq!(j.pending_count(), 1);

    // Again, plus an id the journal never saw: nothing changes.
    assert_eq!(
        j.acknowledge(&[events[0].id, events[2].id, EventId::new()], t0())
            .unwrap(),
        0
    );
    assert_eq!(j.pending_count(), 1);
    let j = reopen(&dir, j);
    assert_eq!(j.pending_count(), 1);
    assert_eq!(j.pending_batch(10).unwrap(), [events[1].clone()]);
    // Acked events are still there for folding.
    assert_eq!(j.events_for_person_since(p, t0()).unwrap(), events);
}

#[test]
fn pending_batch_is_bounded_and_oldest_first() {
    let (_dir, mut j) = fresh();
    let device = DeviceId::new();
    let p = PersonId::new();
    let mut all = Vec::new();
    for i in 0..7 {
        all.extend(
            j.record(device, 0, &[draft(p, t0() - Duration::minutes(i))])
                .unwrap(),
        );
    }
    assert_eq!(j.pending_batch(3).unwrap(), all[..3]);
    assert_eq!(j.pending_batch(0).unwrap(), []);
    assert_eq!(j.pending_batch(usize::MAX).unwrap(), all);
}

#[test]
fn pending_after_pages_through_the_queue_while_earlier_pages_await_acknowledgement() {
    let (_dir, mut j) = fresh();
    let device = DeviceId::new();
    let all = j.record(device, 0, &clock_ins(PersonId::new(), 7)).unwrap();
    let (first, after_first) = j.pending_after(OutboxPos::START, 3).unwrap();
    assert_eq!(first, all[..3]);
    let (second, after_second) = j.pending_after(after_first, 3).unwrap();
    assert_eq!(second, all[3..6], "the first page is not acknowledged yet");
    // Parked and acknowledged rows are skipped; the end returns the same position.
    j.park(&[(all[6].id, "refused".into())], t0()).unwrap();
    let (rest, at_end) = j.pending_after(after_second, 3).unwrap();
    assert_eq!((rest, at_end), (vec![], after_second));
    j.acknowledge(&ids(&first), t0()).unwrap();
    assert_eq!(j.pending_after(OutboxPos::START, 10).unwrap().0, all[3..6]);
}

#[test]
fn park_lists_with_reason_and_retry_requeues_in_place() {
    let (dir, mut j) = fresh();
    let device = DeviceId::new();
    let p = PersonId::new();
    let events = j.record(device, 0, &clock_ins(p, 3)).unwrap();
    let later = t0() + Duration::minutes(5);
    let refused = [(events[1].id, "person archived".to_string())];
    assert_eq!(j.park(&refused, later).unwrap(), 1);
    assert_eq!(j.pending_count(), 2);
    assert_eq!(seqs(&j.pending_batch(10).unwrap()), [1, 3]);

    let mut j = reopen(&dir, j);
    let parked = j.parked().unwrap();
    assert_eq!(j.parked_count().unwrap(), parked.len() as u64);
    assert_eq!(
        parked,
        [ParkedEvent {
            event: events[1].clone(),
            reason: "person archived".into(),
            parked_at: later,
        }]
    );
    // Parking again updates the reason; acked and unknown ids are ignored.
    j.acknowledge(&[events[0].id], later).unwrap();
    let again = [
        (events[1].id, "still archived".to_string()),
        (events[0].id, "x".to_string()),
        (EventId::new(), "y".to_string()),
    ];
    assert_eq!(j.park(&again, later).unwrap(), 1);
    assert_eq!(j.parked().unwrap()[0].reason, "still archived");
    assert_eq!(j.pending_count(), 1);

    assert!(j.retry_parked(events[1].id).unwrap());
    assert!(!j.retry_parked(events[1].id).unwrap(), "already pending");
    assert!(!j.retry_parked(events[0].id).unwrap(), "acked, not parked");
    assert!(j.parked().unwrap().is_empty());
    assert_eq!(j.parked_count().unwrap(), 0);
    assert_eq!(seqs(&j.pending_batch(10).unwrap()), [2, 3]);
    assert_eq!(j.pending_count(), 2);
}

#[test]
fn acknowledging_a_parked_event_acks_it() {
    let (_dir, mut j) = fresh();
    let p = PersonId::new();
    let e = j.record(DeviceId::new(), 0, &[draft(p, t0())]).unwrap();
    j.park(&[(e[0].id, "later".into())], t0()).unwrap();
    assert_eq!(j.acknowledge(&[e[0].id], t0()).unwrap(), 1);
    assert!(j.parked().unwrap().is_empty());
    assert_eq!(j.pending_count(), 0);
}

#[test]
fn compaction_respects_age_and_state() {
    let (_dir, mut j) = fresh();
    let device = DeviceId::new();
    let p = PersonId::new();
    let age = Duration::days(30);
    let events = j.record(device, 0, &clock_ins(p, 4)).unwrap();
    // 0: acked at t0; 1: acked 10 days later; 2: parked; 3: pending.
    j.acknowledge(&[events[0].id], t0()).unwrap();
    j.acknowledge(&[events[1].id], t0() + Duration::days(10))
        .unwrap();
    j.park(&[(events[2].id, "no".into())], t0()).unwrap();

    // Exactly 30 days after the first ack: not older than 30 days yet.
    assert_eq!(j.compact_acked(age, t0() + age).unwrap(), 0);
    assert_eq!(
        j.compact_acked(age, t0() + age + Duration::microseconds(1))
            .unwrap(),
        1
    );
    let left = j
        .events_for_person_since(p, t0() - Duration::days(1))
        .unwrap();
    assert_eq!(seqs(&left), [2, 3, 4]);

    // Years later only the second acked event goes; parked and pending stay.
    assert_eq!(
        j.compact_acked(age, t0() + Duration::days(3650)).unwrap(),
        1
    );
    let left = j
        .events_for_person_since(p, t0() - Duration::days(1))
        .unwrap();
    assert_eq!(seqs(&left), [3, 4]);
    assert_eq!(j.parked().unwrap().len(), 1);
    assert_eq!(j.pending_count(), 1);
    // A negative age deletes nothing young.
    j.acknowledge(&[events[3].id], t0() + Duration::days(3650))
        .unwrap();
    assert_eq!(
        j.compact_acked(Duration::days(-5), t0() + Duration::days(3650))
            .unwrap(),
        0
    );
}

#[test]
fn compaction_works_in_steps() {
    let (_dir, mut j) = fresh();
    let p = PersonId::new();
    let n = COMPACT_CHUNK + 500;
    let events = j.record(DeviceId::new(), 0, &clock_ins(p, n)).unwrap();
    j.acknowledge(&ids(&events), t0()).unwrap();
    let later = t0() + Duration::days(60);
    assert_eq!(
        j.compact_acked_at_most(Duration::days(1), later, 100)
            .unwrap(),
        100
    );
    assert_eq!(j.compact_acked(Duration::days(1), later).unwrap(), n - 100);
    assert!(j.events_for_person_since(p, t0()).unwrap().is_empty());
}

#[test]
fn compaction_keeps_events_dated_within_the_age() {
    // Acknowledged long ago by a clock that was wrong, but dated recently.
    let (_dir, mut j) = fresh();
    let p = PersonId::new();
    let now = t0() + Duration::days(365);
    let e = j.record(DeviceId::new(), 0, &[draft(p, now)]).unwrap();
    j.acknowledge(&[e[0].id], t0()).unwrap();
    assert_eq!(j.compact_acked(Duration::days(30), now).unwrap(), 0);
    assert_eq!(j.compact(now + Duration::days(36)).unwrap(), 1);
}

#[test]
fn events_for_person_since_filters_by_person_and_time() {
    let (_dir, mut j) = fresh();
    let device = DeviceId::new();
    let (alice, bob) = (PersonId::new(), PersonId::new());
    let monday = t0();
    let friday = t0() + Duration::days(4);
    let e = j
        .record(
            device,
            0,
            &[
                draft(alice, friday),
                draft(bob, friday),
                draft(alice, monday - Duration::days(7)),
                draft(alice, monday + Duration::nanoseconds(1)),
                draft(alice, monday),
            ],
        )
        .unwrap();
    let got = j.events_for_person_since(alice, monday).unwrap();
    // Time order, not record order.
    assert_eq!(got, [e[4].clone(), e[3].clone(), e[0].clone()]);
    // Sub-microsecond precision is honoured.
    let got = j
        .events_for_person_since(alice, monday + Duration::nanoseconds(1))
        .unwrap();
    assert_eq!(got, [e[3].clone(), e[0].clone()]);
    assert!(
        j.events_for_person_since(PersonId::new(), monday)
            .unwrap()
            .is_empty()
    );
}

/// The plan SQLite chooses for a statement, one line per step.
fn plan(j: &Journal, sql: &str, params: impl rusqlite::Params) -> String {
    let mut stmt = j
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let rows = stmt
        .query_map(params, |row| row.get::<_, String>(3))
        .unwrap();
    rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
}

#[test]
fn hot_queries_use_their_indexes() {
    let (_dir, mut j) = fresh();
    let p = PersonId::new();
    let device = DeviceId::new();
    // Some rows in every state, and statistics, so the planner has a choice.
    let events = j.record(device, 0, &clock_ins(p, 50)).unwrap();
    j.acknowledge(&ids(&events[..30]), t0()).unwrap();
    j.park(&[(events[40].id, "x".into())], t0()).unwrap();
    // Without statistics (as in production) and with them.
    assert_plans_use_indexes(&j);
    j.conn.execute_batch("ANALYZE").unwrap();
    assert_plans_use_indexes(&j);
}

fn assert_plans_use_indexes(j: &Journal) {
    let event_by_pos = "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)";
    let after = plan(j, PENDING_AFTER, [500, 3]);
    assert!(
        after.contains("USING COVERING INDEX outbox_pending (pos>?)"),
        "{after}"
    );
    assert!(!after.contains("TEMP B-TREE"), "no sort: {after}");
    let batch = plan(j, PENDING_BATCH, [500]);
    assert!(
        batch.contains("USING COVERING INDEX outbox_pending"),
        "{batch}"
    );
    assert!(batch.contains(event_by_pos), "{batch}");
    assert!(!batch.contains("TEMP B-TREE"), "no sort: {batch}");
    let ack_params: Vec<Option<Vec<u8>>> = (0..=ACK_CHUNK).map(|_| Some(vec![0u8; 16])).collect();
    let ack = plan(j, &ack_sql("pending"), params_from_iter(ack_params));
    // Ids the sync worker was not handed: one pass over the pending rows (the
    // outbox has no index on ids, schema v5).
    assert!(ack.contains("INDEX outbox_pending"), "{ack}");
    let ack_at = plan(j, ACK_PENDING_AT, params![1, 0, [0u8; 16].as_slice()]);
    assert!(
        ack_at.contains("SEARCH outbox USING INTEGER PRIMARY KEY (rowid=?)"),
        "{ack_at}"
    );
    let person = plan(j, FOR_PERSON, params![[0u8; 16].as_slice(), 0]);
    assert!(
        person.contains("INDEX outbox_subject_at (subject=? AND at_us>?)"),
        "{person}"
    );
    assert!(person.contains(event_by_pos), "{person}");
    let parked = plan(j, PARKED, []);
    assert!(parked.contains("INDEX outbox_parked"), "{parked}");
    let compact = plan(j, COMPACTABLE, [0, 10]);
    assert!(
        compact.contains("INDEX outbox_acked (acked_at_us<?)"),
        "{compact}"
    );
    let delete = plan(j, DELETE, [0]);
    assert!(
        delete.contains("SEARCH outbox USING INTEGER PRIMARY KEY (rowid=?)"),
        "{delete}"
    );
    for p in [
        &after, &batch, &ack, &ack_at, &person, &parked, &compact, &delete,
    ] {
        assert!(
            !p.lines()
                .any(|line| line.starts_with("SCAN") && !line.contains("INDEX")),
            "full scan: {p}"
        );
    }
}

#[test]
fn a_committed_decision_is_visible_to_another_connection() {
    let (_dir, mut j) = fresh();
    let p = PersonId::new();
    let e = j.record(DeviceId::new(), 0, &[draft(p, t0())]).unwrap();
    let other = rusqlite::Connection::open(j.path()).unwrap();
    let n: i64 = other
        .query_row(
            "SELECT count(*) FROM outbox WHERE id = ?1",
            [e[0].id.0.as_bytes().as_slice()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_version_4_journal_migrates_with_its_rows_and_numbers() {
    // Events made by this build, written the way version 4 stored them.
    let (_scratch, mut s) = fresh();
    let (d1, d2) = (DeviceId::new(), DeviceId::new());
    let p = PersonId::new();
    let mut events = s.record(d1, 0, &clock_ins(p, 3)).unwrap();
    events.extend(s.record(d2, 0, &clock_ins(p, 2)).unwrap());
    let dir = tempfile::tempdir().unwrap();
    {
        let mut old = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
        old.pragma_update(None, "journal_mode", "WAL").unwrap();
        super::super::schema::migrations()
            .to_version(&mut old, 4)
            .unwrap();
        for (i, e) in events.iter().enumerate() {
            let state = ["pending", "acked", "parked"][i % 3];
            old.execute(
                "INSERT INTO outbox (id, device, seq, subject, at_us, state, acked_at_us, \
                 parked_at_us, parked_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
                params![
                    e.id.0.as_bytes().as_slice(),
                    e.device.0.as_bytes().as_slice(),
                    e.seq as i64,
                    e.subject.0.as_bytes().as_slice(),
                    micros(e.at),
                    state,
                    (state != "pending").then_some(micros(t0())),
                    (state == "parked").then_some("refused"),
                ],
            )
            .unwrap();
            old.execute(
                "INSERT INTO outbox_event (pos, body) VALUES (last_insert_rowid(), ?1)",
                [serde_json::to_string(e).unwrap()],
            )
            .unwrap();
        }
    }
    let mut j = Journal::open(dir.path(), JournalOptions::default()).unwrap();
    // 0, 3 pending; 1, 4 acked; 2 parked.
    assert_eq!(
        j.pending_batch(10).unwrap(),
        [events[0].clone(), events[3].clone()]
    );
    assert_eq!(j.pending_count(), 2);
    assert_eq!(j.parked().unwrap()[0].event, events[2]);
    assert_eq!(j.events_for_person_since(p, t0()).unwrap().len(), 5);
    // d2's rows were the newest: d1's number comes from the migration.
    assert_eq!(seqs(&j.record(d1, 0, &[draft(p, t0())]).unwrap()), [4]);
    assert_eq!(seqs(&j.record(d2, 0, &[draft(p, t0())]).unwrap()), [3]);
    // Compaction still deletes events with their rows, keeping the numbers.
    let now = t0() + Duration::days(100);
    assert_eq!(j.compact_acked(Duration::days(1), now).unwrap(), 2);
    let bodies: i64 = j
        .conn
        .query_row("SELECT count(*) FROM outbox_event", [], |r| r.get(0))
        .unwrap();
    assert_eq!(bodies, 5);
    j.integrity_check().unwrap();
}
