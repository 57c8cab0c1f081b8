//! The hub's memory of each device's roster: the people it shows (to tell its tag
//! without building it) and its serialised document, kept in pieces so that a
//! status change re-serialises only the people who changed.
//!
//! Guarantees:
//! - a tag told from the cache is the tag a build from the database would have at
//!   that moment or later: a view is used only for the organisation and device
//!   roster versions it was built at (which fix the people shown), and its status
//!   part is the greatest `changed_seq` among those people, brought up to date
//!   with every status change the database reports after the point the view has
//!   seen ([`RosterCache::advance`]); status sequences only grow, so merging
//!   reports in any order, or twice, gives the same tag;
//! - a cached document is sent only under the tag of exactly what it holds: a
//!   patch ([`RosterCache::patch`]) applies the states of one snapshot of every
//!   change after the point the document had seen, and tags the result with the
//!   greatest sequence among what it applied; the bytes are those serde gives for
//!   the same [`RosterResponse`] (tested);
//! - the cache holds at most [`BUDGET_BYTES`] (documents and people lists),
//!   dropping the least recently used devices first; a device it forgot is
//!   rebuilt, never answered wrongly.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};

use super::store::{RosterHead, RosterSnapshot, RosterTag};
use crate::domain::{DeviceId, PersonId, PunchState};
use crate::wire::{OrgId, RosterPerson};

/// Bytes of documents and people lists the cache keeps at most.
pub const BUDGET_BYTES: usize = 256 * 1024 * 1024;

/// What the cache knows of a device's roster, given its current [`RosterHead`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    /// The current tag.
    Tag(RosterTag),
    /// The people shown are known; the status changes after this status sequence
    /// are needed to tell the tag (see [`RosterCache::advance`]).
    ChangesSince(i64),
    /// Nothing usable: build the roster.
    Nothing,
}

/// A serialised roster, in pieces.
#[derive(Debug)]
struct Doc {
    /// The tag of exactly what it holds.
    tag: RosterTag,
    /// Every status change up to this organisation status sequence is in.
    seen: i64,
    org: OrgId,
    device: DeviceId,
    /// `"entries":...,"directory":...,"people":[`.
    middle: Vec<u8>,
    people: Vec<RosterPerson>,
    /// The `changed_seq` of each person's state in `people` (0: never changed).
    seqs: Vec<i64>,
    /// Each person's place in `people`.
    index: HashMap<PersonId, usize>,
    /// Each person, serialised.
    fragments: Vec<Vec<u8>>,
    /// The whole document.
    body: Bytes,
}

impl Doc {
    fn new(snapshot: &RosterSnapshot) -> Result<Doc, serde_json::Error> {
        let roster = &snapshot.roster;
        let mut middle = Vec::with_capacity(1024);
        middle.extend_from_slice(b"\"entries\":");
        serde_json::to_writer(&mut middle, &roster.entries)?;
        middle.extend_from_slice(b",\"directory\":");
        serde_json::to_writer(&mut middle, &roster.directory)?;
        middle.extend_from_slice(b",\"people\":[");
        let fragments = roster
            .people
            .iter()
            .map(serde_json::to_vec)
            .collect::<Result<Vec<_>, _>>()?;
        let mut doc = Doc {
            tag: snapshot.tag,
            seen: snapshot.head.status_seq,
            org: roster.org_id,
            device: roster.device_id,
            middle,
            index: roster
                .people
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id, i))
                .collect(),
            people: roster.people.clone(),
            seqs: roster
                .people
                .iter()
                .map(|p| snapshot.seqs.get(&p.id).copied().unwrap_or(0))
                .collect(),
            fragments,
            body: Bytes::new(),
        };
        doc.assemble(roster.generated_at)?;
        Ok(doc)
    }

    /// Puts the pieces together, as serde would serialise the whole
    /// [`RosterResponse`].
    fn assemble(&mut self, generated_at: DateTime<Utc>) -> Result<(), serde_json::Error> {
        let people: usize = self.fragments.iter().map(|f| f.len() + 1).sum();
        let mut out = Vec::with_capacity(self.middle.len() + people + 256);
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
        out.extend_from_slice(&self.middle);
        for (i, fragment) in self.fragments.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(fragment);
        }
        out.extend_from_slice(b"]}");
        self.body = Bytes::from(out);
        Ok(())
    }

    fn bytes(&self) -> usize {
        self.middle.len()
            + self.body.len()
            + self.fragments.iter().map(|f| f.len() + 24).sum::<usize>()
            + self.people.len() * (std::mem::size_of::<RosterPerson>() + 120)
            + self.index.len() * 32
    }
}

#[derive(Debug)]
struct View {
    /// The tag told: its status part is the greatest `changed_seq` among `shown`.
    tag: RosterTag,
    /// The people shown, sorted.
    shown: Vec<PersonId>,
    /// Every status change up to this organisation status sequence is in
    /// `tag.status`.
    seen: i64,
    doc: Option<Doc>,
    /// When last used, in [`Inner::clock`] ticks.
    used: u64,
}

impl View {
    fn bytes(&self) -> usize {
        self.shown.len() * std::mem::size_of::<PersonId>()
            + self.doc.as_ref().map_or(0, Doc::bytes)
            + 256
    }

    fn fits(&self, head: &RosterHead) -> bool {
        self.tag.org_version == head.org_version && self.tag.roster_version == head.roster_version
    }
}

#[derive(Debug, Default)]
struct Inner {
    views: HashMap<DeviceId, View>,
    bytes: usize,
    clock: u64,
}

impl Inner {
    /// Takes `device`'s view out (its bytes with it), to be put back by
    /// [`Inner::insert`].
    fn take(&mut self, device: DeviceId) -> Option<View> {
        let view = self.views.remove(&device)?;
        self.bytes = self.bytes.saturating_sub(view.bytes());
        Some(view)
    }

    /// Puts `view` in, dropping the least recently used others to stay within
    /// `budget`, and its document if it alone is over.
    fn insert(&mut self, device: DeviceId, mut view: View, budget: usize) {
        if view.bytes() > budget {
            view.doc = None;
        }
        let size = view.bytes();
        while self.bytes + size > budget {
            let Some(oldest) = self
                .views
                .iter()
                .min_by_key(|(_, v)| v.used)
                .map(|(d, _)| *d)
            else {
                break;
            };
            self.take(oldest);
        }
        if self.bytes + size <= budget {
            self.bytes += size;
            self.views.insert(device, view);
        }
    }
}

/// The rosters of every device, shared by the handlers.
#[derive(Debug)]
pub struct RosterCache {
    inner: Mutex<Inner>,
    budget: usize,
}

impl Default for RosterCache {
    fn default() -> Self {
        RosterCache::new(BUDGET_BYTES)
    }
}

impl RosterCache {
    /// A cache holding at most `budget` bytes.
    pub fn new(budget: usize) -> Self {
        RosterCache {
            inner: Mutex::new(Inner::default()),
            budget,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent data: a view is
        // either in the map with its bytes counted, or out of it.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What is known of `device`'s roster at `head`.
    pub fn known(&self, device: DeviceId, head: &RosterHead) -> Known {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        match inner.views.get_mut(&device) {
            Some(view) if view.fits(head) => {
                view.used = now;
                if view.seen >= head.status_seq {
                    Known::Tag(view.tag)
                } else {
                    Known::ChangesSince(view.seen)
                }
            }
            _ => Known::Nothing,
        }
    }

    /// Merges the status changes the database reported after
    /// [`Known::ChangesSince`] (read after `head`) into `device`'s view; its tag,
    /// or `None` when the view went away meanwhile.
    pub fn advance(
        &self,
        device: DeviceId,
        head: &RosterHead,
        changes: &[(PersonId, i64)],
    ) -> Option<RosterTag> {
        let mut inner = self.lock();
        let view = inner.views.get_mut(&device).filter(|v| v.fits(head))?;
        for (person, seq) in changes {
            if *seq > view.tag.status && view.shown.binary_search(person).is_ok() {
                view.tag.status = *seq;
            }
        }
        view.seen = view.seen.max(head.status_seq);
        Some(view.tag)
    }

    /// The document held under exactly `tag`.
    pub fn body(&self, device: DeviceId, tag: &RosterTag) -> Option<Bytes> {
        let inner = self.lock();
        let doc = inner.views.get(&device)?.doc.as_ref()?;
        (doc.tag == *tag).then(|| doc.body.clone())
    }

    /// The status sequence up to which `device`'s document at `head` has every
    /// change: the point to read changes from for [`RosterCache::patch`]. `None`
    /// when there is no such document.
    pub fn doc_seen(&self, device: DeviceId, head: &RosterHead) -> Option<i64> {
        let inner = self.lock();
        let view = inner.views.get(&device).filter(|v| v.fits(head))?;
        view.doc.as_ref().map(|d| d.seen)
    }

    /// Applies `changes` (one snapshot of every status change after `since`, a
    /// value [`RosterCache::doc_seen`] gave, read after `head`) to `device`'s
    /// document; the new document and its tag, or `None` when the view or
    /// document went away or changed versions meanwhile. A person's state is
    /// replaced only by one of a later `changed_seq`, so patches racing each other
    /// never bring an older state back.
    pub fn patch(
        &self,
        device: DeviceId,
        head: &RosterHead,
        since: i64,
        changes: &[(PersonId, i64, PunchState)],
        now: DateTime<Utc>,
    ) -> Result<Option<(RosterTag, Bytes)>, serde_json::Error> {
        let mut inner = self.lock();
        inner.clock += 1;
        let used = inner.clock;
        let Some(mut view) = inner.take(device) else {
            return Ok(None);
        };
        let usable = view.fits(head) && view.doc.as_ref().is_some_and(|d| since <= d.seen);
        let result = match view.doc.as_mut().filter(|_| usable) {
            None => None,
            Some(doc) => {
                let before = doc.tag;
                let mut touched = false;
                for (person, seq, state) in changes {
                    let Some(&i) = doc.index.get(person) else {
                        continue;
                    };
                    if *seq <= doc.seqs[i] {
                        continue;
                    }
                    doc.seqs[i] = *seq;
                    doc.tag.status = doc.tag.status.max(*seq);
                    if doc.people[i].state != *state {
                        doc.people[i].state = *state;
                        doc.fragments[i] = serde_json::to_vec(&doc.people[i])?;
                        touched = true;
                    }
                }
                doc.seen = doc.seen.max(head.status_seq);
                if touched || doc.tag != before {
                    doc.assemble(now)?;
                }
                view.tag.status = view.tag.status.max(doc.tag.status);
                view.seen = view.seen.max(head.status_seq);
                Some((doc.tag, doc.body.clone()))
            }
        };
        view.used = used;
        inner.insert(device, view, self.budget);
        Ok(result)
    }

    /// Remembers a build of `device`'s roster; its serialised document.
    pub fn put(
        &self,
        device: DeviceId,
        snapshot: &RosterSnapshot,
    ) -> Result<Bytes, serde_json::Error> {
        let doc = Doc::new(snapshot)?;
        let body = doc.body.clone();
        let mut inner = self.lock();
        inner.clock += 1;
        let view = View {
            tag: snapshot.tag,
            shown: snapshot.shown.clone(),
            seen: snapshot.head.status_seq,
            doc: Some(doc),
            used: inner.clock,
        };
        inner.take(device);
        inner.insert(device, view, self.budget);
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        Directory, Job, JobAccess, JobId, OrgSettings, Person, Preset, Role, RoleId, TeamId,
        TrackingMode,
    };
    use crate::wire::{RosterEntry, RosterItem, RosterResponse};
    use chrono::TimeZone;

    fn snapshot(shown: &[PersonId], head: RosterHead, status: i64) -> RosterSnapshot {
        let tag = RosterTag {
            org_version: head.org_version,
            roster_version: head.roster_version,
            status,
        };
        let role = Role::preset(Preset::User, RoleId::new());
        let people: Vec<Person> = shown
            .iter()
            .enumerate()
            .map(|(i, id)| Person {
                id: *id,
                name: format!("P\"{i}\" é"),
                badge: Some(format!("B{i}")),
                mode: TrackingMode::Personal,
                team: None,
                role: role.id,
                archived: false,
                jobs: JobAccess::All,
            })
            .collect();
        let job = Job {
            id: JobId::new(),
            name: "Weld".into(),
            archived: false,
        };
        let mut sorted = shown.to_vec();
        sorted.sort_unstable();
        RosterSnapshot {
            roster: RosterResponse {
                org_id: OrgId::new(),
                device_id: DeviceId::new(),
                version: tag.etag(),
                generated_at: Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap(),
                entries: shown
                    .iter()
                    .map(|p| RosterEntry {
                        group: Some("Floor".into()),
                        item: RosterItem::Person(*p),
                    })
                    .chain([RosterEntry {
                        group: None,
                        item: RosterItem::Team(TeamId::new()),
                    }])
                    .collect(),
                directory: Directory::new(people, [role], [], [job], OrgSettings::default()),
                people: shown
                    .iter()
                    .map(|id| RosterPerson {
                        id: *id,
                        state: PunchState::out(),
                        pin_verifier: Some("$argon2id$x".into()),
                    })
                    .collect(),
            },
            tag,
            head,
            shown: sorted,
            seqs: HashMap::new(),
        }
    }

    fn agrees_with_serde(roster: &RosterResponse, body: &[u8]) -> bool {
        serde_json::to_vec(roster).unwrap() == body
    }

    fn head(o: i64, r: i64, s: i64) -> RosterHead {
        RosterHead {
            org_version: o,
            roster_version: r,
            status_seq: s,
        }
    }

    #[test]
    fn tags_follow_changes_of_the_people_shown_only() {
        let cache = RosterCache::default();
        let dev = DeviceId::new();
        let (a, b, stranger) = (PersonId::new(), PersonId::new(), PersonId::new());
        let snap = snapshot(&[a, b], head(3, 1, 10), 7);
        let body = cache.put(dev, &snap).unwrap();
        assert_eq!(cache.known(dev, &head(3, 1, 10)), Known::Tag(snap.tag));
        assert_eq!(cache.body(dev, &snap.tag), Some(body));

        // A stranger's change leaves the tag as it was; a shown person's moves it.
        assert_eq!(cache.known(dev, &head(3, 1, 12)), Known::ChangesSince(10));
        let tag = cache
            .advance(dev, &head(3, 1, 12), &[(stranger, 11)])
            .unwrap();
        assert_eq!(tag, snap.tag);
        assert_eq!(cache.known(dev, &head(3, 1, 12)), Known::Tag(snap.tag));
        let tag = cache
            .advance(dev, &head(3, 1, 13), &[(stranger, 11), (b, 13)])
            .unwrap();
        assert_eq!(tag.status, 13);
        assert_eq!(
            cache.body(dev, &tag),
            None,
            "the document is of the old tag"
        );
        // Reports merged late or twice change nothing.
        let again = cache.advance(dev, &head(3, 1, 12), &[(a, 9)]).unwrap();
        assert_eq!(again, tag);

        // Another organisation or roster version: the view is of no use.
        assert_eq!(cache.known(dev, &head(4, 1, 13)), Known::Nothing);
        assert_eq!(cache.known(dev, &head(3, 2, 13)), Known::Nothing);
        assert_eq!(cache.advance(dev, &head(4, 1, 13), &[]), None);
    }

    #[test]
    fn documents_are_what_serde_makes_before_and_after_a_patch() {
        let cache = RosterCache::default();
        let dev = DeviceId::new();
        let (a, b) = (PersonId::new(), PersonId::new());
        let mut snap = snapshot(&[a, b], head(3, 1, 10), 7);
        let body = cache.put(dev, &snap).unwrap();
        assert!(agrees_with_serde(&snap.roster, &body));

        let since = cache.doc_seen(dev, &head(3, 1, 12)).unwrap();
        assert_eq!(since, 10);
        let t = Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap();
        let stranger = PersonId::new();
        let changes = [
            (b, 12, PunchState::clocked_in(t)),
            (stranger, 11, PunchState::clocked_in(t)),
        ];
        let later = t + chrono::Duration::minutes(1);
        let (tag, body) = cache
            .patch(dev, &head(3, 1, 12), since, &changes, later)
            .unwrap()
            .unwrap();
        assert_eq!(tag.status, 12);
        snap.roster.people[1].state = PunchState::clocked_in(t);
        snap.roster.version = tag.etag();
        snap.roster.generated_at = later;
        assert!(agrees_with_serde(&snap.roster, &body));
        assert_eq!(cache.known(dev, &head(3, 1, 12)), Known::Tag(tag));
        assert_eq!(cache.body(dev, &tag).as_ref(), Some(&body));

        // A patch read earlier, racing in late, brings nothing older back.
        let stale = [(b, 11, PunchState::out())];
        let (tag2, body2) = cache
            .patch(dev, &head(3, 1, 11), since, &stale, later)
            .unwrap()
            .unwrap();
        assert_eq!((tag2, &body2), (tag, &body));
        // A patch for another version is refused.
        assert_eq!(
            cache
                .patch(dev, &head(4, 1, 13), 12, &changes, later)
                .unwrap(),
            None
        );
    }

    #[test]
    fn the_budget_drops_the_least_recently_used() {
        let (d1, d2, d3) = (DeviceId::new(), DeviceId::new(), DeviceId::new());
        let h = head(1, 1, 0);
        let people: Vec<PersonId> = (0..20).map(|_| PersonId::new()).collect();
        let one = {
            let probe = RosterCache::new(usize::MAX);
            probe.put(d1, &snapshot(&people, h, 0)).unwrap();
            probe.lock().bytes
        };
        let cache = RosterCache::new(one * 2 - 1);
        for d in [d1, d2] {
            cache.put(d, &snapshot(&people, h, 0)).unwrap();
        }
        assert_eq!(cache.known(d1, &h), Known::Nothing, "two do not fit");
        assert!(matches!(cache.known(d2, &h), Known::Tag(_)));
        cache.put(d3, &snapshot(&people, h, 0)).unwrap();
        assert_eq!(cache.known(d2, &h), Known::Nothing);
        assert!(matches!(cache.known(d3, &h), Known::Tag(_)));
        // A document over the whole budget is not kept; the view is.
        let small = RosterCache::new(2_000);
        let snap = snapshot(&people, h, 0);
        small.put(d1, &snap).unwrap();
        assert!(matches!(small.known(d1, &h), Known::Tag(_)));
        assert_eq!(small.body(d1, &snap.tag), None);
    }
}
