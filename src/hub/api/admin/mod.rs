//! `/api/v1/admin/...`: the admin API, one file per thing administered. Every
//! handler authenticates with [`crate::hub::admin::AdminAuth`], decides through the
//! domain rules (see [`crate::hub::admin`]), and writes each change with its audit
//! row.
//!
//! Rights each endpoint needs (where the seeds are silent, the choice is noted):
//! - `orgs` add: `administer_site` (the site Administrator only);
//! - people, roles, teams list/show: `view_users` ("view user names and roles");
//!   a badge is shown only to the person and to those who may manage them;
//! - person add/edit/archive/unarchive: `manage_users` on a lower rank
//!   (`may_manage_user`, `may_assign_role`); editing oneself (not one's role):
//!   `manage_own_account`; nobody archives themselves;
//! - roles add/edit/remove: `manage_roles` (`may_create_role`, `may_edit_role`,
//!   `may_remove_role`);
//! - teams add/edit: `manage_users`, and each person who joins or leaves (lead or
//!   crew) must be one the caller may manage (a crew is punched by its lead);
//! - jobs list/add/edit/archive: `manage_projects` (a job is a TrackingTime
//!   project); assign: `manage_projects` and each person must be one the caller
//!   may manage; `all` means everyone the caller may manage;
//! - tokens create: may manage the person (oneself: `manage_own_account`); revoke:
//!   one's own always, anyone else's if one may manage them; list: one's own and
//!   those of people one may manage;
//! - rates: `manage_rates`, and setting one needs to be able to manage the person;
//! - date lock: `manage_advanced_settings` (Anuko's lock is a plugin option, which
//!   the seed lists under advanced settings); settings read: any member;
//! - audit: `manage_users` (whoever changes people reads the trail of changes).
//! - devices and rosters (`devices.rs`): changes need `manage_advanced_settings`,
//!   reading needs it or `manage_users`; events and timesheets (`records.rs`,
//!   `reports.rs`): the report rights through `OnBehalf::ViewReports`; corrections:
//!   the domain's `decide` with `Intent::Correct`; export (`export.rs`): `export_data`.

mod audit;
mod devices;
mod export;
mod jobs;
pub mod openapi;
mod openapi_records;
mod orgs;
mod people;
mod rates;
mod records;
mod reports;
mod roles;
mod teams;
mod tokens;
mod viewable;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::routing::{get, patch, post, put};
use serde::de::DeserializeOwned;

use crate::hub::app::AppState;
use crate::hub::error::ApiError;

/// Every admin route, to merge into the hub's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/admin/whoami", get(orgs::whoami))
        .route("/api/v1/admin/orgs", post(orgs::add))
        .route("/api/v1/admin/settings", get(orgs::settings))
        .route("/api/v1/admin/settings/date-lock", put(orgs::set_date_lock))
        .route("/api/v1/admin/people", get(people::list).post(people::add))
        .route(
            "/api/v1/admin/people/{person}",
            get(people::show).patch(people::edit),
        )
        .route(
            "/api/v1/admin/people/{person}/archive",
            post(people::archive),
        )
        .route(
            "/api/v1/admin/people/{person}/unarchive",
            post(people::unarchive),
        )
        .route("/api/v1/admin/roles", get(roles::list).post(roles::add))
        .route(
            "/api/v1/admin/roles/{role}",
            patch(roles::edit).delete(roles::remove),
        )
        .route("/api/v1/admin/teams", get(teams::list).post(teams::add))
        .route("/api/v1/admin/teams/{team}", patch(teams::edit))
        .route("/api/v1/admin/jobs", get(jobs::list).post(jobs::add))
        .route("/api/v1/admin/jobs/{job}", patch(jobs::edit))
        .route("/api/v1/admin/jobs/{job}/archive", post(jobs::archive))
        .route("/api/v1/admin/jobs/{job}/unarchive", post(jobs::unarchive))
        .route("/api/v1/admin/jobs/{job}/assign", post(jobs::assign))
        .route(
            "/api/v1/admin/tokens",
            get(tokens::list).post(tokens::create),
        )
        .route(
            "/api/v1/admin/tokens/{token}",
            axum::routing::delete(tokens::revoke),
        )
        .route("/api/v1/admin/rates", get(rates::list).post(rates::set))
        .route("/api/v1/admin/audit", get(audit::list))
        .merge(devices::routes())
        .merge(records::routes())
        .merge(reports::routes())
        .merge(export::routes())
}

/// The admin paths, for the OpenAPI document's completeness test.
pub const PATHS: &[&str] = &[
    "/api/v1/admin/whoami",
    "/api/v1/admin/orgs",
    "/api/v1/admin/settings",
    "/api/v1/admin/settings/date-lock",
    "/api/v1/admin/people",
    "/api/v1/admin/people/{person}",
    "/api/v1/admin/people/{person}/archive",
    "/api/v1/admin/people/{person}/unarchive",
    "/api/v1/admin/roles",
    "/api/v1/admin/roles/{role}",
    "/api/v1/admin/teams",
    "/api/v1/admin/teams/{team}",
    "/api/v1/admin/jobs",
    "/api/v1/admin/jobs/{job}",
    "/api/v1/admin/jobs/{job}/archive",
    "/api/v1/admin/jobs/{job}/unarchive",
    "/api/v1/admin/jobs/{job}/assign",
    "/api/v1/admin/tokens",
    "/api/v1/admin/tokens/{token}",
    "/api/v1/admin/rates",
    "/api/v1/admin/audit",
    "/api/v1/admin/devices",
    "/api/v1/admin/devices/{device}",
    "/api/v1/admin/devices/{device}/revoke",
    "/api/v1/admin/devices/{device}/roster",
    "/api/v1/admin/events",
    "/api/v1/admin/corrections",
    "/api/v1/admin/reports/timesheet",
    "/api/v1/admin/export",
];

/// The one path parameter of a route (an id or a name), with a JSON 400 when it
/// cannot be decoded.
pub struct Ref(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Ref {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(p)| Ref(p))
            .map_err(|e: PathRejection| ApiError::bad_request(format!("bad path: {e}")))
    }
}

/// Query parameters, with a JSON 400 when they do not parse.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| Params(q))
            .map_err(|e: QueryRejection| {
                ApiError::bad_request(format!("bad query parameters: {}", e.body_text()))
            })
    }
}
