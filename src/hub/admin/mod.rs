//! Admin authentication and authorization: the base every `/api/v1/admin/...`
//! handler stands on.
//!
//! How a handler uses it:
//!
//! ```ignore
//! async fn handler(State(app): State<Arc<AppState>>, AdminAuth(me): AdminAuth, ...) {
//!     let org = me.org()?;                      // 403 for the site Administrator
//!     me.require(Right::ManageProjects)?;       // 403 with the domain's message
//!     let target = refs::person(&app.store, org, &req.person).await?;  // 404 if not in org
//!     me.may_manage(&app.store, &target).await?; // rights and rank, via the domain
//!     app.store.update_...(org, ..., &me.audit("job.assign", id).with(json!{..}))
//!         .await.map_err(store_error)?;
//! }
//! ```
//!
//! Guarantees:
//! - [`AdminAuth`] resolves `Authorization: Bearer TOKEN` to a [`Principal`]: the
//!   token's person, their role and organisation. An unknown or revoked token, or
//!   one whose person is archived, is answered 401 with a JSON error; the token is
//!   never logged.
//! - Every permission decision goes through the domain (`may_act_on`,
//!   `may_act_on_own`, `role_admin::*`); refusals are answered 403 with the
//!   domain's plain message. Nothing here re-states a rank rule.
//! - The site Administrator (right `administer_site`) acts on the site only
//!   (adding organisations): every organisation endpoint answers it 403. As in
//!   Anuko, it manages groups, not their data.
//! - A reference to anything of another organisation is answered 404, exactly as
//!   one that does not exist (no probing across organisations).
//! - Strings from clients are checked by [`input`]: no control characters, length
//!   limits, with a 400 saying which field is wrong.

pub mod authz;
pub mod input;
pub mod principal;
pub mod refs;

pub use principal::{AdminAuth, Principal};

use axum::http::StatusCode;

use super::error::ApiError;
use super::store::StoreError;
use super::store::admin::is_unique_violation;

/// A store error of an admin change as an answer: a missing row is 404, a name or
/// badge already in use 409, anything else 500 (logged).
pub fn store_error(err: StoreError) -> ApiError {
    match err {
        StoreError::NotFound(what) => ApiError::new(
            StatusCode::NOT_FOUND,
            format!("{what} not found in this organisation"),
        ),
        err if is_unique_violation(&err) => ApiError::new(
            StatusCode::CONFLICT,
            "that name or badge is already in use in this organisation",
        ),
        err => ApiError::from(err),
    }
}

/// 403 with `message`.
pub fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, message)
}

/// 404 with `message`.
pub fn not_found(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, message)
}

/// 409 with `message`.
pub fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, message)
}
