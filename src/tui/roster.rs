//! The device roster as the screen uses it: who is shown in which tab, where
//! each person stands now, badge lookup and the folded names for search.
//!
//! Built from the hub's roster (states as of `generated_at`) with the events this
//! device recorded since applied on top, so a punch made offline shows at once.

mod snapshot;
mod verifiers;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::text::fold_for_search;
use crate::domain::{Directory, Event, PersonId, PunchState, TrackingMode};
use crate::wire::{RosterItem, RosterResponse};

/// Ends each folded name in [`Roster`]'s search text: a query without it can
/// never match across two names.
const NAME_END: char = '\n';

pub use snapshot::SnapshotError;
use verifiers::Verifiers;

#[derive(Clone, Debug, PartialEq)]
pub struct Roster {
    pub version: String,
    pub generated_at: DateTime<Utc>,
    pub dir: Directory,
    /// The named groups in order (tab 0 is everyone, these follow).
    pub groups: Vec<String>,
    /// Everyone shown, once each, in display order.
    pub everyone: Vec<PersonId>,
    /// The people of each group, in display order (a person appears once per group).
    members: Vec<Vec<PersonId>>,
    /// Only the states other than "out, no history": most of a large roster is
    /// out at any time, and a map entry costs about 100 bytes.
    states: HashMap<PersonId, PunchState>,
    verifiers: Verifiers,
    /// The folded names of `everyone`, in order, each ended by [`NAME_END`]: a
    /// search is one pass of the substring finder over one string, not 10,000
    /// map lookups and searches per keystroke.
    folded: String,
    /// Where each name of `everyone` starts in `folded`, and its length last.
    starts: Vec<u32>,
}

impl Roster {
    pub fn from_response(resp: RosterResponse) -> Self {
        let dir = resp.directory;
        let mut groups: Vec<String> = Vec::new();
        let mut members: Vec<Vec<PersonId>> = Vec::new();
        let mut everyone: Vec<PersonId> = Vec::new();
        // Sets beside the lists: `Vec::contains` made this quadratic (seconds
        // for a large roster).
        let mut seen_rows: HashSet<(PersonId, Option<usize>)> = HashSet::new();
        let mut seen: HashSet<PersonId> = HashSet::new();
        let shown = |id: PersonId| dir.person(id).is_some_and(|p| !p.archived);
        for entry in &resp.entries {
            let group = entry.group.as_ref().map(|g| {
                groups
                    .iter()
                    .position(|known| known == g)
                    .unwrap_or_else(|| {
                        groups.push(g.clone());
                        members.push(Vec::new());
                        groups.len() - 1
                    })
            });
            let ids: Vec<PersonId> = match entry.item {
                RosterItem::Person(id) => vec![id],
                RosterItem::Team(team) => dir
                    .team(team)
                    .map(|t| {
                        std::iter::once(t.lead)
                            .chain(t.members.iter().copied())
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            for person in ids.into_iter().filter(|id| shown(*id)) {
                if !seen_rows.insert((person, group)) {
                    continue;
                }
                if let Some(g) = group {
                    members[g].push(person);
                }
                if seen.insert(person) {
                    everyone.push(person);
                }
            }
        }
        drop((seen_rows, seen));
        everyone.shrink_to_fit();
        for m in &mut members {
            m.shrink_to_fit();
        }
        let mut folded = String::new();
        let mut starts = Vec::with_capacity(everyone.len() + 1);
        for id in &everyone {
            starts.push(offset(folded.len()));
            if let Some(p) = dir.person(*id) {
                folded.push_str(&fold_for_search(&p.name));
            }
            folded.push(NAME_END);
        }
        starts.push(offset(folded.len()));
        folded.shrink_to_fit();
        let states = resp
            .people
            .iter()
            .filter(|p| p.state != PunchState::default())
            .map(|p| (p.id, p.state))
            .collect();
        let verifiers = Verifiers::new(
            resp.people
                .into_iter()
                .filter_map(|p| p.pin_verifier.map(|v| (p.id, v)))
                .collect(),
        );
        Roster {
            version: resp.version,
            generated_at: resp.generated_at,
            dir,
            groups,
            everyone,
            members,
            states,
            verifiers,
            folded,
            starts,
        }
    }

    /// This roster in the compact form kept in the journal (see
    /// [`Roster::from_snapshot`]); to be taken as built from the hub's roster,
    /// before local events are applied.
    pub fn to_snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        snapshot::encode(self)
    }

    /// A roster from [`Roster::to_snapshot`]'s bytes; an error if they do not
    /// decode to a consistent roster.
    pub fn from_snapshot(bytes: &[u8]) -> Result<Self, SnapshotError> {
        snapshot::decode_from(&mut &bytes[..], bytes.len())
    }

    /// [`Roster::from_snapshot`] from a reader of `len` bytes.
    pub fn from_snapshot_reader(
        src: &mut dyn std::io::Read,
        len: usize,
    ) -> Result<Self, SnapshotError> {
        snapshot::decode_from(src, len)
    }

    /// Where `person` stands now.
    pub fn state(&self, person: PersonId) -> PunchState {
        self.states.get(&person).copied().unwrap_or_default()
    }

    pub fn mode(&self, person: PersonId) -> TrackingMode {
        self.dir
            .person(person)
            .map_or(TrackingMode::Personal, |p| p.mode)
    }

    pub fn name(&self, person: PersonId) -> &str {
        self.dir.person(person).map_or("?", |p| p.name.as_str())
    }

    /// The PIN verifier of `person`, if they have one.
    pub fn verifier(&self, person: PersonId) -> Option<String> {
        self.verifiers.get(person)
    }

    /// Applies recorded events (in recording order) to the states.
    pub fn apply(&mut self, events: &[Event]) {
        for e in events {
            let mode = self.mode(e.subject);
            let state = self.state(e.subject);
            let next = state.apply(&e.kind, e.at, mode).state;
            self.set_state(e.subject, next);
        }
    }

    /// Sets what the screen shows of `person` (a punch that did not commit is
    /// taken back this way).
    pub fn set_state(&mut self, person: PersonId, state: PunchState) {
        if state == PunchState::default() {
            self.states.remove(&person);
        } else {
            self.states.insert(person, state);
        }
    }

    /// The people of tab `tab` (0: everyone), in display order.
    pub fn tab_people(&self, tab: usize) -> &[PersonId] {
        match tab.checked_sub(1).and_then(|i| self.members.get(i)) {
            None => &self.everyone,
            Some(people) => people,
        }
    }

    /// Everyone whose name contains `query`, ignoring case and accents.
    pub fn search(&self, query: &str) -> Vec<PersonId> {
        self.matches(query).collect()
    }

    /// [`Roster::search`], lazily: the screen takes one page of matches and
    /// stops looking there.
    pub fn matches(&self, query: &str) -> Matches<'_> {
        Matches {
            roster: self,
            query: fold_for_search(query.trim()),
            next: 0,
        }
    }

    /// Who has badge `code`. A scan of the directory (tens of microseconds for
    /// 10,000 people, once per scan) rather than a map of every badge; the
    /// last of equal badges wins, as a map built in id order would have it.
    pub fn by_badge(&self, code: &str) -> Option<PersonId> {
        let code = code.trim();
        if code.is_empty() {
            return None;
        }
        self.dir
            .active_people()
            .filter(|p| p.badge.as_deref().is_some_and(|b| b.trim() == code))
            .last()
            .map(|p| p.id)
    }
}

/// A place in [`Roster`]'s folded names (kept as `u32`: half the index).
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// The people whose folded name contains a folded query, in display order.
pub struct Matches<'a> {
    roster: &'a Roster,
    query: String,
    /// The index in `everyone` where the search goes on.
    next: usize,
}

impl Iterator for Matches<'_> {
    type Item = PersonId;

    fn next(&mut self) -> Option<PersonId> {
        let r = self.roster;
        let at = |i: usize| r.starts[i] as usize;
        let name = |i: usize| r.folded.get(at(i)..at(i + 1) - 1).unwrap_or("");
        let found = if self.query.is_empty() {
            (self.next < r.everyone.len()).then_some(self.next)
        } else if self.query.contains(NAME_END) {
            // Could match across two names in the joined text: name by name.
            (self.next..r.everyone.len()).find(|&i| name(i).contains(self.query.as_str()))
        } else {
            let from = *r.starts.get(self.next)? as usize;
            let found = from + r.folded.get(from..)?.find(self.query.as_str())?;
            // The name holding the match: the last one starting at or before it.
            Some(r.starts.partition_point(|&s| s as usize <= found) - 1)
        };
        let i = found?;
        self.next = i + 1;
        r.everyone.get(i).copied()
    }
}
