//! Writing an [`OrgDump`] into a hub database (`tapin hub import`).
//!
//! Guarantees:
//! - all or nothing: every row is written in one transaction, or none is;
//! - an organisation whose id already exists is refused ([`ImportError::OrgExists`])
//!   before anything is written, as is a dump of another format or version, or
//!   one whose organisation name is taken on this hub;
//! - rows are written exactly as dumped (the organisation's version, roster
//!   versions, hashes, instants), every one with the dump's organisation id, so a
//!   later export is byte-identical to the dump imported;
//! - the derived per-person status cache (`person_status`, `orgs.status_seq`) is
//!   not part of a dump: it is rebuilt from the imported events in the same
//!   transaction;
//! - one site-level audit row (`org.import`, organisation NULL, actor the nil
//!   uuid: the site operator at the database) records the import; it is not part
//!   of the organisation, so it does not change the organisation's next export.

use serde_json::json;
use sqlx::AnyConnection;
use thiserror::Error;
use uuid::Uuid;

use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::{Backend, Store, sql, status};
use super::audit::{self, AuditEntry};
use crate::domain::PersonId;
use crate::wire::OrgId;
use crate::wire::org_dump::{FORMAT, OrgDump, VERSION};

/// Why an import wrote nothing.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error(
        "this is not a tapin organisation dump of a version this build reads \
         (format {format:?}, version {version}; expected {FORMAT:?}, version {VERSION})"
    )]
    Format { format: String, version: u32 },
    #[error("the dump is inconsistent: {0}")]
    Invalid(String),
    #[error(
        "organisation {0} already exists in this database: nothing was imported \
         (import into a database without it, e.g. a new one)"
    )]
    OrgExists(String),
    #[error("an organisation named {0:?} already exists in this database: nothing was imported")]
    NameTaken(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A value to bind.
enum Val {
    T(Option<String>),
    I(Option<i64>),
}

fn t(s: &str) -> Val {
    Val::T(Some(s.to_owned()))
}

fn ot(s: &Option<String>) -> Val {
    Val::T(s.clone())
}

fn i(v: i64) -> Val {
    Val::I(Some(v))
}

fn b(v: bool) -> Val {
    Val::I(Some(i64::from(v)))
}

fn js(v: &serde_json::Value, context: &'static str) -> StoreResult<Val> {
    Ok(Val::T(Some(sql::json(v, context)?)))
}

/// Inserts `rows` into `table` (`columns` in order), many rows per statement.
async fn insert(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Val>>,
    context: &'static str,
) -> StoreResult<()> {
    for chunk in rows.chunks(sql::MAX_BINDS / columns.len()) {
        let mut p = sql::Params::new(backend);
        let query = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            p.tuples(chunk.len(), columns.len())
        );
        let mut q = sqlx::query(&query);
        for row in chunk {
            for v in row {
                q = match v {
                    Val::T(s) => q.bind(s.clone()),
                    Val::I(n) => q.bind(*n),
                };
            }
        }
        q.execute(&mut *conn).await.ctx(context)?;
    }
    Ok(())
}

impl Store {
    /// Imports `dump` as a new organisation. Returns its id.
    pub async fn import_org(&self, dump: &OrgDump) -> Result<OrgId, ImportError> {
        if dump.format != FORMAT || dump.version != VERSION {
            return Err(ImportError::Format {
                format: dump.format.clone(),
                version: dump.version,
            });
        }
        let org = OrgId(
            Uuid::parse_str(&dump.org.id)
                .map_err(|e| ImportError::Invalid(format!("org.id {:?}: {e}", dump.org.id)))?,
        );
        let people = dump
            .people
            .iter()
            .map(|p| {
                Uuid::parse_str(&p.id)
                    .map(PersonId)
                    .map_err(|e| ImportError::Invalid(format!("people[].id {:?}: {e}", p.id)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query("SELECT 1 FROM orgs WHERE id = $1")
            .bind(&dump.org.id)
            .fetch_optional(&mut *tx)
            .await
            .ctx("checking the organisation is new")?;
        if exists.is_some() {
            return Err(ImportError::OrgExists(dump.org.id.clone()));
        }
        let named = sqlx::query("SELECT 1 FROM orgs WHERE name = $1")
            .bind(&dump.org.name)
            .fetch_optional(&mut *tx)
            .await
            .ctx("checking the organisation's name is free")?;
        if named.is_some() {
            return Err(ImportError::NameTaken(dump.org.name.clone()));
        }
        write_rows(&mut tx, self.backend, dump).await?;
        status::refold(&mut tx, self.backend, org, &people).await?;
        let entry = AuditEntry::new(Uuid::nil(), "org.import", org).with(json!({
            "name": dump.org.name,
            "people": dump.people.len(),
            "devices": dump.devices.len(),
            "events": dump.events.len(),
            "audit_rows": dump.audit.len(),
        }));
        audit::write(&mut tx, None, &entry).await?;
        tx.commit().await.ctx("committing an import")?;
        Ok(org)
    }
}

async fn write_rows(conn: &mut AnyConnection, backend: Backend, d: &OrgDump) -> StoreResult<()> {
    let org = d.org.id.as_str();
    let o = &d.org;
    insert(
        conn,
        backend,
        "orgs",
        &[
            "id",
            "name",
            "date_lock",
            "utc_offset_secs",
            "pin_pepper",
            "version",
            "created_at",
        ],
        vec![vec![
            t(&o.id),
            t(&o.name),
            ot(&o.date_lock),
            i(o.utc_offset_secs),
            t(&o.pin_pepper),
            i(o.version),
            i(o.created_at),
        ]],
        "importing the organisation",
    )
    .await?;
    let roles = d
        .roles
        .iter()
        .map(|r| {
            Ok(vec![
                t(&r.id),
                t(org),
                t(&r.name),
                i(r.rank),
                js(&r.rights, "encoding a role's rights")?,
                b(r.fixed),
                ot(&r.preset),
            ])
        })
        .collect::<StoreResult<Vec<_>>>()?;
    insert(
        conn,
        backend,
        "roles",
        &["id", "org_id", "name", "rank", "rights", "fixed", "preset"],
        roles,
        "importing roles",
    )
    .await?;
    insert(
        conn,
        backend,
        "teams",
        &["id", "org_id", "name", "lead_id"],
        d.teams
            .iter()
            .map(|r| vec![t(&r.id), t(org), t(&r.name), t(&r.lead_id)])
            .collect(),
        "importing teams",
    )
    .await?;
    insert(
        conn,
        backend,
        "people",
        &[
            "id",
            "org_id",
            "name",
            "badge",
            "mode",
            "team_id",
            "role_id",
            "archived",
            "all_jobs",
            "pin_verifier",
            "created_at",
        ],
        d.people
            .iter()
            .map(|r| {
                vec![
                    t(&r.id),
                    t(org),
                    t(&r.name),
                    ot(&r.badge),
                    t(&r.mode),
                    ot(&r.team_id),
                    t(&r.role_id),
                    b(r.archived),
                    b(r.all_jobs),
                    ot(&r.pin_verifier),
                    i(r.created_at),
                ]
            })
            .collect(),
        "importing people",
    )
    .await?;
    insert(
        conn,
        backend,
        "team_members",
        &["org_id", "team_id", "person_id", "position"],
        d.team_members
            .iter()
            .map(|r| vec![t(org), t(&r.team_id), t(&r.person_id), i(r.position)])
            .collect(),
        "importing team members",
    )
    .await?;
    insert(
        conn,
        backend,
        "jobs",
        &["id", "org_id", "name", "archived"],
        d.jobs
            .iter()
            .map(|r| vec![t(&r.id), t(org), t(&r.name), b(r.archived)])
            .collect(),
        "importing jobs",
    )
    .await?;
    insert(
        conn,
        backend,
        "person_jobs",
        &["org_id", "person_id", "job_id"],
        d.person_jobs
            .iter()
            .map(|r| vec![t(org), t(&r.person_id), t(&r.job_id)])
            .collect(),
        "importing job access",
    )
    .await?;
    write_devices(conn, backend, d).await?;
    write_records(conn, backend, d).await
}

async fn write_devices(conn: &mut AnyConnection, backend: Backend, d: &OrgDump) -> StoreResult<()> {
    let org = d.org.id.as_str();
    insert(
        conn,
        backend,
        "devices",
        &[
            "id",
            "org_id",
            "name",
            "kind",
            "token_hash",
            "revoked",
            "created_at",
            "enrolled_at",
            "last_seen",
            "roster_version",
        ],
        d.devices
            .iter()
            .map(|r| {
                vec![
                    t(&r.id),
                    t(org),
                    t(&r.name),
                    t(&r.kind),
                    ot(&r.token_hash),
                    b(r.revoked),
                    i(r.created_at),
                    Val::I(r.enrolled_at),
                    Val::I(r.last_seen),
                    i(r.roster_version),
                ]
            })
            .collect(),
        "importing devices",
    )
    .await?;
    insert(
        conn,
        backend,
        "enrollment_codes",
        &[
            "code_hash",
            "org_id",
            "device_id",
            "created_at",
            "expires_at",
            "used_at",
        ],
        d.enrollment_codes
            .iter()
            .map(|r| {
                vec![
                    t(&r.code_hash),
                    t(org),
                    t(&r.device_id),
                    i(r.created_at),
                    i(r.expires_at),
                    Val::I(r.used_at),
                ]
            })
            .collect(),
        "importing enrollment codes",
    )
    .await?;
    insert(
        conn,
        backend,
        "roster_entries",
        &[
            "org_id",
            "device_id",
            "position",
            "group_name",
            "person_id",
            "team_id",
        ],
        d.roster_entries
            .iter()
            .map(|r| {
                vec![
                    t(org),
                    t(&r.device_id),
                    i(r.position),
                    ot(&r.group_name),
                    ot(&r.person_id),
                    ot(&r.team_id),
                ]
            })
            .collect(),
        "importing rosters",
    )
    .await
}

async fn write_records(conn: &mut AnyConnection, backend: Backend, d: &OrgDump) -> StoreResult<()> {
    let org = d.org.id.as_str();
    insert(
        conn,
        backend,
        "rates",
        &[
            "org_id",
            "person_id",
            "valid_from",
            "rate_cents",
            "cost_cents",
        ],
        d.rates
            .iter()
            .map(|r| {
                vec![
                    t(org),
                    t(&r.person_id),
                    t(&r.valid_from),
                    i(r.rate_cents),
                    i(r.cost_cents),
                ]
            })
            .collect(),
        "importing rates",
    )
    .await?;
    insert(
        conn,
        backend,
        "tokens",
        &[
            "id",
            "org_id",
            "person_id",
            "token_hash",
            "created_at",
            "revoked",
            "revoked_at",
        ],
        d.tokens
            .iter()
            .map(|r| {
                vec![
                    t(&r.id),
                    t(org),
                    t(&r.person_id),
                    t(&r.token_hash),
                    i(r.created_at),
                    b(r.revoked),
                    Val::I(r.revoked_at),
                ]
            })
            .collect(),
        "importing admin tokens",
    )
    .await?;
    let events = d
        .events
        .iter()
        .map(|r| {
            Ok(vec![
                t(&r.id),
                t(org),
                t(&r.device_id),
                i(r.seq),
                t(&r.subject),
                t(&r.kind),
                ot(&r.job_id),
                ot(&r.corrects),
                i(r.at),
                i(r.received_at),
                ot(&r.anomaly),
                js(&r.body, "encoding an event")?,
            ])
        })
        .collect::<StoreResult<Vec<_>>>()?;
    insert(
        conn,
        backend,
        "events",
        &[
            "id",
            "org_id",
            "device_id",
            "seq",
            "subject",
            "kind",
            "job_id",
            "corrects",
            "at",
            "received_at",
            "anomaly",
            "body",
        ],
        events,
        "importing events",
    )
    .await?;
    let audit = d
        .audit
        .iter()
        .map(|r| {
            Ok(vec![
                t(&r.id),
                t(org),
                t(&r.actor),
                i(r.at),
                t(&r.action),
                ot(&r.target),
                js(&r.detail, "encoding an audit detail")?,
            ])
        })
        .collect::<StoreResult<Vec<_>>>()?;
    insert(
        conn,
        backend,
        "audit",
        &["id", "org_id", "actor", "at", "action", "target", "detail"],
        audit,
        "importing the audit trail",
    )
    .await
}
