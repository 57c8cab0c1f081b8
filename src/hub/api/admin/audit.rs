//! `GET /api/v1/admin/audit`: the organisation's audit trail, newest first.
//!
//! Guarantees: needs `manage_users` (whoever changes people and settings reads the
//! trail of changes; the seeds name no right for it); at most
//! [`MAX_AUDIT_ROWS`] rows per request, paged with `before=ID`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use uuid::Uuid;

use super::Params;
use crate::domain::Right;
use crate::hub::admin::AdminAuth;
use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::wire::admin::{AuditView, MAX_AUDIT_ROWS};

/// `?limit=N&before=ID`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    before: Option<Uuid>,
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Params(q): Params<AuditQuery>,
) -> Result<Json<Vec<AuditView>>, ApiError> {
    let org = me.org()?;
    me.require(Right::ManageUsers)?;
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_AUDIT_ROWS);
    Ok(Json(app.store.audit_trail(org, limit, q.before).await?))
}
