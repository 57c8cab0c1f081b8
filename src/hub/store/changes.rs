//! The organisation's version and its change log (`org_changes`, migration 0005):
//! what each version changed, so a device's cached roster is brought up to date
//! by reloading only the people and teams an admin change touched (see
//! [`super::roster_delta`]).
//!
//! Guarantees: [`bump_version`] is the one way the store moves an organisation's
//! version, and it logs the change in the same transaction: one row per person
//! named, or one row without a person. Versions are given out under the
//! organisation's row lock, so a snapshot that sees version `v` sees every row of
//! every version up to `v`. [`changed`] answers only when every version
//! of the range has rows; a version moved without them (another writer, an old
//! row pruned) is an unknown change, and the roster is built whole.

use std::collections::HashSet;

use sqlx::{Any, AnyConnection, Row, Transaction};

use super::error::{DbContext, StoreResult};
use super::{Backend, sql};
use crate::domain::{PersonId, TeamId};
use crate::wire::OrgId;

/// Versions of the log kept per organisation: a roster cached longer ago than
/// this many admin changes is built whole.
const KEEP_VERSIONS: i64 = 1_000;

/// What an organisation change touched, for its log row(s).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Touched<'a> {
    /// Everyone whose roster data the change wrote: their `people` row (name,
    /// badge, mode, team, role, archived, job access flag, PIN verifier) or their
    /// `person_jobs` rows.
    pub people: &'a [PersonId],
    /// Every team whose row (name, lead) or crew (`team_members`) it wrote.
    pub teams: &'a [TeamId],
}

impl<'a> Touched<'a> {
    /// Nothing a roster reloads per person or team: roles, jobs, settings, which
    /// a roster reloads whole anyway.
    pub const NOTHING: Touched<'static> = Touched {
        people: &[],
        teams: &[],
    };

    pub fn people(people: &'a [PersonId]) -> Self {
        Touched { people, teams: &[] }
    }
}

/// What the versions of a range changed, as logged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Changed {
    pub people: HashSet<PersonId>,
    pub teams: HashSet<TeamId>,
}

/// Bumps the organisation's version inside a write transaction and logs what
/// the change touched (see [`Touched`]): every writer of those rows must name
/// them, or rosters showing them stay stale.
pub(crate) async fn bump_version(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    org: OrgId,
    touched: Touched<'_>,
) -> StoreResult<()> {
    let org_s = org.to_string();
    let version: i64 =
        sqlx::query_scalar("UPDATE orgs SET version = version + 1 WHERE id = $1 RETURNING version")
            .bind(&org_s)
            .fetch_one(&mut **tx)
            .await
            .ctx("bumping the organisation's version")?;
    let rows: Vec<(Option<String>, Option<String>)> = touched
        .people
        .iter()
        .map(|p| (Some(p.to_string()), None))
        .chain(touched.teams.iter().map(|t| (None, Some(t.to_string()))))
        .collect();
    let rows = if rows.is_empty() {
        vec![(None, None)]
    } else {
        rows
    };
    for chunk in rows.chunks(sql::MAX_BINDS / 4) {
        let mut p = sql::Params::new(backend);
        let query = format!(
            "INSERT INTO org_changes (org_id, version, person_id, team_id) VALUES {}",
            p.tuples(chunk.len(), 4)
        );
        let mut q = sqlx::query(&query);
        for (person, team) in chunk {
            q = q
                .bind(&org_s)
                .bind(version)
                .bind(person.clone())
                .bind(team.clone());
        }
        q.execute(&mut **tx)
            .await
            .ctx("logging an organisation change")?;
    }
    sqlx::query("DELETE FROM org_changes WHERE org_id = $1 AND version <= $2")
        .bind(&org_s)
        .bind(version - KEEP_VERSIONS)
        .execute(&mut **tx)
        .await
        .ctx("pruning the organisation's change log")?;
    Ok(())
}

/// What the versions after `from` up to `to` changed, or `None` when the log
/// does not account for every one of those versions.
pub(crate) async fn changed(
    conn: &mut AnyConnection,
    org: &str,
    from: i64,
    to: i64,
) -> StoreResult<Option<Changed>> {
    if to < from {
        return Ok(None);
    }
    let rows = sqlx::query(
        "SELECT version, person_id, team_id FROM org_changes \
         WHERE org_id = $1 AND version > $2 AND version <= $3",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await
    .ctx("reading the organisation's change log")?;
    let mut versions = HashSet::new();
    let mut out = Changed::default();
    for row in &rows {
        let version: i64 = row.try_get(0).ctx("reading org_changes.version")?;
        let person: Option<String> = row.try_get(1).ctx("reading org_changes.person_id")?;
        let team: Option<String> = row.try_get(2).ctx("reading org_changes.team_id")?;
        versions.insert(version);
        if let Some(p) = person {
            out.people
                .insert(PersonId(sql::uuid(&p, "reading org_changes.person_id")?));
        }
        if let Some(t) = team {
            out.teams
                .insert(TeamId(sql::uuid(&t, "reading org_changes.team_id")?));
        }
    }
    let complete = i64::try_from(versions.len()).is_ok_and(|n| n == to - from);
    Ok(complete.then_some(out))
}
