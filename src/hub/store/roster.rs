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
//! building it. A roster of more people than `roster_read::BIND_AT_MOST` reads
//! the organisation's people, statuses and job access whole and keeps its own
//! (planning a statement of thousands of bound ids cost more than the rows); the
//! queries with id lists are not kept prepared: after a few runs PostgreSQL
//! switches a prepared one to a generic plan, which took 4 s instead of about
//! 0.1 s for the people of a 10,000-person roster.
//! On a SQLite file, a whole build reads through rusqlite ([`super::roster_lite`],
//! the same queries and rules, tested equal to the sqlx reads).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::error::{DbContext, StoreError, StoreResult};
use super::roster_read::{
    BuildReads, build_reads, changed_states_in, crews_shown, entries_shown, jobs_for,
};
use super::{Backend, Store, roster_cols, sql};
use crate::domain::{DeviceId, Directory, PersonId, PunchState, Team};
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
    /// The device's entries as stored, archived people's included
    /// (`roster.entries` leaves those out): what a later change is applied to.
    pub stored_entries: Vec<RosterEntry>,
    /// The teams shown with their whole crews, archived members included.
    pub stored_teams: Vec<Team>,
    /// Everyone the entries and teams name, in roster order, archived people
    /// included ([`wanted`]).
    pub wanted: Vec<PersonId>,
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
        let org_s = org.to_string();
        let mut tx = self.begin_write().await?;
        if !bump_roster_version(&mut tx, &org_s, device).await? {
            return Err(StoreError::NotFound("device"));
        }
        write_entries(&mut tx, self.backend, &org_s, device, entries).await?;
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
        let mut tx = self.begin_read().await?;
        let out = changed_states_in(&mut tx, self.backend, &org.to_string(), since).await?;
        tx.commit().await.ctx("ending a read transaction")?;
        Ok(out)
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
        let reads = match &self.lite {
            Some(lite) => lite.build_reads(org_s, device).await?,
            None => {
                let mut tx = self.begin_read().await?;
                let reads = build_reads(&mut tx, self.backend, &org_s, device).await?;
                tx.commit().await.ctx("ending a read transaction")?;
                reads
            }
        };
        let BuildReads {
            head,
            settings,
            stored_entries,
            stored_teams,
            wanted,
            loaded,
            roles,
            jobs,
        } = reads;
        let shown: HashSet<PersonId> = loaded.people.iter().map(|l| l.person.id).collect();
        let teams = crews_shown(stored_teams.clone(), &shown);
        let jobs = jobs_for(loaded.people.iter().map(|l| &l.person), jobs);
        let mut seqs = HashMap::with_capacity(loaded.people.len());
        let mut people = Vec::with_capacity(loaded.people.len());
        let mut people_states = Vec::with_capacity(loaded.people.len());
        for l in loaded.people {
            if let Some(seq) = l.seq {
                seqs.insert(l.person.id, seq);
            }
            people_states.push(RosterPerson {
                id: l.person.id,
                state: l.state,
                pin_verifier: l.verifier,
            });
            people.push(l.person);
        }
        let entries = entries_shown(&stored_entries, &shown);
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
                directory: Directory::new(people, roles, teams, jobs, settings),
                people: people_states,
            },
            tag,
            head,
            shown,
            seqs,
            stored_entries,
            stored_teams,
            wanted,
        })
    }
}

/// A [`RosterHead`] from a row starting with `o.version, d.roster_version,
/// o.status_seq`.
pub(super) fn head_of(row: &sqlx::any::AnyRow) -> StoreResult<RosterHead> {
    Ok(RosterHead {
        org_version: row.try_get(0).ctx("reading orgs.version")?,
        roster_version: row.try_get(1).ctx("reading devices.roster_version")?,
        status_seq: row.try_get(2).ctx("reading orgs.status_seq")?,
    })
}

/// A roster entry from a row `group_name, person_id, team_id` of
/// `roster_entries`.
pub(crate) fn entry_from_row(row: &AnyRow) -> StoreResult<RosterEntry> {
    roster_cols::entry(row)
}

pub(super) async fn roster_entries(
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
    rows.iter().map(entry_from_row).collect()
}

/// Bumps the roster version of `device`; false when `org` has no such device.
pub(crate) async fn bump_roster_version(
    conn: &mut AnyConnection,
    org: &str,
    device: DeviceId,
) -> StoreResult<bool> {
    let bumped = sqlx::query(
        "UPDATE devices SET roster_version = roster_version + 1 WHERE org_id = $1 AND id = $2",
    )
    .bind(org)
    .bind(device.to_string())
    .execute(&mut *conn)
    .await
    .ctx("bumping a device's roster version")?;
    Ok(bumped.rows_affected() > 0)
}

/// Writes `entries` as the whole roster of `device` (positions 0, 1, ...).
pub(crate) async fn write_entries(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    device: DeviceId,
    entries: &[RosterEntry],
) -> StoreResult<()> {
    let dev = device.to_string();
    sqlx::query("DELETE FROM roster_entries WHERE org_id = $1 AND device_id = $2")
        .bind(org)
        .bind(&dev)
        .execute(&mut *conn)
        .await
        .ctx("clearing a device's roster")?;
    const COLS: usize = 6;
    let mut position: i64 = 0;
    for chunk in entries.chunks(sql::MAX_BINDS / COLS) {
        let mut p = sql::Params::new(backend);
        let query = format!(
            "INSERT INTO roster_entries (org_id, device_id, position, group_name, person_id, \
             team_id) VALUES {}",
            p.tuples(chunk.len(), COLS)
        );
        let mut q = sqlx::query(&query);
        for entry in chunk {
            let (person, team) = match entry.item {
                RosterItem::Person(p) => (Some(p.to_string()), None),
                RosterItem::Team(t) => (None, Some(t.to_string())),
            };
            q = q
                .bind(org)
                .bind(dev.as_str())
                .bind(position)
                .bind(entry.group.clone())
                .bind(person)
                .bind(team);
            position += 1;
        }
        q.execute(&mut *conn)
            .await
            .ctx("writing a device's roster")?;
    }
    Ok(())
}
