//! The reads a roster is made of, shared by a whole build
//! ([`super::Store::roster_snapshot`]) and a delta ([`super::roster_delta`]):
//! the head and settings, the teams shown, the people asked for in roster order,
//! the people themselves with their states, roles, jobs, and status changes.
//!
//! Guarantees: both paths pick teams, people, roles and jobs with these same
//! functions, so a delta applied to a cached roster gives the document a whole
//! build gives (see `crate::hub::roster_cache`).

use std::collections::{BTreeSet, HashMap, HashSet};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::error::{DbContext, StoreError, StoreResult};
use super::orgs::settings_from_row;
use super::people::{
    PERSON_COLS, add_members, grant_job, job_from_row, role_from_row, team_from_row,
};
use super::roster::{head_of, roster_entries};
use super::roster_cols::{self, Cols};
use super::{Backend, RosterHead, sql, status};
use crate::domain::{
    DeviceId, Job, JobAccess, JobId, OrgSettings, Person, PersonId, PunchState, Role, RoleId, Team,
    TeamId, TrackingMode,
};
use crate::wire::{RosterEntry, RosterItem};

/// [`super::Store::changed_states`] on `conn`'s snapshot.
pub(super) async fn changed_states_in(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    since: i64,
) -> StoreResult<Vec<(PersonId, i64, PunchState)>> {
    let query = format!(
        "SELECT p.id, p.mode, {cols}, {uncounted} FROM person_status s \
         JOIN people p ON p.id = s.person_id AND p.org_id = s.org_id \
         WHERE s.org_id = $1 AND s.changed_seq > $2",
        uncounted = status::UNCOUNTED_EVENTS,
        cols = status::STATUS_COLS,
    );
    let rows = sqlx::query(&query)
        .bind(org)
        .bind(since)
        .fetch_all(&mut *conn)
        .await
        .ctx("reading changed statuses")?;
    let mut out = Vec::with_capacity(rows.len());
    let mut refold = Vec::new();
    for row in &rows {
        let (id, mode, stored) = status::person_status(row)?;
        let uncounted: i64 = row.try_get(12).ctx("reading a status check")?;
        match status::trusted(Some(&stored), mode, uncounted != 0) {
            Some(state) => out.push((id, stored.changed_seq, state)),
            None => refold.push((id, mode, stored.changed_seq)),
        }
    }
    if !refold.is_empty() {
        let people: Vec<(PersonId, TrackingMode)> =
            refold.iter().map(|(p, m, _)| (*p, *m)).collect();
        let mut folded = status::fold_people(conn, backend, org, &people).await?;
        for (person, _, seq) in refold {
            out.push((person, seq, folded.remove(&person).unwrap_or_default()));
        }
    }
    Ok(out)
}

/// The organisation's version, the device's roster version, the status sequence
/// and the organisation's settings: the first read of every roster build.
pub(super) async fn head_and_settings(
    conn: &mut AnyConnection,
    org: &str,
    device: DeviceId,
) -> StoreResult<(RosterHead, OrgSettings)> {
    let row = sqlx::query(
        "SELECT o.version, d.roster_version, o.status_seq, o.date_lock, \
         o.utc_offset_secs FROM devices d JOIN orgs o ON o.id = d.org_id \
         WHERE d.org_id = $1 AND d.id = $2",
    )
    .bind(org)
    .bind(device.to_string())
    .fetch_optional(&mut *conn)
    .await
    .ctx("reading a roster's version")?
    .ok_or(StoreError::NotFound("device"))?;
    Ok((head_of(&row)?, settings_from_row(&row, 3)?))
}

/// The teams a roster shows, each once, with their whole crews: those of the
/// entries, in entry order, then those led by people of the entries, by id (a
/// lead punches their crew). Reads the organisation's teams whole (a few rows
/// beside its people) rather than binding every entry's id.
pub(super) async fn teams_shown(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    entries: &[RosterEntry],
    entry_people: &HashSet<PersonId>,
) -> StoreResult<Vec<Team>> {
    let rows = sqlx::query("SELECT id, name, lead_id FROM teams WHERE org_id = $1")
        .bind(org)
        .fetch_all(&mut *conn)
        .await
        .ctx("reading teams")?;
    let all = rows
        .iter()
        .map(team_from_row)
        .collect::<StoreResult<Vec<Team>>>()?;
    let mut out = pick_teams(all, entries, entry_people);
    let found: Vec<String> = out.iter().map(|t| t.id.to_string()).collect();
    let members = sql::fetch_in(conn, backend, org, &found, false, "reading team members", |o, l| {
        format!(
            "SELECT team_id, person_id FROM team_members WHERE org_id = {o} AND team_id IN ({l}) \
             ORDER BY team_id, position"
        )
    })
    .await?;
    add_members(&mut out, &members)?;
    Ok(out)
}

/// Of the organisation's teams (`all`, without crews), those a roster shows,
/// each once: those of the entries, in entry order, then those led by people of
/// the entries, by id.
pub(super) fn pick_teams(
    all: Vec<Team>,
    entries: &[RosterEntry],
    entry_people: &HashSet<PersonId>,
) -> Vec<Team> {
    let mut all: HashMap<TeamId, Team> = all.into_iter().map(|t| (t.id, t)).collect();
    let mut out: Vec<Team> = Vec::new();
    for entry in entries {
        if let RosterItem::Team(t) = entry.item {
            out.extend(all.remove(&t));
        }
    }
    let mut led: Vec<Team> = all
        .into_values()
        .filter(|t| entry_people.contains(&t.lead))
        .collect();
    led.sort_unstable_by_key(|t| t.id);
    out.extend(led);
    out
}

/// Everything a whole build reads, from one snapshot.
pub(super) struct BuildReads {
    pub head: RosterHead,
    pub settings: OrgSettings,
    /// The device's entries as stored.
    pub stored_entries: Vec<RosterEntry>,
    /// The teams shown, with their whole crews.
    pub stored_teams: Vec<Team>,
    /// [`wanted`] of the entries and teams.
    pub wanted: Vec<PersonId>,
    pub loaded: LoadedPeople,
    /// The roles of the people loaded.
    pub roles: Vec<Role>,
    /// Every active job of the organisation, by name.
    pub jobs: Vec<Job>,
}

/// The reads of a whole build of `device`'s roster, on `conn`'s snapshot.
pub(super) async fn build_reads(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    device: DeviceId,
) -> StoreResult<BuildReads> {
    let (head, settings) = head_and_settings(conn, org, device).await?;
    let stored_entries = roster_entries(conn, org, device).await?;
    // Teams shown, and the teams led by people shown (a lead punches their crew).
    let entry_people = entry_people(&stored_entries);
    let stored_teams = teams_shown(conn, backend, org, &stored_entries, &entry_people).await?;
    let wanted = wanted(&stored_entries, &stored_teams);
    let loaded = load_people(conn, backend, org, &wanted).await?;
    let role_ids: BTreeSet<RoleId> = loaded.people.iter().map(|l| l.person.role).collect();
    let roles = load_roles(conn, backend, org, &role_ids).await?;
    let jobs = active_jobs(conn, org).await?;
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

/// The people of the entries.
pub(crate) fn entry_people(entries: &[RosterEntry]) -> HashSet<PersonId> {
    entries
        .iter()
        .filter_map(|e| match e.item {
            RosterItem::Person(p) => Some(p),
            RosterItem::Team(_) => None,
        })
        .collect()
}

/// The people a roster asks for, each once, in roster order: the people of the
/// entries, then each team's lead and crew.
pub(crate) fn wanted(entries: &[RosterEntry], teams: &[Team]) -> Vec<PersonId> {
    let mut out: Vec<PersonId> = entries
        .iter()
        .filter_map(|e| match e.item {
            RosterItem::Person(p) => Some(p),
            RosterItem::Team(_) => None,
        })
        .collect();
    for team in teams {
        out.push(team.lead);
        out.extend(team.members.iter().copied());
    }
    let mut seen = HashSet::with_capacity(out.len());
    out.retain(|p| seen.insert(*p));
    out
}

/// The teams with only the crew members shown.
pub(crate) fn crews_shown(teams: Vec<Team>, shown: &HashSet<PersonId>) -> Vec<Team> {
    teams
        .into_iter()
        .map(|mut t| {
            t.members.retain(|m| shown.contains(m));
            t
        })
        .collect()
}

/// The entries a roster shows: whole teams, and the people shown.
pub(super) fn entries_shown(
    entries: &[RosterEntry],
    shown: &HashSet<PersonId>,
) -> Vec<RosterEntry> {
    entries
        .iter()
        .filter(|e| match e.item {
            RosterItem::Person(p) => shown.contains(&p),
            RosterItem::Team(_) => true,
        })
        .cloned()
        .collect()
}

/// Id lists up to this long are bound into a query; for longer ones the
/// organisation's rows are read whole and those asked for kept. Planning a
/// statement with thousands of bound ids costs more than reading the rows: SQLite
/// looks every one up in its statistics (STAT4), and both databases parse and
/// bind each.
pub(super) const BIND_AT_MOST: usize = 500;

/// The people columns of a roster read: [`PERSON_COLS`] and the PIN verifier
/// ([`PeopleRows::take`] reads them), of the organisation (`$1`), not archived,
/// and of `ids` (a list of placeholders) unless `None`. Their status rows are
/// read apart ([`status_query`]): joined here, each person cost two seeks in
/// `person_status` (its text key's index, then the row), about as much as the
/// rest of the read.
pub(super) fn people_query(org: &str, ids: Option<&str>) -> String {
    let only = ids
        .map(|l| format!(" AND p.id IN ({l})"))
        .unwrap_or_default();
    format!(
        "SELECT {PERSON_COLS}, p.pin_verifier FROM people p \
         WHERE p.org_id = {org} AND p.archived = 0{only}"
    )
}

/// The status rows of the organisation (`$1`), of `ids` (a list of
/// placeholders) unless `None`: the person, the status check and the row
/// ([`PeopleRows::take_status`] reads them).
pub(super) fn status_query(org: &str, ids: Option<&str>) -> String {
    let only = ids
        .map(|l| format!(" AND s.person_id IN ({l})"))
        .unwrap_or_default();
    format!(
        "SELECT s.person_id, {uncounted}, {cols} FROM person_status s \
         WHERE s.org_id = {org}{only}",
        uncounted = status::UNCOUNTED_EVENTS,
        cols = status::STATUS_COLS,
    )
}

/// The job access rows of the organisation (`$1`), of `ids` (a list of
/// placeholders) unless `None`.
pub(super) fn jobs_query(org: &str, ids: Option<&str>) -> String {
    let only = ids
        .map(|l| format!(" AND person_id IN ({l})"))
        .unwrap_or_default();
    format!("SELECT person_id, job_id FROM person_jobs WHERE org_id = {org}{only}")
}

/// One person of a roster, as read.
#[derive(Debug)]
pub(super) struct LoadedPerson {
    pub person: Person,
    pub verifier: Option<String>,
    /// From their status row where it can be trusted, folded from their events
    /// (in the same snapshot) otherwise.
    pub state: PunchState,
    /// Their status row's `changed_seq`, if they have one.
    pub seq: Option<i64>,
}

/// The people of a roster, as read.
#[derive(Debug)]
pub(super) struct LoadedPeople {
    /// In the order asked for, archived people left out.
    pub people: Vec<LoadedPerson>,
    /// The greatest `changed_seq` among the people (0: none).
    pub status: i64,
}

/// The rows of a roster's people read, gathered by both drivers: the rows of
/// [`people_query`] ([`PeopleRows::take`]), then of [`status_query`]
/// ([`PeopleRows::take_status`], [`PeopleRows::statuses_read`]), then of
/// [`jobs_query`] ([`PeopleRows::grant`]), then the states of those whose status
/// row cannot be trusted or who have none ([`PeopleRows::refold`],
/// [`PeopleRows::folded`]). Rows of people not asked for are skipped, so a query
/// may read the organisation whole.
pub(super) struct PeopleRows {
    /// Where each person asked for goes.
    at: HashMap<PersonId, usize>,
    slots: Vec<Option<LoadedPerson>>,
    /// Whether each slot's status row was read.
    has_status: Vec<bool>,
    refold: Vec<(PersonId, TrackingMode)>,
    /// How many of those read have only some jobs.
    limited: usize,
    status: i64,
}

impl PeopleRows {
    pub(super) fn new(ids: &[PersonId]) -> Self {
        PeopleRows {
            at: ids.iter().enumerate().map(|(i, p)| (*p, i)).collect(),
            slots: std::iter::repeat_with(|| None).take(ids.len()).collect(),
            has_status: vec![false; ids.len()],
            refold: Vec::new(),
            limited: 0,
            status: 0,
        }
    }

    /// Takes a row of [`people_query`].
    pub(super) fn take(&mut self, row: &impl Cols) -> StoreResult<()> {
        let id = PersonId(row.id(0, "reading people.id")?);
        let Some(&at) = self.at.get(&id) else {
            return Ok(());
        };
        let person = roster_cols::person(row)?;
        let verifier = row
            .text(8, "reading people.pin_verifier")?
            .map(str::to_owned);
        if matches!(person.jobs, JobAccess::Only(_)) {
            self.limited += 1;
        }
        self.slots[at] = Some(LoadedPerson {
            person,
            verifier,
            state: PunchState::default(),
            seq: None,
        });
        Ok(())
    }

    /// Takes a row of [`status_query`], after every row of [`people_query`].
    pub(super) fn take_status(&mut self, row: &impl Cols) -> StoreResult<()> {
        let id = PersonId(row.id(0, "reading person_status.person_id")?);
        let Some(&at) = self.at.get(&id) else {
            return Ok(());
        };
        let Some(loaded) = &mut self.slots[at] else {
            // Archived, or not of the organisation.
            return Ok(());
        };
        let uncounted = row.must_int(1, "reading a status check")? != 0;
        let stored = roster_cols::status(row, 2)?;
        if let Some(stored) = &stored {
            loaded.seq = Some(stored.changed_seq);
            self.status = self.status.max(stored.changed_seq);
        }
        match status::trusted(stored.as_ref(), loaded.person.mode, uncounted) {
            Some(state) => loaded.state = state,
            None => self.refold.push((id, loaded.person.mode)),
        }
        self.has_status[at] = true;
        Ok(())
    }

    /// After every row of [`status_query`]: the people without a status row are
    /// folded from their events (none, for someone who never punched; a row is
    /// written with a person's first event).
    pub(super) fn statuses_read(&mut self) {
        for (slot, has) in self.slots.iter().zip(&self.has_status) {
            if let Some(loaded) = slot
                && !has
            {
                self.refold.push((loaded.person.id, loaded.person.mode));
            }
        }
    }

    /// The people read with only some jobs, for [`jobs_query`]; `None` when
    /// there are more than [`BIND_AT_MOST`] (read the organisation's whole).
    pub(super) fn limited(&self) -> Option<Vec<String>> {
        (self.limited <= BIND_AT_MOST).then(|| {
            self.slots
                .iter()
                .flatten()
                .filter(|l| matches!(l.person.jobs, JobAccess::Only(_)))
                .map(|l| l.person.id.to_string())
                .collect()
        })
    }

    /// Takes a row of [`jobs_query`].
    pub(super) fn grant(&mut self, row: &impl Cols) -> StoreResult<()> {
        let (person, job) = roster_cols::person_job(row)?;
        if let Some(&at) = self.at.get(&person)
            && let Some(loaded) = &mut self.slots[at]
        {
            grant_job(Some(&mut loaded.person), job);
        }
        Ok(())
    }

    /// The people whose status rows cannot be trusted, with their modes: to be
    /// folded from their events.
    pub(super) fn refold(&self) -> &[(PersonId, TrackingMode)] {
        &self.refold
    }

    /// Takes the states folded for [`PeopleRows::refold`].
    pub(super) fn folded(&mut self, mut states: HashMap<PersonId, PunchState>) {
        for (person, _) in std::mem::take(&mut self.refold) {
            if let Some(&at) = self.at.get(&person)
                && let Some(loaded) = &mut self.slots[at]
            {
                loaded.state = states.remove(&person).unwrap_or_default();
            }
        }
    }

    pub(super) fn finish(self) -> LoadedPeople {
        LoadedPeople {
            people: self.slots.into_iter().flatten().collect(),
            status: self.status,
        }
    }
}

/// The people of `ids` that are not archived, with their job access, their PIN
/// verifiers and their states.
pub(super) async fn load_people(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    ids: &[PersonId],
) -> StoreResult<LoadedPeople> {
    let mut gathered = PeopleRows::new(ids);
    // Bound only when short (see `BIND_AT_MOST`).
    let texts: Option<Vec<String>> =
        (ids.len() <= BIND_AT_MOST).then(|| ids.iter().map(ToString::to_string).collect());
    let bound = texts.as_deref();
    let rows = fetch_people_rows(conn, backend, org, bound, "reading people", people_query).await?;
    for row in &rows {
        gathered.take(row)?;
    }
    drop(rows);
    let rows =
        fetch_people_rows(conn, backend, org, bound, "reading statuses", status_query).await?;
    for row in &rows {
        gathered.take_status(row)?;
    }
    drop(rows);
    gathered.statuses_read();
    let limited = gathered.limited();
    let rows = fetch_people_rows(
        conn,
        backend,
        org,
        limited.as_deref(),
        "reading job access",
        jobs_query,
    )
    .await?;
    for row in &rows {
        gathered.grant(row)?;
    }
    // Rows that cannot be trusted: those people are folded from their events.
    if !gathered.refold().is_empty() {
        let folded = status::fold_people(conn, backend, org, gathered.refold()).await?;
        gathered.folded(folded);
    }
    Ok(gathered.finish())
}

/// The rows of `query` for the people of `ids` (bound in chunks), or for the
/// whole organisation when `ids` is `None`.
async fn fetch_people_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    ids: Option<&[String]>,
    context: &'static str,
    query: fn(&str, Option<&str>) -> String,
) -> StoreResult<Vec<AnyRow>> {
    match ids {
        Some(ids) => {
            sql::fetch_in(conn, backend, org, ids, false, context, |o, l| {
                query(o, Some(l))
            })
            .await
        }
        None => sqlx::query(&query("$1", None))
            .bind(org)
            .fetch_all(&mut *conn)
            .await
            .ctx(context),
    }
}

pub(super) async fn load_roles(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    ids: &BTreeSet<RoleId>,
) -> StoreResult<Vec<Role>> {
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows = sql::fetch_in(
        conn,
        backend,
        org,
        &texts,
        false,
        "reading roles",
        |o, l| {
            format!(
                "SELECT id, name, rank, rights, fixed, preset FROM roles WHERE org_id = {o} \
             AND id IN ({l})"
            )
        },
    )
    .await?;
    rows.iter().map(role_from_row).collect()
}

/// Every job of the organisation that is not archived, by name.
pub(super) async fn active_jobs(conn: &mut AnyConnection, org: &str) -> StoreResult<Vec<Job>> {
    let rows = sqlx::query(
        "SELECT id, name, archived FROM jobs WHERE org_id = $1 AND archived = 0 ORDER BY name",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await
    .ctx("reading jobs")?;
    rows.iter().map(job_from_row).collect()
}

/// Of `jobs`, those some of `people` may check in to.
pub(crate) fn jobs_for<'a>(
    people: impl IntoIterator<Item = &'a Person>,
    jobs: Vec<Job>,
) -> Vec<Job> {
    let mut any_all = false;
    let mut assigned: HashSet<JobId> = HashSet::new();
    for p in people {
        match &p.jobs {
            JobAccess::All => any_all = true,
            JobAccess::Only(jobs) => assigned.extend(jobs.iter().copied()),
        }
    }
    if any_all {
        return jobs;
    }
    jobs.into_iter()
        .filter(|j| assigned.contains(&j.id))
        .collect()
}
