//! Hub roster benchmark: `cargo bench --bench hub_roster`.
//!
//! One device's roster shows an organisation of 10,000 people (9,000 person
//! entries in four groups and 20 whole teams of a lead and 49 crew), each with a
//! badge and a PIN verifier, half of them limited to two of 20 jobs; about 26,000
//! events (through the hub's ingest, a few of them late or corrections) make the
//! statuses non-trivial. An in-process hub serves it over loopback HTTP. Measured,
//! p50 and p99 of 200 requests each (100 for cold builds):
//! - `If-None-Match` with the current tag → 304;
//! - the full roster after one person on it punched (the device's cached document
//!   is patched with that person's new state);
//! - the full roster again under the same tag (the cached document is sent);
//! - the full roster after an admin change to a person on it (100 changes, in
//!   turn: rename, role change, PIN change, archive, unarchive, each through the
//!   store's admin writes): the cached document is brought up to date from the
//!   organisation's change log; checked against a fresh build at the end;
//! - the full roster after an unrecorded change (the organisation's version
//!   bumped by bare SQL, which the change log cannot account for): built whole
//!   from the store and serialised, as after a restart or when the cache forgot
//!   the device;
//! - in-process, without HTTP: building the roster from the store, and serialising it.
//!
//! The patched document is checked against a fresh build at the end.
//!
//! The process's CPU time per whole build (hub and client) and per in-process
//! build is printed too: unlike the wall clock, it does not grow with the load
//! other processes put on the machine.
//!
//! "Server time" is the handler's own `Server-Timing: roster;dur=MS` header; the
//! HTTP round trip (to the last byte of the body) is printed beside it. Targets:
//! 304 under 1 ms and the full roster under 50 ms of server time, at p99, after
//! a punch, after an admin change, and built whole.
//!
//! Runs on SQLite (a temp file under `TAPIN_BENCH_DIR`, default the system temp
//! dir), and on PostgreSQL too when `TAPIN_TEST_POSTGRES_URL` is set. Exits
//! non-zero when a SQLite target is missed, unless `TAPIN_BENCH_NO_FAIL` is set.

#[path = "../tests/hub_support/mod.rs"]
mod hub_support;

mod hub_bench;

use std::time::{Duration, Instant};

use chrono::Utc;
use hub_bench::{Spread, placeholders, spread, writer_pool};
use hub_support::{Hub, enrolled_device, event, fetch_roster, get_roster, post_events, statuses};
use tapin::domain::{
    DeviceId, Event, EventKind, Job, JobId, PersonId, Preset, Role, RoleId, TeamId,
};
use tapin::hub::store::admin::{AuditEntry, PinWrite};
use tapin::hub::{HubConfig, Store};
use tapin::wire::{EnrollResponse, OrgId, RosterEntry, RosterItem};

const PEOPLE: usize = 10_000;
const TEAMS: usize = 20;
const CREW: usize = 49;
const JOBS: usize = 20;
const REQUESTS: usize = 200;
const COLD_REQUESTS: usize = 100;
const TARGET_304: Duration = Duration::from_millis(1);
const TARGET_FULL: Duration = Duration::from_millis(50);

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() -> anyhow::Result<()> {
    hub_bench::main("roster", run)
}

/// The organisation as set up.
struct Fixture {
    org: OrgId,
    /// Everyone, person entries first, then each team's lead and crew.
    people: Vec<PersonId>,
    /// Each person's jobs: `None` for all jobs.
    access: Vec<Option<[JobId; 2]>>,
    jobs: Vec<JobId>,
    roles: Vec<RoleId>,
    entries: Vec<RosterEntry>,
}

/// Returns whether the targets were met.
async fn run(label: &str, url: &str) -> anyhow::Result<bool> {
    let config = HubConfig {
        device_rate_per_sec: 1_000_000.0,
        device_burst: 1_000_000,
        enroll_burst: 1_000,
        ..HubConfig::default()
    };
    let hub = Hub::start_with(url, config).await;
    let store = &hub.store;
    let setup = Instant::now();
    let fx = organisation(store, url).await?;
    let kiosk = enrolled_device(&hub, fx.org, "roster kiosk").await;
    let feeder = enrolled_device(&hub, fx.org, "feeder").await;
    store
        .set_roster(fx.org, kiosk.device_id, &fx.entries)
        .await?;

    // The day so far, through ingest: statuses of every kind.
    let mut seq = 0u64;
    let events = day(&fx, feeder.device_id, &mut seq);
    let posted = events.len();
    for batch in events.chunks(500) {
        post(&hub, &feeder, batch).await?;
    }
    // Table statistics, as a database in service has them (PostgreSQL plans the
    // roster's joins badly on the empty tables' statistics otherwise).
    let admin = writer_pool(url).await?;
    sqlx::query("ANALYZE").execute(&admin).await?;
    println!(
        "{label}: set up {PEOPLE} people, {} roster entries, {posted} events in {:.1} s",
        fx.entries.len(),
        setup.elapsed().as_secs_f64()
    );

    let get =
        async |etag: Option<&str>| -> anyhow::Result<(u16, String, usize, Duration, Duration)> {
            let t = Instant::now();
            let resp = get_roster(&hub, &kiosk.device_token, etag).await;
            let status = resp.status().as_u16();
            let etag = header(&resp, "etag")?;
            let server = server_timing(&resp)?;
            let bytes = resp.bytes().await?.len();
            Ok((status, etag, bytes, server, t.elapsed()))
        };

    // Warm up (connections, page cache), and learn the tag.
    let (_, mut etag, size, _, _) = get(None).await?;
    for _ in 0..20 {
        get(Some(&etag)).await?;
    }

    // (a) 304.
    let (mut server, mut round) = (Vec::new(), Vec::new());
    for _ in 0..REQUESTS {
        let (status, _, _, s, r) = get(Some(&etag)).await?;
        anyhow::ensure!(status == 304, "expected 304, got {status}");
        server.push(s);
        round.push(r);
    }
    let not_modified = (spread(server), spread(round));

    // (b) the full roster after a punch of someone on it, (c) again, same tag.
    let (mut server, mut round, mut cached_server, mut cached_round) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let now = Utc::now();
    for i in 0..REQUESTS {
        let person = fx.people[(i * 37) % PEOPLE];
        seq += 1;
        let kind = if i % 2 == 0 {
            EventKind::BreakStart
        } else {
            EventKind::BreakEnd
        };
        let punch = event(feeder.device_id, seq, person, kind, now);
        post(&hub, &feeder, std::slice::from_ref(&punch)).await?;
        let (status, new_tag, _, s, r) = get(Some(&etag)).await?;
        anyhow::ensure!(status == 200, "expected a new roster, got {status}");
        anyhow::ensure!(new_tag != etag, "a punch left the tag as it was");
        etag = new_tag;
        server.push(s);
        round.push(r);
        let (status, same, _, s, r) = get(None).await?;
        anyhow::ensure!(status == 200 && same == etag, "the tag moved by itself");
        cached_server.push(s);
        cached_round.push(r);
    }
    let full = (spread(server), spread(round));
    let cached = (spread(cached_server), spread(cached_round));

    // The patched document is the roster a fresh build makes.
    ensure_fresh(
        &hub,
        fx.org,
        &kiosk,
        "the patched roster differs from a fresh build",
    )
    .await?;

    // (d) the full roster after an admin change to someone on it.
    let (mut server, mut round) = (Vec::new(), Vec::new());
    for i in 0..COLD_REQUESTS {
        // Five changes in a row to one person: rename, role, PIN, archive, unarchive.
        let person = fx.people[(i / 5 * 53) % PEOPLE];
        admin_change(store, &fx, person, i).await?;
        let (status, new_tag, _, s, r) = get(Some(&etag)).await?;
        anyhow::ensure!(status == 200 && new_tag != etag, "expected a new roster");
        etag = new_tag;
        server.push(s);
        round.push(r);
    }
    let admin_changed = (spread(server), spread(round));
    ensure_fresh(
        &hub,
        fx.org,
        &kiosk,
        "the roster brought up to date differs from a fresh build",
    )
    .await?;

    // (e) the full roster after an unrecorded change: a whole build.
    let bump = admin;
    let (mut server, mut round) = (Vec::new(), Vec::new());
    let cpu_before = cpu_time();
    for _ in 0..COLD_REQUESTS {
        sqlx::query("UPDATE orgs SET version = version + 1 WHERE id = $1")
            .bind(fx.org.to_string())
            .execute(&bump)
            .await?;
        let (status, new_tag, _, s, r) = get(Some(&etag)).await?;
        anyhow::ensure!(status == 200 && new_tag != etag, "expected a new roster");
        etag = new_tag;
        server.push(s);
        round.push(r);
    }
    let cold_cpu = per_round(cpu_before, COLD_REQUESTS);
    bump.close().await;
    let cold = (spread(server), spread(round));

    // (d) in process: the store's build, and serialising it.
    let (mut build, mut encode) = (Vec::new(), Vec::new());
    let cpu_before = cpu_time();
    for _ in 0..REQUESTS {
        let t = Instant::now();
        let snapshot = store
            .roster_snapshot(fx.org, kiosk.device_id, Utc::now())
            .await?;
        build.push(t.elapsed());
        let t = Instant::now();
        let body = serde_json::to_vec(&snapshot.roster)?;
        encode.push(t.elapsed());
        anyhow::ensure!(
            body.len() > PEOPLE * 100,
            "a roster of {} bytes",
            body.len()
        );
    }
    let build_cpu = per_round(cpu_before, REQUESTS);
    let (build, encode) = (spread(build), spread(encode));

    let met_304 = not_modified.0.p99 < TARGET_304;
    let met_full = full.0.p99 < TARGET_FULL;
    let met_admin = admin_changed.0.p99 < TARGET_FULL;
    let met_cold = cold.0.p99 < TARGET_FULL;
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    println!(
        "{label}: roster of {PEOPLE} people, {:.1} MB; {REQUESTS} requests each",
        size as f64 / 1e6
    );
    println!(
        "{label}: {:<46} {:>10} {:>10}   {:<10} p99 vs target",
        "what", "p50", "p99", "target"
    );
    let row = |what: &str, s: Spread, target: &str, verdict: &str| {
        println!(
            "{label}: {what:<46} {:>10} {:>10}   {target:<10} {verdict}",
            ms(s.p50),
            ms(s.p99)
        );
    };
    row(
        "304 If-None-Match, server",
        not_modified.0,
        "< 1 ms",
        verdict(met_304),
    );
    row("304 If-None-Match, HTTP round trip", not_modified.1, "", "");
    row(
        "full roster after a punch, server",
        full.0,
        "< 50 ms",
        verdict(met_full),
    );
    row("full roster after a punch, HTTP round trip", full.1, "", "");
    row(
        "full roster, same tag (cached body), server",
        cached.0,
        "",
        "",
    );
    row("full roster, same tag, HTTP round trip", cached.1, "", "");
    row(
        "full roster after an admin change, server",
        admin_changed.0,
        "< 50 ms",
        verdict(met_admin),
    );
    row(
        "full roster after an admin change, HTTP round trip",
        admin_changed.1,
        "",
        "",
    );
    row(
        "full roster, whole build (unrecorded change), server",
        cold.0,
        "< 50 ms",
        verdict(met_cold),
    );
    row("full roster, whole build, HTTP round trip", cold.1, "", "");
    row("in-process: store build (one snapshot)", build, "", "");
    row("in-process: serialise to JSON", encode, "", "");
    // CPU time does not grow with other processes' load as the wall clock does.
    let cpu = |what: &str, t: Option<Duration>| match t {
        Some(t) => println!("{label}: {what:<46} {:>10}", ms(t)),
        None => println!("{label}: {what:<46} {:>10}", "n/a"),
    };
    cpu("whole build, process CPU per request", cold_cpu);
    cpu("in-process build + serialise, CPU per build", build_cpu);

    let store = store.clone();
    hub.stop().await;
    store.close().await;
    Ok(met_304 && met_full && met_admin && met_cold)
}

/// The `step`th admin change to `person`, through the store's admin writes: in
/// turn rename, role change, PIN change, archive, unarchive.
async fn admin_change(
    store: &Store,
    fx: &Fixture,
    person: PersonId,
    step: usize,
) -> anyhow::Result<()> {
    let before = store
        .person_of(fx.org, person)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no person {person}"))?
        .person;
    let mut after = before.clone();
    let mut pin = PinWrite::Keep;
    match step % 5 {
        0 => after.name = format!("{} (renamed {step})", before.name),
        1 => {
            let at = fx.roles.iter().position(|r| *r == before.role).unwrap_or(0);
            after.role = fx.roles[(at + 1) % fx.roles.len()];
        }
        2 => {
            pin = PinWrite::Set(format!(
                "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA{step:06}$bmV3aGFzaG5ld2hhc2huZXdoYXNo{step:06}"
            ))
        }
        3 => after.archived = true,
        _ => after.archived = false,
    }
    let entry = AuditEntry::new(uuid::Uuid::nil(), "bench.person.edit", person);
    store
        .update_person(fx.org, &before, &after, pin, &entry)
        .await?;
    Ok(())
}

/// The roster `device` is served is the one a fresh build makes; `what`
/// otherwise.
async fn ensure_fresh(
    hub: &Hub,
    org: OrgId,
    device: &EnrollResponse,
    what: &str,
) -> anyhow::Result<()> {
    let served = fetch_roster(hub, &device.device_token).await;
    let fresh = hub
        .store
        .roster_snapshot(org, device.device_id, Utc::now())
        .await?
        .roster;
    anyhow::ensure!(
        served.version == fresh.version
            && served.people == fresh.people
            && served.entries == fresh.entries
            && served.directory == fresh.directory,
        "{what}"
    );
    Ok(())
}

fn header(resp: &reqwest::Response, name: &str) -> anyhow::Result<String> {
    Ok(resp
        .headers()
        .get(name)
        .ok_or_else(|| anyhow::anyhow!("no {name} header"))?
        .to_str()?
        .to_owned())
}

/// The process's CPU time (user and system, every thread) from
/// `/proc/self/stat`, in clock ticks of 10 ms (Linux's `USER_HZ`); `None` where
/// there is no such file.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces): `utime` and
    // `stime` are the 14th and 15th of the line.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The CPU time since `before`, per round of `rounds`.
fn per_round(before: Option<Duration>, rounds: usize) -> Option<Duration> {
    let spent = cpu_time()?.checked_sub(before?)?;
    Some(spent / u32::try_from(rounds).ok()?)
}

/// The handler's time, from `Server-Timing: roster;dur=MS`.
fn server_timing(resp: &reqwest::Response) -> anyhow::Result<Duration> {
    let value = header(resp, "server-timing")?;
    let ms: f64 = value
        .split(';')
        .find_map(|part| part.trim().strip_prefix("dur="))
        .ok_or_else(|| anyhow::anyhow!("no dur in {value:?}"))?
        .parse()?;
    Ok(Duration::from_secs_f64(ms / 1e3))
}

/// Posts `events` from `device`: all must be accepted.
async fn post(hub: &Hub, device: &EnrollResponse, events: &[Event]) -> anyhow::Result<()> {
    let (status, body) = post_events(hub, &device.device_token, events).await;
    anyhow::ensure!(
        status.is_success() && statuses(&body) == vec!["accepted"; events.len()],
        "{status}: not all {} accepted",
        events.len()
    );
    Ok(())
}

/// Everyone clocks in; most check in to a job; some go on a break, some clock
/// out; a few late clock-ins and corrections.
fn day(fx: &Fixture, device: DeviceId, seq: &mut u64) -> Vec<Event> {
    let start = Utc::now() - chrono::Duration::hours(8);
    let mut out = Vec::new();
    let mut next = |person: PersonId, kind: EventKind, minutes: i64| {
        *seq += 1;
        event(
            device,
            *seq,
            person,
            kind,
            start + chrono::Duration::minutes(minutes),
        )
    };
    for (i, &person) in fx.people.iter().enumerate() {
        let clock_in = next(person, EventKind::ClockIn, (i % 60) as i64);
        let clock_in_id = clock_in.id;
        out.push(clock_in);
        let job = match fx.access[i] {
            Some(jobs) => jobs[i % 2],
            None => fx.jobs[i % JOBS],
        };
        match i % 10 {
            0..=5 => out.push(next(person, EventKind::CheckIn { job }, 90)),
            6 | 7 => out.push(next(person, EventKind::BreakStart, 120)),
            8 => out.push(next(person, EventKind::ClockOut, 240)),
            _ => {
                out.push(next(person, EventKind::ClockOut, 240));
                // A late clock-in from an offline kiosk, and a correction.
                out.push(next(person, EventKind::ClockIn, 200));
                out.push(next(
                    person,
                    EventKind::Correction {
                        corrects: clock_in_id,
                        new_time: start + chrono::Duration::minutes(75),
                        reason: "badge did not read".into(),
                    },
                    300,
                ));
            }
        }
    }
    out
}

/// Roles, jobs, 10,000 people (bulk SQL: one transaction) with their teams and
/// job access, and the roster entries showing all of them.
async fn organisation(store: &Store, url: &str) -> anyhow::Result<Fixture> {
    let org = store
        .init_org(&format!("bench-roster-{}", uuid::Uuid::now_v7()))
        .await?;
    let mut roles = Vec::new();
    for preset in [Preset::User, Preset::Supervisor, Preset::Manager] {
        let role = Role::preset(preset, RoleId::new());
        store.add_role(org.id, &role).await?;
        roles.push(role.id);
    }
    let mut jobs = Vec::new();
    for j in 0..JOBS {
        let job = Job {
            id: JobId::new(),
            name: format!("Job {j:02}"),
            archived: false,
        };
        store.add_job(org.id, &job).await?;
        jobs.push(job.id);
    }
    let singles = PEOPLE - TEAMS * (CREW + 1);
    let people: Vec<PersonId> = (0..PEOPLE).map(|_| PersonId::new()).collect();
    let teams: Vec<TeamId> = (0..TEAMS).map(|_| TeamId::new()).collect();
    let access: Vec<Option<[JobId; 2]>> = (0..PEOPLE)
        .map(|i| (i % 2 == 1).then(|| [jobs[i % JOBS], jobs[(i + 7) % JOBS]]))
        .collect();

    let sqlite = url.starts_with("sqlite:");
    let pool = writer_pool(url).await?;
    let org_s = org.id.to_string();
    let created = Utc::now().timestamp_micros();
    let mut tx = pool.begin().await?;
    for (t, team) in teams.iter().enumerate() {
        sqlx::query("INSERT INTO teams (id, org_id, name, lead_id) VALUES ($1, $2, $3, $4)")
            .bind(team.to_string())
            .bind(&org_s)
            .bind(format!("Crew {t:02}"))
            .bind(people[singles + t * (CREW + 1)].to_string())
            .execute(&mut *tx)
            .await?;
    }
    const COLS: usize = 11;
    for (c, chunk) in people.chunks(1_000).enumerate() {
        let sql = format!(
            "INSERT INTO people (id, org_id, name, badge, mode, team_id, role_id, archived, \
             all_jobs, pin_verifier, created_at) VALUES {}",
            placeholders(sqlite, chunk.len(), COLS)
        );
        let mut q = sqlx::query(&sql);
        for (k, person) in chunk.iter().enumerate() {
            let i = c * 1_000 + k;
            let (mode, team) = if i < singles {
                ("personal", None)
            } else {
                let t = (i - singles) / (CREW + 1);
                let lead = (i - singles).is_multiple_of(CREW + 1);
                (
                    if lead { "team_lead" } else { "team_member" },
                    Some(teams[t].to_string()),
                )
            };
            q = q
                .bind(person.to_string())
                .bind(org_s.clone())
                .bind(format!("Person {i:05} Lastname-{}", i * 7919 % 10_007))
                .bind(format!("B{i:06}"))
                .bind(mode)
                .bind(team)
                .bind(roles[i % roles.len()].to_string())
                .bind(0_i64)
                .bind(i64::from(access[i].is_none()))
                .bind(format!(
                    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ{i:06}$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g{i:06}"
                ))
                .bind(created);
        }
        q.execute(&mut *tx).await?;
    }
    for (t, team) in teams.iter().enumerate() {
        let first = singles + t * (CREW + 1) + 1;
        let sql = format!(
            "INSERT INTO team_members (org_id, team_id, person_id, position) VALUES {}",
            placeholders(sqlite, CREW, 4)
        );
        let mut q = sqlx::query(&sql);
        for (pos, person) in people[first..first + CREW].iter().enumerate() {
            q = q
                .bind(org_s.clone())
                .bind(team.to_string())
                .bind(person.to_string())
                .bind(pos as i64);
        }
        q.execute(&mut *tx).await?;
    }
    let limited: Vec<(usize, [JobId; 2])> = access
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.map(|a| (i, a)))
        .collect();
    for chunk in limited.chunks(1_000) {
        let sql = format!(
            "INSERT INTO person_jobs (org_id, person_id, job_id) VALUES {}",
            placeholders(sqlite, chunk.len() * 2, 3)
        );
        let mut q = sqlx::query(&sql);
        for (i, pair) in chunk {
            for job in pair {
                q = q
                    .bind(org_s.clone())
                    .bind(people[*i].to_string())
                    .bind(job.to_string());
            }
        }
        q.execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE orgs SET version = version + 1 WHERE id = $1")
        .bind(&org_s)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    pool.close().await;

    let groups = ["Floor", "Office", "Yard", "Night"];
    let mut entries: Vec<RosterEntry> = people[..singles]
        .iter()
        .enumerate()
        .map(|(i, p)| RosterEntry {
            group: Some(groups[i % groups.len()].to_owned()),
            item: RosterItem::Person(*p),
        })
        .collect();
    entries.extend(teams.iter().map(|t| RosterEntry {
        group: Some("Crews".to_owned()),
        item: RosterItem::Team(*t),
    }));
    Ok(Fixture {
        org: org.id,
        people,
        access,
        jobs,
        roles,
        entries,
    })
}
