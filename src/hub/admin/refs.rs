//! Resolving what a request names (a person, role, team or job, by id or by
//! name) within the caller's organisation.
//!
//! Guarantees: a reference resolves only to a row of the given organisation; an
//! id of another organisation is answered 404 exactly like an unknown one; a name
//! shared by several rows is refused (400) asking for the id; names match ignoring
//! ASCII case.

use std::collections::HashSet;

use crate::domain::{Job, JobId, Person, PersonId, Role, RoleId, Team, TeamId};
use crate::hub::error::ApiError;
use crate::hub::store::Store;
use crate::hub::store::admin::PersonRecord;
use crate::wire::OrgId;

use super::{input, not_found};

fn ambiguous(what: &str, name: &str, n: usize) -> ApiError {
    ApiError::bad_request(format!(
        "{n} {what}s are named \"{name}\": name the one you mean by its id"
    ))
}

/// The person `reference` names.
pub async fn person(store: &Store, org: OrgId, reference: &str) -> Result<PersonRecord, ApiError> {
    let reference = input::reference("person", reference)?;
    if let Ok(id) = reference.parse::<PersonId>() {
        return store
            .person_of(org, id)
            .await?
            .ok_or_else(|| not_found(format!("no person {id} in this organisation")));
    }
    let ids = store.people_named(org, &reference).await?;
    match ids.as_slice() {
        [] => Err(not_found(format!(
            "no person named \"{reference}\" in this organisation"
        ))),
        [id] => store
            .person_of(org, *id)
            .await?
            .ok_or_else(|| not_found(format!("no person {id} in this organisation"))),
        more => Err(ambiguous("person", &reference, more.len())),
    }
}

/// The people `references` name, each once, in the order first named.
pub async fn people(
    store: &Store,
    org: OrgId,
    references: &[String],
) -> Result<Vec<PersonRecord>, ApiError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(references.len());
    for reference in references {
        let found = person(store, org, reference).await?;
        if seen.insert(found.person.id) {
            out.push(found);
        }
    }
    Ok(out)
}

/// The role `reference` names, among the organisation's `roles`.
pub fn role<'a>(roles: &'a [(Role, u64)], reference: &str) -> Result<&'a (Role, u64), ApiError> {
    let reference = input::reference("role", reference)?;
    if let Ok(id) = reference.parse::<RoleId>() {
        return roles
            .iter()
            .find(|(r, _)| r.id == id)
            .ok_or_else(|| not_found(format!("no role {id} in this organisation")));
    }
    let named: Vec<_> = roles
        .iter()
        .filter(|(r, _)| r.name.eq_ignore_ascii_case(&reference))
        .collect();
    match named.as_slice() {
        [] => Err(not_found(format!(
            "no role named \"{reference}\" in this organisation (see `role list`)"
        ))),
        [one] => Ok(one),
        more => Err(ambiguous("role", &reference, more.len())),
    }
}

/// The team `reference` names, among the organisation's `teams`.
pub fn team<'a>(teams: &'a [Team], reference: &str) -> Result<&'a Team, ApiError> {
    let reference = input::reference("team", reference)?;
    if let Ok(id) = reference.parse::<TeamId>() {
        return teams
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| not_found(format!("no team {id} in this organisation")));
    }
    let named: Vec<_> = teams
        .iter()
        .filter(|t| t.name.eq_ignore_ascii_case(&reference))
        .collect();
    match named.as_slice() {
        [] => Err(not_found(format!(
            "no team named \"{reference}\" in this organisation"
        ))),
        [one] => Ok(one),
        more => Err(ambiguous("team", &reference, more.len())),
    }
}

/// The job `reference` names, among the organisation's `jobs`.
pub fn job<'a>(jobs: &'a [Job], reference: &str) -> Result<&'a Job, ApiError> {
    let reference = input::reference("job", reference)?;
    if let Ok(id) = reference.parse::<JobId>() {
        return jobs
            .iter()
            .find(|j| j.id == id)
            .ok_or_else(|| not_found(format!("no job {id} in this organisation")));
    }
    let named: Vec<_> = jobs
        .iter()
        .filter(|j| j.name.eq_ignore_ascii_case(&reference))
        .collect();
    match named.as_slice() {
        [] => Err(not_found(format!(
            "no job named \"{reference}\" in this organisation"
        ))),
        [one] => Ok(one),
        more => Err(ambiguous("job", &reference, more.len())),
    }
}

/// The role of `person` (a person always has one; a missing one is a 500).
pub async fn role_of(store: &Store, org: OrgId, person: &Person) -> Result<Role, ApiError> {
    store.role_of(org, person.role).await?.ok_or_else(|| {
        tracing::error!(person = %person.id, role = %person.role, "a person's role is missing");
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "this person's role is missing; the hub's data needs repair",
        )
    })
}
