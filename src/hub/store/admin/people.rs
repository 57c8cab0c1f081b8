//! Adding and changing people: their fields, job access, PIN verifier, team, and
//! archiving.
//!
//! Guarantees: a person's `team` is also their place in that team's crew: setting
//! it appends them to the crew (unless they lead it), changing it takes them out of
//! the crew of the team they left; job access is replaced whole; the PIN verifier
//! is written only when asked ([`PinWrite`]); archiving keeps every row of the
//! person (events, team places, tokens): they only leave rosters and cannot sign
//! in or punch until unarchived.

use sqlx::AnyConnection;

use super::super::changes::{Touched, bump_version};
use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::people::{insert_job_access, insert_person};
use super::super::{Store, sql};
use super::audit::{self, AuditEntry};
use crate::domain::{JobAccess, Person, PersonId, TeamId};
use crate::wire::OrgId;

/// What to do with a person's PIN verifier.
#[derive(Clone, PartialEq, Eq)]
pub enum PinWrite {
    Keep,
    Clear,
    /// A new verifier (never the PIN).
    Set(String),
}

impl std::fmt::Debug for PinWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PinWrite::Keep => "Keep",
            PinWrite::Clear => "Clear",
            PinWrite::Set(_) => "Set(<verifier>)",
        })
    }
}

/// Replaces the person's assigned jobs with those of `person.jobs`.
async fn write_job_access(conn: &mut AnyConnection, org: &str, person: &Person) -> StoreResult<()> {
    sqlx::query("DELETE FROM person_jobs WHERE org_id = $1 AND person_id = $2")
        .bind(org)
        .bind(person.id.to_string())
        .execute(&mut *conn)
        .await
        .ctx("clearing a person's jobs")?;
    insert_job_access(conn, org, person).await
}

/// Appends `person` to the crew of `team`, unless they lead it or are in it.
async fn join_crew(
    conn: &mut AnyConnection,
    org: &str,
    team: TeamId,
    person: PersonId,
) -> StoreResult<()> {
    let team_s = team.to_string();
    let lead =
        sqlx::query_scalar::<_, String>("SELECT lead_id FROM teams WHERE org_id = $1 AND id = $2")
            .bind(org)
            .bind(&team_s)
            .fetch_optional(&mut *conn)
            .await
            .ctx("reading a team's lead")?
            .ok_or(StoreError::NotFound("team"))?;
    if lead == person.to_string() {
        return Ok(());
    }
    let next = sqlx::query_scalar::<_, i64>(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM team_members WHERE org_id = $1 AND team_id = $2",
    )
    .bind(org)
    .bind(&team_s)
    .fetch_one(&mut *conn)
    .await
    .ctx("reading a crew's size")?;
    sqlx::query(
        "INSERT INTO team_members (org_id, team_id, person_id, position) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (team_id, person_id) DO NOTHING",
    )
    .bind(org)
    .bind(&team_s)
    .bind(person.to_string())
    .bind(next)
    .execute(&mut *conn)
    .await
    .ctx("adding a crew member")?;
    Ok(())
}

/// The teams whose crew a change from `before` to `after` writes: the one left
/// and the one joined.
fn crews_left_and_joined(before: &Person, after: &Person) -> Vec<TeamId> {
    if before.team == after.team {
        return Vec::new();
    }
    before.team.into_iter().chain(after.team).collect()
}

impl Store {
    /// Adds a person (with job access, PIN verifier and crew place).
    pub async fn create_person(
        &self,
        org: OrgId,
        person: &Person,
        pin_verifier: Option<&str>,
        entry: &AuditEntry,
    ) -> StoreResult<()> {
        let org_s = org.to_string();
        let mut tx = self.begin_write().await?;
        insert_person(&mut tx, &org_s, person, pin_verifier).await?;
        if let Some(team) = person.team {
            join_crew(&mut tx, &org_s, team, person.id).await?;
        }
        audit::write(&mut tx, Some(org), entry).await?;
        bump_version(
            &mut tx,
            self.backend,
            org,
            Touched {
                people: &[person.id],
                teams: &person.team.into_iter().collect::<Vec<_>>(),
            },
        )
        .await?;
        tx.commit().await.ctx("committing a new person")?;
        Ok(())
    }

    /// Writes `after` over `before` (same id): fields, job access, crew place,
    /// archived flag and, as `pin` says, the PIN verifier.
    pub async fn update_person(
        &self,
        org: OrgId,
        before: &Person,
        after: &Person,
        pin: PinWrite,
        entry: &AuditEntry,
    ) -> StoreResult<()> {
        let org_s = org.to_string();
        let id = after.id.to_string();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE people SET name = $1, badge = $2, mode = $3, team_id = $4, role_id = $5, \
             archived = $6, all_jobs = $7 WHERE org_id = $8 AND id = $9",
        )
        .bind(&after.name)
        .bind(after.badge.clone())
        .bind(sql::name_of(&after.mode, "encoding a tracking mode")?)
        .bind(after.team.map(|t| t.to_string()))
        .bind(after.role.to_string())
        .bind(sql::flag(after.archived))
        .bind(sql::flag(matches!(after.jobs, JobAccess::All)))
        .bind(&org_s)
        .bind(&id)
        .execute(&mut *tx)
        .await
        .ctx("changing a person")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("person"));
        }
        match &pin {
            PinWrite::Keep => {}
            PinWrite::Clear | PinWrite::Set(_) => {
                let verifier = match &pin {
                    PinWrite::Set(v) => Some(v.as_str()),
                    _ => None,
                };
                sqlx::query("UPDATE people SET pin_verifier = $1 WHERE org_id = $2 AND id = $3")
                    .bind(verifier)
                    .bind(&org_s)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await
                    .ctx("changing a person's PIN")?;
            }
        }
        if before.jobs != after.jobs {
            write_job_access(&mut tx, &org_s, after).await?;
        }
        if before.team != after.team {
            if let Some(old) = before.team {
                sqlx::query(
                    "DELETE FROM team_members WHERE org_id = $1 AND team_id = $2 AND person_id = $3",
                )
                .bind(&org_s)
                .bind(old.to_string())
                .bind(&id)
                .execute(&mut *tx)
                .await
                .ctx("leaving a crew")?;
            }
            if let Some(new) = after.team {
                join_crew(&mut tx, &org_s, new, after.id).await?;
            }
        }
        audit::write(&mut tx, Some(org), entry).await?;
        bump_version(
            &mut tx,
            self.backend,
            org,
            Touched {
                people: &[after.id],
                teams: &crews_left_and_joined(before, after),
            },
        )
        .await?;
        tx.commit().await.ctx("committing a person's change")?;
        Ok(())
    }
}
