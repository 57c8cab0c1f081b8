//! Model-based test: random sequences of operations run against the real journal
//! and against a tiny in-memory model of the outbox; after every step they must
//! agree on what each call returned and on what is pending, parked and kept.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use tapin::domain::{Actor, DeviceId, Event, EventDraft, EventId, EventKind, Method, PersonId};
use tapin::journal::{Journal, JournalOptions, ParkedEvent};
use uuid::Uuid;

const PEOPLE: usize = 3;

#[derive(Clone, Debug)]
enum Op {
    /// One decision: one event per listed person (index into the people).
    Record(Vec<usize>),
    PendingBatch(usize),
    /// Indices into every id ever recorded (past the end: an unknown id).
    Acknowledge(Vec<usize>),
    Park(Vec<usize>),
    Retry(usize),
    /// Compaction age in minutes.
    Compact(i64),
    /// Moves the clock forward, in minutes.
    Advance(i64),
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop::collection::vec(0..PEOPLE, 1..=3).prop_map(Op::Record),
        2 => (0usize..6).prop_map(Op::PendingBatch),
        3 => prop::collection::vec(0usize..40, 0..5).prop_map(Op::Acknowledge),
        2 => prop::collection::vec(0usize..40, 0..3).prop_map(Op::Park),
        1 => (0usize..40).prop_map(Op::Retry),
        // Few distinct steps and ages, so that compaction often hits its boundary
        // (acknowledged exactly `age` ago).
        2 => prop::sample::select(vec![0i64, 5, 10, 15, 30]).prop_map(Op::Compact),
        2 => prop::sample::select(vec![1i64, 5, 10]).prop_map(Op::Advance),
        1 => Just(Op::Reopen),
    ]
}

#[derive(Clone, Debug, PartialEq)]
enum State {
    Pending,
    Acked(DateTime<Utc>),
    Parked(String, DateTime<Utc>),
}

#[derive(Debug)]
struct Row {
    event: Event,
    state: State,
}

/// The outbox as a list in journal order.
#[derive(Debug)]
struct Model {
    rows: Vec<Row>,
    last_seq: u64,
    now: DateTime<Utc>,
}

impl Model {
    fn pending(&self) -> Vec<Event> {
        self.rows
            .iter()
            .filter(|r| r.state == State::Pending)
            .map(|r| r.event.clone())
            .collect()
    }

    fn parked(&self) -> Vec<ParkedEvent> {
        self.rows
            .iter()
            .filter_map(|r| match &r.state {
                State::Parked(reason, at) => Some(ParkedEvent {
                    event: r.event.clone(),
                    reason: reason.clone(),
                    parked_at: *at,
                }),
                _ => None,
            })
            .collect()
    }

    fn row(&mut self, id: EventId) -> Option<&mut Row> {
        self.rows.iter_mut().find(|r| r.event.id == id)
    }
}

struct Harness {
    dir: tempfile::TempDir,
    journal: Option<Journal>,
    device: DeviceId,
    people: Vec<PersonId>,
    /// Every id ever recorded, compacted ones included.
    ids: Vec<EventId>,
    model: Model,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path(), JournalOptions::default()).unwrap();
        Harness {
            dir,
            journal: Some(journal),
            device: DeviceId::new(),
            people: (0..PEOPLE).map(|_| PersonId::new()).collect(),
            ids: Vec::new(),
            model: Model {
                rows: Vec::new(),
                last_seq: 0,
                now: Utc.with_ymd_and_hms(2025, 3, 3, 8, 0, 0).single().unwrap(),
            },
        }
    }

    fn journal(&mut self) -> &mut Journal {
        self.journal.as_mut().unwrap()
    }

    fn pick(&self, i: usize) -> EventId {
        // Past the end: an id the journal never saw.
        self.ids
            .get(i)
            .copied()
            .unwrap_or(EventId(Uuid::from_u128(i as u128)))
    }

    fn apply(&mut self, op: &Op) {
        let now = self.model.now;
        match op {
            Op::Record(who) => {
                let drafts: Vec<EventDraft> = who
                    .iter()
                    .map(|&p| EventDraft {
                        subject: self.people[p],
                        actor: Actor::Kiosk(self.device),
                        method: Method::RosterTap,
                        kind: EventKind::ClockIn,
                        at: now,
                        note: None,
                        needs_review: false,
                    })
                    .collect();
                let device = self.device;
                let events = self.journal().record(device, 60, &drafts).unwrap();
                assert_eq!(events.len(), drafts.len());
                for (event, draft) in events.iter().zip(&drafts) {
                    self.model.last_seq += 1;
                    assert_eq!(event.seq, self.model.last_seq);
                    assert_eq!((event.subject, event.at), (draft.subject, draft.at));
                    self.ids.push(event.id);
                    self.model.rows.push(Row {
                        event: event.clone(),
                        state: State::Pending,
                    });
                }
            }
            Op::PendingBatch(limit) => {
                let got = self.journal().pending_batch(*limit).unwrap();
                let want: Vec<Event> = self.model.pending().into_iter().take(*limit).collect();
                assert_eq!(got, want);
            }
            Op::Acknowledge(picks) => {
                let ids: Vec<EventId> = picks.iter().map(|&i| self.pick(i)).collect();
                let got = self.journal().acknowledge(&ids, now).unwrap();
                let mut want = 0;
                for id in ids {
                    if let Some(row) = self.model.row(id)
                        && !matches!(row.state, State::Acked(_))
                    {
                        row.state = State::Acked(now);
                        want += 1;
                    }
                }
                assert_eq!(got, want);
            }
            Op::Park(picks) => {
                let refused: Vec<(EventId, String)> = picks
                    .iter()
                    .enumerate()
                    .map(|(k, &i)| (self.pick(i), format!("reason {k}")))
                    .collect();
                let got = self.journal().park(&refused, now).unwrap();
                let mut want = 0;
                for (id, reason) in refused {
                    if let Some(row) = self.model.row(id)
                        && !matches!(row.state, State::Acked(_))
                    {
                        row.state = State::Parked(reason, now);
                        want += 1;
                    }
                }
                assert_eq!(got, want);
            }
            Op::Retry(i) => {
                let id = self.pick(*i);
                let got = self.journal().retry_parked(id).unwrap();
                let want = match self.model.row(id) {
                    Some(row) if matches!(row.state, State::Parked(..)) => {
                        row.state = State::Pending;
                        true
                    }
                    _ => false,
                };
                assert_eq!(got, want);
            }
            Op::Compact(minutes) => {
                let age = Duration::minutes(*minutes);
                let got = self.journal().compact_acked(age, now).unwrap();
                let cutoff = now - age;
                let before = self.model.rows.len();
                self.model.rows.retain(|r| match r.state {
                    State::Acked(at) => !(at < cutoff && r.event.at < cutoff),
                    _ => true,
                });
                assert_eq!(got, before - self.model.rows.len());
            }
            Op::Advance(minutes) => self.model.now += Duration::minutes(*minutes),
            Op::Reopen => {
                drop(self.journal.take());
                self.journal =
                    Some(Journal::open(self.dir.path(), JournalOptions::default()).unwrap());
            }
        }
    }

    /// Everything observable must match the model.
    fn check(&mut self) {
        let pending = self.model.pending();
        let parked = self.model.parked();
        let journal = self.journal.as_ref().unwrap();
        assert_eq!(journal.pending_count(), pending.len() as u64);
        assert_eq!(journal.pending_batch(usize::MAX).unwrap(), pending);
        assert_eq!(journal.parked().unwrap(), parked);
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        for &person in &self.people {
            let mut want: Vec<Event> = self
                .model
                .rows
                .iter()
                .filter(|r| r.event.subject == person)
                .map(|r| r.event.clone())
                .collect();
            want.sort_by_key(|e| e.at);
            assert_eq!(
                journal.events_for_person_since(person, epoch).unwrap(),
                want
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    })]

    #[test]
    fn journal_agrees_with_model(ops in prop::collection::vec(op(), 1..40)) {
        let mut harness = Harness::new();
        for op in &ops {
            harness.apply(op);
            harness.check();
        }
        // And once more from disk.
        harness.apply(&Op::Reopen);
        harness.check();
        // The sequence continues after the last number ever given.
        let last = harness.model.last_seq;
        harness.apply(&Op::Record(vec![0]));
        prop_assert_eq!(harness.model.last_seq, last + 1);
    }
}
