//! Device rosters: which people and teams a device shows, in which order and
//! groups, and the roster document a device downloads.
//!
//! Guarantees: a roster holds only rows of the device's organisation (composite
//! foreign keys make another's impossible) and never an archived person; its tag
//! (organisation version, device roster version) changes whenever anything it
//! shows changes, and is read with one indexed query, so an unchanged roster is
//! answered without building it.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyConnection, Row};

use super::error::{DbContext, StoreError, StoreResult};
use super::events::recent_events;
use super::{Backend, Store, sql};
use crate::domain::{
    DeviceId, Directory, Job, JobAccess, JobId, OrgSettings, Person, PersonId, RightSet, Role,
    RoleId, Team, TeamId, fold,
};
use crate::wire::{OrgId, RosterEntry, RosterItem, RosterPerson, RosterResponse};

/// What identifies a version of a device's roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RosterTag {
    pub org_version: i64,
    pub roster_version: i64,
}

impl RosterTag {
    /// The ETag value, unquoted.
    pub fn etag(&self) -> String {
        format!("o{}-r{}", self.org_version, self.roster_version)
    }
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

    /// The current tag of a device's roster. One indexed query.
    pub async fn roster_tag(&self, org: OrgId, device: DeviceId) -> StoreResult<RosterTag> {
        let row = sqlx::query(
            "SELECT o.version, d.roster_version FROM devices d JOIN orgs o ON o.id = d.org_id \
             WHERE d.org_id = $1 AND d.id = $2",
        )
        .bind(org.to_string())
        .bind(device.to_string())
        .fetch_optional(&self.read)
        .await
        .ctx("reading a roster's version")?
        .ok_or(StoreError::NotFound("device"))?;
        Ok(RosterTag {
            org_version: row.try_get(0).ctx("reading orgs.version")?,
            roster_version: row.try_get(1).ctx("reading devices.roster_version")?,
        })
    }

    /// The roster document of `device`, as of now. Reads in one transaction (one
    /// snapshot), so the document and its tag agree.
    pub async fn device_roster(
        &self,
        org: OrgId,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> StoreResult<RosterResponse> {
        let org_s = org.to_string();
        let mut tx = match self.backend {
            Backend::Sqlite => self.read.begin().await,
            Backend::Postgres => {
                self.read
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ")
                    .await
            }
        }
        .ctx("starting a read transaction")?;
        let tag = {
            let row = sqlx::query(
                "SELECT o.version, d.roster_version, o.date_lock, o.utc_offset_secs \
                 FROM devices d JOIN orgs o ON o.id = d.org_id WHERE d.org_id = $1 AND d.id = $2",
            )
            .bind(&org_s)
            .bind(device.to_string())
            .fetch_optional(&mut *tx)
            .await
            .ctx("reading a roster's version")?
            .ok_or(StoreError::NotFound("device"))?;
            let date_lock: Option<String> = row.try_get(2).ctx("reading orgs.date_lock")?;
            let offset: i64 = row.try_get(3).ctx("reading orgs.utc_offset_secs")?;
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
            let tag = RosterTag {
                org_version: row.try_get(0).ctx("reading orgs.version")?,
                roster_version: row.try_get(1).ctx("reading devices.roster_version")?,
            };
            (tag, settings)
        };
        let (tag, settings) = tag;
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
        let mut seen = HashSet::new();
        wanted.retain(|p| seen.insert(*p));
        let (people, verifiers) = load_people(&mut tx, backend, &org_s, &wanted).await?;
        let shown: HashSet<PersonId> = people.iter().map(|p| p.id).collect();
        let teams: Vec<Team> = teams
            .into_iter()
            .map(|mut t| {
                t.members.retain(|m| shown.contains(m));
                t
            })
            .collect();
        let role_ids: BTreeSet<RoleId> = people.iter().map(|p| p.role).collect();
        let roles = load_roles(&mut tx, backend, &org_s, &role_ids).await?;
        let jobs = load_jobs(&mut tx, &org_s, &people).await?;

        let spans: Vec<(PersonId, i64, i64)> = people
            .iter()
            .map(|p| (p.id, sql::micros(now), i64::MAX))
            .collect();
        let mut history = recent_events(&mut tx, backend, &org_s, &spans).await?;
        tx.commit().await.ctx("ending a read transaction")?;

        let states: Vec<RosterPerson> = people
            .iter()
            .map(|p| RosterPerson {
                id: p.id,
                state: fold(history.remove(&p.id).unwrap_or_default().iter(), p.mode),
                pin_verifier: verifiers.get(&p.id).cloned().flatten(),
            })
            .collect();
        let entries = entries
            .into_iter()
            .filter(|e| match e.item {
                RosterItem::Person(p) => shown.contains(&p),
                RosterItem::Team(_) => true,
            })
            .collect();
        Ok(RosterResponse {
            org_id: org,
            device_id: device,
            version: tag.etag(),
            generated_at: now,
            entries,
            directory: Directory::new(people, roles, teams, jobs, settings),
            people: states,
        })
    }
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
            let mut q = sqlx::query(&query).bind(org);
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
        let mut q = sqlx::query(&query).bind(org);
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

type Verifiers = HashMap<PersonId, Option<String>>;

/// The people of `ids` that are not archived, with their job access, and their
/// PIN verifiers.
async fn load_people(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    ids: &[PersonId],
) -> StoreResult<(Vec<Person>, Verifiers)> {
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut people: HashMap<PersonId, Person> = HashMap::new();
    let mut verifiers = HashMap::new();
    let mut limited: Vec<String> = Vec::new();
    for chunk in texts.chunks(sql::MAX_BINDS - 1) {
        let mut p = sql::Params::new(backend);
        let query = format!(
            "SELECT id, name, badge, mode, team_id, role_id, all_jobs, pin_verifier FROM people \
             WHERE org_id = {} AND archived = 0 AND id IN ({})",
            p.one(),
            p.list(chunk.len())
        );
        let mut q = sqlx::query(&query).bind(org);
        for v in chunk {
            q = q.bind(v.as_str());
        }
        for row in q.fetch_all(&mut *conn).await.ctx("reading people")? {
            let id_text: String = row.try_get(0).ctx("reading people.id")?;
            let id = PersonId(sql::uuid(&id_text, "reading people.id")?);
            let mode: String = row.try_get(3).ctx("reading people.mode")?;
            let team: Option<String> = row.try_get(4).ctx("reading people.team_id")?;
            let role: String = row.try_get(5).ctx("reading people.role_id")?;
            let all_jobs: i64 = row.try_get(6).ctx("reading people.all_jobs")?;
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
                    mode: sql::from_name(&mode, "reading people.mode")?,
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
        let mut q = sqlx::query(&query).bind(org);
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
    Ok((ordered, verifiers))
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
        let mut q = sqlx::query(&query).bind(org);
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
