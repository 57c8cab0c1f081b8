//! `whoami`, organisations (`org add`, site Administrator only) and the
//! organisation's settings (the date lock).
//!
//! Guarantees: only `administer_site` adds organisations, each with every preset
//! role and its Top manager, whose token is in the answer only; the date lock
//! needs `manage_advanced_settings`; settings never show the PIN pepper.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::views::{person_ref, role_view};
use crate::domain::Right;
use crate::hub::admin::{AdminAuth, conflict, input, store_error};
use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::JsonBody;
use crate::hub::store::admin::is_unique_violation;
use crate::wire::admin::{NewOrg, OrgCreated, OrgSettingsView, SetDateLock, TokenCreated, WhoAmI};

pub async fn whoami(AdminAuth(me): AdminAuth) -> Json<WhoAmI> {
    Json(WhoAmI {
        id: me.id,
        name: me.name.clone(),
        org_id: me.org,
        role: role_view(&me.role, 0),
        token_id: me.token,
    })
}

pub async fn add(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    JsonBody(req): JsonBody<NewOrg>,
) -> Result<(StatusCode, Json<OrgCreated>), ApiError> {
    me.require(Right::AdministerSite)?;
    let name = input::name("the organisation name", &req.name)?;
    let top = input::name(
        "the Top manager's name",
        req.top_manager.as_deref().unwrap_or("Top manager"),
    )?;
    let made = app
        .store
        .create_org(&name, &top, me.id)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                conflict(format!("an organisation named \"{name}\" already exists"))
            } else {
                store_error(e)
            }
        })?;
    tracing::info!(org = %made.org.id, actor = %me.id, "organisation added");
    Ok((
        StatusCode::CREATED,
        Json(OrgCreated {
            id: made.org.id,
            name: made.org.name,
            top_manager: person_ref(&made.top_manager),
            token: TokenCreated {
                id: made.token_id,
                person: person_ref(&made.top_manager),
                token: made.token,
            },
        }),
    ))
}

pub async fn settings(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
) -> Result<Json<OrgSettingsView>, ApiError> {
    let org = me.org()?;
    let name = app.store.org(org).await.map_err(store_error)?.name;
    let settings = app.store.settings_of(org).await?;
    Ok(Json(OrgSettingsView {
        id: org,
        name,
        date_lock: settings.date_lock,
        utc_offset_secs: settings.utc_offset_secs,
    }))
}

pub async fn set_date_lock(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    JsonBody(req): JsonBody<SetDateLock>,
) -> Result<Json<OrgSettingsView>, ApiError> {
    let org = me.org()?;
    me.require(Right::ManageAdvancedSettings)?;
    let before = app.store.settings_of(org).await?;
    let entry = me
        .audit("lock.set", org)
        .with(json!({"from": before.date_lock, "to": req.date}));
    app.store
        .set_date_lock(org, req.date, &entry)
        .await
        .map_err(store_error)?;
    let name = app.store.org(org).await.map_err(store_error)?.name;
    Ok(Json(OrgSettingsView {
        id: org,
        name,
        date_lock: req.date,
        utc_offset_secs: before.utc_offset_secs,
    }))
}
