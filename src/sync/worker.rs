//! The sync worker: one tokio task that drains the journal's outbox to the hub,
//! oldest first, and keeps the roster cache and the clock estimate fresh.
//!
//! Exactly once: an event leaves the outbox only when the hub's answer names it as
//! stored (accepted or duplicate), and the hub stores an event id once. Whatever
//! fails in between — the request, the answer, this process — the event is simply
//! sent again and the hub answers "duplicate".
//!
//! The journal is shared with the screen behind a mutex; the worker holds it only
//! for one journal call at a time, on a blocking thread, never across a request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::client::{CallError, HubClient, RosterFetch};
use super::clock::ClockTracker;
use super::retry::Backoff;
use super::status::{Link, RosterState, SyncStatus};
use crate::config::SyncSettings;
use crate::domain::{Event, EventId};
use crate::journal::{CachedRoster, Journal, JournalError, OutboxCounts, OutboxPos};
use crate::sanitize::for_terminal;
use crate::wire::{EventResult, EventStatus};

/// The journal as the screen and the worker share it.
pub type SharedJournal = Arc<Mutex<Journal>>;

/// How the worker paces itself.
#[derive(Clone, Debug)]
pub struct WorkerSettings {
    pub batch_size: usize,
    /// The first retry's ceiling; doubles per failure up to `backoff_cap`.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    pub roster_refresh: Duration,
    pub skew_threshold: Duration,
}

impl From<&SyncSettings> for WorkerSettings {
    fn from(s: &SyncSettings) -> Self {
        Self {
            batch_size: s.batch_size,
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(s.backoff_cap_secs),
            roster_refresh: Duration::from_secs(s.roster_refresh_secs),
            skew_threshold: Duration::from_secs(s.clock_skew_warn_secs),
        }
    }
}

/// The running worker.
pub struct SyncHandle {
    wake: Arc<Notify>,
    status: watch::Receiver<SyncStatus>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl SyncHandle {
    /// Starts the worker on the current tokio runtime.
    pub fn spawn(journal: SharedJournal, client: HubClient, settings: WorkerSettings) -> Self {
        let (pending, parked, roster) = match journal.lock() {
            Ok(j) => (
                j.pending_count(),
                j.parked_count().unwrap_or(0),
                roster_state(&j),
            ),
            Err(_) => (0, 0, RosterState::Missing),
        };
        let (status_tx, status) = watch::channel(SyncStatus::starting(pending, parked, roster));
        let (stop, stop_rx) = watch::channel(false);
        let wake = Arc::new(Notify::new());
        let worker = Worker {
            journal,
            client,
            backoff: Backoff::new(settings.backoff_base, settings.backoff_cap),
            batch_limit: settings.batch_size,
            settings,
            status: status_tx,
            wake: wake.clone(),
            stop: stop_rx,
            clock: ClockTracker::default(),
            roster_due: Instant::now(),
            rng: StdRng::from_entropy(),
        };
        let task = tokio::spawn(worker.run());
        Self {
            wake,
            status,
            stop,
            task,
        }
    }

    /// Tells the worker a punch was recorded: it sends at once if it was idle.
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// The latest status; `changed()` on it waits for news.
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Stops the worker after its current step (a request in flight is dropped:
    /// its events stay pending and are sent again next time).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await
            && e.is_panic()
        {
            tracing::error!("sync worker panicked: {e}");
        }
    }
}

/// A batch of pending events and the outbox position of its last one.
type Page = (Vec<Event>, OutboxPos);

/// Waits for a journal task.
async fn join<T>(task: JoinHandle<Result<T, StepError>>) -> Result<T, StepError> {
    task.await
        .map_err(|e| StepError::Journal(format!("journal task failed: {e}")))?
}

/// Ids the hub stored, and ids it refused with its reasons.
type Sorted = (Vec<EventId>, Vec<(EventId, String)>);

/// Sorts the hub's results for `batch` into stored ids and refused ids with
/// reasons. Results for ids that were not sent, and second results for one id,
/// are ignored: a hub (or a proxy) cannot make the device forget an event it did
/// not send. An answer with no result for any event sent is an error.
fn sort_results(batch: &[Event], results: Vec<EventResult>) -> Result<Sorted, CallError> {
    let mut sent: HashMap<EventId, bool> = batch.iter().map(|e| (e.id, false)).collect();
    let (mut stored, mut refused, mut strangers) = (Vec::new(), Vec::new(), 0usize);
    for result in results {
        match sent.get_mut(&result.id) {
            Some(seen) if !*seen => {
                *seen = true;
                match result.status {
                    EventStatus::Accepted | EventStatus::Duplicate => stored.push(result.id),
                    EventStatus::Rejected => {
                        let reason = result.reason.unwrap_or_else(|| "no reason given".into());
                        refused.push((result.id, for_terminal(&reason)));
                    }
                }
            }
            _ => strangers += 1,
        }
    }
    if strangers > 0 {
        tracing::warn!(strangers, "hub answered for events not sent (ignored)");
    }
    if stored.is_empty() && refused.is_empty() {
        return Err(CallError::Unavailable {
            why: "hub answered without a result for any event sent".into(),
            retry_after: None,
        });
    }
    Ok((stored, refused))
}

fn roster_state(journal: &Journal) -> RosterState {
    match journal.cached_roster_meta() {
        Ok(Some((version, fetched_at))) => RosterState::Cached {
            version,
            fetched_at,
        },
        _ => RosterState::Missing,
    }
}

/// Why a step failed.
#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error(transparent)]
    Hub(#[from] CallError),
    #[error("journal: {0}")]
    Journal(String),
}

/// What one push step did.
enum Pushed {
    /// Nothing was pending.
    Idle,
    /// Events left the outbox (acknowledged or parked).
    Progress,
}

struct Worker {
    journal: SharedJournal,
    client: HubClient,
    settings: WorkerSettings,
    backoff: Backoff,
    /// Events per request now: halved while the hub refuses a whole batch, to find
    /// the one event it refuses.
    batch_limit: usize,
    status: watch::Sender<SyncStatus>,
    wake: Arc<Notify>,
    stop: watch::Receiver<bool>,
    clock: ClockTracker,
    roster_due: Instant,
    rng: StdRng,
}

impl Worker {
    async fn run(mut self) {
        tracing::info!(hub = %self.client.hub_url(), "sync worker started");
        while !*self.stop.borrow() {
            self.refresh_pending();
            let step = self.step().await;
            let keep_going = match step {
                Ok(Pushed::Progress) => true,
                Ok(Pushed::Idle) => {
                    let until_roster = self.roster_due.saturating_duration_since(Instant::now());
                    self.pause(until_roster, true).await
                }
                Err(error) => {
                    let delay = self.failed(&error);
                    self.pause(delay, false).await
                }
            };
            if !keep_going {
                break;
            }
        }
        tracing::info!("sync worker stopped");
    }

    /// Shows punches recorded since the last answer in the pending count, so an
    /// offline kiosk says how many wait. Skipped when the screen holds the journal
    /// (the count is kept in memory; the next round catches up).
    fn refresh_pending(&self) {
        if let Ok(journal) = self.journal.try_lock() {
            let pending = journal.pending_count();
            self.status.send_if_modified(|s| {
                let changed = s.pending != pending;
                s.pending = pending;
                changed
            });
        }
    }

    /// One batch, then roster and clock when due. Events go first: a roster
    /// the hub cannot serve must not hold punches back.
    async fn step(&mut self) -> Result<Pushed, StepError> {
        let pushed = self.push().await?;
        if Instant::now() >= self.roster_due {
            self.pull_roster_and_clock().await?;
            self.roster_due = Instant::now() + self.settings.roster_refresh;
        }
        // Roster changes made at this kiosk; once applied, its roster is stale.
        if super::admin_changes::send_queued(&self.journal, &self.client).await > 0 {
            self.roster_due = Instant::now();
        }
        self.succeeded();
        Ok(pushed)
    }

    /// Waits `delay`, or less when told to stop (false) or, if `wake_on_nudge`, a
    /// punch was recorded. While backing off, a punch only updates the pending
    /// count: the wait the hub asked for still holds.
    async fn pause(&mut self, delay: Duration, wake_on_nudge: bool) -> bool {
        let until = Instant::now() + delay;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => return true,
                _ = self.wake.notified() => {
                    if wake_on_nudge {
                        return true;
                    }
                    self.refresh_pending();
                }
                changed = self.stop.changed() => {
                    return changed.is_ok() && !*self.stop.borrow();
                }
            }
        }
    }

    /// Runs one journal call on a blocking thread, holding the lock only for it.
    fn spawn_journal<T: Send + 'static>(
        &self,
        call: impl FnOnce(&mut Journal) -> Result<T, JournalError> + Send + 'static,
    ) -> JoinHandle<Result<T, StepError>> {
        let journal = self.journal.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = journal
                .lock()
                .map_err(|_| StepError::Journal("the journal lock is poisoned".into()))?;
            call(&mut guard).map_err(|e| StepError::Journal(e.to_string()))
        })
    }

    async fn journal<T: Send + 'static>(
        &self,
        call: impl FnOnce(&mut Journal) -> Result<T, JournalError> + Send + 'static,
    ) -> Result<T, StepError> {
        join(self.spawn_journal(call)).await
    }

    /// Sends pending events batch after batch until none is left. Requests go one
    /// at a time (the hub sees a device's events in order), but each batch's
    /// acknowledgement is written while the next batch is on the wire.
    async fn push(&mut self) -> Result<Pushed, StepError> {
        let mut after = OutboxPos::START;
        let mut prefetched: Option<Page> = None;
        let mut writing: Option<JoinHandle<Result<OutboxCounts, StepError>>> = None;
        let mut pushed = Pushed::Idle;
        let outcome = loop {
            if *self.stop.borrow() {
                break Ok(pushed);
            }
            let page = match prefetched.take() {
                Some(page) => Ok(page),
                None => self.read_page(after, self.batch_limit).await,
            };
            let (batch, last) = match page {
                Ok(page) => page,
                Err(e) => break Err(e),
            };
            if batch.is_empty() {
                break Ok(pushed);
            }
            // The next page is read while this one is on the wire.
            let next = self.spawn_read_page(last, self.settings.batch_size);
            let answer = self.client.send_events(&batch).await;
            if let Some(counts) = self.finish(writing.take()).await? {
                self.show(counts);
            }
            match answer {
                Ok(answer) => {
                    self.batch_limit = self.settings.batch_size;
                    let (stored, refused) = match sort_results(&batch, answer.results) {
                        Ok(sorted) => sorted,
                        Err(e) => break Err(e.into()),
                    };
                    writing = Some(self.write_results(stored, refused));
                    after = last;
                    pushed = Pushed::Progress;
                    match join(next).await {
                        Ok(page) => prefetched = Some(page),
                        Err(e) => break Err(e),
                    }
                }
                Err(CallError::Refused { status, message }) if batch.len() > 1 => {
                    // Something in this batch is refused as a whole: halve until the
                    // one event is alone, then park it (nothing else waits behind it).
                    self.batch_limit = (batch.len() / 2).max(1);
                    tracing::warn!(status, %message, next = self.batch_limit, "hub refused a batch");
                    break Ok(Pushed::Progress);
                }
                Err(CallError::Refused { status, message }) => {
                    let reason = format!("hub refused it ({status}): {message}");
                    tracing::warn!(event = %batch[0].id.0, %reason, "parking an event");
                    self.batch_limit = self.settings.batch_size;
                    writing = Some(self.write_results(Vec::new(), vec![(batch[0].id, reason)]));
                    break Ok(Pushed::Progress);
                }
                Err(e) => break Err(e.into()),
            }
        };
        if let Some(counts) = self.finish(writing).await? {
            self.show(counts);
        }
        outcome
    }

    async fn read_page(&self, after: OutboxPos, limit: usize) -> Result<Page, StepError> {
        self.journal(move |j| j.pending_after(after, limit)).await
    }

    fn spawn_read_page(
        &self,
        after: OutboxPos,
        limit: usize,
    ) -> JoinHandle<Result<Page, StepError>> {
        self.spawn_journal(move |j| j.pending_after(after, limit))
    }

    /// Acknowledges and parks on a blocking thread, returning at once.
    fn write_results(
        &self,
        stored: Vec<EventId>,
        refused: Vec<(EventId, String)>,
    ) -> JoinHandle<Result<OutboxCounts, StepError>> {
        self.spawn_journal(move |j| j.settle(&stored, &refused, Utc::now()))
    }

    async fn finish(
        &self,
        writing: Option<JoinHandle<Result<OutboxCounts, StepError>>>,
    ) -> Result<Option<OutboxCounts>, StepError> {
        match writing {
            None => Ok(None),
            Some(task) => join(task).await.map(Some),
        }
    }

    fn show(&self, counts: OutboxCounts) {
        self.status.send_modify(|s| {
            s.pending = counts.pending;
            s.parked = counts.parked;
        });
    }

    async fn pull_roster_and_clock(&mut self) -> Result<(), StepError> {
        let sample = self.client.time().await?;
        let estimate = self.clock.add(sample);
        let skewed = estimate.is_skewed(self.settings.skew_threshold);
        if skewed {
            tracing::warn!(
                offset_ms = estimate.offset_ms(),
                "clock differs from the hub's"
            );
        }
        self.status.send_modify(|s| {
            s.clock = Some(estimate);
            s.clock_skewed = skewed;
        });
        let offset_ms = estimate.offset_ms();
        let (etag, device) = self
            .journal(move |j| {
                j.set_clock_offset_ms(Some(offset_ms));
                Ok((
                    j.cached_roster_meta()?.map(|(etag, _)| etag),
                    j.device_id()?,
                ))
            })
            .await?;
        let now = Utc::now();
        match self.client.roster(etag.as_deref()).await? {
            RosterFetch::NotModified => {
                self.journal(move |j| j.set_roster_checked(now)).await?;
            }
            RosterFetch::Fresh { etag, body, roster } => {
                if device.is_some_and(|d| d != roster.device_id) {
                    return Err(CallError::Unavailable {
                        why: "the hub sent another device's roster".into(),
                        retry_after: None,
                    }
                    .into());
                }
                let cached = CachedRoster {
                    etag: etag.clone(),
                    body,
                    fetched_at: now,
                };
                self.journal(move |j| j.store_roster(&cached)).await?;
                tracing::info!(version = %etag, people = roster.people.len(), "roster updated");
                self.status.send_modify(|s| {
                    s.roster = RosterState::Cached {
                        version: etag,
                        fetched_at: now,
                    }
                });
            }
        }
        Ok(())
    }

    fn succeeded(&mut self) {
        self.backoff.reset();
        self.status.send_if_modified(|s| {
            let changed = s.link != Link::Online;
            if changed {
                tracing::info!("hub reachable");
            }
            s.link = Link::Online;
            changed
        });
    }

    /// Notes a failure; returns how long to wait before the next attempt.
    fn failed(&mut self, error: &StepError) -> Duration {
        let retry_after = match error {
            StepError::Hub(CallError::Unavailable { retry_after, .. }) => *retry_after,
            _ => None,
        };
        let delay = self.backoff.next_delay(retry_after, &mut self.rng);
        let why = error.to_string();
        let revoked = matches!(error, StepError::Hub(CallError::Revoked));
        // After the link comes back, the roster may have changed meanwhile.
        self.roster_due = Instant::now();
        self.status.send_modify(|s| {
            s.link = match (&s.link, revoked) {
                (_, true) => Link::Revoked,
                (Link::Offline { since, .. }, false) => Link::Offline {
                    since: *since,
                    why: why.clone(),
                },
                (_, false) => Link::Offline {
                    since: Utc::now(),
                    why: why.clone(),
                },
            };
            if matches!(
                error,
                StepError::Hub(CallError::Unexpected { .. }) | StepError::Journal(_)
            ) {
                s.last_problem = Some(why.clone());
            }
        });
        tracing::warn!(error = %why, retry_in_ms = delay.as_millis() as u64, "sync step failed");
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Actor, DeviceId, EventKind, Method, PersonId};

    fn event() -> Event {
        let device = DeviceId::new();
        Event {
            id: EventId::new(),
            device,
            seq: 1,
            subject: PersonId::new(),
            actor: Actor::Kiosk(device),
            method: Method::Badge,
            kind: EventKind::ClockIn,
            at: Utc::now(),
            utc_offset_secs: 0,
            note: None,
            needs_review: false,
            clock_offset_ms: None,
        }
    }

    fn result(id: EventId, status: EventStatus, reason: Option<&str>) -> EventResult {
        EventResult {
            id,
            status,
            reason: reason.map(str::to_owned),
            anomaly: None,
        }
    }

    #[test]
    fn only_results_for_events_sent_count_and_only_once() {
        let batch = [event(), event(), event()];
        let [a, b, c] = [batch[0].id, batch[1].id, batch[2].id];
        let stranger = EventId::new();
        let results = vec![
            result(a, EventStatus::Accepted, None),
            result(stranger, EventStatus::Accepted, None),
            result(b, EventStatus::Rejected, Some("bad\u{1b}[31m")),
            // A second, contradicting result for `b` is ignored.
            result(b, EventStatus::Accepted, None),
            result(a, EventStatus::Duplicate, None),
        ];
        let (stored, refused) = sort_results(&batch, results).expect("sorted");
        assert_eq!(stored, [a]);
        assert_eq!(refused, [(b, "bad\u{FFFD}[31m".to_owned())]);
        assert!(!stored.contains(&c), "no result: stays pending");
    }

    #[test]
    fn an_answer_about_nothing_sent_is_an_error() {
        let batch = [event()];
        let cases = [
            vec![],
            vec![result(EventId::new(), EventStatus::Accepted, None)],
        ];
        for results in cases {
            let error = sort_results(&batch, results).expect_err("nothing to acknowledge");
            assert!(matches!(error, CallError::Unavailable { .. }), "{error}");
        }
    }
}
