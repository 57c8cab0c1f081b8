//! The badge-reader decoder: a scan is a burst of characters, each within
//! `max_gap` of the one before, ended by Enter. Anything slower is typing.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use unicode_width::UnicodeWidthChar;

use super::{BadgeSettings, Decoded, KeyInput};
use crate::sanitize::is_unsafe;

/// No badge is longer; bounds the memory a stuck key or a huge paste can take
/// even when kiosk.toml sets an absurd `max_len`.
const HARD_MAX_BURST: usize = 1024;

/// Longest gap honoured: slower than this is typing whatever kiosk.toml says,
/// and deadlines stay representable.
const HARD_MAX_GAP: Duration = Duration::from_secs(1);

/// Tells badge scans from typing. Keys are held back for at most `max_gap`
/// while they could still be the start of a scan; call [`BadgeDecoder::flush`]
/// once [`BadgeDecoder::deadline`] has passed without a new key.
///
/// Rules, for a burst (keys each less than `max_gap` after the previous one):
/// - ended by Enter, at least `min_len` characters (or starting with the
///   configured prefix): a scan. Valid → [`Decoded::Badge`], else
///   [`Decoded::BadScan`] (missing prefix or suffix, number shorter than
///   `min_len` or longer than `max_len`, a control or zero-width character);
/// - ended by Enter but shorter and without the prefix: typing, released as keys;
/// - ended by a gap (no Enter): typing, unless it was already garbage (too long,
///   control characters) or starts with the configured prefix, which is a scan
///   that lost its Enter → `BadScan`;
/// - a non-character key (arrow, Backspace...) inside a burst of `min_len` or more
///   characters poisons it (a reader sending Tab must not leak into the search
///   field); inside a shorter burst it is fast typing and everything is released.
///
/// A poisoned burst swallows keys until a gap or Enter and then reports one
/// `BadScan`: a stuck key or a 1 MB paste costs O(1) per key and at most
/// `prefix + max_len + suffix` (capped at 1024) stored characters.
#[derive(Debug)]
pub struct BadgeDecoder {
    settings: BadgeSettings,
    /// Most characters a burst stores before it is garbage.
    cap: usize,
    burst: Burst,
    /// Results not yet returned, when one key ended an overdue burst and also
    /// produced output of its own. Never more than a couple of entries.
    ready: VecDeque<Decoded>,
    ready_at: Option<Instant>,
}

#[derive(Debug, Default)]
struct Burst {
    chars: Vec<char>,
    /// Time of the burst's latest key; `None` when no burst is open.
    last: Option<Instant>,
    poisoned: bool,
}

impl BadgeDecoder {
    pub fn new(mut settings: BadgeSettings) -> Self {
        settings.max_gap = settings.max_gap.min(HARD_MAX_GAP);
        let cap = settings
            .prefix
            .chars()
            .count()
            .saturating_add(settings.max_len)
            .saturating_add(settings.suffix.chars().count())
            .min(HARD_MAX_BURST);
        Self {
            settings,
            cap,
            burst: Burst::default(),
            ready: VecDeque::new(),
            ready_at: None,
        }
    }

    /// The settings in force (`max_gap` capped at one second).
    pub fn settings(&self) -> &BadgeSettings {
        &self.settings
    }

    /// How many characters are stored right now (bounded by the burst cap;
    /// for tests and diagnostics).
    pub fn held(&self) -> usize {
        self.burst.chars.len()
    }

    /// Feeds one key pressed at `at`.
    pub fn key(&mut self, key: KeyInput, at: Instant) -> Decoded {
        let mut out = std::mem::take(&mut self.ready);
        if self.burst_due(at) {
            push(&mut out, self.end_by_gap());
        }
        push(&mut out, self.feed(key, at));
        let first = out.pop_front().unwrap_or(Decoded::Pending);
        self.ready_at = if out.is_empty() { None } else { Some(at) };
        self.ready = out;
        first
    }

    /// Releases held keys once `now` is past the gap: they were typed, not
    /// scanned. Returns [`Decoded::Pending`] when there is nothing to release yet.
    pub fn flush(&mut self, now: Instant) -> Decoded {
        if let Some(first) = self.ready.pop_front() {
            if self.ready.is_empty() {
                self.ready_at = None;
            }
            return first;
        }
        if self.burst_due(now) {
            self.end_by_gap()
        } else {
            Decoded::Pending
        }
    }

    /// When [`BadgeDecoder::flush`] should next be called, if anything is held.
    pub fn deadline(&self) -> Option<Instant> {
        if let Some(at) = self.ready_at {
            return Some(at);
        }
        let last = self.burst.last?;
        // Cannot overflow in practice (max_gap ≤ 1 s); if it did, the burst
        // would simply stay open until the next key.
        last.checked_add(self.settings.max_gap)
    }

    /// True when a burst is open and `at` is at least `max_gap` after its last key.
    fn burst_due(&self, at: Instant) -> bool {
        self.burst
            .last
            .is_some_and(|last| at.saturating_duration_since(last) >= self.settings.max_gap)
    }

    /// One key, with any overdue burst already ended.
    fn feed(&mut self, key: KeyInput, at: Instant) -> Decoded {
        let open = self.burst.last.is_some();
        match key {
            KeyInput::Char(c) => {
                self.burst.last = Some(at);
                let fits = self.burst.chars.len() < self.cap;
                if !self.burst.poisoned && (!scannable(c) || !fits) {
                    self.poison();
                } else if !self.burst.poisoned {
                    self.burst.chars.push(c);
                }
                Decoded::Pending
            }
            KeyInput::Enter if open => self.end_with_enter(),
            _ if !open => Decoded::Keys(vec![key]),
            _ if self.burst.poisoned || self.burst.chars.len() >= self.settings.min_len => {
                self.burst.last = Some(at);
                self.poison();
                Decoded::Pending
            }
            _ => {
                let mut keys = self.take_keys();
                keys.push(key);
                Decoded::Keys(keys)
            }
        }
    }

    fn poison(&mut self) {
        self.burst.poisoned = true;
        self.burst.chars.clear();
    }

    /// The burst's characters as keys; closes the burst.
    fn take_keys(&mut self) -> Vec<KeyInput> {
        let burst = std::mem::take(&mut self.burst);
        burst.chars.into_iter().map(KeyInput::Char).collect()
    }

    /// True when a prefix is configured and the burst starts with it.
    fn has_prefix(&self) -> bool {
        let prefix = &self.settings.prefix;
        !prefix.is_empty()
            && self.burst.chars.len() >= prefix.chars().count()
            && self
                .burst
                .chars
                .iter()
                .zip(prefix.chars())
                .all(|(a, b)| *a == b)
    }

    /// The burst ended by silence.
    fn end_by_gap(&mut self) -> Decoded {
        let scan_without_enter = self.has_prefix()
            && self.burst.chars.len()
                >= self.settings.prefix.chars().count() + self.settings.min_len;
        if self.burst.poisoned || scan_without_enter {
            self.burst = Burst::default();
            return Decoded::BadScan;
        }
        let keys = self.take_keys();
        if keys.is_empty() {
            Decoded::Pending
        } else {
            Decoded::Keys(keys)
        }
    }

    /// The burst ended by Enter.
    fn end_with_enter(&mut self) -> Decoded {
        if self.burst.poisoned {
            self.burst = Burst::default();
            return Decoded::BadScan;
        }
        if self.burst.chars.len() < self.settings.min_len && !self.has_prefix() {
            let mut keys = self.take_keys();
            keys.push(KeyInput::Enter);
            return Decoded::Keys(keys);
        }
        let text: String = std::mem::take(&mut self.burst).chars.into_iter().collect();
        let number = text
            .strip_prefix(self.settings.prefix.as_str())
            .and_then(|rest| rest.strip_suffix(self.settings.suffix.as_str()));
        match number {
            Some(n)
                if (self.settings.min_len..=self.settings.max_len).contains(&n.chars().count()) =>
            {
                Decoded::Badge(n.to_owned())
            }
            _ => Decoded::BadScan,
        }
    }
}

/// Characters a reader may send: visible ones. Control, bidi and zero-width
/// characters mean line noise or a forged burst.
fn scannable(c: char) -> bool {
    !is_unsafe(c) && c.width().is_some_and(|w| w > 0)
}

/// Appends `next` to `out`, merging runs of keys so they stay in one `Keys`.
fn push(out: &mut VecDeque<Decoded>, next: Decoded) {
    match (out.back_mut(), next) {
        (_, Decoded::Pending) => {}
        (Some(Decoded::Keys(keys)), Decoded::Keys(more)) => keys.extend(more),
        (_, next) => out.push_back(next),
    }
}
