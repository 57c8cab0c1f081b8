//! `/api/v1/admin/people`: list, show, add, edit, archive and unarchive people.
//!
//! Guarantees: adding needs `may_assign_role` for the role given; changing someone
//! else needs `may_manage_user` (and `may_assign_role` for a new role); changing
//! oneself needs `manage_own_account` and never changes one's own role; nobody
//! archives themselves. A PIN is turned into an argon2id verifier keyed with the
//! organisation's pepper and then dropped: it is never stored, logged, audited or
//! returned. Archived people keep all their data and leave every roster.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::views::Names;
use super::{Params, Ref};
use crate::domain::{JobAccess, Person, PersonId, Right, Role, TeamId};
use crate::hub::admin::{AdminAuth, Principal, conflict, forbidden, input, refs, store_error};
use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::JsonBody;
use crate::hub::store::admin::{PersonRecord, PinWrite};
use crate::secrets::pin_verifier;
use crate::wire::OrgId;
use crate::wire::admin::{NewPerson, PersonPatch, PersonView};

/// `?status=active|archived|all` (default `active`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    status: Option<String>,
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Params(q): Params<ListQuery>,
) -> Result<Json<Vec<PersonView>>, ApiError> {
    let org = me.org()?;
    me.require(Right::ViewUsers)?;
    let keep: fn(&PersonRecord) -> bool = match q.status.as_deref() {
        None | Some("active") => |p| !p.person.archived,
        Some("archived") => |p| p.person.archived,
        Some("all") => |_| true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "status is active, archived or all, not {other:?}"
            )));
        }
    };
    let people = app.store.people_of(org, false).await?;
    let names = Names::new(
        &app.store.roles_of(org).await?,
        &app.store.teams_of(org).await?,
        &[],
    );
    Ok(Json(
        people
            .iter()
            .filter(|p| keep(p))
            .map(|p| names.person_view(&me, p))
            .collect(),
    ))
}

/// One person as `me` may see them.
async fn view(
    app: &AppState,
    me: &Principal,
    org: OrgId,
    id: PersonId,
) -> Result<PersonView, ApiError> {
    let record = app
        .store
        .person_of(org, id)
        .await?
        .ok_or_else(|| crate::hub::admin::not_found("person not found in this organisation"))?;
    let names = Names::new(
        &app.store.roles_of(org).await?,
        &app.store.teams_of(org).await?,
        &[],
    );
    Ok(names.person_view(me, &record))
}

pub async fn show(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(person): Ref,
) -> Result<Json<PersonView>, ApiError> {
    let org = me.org()?;
    me.require(Right::ViewUsers)?;
    let target = refs::person(&app.store, org, &person).await?;
    Ok(Json(view(&app, &me, org, target.person.id).await?))
}

/// The job access a request asks for.
async fn job_access(
    app: &AppState,
    org: OrgId,
    all_jobs: bool,
    jobs: &[String],
) -> Result<JobAccess, ApiError> {
    if all_jobs {
        if !jobs.is_empty() {
            return Err(ApiError::bad_request(
                "give either all_jobs or a list of jobs, not both",
            ));
        }
        return Ok(JobAccess::All);
    }
    let known = app.store.jobs_of(org).await?;
    let mut ids = BTreeSet::new();
    for reference in jobs {
        ids.insert(refs::pick(&known, reference)?.id);
    }
    Ok(JobAccess::Only(ids))
}

/// Refuses a badge someone else of the organisation already has.
async fn badge_free(
    app: &AppState,
    org: OrgId,
    badge: &str,
    owner: Option<PersonId>,
) -> Result<(), ApiError> {
    match app.store.person_with_badge(org, badge).await? {
        Some(holder) if Some(holder) != owner => Err(conflict(
            "that badge is already given to someone else in this organisation",
        )),
        _ => Ok(()),
    }
}

/// A verifier of `pin` keyed with the organisation's pepper (argon2id, off the
/// async threads).
async fn verifier(app: &AppState, org: OrgId, pin: String) -> Result<String, ApiError> {
    input::pin(&pin)?;
    let pepper = app.store.org(org).await.map_err(store_error)?.pin_pepper;
    tokio::task::spawn_blocking(move || pin_verifier::make(&pin, &pepper))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "the PIN hashing task failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not store the PIN; retry",
            )
        })?
        .map_err(|e| {
            tracing::error!(error = %e, "making a PIN verifier failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not store the PIN; retry",
            )
        })
}

fn team_id(
    teams: &[crate::domain::Team],
    reference: Option<&str>,
) -> Result<Option<TeamId>, ApiError> {
    reference
        .map(|r| refs::pick(teams, r).map(|t| t.id))
        .transpose()
}

pub async fn add(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    JsonBody(req): JsonBody<NewPerson>,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    let org = me.org()?;
    let roles = app.store.roles_of(org).await?;
    let (role, _) = refs::pick(&roles, &req.role)?;
    me.may_assign_role(None, role)?;
    let name = input::name("the person's name", &req.name)?;
    let badge = req.badge.as_deref().map(input::badge).transpose()?;
    if let Some(badge) = &badge {
        badge_free(&app, org, badge, None).await?;
    }
    let teams = app.store.teams_of(org).await?;
    let team = team_id(&teams, req.team.as_deref())?;
    let jobs = job_access(&app, org, req.all_jobs, &req.jobs).await?;
    let pin = match req.pin {
        Some(pin) => Some(verifier(&app, org, pin).await?),
        None => None,
    };
    let person = Person {
        id: PersonId::new(),
        name,
        badge,
        mode: req.mode,
        team,
        role: role.id,
        archived: false,
        jobs,
    };
    let entry = me.audit("person.add", person.id).with(json!({
        "name": person.name,
        "mode": person.mode,
        "role": person.role,
        "team": person.team,
        "badge": person.badge.is_some(),
        "pin": pin.is_some(),
        "jobs": person.jobs,
    }));
    app.store
        .create_person(org, &person, pin.as_deref(), &entry)
        .await
        .map_err(store_error)?;
    tracing::info!(org = %org, person = %person.id, actor = %me.id, "person added");
    Ok((
        StatusCode::CREATED,
        Json(view(&app, &me, org, person.id).await?),
    ))
}

pub async fn edit(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
    JsonBody(patch): JsonBody<PersonPatch>,
) -> Result<Json<PersonView>, ApiError> {
    let org = me.org()?;
    if patch == PersonPatch::default() {
        return Err(ApiError::bad_request(
            "nothing to change: give at least one field",
        ));
    }
    let target = refs::person(&app.store, org, &reference).await?;
    let before = target.person.clone();
    let current_role = refs::role_of(&app.store, org, &before).await?;
    me.may_manage(before.id, &current_role)?;
    let mut after = before.clone();
    let mut detail = serde_json::Map::new();
    if let Some(role_ref) = &patch.role {
        let roles = app.store.roles_of(org).await?;
        let (role, _) = refs::pick(&roles, role_ref)?;
        if role.id != before.role {
            me.may_assign_role(Some(&current_role), role)?;
            after.role = role.id;
            detail.insert("role".into(), json!({"from": before.role, "to": role.id}));
        }
    }
    if let Some(name) = &patch.name {
        after.name = input::name("the person's name", name)?;
        detail.insert(
            "name".into(),
            json!({"from": before.name, "to": after.name}),
        );
    }
    if let Some(mode) = patch.mode {
        after.mode = mode;
        detail.insert("mode".into(), json!({"from": before.mode, "to": mode}));
    }
    if let Some(team) = &patch.team {
        let teams = app.store.teams_of(org).await?;
        after.team = team_id(&teams, team.as_deref())?;
        detail.insert(
            "team".into(),
            json!({"from": before.team, "to": after.team}),
        );
    }
    if let Some(badge) = &patch.badge {
        after.badge = badge.as_deref().map(input::badge).transpose()?;
        if let Some(b) = &after.badge {
            badge_free(&app, org, b, Some(before.id)).await?;
        }
        detail.insert(
            "badge".into(),
            json!(if after.badge.is_some() {
                "set"
            } else {
                "cleared"
            }),
        );
    }
    if patch.all_jobs.is_some() || patch.jobs.is_some() {
        after.jobs = job_access(
            &app,
            org,
            patch.all_jobs.unwrap_or(false),
            patch.jobs.as_deref().unwrap_or_default(),
        )
        .await?;
        detail.insert(
            "jobs".into(),
            json!({"from": before.jobs, "to": after.jobs}),
        );
    }
    let pin = match patch.pin {
        None => PinWrite::Keep,
        Some(None) => {
            detail.insert("pin".into(), json!("cleared"));
            PinWrite::Clear
        }
        Some(Some(pin)) => {
            detail.insert("pin".into(), json!("set"));
            PinWrite::Set(verifier(&app, org, pin).await?)
        }
    };
    let entry = me
        .audit("person.edit", before.id)
        .with(serde_json::Value::Object(detail));
    app.store
        .update_person(org, &before, &after, pin, &entry)
        .await
        .map_err(store_error)?;
    Ok(Json(view(&app, &me, org, after.id).await?))
}

async fn set_archived(
    app: &AppState,
    me: &Principal,
    reference: &str,
    archived: bool,
) -> Result<PersonView, ApiError> {
    let org = me.org()?;
    let target = refs::person(&app.store, org, reference).await?;
    let role: Role = refs::role_of(&app.store, org, &target.person).await?;
    if me.person() == Some(target.person.id) {
        return Err(forbidden(
            "You cannot archive or unarchive yourself: ask someone of higher rank.",
        ));
    }
    me.may_manage(target.person.id, &role)?;
    if target.person.archived != archived {
        let mut after = target.person.clone();
        after.archived = archived;
        let action = if archived {
            "person.archive"
        } else {
            "person.unarchive"
        };
        let entry = me.audit(action, after.id).with(json!({"name": after.name}));
        app.store
            .update_person(org, &target.person, &after, PinWrite::Keep, &entry)
            .await
            .map_err(store_error)?;
    }
    view(app, me, org, target.person.id).await
}

pub async fn archive(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
) -> Result<Json<PersonView>, ApiError> {
    set_archived(&app, &me, &reference, true).await.map(Json)
}

pub async fn unarchive(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
) -> Result<Json<PersonView>, ApiError> {
    set_archived(&app, &me, &reference, false).await.map(Json)
}
