//! What the kiosks' screens confirmed, person by person, and the check of the
//! hub's events against it.
//!
//! A punch is *confirmed* when its confirmation screen was read; it must be at
//! the hub exactly once. A punch whose kiosk was killed right after Enter is
//! *uncertain*: the journal may or may not have committed it, so the hub may
//! hold it (once) or not. Anything else at the hub is a punch no screen
//! confirmed, and fails the run.

use std::collections::HashMap;

use tapin::domain::PersonId;

use super::Action;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// `None` for an uncertain punch: the kiosk offered the person's common
    /// action, which the run did not get to read.
    pub action: Option<Action>,
}

#[derive(Debug, Default)]
pub struct Ledger {
    by_person: HashMap<PersonId, Vec<Entry>>,
    pub confirmed: usize,
    pub uncertain: usize,
}

impl Ledger {
    pub fn confirmed(&mut self, person: PersonId, action: Action) {
        self.confirmed += 1;
        self.by_person.entry(person).or_default().push(Entry {
            action: Some(action),
        });
    }

    pub fn uncertain(&mut self, person: PersonId) {
        self.uncertain += 1;
        self.by_person
            .entry(person)
            .or_default()
            .push(Entry { action: None });
    }

    pub fn entries(&self, person: PersonId) -> &[Entry] {
        self.by_person.get(&person).map_or(&[], Vec::as_slice)
    }

    /// The last action the person is known to have, if no uncertain punch
    /// follows it.
    pub fn last_certain(&self, person: PersonId) -> Option<Action> {
        match self.entries(person).last() {
            Some(Entry { action: Some(a) }) => Some(*a),
            _ => None,
        }
    }
}

/// Whether `hub` (the person's events in time order) is `ledger` with some of
/// its uncertain entries left out and each of the others present once; an
/// uncertain entry that is present may be either action.
pub fn matches(ledger: &[Entry], hub: &[Action]) -> bool {
    // reach[j]: the first i ledger entries can account for the first j hub events.
    let mut reach = vec![false; hub.len() + 1];
    reach[0] = true;
    for entry in ledger {
        let mut next = vec![false; hub.len() + 1];
        for j in 0..=hub.len() {
            if !reach[j] {
                continue;
            }
            match entry.action {
                Some(a) => {
                    if hub.get(j) == Some(&a) {
                        next[j + 1] = true;
                    }
                }
                None => {
                    next[j] = true;
                    if j < hub.len() {
                        next[j + 1] = true;
                    }
                }
            }
        }
        reach = next;
    }
    reach[hub.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::{ClockIn as I, ClockOut as O};

    fn c(a: Action) -> Entry {
        Entry { action: Some(a) }
    }
    const U: Entry = Entry { action: None };

    #[test]
    fn confirmed_punches_must_all_be_there_once() {
        let cases: &[(&[Entry], &[Action], bool)] = &[
            (&[], &[], true),
            (&[c(I), c(O)], &[I, O], true),
            (&[c(I), c(O)], &[I], false),
            (&[c(I), c(O)], &[I, O, O], false),
            (&[c(I)], &[I, I], false),
            (&[c(I), c(O)], &[O, I], false),
            (&[c(I), U], &[I], true),
            (&[c(I), U], &[I, O], true),
            (&[c(I), U], &[I, O, I], false),
            (&[U, c(O)], &[I, O], true),
            (&[U, c(I)], &[I], true),
            (&[U, c(I)], &[], false),
        ];
        for (ledger, hub, want) in cases {
            assert_eq!(matches(ledger, hub), *want, "{ledger:?} vs {hub:?}");
        }
    }
}
