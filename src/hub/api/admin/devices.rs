//! `/api/v1/admin/devices`: add (one-time enrollment code, valid 24 h), list,
//! rename and revoke kiosks, and show or set their rosters.
//!
//! Rights (the seeds name none for devices): changing a device or its roster needs
//! `manage_advanced_settings`. A kiosk is an access point of the organisation,
//! which Anuko's advanced group settings govern ("allow IP"), and its roster
//! decides who may punch there; `manage_users` alone (Co-manager) is about people,
//! not the organisation's equipment. Reading the devices and their rosters needs
//! `manage_advanced_settings` or `manage_users` (who manages people may see where
//! they are shown).
//!
//! Guarantees: a device of another organisation is answered 404, exactly like an
//! unknown one; a revoked device keeps its events and gets 401 on the device API
//! from then on; the enrollment code is shown only in the answer to `add`; every
//! change writes an audit row (`device.add`, `device.rename`, `device.revoke`,
//! `device.roster`). Roster semantics: see `crate::wire::admin_devices`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::Duration;
use serde_json::json;

use super::Ref;
use crate::domain::{DeviceId, Right};
use crate::hub::admin::{AdminAuth, Principal, conflict, input, not_found, refs, store_error};
use crate::hub::app::{AppState, Routes};
use crate::hub::error::ApiError;
use crate::hub::extract::JsonBody;
use crate::wire::admin_devices::{
    DeviceCreated, DevicePatch, DeviceStatus, DeviceView, NewDevice, RosterView, SetRoster,
};
use crate::wire::{ENROLLMENT_CODE_HOURS, MAX_NAME_BYTES, OrgId, RosterItem};

/// The device routes.
pub fn routes() -> Routes {
    vec![
        ("/api/v1/admin/devices", get(list).post(add)),
        ("/api/v1/admin/devices/{device}", get(show).patch(rename)),
        ("/api/v1/admin/devices/{device}/revoke", post(revoke)),
        (
            "/api/v1/admin/devices/{device}/roster",
            get(roster_show).put(roster_set),
        ),
    ]
}

const CHANGE: Right = Right::ManageAdvancedSettings;
const READ: &[Right] = &[Right::ManageAdvancedSettings, Right::ManageUsers];

/// The kiosk `reference` (id or name, ASCII case ignored) names in `org`.
async fn device(app: &AppState, org: OrgId, reference: &str) -> Result<DeviceView, ApiError> {
    let reference = input::reference("device", reference)?;
    if let Ok(id) = reference.parse::<DeviceId>() {
        return app
            .store
            .kiosk_of(org, id)
            .await?
            .ok_or_else(|| not_found(format!("no device {id} in this organisation")));
    }
    refs::by_name(&app.store.kiosks_of(org).await?, &reference).cloned()
}

/// A device name: printable, and short enough for the kiosk's enrollment
/// (`MAX_NAME_BYTES`).
fn device_name(raw: &str) -> Result<String, ApiError> {
    let name = input::name("the device name", raw)?;
    if name.len() > MAX_NAME_BYTES {
        return Err(ApiError::bad_request(format!(
            "the device name is {} bytes long; at most {MAX_NAME_BYTES} are allowed",
            name.len()
        )));
    }
    Ok(name)
}

fn org_and(me: &Principal, right: Right) -> Result<OrgId, ApiError> {
    let org = me.org()?;
    me.require(right)?;
    Ok(org)
}

async fn add(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    JsonBody(req): JsonBody<NewDevice>,
) -> Result<(StatusCode, Json<DeviceCreated>), ApiError> {
    let org = org_and(&me, CHANGE)?;
    let name = device_name(&req.name)?;
    let id = DeviceId::new();
    let entry = me
        .audit("device.add", id)
        .with(json!({"name": name, "code_valid_hours": ENROLLMENT_CODE_HOURS}));
    let created = app
        .store
        .add_kiosk(
            org,
            id,
            &name,
            Duration::hours(ENROLLMENT_CODE_HOURS),
            &entry,
        )
        .await
        .map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn list(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
) -> Result<Json<Vec<DeviceView>>, ApiError> {
    let org = me.org()?;
    me.require_any(READ)?;
    Ok(Json(app.store.kiosks_of(org).await?))
}

async fn show(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
) -> Result<Json<DeviceView>, ApiError> {
    let org = me.org()?;
    me.require_any(READ)?;
    Ok(Json(device(&app, org, &reference).await?))
}

async fn rename(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
    JsonBody(patch): JsonBody<DevicePatch>,
) -> Result<Json<DeviceView>, ApiError> {
    let org = org_and(&me, CHANGE)?;
    let before = device(&app, org, &reference).await?;
    let name = device_name(&patch.name)?;
    if name != before.name {
        let entry = me
            .audit("device.rename", before.id)
            .with(json!({"from": before.name, "to": name}));
        app.store
            .rename_kiosk(org, before.id, &name, &entry)
            .await
            .map_err(store_error)?;
    }
    Ok(Json(DeviceView { name, ..before }))
}

async fn revoke(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
) -> Result<Json<DeviceView>, ApiError> {
    let org = org_and(&me, CHANGE)?;
    let before = device(&app, org, &reference).await?;
    let entry = me
        .audit("device.revoke", before.id)
        .with(json!({"name": before.name}));
    app.store
        .revoke_kiosk(org, before.id, &entry)
        .await
        .map_err(store_error)?;
    Ok(Json(DeviceView {
        status: DeviceStatus::Revoked,
        ..before
    }))
}

async fn roster_show(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
) -> Result<Json<RosterView>, ApiError> {
    let org = me.org()?;
    me.require_any(READ)?;
    let found = device(&app, org, &reference).await?;
    Ok(Json(
        app.store
            .kiosk_roster(org, found.id)
            .await
            .map_err(store_error)?,
    ))
}

async fn roster_set(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
    JsonBody(req): JsonBody<SetRoster>,
) -> Result<Json<RosterView>, ApiError> {
    let org = org_and(&me, CHANGE)?;
    let found = device(&app, org, &reference).await?;
    if found.status == DeviceStatus::Revoked {
        return Err(conflict(format!(
            "device \"{}\" is revoked: its roster can no longer change",
            found.name
        )));
    }
    let group = req
        .group
        .as_deref()
        .map(|g| input::name("the group name", g))
        .transpose()?;
    let people = refs::people(&app.store, org, &req.people).await?;
    let all_teams = app.store.teams_of(org).await?;
    let mut items: Vec<RosterItem> = people
        .iter()
        .map(|p| RosterItem::Person(p.person.id))
        .collect();
    for reference in &req.teams {
        let team = RosterItem::Team(refs::pick(&all_teams, reference)?.id);
        if !items.contains(&team) {
            items.push(team);
        }
    }
    let entry = me.audit("device.roster", found.id).with(json!({
        "group": group,
        "entries": items,
    }));
    let roster = app
        .store
        .set_roster_group(org, found.id, group.as_deref(), &items, &entry)
        .await
        .map_err(store_error)?;
    Ok(Json(roster))
}
