//! `/api/v1/admin/teams`: list, add and edit teams (a lead and their crew).
//!
//! Guarantees: changing teams needs `manage_users`, and every person who joins or
//! leaves a team, as lead or crew, must be someone the caller may manage (a lead
//! punches their crew at the kiosk, so a crew is part of managing people); the
//! lead is never in their own crew; team names are unique in an organisation.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::Ref;
use super::views::Names;
use crate::domain::{PersonId, Right, Team, TeamId};
use crate::hub::admin::{AdminAuth, Principal, input, refs, store_error};
use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::JsonBody;
use crate::hub::store::admin::PersonRecord;
use crate::wire::OrgId;
use crate::wire::admin::{NewTeam, TeamPatch, TeamView};

/// 403 unless `me` may manage each of `people`.
async fn may_manage_all(
    app: &AppState,
    me: &Principal,
    org: OrgId,
    people: &[&PersonRecord],
) -> Result<(), ApiError> {
    for p in people {
        let role = refs::role_of(&app.store, org, &p.person).await?;
        me.may_manage(p.person.id, &role)?;
    }
    Ok(())
}

async fn team_view(app: &AppState, org: OrgId, team: &Team) -> Result<TeamView, ApiError> {
    let people = app.store.people_of(org, false).await?;
    Ok(Names::new(&[], &[], &people).team_view(team))
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
) -> Result<Json<Vec<TeamView>>, ApiError> {
    let org = me.org()?;
    me.require(Right::ViewUsers)?;
    let teams = app.store.teams_of(org).await?;
    let people = app.store.people_of(org, false).await?;
    let names = Names::new(&[], &[], &people);
    Ok(Json(teams.iter().map(|t| names.team_view(t)).collect()))
}

pub async fn add(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    JsonBody(req): JsonBody<NewTeam>,
) -> Result<(StatusCode, Json<TeamView>), ApiError> {
    let org = me.org()?;
    me.require(Right::ManageUsers)?;
    let name = input::name("the team name", &req.name)?;
    let lead = refs::person(&app.store, org, &req.lead).await?;
    let members: Vec<PersonRecord> = refs::people(&app.store, org, &req.members)
        .await?
        .into_iter()
        .filter(|m| m.person.id != lead.person.id)
        .collect();
    let mut everyone: Vec<&PersonRecord> = vec![&lead];
    everyone.extend(members.iter());
    may_manage_all(&app, &me, org, &everyone).await?;
    refs::name_free(&app.store.teams_of(org).await?, &name, None)?;
    let team = Team {
        id: TeamId::new(),
        name,
        lead: lead.person.id,
        members: members.iter().map(|m| m.person.id).collect(),
    };
    let entry = me.audit("team.add", team.id).with(json!({
        "name": team.name, "lead": team.lead, "members": team.members,
    }));
    app.store
        .create_team(org, &team, &entry)
        .await
        .map_err(store_error)?;
    Ok((
        StatusCode::CREATED,
        Json(team_view(&app, org, &team).await?),
    ))
}

pub async fn edit(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
    JsonBody(patch): JsonBody<TeamPatch>,
) -> Result<Json<TeamView>, ApiError> {
    let org = me.org()?;
    me.require(Right::ManageUsers)?;
    if patch == TeamPatch::default() {
        return Err(ApiError::bad_request(
            "nothing to change: give at least one field",
        ));
    }
    let teams = app.store.teams_of(org).await?;
    let before = refs::pick(&teams, &reference)?.clone();
    let mut after = before.clone();
    let mut touched: Vec<PersonRecord> = Vec::new();
    if let Some(name) = &patch.name {
        after.name = input::name("the team name", name)?;
        refs::name_free(&teams, &after.name, Some(before.id))?;
    }
    if let Some(lead) = &patch.lead {
        let lead = refs::person(&app.store, org, lead).await?;
        if lead.person.id != before.lead {
            after.lead = lead.person.id;
            touched.push(lead);
            if let Some(old) = app.store.person_of(org, before.lead).await? {
                touched.push(old);
            }
        }
    }
    if let Some(members) = &patch.members {
        let members = refs::people(&app.store, org, members).await?;
        let now: HashSet<PersonId> = members.iter().map(|m| m.person.id).collect();
        let was: HashSet<PersonId> = before.members.iter().copied().collect();
        after.members = members
            .iter()
            .map(|m| m.person.id)
            .filter(|id| *id != after.lead)
            .collect();
        for gone in was.difference(&now) {
            if let Some(p) = app.store.person_of(org, *gone).await? {
                touched.push(p);
            }
        }
        touched.extend(members.into_iter().filter(|m| !was.contains(&m.person.id)));
    } else {
        after.members.retain(|m| *m != after.lead);
    }
    let touched: Vec<&PersonRecord> = touched.iter().collect();
    may_manage_all(&app, &me, org, &touched).await?;
    let entry = me.audit("team.edit", before.id).with(json!({
        "from": {"name": before.name, "lead": before.lead, "members": before.members},
        "to": {"name": after.name, "lead": after.lead, "members": after.members},
    }));
    app.store
        .update_team(org, &before, &after, &entry)
        .await
        .map_err(store_error)?;
    Ok(Json(team_view(&app, org, &after).await?))
}
