//! One device's serialised roster, kept in pieces: each person's directory entry
//! and state serialised once, and joined in blocks of [`BLOCK`] people, so a
//! status change re-serialises one person and one block, and an admin change only
//! the people it touched, their blocks and the small parts (roles, teams, jobs,
//! settings); the entries and the blocks are redone only when who is shown
//! changes.
//!
//! Guarantees: the document is byte for byte what serde gives for the
//! [`crate::wire::RosterResponse`] a whole build makes of the same rows (tested,
//! before and after patches and deltas): the directory's people, roles, teams and
//! jobs by id, the roster's people in roster order (`store::wanted`).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::ser::Error as _;

use crate::domain::{
    DeviceId, Job, JobAccess, JobId, OrgSettings, Person, PersonId, PunchState, Role, RoleId, Team,
};
use crate::hub::json;
use crate::hub::store::{
    RosterBase, RosterDelta, RosterHead, RosterSnapshot, RosterTag, crews_shown, entry_people,
};
use crate::wire::{OrgId, RosterEntry, RosterItem, RosterPerson};

/// People per block of the serialised lists.
const BLOCK: usize = 128;

/// One person of the roster.
#[derive(Debug)]
struct Piece {
    person: Person,
    roster: RosterPerson,
    /// The `changed_seq` of `roster.state` (0: never changed).
    seq: i64,
    /// `person`, serialised.
    dir: Vec<u8>,
    /// `roster`, serialised.
    state: Vec<u8>,
    /// Places in the directory's list and in the roster's.
    dir_at: usize,
    state_at: usize,
}

impl Piece {
    fn new(person: Person, roster: RosterPerson, seq: i64) -> Result<Piece, serde_json::Error> {
        Piece::with(&mut Vec::new(), person, roster, seq)
    }

    /// [`Piece::new`], serialising through `scratch` (left holding the state): each
    /// part is then copied once into an allocation of its size, rather than grown
    /// in steps from a small one.
    fn with(
        scratch: &mut Vec<u8>,
        person: Person,
        roster: RosterPerson,
        seq: i64,
    ) -> Result<Piece, serde_json::Error> {
        Ok(Piece {
            dir: serialise(scratch, |out| json::person(out, &person))?,
            state: serialise(scratch, |out| json::roster_person(out, &roster))?,
            person,
            roster,
            seq,
            dir_at: 0,
            state_at: 0,
        })
    }

    /// Takes `state` if it is of a later change than the one held; whether the
    /// serialised state changed.
    fn set_state(&mut self, seq: i64, state: PunchState) -> Result<bool, serde_json::Error> {
        if seq <= self.seq {
            return Ok(false);
        }
        self.seq = seq;
        if self.roster.state == state {
            return Ok(false);
        }
        self.roster.state = state;
        self.state = serialise(&mut Vec::new(), |out| {
            json::roster_person(out, &self.roster)
        })?;
        Ok(true)
    }

    fn bytes(&self) -> usize {
        self.dir.len() + self.state.len() + std::mem::size_of::<Piece>() + 160
    }
}

/// How many of the people shown hold each role and job.
#[derive(Debug, Default)]
struct Uses {
    roles: HashMap<RoleId, usize>,
    jobs: HashMap<JobId, usize>,
    all_jobs: usize,
}

impl Uses {
    fn count(&mut self, person: &Person, add: bool) {
        fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, usize>, key: K, add: bool) {
            let n = map.entry(key).or_default();
            *n = if add { *n + 1 } else { n.saturating_sub(1) };
        }
        bump(&mut self.roles, person.role, add);
        match &person.jobs {
            JobAccess::All if add => self.all_jobs += 1,
            JobAccess::All => self.all_jobs = self.all_jobs.saturating_sub(1),
            JobAccess::Only(jobs) => {
                for job in jobs {
                    bump(&mut self.jobs, *job, add);
                }
            }
        }
    }

    fn role(&self, id: &RoleId) -> bool {
        self.roles.get(id).is_some_and(|n| *n > 0)
    }

    fn job(&self, id: &JobId) -> bool {
        self.all_jobs > 0 || self.jobs.get(id).is_some_and(|n| *n > 0)
    }
}

#[derive(Debug)]
pub(super) struct Doc {
    /// The tag of exactly what it holds.
    pub tag: RosterTag,
    /// Every status change up to this organisation status sequence is in.
    pub seen: i64,
    org: OrgId,
    device: DeviceId,
    /// The device's entries as stored, each serialised, and their people.
    entries: Arc<Vec<RosterEntry>>,
    entry_json: Vec<Vec<u8>>,
    entry_people: Arc<HashSet<PersonId>>,
    /// The teams shown, with their whole crews.
    teams: Arc<Vec<Team>>,
    /// Everyone the entries and teams name, in roster order, archived or not.
    wanted: Arc<Vec<PersonId>>,
    wanted_set: Arc<HashSet<PersonId>>,
    /// The people shown.
    pieces: HashMap<PersonId, Piece>,
    /// The people shown, in roster order.
    order: Vec<PersonId>,
    /// The people shown, sorted (the directory's order).
    pub sorted: Vec<PersonId>,
    uses: Uses,
    /// `"entries":[...],"directory":{"people":[`.
    front: Vec<u8>,
    /// `],"roles":[...],"teams":[...],"jobs":[...],"settings":{...}},"people":[`.
    back: Vec<u8>,
    /// The directory's people, [`BLOCK`] to a block, comma-separated.
    dir_blocks: Vec<Vec<u8>>,
    /// The roster's people likewise.
    state_blocks: Vec<Vec<u8>>,
    /// The whole document.
    pub body: Bytes,
}

impl Doc {
    /// The document of `snapshot`, taking its people over rather than copying
    /// them.
    pub fn new(snapshot: RosterSnapshot) -> Result<Doc, serde_json::Error> {
        let RosterSnapshot {
            roster,
            tag,
            head,
            seqs,
            stored_entries,
            stored_teams,
            wanted,
            ..
        } = snapshot;
        let mut directory = roster.directory;
        let roles: Vec<&Role> = directory.roles().collect();
        let teams: Vec<&Team> = directory.teams().collect();
        let jobs: Vec<&Job> = directory.jobs().collect();
        let back = back(&roles, &teams, &jobs, directory.settings())?;
        let mut people = directory.take_people();
        let mut pieces = HashMap::with_capacity(roster.people.len());
        let mut uses = Uses::default();
        let mut scratch = Vec::with_capacity(4096);
        for rp in roster.people {
            let person = people
                .remove(&rp.id)
                .ok_or_else(|| serde_json::Error::custom("a roster person not in the directory"))?;
            uses.count(&person, true);
            let seq = seqs.get(&rp.id).copied().unwrap_or(0);
            let id = rp.id;
            pieces.insert(id, Piece::with(&mut scratch, person, rp, seq)?);
        }
        let mut doc = Doc {
            tag,
            seen: head.status_seq,
            org: roster.org_id,
            device: roster.device_id,
            entry_people: Arc::new(entry_people(&stored_entries)),
            entry_json: serialised(&stored_entries)?,
            entries: Arc::new(stored_entries),
            teams: Arc::new(stored_teams),
            wanted_set: Arc::new(wanted.iter().copied().collect()),
            wanted: Arc::new(wanted),
            pieces,
            order: Vec::new(),
            sorted: Vec::new(),
            uses,
            front: Vec::new(),
            back,
            dir_blocks: Vec::new(),
            state_blocks: Vec::new(),
            body: Bytes::new(),
        };
        doc.layout()?;
        doc.assemble(roster.generated_at)?;
        Ok(doc)
    }

    /// What the document was built from, for
    /// [`crate::hub::store::Store::roster_delta`].
    pub fn base(&self) -> RosterBase {
        RosterBase {
            head: RosterHead {
                org_version: self.tag.org_version,
                roster_version: self.tag.roster_version,
                status_seq: self.seen,
            },
            entries: Arc::clone(&self.entries),
            entry_people: Arc::clone(&self.entry_people),
            teams: Arc::clone(&self.teams),
            wanted: Arc::clone(&self.wanted_set),
        }
    }

    /// Whether a delta read against `base` up to `head` applies: the document is
    /// still at `base`'s versions, and the status changes it took since (patches
    /// racing the delta) are all in the delta's snapshot too.
    pub fn takes(&self, base: &RosterHead, head: &RosterHead) -> bool {
        self.tag.org_version == base.org_version
            && self.tag.roster_version == base.roster_version
            && (base.status_seq..=head.status_seq).contains(&self.seen)
    }

    /// Applies status changes (person, `changed_seq`, state), each only over an
    /// older one; `seen` becomes at least `upto`. Reassembles when anything moved.
    pub fn patch(
        &mut self,
        changes: &[(PersonId, i64, PunchState)],
        upto: i64,
        now: DateTime<Utc>,
    ) -> Result<(), serde_json::Error> {
        let before = self.tag;
        let mut dirty = BTreeSet::new();
        for (person, seq, state) in changes {
            if let Some(piece) = self.pieces.get_mut(person) {
                if piece.set_state(*seq, *state)? {
                    dirty.insert(piece.state_at / BLOCK);
                }
                self.tag.status = self.tag.status.max(piece.seq);
            }
        }
        self.seen = self.seen.max(upto);
        if dirty.is_empty() && self.tag == before {
            return Ok(());
        }
        for block in dirty {
            self.state_blocks[block] = self.block(&self.order, block, |p| &p.state)?;
        }
        self.assemble(now)
    }

    /// Applies `delta`, read against [`Doc::base`] of this very document. `false`
    /// (and the document untouched) when the delta does not account for someone
    /// the roster now asks for.
    pub fn apply(
        &mut self,
        delta: RosterDelta,
        now: DateTime<Utc>,
    ) -> Result<bool, serde_json::Error> {
        if let Some(wanted) = &delta.wanted {
            let accounted = wanted
                .iter()
                .all(|p| delta.reloaded.contains(p) || self.wanted_set.contains(p));
            if !accounted {
                return Ok(false);
            }
        }
        // Who is shown changes with the people asked for, or with someone
        // archived or unarchived: then the lists are laid out again.
        let mut relayout = delta.wanted.is_some();
        if let Some(entries) = delta.entries {
            self.entry_people = Arc::new(entry_people(&entries));
            self.entry_json = serialised(&entries)?;
            self.entries = Arc::new(entries);
        }
        if let Some(teams) = delta.teams {
            self.teams = Arc::new(teams);
        }
        if let Some(wanted) = delta.wanted {
            self.wanted_set = Arc::new(wanted.iter().copied().collect());
            self.wanted = Arc::new(wanted);
            let gone: Vec<PersonId> = self
                .pieces
                .keys()
                .filter(|p| !self.wanted_set.contains(p))
                .copied()
                .collect();
            for id in gone {
                if let Some(old) = self.pieces.remove(&id) {
                    self.uses.count(&old.person, false);
                }
            }
        }
        let (mut dir_dirty, mut state_dirty) = (BTreeSet::new(), BTreeSet::new());
        let mut loaded: HashMap<PersonId, _> = delta
            .people
            .into_iter()
            .map(|(person, verifier, state, seq)| (person.id, (person, verifier, state, seq)))
            .collect();
        for id in &delta.reloaded {
            let old = self.pieces.remove(id);
            if let Some(old) = &old {
                self.uses.count(&old.person, false);
            }
            let new = loaded.remove(id).filter(|_| self.wanted_set.contains(id));
            let Some((person, pin_verifier, state, seq)) = new else {
                relayout |= old.is_some();
                continue;
            };
            self.uses.count(&person, true);
            let roster = RosterPerson {
                id: *id,
                state,
                pin_verifier,
            };
            let mut piece = Piece::new(person, roster, seq)?;
            match &old {
                Some(old) => {
                    // A status newer than the delta's snapshot stays.
                    if old.seq > piece.seq {
                        piece.set_state(old.seq, old.roster.state)?;
                    }
                    (piece.dir_at, piece.state_at) = (old.dir_at, old.state_at);
                    dir_dirty.insert(piece.dir_at / BLOCK);
                    state_dirty.insert(piece.state_at / BLOCK);
                }
                None => relayout = true,
            }
            self.pieces.insert(*id, piece);
        }
        for (person, seq, state) in &delta.changes {
            if let Some(piece) = self.pieces.get_mut(person)
                && piece.set_state(*seq, *state)?
            {
                state_dirty.insert(piece.state_at / BLOCK);
            }
        }
        if relayout {
            self.layout()?;
        } else {
            for block in dir_dirty {
                self.dir_blocks[block] = self.block(&self.sorted, block, |p| &p.dir)?;
            }
            for block in state_dirty {
                self.state_blocks[block] = self.block(&self.order, block, |p| &p.state)?;
            }
        }
        let mut roles: Vec<Role> = delta
            .roles
            .into_iter()
            .filter(|r| self.uses.role(&r.id))
            .collect();
        roles.sort_unstable_by_key(|r| r.id);
        let shown: HashSet<PersonId> = self
            .teams
            .iter()
            .flat_map(|t| t.members.iter())
            .filter(|m| self.pieces.contains_key(m))
            .copied()
            .collect();
        let mut teams = crews_shown(self.teams.as_ref().clone(), &shown);
        teams.sort_unstable_by_key(|t| t.id);
        let mut jobs: Vec<Job> = delta
            .jobs
            .into_iter()
            .filter(|j| self.uses.job(&j.id))
            .collect();
        jobs.sort_unstable_by_key(|j| j.id);
        self.back = back(
            &roles.iter().collect::<Vec<_>>(),
            &teams.iter().collect::<Vec<_>>(),
            &jobs.iter().collect::<Vec<_>>(),
            &delta.settings,
        )?;
        self.tag = RosterTag {
            org_version: delta.head.org_version,
            roster_version: delta.head.roster_version,
            status: self.pieces.values().map(|p| p.seq).max().unwrap_or(0),
        };
        self.seen = delta.head.status_seq;
        self.assemble(now)?;
        Ok(true)
    }

    /// Lays the people shown out again: their order, their places, every block,
    /// and the entries shown.
    fn layout(&mut self) -> Result<(), serde_json::Error> {
        self.order = self
            .wanted
            .iter()
            .filter(|p| self.pieces.contains_key(p))
            .copied()
            .collect();
        self.sorted = self.order.clone();
        self.sorted.sort_unstable();
        for (i, id) in self.order.iter().enumerate() {
            if let Some(p) = self.pieces.get_mut(id) {
                p.state_at = i;
            }
        }
        for (i, id) in self.sorted.iter().enumerate() {
            if let Some(p) = self.pieces.get_mut(id) {
                p.dir_at = i;
            }
        }
        let blocks = self.order.len().div_ceil(BLOCK);
        self.dir_blocks = (0..blocks)
            .map(|b| self.block(&self.sorted, b, |p| &p.dir))
            .collect::<Result<_, _>>()?;
        self.state_blocks = (0..blocks)
            .map(|b| self.block(&self.order, b, |p| &p.state))
            .collect::<Result<_, _>>()?;
        // The entries shown: whole teams, and the people shown.
        let size: usize = self.entry_json.iter().map(|e| e.len() + 1).sum();
        let mut front = Vec::with_capacity(size + 64);
        front.extend_from_slice(b"\"entries\":[");
        let mut first = true;
        for (entry, json) in self.entries.iter().zip(&self.entry_json) {
            if let RosterItem::Person(p) = entry.item
                && !self.pieces.contains_key(&p)
            {
                continue;
            }
            if !first {
                front.push(b',');
            }
            first = false;
            front.extend_from_slice(json);
        }
        front.extend_from_slice(b"],\"directory\":{\"people\":[");
        self.front = front;
        Ok(())
    }

    /// Block `block` of `ids`: their `part`s, comma-separated.
    fn block(
        &self,
        ids: &[PersonId],
        block: usize,
        part: impl Fn(&Piece) -> &[u8],
    ) -> Result<Vec<u8>, serde_json::Error> {
        let ids = &ids[(block * BLOCK).min(ids.len())..((block + 1) * BLOCK).min(ids.len())];
        let mut parts = Vec::with_capacity(ids.len());
        for id in ids {
            let piece = self
                .pieces
                .get(id)
                .ok_or_else(|| serde_json::Error::custom("a roster person without a piece"))?;
            parts.push(part(piece));
        }
        let mut out = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for (i, bytes) in parts.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(bytes);
        }
        Ok(out)
    }

    /// Puts the pieces together, as serde would serialise the whole
    /// [`crate::wire::RosterResponse`].
    fn assemble(&mut self, generated_at: DateTime<Utc>) -> Result<(), serde_json::Error> {
        let blocks: usize = self
            .dir_blocks
            .iter()
            .chain(&self.state_blocks)
            .map(|b| b.len() + 1)
            .sum();
        let mut out = Vec::with_capacity(self.front.len() + self.back.len() + blocks + 256);
        out.extend_from_slice(b"{\"org_id\":");
        serde_json::to_writer(&mut out, &self.org)?;
        out.extend_from_slice(b",\"device_id\":");
        serde_json::to_writer(&mut out, &self.device)?;
        out.extend_from_slice(b",\"version\":");
        serde_json::to_writer(&mut out, &self.tag.etag())?;
        out.extend_from_slice(b",\"generated_at\":");
        serde_json::to_writer(
            &mut out,
            &generated_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        )?;
        out.push(b',');
        out.extend_from_slice(&self.front);
        join(&mut out, &self.dir_blocks);
        out.extend_from_slice(&self.back);
        join(&mut out, &self.state_blocks);
        out.extend_from_slice(b"]}");
        self.body = Bytes::from(out);
        Ok(())
    }

    pub fn bytes(&self) -> usize {
        let blocks: usize = self
            .dir_blocks
            .iter()
            .chain(&self.state_blocks)
            .map(Vec::len)
            .sum();
        self.front.len()
            + self.back.len()
            + self.body.len()
            + blocks
            + self.pieces.values().map(Piece::bytes).sum::<usize>()
            + (self.order.len() + self.sorted.len()) * 16
            + (self.wanted.len() + self.entry_people.len()) * 64
            + self.entries.len() * 64
            + self.entry_json.iter().map(|e| e.len() + 24).sum::<usize>()
    }
}

/// Each of `entries`, serialised.
fn serialised(entries: &[RosterEntry]) -> Result<Vec<Vec<u8>>, serde_json::Error> {
    let mut scratch = Vec::with_capacity(256);
    entries
        .iter()
        .map(|e| serialise(&mut scratch, |out| json::roster_entry(out, e)))
        .collect()
}

/// What `write` writes, through `scratch`, in an allocation of its size.
fn serialise(
    scratch: &mut Vec<u8>,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), serde_json::Error>,
) -> Result<Vec<u8>, serde_json::Error> {
    scratch.clear();
    write(scratch)?;
    Ok(scratch.clone())
}

/// Appends `blocks`, comma-separated.
fn join(out: &mut Vec<u8>, blocks: &[Vec<u8>]) {
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(block);
    }
}

/// The serialised part of a roster between its directory's people and its own
/// (see [`Doc::back`]).
fn back(
    roles: &[&Role],
    teams: &[&Team],
    jobs: &[&Job],
    settings: &OrgSettings,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut back = Vec::with_capacity(1024);
    back.extend_from_slice(b"],\"roles\":");
    serde_json::to_writer(&mut back, roles)?;
    back.extend_from_slice(b",\"teams\":");
    serde_json::to_writer(&mut back, teams)?;
    back.extend_from_slice(b",\"jobs\":");
    serde_json::to_writer(&mut back, jobs)?;
    back.extend_from_slice(b",\"settings\":");
    serde_json::to_writer(&mut back, settings)?;
    back.extend_from_slice(b"},\"people\":[");
    Ok(back)
}
