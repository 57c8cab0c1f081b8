//! Adding and changing teams: a lead and an ordered crew.
//!
//! Guarantees: the crew is replaced whole, in the order given, never with the lead
//! in it; people who join a crew and have no team get this one as their team, and
//! people who leave it lose it as their team (see `people.rs` for the other
//! direction); each change bumps the organisation's version.

use sqlx::AnyConnection;

use super::super::Store;
use super::super::changes::{Touched, bump_version};
use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::people::insert_team;
use super::audit::{self, AuditEntry};
use crate::domain::{PersonId, Team};
use crate::wire::OrgId;

async fn write_crew(
    conn: &mut AnyConnection,
    org: &str,
    before: Option<&Team>,
    after: &Team,
) -> StoreResult<()> {
    let team = after.id.to_string();
    sqlx::query("DELETE FROM team_members WHERE org_id = $1 AND team_id = $2")
        .bind(org)
        .bind(&team)
        .execute(&mut *conn)
        .await
        .ctx("clearing a crew")?;
    let crew = after.members.iter().filter(|m| **m != after.lead);
    for (position, member) in crew.enumerate() {
        sqlx::query(
            "INSERT INTO team_members (org_id, team_id, person_id, position) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(org)
        .bind(&team)
        .bind(member.to_string())
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await
        .ctx("adding a crew member")?;
        sqlx::query(
            "UPDATE people SET team_id = $1 WHERE org_id = $2 AND id = $3 AND team_id IS NULL",
        )
        .bind(&team)
        .bind(org)
        .bind(member.to_string())
        .execute(&mut *conn)
        .await
        .ctx("giving a crew member their team")?;
    }
    if let Some(before) = before {
        for gone in before.members.iter().filter(|m| !after.members.contains(m)) {
            sqlx::query(
                "UPDATE people SET team_id = NULL WHERE org_id = $1 AND id = $2 AND team_id = $3",
            )
            .bind(org)
            .bind(gone.to_string())
            .bind(&team)
            .execute(&mut *conn)
            .await
            .ctx("taking a team from a former crew member")?;
        }
    }
    Ok(())
}

/// Everyone in the crew before or after: whose `team_id` [`write_crew`] may
/// change.
fn crews_of(before: &Team, after: &Team) -> Vec<PersonId> {
    let mut people: Vec<PersonId> = before
        .members
        .iter()
        .chain(&after.members)
        .copied()
        .collect();
    people.sort_unstable();
    people.dedup();
    people
}

impl Store {
    /// Adds a team with its crew. Lead and crew must be people of `org` (the
    /// database's foreign keys refuse others).
    pub async fn create_team(
        &self,
        org: OrgId,
        team: &Team,
        entry: &AuditEntry,
    ) -> StoreResult<()> {
        let org_s = org.to_string();
        let mut tx = self.begin_write().await?;
        insert_team(&mut tx, &org_s, team).await?;
        write_crew(&mut tx, &org_s, None, team).await?;
        audit::write(&mut tx, Some(org), entry).await?;
        bump_version(
            &mut tx,
            self.backend,
            org,
            Touched {
                people: &team.members,
                teams: &[team.id],
            },
        )
        .await?;
        tx.commit().await.ctx("committing a new team")?;
        Ok(())
    }

    /// Writes `after` over `before` (same id): name, lead and crew.
    pub async fn update_team(
        &self,
        org: OrgId,
        before: &Team,
        after: &Team,
        entry: &AuditEntry,
    ) -> StoreResult<()> {
        let org_s = org.to_string();
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE teams SET name = $1, lead_id = $2 WHERE org_id = $3 AND id = $4")
                .bind(&after.name)
                .bind(after.lead.to_string())
                .bind(&org_s)
                .bind(after.id.to_string())
                .execute(&mut *tx)
                .await
                .ctx("changing a team")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("team"));
        }
        write_crew(&mut tx, &org_s, Some(before), after).await?;
        audit::write(&mut tx, Some(org), entry).await?;
        bump_version(
            &mut tx,
            self.backend,
            org,
            Touched {
                people: &crews_of(before, after),
                teams: &[after.id],
            },
        )
        .await?;
        tx.commit().await.ctx("committing a team's change")?;
        Ok(())
    }
}
