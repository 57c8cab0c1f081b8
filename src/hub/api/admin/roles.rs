//! `/api/v1/admin/roles`: list, add, edit and remove roles (Anuko's role editor).
//!
//! Guarantees: every change is decided by the domain (`may_create_role`,
//! `may_edit_role`, `may_remove_role`): custom roles only below the editor's rank
//! and with rights the editor holds, fixed roles never changed, roles still given
//! to someone never removed; role names are unique in an organisation (409).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::Ref;
use super::views::role_view;
use crate::domain::{Right, Role, RoleId};
use crate::hub::admin::{AdminAuth, input, refs, store_error};
use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::JsonBody;
use crate::wire::admin::{NewRole, RolePatch, RoleView};

pub async fn list(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
) -> Result<Json<Vec<RoleView>>, ApiError> {
    let org = me.org()?;
    me.require(Right::ViewUsers)?;
    let roles = app.store.roles_of(org).await?;
    Ok(Json(roles.iter().map(|(r, n)| role_view(r, *n)).collect()))
}

pub async fn add(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    JsonBody(req): JsonBody<NewRole>,
) -> Result<(StatusCode, Json<RoleView>), ApiError> {
    let org = me.org()?;
    let role = Role {
        id: RoleId::new(),
        name: input::name("the role name", &req.name)?,
        rank: req.rank,
        rights: req.rights,
        fixed: false,
        preset: None,
    };
    me.may_create_role(&role)?;
    refs::name_free(&app.store.roles_of(org).await?, &role.name, None)?;
    let entry = me.audit("role.add", role.id).with(json!({
        "name": role.name, "rank": role.rank, "rights": role.rights,
    }));
    app.store
        .create_role(org, &role, &entry)
        .await
        .map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(role_view(&role, 0))))
}

pub async fn edit(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
    JsonBody(patch): JsonBody<RolePatch>,
) -> Result<Json<RoleView>, ApiError> {
    let org = me.org()?;
    if patch == RolePatch::default() {
        return Err(ApiError::bad_request(
            "nothing to change: give at least one field",
        ));
    }
    let roles = app.store.roles_of(org).await?;
    let (old, people) = refs::pick(&roles, &reference)?;
    let mut new = old.clone();
    if let Some(name) = &patch.name {
        new.name = input::name("the role name", name)?;
    }
    if let Some(rank) = patch.rank {
        new.rank = rank;
    }
    if let Some(rights) = &patch.rights {
        new.rights = rights.clone();
    }
    me.may_edit_role(old, &new)?;
    refs::name_free(&roles, &new.name, Some(old.id))?;
    let entry = me.audit("role.edit", old.id).with(json!({
        "from": {"name": old.name, "rank": old.rank, "rights": old.rights},
        "to": {"name": new.name, "rank": new.rank, "rights": new.rights},
    }));
    app.store
        .update_role(org, &new, &entry)
        .await
        .map_err(store_error)?;
    Ok(Json(role_view(&new, *people)))
}

pub async fn remove(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
) -> Result<Json<RoleView>, ApiError> {
    let org = me.org()?;
    let roles = app.store.roles_of(org).await?;
    let (role, people) = refs::pick(&roles, &reference)?;
    me.may_remove_role(role, usize::try_from(*people).unwrap_or(usize::MAX))?;
    let entry = me
        .audit("role.remove", role.id)
        .with(json!({"name": role.name, "rank": role.rank}));
    app.store
        .remove_role(org, role.id, &entry)
        .await
        .map_err(store_error)?;
    Ok(Json(role_view(role, 0)))
}
