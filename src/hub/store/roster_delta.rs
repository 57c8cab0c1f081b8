//! What changed in a device's roster since a version the hub has cached: read so
//! that an admin change costs a few small queries instead of a whole build (see
//! `crate::hub::roster_cache`, which applies it).
//!
//! Guarantees: a delta is read in one snapshot, like a whole build; it reloads
//! every person the change log names ([`super::changes`]) among those the roster
//! asks for, and everyone it asks for that the cached copy does not know; it
//! reloads the entries when the device's roster version moved, the teams when
//! the entries or a logged team changed, and the small parts whole (settings,
//! roles, jobs); it carries every status change after the cached copy's status
//! sequence. It is refused (`None`) when the log does not account for every
//! version since the cached one: the roster is then built whole.

use std::collections::HashSet;
use std::sync::Arc;

use super::changes::changed;
use super::error::{DbContext, StoreResult};
use super::people::role_from_row;
use super::roster::roster_entries;
use super::roster_read::{
    active_jobs, changed_states_in, entry_people, head_and_settings, load_people, teams_shown,
    wanted,
};
use super::{RosterHead, Store};
use crate::domain::{DeviceId, Job, OrgSettings, Person, PersonId, PunchState, Role, Team};
use crate::wire::{OrgId, RosterEntry};

/// What a cached roster was built from. Cheap to clone.
#[derive(Clone, Debug)]
pub struct RosterBase {
    /// Its organisation and roster versions, and the status sequence up to which
    /// it holds every change.
    pub head: RosterHead,
    /// The device's entries as stored.
    pub entries: Arc<Vec<RosterEntry>>,
    /// The people of `entries`.
    pub entry_people: Arc<HashSet<PersonId>>,
    /// The teams shown, with their whole crews.
    pub teams: Arc<Vec<Team>>,
    /// Everyone the entries and teams name: the people the copy has an answer
    /// for (shown, or known to be archived).
    pub wanted: Arc<HashSet<PersonId>>,
}

/// A roster's changes since a [`RosterBase`], read in one snapshot.
#[derive(Clone, Debug)]
pub struct RosterDelta {
    pub head: RosterHead,
    pub settings: OrgSettings,
    /// The entries as stored, when the device's roster version moved.
    pub entries: Option<Vec<RosterEntry>>,
    /// The teams shown with their whole crews, when they changed.
    pub teams: Option<Vec<Team>>,
    /// Everyone the entries and teams name, in roster order, when that changed.
    pub wanted: Option<Vec<PersonId>>,
    /// Every role of the organisation.
    pub roles: Vec<Role>,
    /// Every job of the organisation not archived, by name.
    pub jobs: Vec<Job>,
    /// The people reloaded: those of `people`, and archived ones.
    pub reloaded: HashSet<PersonId>,
    /// The people reloaded and not archived, each with their PIN verifier, state
    /// and `changed_seq` (0: never changed).
    pub people: Vec<(Person, Option<String>, PunchState, i64)>,
    /// Every status change after the base's status sequence: person,
    /// `changed_seq`, state.
    pub changes: Vec<(PersonId, i64, PunchState)>,
}

impl Store {
    /// The changes of `device`'s roster since `base`; `None` when only a whole
    /// build can tell them.
    pub async fn roster_delta(
        &self,
        org: OrgId,
        device: DeviceId,
        base: &RosterBase,
    ) -> StoreResult<Option<RosterDelta>> {
        let org_s = org.to_string();
        let backend = self.backend;
        let mut tx = self.begin_read().await?;
        let (head, settings) = head_and_settings(&mut tx, &org_s, device).await?;
        let logged = changed(&mut tx, &org_s, base.head.org_version, head.org_version).await?;
        let Some(logged) = logged else {
            tx.commit().await.ctx("ending a read transaction")?;
            return Ok(None);
        };
        let entries = if head.roster_version == base.head.roster_version {
            None
        } else {
            Some(roster_entries(&mut tx, &org_s, device).await?)
        };
        // Teams are reread only when what picks them or one of them changed.
        let teams = match &entries {
            Some(e) => Some(teams_shown(&mut tx, backend, &org_s, e, &entry_people(e)).await?),
            None if !logged.teams.is_empty() => {
                let t = teams_shown(&mut tx, backend, &org_s, &base.entries, &base.entry_people);
                Some(t.await?).filter(|t| *t != *base.teams)
            }
            None => None,
        };
        let wanted = teams
            .as_ref()
            .map(|t| wanted(entries.as_deref().unwrap_or(&base.entries), t));
        let reload: Vec<PersonId> = match &wanted {
            Some(w) => w
                .iter()
                .filter(|p| logged.people.contains(p) || !base.wanted.contains(p))
                .copied()
                .collect(),
            None => logged
                .people
                .iter()
                .filter(|p| base.wanted.contains(p))
                .copied()
                .collect(),
        };
        let loaded = load_people(&mut tx, backend, &org_s, &reload).await?;
        let roles = sqlx::query(
            "SELECT id, name, rank, rights, fixed, preset FROM roles WHERE org_id = $1",
        )
        .bind(&org_s)
        .fetch_all(&mut *tx)
        .await
        .ctx("reading roles")?
        .iter()
        .map(role_from_row)
        .collect::<StoreResult<Vec<Role>>>()?;
        let jobs = active_jobs(&mut tx, &org_s).await?;
        let changes = changed_states_in(&mut tx, backend, &org_s, base.head.status_seq).await?;
        tx.commit().await.ctx("ending a read transaction")?;

        let people = loaded
            .people
            .into_iter()
            .map(|l| (l.person, l.verifier, l.state, l.seq.unwrap_or(0)))
            .collect();
        Ok(Some(RosterDelta {
            head,
            settings,
            entries,
            teams,
            wanted,
            roles,
            jobs,
            reloaded: reload.into_iter().collect(),
            people,
            changes,
        }))
    }
}
