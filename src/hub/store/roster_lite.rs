//! A whole roster build's reads on SQLite, through rusqlite on read-only
//! connections of its own: sqlx hands SQLite rows over one at a time from a
//! worker thread and converts each to an `AnyRow`, which made a 10,000-person
//! roster's reads take 70–150 ms instead of about 15.
//!
//! Guarantees: the same rows as [`super::roster_read::build_reads`] (same
//! queries, same choice of teams and people, same decoders
//! ([`super::roster_cols`]) and same trust rule for status rows
//! ([`PeopleRows`])), read in one read transaction (one WAL snapshot); a status
//! row that cannot be trusted is folded from the person's events in that same
//! snapshot, as [`super::status::fold_people`] does. The connections only read
//! (`SQLITE_OPEN_READ_ONLY`) and map the file into memory, so a write by another
//! connection (which empties a connection's page cache) costs no copying of every
//! page again.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Row, params_from_iter};

use super::RosterHead;
use super::error::{StoreError, StoreResult};
use super::events::parse_body;
use super::orgs::settings_from;
use super::roster_cols::{self, Cols};
use super::roster_read::{
    BIND_AT_MOST, BuildReads, LoadedPeople, PeopleRows, entry_people, jobs_query, people_query,
    pick_teams, status_query, wanted,
};
use super::sql;
use crate::domain::{
    DeviceId, Event, Job, PersonId, PunchState, Role, RoleId, Team, TeamId, TrackingMode, replay,
};
use crate::wire::RosterEntry;

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
        // Mapped pages survive the cache reset every write by another connection
        // causes; the page cache holds what the map does not.
        conn.execute_batch("PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824;")
            .lite("setting the cache and map sizes")?;
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
        .prepare_cached(
            "SELECT o.version, d.roster_version, o.status_seq, o.date_lock, \
             o.utc_offset_secs FROM devices d JOIN orgs o ON o.id = d.org_id \
             WHERE d.org_id = ?1 AND d.id = ?2",
        )
        .lite("reading a roster's version")?
        .query_row([org, dev.as_str()], |row| {
            let head = RosterHead {
                org_version: row.get(0)?,
                roster_version: row.get(1)?,
                status_seq: row.get(2)?,
            };
            let lock: Option<String> = row.get(3)?;
            let offset: i64 = row.get(4)?;
            Ok((head, lock, offset))
        })
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound("device"),
            source => StoreError::Lite {
                context: "reading a roster's version",
                source,
            },
        })
        .and_then(|(head, lock, offset)| Ok((head, settings_from(lock, offset)?)))?;

    let mut stored_entries = Vec::new();
    each(
        conn,
        "SELECT group_name, person_id, team_id FROM roster_entries \
         WHERE org_id = ?1 AND device_id = ?2 ORDER BY position",
        &[org, dev.as_str()],
        "reading a device's roster",
        |row| {
            stored_entries.push(roster_cols::entry(row)?);
            Ok(())
        },
    )?;
    let entry_people = entry_people(&stored_entries);
    let stored_teams = teams(conn, org, &stored_entries, &entry_people)?;
    let wanted = wanted(&stored_entries, &stored_teams);
    let loaded = people(conn, org, &wanted)?;
    let role_ids: BTreeSet<RoleId> = loaded.people.iter().map(|l| l.person.role).collect();
    let roles = roles(conn, org, &role_ids)?;
    let mut jobs: Vec<Job> = Vec::new();
    each(
        conn,
        "SELECT id, name, archived FROM jobs WHERE org_id = ?1 AND archived = 0 ORDER BY name",
        &[org],
        "reading jobs",
        |row| {
            jobs.push(roster_cols::job(row)?);
            Ok(())
        },
    )?;
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

/// Runs `query` (kept prepared) with `params`, calling `each` on every row.
fn each(
    conn: &Connection,
    query: &str,
    params: &[&str],
    context: &'static str,
    mut each: impl FnMut(&Row<'_>) -> StoreResult<()>,
) -> StoreResult<()> {
    let mut stmt = conn.prepare_cached(query).lite(context)?;
    let mut rows = stmt.query(params_from_iter(params)).lite(context)?;
    while let Some(row) = rows.next().lite(context)? {
        each(row)?;
    }
    Ok(())
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
    each(
        conn,
        "SELECT id, name, lead_id FROM teams WHERE org_id = ?1",
        &[org],
        "reading teams",
        |row| {
            all.push(roster_cols::team(row)?);
            Ok(())
        },
    )?;
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
            let (team, person) = roster_cols::member(row)?;
            if let Some(&i) = index.get(&team) {
                out[i].members.push(person);
            }
            Ok(())
        },
    )?;
    Ok(out)
}

/// [`super::roster_read::load_people`].
fn people(conn: &Connection, org: &str, ids: &[PersonId]) -> StoreResult<LoadedPeople> {
    let mut gathered = PeopleRows::new(ids);
    // Bound only when short (see `BIND_AT_MOST`).
    let texts: Option<Vec<String>> =
        (ids.len() <= BIND_AT_MOST).then(|| ids.iter().map(ToString::to_string).collect());
    let bound = texts.as_deref();
    each_person_row(conn, org, bound, "reading people", people_query, |row| {
        gathered.take(row)
    })?;
    each_person_row(conn, org, bound, "reading statuses", status_query, |row| {
        gathered.take_status(row)
    })?;
    gathered.statuses_read();
    let limited = gathered.limited();
    each_person_row(
        conn,
        org,
        limited.as_deref(),
        "reading job access",
        jobs_query,
        |row| gathered.grant(row),
    )?;
    if !gathered.refold().is_empty() {
        let folded = fold(conn, org, gathered.refold())?;
        gathered.folded(folded);
    }
    Ok(gathered.finish())
}

/// Each row of `query` for the people of `ids` (bound in chunks), or for the
/// whole organisation when `ids` is `None`.
fn each_person_row(
    conn: &Connection,
    org: &str,
    ids: Option<&[String]>,
    context: &'static str,
    query: fn(&str, Option<&str>) -> String,
    take: impl FnMut(&Row<'_>) -> StoreResult<()>,
) -> StoreResult<()> {
    match ids {
        Some(ids) => each_in(conn, org, ids, context, |l| query("?", Some(l)), take),
        None => each(conn, &query("?1", None), &[org], context, take),
    }
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
            if row.must_text(0, "reading events.org_id")? != org {
                return Ok(());
            }
            let event = parse_body(row.must_text(1, "reading events.body")?)?;
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
            out.push(roster_cols::role(row)?);
            Ok(())
        },
    )?;
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
