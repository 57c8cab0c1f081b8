//! `/api/v1/admin/tokens`: create, list and revoke admin tokens. A token acts with
//! its person's role.
//!
//! Guarantees: a token is made only for someone the caller may manage (oneself:
//! `manage_own_account`), never for an archived person; the secret is in the
//! creating answer only (not in the audit trail, not in logs, not in lists); one's
//! own token may always be revoked, anyone else's only by someone who may manage
//! them; a list shows one's own tokens and those of people one may manage.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::Ref;
use super::views::person_ref;
use crate::domain::PersonId;
use crate::hub::admin::{AdminAuth, not_found, refs, store_error};
use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::JsonBody;
use crate::hub::store::admin::TokenRecord;
use crate::wire::admin::{NewToken, PersonRef, TokenCreated, TokenId, TokenView};

fn token_view(t: &TokenRecord, person: PersonRef) -> TokenView {
    TokenView {
        id: t.id,
        person,
        created_at: t.created_at,
        revoked: t.revoked(),
        revoked_at: t.revoked_at,
    }
}

pub async fn create(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    JsonBody(req): JsonBody<NewToken>,
) -> Result<(StatusCode, Json<TokenCreated>), ApiError> {
    let org = me.org()?;
    let target = refs::person(&app.store, org, &req.person).await?;
    let role = refs::role_of(&app.store, org, &target.person).await?;
    me.may_manage(target.person.id, &role)?;
    if target.person.archived {
        return Err(ApiError::bad_request(
            "this person is archived and cannot sign in: unarchive them first",
        ));
    }
    let entry = me
        .audit("token.create", "")
        .with(json!({"person": target.person.id, "name": target.person.name}));
    let (id, token) = app
        .store
        .create_admin_token(org, target.person.id, &entry)
        .await
        .map_err(store_error)?;
    tracing::info!(org = %org, token = %id, person = %target.person.id, actor = %me.id, "admin token created");
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated {
            id,
            person: person_ref(&target.person),
            token,
        }),
    ))
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let org = me.org()?;
    let roles = refs::roles_by_id(&app.store, org).await?;
    let people: HashMap<PersonId, _> = app
        .store
        .people_of(org, false)
        .await?
        .into_iter()
        .map(|p| (p.person.id, p.person))
        .collect();
    let visible = |id: PersonId| {
        people.get(&id).is_some_and(|p| {
            roles
                .get(&p.role)
                .is_some_and(|r| me.may_manage(p.id, r).is_ok() || me.person() == Some(p.id))
        })
    };
    let tokens = app.store.admin_tokens(org, None).await?;
    Ok(Json(
        tokens
            .iter()
            .filter(|t| visible(t.person))
            .filter_map(|t| people.get(&t.person).map(|p| token_view(t, person_ref(p))))
            .collect(),
    ))
}

pub async fn revoke(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
) -> Result<Json<TokenView>, ApiError> {
    let org = me.org()?;
    let id: TokenId = reference.parse().map_err(|_| {
        ApiError::bad_request("a token is named by its id (a UUID), see `token list`")
    })?;
    let token = app
        .store
        .admin_token(org, id)
        .await?
        .ok_or_else(|| not_found(format!("no token {id} in this organisation")))?;
    let owner = app
        .store
        .person_of(org, token.person)
        .await?
        .ok_or_else(|| not_found(format!("no token {id} in this organisation")))?;
    if me.person() != Some(owner.person.id) {
        let role = refs::role_of(&app.store, org, &owner.person).await?;
        me.may_manage(owner.person.id, &role)?;
    }
    let entry = me
        .audit("token.revoke", id)
        .with(json!({"person": owner.person.id, "name": owner.person.name}));
    app.store
        .revoke_admin_token(org, id, &entry)
        .await
        .map_err(store_error)?;
    let token = app.store.admin_token(org, id).await?.unwrap_or(token);
    Ok(Json(token_view(&token, person_ref(&owner.person))))
}
