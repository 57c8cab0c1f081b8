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

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::routing::{delete, get, patch, post, put};
use serde::de::DeserializeOwned;

use crate::hub::app::Routes;
use crate::hub::error::ApiError;

/// Every admin route, for the hub's router.
pub fn routes() -> Routes {
    let mut routes: Routes = vec![
        ("/api/v1/admin/whoami", get(orgs::whoami)),
        ("/api/v1/admin/orgs", post(orgs::add)),
        ("/api/v1/admin/settings", get(orgs::settings)),
        ("/api/v1/admin/settings/date-lock", put(orgs::set_date_lock)),
        ("/api/v1/admin/people", get(people::list).post(people::add)),
        (
            "/api/v1/admin/people/{person}",
            get(people::show).patch(people::edit),
        ),
        (
            "/api/v1/admin/people/{person}/archive",
            post(people::archive),
        ),
        (
            "/api/v1/admin/people/{person}/unarchive",
            post(people::unarchive),
        ),
        ("/api/v1/admin/roles", get(roles::list).post(roles::add)),
        (
            "/api/v1/admin/roles/{role}",
            patch(roles::edit).delete(roles::remove),
        ),
        ("/api/v1/admin/teams", get(teams::list).post(teams::add)),
        ("/api/v1/admin/teams/{team}", patch(teams::edit)),
        ("/api/v1/admin/jobs", get(jobs::list).post(jobs::add)),
        ("/api/v1/admin/jobs/{job}", patch(jobs::edit)),
        ("/api/v1/admin/jobs/{job}/archive", post(jobs::archive)),
        ("/api/v1/admin/jobs/{job}/unarchive", post(jobs::unarchive)),
        ("/api/v1/admin/jobs/{job}/assign", post(jobs::assign)),
        (
            "/api/v1/admin/tokens",
            get(tokens::list).post(tokens::create),
        ),
        ("/api/v1/admin/tokens/{token}", delete(tokens::revoke)),
        ("/api/v1/admin/rates", get(rates::list).post(rates::set)),
        ("/api/v1/admin/audit", get(audit::list)),
    ];
    routes.extend(devices::routes());
    routes.extend(records::routes());
    routes.extend(reports::routes());
    routes.extend(export::routes());
    routes
}

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
