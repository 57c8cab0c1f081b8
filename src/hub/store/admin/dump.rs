//! Reading one organisation whole, as an [`OrgDump`] (`tapin hub export`,
//! `GET /api/v1/admin/export`).
//!
//! Guarantees: every row whose `org_id` is the organisation's, from every table,
//! read in one transaction (one snapshot: REPEATABLE READ on PostgreSQL, a read
//! transaction on SQLite's WAL), column values as stored; the lists are put in
//! the dump's one canonical order ([`OrgDump::sort`]), so two exports of the same
//! rows are byte-identical whatever the backend.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::{Store, sql};
use crate::wire::OrgId;
use crate::wire::org_dump::{
    AuditRow, DeviceRow, EnrollmentCodeRow, EventRow, FORMAT, JobRow, OrgDump, OrgRow,
    PersonJobRow, PersonRow, RateRow, RoleRow, RosterEntryRow, TeamMemberRow, TeamRow, TokenRow,
    VERSION,
};

/// A JSON column as a value.
fn json_col(row: &AnyRow, i: usize, context: &'static str) -> StoreResult<serde_json::Value> {
    let text: String = row.try_get(i).ctx(context)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
        context,
        detail: e.to_string(),
    })
}

fn flag(row: &AnyRow, i: usize, context: &'static str) -> StoreResult<bool> {
    let v: i64 = row.try_get(i).ctx(context)?;
    Ok(v != 0)
}

async fn rows(
    conn: &mut AnyConnection,
    query: &str,
    org: &str,
    context: &'static str,
) -> StoreResult<Vec<AnyRow>> {
    sqlx::query(query)
        .bind(org)
        .fetch_all(&mut *conn)
        .await
        .ctx(context)
}

/// Maps each row with `f`.
fn each<T>(rows: &[AnyRow], f: impl Fn(&AnyRow) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(f).collect()
}

impl Store {
    /// Every organisation of the hub: id and name, by name.
    pub async fn org_list(&self) -> StoreResult<Vec<(OrgId, String)>> {
        let rows = sqlx::query("SELECT id, name FROM orgs ORDER BY name, id")
            .fetch_all(&self.read)
            .await
            .ctx("listing organisations")?;
        each(&rows, |row| {
            let id: String = row.try_get(0).ctx("reading orgs.id")?;
            Ok((
                OrgId(sql::uuid(&id, "reading orgs.id")?),
                row.try_get(1).ctx("reading orgs.name")?,
            ))
        })
    }

    /// The whole organisation, in the dump's canonical order.
    pub async fn export_org(&self, org: OrgId) -> StoreResult<OrgDump> {
        let mut tx = self.begin_read().await?;
        let dump = read_all(&mut tx, &org.to_string()).await?;
        tx.commit().await.ctx("ending a read transaction")?;
        Ok(dump)
    }
}

async fn read_all(conn: &mut AnyConnection, org: &str) -> StoreResult<OrgDump> {
    let org_rows = rows(
        conn,
        "SELECT id, name, date_lock, utc_offset_secs, pin_pepper, version, created_at \
         FROM orgs WHERE id = $1",
        org,
        "reading the organisation",
    )
    .await?;
    let org_row = org_rows
        .first()
        .ok_or(StoreError::NotFound("organisation"))?;
    let org_out = OrgRow {
        id: org_row.try_get(0).ctx("reading orgs.id")?,
        name: org_row.try_get(1).ctx("reading orgs.name")?,
        date_lock: org_row.try_get(2).ctx("reading orgs.date_lock")?,
        utc_offset_secs: org_row.try_get(3).ctx("reading orgs.utc_offset_secs")?,
        pin_pepper: org_row.try_get(4).ctx("reading orgs.pin_pepper")?,
        version: org_row.try_get(5).ctx("reading orgs.version")?,
        created_at: org_row.try_get(6).ctx("reading orgs.created_at")?,
    };

    let r = rows(
        conn,
        "SELECT id, name, rank, rights, fixed, preset FROM roles WHERE org_id = $1",
        org,
        "reading roles",
    )
    .await?;
    let roles = each(&r, |row| {
        Ok(RoleRow {
            id: row.try_get(0).ctx("reading roles.id")?,
            name: row.try_get(1).ctx("reading roles.name")?,
            rank: row.try_get(2).ctx("reading roles.rank")?,
            rights: json_col(row, 3, "reading roles.rights")?,
            fixed: flag(row, 4, "reading roles.fixed")?,
            preset: row.try_get(5).ctx("reading roles.preset")?,
        })
    })?;

    let r = rows(
        conn,
        "SELECT id, name, lead_id FROM teams WHERE org_id = $1",
        org,
        "reading teams",
    )
    .await?;
    let teams = each(&r, |row| {
        Ok(TeamRow {
            id: row.try_get(0).ctx("reading teams.id")?,
            name: row.try_get(1).ctx("reading teams.name")?,
            lead_id: row.try_get(2).ctx("reading teams.lead_id")?,
        })
    })?;

    let r = rows(
        conn,
        "SELECT id, name, badge, mode, team_id, role_id, archived, all_jobs, pin_verifier, \
         created_at FROM people WHERE org_id = $1",
        org,
        "reading people",
    )
    .await?;
    let people = each(&r, |row| {
        Ok(PersonRow {
            id: row.try_get(0).ctx("reading people.id")?,
            name: row.try_get(1).ctx("reading people.name")?,
            badge: row.try_get(2).ctx("reading people.badge")?,
            mode: row.try_get(3).ctx("reading people.mode")?,
            team_id: row.try_get(4).ctx("reading people.team_id")?,
            role_id: row.try_get(5).ctx("reading people.role_id")?,
            archived: flag(row, 6, "reading people.archived")?,
            all_jobs: flag(row, 7, "reading people.all_jobs")?,
            pin_verifier: row.try_get(8).ctx("reading people.pin_verifier")?,
            created_at: row.try_get(9).ctx("reading people.created_at")?,
        })
    })?;

    let r = rows(
        conn,
        "SELECT team_id, person_id, position FROM team_members WHERE org_id = $1",
        org,
        "reading team members",
    )
    .await?;
    let team_members = each(&r, |row| {
        Ok(TeamMemberRow {
            team_id: row.try_get(0).ctx("reading team_members.team_id")?,
            person_id: row.try_get(1).ctx("reading team_members.person_id")?,
            position: row.try_get(2).ctx("reading team_members.position")?,
        })
    })?;

    let r = rows(
        conn,
        "SELECT id, name, archived FROM jobs WHERE org_id = $1",
        org,
        "reading jobs",
    )
    .await?;
    let jobs = each(&r, |row| {
        Ok(JobRow {
            id: row.try_get(0).ctx("reading jobs.id")?,
            name: row.try_get(1).ctx("reading jobs.name")?,
            archived: flag(row, 2, "reading jobs.archived")?,
        })
    })?;

    let r = rows(
        conn,
        "SELECT person_id, job_id FROM person_jobs WHERE org_id = $1",
        org,
        "reading job access",
    )
    .await?;
    let person_jobs = each(&r, |row| {
        Ok(PersonJobRow {
            person_id: row.try_get(0).ctx("reading person_jobs.person_id")?,
            job_id: row.try_get(1).ctx("reading person_jobs.job_id")?,
        })
    })?;

    let mut dump = OrgDump {
        format: FORMAT.to_owned(),
        version: VERSION,
        org: org_out,
        roles,
        teams,
        people,
        team_members,
        jobs,
        person_jobs,
        devices: Vec::new(),
        enrollment_codes: Vec::new(),
        roster_entries: Vec::new(),
        rates: Vec::new(),
        tokens: Vec::new(),
        events: Vec::new(),
        audit: Vec::new(),
    };
    read_devices(conn, org, &mut dump).await?;
    read_records(conn, org, &mut dump).await?;
    dump.sort();
    Ok(dump)
}

/// Devices, enrollment codes and rosters.
async fn read_devices(conn: &mut AnyConnection, org: &str, dump: &mut OrgDump) -> StoreResult<()> {
    let r = rows(
        conn,
        "SELECT id, name, kind, token_hash, revoked, created_at, enrolled_at, last_seen, \
         roster_version FROM devices WHERE org_id = $1",
        org,
        "reading devices",
    )
    .await?;
    dump.devices = each(&r, |row| {
        Ok(DeviceRow {
            id: row.try_get(0).ctx("reading devices.id")?,
            name: row.try_get(1).ctx("reading devices.name")?,
            kind: row.try_get(2).ctx("reading devices.kind")?,
            token_hash: row.try_get(3).ctx("reading devices.token_hash")?,
            revoked: flag(row, 4, "reading devices.revoked")?,
            created_at: row.try_get(5).ctx("reading devices.created_at")?,
            enrolled_at: row.try_get(6).ctx("reading devices.enrolled_at")?,
            last_seen: row.try_get(7).ctx("reading devices.last_seen")?,
            roster_version: row.try_get(8).ctx("reading devices.roster_version")?,
        })
    })?;

    let r = rows(
        conn,
        "SELECT code_hash, device_id, created_at, expires_at, used_at FROM enrollment_codes \
         WHERE org_id = $1",
        org,
        "reading enrollment codes",
    )
    .await?;
    dump.enrollment_codes = each(&r, |row| {
        Ok(EnrollmentCodeRow {
            code_hash: row.try_get(0).ctx("reading enrollment_codes.code_hash")?,
            device_id: row.try_get(1).ctx("reading enrollment_codes.device_id")?,
            created_at: row.try_get(2).ctx("reading enrollment_codes.created_at")?,
            expires_at: row.try_get(3).ctx("reading enrollment_codes.expires_at")?,
            used_at: row.try_get(4).ctx("reading enrollment_codes.used_at")?,
        })
    })?;

    let r = rows(
        conn,
        "SELECT device_id, position, group_name, person_id, team_id FROM roster_entries \
         WHERE org_id = $1",
        org,
        "reading rosters",
    )
    .await?;
    dump.roster_entries = each(&r, |row| {
        Ok(RosterEntryRow {
            device_id: row.try_get(0).ctx("reading roster_entries.device_id")?,
            position: row.try_get(1).ctx("reading roster_entries.position")?,
            group_name: row.try_get(2).ctx("reading roster_entries.group_name")?,
            person_id: row.try_get(3).ctx("reading roster_entries.person_id")?,
            team_id: row.try_get(4).ctx("reading roster_entries.team_id")?,
        })
    })?;
    Ok(())
}

/// Rates, admin tokens, events and the audit trail.
async fn read_records(conn: &mut AnyConnection, org: &str, dump: &mut OrgDump) -> StoreResult<()> {
    let r = rows(
        conn,
        "SELECT person_id, valid_from, rate_cents, cost_cents FROM rates WHERE org_id = $1",
        org,
        "reading rates",
    )
    .await?;
    dump.rates = each(&r, |row| {
        Ok(RateRow {
            person_id: row.try_get(0).ctx("reading rates.person_id")?,
            valid_from: row.try_get(1).ctx("reading rates.valid_from")?,
            rate_cents: row.try_get(2).ctx("reading rates.rate_cents")?,
            cost_cents: row.try_get(3).ctx("reading rates.cost_cents")?,
        })
    })?;

    let r = rows(
        conn,
        "SELECT id, person_id, token_hash, created_at, revoked, revoked_at FROM tokens \
         WHERE org_id = $1",
        org,
        "reading admin tokens",
    )
    .await?;
    dump.tokens = each(&r, |row| {
        Ok(TokenRow {
            id: row.try_get(0).ctx("reading tokens.id")?,
            person_id: row.try_get(1).ctx("reading tokens.person_id")?,
            token_hash: row.try_get(2).ctx("reading tokens.token_hash")?,
            created_at: row.try_get(3).ctx("reading tokens.created_at")?,
            revoked: flag(row, 4, "reading tokens.revoked")?,
            revoked_at: row.try_get(5).ctx("reading tokens.revoked_at")?,
        })
    })?;

    let r = rows(
        conn,
        "SELECT id, device_id, seq, subject, kind, job_id, corrects, at, received_at, anomaly, \
         body FROM events WHERE org_id = $1",
        org,
        "reading events",
    )
    .await?;
    dump.events = each(&r, |row| {
        Ok(EventRow {
            id: row.try_get(0).ctx("reading events.id")?,
            device_id: row.try_get(1).ctx("reading events.device_id")?,
            seq: row.try_get(2).ctx("reading events.seq")?,
            subject: row.try_get(3).ctx("reading events.subject")?,
            kind: row.try_get(4).ctx("reading events.kind")?,
            job_id: row.try_get(5).ctx("reading events.job_id")?,
            corrects: row.try_get(6).ctx("reading events.corrects")?,
            at: row.try_get(7).ctx("reading events.at")?,
            received_at: row.try_get(8).ctx("reading events.received_at")?,
            anomaly: row.try_get(9).ctx("reading events.anomaly")?,
            body: json_col(row, 10, "reading events.body")?,
        })
    })?;

    let r = rows(
        conn,
        "SELECT id, actor, at, action, target, detail FROM audit WHERE org_id = $1",
        org,
        "reading the audit trail",
    )
    .await?;
    dump.audit = each(&r, |row| {
        Ok(AuditRow {
            id: row.try_get(0).ctx("reading audit.id")?,
            actor: row.try_get(1).ctx("reading audit.actor")?,
            at: row.try_get(2).ctx("reading audit.at")?,
            action: row.try_get(3).ctx("reading audit.action")?,
            target: row.try_get(4).ctx("reading audit.target")?,
            detail: json_col(row, 5, "reading audit.detail")?,
        })
    })?;
    Ok(())
}
