//! The rows a roster is made of, decoded once for both drivers: sqlx's `AnyRow`
//! (PostgreSQL, and SQLite outside whole builds) and rusqlite's `Row` (whole
//! builds on a SQLite file, [`super::roster_lite`]) give their columns as plain
//! text and integers through [`Cols`], and every decoder here reads those.
//!
//! Guarantees: one decoding rule per table, whichever driver read the row, so
//! the two read paths cannot drift apart; a NULL where a value is required, a bad
//! id or an unknown name is [`StoreError::Corrupt`], never a default.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::error::{DbContext, StoreError, StoreResult};
use super::sql;
use super::status::Status;
use crate::domain::{
    Clock, Job, JobAccess, JobId, OnJob, Person, PersonId, PunchState, RightSet, Role, RoleId,
    Team, TeamId, TrackingMode,
};
use crate::wire::{RosterEntry, RosterItem};

/// A row's columns as plain values, borrowed from the row.
pub(crate) trait Cols {
    /// Column `i` as text, `None` for NULL.
    fn text(&self, i: usize, context: &'static str) -> StoreResult<Option<&str>>;
    /// Column `i` as an integer, `None` for NULL.
    fn int(&self, i: usize, context: &'static str) -> StoreResult<Option<i64>>;

    fn must_text(&self, i: usize, context: &'static str) -> StoreResult<&str> {
        self.text(i, context)?.ok_or_else(|| null(context))
    }

    fn must_int(&self, i: usize, context: &'static str) -> StoreResult<i64> {
        self.int(i, context)?.ok_or_else(|| null(context))
    }

    fn id(&self, i: usize, context: &'static str) -> StoreResult<uuid::Uuid> {
        sql::uuid(self.must_text(i, context)?, context)
    }
}

fn null(context: &'static str) -> StoreError {
    StoreError::Corrupt {
        context,
        detail: "NULL".to_owned(),
    }
}

impl Cols for AnyRow {
    fn text(&self, i: usize, context: &'static str) -> StoreResult<Option<&str>> {
        self.try_get::<Option<&str>, _>(i).ctx(context)
    }

    fn int(&self, i: usize, context: &'static str) -> StoreResult<Option<i64>> {
        self.try_get::<Option<i64>, _>(i).ctx(context)
    }
}

impl Cols for rusqlite::Row<'_> {
    fn text(&self, i: usize, context: &'static str) -> StoreResult<Option<&str>> {
        let value = self
            .get_ref(i)
            .map_err(|source| StoreError::Lite { context, source })?;
        match value {
            ValueRef::Null => Ok(None),
            v => v.as_str().map(Some).map_err(|e| StoreError::Corrupt {
                context,
                detail: e.to_string(),
            }),
        }
    }

    fn int(&self, i: usize, context: &'static str) -> StoreResult<Option<i64>> {
        self.get::<_, Option<i64>>(i)
            .map_err(|source| StoreError::Lite { context, source })
    }
}

/// A person from a row starting with [`super::people::PERSON_COLS`]. Without every job, their
/// access is empty until their `person_jobs` rows are added.
pub(crate) fn person(row: &impl Cols) -> StoreResult<Person> {
    Ok(Person {
        id: PersonId(row.id(0, "reading people.id")?),
        name: row.must_text(1, "reading people.name")?.to_owned(),
        badge: row.text(2, "reading people.badge")?.map(str::to_owned),
        mode: mode(
            row.must_text(3, "reading people.mode")?,
            "reading people.mode",
        )?,
        team: row
            .text(4, "reading people.team_id")?
            .map(|t| sql::uuid(t, "reading people.team_id").map(TeamId))
            .transpose()?,
        role: RoleId(row.id(5, "reading people.role_id")?),
        archived: row.must_int(6, "reading people.archived")? != 0,
        jobs: if row.must_int(7, "reading people.all_jobs")? != 0 {
            JobAccess::All
        } else {
            JobAccess::Only(BTreeSet::new())
        },
    })
}

/// A tracking mode by its stored (snake_case) name.
fn mode(name: &str, context: &'static str) -> StoreResult<TrackingMode> {
    // The names serde gives; spelled out because this runs once per person of
    // every roster build.
    match name {
        "personal" => Ok(TrackingMode::Personal),
        "individual" => Ok(TrackingMode::Individual),
        "team_lead" => Ok(TrackingMode::TeamLead),
        "team_member" => Ok(TrackingMode::TeamMember),
        other => sql::from_name(other, context),
    }
}

/// A `person_jobs` row (`person_id, job_id`).
pub(crate) fn person_job(row: &impl Cols) -> StoreResult<(PersonId, JobId)> {
    Ok((
        PersonId(row.id(0, "reading person_jobs.person_id")?),
        JobId(row.id(1, "reading person_jobs.job_id")?),
    ))
}

/// A `team_members` row (`team_id, person_id`).
pub(crate) fn member(row: &impl Cols) -> StoreResult<(TeamId, PersonId)> {
    Ok((
        TeamId(row.id(0, "reading team_members.team_id")?),
        PersonId(row.id(1, "reading team_members.person_id")?),
    ))
}

/// A role from a row `id, name, rank, rights, fixed, preset`.
pub(crate) fn role(row: &impl Cols) -> StoreResult<Role> {
    let rank = row.must_int(2, "reading roles.rank")?;
    Ok(Role {
        id: RoleId(row.id(0, "reading roles.id")?),
        name: row.must_text(1, "reading roles.name")?.to_owned(),
        rank: i32::try_from(rank).map_err(|_| StoreError::Corrupt {
            context: "reading roles.rank",
            detail: format!("rank {rank} out of range"),
        })?,
        rights: serde_json::from_str::<RightSet>(row.must_text(3, "reading roles.rights")?)
            .map_err(|e| StoreError::Corrupt {
                context: "reading roles.rights",
                detail: e.to_string(),
            })?,
        fixed: row.must_int(4, "reading roles.fixed")? != 0,
        preset: row
            .text(5, "reading roles.preset")?
            .map(|p| sql::from_name(p, "reading roles.preset"))
            .transpose()?,
    })
}

/// A team from a row `id, name, lead_id`, without its crew yet.
pub(crate) fn team(row: &impl Cols) -> StoreResult<Team> {
    Ok(Team {
        id: TeamId(row.id(0, "reading teams.id")?),
        name: row.must_text(1, "reading teams.name")?.to_owned(),
        lead: PersonId(row.id(2, "reading teams.lead_id")?),
        members: Vec::new(),
    })
}

/// A job from a row `id, name, archived`.
pub(crate) fn job(row: &impl Cols) -> StoreResult<Job> {
    Ok(Job {
        id: JobId(row.id(0, "reading jobs.id")?),
        name: row.must_text(1, "reading jobs.name")?.to_owned(),
        archived: row.must_int(2, "reading jobs.archived")? != 0,
    })
}

/// A roster entry from a row `group_name, person_id, team_id` of
/// `roster_entries`.
pub(crate) fn entry(row: &impl Cols) -> StoreResult<RosterEntry> {
    let group = row
        .text(0, "reading roster_entries.group_name")?
        .map(str::to_owned);
    let person = row.text(1, "reading roster_entries.person_id")?;
    let team = row.text(2, "reading roster_entries.team_id")?;
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

/// A status from the `super::status::STATUS_COLS` at `at`, as
/// `super::status::decode` reads it; `None` when a `LEFT JOIN` found no row.
pub(crate) fn status(row: &impl Cols, at: usize) -> StoreResult<Option<Status>> {
    let Some(clock) = row.text(at + 1, "reading person_status.clock")? else {
        return Ok(None);
    };
    let instant = |i: usize, what: &'static str| -> StoreResult<DateTime<Utc>> {
        row.int(at + i, what)?
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
    let job = match row.text(at + 4, "reading person_status.job_id")? {
        Some(job) => Some(OnJob {
            job: JobId(sql::uuid(job, "reading person_status.job_id")?),
            since: instant(5, "reading person_status.job_since_ns")?,
        }),
        None => None,
    };
    let mode = row
        .text(at, "reading person_status.mode")?
        .map(|m| mode(m, "reading person_status.mode"))
        .transpose()?;
    Ok(Some(Status {
        mode,
        state: PunchState {
            clock,
            job,
            last_punch: row
                .int(at + 6, "reading person_status.last_punch_ns")?
                .map(DateTime::from_timestamp_nanos),
        },
        max_at: row.int(at + 7, "reading person_status.max_at")?,
        dangling: row.must_int(at + 8, "reading person_status.dangling")? != 0,
        changed_seq: row.must_int(at + 9, "reading person_status.changed_seq")?,
    }))
}
