//! A backlog arriving late: one kiosk sends recent punches while another, back
//! from a long outage, drains older ones in batches, interleaved, with instants
//! that collide and a correction part-way. After every batch each person's stored
//! status (as the roster shows it, from a row that vouches for all their events)
//! equals the domain's replay of every event sent, for people with a workday clock
//! and for individual users. Runs on SQLite, and on PostgreSQL when
//! TAPIN_TEST_POSTGRES_URL is set.

mod hub_support;

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use hub_support::{
    Hub, enrolled_device, event, fetch_roster, org_with_people, person_entries, post_events,
    statuses,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use sqlx::Row;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use tapin::domain::{
    Event, EventKind, JobAccess, JobId, Person, PersonId, Preset, Role, RoleId, TrackingMode,
    replay,
};
use tapin::wire::{OrgId, RosterResponse};

/// A random punch (no correction) of `subject` at `at`.
fn punch(rng: &mut StdRng, job: JobId, mode: TrackingMode) -> EventKind {
    // Individual users mostly check in and out; the others mostly clock.
    let roll = rng.gen_range(0..10);
    match (mode.has_workday_clock(), roll) {
        (true, 0..=2) | (false, 0) => EventKind::ClockIn,
        (true, 3..=5) | (false, 1) => EventKind::ClockOut,
        (true, 6) => EventKind::BreakStart,
        (true, 7) => EventKind::BreakEnd,
        (_, 8) | (false, 2..=5) => EventKind::CheckIn { job },
        _ => EventKind::CheckOut { job },
    }
}

fn replayed(sent: &[Event], person: PersonId, mode: TrackingMode) -> tapin::domain::PunchState {
    let mut mine: Vec<&Event> = sent.iter().filter(|e| e.subject == person).collect();
    mine.sort_by_key(|e| (e.at, e.seq, e.id));
    replay(mine, mode).state
}

/// Each person's `person_status.max_at` in `org`.
async fn stored_max_at(url: &str, org: OrgId) -> HashMap<PersonId, Option<i64>> {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect_with(AnyConnectOptions::from_str(url).expect("db url"))
        .await
        .expect("connect");
    let rows = sqlx::query("SELECT person_id, max_at FROM person_status WHERE org_id = $1")
        .bind(org.to_string())
        .fetch_all(&pool)
        .await
        .expect("read person_status");
    pool.close().await;
    rows.iter()
        .map(|r| {
            let id: String = r.get(0);
            (PersonId(id.parse().expect("uuid")), r.get(1))
        })
        .collect()
}

async fn late_backlogs_leave_statuses_equal_to_a_replay(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 3).await;
    let role = Role {
        name: "Solo user".into(),
        ..Role::preset(Preset::User, RoleId::new())
    };
    hub.store.add_role(fx.org, &role).await.unwrap();
    let solo = Person {
        id: PersonId::new(),
        name: "Solo".into(),
        badge: Some("S1".into()),
        mode: TrackingMode::Individual,
        team: None,
        role: role.id,
        archived: false,
        jobs: JobAccess::All,
    };
    hub.store.add_person(fx.org, &solo, None).await.unwrap();
    let mut modes: HashMap<PersonId, TrackingMode> = fx
        .people
        .iter()
        .map(|p| (*p, TrackingMode::Personal))
        .collect();
    modes.insert(solo.id, TrackingMode::Individual);
    let people: Vec<PersonId> = fx.people.iter().copied().chain([solo.id]).collect();

    let recent = enrolled_device(&hub, fx.org, "recent").await;
    let late = enrolled_device(&hub, fx.org, "late").await;
    for device in [recent.device_id, late.device_id] {
        hub.store
            .set_roster(fx.org, device, &person_entries(&people))
            .await
            .unwrap();
    }

    let mut rng = StdRng::seed_from_u64(0x7a91);
    // Whole minutes, so the two kiosks' punches often share an instant.
    let t0 = Utc::now() - Duration::days(4);
    let minute = |m: i64| -> DateTime<Utc> { t0 + Duration::minutes(m) };
    let mut sent: Vec<Event> = Vec::new();
    let (mut recent_seq, mut late_seq) = (0, 0);
    let mut recent_at = 3_000;
    let mut late_at = 0;
    for round in 0..30 {
        let (device, token, seq, clock, step) = if round % 3 == 2 {
            (
                recent.device_id,
                &recent.device_token,
                &mut recent_seq,
                &mut recent_at,
                10,
            )
        } else {
            (
                late.device_id,
                &late.device_token,
                &mut late_seq,
                &mut late_at,
                90,
            )
        };
        let mut batch = Vec::new();
        for _ in 0..rng.gen_range(1..12) {
            let person = people[rng.gen_range(0..people.len())];
            *clock += rng.gen_range(0..step);
            *seq += 1;
            let kind = punch(&mut rng, fx.job, modes[&person]);
            batch.push(event(device, *seq, person, kind, minute(*clock)));
        }
        if round == 12 {
            // A correction moves someone's earliest punch to the end of the
            // backlog: from then on that person is refolded from all their events.
            if let Some(first) = sent.iter().find(|e| e.subject == people[0]).cloned() {
                *seq += 1;
                batch.push(event(
                    device,
                    *seq,
                    people[0],
                    EventKind::Correction {
                        corrects: first.id,
                        new_time: minute(2_900),
                        reason: "wrong day".into(),
                    },
                    minute(*clock),
                ));
            }
        }
        let (status, body) = post_events(&hub, token, &batch).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(statuses(&body).iter().all(|s| s == "accepted"), "{body}");
        sent.extend(batch);

        let roster: RosterResponse = fetch_roster(&hub, &recent.device_token).await;
        let max_at = stored_max_at(&url, fx.org).await;
        for p in &roster.people {
            let mode = modes[&p.id];
            assert_eq!(
                p.state,
                replayed(&sent, p.id, mode),
                "round {round}, {mode:?} person {}",
                p.id
            );
            let newest = sent
                .iter()
                .filter(|e| e.subject == p.id)
                .map(|e| e.at.timestamp_micros())
                .max();
            if newest.is_some() {
                assert_eq!(
                    max_at.get(&p.id).copied().flatten(),
                    newest,
                    "round {round}: the status row counts every event, so the roster read it"
                );
            }
        }
    }
    hub.stop().await;
}

on_both!(late_backlogs_leave_statuses_equal_to_a_replay);
