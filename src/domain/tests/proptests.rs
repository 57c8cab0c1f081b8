//! Whole sequences of decisions: random intents by random actors, applied only
//! when `decide` accepts them, their events folded back into everyone's state.

use super::*;
use chrono::TimeDelta;
use proptest::prelude::*;

/// People who appear as actors or subjects, including the ones always refused.
const CAST: &[u128] = &[
    PAT, IVY, LEE, TOM, TIA, LENA, OTTO, SUPERVISOR, COWORKER, PM, IRIS, FRED, ARCHIE, ARLO, CLARA,
    MANAGER, 4242,
];
// Valid jobs twice as often as the archived and the unknown one.
const JOBS: &[u128] = &[FRAMING, ROOFING, FRAMING, ROOFING, DEMOLITION, 4242];

/// One random step: who acts, what they ask, and how far the clock moves first.
#[derive(Clone, Debug)]
struct Step {
    /// Picks the actor, biased towards the plausible ones (see [`World::actor`]).
    actor: usize,
    kind: u8,
    subject: usize,
    job: usize,
    members: u32,
    back_minutes: i64,
    advance_minutes: i64,
    target: usize,
}

fn step() -> impl Strategy<Value = Step> {
    (
        0usize..12,
        0u8..20,
        0..CAST.len(),
        0..JOBS.len(),
        any::<u32>(),
        0i64..120,
        0i64..90,
        any::<usize>(),
    )
        .prop_map(
            |(actor, kind, subject, job, members, back_minutes, advance_minutes, target)| Step {
                actor,
                // Extra weight on what puts people on jobs, so job moves get exercised.
                kind: match kind {
                    15 | 16 => 4,
                    17 | 18 => 9,
                    19 => 6,
                    k => k,
                },
                subject,
                job,
                members,
                back_minutes,
                advance_minutes,
                target,
            },
        )
}

/// The organisation as it runs: everyone's recorded events.
struct World {
    dir: Directory,
    events: Vec<Event>,
    now: DateTime<Utc>,
}

impl World {
    fn new() -> Self {
        World {
            dir: fixture(),
            events: Vec::new(),
            now: may(10, 6),
        }
    }

    fn mode(&self, id: PersonId) -> TrackingMode {
        self.dir
            .person(id)
            .map_or(TrackingMode::Personal, |p| p.mode)
    }

    fn replay_of(&self, id: PersonId) -> Replay {
        replay(
            self.events.iter().filter(|e| e.subject == id),
            self.mode(id),
        )
    }

    fn state(&self, id: PersonId) -> PunchState {
        self.replay_of(id).state
    }

    /// Usually someone whose state makes the intent plausible, so that accepted
    /// decisions of every kind occur; otherwise anyone in the cast.
    fn pick(&self, s: &Step, fits: impl Fn(&PunchState) -> bool) -> PersonId {
        let fitting: Vec<PersonId> = CAST
            .iter()
            .map(|&n| p(n))
            .filter(|&id| fits(&self.state(id)))
            .collect();
        if fitting.is_empty() || s.subject.is_multiple_of(4) {
            p(CAST[s.subject])
        } else {
            fitting[s.target % fitting.len()]
        }
    }

    fn intent(&self, s: &Step, corrections: bool) -> (Actor, Intent) {
        let subject = match s.kind {
            0 => self.pick(s, |st| !st.is_clocked_in()),
            1 | 12 | 13 => self.pick(s, PunchState::is_clocked_in),
            2 | 4 => self.pick(s, PunchState::is_working),
            3 => self.pick(s, PunchState::is_on_break),
            5 | 6 | 11 => self.pick(s, |st| st.job.is_some()),
            _ => p(CAST[s.subject]),
        };
        // Stopping a job: usually one somebody is on.
        let busy_job = CAST.iter().find_map(|&n| self.state(p(n)).current_job());
        let job = match (s.kind, busy_job) {
            (10, Some(busy)) if s.job != 0 => busy,
            _ => j(JOBS[s.job]),
        };
        let at = self.now - TimeDelta::minutes(s.back_minutes);
        // Crew actions pick from the lead's real crew, now and then adding an outsider.
        let crew = match self.actor(s, subject) {
            Actor::Person(lead) => self.dir.crew_of(lead),
            Actor::Kiosk(_) => Vec::new(),
        };
        let mut members: Vec<PersonId> = crew
            .iter()
            .enumerate()
            .filter(|(i, _)| s.members & (1 << i) != 0)
            .map(|(_, &id)| id)
            .collect();
        if s.members & (1 << 31) != 0 {
            members.push(subject);
        }
        let member = match crew.iter().find(|&&m| self.state(m).job.is_some()) {
            _ if s.members & (1 << 30) != 0 => subject,
            Some(&on_job) if !s.members.is_multiple_of(3) => on_job,
            _ if crew.is_empty() => subject,
            _ => crew[s.members as usize % crew.len()],
        };
        let punch = if s.members.is_multiple_of(2) {
            EnteredPunch::ClockIn
        } else {
            EnteredPunch::ClockOut
        };
        let reason = if s.members.is_multiple_of(7) {
            String::new()
        } else {
            "forgot".to_owned()
        };
        let intent = match s.kind {
            0 => Intent::ClockIn { subject },
            1 => Intent::ClockOut { subject },
            2 => Intent::BreakStart { subject },
            3 => Intent::BreakEnd { subject },
            4 => Intent::CheckIn { subject, job },
            5 => Intent::CheckOut { subject },
            6 => Intent::SwitchJob { subject, job },
            7 => Intent::CrewClockIn { members },
            8 => Intent::CrewClockOut { members },
            9 => Intent::CrewStartJob { job },
            10 => Intent::CrewStopJob { job },
            11 => Intent::CrewCheckOutMember { member },
            12 => Intent::OverridePunch {
                subject,
                punch,
                at,
                reason,
            },
            13 => Intent::ReportMissedPunch {
                subject,
                punch,
                at,
                reason,
            },
            _ if corrections && !self.events.is_empty() => {
                let target = &self.events[s.target % self.events.len()];
                Intent::Correct {
                    target: CorrectionTarget::of(target),
                    new_time: at,
                    reason,
                }
            }
            _ => Intent::ClockIn { subject },
        };
        (self.actor(s, subject), intent)
    }

    /// Mostly the kiosk, the subject, a lead or a supervisor; sometimes anyone.
    /// Crew actions mostly come from the two leads.
    fn actor(&self, s: &Step, subject: PersonId) -> Actor {
        let crew_action = (7..=11).contains(&s.kind);
        let anyone = || {
            CAST.get(s.members as usize % (CAST.len() + 1))
                .map_or(KIOSK, |&n| by(n))
        };
        match (crew_action, s.actor) {
            (true, 0..=6) => by(LEE),
            (true, 7..=9) => by(LENA),
            (true, _) => anyone(),
            (false, 0..=2) => KIOSK,
            (false, 3..=5) => Actor::Person(subject),
            (false, 6) => by(LEE),
            (false, 7) => by(LENA),
            (false, 8..=9) => by(SUPERVISOR),
            (false, 10) => by(PM),
            (false, _) => anyone(),
        }
    }

    fn decide(&self, actor: Actor, intent: Intent) -> Result<Vec<EventDraft>, Refusal> {
        decide(
            &self.dir,
            &|id| self.state(id),
            actor,
            Method::Badge,
            intent,
            self.now,
        )
    }

    fn record(&mut self, drafts: Vec<EventDraft>) {
        for d in drafts {
            let n = self.events.len() as u128 + 1;
            self.events.push(Event {
                id: EventId(Uuid::from_u128(n)),
                device: DeviceId(Uuid::from_u128(900)),
                seq: n as u64,
                subject: d.subject,
                actor: d.actor,
                method: d.method,
                kind: d.kind,
                at: d.at,
                utc_offset_secs: 0,
                note: d.note,
                needs_review: d.needs_review,
                clock_offset_ms: None,
            });
        }
    }
}

/// What must hold of the drafts of any accepted decision.
fn check_drafts(
    world: &World,
    actor: Actor,
    intent: &Intent,
    drafts: &[EventDraft],
) -> Result<(), TestCaseError> {
    prop_assert!(!drafts.is_empty(), "accepted decisions record something");
    for d in drafts {
        prop_assert_eq!(d.actor, actor);
        prop_assert!(d.at <= world.now, "never in the future");
        let person = world.dir.person(d.subject);
        prop_assert!(
            person.is_some_and(|p| !p.archived),
            "only active people get events"
        );
        if let (EventKind::CheckIn { job }, Some(person)) = (&d.kind, person) {
            prop_assert!(person.jobs.allows(*job), "only assigned jobs");
            prop_assert!(
                world.dir.job(*job).is_some_and(|j| !j.archived),
                "only open jobs"
            );
        }
        if matches!(
            intent,
            Intent::CrewClockIn { .. }
                | Intent::CrewClockOut { .. }
                | Intent::CrewStartJob { .. }
                | Intent::CrewStopJob { .. }
                | Intent::CrewCheckOutMember { .. }
        ) {
            prop_assert_eq!(d.method, Method::Team);
        }
    }
    Ok(())
}

fn run_world(steps: &[Step], corrections: bool) -> Result<World, TestCaseError> {
    let mut world = World::new();
    for s in steps {
        world.now += TimeDelta::minutes(s.advance_minutes);
        let (actor, intent) = world.intent(s, corrections);
        let first = world.decide(actor, intent.clone());
        let second = world.decide(actor, intent.clone());
        prop_assert_eq!(&first, &second, "decide is deterministic");
        if let Ok(drafts) = first {
            check_drafts(&world, actor, &intent, &drafts)?;
            // Applied in order to the state decide saw, no step may be odd.
            let mut by_subject: BTreeMap<PersonId, PunchState> = BTreeMap::new();
            for d in &drafts {
                let before = by_subject
                    .get(&d.subject)
                    .copied()
                    .unwrap_or_else(|| world.state(d.subject));
                let applied = before.apply(&d.kind, d.at, world.mode(d.subject));
                if !corrections {
                    prop_assert_eq!(
                        applied.anomaly,
                        None,
                        "{:?} on {:?} by {:?}",
                        d.kind,
                        before,
                        intent
                    );
                }
                by_subject.insert(d.subject, applied.state);
            }
            world.record(drafts);
            if !corrections {
                for (id, expected) in by_subject {
                    prop_assert_eq!(world.state(id), expected, "fold agrees with step by step");
                }
            }
        }
        for &n in CAST {
            let id = p(n);
            let r = world.replay_of(id);
            prop_assert!(
                r.state.is_consistent_for(world.mode(id)),
                "{:?} for {}",
                r.state,
                n
            );
            if !corrections {
                prop_assert!(r.anomalies.is_empty(), "{:?}", r.anomalies);
            }
        }
    }
    Ok(world)
}

proptest! {
    /// Accepted decisions never reach an impossible state and never leave
    /// anything a report would flag.
    #[test]
    fn accepted_decisions_never_reach_an_impossible_state(steps in proptest::collection::vec(step(), 1..60)) {
        let world = run_world(&steps, false)?;
        // Accepted work happened at all: the cast is busy enough to test something.
        prop_assert!(world.events.len() <= steps.len() * 2 * CAST.len());
    }

    /// With corrections moving times around, states stay consistent and
    /// decisions stay deterministic (anomalies are then possible and flagged).
    #[test]
    fn with_corrections_states_stay_consistent(steps in proptest::collection::vec(step(), 1..60)) {
        run_world(&steps, true)?;
    }

    /// Any states at all, however odd, give a decision and never a panic.
    #[test]
    fn decide_is_total_on_odd_states(
        s in step(),
        clock in 0u8..3,
        on_job in proptest::option::of(0..JOBS.len()),
        last_hours in proptest::option::of(-48i64..48),
    ) {
        let world = World::new();
        let base = world.now;
        let clock = match clock {
            0 => Clock::Out,
            1 => Clock::In { since: base },
            _ => Clock::OnBreak { since: base, break_since: base },
        };
        let odd = PunchState {
            clock,
            job: on_job.map(|i| OnJob { job: j(JOBS[i]), since: base }),
            last_punch: last_hours.map(|h| base + TimeDelta::hours(h)),
        };
        let (actor, intent) = world.intent(&s, false);
        let a = decide(&world.dir, &|_| odd, actor, Method::Pin, intent.clone(), base);
        let b = decide(&world.dir, &|_| odd, actor, Method::Pin, intent, base);
        prop_assert_eq!(a, b);
    }
}

#[test]
fn a_realistic_day_runs_clean() {
    let mut w = World::new();
    let go = |w: &mut World, minutes: i64, actor: Actor, intent: Intent| {
        w.now += TimeDelta::minutes(minutes);
        let drafts = w
            .decide(actor, intent.clone())
            .unwrap_or_else(|r| panic!("{intent:?}: {r}"));
        w.record(drafts);
    };
    go(&mut w, 0, by(LEE), Intent::ClockIn { subject: p(LEE) });
    go(
        &mut w,
        1,
        by(LEE),
        Intent::CrewClockIn {
            members: vec![p(TOM), p(TIA)],
        },
    );
    go(&mut w, 5, by(LEE), Intent::CrewStartJob { job: j(FRAMING) });
    go(
        &mut w,
        60,
        by(LEE),
        Intent::CrewCheckOutMember { member: p(TOM) },
    );
    go(&mut w, 0, KIOSK, Intent::BreakStart { subject: p(TOM) });
    go(&mut w, 30, KIOSK, Intent::BreakEnd { subject: p(TOM) });
    go(&mut w, 60, by(LEE), Intent::CrewStopJob { job: j(FRAMING) });
    go(
        &mut w,
        0,
        by(LEE),
        Intent::CrewClockOut {
            members: vec![p(TOM), p(TIA)],
        },
    );
    go(&mut w, 0, KIOSK, Intent::ClockIn { subject: p(PAT) });
    go(
        &mut w,
        0,
        by(PAT),
        Intent::CheckIn {
            subject: p(PAT),
            job: j(ROOFING),
        },
    );
    go(
        &mut w,
        0,
        by(IVY),
        Intent::CheckIn {
            subject: p(IVY),
            job: j(FRAMING),
        },
    );
    go(&mut w, 240, KIOSK, Intent::ClockOut { subject: p(PAT) });
    for n in [LEE, TOM, TIA, PAT, IVY] {
        let r = w.replay_of(p(n));
        assert!(r.anomalies.is_empty(), "{n}: {:?}", r.anomalies);
    }
    assert!(w.state(p(LEE)).is_working());
    assert_eq!(w.state(p(TOM)).clock, Clock::Out);
    assert_eq!(w.state(p(PAT)).clock, Clock::Out);
    assert_eq!(w.state(p(IVY)).current_job(), Some(j(FRAMING)));
    // Pat's clock-out was two events: check-out first, same instant.
    let pat: Vec<&Event> = w.events.iter().filter(|e| e.subject == p(PAT)).collect();
    assert_eq!(pat.len(), 4);
    assert_eq!(pat[2].kind, check_out(ROOFING));
    assert_eq!(pat[3].kind, EventKind::ClockOut);
    assert_eq!(pat[2].at, pat[3].at);
}

/// Guards the proptests' strength: over a fixed seed, decisions of every kind
/// are accepted, so the invariants above are checked on real work, not only on
/// refusals.
#[test]
fn the_generator_reaches_every_kind_of_accepted_decision() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut accepted = [0usize; 15];
    for _ in 0..256 {
        let Ok(tree) = proptest::collection::vec(step(), 1..60).new_tree(&mut runner) else {
            panic!("strategy failed");
        };
        let mut w = World::new();
        for s in &tree.current() {
            w.now += TimeDelta::minutes(s.advance_minutes);
            let (actor, intent) = w.intent(s, true);
            if let Ok(d) = w.decide(actor, intent) {
                accepted[s.kind as usize] += 1;
                w.record(d);
            }
        }
    }
    assert!(
        accepted.iter().all(|&n| n > 0),
        "accepted per kind: {accepted:?}"
    );
}
