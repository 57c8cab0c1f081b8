//! A kiosk changing its own roster from its Admin screen:
//! `POST /api/v1/device/roster/changes` replaces the roster, and
//! `GET /api/v1/device/roster/candidates?acting=ID` lists who could be put on it.
//!
//! Guarantees: the device token alone is not enough. Each request names the
//! acting person (whose own PIN the kiosk checked); the hub answers 403 unless
//! that person is of the device's organisation, not archived, and holds
//! `manage_advanced_settings` (the right the admin API asks for a device's
//! roster), and, for every person the change puts on or takes off the roster
//! (a team counts as its lead and crew), `manage_users` with a rank above
//! theirs (the domain's rank rule, `OnBehalf::ManageUser`). Entries must name
//! people and teams of the device's organisation (400 otherwise). A change
//! is the whole roster, so sending it twice leaves the same roster; it is one
//! transaction with its `device.roster` audit row naming the acting person.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::json;

use crate::domain::{Directory, OnBehalf, Person, PersonId, Refusal, Right, Role, Who, may_act_on};
use crate::hub::admin::{forbidden, input, store_error};
use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::{DeviceAuth, JsonBody};
use crate::hub::store::AuthedDevice;
use crate::hub::store::admin::AuditEntry;
use crate::wire::device_roster::{
    Candidate, MAX_CHANGE_ENTRIES, RosterCandidates, RosterChange, RosterChangeApplied,
};
use crate::wire::{RosterEntry, RosterItem};

/// The right a device's roster change needs (as in the admin API).
const CHANGE: Right = Right::ManageAdvancedSettings;

pub async fn change(
    State(app): State<Arc<AppState>>,
    DeviceAuth(device): DeviceAuth,
    JsonBody(req): JsonBody<RosterChange>,
) -> Result<Json<RosterChangeApplied>, ApiError> {
    if req.entries.len() > MAX_CHANGE_ENTRIES {
        return Err(ApiError::bad_request(format!(
            "a roster holds at most {MAX_CHANGE_ENTRIES} entries and this one has {}",
            req.entries.len()
        )));
    }
    let dir = app.store.directory(device.org).await?;
    let (_, role) = acting(&dir, req.acting)?;
    let entries = checked_entries(&dir, &req.entries)?;
    let before = app
        .store
        .roster_entries(device.org, device.id)
        .await
        .map_err(store_error)?;
    let (was, now) = (people_of(&dir, &before), people_of(&dir, &entries));
    for person in was.symmetric_difference(&now) {
        if *person == req.acting {
            continue;
        }
        let name = dir.person(*person).map_or("?", |p| p.name.as_str());
        let target = dir.role_of(*person).ok_or_else(|| {
            forbidden(
                Refusal::NoRole {
                    who: Who::Named(name.to_owned()),
                }
                .to_string(),
            )
        })?;
        may_act_on(role, target, OnBehalf::ManageUser)
            .map_err(|refusal| forbidden(format!("{refusal} ({name})")))?;
    }
    let audit = AuditEntry::new(req.acting.0, "device.roster", device.id).with(json!({
        "via": "kiosk",
        "change": req.id,
        "entries": entries,
    }));
    app.store
        .replace_roster(device.org, device.id, &entries, &audit)
        .await
        .map_err(store_error)?;
    tracing::info!(device = %device.id, acting = %req.acting, change = %req.id,
        entries = entries.len(), "device roster changed from the kiosk");
    Ok(Json(RosterChangeApplied {
        id: req.id,
        entries: entries.len(),
    }))
}

pub async fn candidates(
    State(app): State<Arc<AppState>>,
    DeviceAuth(device): DeviceAuth,
    RawQuery(query): RawQuery,
) -> Result<Json<RosterCandidates>, ApiError> {
    let acting_id = acting_param(query.as_deref())?;
    let dir = app.store.directory(device.org).await?;
    acting(&dir, acting_id)?;
    Ok(Json(candidates_of(&dir, &device)))
}

/// `acting=<person id>` from the query string.
fn acting_param(query: Option<&str>) -> Result<PersonId, ApiError> {
    let value = query
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("acting="))
        .ok_or_else(|| ApiError::bad_request("name the acting person: ?acting=<person id>"))?;
    value
        .parse()
        .map_err(|_| ApiError::bad_request("acting is not a person id (a UUID)"))
}

/// The acting person and their role, if they may change this device's roster.
fn acting(dir: &Directory, id: PersonId) -> Result<(&Person, &Role), ApiError> {
    let person = dir.person(id).ok_or_else(|| {
        forbidden("the person making this change is not of this device's organisation")
    })?;
    if person.archived {
        return Err(forbidden(Refusal::Archived { who: Who::You }.to_string()));
    }
    let role = dir
        .role_of(id)
        .ok_or_else(|| forbidden(Refusal::NoRole { who: Who::You }.to_string()))?;
    if !role.has(CHANGE) {
        return Err(forbidden(
            Refusal::MissingRight { right: CHANGE }.to_string(),
        ));
    }
    Ok((person, role))
}

/// The entries with their group names checked and repeats dropped; every item
/// must be of the organisation.
fn checked_entries(dir: &Directory, entries: &[RosterEntry]) -> Result<Vec<RosterEntry>, ApiError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let known = match e.item {
            RosterItem::Person(p) => dir.person(p).is_some(),
            RosterItem::Team(t) => dir.team(t).is_some(),
        };
        if !known {
            return Err(ApiError::bad_request(format!(
                "entries[{i}] names a person or team that is not of this organisation"
            )));
        }
        let group = e
            .group
            .as_deref()
            .map(|g| input::name("the group name", g))
            .transpose()?;
        if seen.insert((group.clone(), e.item)) {
            out.push(RosterEntry {
                group,
                item: e.item,
            });
        }
    }
    Ok(out)
}

/// The people `entries` show: each person, and each team's lead and crew.
fn people_of(dir: &Directory, entries: &[RosterEntry]) -> BTreeSet<PersonId> {
    let mut out = BTreeSet::new();
    for e in entries {
        match e.item {
            RosterItem::Person(p) => {
                out.insert(p);
            }
            RosterItem::Team(t) => {
                if let Some(team) = dir.team(t) {
                    out.insert(team.lead);
                    out.extend(team.members.iter().copied());
                }
            }
        }
    }
    out
}

fn candidates_of(dir: &Directory, device: &AuthedDevice) -> RosterCandidates {
    let mut people: Vec<Candidate<PersonId>> = dir
        .people()
        .filter(|p| !p.archived)
        .map(|p| Candidate {
            id: p.id,
            name: p.name.clone(),
        })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let mut teams: Vec<_> = dir
        .teams()
        .map(|t| Candidate {
            id: t.id,
            name: t.name.clone(),
        })
        .collect();
    teams.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    tracing::debug!(device = %device.id, people = people.len(), "roster candidates");
    RosterCandidates { people, teams }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_acting_parameter_is_read_strictly() {
        let id = PersonId::new();
        assert_eq!(acting_param(Some(&format!("acting={id}"))).ok(), Some(id));
        assert_eq!(
            acting_param(Some(&format!("x=1&acting={id}"))).ok(),
            Some(id)
        );
        assert!(acting_param(None).is_err());
        assert!(acting_param(Some("acting=nope")).is_err());
    }
}
