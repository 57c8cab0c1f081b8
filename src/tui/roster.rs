//! The device roster as the screen uses it: who is shown in which tab, where
//! each person stands now, badge lookup and the folded names for search.
//!
//! Built from the hub's roster (states as of `generated_at`) with the events this
//! device recorded since applied on top, so a punch made offline shows at once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::text::fold_for_search;
use crate::domain::{Directory, Event, PersonId, PunchState, TrackingMode};
use crate::wire::{RosterItem, RosterResponse};

/// Ends each folded name in [`Roster`]'s search text: a query without it can
/// never match across two names.
const NAME_END: char = '\n';

#[derive(Clone, Debug)]
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
    states: HashMap<PersonId, PunchState>,
    verifiers: HashMap<PersonId, String>,
    /// The folded names of `everyone`, in order, each ended by [`NAME_END`]: a
    /// search is one pass of the substring finder over one string, not 10,000
    /// map lookups and searches per keystroke.
    folded: String,
    /// Where each name of `everyone` starts in `folded`, and its length last.
    starts: Vec<usize>,
    badges: HashMap<String, PersonId>,
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
        let mut folded = String::new();
        let mut starts = Vec::with_capacity(everyone.len() + 1);
        for id in &everyone {
            starts.push(folded.len());
            if let Some(p) = dir.person(*id) {
                folded.push_str(&fold_for_search(&p.name));
            }
            folded.push(NAME_END);
        }
        starts.push(folded.len());
        folded.shrink_to_fit();
        let badges = dir
            .active_people()
            .filter_map(|p| p.badge.as_ref().map(|b| (b.trim().to_owned(), p.id)))
            .filter(|(b, _)| !b.is_empty())
            .collect();
        let states = resp.people.iter().map(|p| (p.id, p.state)).collect();
        let verifiers = resp
            .people
            .into_iter()
            .filter_map(|p| p.pin_verifier.map(|v| (p.id, v)))
            .collect();
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
            badges,
        }
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

    pub fn verifier(&self, person: PersonId) -> Option<&str> {
        self.verifiers.get(&person).map(String::as_str)
    }

    /// Applies recorded events (in recording order) to the states.
    pub fn apply(&mut self, events: &[Event]) {
        for e in events {
            let mode = self.mode(e.subject);
            let state = self.state(e.subject);
            let next = state.apply(&e.kind, e.at, mode).state;
            self.states.insert(e.subject, next);
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

    pub fn by_badge(&self, code: &str) -> Option<PersonId> {
        self.badges.get(code.trim()).copied()
    }
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
        let name = |i: usize| r.folded.get(r.starts[i]..r.starts[i + 1] - 1).unwrap_or("");
        let found = if self.query.is_empty() {
            (self.next < r.everyone.len()).then_some(self.next)
        } else if self.query.contains(NAME_END) {
            // Could match across two names in the joined text: name by name.
            (self.next..r.everyone.len()).find(|&i| name(i).contains(self.query.as_str()))
        } else {
            let from = *r.starts.get(self.next)?;
            let at = from + r.folded.get(from..)?.find(self.query.as_str())?;
            // The name holding the match: the last one starting at or before it.
            Some(r.starts.partition_point(|&s| s <= at) - 1)
        };
        let i = found?;
        self.next = i + 1;
        r.everyone.get(i).copied()
    }
}
