//! Resolving what a request names (a person, role, team, job or device, by id or
//! by name) within the caller's organisation, and keeping names unique.
//!
//! Guarantees: a reference resolves only to a row of the given organisation; an
//! id of another organisation is answered 404 exactly like an unknown one; a name
//! shared by several rows is refused (400) asking for the id; names match ignoring
//! ASCII case.

use std::collections::{HashMap, HashSet};
use std::fmt::Display;
use std::str::FromStr;

use crate::domain::{DeviceId, Job, JobId, Person, PersonId, Role, RoleId, Team, TeamId};
use crate::hub::error::ApiError;
use crate::hub::store::Store;
use crate::hub::store::admin::PersonRecord;
use crate::wire::OrgId;
use crate::wire::admin_devices::DeviceView;

use super::{conflict, input, not_found};

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

/// Something of an organisation a request names by id or by name: a role, team,
/// job or device.
pub trait Named {
    type Id: FromStr + PartialEq + Display;
    /// What it is called in messages: "role", "team", ...
    const WHAT: &'static str;
    /// Ends the message for a name nothing has.
    const HINT: &'static str = "";
    fn id(&self) -> Self::Id;
    fn name(&self) -> &str;
}

impl Named for (Role, u64) {
    type Id = RoleId;
    const WHAT: &'static str = "role";
    const HINT: &'static str = " (see `role list`)";
    fn id(&self) -> RoleId {
        self.0.id
    }
    fn name(&self) -> &str {
        &self.0.name
    }
}

impl Named for Team {
    type Id = TeamId;
    const WHAT: &'static str = "team";
    fn id(&self) -> TeamId {
        self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for Job {
    type Id = JobId;
    const WHAT: &'static str = "job";
    fn id(&self) -> JobId {
        self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for DeviceView {
    type Id = DeviceId;
    const WHAT: &'static str = "device";
    const HINT: &'static str = " (see `device list`)";
    fn id(&self) -> DeviceId {
        self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// The one of the organisation's `items` that `reference` (an id or a name)
/// names.
pub fn pick<'a, T: Named>(items: &'a [T], reference: &str) -> Result<&'a T, ApiError> {
    let reference = input::reference(T::WHAT, reference)?;
    if let Ok(id) = reference.parse::<T::Id>() {
        return items
            .iter()
            .find(|t| t.id() == id)
            .ok_or_else(|| not_found(format!("no {} {id} in this organisation", T::WHAT)));
    }
    by_name(items, &reference)
}

/// The one of `items` named `name` (a checked reference), ASCII case ignored.
pub fn by_name<'a, T: Named>(items: &'a [T], name: &str) -> Result<&'a T, ApiError> {
    let named: Vec<_> = items
        .iter()
        .filter(|t| t.name().eq_ignore_ascii_case(name))
        .collect();
    match named.as_slice() {
        [] => Err(not_found(format!(
            "no {} named \"{name}\" in this organisation{}",
            T::WHAT,
            T::HINT
        ))),
        [one] => Ok(one),
        more => Err(ambiguous(T::WHAT, name, more.len())),
    }
}

/// 409 when one of `items` other than `except` is named `name`, ASCII case
/// ignored (names are unique in an organisation).
pub fn name_free<T: Named>(items: &[T], name: &str, except: Option<T::Id>) -> Result<(), ApiError> {
    if items
        .iter()
        .any(|t| except.as_ref() != Some(&t.id()) && t.name().eq_ignore_ascii_case(name))
    {
        return Err(conflict(format!(
            "a {} named \"{name}\" already exists in this organisation",
            T::WHAT
        )));
    }
    Ok(())
}

/// The organisation's roles by id.
pub async fn roles_by_id(store: &Store, org: OrgId) -> Result<HashMap<RoleId, Role>, ApiError> {
    Ok(store
        .roles_of(org)
        .await?
        .into_iter()
        .map(|(r, _)| (r.id, r))
        .collect())
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
