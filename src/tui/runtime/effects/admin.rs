//! Carrying out the Admin screen's commands: the roster editor's entries and
//! candidates, queueing a roster change, the queued changes, re-enrollment.
//! Calls to the hub run on their own thread (the screen never waits on the
//! network) and answer with a message.

use std::sync::{Arc, OnceLock};

use uuid::Uuid;

use super::super::super::model::{AdminChangeRow, EditEntry};
use super::super::super::msg::Msg;
use super::super::super::roster::Roster;
use super::super::LoopEvent;
use super::{Services, lock};
use crate::domain::{PersonId, PrivilegedPinGate};
use crate::journal::PinFailures;
use crate::sync::client::HubClient;
use crate::wire::device_roster::RosterChange;
use crate::wire::{RosterEntry, RosterItem, RosterResponse};

/// Enrolls this kiosk again at a hub URL with a one-time code (see [`HubAccess`]).
pub type Reenroll = Arc<dyn Fn(&str, &str) -> Result<String, String> + Send + Sync>;

/// What the Admin screen needs of the hub, beyond the sync worker.
#[derive(Clone)]
pub struct HubAccess {
    /// Set once the sync side has started, after the first frame (building the
    /// client loads the TLS roots, which the first frame does not wait for).
    pub client: Arc<OnceLock<HubClient>>,
    pub runtime: tokio::runtime::Handle,
    /// Enrolls this kiosk again at a hub URL with a one-time code: trades the
    /// code, stores the new secrets and records the device in the journal.
    /// Answers the device's new name. Blocking; never called on the screen thread.
    pub reenroll: Reenroll,
}

/// The kind of a roster change in the journal's admin queue.
pub const ROSTER_CHANGE: &str = "roster";

/// The editor's entries: the latest roster change queued here (it is what the
/// hub will have), else the cached roster; names from the roster's directory.
pub(super) fn roster_entries(services: &Services, roster: Option<&Roster>) -> Msg {
    let j = lock(&services.journal);
    let queued = j.admin_changes().map_err(|e| e.to_string()).map(|all| {
        all.into_iter()
            .rev()
            .find(|c| c.kind == ROSTER_CHANGE && c.refused.is_none())
            .and_then(|c| serde_json::from_str::<RosterChange>(&c.body).ok())
            .map(|c| c.entries)
    });
    let entries = match queued {
        Err(e) => return Msg::RosterEntries(Err(e)),
        Ok(Some(entries)) => Ok(entries),
        Ok(None) => match j.cached_roster() {
            Err(e) => Err(e.to_string()),
            Ok(None) => Ok(Vec::new()),
            Ok(Some(cached)) => serde_json::from_slice::<RosterResponse>(&cached.body)
                .map(|r| r.entries)
                .map_err(|e| format!("the cached roster does not parse: {e}")),
        },
    };
    drop(j);
    Msg::RosterEntries(entries.map(|entries| {
        entries
            .into_iter()
            .map(|e| EditEntry {
                name: name_of(roster, e.item),
                item: e.item,
                group: e.group,
            })
            .collect()
    }))
}

fn name_of(roster: Option<&Roster>, item: RosterItem) -> String {
    let known = roster.and_then(|r| match item {
        RosterItem::Person(p) => r.dir.person(p).map(|p| p.name.clone()),
        RosterItem::Team(t) => r.dir.team(t).map(|t| t.name.clone()),
    });
    known.unwrap_or_else(|| {
        let id = match item {
            RosterItem::Person(p) => p.0,
            RosterItem::Team(t) => t.0,
        };
        format!("({})", &id.simple().to_string()[..8])
    })
}

/// Asks the hub, on its own thread, who could be added.
pub(super) fn load_candidates(services: &Services, acting: PersonId) -> Vec<Msg> {
    let Some(hub) = services.hub.clone() else {
        return vec![Msg::Candidates(Err(
            "this kiosk has no hub connection".to_owned()
        ))];
    };
    let Some(client) = hub.client.get().cloned() else {
        return vec![Msg::Candidates(Err(
            "the hub connection is still starting: try again".to_owned(),
        ))];
    };
    let tx = services.tx.clone();
    let spawned = std::thread::Builder::new()
        .name("roster-candidates".into())
        .spawn(move || {
            let found = hub
                .runtime
                .block_on(client.roster_candidates(acting))
                .map_err(|e| e.to_string())
                .map(|c| {
                    let people = c.people.into_iter().map(|p| EditEntry {
                        item: RosterItem::Person(p.id),
                        name: p.name,
                        group: None,
                    });
                    let teams = c.teams.into_iter().map(|t| EditEntry {
                        item: RosterItem::Team(t.id),
                        name: t.name,
                        group: None,
                    });
                    people.chain(teams).collect()
                });
            let _ = tx.send(LoopEvent::Msg(Msg::Candidates(found)));
        });
    match spawned {
        Ok(_) => Vec::new(),
        Err(e) => vec![Msg::Candidates(Err(format!("cannot ask the hub: {e}")))],
    }
}

/// Queues the whole roster for the sync worker, then nudges it.
pub(super) fn queue_roster_change(
    services: &Services,
    acting: PersonId,
    entries: Vec<RosterEntry>,
) -> Msg {
    let change = RosterChange {
        id: Uuid::now_v7(),
        acting,
        entries,
    };
    let queued = serde_json::to_string(&change)
        .map_err(|e| format!("encoding the roster change: {e}"))
        .and_then(|body| {
            lock(&services.journal)
                .queue_admin_change(change.id, ROSTER_CHANGE, acting, &body, chrono::Utc::now())
                .map_err(|e| e.to_string())
        });
    if queued.is_ok() {
        tracing::info!(change = %change.id, %acting, "roster change queued for the hub");
    }
    Msg::AdminQueued(queued)
}

pub(super) fn admin_changes(services: &Services, roster: Option<&Roster>) -> Msg {
    let rows = lock(&services.journal)
        .admin_changes()
        .map_err(|e| e.to_string())
        .map(|all| {
            all.into_iter()
                .map(|c| AdminChangeRow {
                    queued_at: c.queued_at,
                    by: roster
                        .map_or_else(|| c.acting.to_string(), |r| r.name(c.acting).to_owned()),
                    refused: c.refused,
                })
                .collect()
        });
    Msg::AdminChanges(rows)
}

/// Re-enrolls on its own thread.
pub(super) fn reenroll(services: &Services, hub_url: String, code: String) -> Vec<Msg> {
    let Some(hub) = services.hub.clone() else {
        return vec![Msg::Reenrolled(Err(
            "re-enrollment is not available here".to_owned()
        ))];
    };
    let tx = services.tx.clone();
    let spawned = std::thread::Builder::new()
        .name("reenroll".into())
        .spawn(move || {
            let result = (hub.reenroll)(&hub_url, &code);
            let _ = tx.send(LoopEvent::Msg(Msg::Reenrolled(result)));
        });
    match spawned {
        Ok(_) => Vec::new(),
        Err(e) => vec![Msg::Reenrolled(Err(format!(
            "cannot start the enrollment: {e}"
        )))],
    }
}

/// The device-wide gate on privileged PINs; `None` (logged) when the journal
/// cannot say, so the screen keeps the gate it already knows.
pub(super) fn load_privileged_gate(services: &Services) -> Option<PrivilegedPinGate> {
    match lock(&services.journal).privileged_pin_failures() {
        Ok(f) => Some(PrivilegedPinGate {
            failures: f.count,
            wait_until: f.locked_until,
        }),
        Err(e) => {
            tracing::error!("reading the privileged PIN counter: {e}");
            None
        }
    }
}

pub(super) fn save_privileged_gate(services: &Services, gate: PrivilegedPinGate) {
    let saved = lock(&services.journal).set_privileged_pin_failures(PinFailures {
        count: gate.failures,
        locked_until: gate.wait_until,
    });
    if let Err(e) = saved {
        tracing::error!("storing the privileged PIN counter: {e}");
    }
}
