//! `GET /api/v1/admin/export`: the caller's whole organisation as a
//! `tapin-org` dump (see `crate::wire::org_dump`), the same bytes
//! `tapin hub export` writes.
//!
//! Rights: `export_data` ("can export group and all subgroups data").
//!
//! Guarantees: one serializer for the API and the CLI ([`OrgDump::to_json`]); the
//! export is recorded in the audit trail (`org.export`) before the dump is read,
//! so the dump holds its own record; the dump carries secrets' hashes and PIN
//! verifiers (never a secret itself) and the PIN pepper, so the right is
//! Manager-level by default.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::domain::Right;
use crate::hub::admin::{AdminAuth, store_error};
use crate::hub::app::{AppState, Routes};
use crate::hub::error::ApiError;
use crate::wire::org_dump::OrgDump;

/// The routes of this file.
pub fn routes() -> Routes {
    vec![("/api/v1/admin/export", get(export))]
}

async fn export(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
) -> Result<Response, ApiError> {
    let org = me.org()?;
    me.require(Right::ExportData)?;
    app.store
        .record_audit(
            Some(org),
            &me.audit("org.export", org)
                .with(json!({"via": "admin API"})),
        )
        .await
        .map_err(store_error)?;
    let dump: OrgDump = app.store.export_org(org).await.map_err(store_error)?;
    let text = dump.to_json().map_err(|e| {
        tracing::error!(error = %e, "encoding an organisation dump");
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "the organisation could not be encoded; see the hub's log",
        )
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}
