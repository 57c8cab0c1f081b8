//! Device rosters: which people and teams a device shows, in which order and
//! groups, and the roster document a device downloads.
//!
//! Guarantees: a roster holds only rows of the device's organisation (composite
//! foreign keys make another's impossible) and never an archived person; it is
//! built from one snapshot with a fixed number of queries (people's states come
//! from their stored statuses, see [`super::status`], not from replaying events);
//! its tag (organisation version, device roster version, latest status change of
//! the people shown) changes whenever anything it shows changes. The counters
//! behind the tag are read with one indexed query ([`Store::roster_head`]) and the
//! status changes since a known point with one index range scan
//! ([`Store::status_changes`]), so an unchanged roster is answered without
//! building it. The queries with long id lists are not kept prepared: after a few
//! runs PostgreSQL switches a prepared one to a generic plan, which took 4 s
//! instead of about 0.1 s for the people of a 10,000-person roster.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyConnection, Row};

use super::error::{DbContext, StoreError, StoreResult};
use super::{Backend, Store, sql, status};
use crate::domain::{
    DeviceId, Directory, Job, JobAccess, JobId, OrgSettings, Person, PersonId, PunchState,
    RightSet, Role, RoleId, Team, TeamId, TrackingMode,
};
use crate::wire::{OrgId, RosterEntry, RosterItem, RosterPerson, RosterResponse};

/// What identifies a version of a device's roster: the organisation's version
/// (people, roles, teams, jobs, settings), the device's roster version (its
/// entries) and the latest status change of the people it shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RosterTag {
    pub org_version: i64,
    pub roster_version: i64,
    /// The greatest `changed_seq` among the people shown (0: none ever changed).
    pub status: i64,
}

impl RosterTag {
    /// The ETag value, unquoted.
    pub fn etag(&self) -> String {
        format!(
            "o{}-r{}-s{}",
            self.org_version, self.roster_version, self.status
        )
    }
}

/// The counters read before a roster's people are known: with the people a
/// roster shows, enough to tell its tag (see `crate::hub::roster_cache`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RosterHead {
    pub org_version: i64,
    pub roster_version: i64,
    /// The organisation's status sequence: every status change up to it is in.
    pub status_seq: i64,
}

/// A roster as built from one snapshot.
#[derive(Clone, Debug)]
pub struct RosterSnapshot {
    pub roster: RosterResponse,
    pub tag: RosterTag,
    pub head: RosterHead,
    /// The people the roster shows, sorted.
    pub shown: Vec<PersonId>,
    /// The `changed_seq` of each person's state, for those whose status changed
    /// ever.
    pub seqs: HashMap<PersonId, i64>,
}

impl Store {
    /// Replaces the roster of `device`: people and whole teams, in order, each in
    /// a named group or none.
    pub async fn set_roster(
        &self,
        org: OrgId,
        device: DeviceId,
        entries: &[RosterEntry],
    ) -> StoreResult<()> {
        let (org_s, dev_s) = (org.to_string(), device.to_string());
        let mut tx = self.begin_write().await?;
        let bumped = sqlx::query(
            "UPDATE devices SET roster_version = roster_version + 1 WHERE org_id = $1 AND id = $2",
        )
        .bind(&org_s)
        .bind(&dev_s)
        .execute(&mut *tx)
        .await
        .ctx("bumping a device's roster version")?;
        if bumped.rows_affected() == 0 {
            return Err(StoreError::NotFound("device"));
        }
        sqlx::query("DELETE FROM roster_entries WHERE org_id = $1 AND device_id = $2")
            .bind(&org_s)
            .bind(&dev_s)
            .execute(&mut *tx)
            .await
            .ctx("clearing a device's roster")?;
        for (position, entry) in entries.iter().enumerate() {
            let (person, team) = match entry.item {
                RosterItem::Person(p) => (Some(p.to_string()), None),
                RosterItem::Team(t) => (None, Some(t.to_string())),
            };
            sqlx::query(
                "INSERT INTO roster_entries (org_id, device_id, position, group_name, person_id, \
                 team_id) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&org_s)
            .bind(&dev_s)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(entry.group.clone())
            .bind(person)
            .bind(team)
            .execute(&mut *tx)
            .await
            .ctx("adding a roster entry")?;
        }
        tx.commit().await.ctx("committing a device's roster")?;
        Ok(())
    }

    /// What a device's roster tag is made of, besides its people's statuses: one
    /// indexed query.
    pub async fn roster_head(&self, org: OrgId, device: DeviceId) -> StoreResult<RosterHead> {
        let row = sqlx::query(
            "SELECT o.version, d.roster_version, o.status_seq FROM devices d \
             JOIN orgs o ON o.id = d.org_id WHERE d.org_id = $1 AND d.id = $2",
        )
        .bind(org.to_string())
        .bind(device.to_string())
        .fetch_optional(&self.read)
        .await
        .ctx("reading a roster's version")?
        .ok_or(StoreError::NotFound("device"))?;
        head_of(&row)
    }

    /// The people of `org` whose status changed after status sequence `since`,
    /// each with the sequence of their latest change. One index range scan.
    pub async fn status_changes(
        &self,
        org: OrgId,
        since: i64,
    ) -> StoreResult<Vec<(PersonId, i64)>> {
        let rows = sqlx::query(
            "SELECT person_id, changed_seq FROM person_status \
             WHERE org_id = $1 AND changed_seq > $2",
        )
        .bind(org.to_string())
        .bind(since)
        .fetch_all(&self.read)
        .await
        .ctx("reading status changes")?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0).ctx("reading person_status.person_id")?;
                let seq: i64 = row.try_get(1).ctx("reading person_status.changed_seq")?;
                Ok((
                    PersonId(sql::uuid(&id, "reading person_status.person_id")?),
                    seq,
                ))
            })
            .collect()
    }

    /// The people of `org` whose status changed after status sequence `since`,
    /// with the sequence of their latest change and their state now, all read in
    /// one snapshot (a row that cannot be trusted is folded from the events).
    pub async fn changed_states(
        &self,
        org: OrgId,
        since: i64,
    ) -> StoreResult<Vec<(PersonId, i64, PunchState)>> {
        let org_s = org.to_string();
        let mut tx = self.begin_read().await?;
        let query = format!(
            "SELECT p.id, p.mode, {uncounted}, {cols} FROM person_status s \
             JOIN people p ON p.id = s.person_id AND p.org_id = s.org_id \
             WHERE s.org_id = $1 AND s.changed_seq > $2",
            uncounted = status::UNCOUNTED_EVENTS,
            cols = status::STATUS_COLS,
        );
        let rows = sqlx::query(&query)
            .bind(&org_s)
            .bind(since)
            .fetch_all(&mut *tx)
            .await
            .ctx("reading changed statuses")?;
        let mut out = Vec::with_capacity(rows.len());
        let mut refold = Vec::new();
        for row in &rows {
            let id: String = row.try_get(0).ctx("reading people.id")?;
            let id = PersonId(sql::uuid(&id, "reading people.id")?);
            let mode: String = row.try_get(1).ctx("reading people.mode")?;
            let mode: TrackingMode = sql::from_name(&mode, "reading people.mode")?;
            let uncounted: i64 = row.try_get(2).ctx("reading a status check")?;
            let stored = status::decode(row, 3)?.ok_or_else(|| StoreError::Corrupt {
                context: "reading person_status",
                detail: "a status row without a clock".to_owned(),
            })?;
            match status::trusted(Some(&stored), mode, uncounted != 0) {
                Some(state) => out.push((id, stored.changed_seq, state)),
                None => refold.push((id, mode, stored.changed_seq)),
            }
        }
        if !refold.is_empty() {
            let people: Vec<(PersonId, TrackingMode)> =
                refold.iter().map(|(p, m, _)| (*p, *m)).collect();
            let mut folded = status::fold_people(&mut tx, self.backend, &org_s, &people).await?;
            for (person, _, seq) in refold {
                out.push((person, seq, folded.remove(&person).unwrap_or_default()));
            }
        }
        tx.commit().await.ctx("ending a read transaction")?;
        Ok(out)
    }

    /// A read transaction: one snapshot (PostgreSQL: `REPEATABLE READ`).
    async fn begin_read(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => self.read.begin().await,
            Backend::Postgres => {
                self.read
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ")
                    .await
            }
        }
        .ctx("starting a read transaction")
    }

    /// The roster document of `device`, as of now.
    pub async fn device_roster(
        &self,
        org: OrgId,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> StoreResult<RosterResponse> {
        Ok(self.roster_snapshot(org, device, now).await?.roster)
    }

    /// The roster document of `device` with its tag and the people it shows. Reads
    /// in one transaction (one snapshot), so the document and its tag agree; a
    /// fixed number of queries whatever the roster's size (one per 30,000 ids).
    pub async fn roster_snapshot(
        &self,
        org: OrgId,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> StoreResult<RosterSnapshot> {
        let org_s = org.to_string();
        let mut tx = self.begin_read().await?;
        let (head, settings) = {
            let row = sqlx::query(
                "SELECT o.version, d.roster_version, o.status_seq, o.date_lock, \
                 o.utc_offset_secs FROM devices d JOIN orgs o ON o.id = d.org_id \
                 WHERE d.org_id = $1 AND d.id = $2",
            )
            .bind(&org_s)
            .bind(device.to_string())
            .fetch_optional(&mut *tx)
            .await
            .ctx("reading a roster's version")?
            .ok_or(StoreError::NotFound("device"))?;
            let date_lock: Option<String> = row.try_get(3).ctx("reading orgs.date_lock")?;
            let offset: i64 = row.try_get(4).ctx("reading orgs.utc_offset_secs")?;
            let settings = OrgSettings {
                date_lock: date_lock
                    .map(|d| {
                        NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|e| StoreError::Corrupt {
                            context: "reading orgs.date_lock",
                            detail: e.to_string(),
                        })
                    })
                    .transpose()?,
                utc_offset_secs: i32::try_from(offset).unwrap_or(0),
            };
            (head_of(&row)?, settings)
        };
        let backend = self.backend;
        let entries = roster_entries(&mut tx, &org_s, device).await?;
        let entry_teams: Vec<TeamId> = entries
            .iter()
            .filter_map(|e| match e.item {
                RosterItem::Team(t) => Some(t),
                RosterItem::Person(_) => None,
            })
            .collect();
        let entry_people: Vec<PersonId> = entries
            .iter()
            .filter_map(|e| match e.item {
                RosterItem::Person(p) => Some(p),
                RosterItem::Team(_) => None,
            })
            .collect();
        // Teams shown, and the teams led by people shown (a lead punches their crew).
        let teams = load_teams(&mut tx, backend, &org_s, &entry_teams, &entry_people).await?;
        let mut wanted: Vec<PersonId> = entry_people.clone();
        for team in &teams {
            wanted.push(team.lead);
            wanted.extend(team.members.iter().copied());
        }
        let mut seen = HashSet::with_capacity(wanted.len());
        wanted.retain(|p| seen.insert(*p));
        let loaded = load_people(&mut tx, backend, &org_s, &wanted).await?;
        let shown: HashSet<PersonId> = loaded.people.iter().map(|p| p.id).collect();
        let teams: Vec<Team> = teams
            .into_iter()
            .map(|mut t| {
                t.members.retain(|m| shown.contains(m));
                t
            })
            .collect();
        let role_ids: BTreeSet<RoleId> = loaded.people.iter().map(|p| p.role).collect();
        let roles = load_roles(&mut tx, backend, &org_s, &role_ids).await?;
        let jobs = load_jobs(&mut tx, &org_s, &loaded.people).await?;
        // Rows that cannot be trusted: those people are folded from their events.
        let mut states = loaded.states;
        if !loaded.refold.is_empty() {
            states.extend(status::fold_people(&mut tx, backend, &org_s, &loaded.refold).await?);
        }
        tx.commit().await.ctx("ending a read transaction")?;

        let mut verifiers = loaded.verifiers;
        let people_states: Vec<RosterPerson> = loaded
            .people
            .iter()
            .map(|p| RosterPerson {
                id: p.id,
                state: states.remove(&p.id).unwrap_or_default(),
                pin_verifier: verifiers.remove(&p.id).flatten(),
            })
            .collect();
        let entries = entries
            .into_iter()
            .filter(|e| match e.item {
                RosterItem::Person(p) => shown.contains(&p),
                RosterItem::Team(_) => true,
            })
            .collect();
        let tag = RosterTag {
            org_version: head.org_version,
            roster_version: head.roster_version,
            status: loaded.status,
        };
        let mut shown: Vec<PersonId> = shown.into_iter().collect();
        shown.sort_unstable();
        Ok(RosterSnapshot {
            roster: RosterResponse {
                org_id: org,
                device_id: device,
                version: tag.etag(),
                generated_at: now,
                entries,
                directory: Directory::new(loaded.people, roles, teams, jobs, settings),
                people: people_states,
            },
            tag,
            head,
            shown,
            seqs: loaded.seqs,
        })
    }
}

/// A [`RosterHead`] from a row starting with `o.version, d.roster_version,
/// o.status_seq`.
fn head_of(row: &sqlx::any::AnyRow) -> StoreResult<RosterHead> {
    Ok(RosterHead {
        org_version: row.try_get(0).ctx("reading orgs.version")?,
        roster_version: row.try_get(1).ctx("reading devices.roster_version")?,
        status_seq: row.try_get(2).ctx("reading orgs.status_seq")?,
    })
}

async fn roster_entries(
    conn: &mut AnyConnection,
    org: &str,
    device: DeviceId,
) -> StoreResult<Vec<RosterEntry>> {
    let rows = sqlx::query(
        "SELECT group_name, person_id, team_id FROM roster_entries \
         WHERE org_id = $1 AND device_id = $2 ORDER BY position",
    )
    .bind(org)
    .bind(device.to_string())
    .fetch_all(&mut *conn)
    .await
    .ctx("reading a device's roster")?;
    rows.iter()
        .map(|row| {
            let group: Option<String> = row.try_get(0).ctx("reading roster_entries.group_name")?;
            let person: Option<String> = row.try_get(1).ctx("reading roster_entries.person_id")?;
            let team: Option<String> = row.try_get(2).ctx("reading roster_entries.team_id")?;
            let item = match (person, team) {
                (Some(p), _) => {
                    RosterItem::Person(PersonId(sql::uuid(&p, "reading a roster entry")?))
                }
                (None, Some(t)) => {
                    RosterItem::Team(TeamId(sql::uuid(&t, "reading a roster entry")?))
                }
                (None, None) => {
                    return Err(StoreError::Corrupt {
                        context: "reading a roster entry",
                        detail: "neither a person nor a team".to_owned(),
                    });
                }
            };
            Ok(RosterEntry { group, item })
        })
        .collect()
}

async fn load_teams(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    teams: &[TeamId],
    leads: &[PersonId],
) -> StoreResult<Vec<Team>> {
    let mut out: Vec<Team> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let ids: Vec<String> = teams.iter().map(ToString::to_string).collect();
    let lead_ids: Vec<String> = leads.iter().map(ToString::to_string).collect();
    for (column, values) in [("id", &ids), ("lead_id", &lead_ids)] {
        for chunk in values.chunks(sql::MAX_BINDS - 1) {
            let mut p = sql::Params::new(backend);
            let query = format!(
                "SELECT id, name, lead_id FROM teams WHERE org_id = {} AND {column} IN ({})",
                p.one(),
                p.list(chunk.len())
            );
            let mut q = sqlx::query(&query).persistent(false).bind(org);
            for v in chunk {
                q = q.bind(v.as_str());
            }
            for row in q.fetch_all(&mut *conn).await.ctx("reading teams")? {
                let id: String = row.try_get(0).ctx("reading teams.id")?;
                if index.contains_key(&id) {
                    continue;
                }
                let lead: String = row.try_get(2).ctx("reading teams.lead_id")?;
                index.insert(id.clone(), out.len());
                out.push(Team {
                    id: TeamId(sql::uuid(&id, "reading teams.id")?),
                    name: row.try_get(1).ctx("reading teams.name")?,
                    lead: PersonId(sql::uuid(&lead, "reading teams.lead_id")?),
                    members: Vec::new(),
                });
            }
        }
    }
    let found: Vec<String> = index.keys().cloned().collect();
    for chunk in found.chunks(sql::MAX_BINDS - 1) {
        let mut p = sql::Params::new(backend);
        let query = format!(
            "SELECT team_id, person_id FROM team_members WHERE org_id = {} AND team_id IN ({}) \
             ORDER BY team_id, position",
            p.one(),
            p.list(chunk.len())
        );
        let mut q = sqlx::query(&query).persistent(false).bind(org);
        for v in chunk {
            q = q.bind(v.as_str());
        }
        for row in q.fetch_all(&mut *conn).await.ctx("reading team members")? {
            let team: String = row.try_get(0).ctx("reading team_members.team_id")?;
            let person: String = row.try_get(1).ctx("reading team_members.person_id")?;
            if let Some(&i) = index.get(&team) {
                out[i].members.push(PersonId(sql::uuid(
                    &person,
                    "reading team_members.person_id",
                )?));
            }
        }
    }
    Ok(out)
}

/// The people of a roster, as read.
struct LoadedPeople {
    /// In the order asked for, archived people left out.
    people: Vec<Person>,
    verifiers: HashMap<PersonId, Option<String>>,
    /// The states of the people whose status rows can be trusted.
    states: HashMap<PersonId, PunchState>,
    /// The people whose rows cannot: to fold from their events.
    refold: Vec<(PersonId, TrackingMode)>,
    /// The greatest `changed_seq` among the people (0: none).
    status: i64,
    /// Each person's `changed_seq`, where they have a status row.
    seqs: HashMap<PersonId, i64>,
}

/// The people of `ids` that are not archived, with their job access, their PIN
/// verifiers and their stored statuses.
async fn load_people(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    ids: &[PersonId],
) -> StoreResult<LoadedPeople> {
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut people: HashMap<PersonId, Person> = HashMap::with_capacity(ids.len());
    let mut verifiers = HashMap::with_capacity(ids.len());
    let mut states = HashMap::with_capacity(ids.len());
    let mut refold = Vec::new();
    let mut latest = 0;
    let mut seqs = HashMap::with_capacity(ids.len());
    let mut limited: Vec<String> = Vec::new();
    for chunk in texts.chunks(sql::MAX_BINDS - 1) {
        let mut p = sql::Params::new(backend);
        let query = format!(
            "SELECT p.id, p.name, p.badge, p.mode, p.team_id, p.role_id, p.all_jobs, \
             p.pin_verifier, {uncounted}, {cols} FROM people p \
             LEFT JOIN person_status s ON s.person_id = p.id AND s.org_id = p.org_id \
             WHERE p.org_id = {org} AND p.archived = 0 AND p.id IN ({ids})",
            uncounted = status::UNCOUNTED_EVENTS,
            cols = status::STATUS_COLS,
            org = p.one(),
            ids = p.list(chunk.len())
        );
        let mut q = sqlx::query(&query).persistent(false).bind(org);
        for v in chunk {
            q = q.bind(v.as_str());
        }
        for row in q.fetch_all(&mut *conn).await.ctx("reading people")? {
            let id_text: String = row.try_get(0).ctx("reading people.id")?;
            let id = PersonId(sql::uuid(&id_text, "reading people.id")?);
            let mode: String = row.try_get(3).ctx("reading people.mode")?;
            let mode: TrackingMode = sql::from_name(&mode, "reading people.mode")?;
            let team: Option<String> = row.try_get(4).ctx("reading people.team_id")?;
            let role: String = row.try_get(5).ctx("reading people.role_id")?;
            let all_jobs: i64 = row.try_get(6).ctx("reading people.all_jobs")?;
            let uncounted: i64 = row.try_get(8).ctx("reading a status check")?;
            let stored = status::decode(&row, 9)?;
            if let Some(s) = &stored {
                latest = latest.max(s.changed_seq);
                seqs.insert(id, s.changed_seq);
            }
            match status::trusted(stored.as_ref(), mode, uncounted != 0) {
                Some(state) => {
                    states.insert(id, state);
                }
                None => refold.push((id, mode)),
            }
            if all_jobs == 0 {
                limited.push(id_text);
            }
            verifiers.insert(id, row.try_get(7).ctx("reading people.pin_verifier")?);
            people.insert(
                id,
                Person {
                    id,
                    name: row.try_get(1).ctx("reading people.name")?,
                    badge: row.try_get(2).ctx("reading people.badge")?,
                    mode,
                    team: team
                        .map(|t| sql::uuid(&t, "reading people.team_id").map(TeamId))
                        .transpose()?,
                    role: RoleId(sql::uuid(&role, "reading people.role_id")?),
                    archived: false,
                    jobs: if all_jobs == 0 {
                        JobAccess::Only(BTreeSet::new())
                    } else {
                        JobAccess::All
                    },
                },
            );
        }
    }
    for chunk in limited.chunks(sql::MAX_BINDS - 1) {
        let mut p = sql::Params::new(backend);
        let query = format!(
            "SELECT person_id, job_id FROM person_jobs WHERE org_id = {} AND person_id IN ({})",
            p.one(),
            p.list(chunk.len())
        );
        let mut q = sqlx::query(&query).persistent(false).bind(org);
        for v in chunk {
            q = q.bind(v.as_str());
        }
        for row in q.fetch_all(&mut *conn).await.ctx("reading job access")? {
            let person: String = row.try_get(0).ctx("reading person_jobs.person_id")?;
            let job: String = row.try_get(1).ctx("reading person_jobs.job_id")?;
            let person = PersonId(sql::uuid(&person, "reading person_jobs.person_id")?);
            if let Some(Person {
                jobs: JobAccess::Only(jobs),
                ..
            }) = people.get_mut(&person)
            {
                jobs.insert(JobId(sql::uuid(&job, "reading person_jobs.job_id")?));
            }
        }
    }
    // In the order asked for.
    let ordered = ids.iter().filter_map(|id| people.remove(id)).collect();
    Ok(LoadedPeople {
        people: ordered,
        verifiers,
        states,
        refold,
        status: latest,
        seqs,
    })
}

async fn load_roles(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    ids: &BTreeSet<RoleId>,
) -> StoreResult<Vec<Role>> {
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut roles = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(sql::MAX_BINDS - 1) {
        let mut p = sql::Params::new(backend);
        let query = format!(
            "SELECT id, name, rank, rights, fixed, preset FROM roles WHERE org_id = {} AND id IN ({})",
            p.one(),
            p.list(chunk.len())
        );
        let mut q = sqlx::query(&query).persistent(false).bind(org);
        for v in chunk {
            q = q.bind(v.as_str());
        }
        for row in q.fetch_all(&mut *conn).await.ctx("reading roles")? {
            let id: String = row.try_get(0).ctx("reading roles.id")?;
            let rank: i64 = row.try_get(2).ctx("reading roles.rank")?;
            let rights: String = row.try_get(3).ctx("reading roles.rights")?;
            let fixed: i64 = row.try_get(4).ctx("reading roles.fixed")?;
            let preset: Option<String> = row.try_get(5).ctx("reading roles.preset")?;
            roles.push(Role {
                id: RoleId(sql::uuid(&id, "reading roles.id")?),
                name: row.try_get(1).ctx("reading roles.name")?,
                rank: i32::try_from(rank).map_err(|_| StoreError::Corrupt {
                    context: "reading roles.rank",
                    detail: format!("rank {rank} out of range"),
                })?,
                rights: serde_json::from_str::<RightSet>(&rights).map_err(|e| {
                    StoreError::Corrupt {
                        context: "reading roles.rights",
                        detail: e.to_string(),
                    }
                })?,
                fixed: fixed != 0,
                preset: preset
                    .map(|p| sql::from_name(&p, "reading roles.preset"))
                    .transpose()?,
            });
        }
    }
    Ok(roles)
}

/// The jobs the people may check in to, not archived.
async fn load_jobs(
    conn: &mut AnyConnection,
    org: &str,
    people: &[Person],
) -> StoreResult<Vec<Job>> {
    let any_all = people.iter().any(|p| matches!(p.jobs, JobAccess::All));
    let mut assigned: HashSet<JobId> = HashSet::new();
    for p in people {
        if let JobAccess::Only(jobs) = &p.jobs {
            assigned.extend(jobs.iter().copied());
        }
    }
    if !any_all && assigned.is_empty() {
        return Ok(Vec::new());
    }
    let rows =
        sqlx::query("SELECT id, name FROM jobs WHERE org_id = $1 AND archived = 0 ORDER BY name")
            .bind(org)
            .fetch_all(&mut *conn)
            .await
            .ctx("reading jobs")?;
    let mut jobs = Vec::new();
    for row in rows {
        let id: String = row.try_get(0).ctx("reading jobs.id")?;
        let id = JobId(sql::uuid(&id, "reading jobs.id")?);
        if any_all || assigned.contains(&id) {
            jobs.push(Job {
                id,
                name: row.try_get(1).ctx("reading jobs.name")?,
                archived: false,
            });
        }
    }
    Ok(jobs)
}
