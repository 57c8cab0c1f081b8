//! A whole roster build's reads on SQLite, through rusqlite on read-only
//! connections of its own: sqlx hands SQLite rows over one at a time from a
//! worker thread and converts each to an `AnyRow`, which made a 10,000-person
//! roster's reads take 70–150 ms instead of about 15.
//!
//! Guarantees: the same rows as [`super::roster_read::build_reads`] (same
//! queries, same choice of teams and people, same trust rule for status rows), read
//! in one read transaction (one WAL snapshot); a status row that cannot be
//! trusted is folded from the person's events in that same snapshot, as
//! [`super::status::fold_people`] does. The connections only read
//! (`SQLITE_OPEN_READ_ONLY`).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Row, params_from_iter};

use super::RosterHead;
use super::error::{StoreError, StoreResult};
use super::events::parse_body;
use super::orgs::settings_from;
use super::roster_read::{BuildReads, LoadedPeople, entry_people, pick_teams, wanted};
use super::sql;
use super::status::{STATUS_COLS, Status, UNCOUNTED_EVENTS, trusted};
use crate::domain::{
    Clock, DeviceId, Event, Job, JobAccess, JobId, OnJob, Person, PersonId, PunchState, RightSet,
    Role, RoleId, Team, TeamId, TrackingMode, replay,
};
use crate::wire::{RosterEntry, RosterItem};

/// Idle connections kept open at most.
const KEEP: usize = 4;

/// Read-only rusqlite connections to the hub's SQLite file.
#[derive(Debug)]
pub(super) struct LiteReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl LiteReader {
    pub(super) fn new(path: PathBuf) -> Arc<LiteReader> {
        Arc::new(LiteReader {
            path,
            idle: Mutex::new(Vec::new()),
        })
    }

    fn take(&self) -> StoreResult<Connection> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        if let Some(conn) = idle {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .lite("opening the SQLite database for roster reads")?;
        conn.busy_timeout(Duration::from_secs(5))
            .lite("setting a busy timeout")?;
        conn.execute_batch("PRAGMA cache_size = -65536;")
            .lite("setting the cache size")?;
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < KEEP {
            idle.push(conn);
        }
    }

    /// [`super::roster_read::build_reads`], on a blocking thread.
    pub(super) async fn build_reads(
        self: &Arc<Self>,
        org: String,
        device: DeviceId,
    ) -> StoreResult<BuildReads> {
        let me = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let conn = me.take()?;
            let result = read_all(&conn, &org, device);
            // A connection whose transaction could not end is not reused.
            if !conn.is_autocommit() {
                return result;
            }
            me.give_back(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Corrupt {
            context: "reading a roster",
            detail: format!("the reading task failed: {e}"),
        })?
    }
}

trait Lite<T> {
    fn lite(self, context: &'static str) -> StoreResult<T>;
}

impl<T> Lite<T> for rusqlite::Result<T> {
    fn lite(self, context: &'static str) -> StoreResult<T> {
        self.map_err(|source| StoreError::Lite { context, source })
    }
}

fn read_all(conn: &Connection, org: &str, device: DeviceId) -> StoreResult<BuildReads> {
    let tx = conn
        .unchecked_transaction()
        .lite("starting a read transaction")?;
    let reads = read_in(&tx, org, device)?;
    tx.commit().lite("ending a read transaction")?;
    Ok(reads)
}

fn read_in(conn: &Connection, org: &str, device: DeviceId) -> StoreResult<BuildReads> {
    let dev = device.to_string();
    let (head, settings) = conn
        .query_row(
            "SELECT o.version, d.roster_version, o.status_seq, o.date_lock, \
             o.utc_offset_secs FROM devices d JOIN orgs o ON o.id = d.org_id \
             WHERE d.org_id = ?1 AND d.id = ?2",
            [org, dev.as_str()],
            |row| {
                let head = RosterHead {
                    org_version: row.get(0)?,
                    roster_version: row.get(1)?,
                    status_seq: row.get(2)?,
                };
                let lock: Option<String> = row.get(3)?;
                let offset: i64 = row.get(4)?;
                Ok((head, lock, offset))
            },
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound("device"),
            source => StoreError::Lite {
                context: "reading a roster's version",
                source,
            },
        })
        .and_then(|(head, lock, offset)| Ok((head, settings_from(lock, offset)?)))?;

    let mut stmt = conn
        .prepare_cached(
            "SELECT group_name, person_id, team_id FROM roster_entries \
             WHERE org_id = ?1 AND device_id = ?2 ORDER BY position",
        )
        .lite("reading a device's roster")?;
    let mut rows = stmt
        .query([org, dev.as_str()])
        .lite("reading a device's roster")?;
    let mut stored_entries = Vec::new();
    while let Some(row) = rows.next().lite("reading a device's roster")? {
        stored_entries.push(entry(row)?);
    }

    let entry_people = entry_people(&stored_entries);
    let stored_teams = teams(conn, org, &stored_entries, &entry_people)?;
    let wanted = wanted(&stored_entries, &stored_teams);
    let loaded = people(conn, org, &wanted)?;
    let role_ids: BTreeSet<RoleId> = loaded.people.iter().map(|p| p.role).collect();
    let roles = roles(conn, org, &role_ids)?;
    let jobs = jobs(conn, org)?;
    Ok(BuildReads {
        head,
        settings,
        stored_entries,
        stored_teams,
        wanted,
        loaded,
        roles,
        jobs,
    })
}

/// Column `i` as text, or `None` for NULL.
fn text<'r>(row: &'r Row<'_>, i: usize, context: &'static str) -> StoreResult<Option<&'r str>> {
    match row.get_ref(i).lite(context)? {
        ValueRef::Null => Ok(None),
        v => v.as_str().map(Some).map_err(|e| StoreError::Corrupt {
            context,
            detail: e.to_string(),
        }),
    }
}

fn must_text<'r>(row: &'r Row<'_>, i: usize, context: &'static str) -> StoreResult<&'r str> {
    text(row, i, context)?.ok_or_else(|| StoreError::Corrupt {
        context,
        detail: "NULL".to_owned(),
    })
}

fn int(row: &Row<'_>, i: usize, context: &'static str) -> StoreResult<Option<i64>> {
    row.get::<_, Option<i64>>(i).lite(context)
}

fn must_int(row: &Row<'_>, i: usize, context: &'static str) -> StoreResult<i64> {
    row.get::<_, i64>(i).lite(context)
}

fn id(row: &Row<'_>, i: usize, context: &'static str) -> StoreResult<uuid::Uuid> {
    sql::uuid(must_text(row, i, context)?, context)
}

fn entry(row: &Row<'_>) -> StoreResult<RosterEntry> {
    let group = text(row, 0, "reading roster_entries.group_name")?.map(str::to_owned);
    let person = text(row, 1, "reading roster_entries.person_id")?;
    let team = text(row, 2, "reading roster_entries.team_id")?;
    let item = match (person, team) {
        (Some(p), _) => RosterItem::Person(PersonId(sql::uuid(p, "reading a roster entry")?)),
        (None, Some(t)) => RosterItem::Team(TeamId(sql::uuid(t, "reading a roster entry")?)),
        (None, None) => {
            return Err(StoreError::Corrupt {
                context: "reading a roster entry",
                detail: "neither a person nor a team".to_owned(),
            });
        }
    };
    Ok(RosterEntry { group, item })
}

/// `?` placeholders for `n` values.
fn marks(n: usize) -> String {
    let mut out = String::with_capacity(n * 2);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        out.push('?');
    }
    out
}

/// Runs `query(placeholders)` for `org` and each chunk of `ids`, calling `each`
/// on every row. Long lists are not kept prepared.
fn each_in(
    conn: &Connection,
    org: &str,
    ids: &[String],
    context: &'static str,
    query: impl Fn(&str) -> String,
    mut each: impl FnMut(&Row<'_>) -> StoreResult<()>,
) -> StoreResult<()> {
    for chunk in ids.chunks(sql::MAX_BINDS - 1) {
        let text = query(&marks(chunk.len()));
        let mut stmt = conn.prepare(&text).lite(context)?;
        let values = std::iter::once(org).chain(chunk.iter().map(String::as_str));
        let mut rows = stmt.query(params_from_iter(values)).lite(context)?;
        while let Some(row) = rows.next().lite(context)? {
            each(row)?;
        }
    }
    Ok(())
}

/// [`super::roster_read::teams_shown`].
fn teams(
    conn: &Connection,
    org: &str,
    entries: &[RosterEntry],
    entry_people: &HashSet<PersonId>,
) -> StoreResult<Vec<Team>> {
    let mut all = Vec::new();
    let mut stmt = conn
        .prepare_cached("SELECT id, name, lead_id FROM teams WHERE org_id = ?1")
        .lite("reading teams")?;
    let mut rows = stmt.query([org]).lite("reading teams")?;
    while let Some(row) = rows.next().lite("reading teams")? {
        all.push(Team {
            id: TeamId(id(row, 0, "reading teams.id")?),
            name: must_text(row, 1, "reading teams.name")?.to_owned(),
            lead: PersonId(id(row, 2, "reading teams.lead_id")?),
            members: Vec::new(),
        });
    }
    let mut out = pick_teams(all, entries, entry_people);
    let index: HashMap<TeamId, usize> = out.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let found: Vec<String> = out.iter().map(|t| t.id.to_string()).collect();
    each_in(
        conn,
        org,
        &found,
        "reading team members",
        |l| {
            format!(
                "SELECT team_id, person_id FROM team_members WHERE org_id = ? \
                 AND team_id IN ({l}) ORDER BY team_id, position"
            )
        },
        |row| {
            let team = TeamId(id(row, 0, "reading team_members.team_id")?);
            if let Some(&i) = index.get(&team) {
                out[i]
                    .members
                    .push(PersonId(id(row, 1, "reading team_members.person_id")?));
            }
            Ok(())
        },
    )?;
    Ok(out)
}

/// [`super::roster_read::load_people`].
fn people(conn: &Connection, org: &str, ids: &[PersonId]) -> StoreResult<LoadedPeople> {
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut people: HashMap<PersonId, Person> = HashMap::with_capacity(ids.len());
    let mut verifiers = HashMap::with_capacity(ids.len());
    let mut states = HashMap::with_capacity(ids.len());
    let mut seqs = HashMap::with_capacity(ids.len());
    let mut refold = Vec::new();
    let mut latest = 0;
    let mut limited: Vec<String> = Vec::new();
    each_in(
        conn,
        org,
        &texts,
        "reading people",
        |l| {
            format!(
                "SELECT p.id, p.name, p.badge, p.mode, p.team_id, p.role_id, p.archived, \
                 p.all_jobs, p.pin_verifier, {UNCOUNTED_EVENTS}, {STATUS_COLS} FROM people p \
                 LEFT JOIN person_status s ON s.person_id = p.id AND s.org_id = p.org_id \
                 WHERE p.org_id = ? AND p.archived = 0 AND p.id IN ({l})"
            )
        },
        |row| {
            let person = person(row)?;
            let id = person.id;
            let uncounted = must_int(row, 9, "reading a status check")?;
            let stored = status(row, 10)?;
            if let Some(s) = &stored {
                latest = latest.max(s.changed_seq);
                seqs.insert(id, s.changed_seq);
            }
            match trusted(stored.as_ref(), person.mode, uncounted != 0) {
                Some(state) => {
                    states.insert(id, state);
                }
                None => refold.push((id, person.mode)),
            }
            if matches!(person.jobs, JobAccess::Only(_)) {
                limited.push(id.to_string());
            }
            verifiers.insert(
                id,
                text(row, 8, "reading people.pin_verifier")?.map(str::to_owned),
            );
            people.insert(id, person);
            Ok(())
        },
    )?;
    each_in(
        conn,
        org,
        &limited,
        "reading job access",
        |l| {
            format!(
                "SELECT person_id, job_id FROM person_jobs WHERE org_id = ? AND person_id IN ({l})"
            )
        },
        |row| {
            let person = PersonId(id(row, 0, "reading person_jobs.person_id")?);
            let job = JobId(id(row, 1, "reading person_jobs.job_id")?);
            if let Some(Person {
                jobs: JobAccess::Only(jobs),
                ..
            }) = people.get_mut(&person)
            {
                jobs.insert(job);
            }
            Ok(())
        },
    )?;
    if !refold.is_empty() {
        states.extend(fold(conn, org, &refold)?);
    }
    let ordered = ids.iter().filter_map(|id| people.remove(id)).collect();
    Ok(LoadedPeople {
        people: ordered,
        verifiers,
        states,
        status: latest,
        seqs,
    })
}

/// A person from a row starting like `super::people::PERSON_COLS`.
fn person(row: &Row<'_>) -> StoreResult<Person> {
    let team = text(row, 4, "reading people.team_id")?;
    Ok(Person {
        id: PersonId(id(row, 0, "reading people.id")?),
        name: must_text(row, 1, "reading people.name")?.to_owned(),
        badge: text(row, 2, "reading people.badge")?.map(str::to_owned),
        mode: sql::from_name(
            must_text(row, 3, "reading people.mode")?,
            "reading people.mode",
        )?,
        team: team
            .map(|t| sql::uuid(t, "reading people.team_id").map(TeamId))
            .transpose()?,
        role: RoleId(id(row, 5, "reading people.role_id")?),
        archived: must_int(row, 6, "reading people.archived")? != 0,
        jobs: if must_int(row, 7, "reading people.all_jobs")? != 0 {
            JobAccess::All
        } else {
            JobAccess::Only(BTreeSet::new())
        },
    })
}

/// A status from the [`STATUS_COLS`] at `at`, as `super::status::decode` reads it.
fn status(row: &Row<'_>, at: usize) -> StoreResult<Option<Status>> {
    let Some(clock) = text(row, at + 1, "reading person_status.clock")? else {
        return Ok(None);
    };
    let instant = |i: usize, what: &'static str| -> StoreResult<DateTime<Utc>> {
        int(row, at + i, what)?
            .map(DateTime::from_timestamp_nanos)
            .ok_or_else(|| StoreError::Corrupt {
                context: what,
                detail: "missing".to_owned(),
            })
    };
    let clock = match clock {
        "out" => Clock::Out,
        "in" => Clock::In {
            since: instant(2, "reading person_status.clock_since_ns")?,
        },
        "on_break" => Clock::OnBreak {
            since: instant(2, "reading person_status.clock_since_ns")?,
            break_since: instant(3, "reading person_status.break_since_ns")?,
        },
        other => {
            return Err(StoreError::Corrupt {
                context: "reading person_status.clock",
                detail: format!("unknown clock {other:?}"),
            });
        }
    };
    let job = match text(row, at + 4, "reading person_status.job_id")? {
        Some(job) => Some(OnJob {
            job: JobId(sql::uuid(job, "reading person_status.job_id")?),
            since: instant(5, "reading person_status.job_since_ns")?,
        }),
        None => None,
    };
    let mode = text(row, at, "reading person_status.mode")?
        .map(|m| sql::from_name::<TrackingMode>(m, "reading person_status.mode"))
        .transpose()?;
    Ok(Some(Status {
        mode,
        state: PunchState {
            clock,
            job,
            last_punch: int(row, at + 6, "reading person_status.last_punch_ns")?
                .map(DateTime::from_timestamp_nanos),
        },
        max_at: int(row, at + 7, "reading person_status.max_at")?,
        dangling: must_int(row, at + 8, "reading person_status.dangling")? != 0,
        changed_seq: must_int(row, at + 9, "reading person_status.changed_seq")?,
    }))
}

/// [`super::status::fold_people`]: `people` folded from all their events.
fn fold(
    conn: &Connection,
    org: &str,
    people: &[(PersonId, TrackingMode)],
) -> StoreResult<HashMap<PersonId, PunchState>> {
    let ids: Vec<String> = people.iter().map(|(p, _)| p.to_string()).collect();
    let mut history: HashMap<PersonId, Vec<Event>> = HashMap::with_capacity(people.len());
    each_in(
        conn,
        org,
        &ids,
        "reading people's events",
        |l| format!("SELECT org_id, body FROM events WHERE org_id = ? AND subject IN ({l})"),
        |row| {
            if must_text(row, 0, "reading events.org_id")? != org {
                return Ok(());
            }
            let event = parse_body(must_text(row, 1, "reading events.body")?)?;
            history.entry(event.subject).or_default().push(event);
            Ok(())
        },
    )?;
    Ok(people
        .iter()
        .map(|&(person, mode)| {
            let mut events = history.remove(&person).unwrap_or_default();
            events.sort_by_key(|e| (e.at, e.seq, e.id));
            (person, replay(events.iter(), mode).state)
        })
        .collect())
}

/// [`super::roster_read::load_roles`].
fn roles(conn: &Connection, org: &str, ids: &BTreeSet<RoleId>) -> StoreResult<Vec<Role>> {
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut out = Vec::with_capacity(ids.len());
    each_in(
        conn,
        org,
        &texts,
        "reading roles",
        |l| {
            format!(
                "SELECT id, name, rank, rights, fixed, preset FROM roles WHERE org_id = ? \
                 AND id IN ({l})"
            )
        },
        |row| {
            let rank = must_int(row, 2, "reading roles.rank")?;
            let rights = must_text(row, 3, "reading roles.rights")?;
            out.push(Role {
                id: RoleId(id(row, 0, "reading roles.id")?),
                name: must_text(row, 1, "reading roles.name")?.to_owned(),
                rank: i32::try_from(rank).map_err(|_| StoreError::Corrupt {
                    context: "reading roles.rank",
                    detail: format!("rank {rank} out of range"),
                })?,
                rights: serde_json::from_str::<RightSet>(rights).map_err(|e| {
                    StoreError::Corrupt {
                        context: "reading roles.rights",
                        detail: e.to_string(),
                    }
                })?,
                fixed: must_int(row, 4, "reading roles.fixed")? != 0,
                preset: text(row, 5, "reading roles.preset")?
                    .map(|p| sql::from_name(p, "reading roles.preset"))
                    .transpose()?,
            });
            Ok(())
        },
    )?;
    Ok(out)
}

/// [`super::roster_read::active_jobs`].
fn jobs(conn: &Connection, org: &str) -> StoreResult<Vec<Job>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, name, archived FROM jobs WHERE org_id = ?1 AND archived = 0 ORDER BY name",
        )
        .lite("reading jobs")?;
    let mut rows = stmt.query([org]).lite("reading jobs")?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().lite("reading jobs")? {
        out.push(Job {
            id: JobId(id(row, 0, "reading jobs.id")?),
            name: must_text(row, 1, "reading jobs.name")?.to_owned(),
            archived: must_int(row, 2, "reading jobs.archived")? != 0,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::Utc;

    use super::super::Store;
    use crate::domain::{
        Actor, Event, EventId, EventKind, Job, JobAccess, JobId, Method, Person, PersonId, Preset,
        Role, RoleId, Team, TeamId, TrackingMode,
    };
    use crate::hub::roster_cache::{Known, RosterCache, warm};
    use crate::wire::{RosterEntry, RosterItem};

    fn person(name: &str, mode: TrackingMode, role: RoleId, jobs: JobAccess) -> Person {
        Person {
            id: PersonId::new(),
            name: name.to_owned(),
            badge: Some(format!("B-{name}")),
            mode,
            team: None,
            role,
            archived: false,
            jobs,
        }
    }

    /// The rusqlite reads give the roster the sqlx reads give: people of every
    /// kind, a team, job access, an archived person, statuses trusted, stale and
    /// of a changed mode; and warming at start caches enrolled kiosks only.
    #[tokio::test]
    async fn rusqlite_reads_give_the_sqlx_roster_and_warming_caches_it() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("hub.db").display());
        let store = Store::connect(&url).await.expect("a store");
        assert!(store.lite.is_some());
        let org = store.init_org("lite").await.expect("an org").id;
        let role = Role::preset(Preset::User, RoleId::new());
        store.add_role(org, &role).await.expect("a role");
        let job = Job {
            id: JobId::new(),
            name: "Weld".to_owned(),
            archived: false,
        };
        store.add_job(org, &job).await.expect("a job");
        let only = JobAccess::Only(BTreeSet::from([job.id]));
        let ana = person("ana", TrackingMode::Personal, role.id, JobAccess::All);
        let bo = person("bo", TrackingMode::Personal, role.id, only.clone());
        let lead = person("lead", TrackingMode::TeamLead, role.id, only);
        let crew = person("crew", TrackingMode::TeamMember, role.id, JobAccess::All);
        let mut gone = person("gone", TrackingMode::Individual, role.id, JobAccess::All);
        gone.archived = true;
        for p in [&ana, &bo, &lead, &crew, &gone] {
            store
                .add_person(org, p, Some(&format!("$argon2id$v=19${}", p.name)))
                .await
                .expect("a person");
        }
        let team = Team {
            id: TeamId::new(),
            name: "Crew".to_owned(),
            lead: lead.id,
            members: vec![crew.id],
        };
        store.add_team(org, &team).await.expect("a team");
        let kiosk = store
            .create_device(org, "kiosk", chrono::Duration::hours(1))
            .await
            .expect("a device");
        let unenrolled = store
            .create_device(org, "spare", chrono::Duration::hours(1))
            .await
            .expect("a device");
        store
            .enroll(
                &crate::hub::secret::normalize_code(&kiosk.enrollment_code).expect("a code"),
                None,
                Utc::now(),
            )
            .await
            .expect("enrolled");
        let entries = vec![
            RosterEntry {
                group: Some("Floor".to_owned()),
                item: RosterItem::Person(bo.id),
            },
            RosterEntry {
                group: None,
                item: RosterItem::Person(ana.id),
            },
            RosterEntry {
                group: None,
                item: RosterItem::Person(gone.id),
            },
            RosterEntry {
                group: Some("Crews".to_owned()),
                item: RosterItem::Team(team.id),
            },
        ];
        store
            .set_roster(org, kiosk.id, &entries)
            .await
            .expect("a roster");
        let start = Utc::now() - chrono::Duration::hours(2);
        let event = |seq: u64, subject: PersonId, kind: EventKind, minutes: i64| Event {
            id: EventId::new(),
            device: kiosk.id,
            seq,
            subject,
            actor: Actor::Kiosk(kiosk.id),
            method: Method::Badge,
            kind,
            at: start + chrono::Duration::minutes(minutes),
            utc_offset_secs: 0,
            note: None,
            needs_review: false,
            clock_offset_ms: None,
        };
        let events = vec![
            event(1, ana.id, EventKind::ClockIn, 0),
            event(2, bo.id, EventKind::ClockIn, 1),
            event(3, bo.id, EventKind::CheckIn { job: job.id }, 2),
            event(4, lead.id, EventKind::ClockIn, 3),
            event(5, lead.id, EventKind::BreakStart, 4),
        ];
        let none = |_: PersonId, _: &[Event]| std::collections::HashMap::new();
        store
            .ingest(org, kiosk.id, &events, Utc::now(), &none)
            .await
            .expect("ingested");
        // A stale row (an event it does not count) and a row of another mode:
        // both folded from the events at read.
        sqlx::query("UPDATE person_status SET max_at = max_at - 1000000 WHERE person_id = $1")
            .bind(bo.id.to_string())
            .execute(&store.write)
            .await
            .expect("a stale row");
        sqlx::query("UPDATE person_status SET mode = 'individual' WHERE person_id = $1")
            .bind(ana.id.to_string())
            .execute(&store.write)
            .await
            .expect("a row of another mode");

        let now = Utc::now();
        let lite = store
            .roster_snapshot(org, kiosk.id, now)
            .await
            .expect("lite");
        let mut plain = store.clone();
        plain.lite = None;
        let via_sqlx = plain
            .roster_snapshot(org, kiosk.id, now)
            .await
            .expect("sqlx");
        assert_eq!(lite.roster, via_sqlx.roster);
        assert_eq!(lite.tag, via_sqlx.tag);
        assert_eq!(lite.head, via_sqlx.head);
        assert_eq!(lite.shown, via_sqlx.shown);
        assert_eq!(lite.seqs, via_sqlx.seqs);
        assert_eq!(lite.stored_entries, via_sqlx.stored_entries);
        assert_eq!(lite.stored_teams, via_sqlx.stored_teams);
        assert_eq!(lite.wanted, via_sqlx.wanted);
        assert_eq!(lite.roster.people.len(), 4);
        let state = |id: PersonId| {
            lite.roster
                .people
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.state)
                .expect("shown")
        };
        assert!(state(ana.id).is_clocked_in());
        assert_eq!(state(bo.id).current_job(), Some(job.id));

        let cache = RosterCache::default();
        warm(&store, &cache).await;
        let head = store.roster_head(org, kiosk.id).await.expect("a head");
        assert_eq!(cache.known(kiosk.id, &head), Known::Tag(lite.tag));
        assert_eq!(cache.known(unenrolled.id, &head), Known::Nothing);
        store.close().await;
    }
}
