//! The hub's memory of each device's roster: the people it shows (to tell its tag
//! without building it) and its serialised document, kept in pieces (see
//! [`doc`]) so that a status change re-serialises only the people who changed,
//! and an admin change only what it touched.
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
//!   greatest sequence among what it applied; a delta ([`RosterCache::apply`])
//!   applies only to the document it was read against (same versions, no status
//!   change past its snapshot) and tags it with the delta's versions; the bytes
//!   are those serde gives for the same [`crate::wire::RosterResponse`] (tested);
//! - the cache holds at most [`BUDGET_BYTES`] (documents and people lists),
//!   dropping the least recently used devices first; a device it forgot is
//!   rebuilt, never answered wrongly.

mod doc;
#[cfg(test)]
mod tests;
mod warm;

pub use warm::warm;

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use super::store::{RosterBase, RosterDelta, RosterHead, RosterSnapshot, RosterTag};
use crate::domain::{DeviceId, PersonId, PunchState};
use doc::Doc;

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
            Some(doc) => match doc.patch(changes, head.status_seq, now) {
                Ok(()) => {
                    view.tag.status = view.tag.status.max(doc.tag.status);
                    view.seen = view.seen.max(head.status_seq);
                    Some((doc.tag, doc.body.clone()))
                }
                Err(e) => {
                    // Half patched: not to be sent again.
                    view.doc = None;
                    view.used = used;
                    inner.insert(device, view, self.budget);
                    return Err(e);
                }
            },
        };
        view.used = used;
        inner.insert(device, view, self.budget);
        Ok(result)
    }

    /// What `device`'s document was built from, to read a
    /// [`crate::hub::store::Store::roster_delta`] against; `None` without one.
    pub fn base(&self, device: DeviceId) -> Option<RosterBase> {
        let inner = self.lock();
        Some(inner.views.get(&device)?.doc.as_ref()?.base())
    }

    /// Applies `delta` (read against `base`) to `device`'s document; the new
    /// document and its tag, or `None` when the document went away or moved past
    /// `base` meanwhile, or the delta does not account for everyone shown (build
    /// the roster whole then).
    pub fn apply(
        &self,
        device: DeviceId,
        base: &RosterBase,
        delta: RosterDelta,
        now: DateTime<Utc>,
    ) -> Result<Option<(RosterTag, Bytes)>, serde_json::Error> {
        let mut inner = self.lock();
        inner.clock += 1;
        let used = inner.clock;
        let Some(mut view) = inner.take(device) else {
            return Ok(None);
        };
        let head = delta.head;
        let result = match view.doc.as_mut().filter(|d| d.takes(&base.head, &head)) {
            None => Ok(None),
            Some(doc) => match doc.apply(delta, now) {
                Ok(true) => Ok(Some((doc.tag, doc.body.clone()))),
                Ok(false) => Ok(None),
                Err(e) => Err(e),
            },
        };
        match &result {
            Ok(Some((tag, _))) => {
                view.tag = *tag;
                view.seen = head.status_seq;
                view.shown = view
                    .doc
                    .as_ref()
                    .map(|d| d.sorted.clone())
                    .unwrap_or_default();
            }
            Ok(None) => {}
            // Half applied: not to be sent again; the view goes with it.
            Err(_) => return result,
        }
        view.used = used;
        inner.insert(device, view, self.budget);
        result
    }

    /// Remembers a build made at start, unless a request already put one (which
    /// may be newer).
    fn warm(&self, device: DeviceId, snapshot: RosterSnapshot) -> Result<(), serde_json::Error> {
        if !self.holds(device) {
            self.put(device, snapshot)?;
        }
        Ok(())
    }

    /// Whether a view of `device` is held.
    fn holds(&self, device: DeviceId) -> bool {
        self.lock().views.contains_key(&device)
    }

    /// Remembers a build of `device`'s roster; its serialised document. The
    /// document takes the build's people over instead of copying them.
    pub fn put(
        &self,
        device: DeviceId,
        mut snapshot: RosterSnapshot,
    ) -> Result<Bytes, serde_json::Error> {
        let (tag, seen) = (snapshot.tag, snapshot.head.status_seq);
        let shown = std::mem::take(&mut snapshot.shown);
        let doc = Doc::new(snapshot)?;
        let body = doc.body.clone();
        let mut inner = self.lock();
        inner.clock += 1;
        let view = View {
            tag,
            shown,
            seen,
            doc: Some(doc),
            used: inner.clock,
        };
        let replaced = inner.take(device);
        inner.insert(device, view, self.budget);
        drop(inner);
        discard(replaced);
        Ok(body)
    }
}

/// Frees `value` on a blocking thread when there is a runtime, here otherwise: a
/// replaced document or a snapshot already serialised is tens of thousands of
/// allocations for a large roster, and the answer need not wait for them.
pub fn discard<T: Send + 'static>(value: T) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn_blocking(move || drop(value));
        }
        Err(_) => drop(value),
    }
}
