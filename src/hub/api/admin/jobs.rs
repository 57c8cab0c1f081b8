//! `/api/v1/admin/jobs`: list, add, rename, archive, unarchive and assign jobs.
//!
//! Guarantees: everything here needs `manage_projects` (a job is a TrackingTime
//! project); assigning a job changes what people may do, so each person named must
//! be someone the caller may manage, and `all` reaches exactly the people not
//! archived whom the caller may manage; job names are unique in an organisation;
//! archiving keeps every past check-in.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::Ref;
use super::views::{job_view, person_ref};
use crate::domain::{Job, JobId, Right};
use crate::hub::admin::{AdminAuth, Principal, input, refs, store_error};
use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::JsonBody;
use crate::hub::store::admin::PersonRecord;
use crate::wire::admin::{AssignJob, JobAssigned, JobPatch, JobView, NewJob};

pub async fn list(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
) -> Result<Json<Vec<JobView>>, ApiError> {
    let org = me.org()?;
    me.require(Right::ManageProjects)?;
    Ok(Json(
        app.store.jobs_of(org).await?.iter().map(job_view).collect(),
    ))
}

pub async fn add(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    JsonBody(req): JsonBody<NewJob>,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    let org = me.org()?;
    me.require(Right::ManageProjects)?;
    let job = Job {
        id: JobId::new(),
        name: input::name("the job name", &req.name)?,
        archived: false,
    };
    refs::name_free(&app.store.jobs_of(org).await?, &job.name, None)?;
    let entry = me.audit("job.add", job.id).with(json!({"name": job.name}));
    app.store
        .create_job(org, &job, &entry)
        .await
        .map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(job_view(&job))))
}

async fn change(
    app: &AppState,
    me: &Principal,
    reference: &str,
    action: &'static str,
    apply: impl FnOnce(&mut Job, &[Job]) -> Result<(), ApiError>,
) -> Result<JobView, ApiError> {
    let org = me.org()?;
    me.require(Right::ManageProjects)?;
    let jobs = app.store.jobs_of(org).await?;
    let before = refs::pick(&jobs, reference)?.clone();
    let mut after = before.clone();
    apply(&mut after, &jobs)?;
    if after != before {
        let entry = me.audit(action, before.id).with(json!({
            "from": {"name": before.name, "archived": before.archived},
            "to": {"name": after.name, "archived": after.archived},
        }));
        app.store
            .update_job(org, &after, &entry)
            .await
            .map_err(store_error)?;
    }
    Ok(job_view(&after))
}

pub async fn edit(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
    JsonBody(patch): JsonBody<JobPatch>,
) -> Result<Json<JobView>, ApiError> {
    let Some(name) = patch.name else {
        return Err(ApiError::bad_request(
            "nothing to change: give at least one field",
        ));
    };
    change(&app, &me, &reference, "job.edit", |job, jobs| {
        job.name = input::name("the job name", &name)?;
        refs::name_free(jobs, &job.name, Some(job.id))
    })
    .await
    .map(Json)
}

pub async fn archive(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
) -> Result<Json<JobView>, ApiError> {
    change(&app, &me, &reference, "job.archive", |job, _| {
        job.archived = true;
        Ok(())
    })
    .await
    .map(Json)
}

pub async fn unarchive(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
) -> Result<Json<JobView>, ApiError> {
    change(&app, &me, &reference, "job.unarchive", |job, _| {
        job.archived = false;
        Ok(())
    })
    .await
    .map(Json)
}

pub async fn assign(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Ref(reference): Ref,
    JsonBody(req): JsonBody<AssignJob>,
) -> Result<Json<JobAssigned>, ApiError> {
    let org = me.org()?;
    me.require(Right::ManageProjects)?;
    let jobs = app.store.jobs_of(org).await?;
    let job = refs::pick(&jobs, &reference)?.clone();
    let people: Vec<PersonRecord> = match (req.all, req.people.is_empty()) {
        (true, true) => {
            let roles = refs::roles_by_id(&app.store, org).await?;
            let mut people = app.store.people_of(org, true).await?;
            people.retain(|p| {
                roles
                    .get(&p.person.role)
                    .is_some_and(|r| me.may_manage(p.person.id, r).is_ok())
            });
            people
        }
        (false, false) => {
            let named = refs::people(&app.store, org, &req.people).await?;
            for p in &named {
                let role = refs::role_of(&app.store, org, &p.person).await?;
                me.may_manage(p.person.id, &role)?;
            }
            named
        }
        _ => {
            return Err(ApiError::bad_request(
                "give either people or all: true (not both, not neither)",
            ));
        }
    };
    let ids: Vec<_> = people.iter().map(|p| p.person.id).collect();
    let entry = me.audit("job.assign", job.id).with(json!({
        "name": job.name, "people": ids, "all": req.all,
    }));
    let changed = app
        .store
        .assign_job(org, job.id, &ids, &entry)
        .await
        .map_err(store_error)?;
    Ok(Json(JobAssigned {
        id: job.id,
        name: job.name,
        people: people
            .iter()
            .filter(|p| changed.contains(&p.person.id))
            .map(|p| person_ref(&p.person))
            .collect(),
    }))
}
