//! The screen's [`Roster`] in a compact binary form, kept in the journal beside
//! the hub's JSON it was built from: starting the kiosk reads this instead of
//! parsing megabytes of JSON and folding every name again (tens of
//! milliseconds and twice the memory for 10,000 people).
//!
//! The people, the search index and the PIN verifiers (the bulk) are plain
//! length-prefixed fields; the small, richer parts (roles, teams, jobs,
//! settings, the states other than "out") are JSON inside it. A snapshot that
//! does not decode, or decodes to something inconsistent, is an error: the
//! caller rebuilds from the JSON. Never trusted to index without a check.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Roster, Verifiers};
use crate::domain::{
    Directory, Job, JobAccess, JobId, OrgSettings, Person, PersonId, PunchState, Role, RoleId,
    Team, TeamId, TrackingMode,
};

/// The first bytes of a snapshot: the format, bumped whenever it changes (an
/// older snapshot then simply fails to decode and is rebuilt).
const MAGIC: &[u8; 8] = b"tapinRS2";

#[derive(Debug, thiserror::Error)]
#[error("the roster snapshot does not decode: {0}")]
pub struct SnapshotError(String);

fn bad(what: impl Into<String>) -> SnapshotError {
    SnapshotError(what.into())
}

/// Encodes `roster` (as built from the hub's roster, before any local event).
pub fn encode(roster: &Roster) -> Result<Vec<u8>, SnapshotError> {
    let mut w = Writer(Vec::with_capacity(
        roster.folded.len() * 4 + roster.verifiers.rest.len() + 64 * roster.everyone.len(),
    ));
    w.0.extend_from_slice(MAGIC);
    w.str(&roster.version)?;
    w.i64(roster.generated_at.timestamp());
    w.u32(roster.generated_at.timestamp_subsec_nanos());
    w.len(roster.groups.len())?;
    for g in &roster.groups {
        w.str(g)?;
    }
    w.ids(roster.everyone.iter().map(|p| p.0))?;
    w.len(roster.members.len())?;
    for m in &roster.members {
        w.ids(m.iter().map(|p| p.0))?;
    }
    w.str(&roster.folded)?;
    w.u32s(&roster.starts)?;
    let states: Vec<(PersonId, PunchState)> = roster.states.iter().map(|(k, v)| (*k, *v)).collect();
    w.json(&states)?;
    let v = &roster.verifiers;
    w.ids(v.people.iter().map(|p| p.0))?;
    w.len(v.prefix.len())?;
    for p in &v.prefix {
        w.0.extend_from_slice(&p.to_le_bytes());
    }
    w.u32s(&v.ends)?;
    w.len(v.prefixes.len())?;
    for p in &v.prefixes {
        w.str(p)?;
    }
    w.bytes(&v.rest)?;
    let dir = &roster.dir;
    w.len(dir.people().count())?;
    for p in dir.people() {
        w.person(p)?;
    }
    w.json(&dir.roles().collect::<Vec<_>>())?;
    w.json(&dir.teams().collect::<Vec<_>>())?;
    w.json(&dir.jobs().collect::<Vec<_>>())?;
    w.json(dir.settings())?;
    Ok(w.0)
}

/// Decodes a snapshot made by [`encode`] and checks that it is consistent.
#[cfg(test)]
pub fn decode(bytes: &[u8]) -> Result<Roster, SnapshotError> {
    decode_from(&mut &bytes[..], bytes.len())
}

/// [`decode`] from a reader of `len` bytes: the snapshot is never in memory
/// whole, only what it decodes to.
pub fn decode_from(src: &mut dyn Read, len: usize) -> Result<Roster, SnapshotError> {
    let mut r = Reader { src, left: len };
    if r.take(MAGIC.len())? != MAGIC {
        return Err(bad("not a snapshot of this format"));
    }
    let version = r.string()?;
    let secs = r.i64()?;
    let nanos = r.u32()?;
    let generated_at =
        DateTime::<Utc>::from_timestamp(secs, nanos).ok_or_else(|| bad("generated_at"))?;
    let groups = (0..r.len()?)
        .map(|_| r.string())
        .collect::<Result<Vec<_>, _>>()?;
    let everyone = r.ids(PersonId)?;
    let members = (0..r.len()?)
        .map(|_| r.ids(PersonId))
        .collect::<Result<Vec<_>, _>>()?;
    let folded = r.string()?;
    let starts = r.u32s()?;
    let states: Vec<(PersonId, PunchState)> = r.json()?;
    let people = r.ids(PersonId)?;
    let prefix = (0..r.len()?)
        .map(|_| r.take(2).map(|b| u16::from_le_bytes([b[0], b[1]])))
        .collect::<Result<Vec<_>, _>>()?;
    let ends = r.u32s()?;
    let prefixes = (0..r.len()?)
        .map(|_| r.string().map(String::into_boxed_str))
        .collect::<Result<Vec<_>, _>>()?;
    let rest = r.bytes()?;
    let count = r.len()?;
    let mut dir_people = Vec::with_capacity(count);
    for _ in 0..count {
        dir_people.push(r.person()?);
    }
    let roles: Vec<Role> = r.json()?;
    let teams: Vec<Team> = r.json()?;
    let jobs: Vec<Job> = r.json()?;
    let settings: OrgSettings = r.json()?;
    if r.left != 0 || r.src.read(&mut [0])? != 0 {
        return Err(bad("bytes after the end"));
    }
    let roster = Roster {
        version,
        generated_at,
        dir: Directory::new(dir_people, roles, teams, jobs, settings),
        groups,
        everyone,
        members,
        states: states.into_iter().collect::<HashMap<_, _>>(),
        verifiers: Verifiers {
            people,
            prefix,
            ends,
            prefixes,
            rest,
        },
        folded,
        starts,
    };
    check(&roster)?;
    Ok(roster)
}

/// What the roster's lookups rely on without checking (indexes into `starts`,
/// `ends`, the groups' lists).
fn check(r: &Roster) -> Result<(), SnapshotError> {
    if r.members.len() != r.groups.len() {
        return Err(bad("groups and their members differ in number"));
    }
    if r.starts.len() != r.everyone.len() + 1
        || r.starts.first() != Some(&0)
        || r.starts.last().map(|&s| s as usize) != Some(r.folded.len())
        || r.starts.windows(2).any(|w| w[0] >= w[1])
        || r.starts
            .iter()
            .any(|&s| !r.folded.is_char_boundary(s as usize))
    {
        return Err(bad("the search index does not match the names"));
    }
    if !r.verifiers.consistent() {
        return Err(bad("the PIN verifiers are inconsistent"));
    }
    Ok(())
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn i64(&mut self, n: i64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn len(&mut self, n: usize) -> Result<(), SnapshotError> {
        self.u32(u32::try_from(n).map_err(|_| bad("more than 4 GiB"))?);
        Ok(())
    }

    fn str(&mut self, s: &str) -> Result<(), SnapshotError> {
        self.bytes(s.as_bytes())
    }

    fn bytes(&mut self, b: &[u8]) -> Result<(), SnapshotError> {
        self.len(b.len())?;
        self.0.extend_from_slice(b);
        Ok(())
    }

    fn opt_str(&mut self, s: Option<&str>) -> Result<(), SnapshotError> {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(s)?;
            }
        }
        Ok(())
    }

    fn id(&mut self, id: Uuid) {
        self.0.extend_from_slice(id.as_bytes());
    }

    fn ids(&mut self, ids: impl ExactSizeIterator<Item = Uuid>) -> Result<(), SnapshotError> {
        self.len(ids.len())?;
        for id in ids {
            self.id(id);
        }
        Ok(())
    }

    fn u32s(&mut self, ns: &[u32]) -> Result<(), SnapshotError> {
        self.len(ns.len())?;
        for n in ns {
            self.u32(*n);
        }
        Ok(())
    }

    fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SnapshotError> {
        let json = serde_json::to_vec(value).map_err(|e| bad(e.to_string()))?;
        self.len(json.len())?;
        self.0.extend_from_slice(&json);
        Ok(())
    }

    fn person(&mut self, p: &Person) -> Result<(), SnapshotError> {
        self.id(p.id.0);
        self.str(&p.name)?;
        self.opt_str(p.badge.as_deref())?;
        self.0.push(match p.mode {
            TrackingMode::Personal => 0,
            TrackingMode::Individual => 1,
            TrackingMode::TeamLead => 2,
            TrackingMode::TeamMember => 3,
        });
        match p.team {
            None => self.0.push(0),
            Some(t) => {
                self.0.push(1);
                self.id(t.0);
            }
        }
        self.id(p.role.0);
        self.0.push(u8::from(p.archived));
        match &p.jobs {
            JobAccess::All => self.0.push(0),
            JobAccess::Only(jobs) => {
                self.0.push(1);
                self.ids(jobs.iter().map(|j| j.0))?;
            }
        }
        Ok(())
    }
}

struct Reader<'a> {
    src: &'a mut dyn Read,
    /// The bytes not read yet.
    left: usize,
}

impl From<std::io::Error> for SnapshotError {
    fn from(e: std::io::Error) -> Self {
        bad(format!("reading it: {e}"))
    }
}

impl Reader<'_> {
    /// The next `n` bytes; `n` is at most what is left, so a damaged count
    /// cannot ask for more memory than the snapshot's size.
    fn take(&mut self, n: usize) -> Result<Vec<u8>, SnapshotError> {
        if n > self.left {
            return Err(bad("cut short"));
        }
        let mut taken = vec![0; n];
        self.src
            .read_exact(&mut taken)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => bad("cut short"),
                _ => e.into(),
            })?;
        self.left -= n;
        Ok(taken)
    }

    /// The next `N` bytes, read in place (no allocation: this is most reads).
    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotError> {
        if N > self.left {
            return Err(bad("cut short"));
        }
        let mut a = [0; N];
        self.src.read_exact(&mut a).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => bad("cut short"),
            _ => e.into(),
        })?;
        self.left -= N;
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, SnapshotError> {
        self.array().map(u32::from_le_bytes)
    }

    fn i64(&mut self) -> Result<i64, SnapshotError> {
        self.array().map(i64::from_le_bytes)
    }

    /// A count, checked against the bytes left (each item takes at least one
    /// byte) so that a damaged count cannot ask for gigabytes.
    fn len(&mut self) -> Result<usize, SnapshotError> {
        let n = self.u32()? as usize;
        if n > self.left {
            return Err(bad("a count beyond the end"));
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, SnapshotError> {
        String::from_utf8(self.bytes()?).map_err(|_| bad("text that is not UTF-8"))
    }

    fn bytes(&mut self) -> Result<Vec<u8>, SnapshotError> {
        let n = self.len()?;
        self.take(n)
    }

    fn opt_string(&mut self) -> Result<Option<String>, SnapshotError> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.string().map(Some),
            _ => Err(bad("an option tag")),
        }
    }

    fn id(&mut self) -> Result<Uuid, SnapshotError> {
        self.array().map(Uuid::from_bytes)
    }

    fn ids<T>(&mut self, make: impl Fn(Uuid) -> T) -> Result<Vec<T>, SnapshotError> {
        let n = self.len()?;
        let raw = self.take(n.checked_mul(16).ok_or_else(|| bad("ids"))?)?;
        Ok(raw
            .chunks_exact(16)
            .map(|c| {
                let mut id = [0; 16];
                id.copy_from_slice(c);
                make(Uuid::from_bytes(id))
            })
            .collect())
    }

    fn u32s(&mut self) -> Result<Vec<u32>, SnapshotError> {
        let n = self.len()?;
        let raw = self.take(n.checked_mul(4).ok_or_else(|| bad("numbers"))?)?;
        Ok(raw
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    fn json<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, SnapshotError> {
        let n = self.len()?;
        serde_json::from_slice(&self.take(n)?).map_err(|e| bad(e.to_string()))
    }

    fn person(&mut self) -> Result<Person, SnapshotError> {
        let id = PersonId(self.id()?);
        let name = self.string()?;
        let badge = self.opt_string()?;
        let mode = match self.u8()? {
            0 => TrackingMode::Personal,
            1 => TrackingMode::Individual,
            2 => TrackingMode::TeamLead,
            3 => TrackingMode::TeamMember,
            _ => return Err(bad("a tracking mode")),
        };
        let team = match self.u8()? {
            0 => None,
            1 => Some(TeamId(self.id()?)),
            _ => return Err(bad("a team tag")),
        };
        let role = RoleId(self.id()?);
        let archived = match self.u8()? {
            0 => false,
            1 => true,
            _ => return Err(bad("a flag")),
        };
        let jobs = match self.u8()? {
            0 => JobAccess::All,
            1 => JobAccess::Only(self.ids(JobId)?.into_iter().collect::<BTreeSet<_>>()),
            _ => return Err(bad("a job access tag")),
        };
        Ok(Person {
            id,
            name,
            badge,
            mode,
            team,
            role,
            archived,
            jobs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Preset;
    use crate::wire::{OrgId, RosterEntry, RosterItem, RosterPerson, RosterResponse};
    use chrono::TimeZone;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn person(n: u128, name: &str, mode: TrackingMode) -> Person {
        Person {
            id: PersonId(id(n)),
            name: name.into(),
            badge: Some(format!("b{n}")),
            mode,
            team: None,
            role: RoleId(id(30)),
            archived: false,
            jobs: JobAccess::All,
        }
    }

    /// Every kind of field: groups, a team, modes, job access, an archived
    /// person, states, verifiers with shared and odd prefixes, wide names.
    fn sample() -> Roster {
        let at = |h| Utc.with_ymd_and_hms(2026, 3, 10, h, 0, 0).unwrap();
        let mut lead = person(3, "Lou Lead", TrackingMode::TeamLead);
        lead.team = Some(TeamId(id(40)));
        lead.badge = None;
        let mut only = person(4, "Ólafur Þórsson", TrackingMode::Individual);
        only.jobs = JobAccess::Only([JobId(id(20))].into_iter().collect());
        let mut gone = person(5, "Gone", TrackingMode::Personal);
        gone.archived = true;
        let people = vec![
            person(1, "José Núñez", TrackingMode::Personal),
            person(2, "李小龍 Wong", TrackingMode::TeamMember),
            lead,
            only,
            gone,
        ];
        let dir = Directory::new(
            people,
            [Role::preset(Preset::User, RoleId(id(30)))],
            [Team {
                id: TeamId(id(40)),
                name: "Crew".into(),
                lead: PersonId(id(3)),
                members: vec![PersonId(id(2))],
            }],
            [Job {
                id: JobId(id(20)),
                name: "Assembly".into(),
                archived: false,
            }],
            OrgSettings {
                date_lock: None,
                utc_offset_secs: 3600,
            },
        );
        let verifier = |salt: &str| format!("$argon2id$v=19$m=19456,t=2,p=1${salt}$aGFzaA");
        let state = |n, state, pin_verifier| RosterPerson {
            id: PersonId(id(n)),
            state,
            pin_verifier,
        };
        let entry = |group: Option<&str>, item| RosterEntry {
            group: group.map(Into::into),
            item,
        };
        Roster::from_response(RosterResponse {
            org_id: OrgId(id(50)),
            device_id: crate::domain::DeviceId(id(99)),
            version: "v1".into(),
            generated_at: at(9) + chrono::Duration::nanoseconds(123_456_789),
            entries: vec![
                entry(Some("Office"), RosterItem::Person(PersonId(id(1)))),
                entry(Some("Office"), RosterItem::Person(PersonId(id(4)))),
                entry(Some("Floor"), RosterItem::Team(TeamId(id(40)))),
                entry(None, RosterItem::Person(PersonId(id(5)))),
            ],
            directory: dir,
            people: vec![
                state(1, PunchState::clocked_in(at(8)), Some(verifier("c2FsdA"))),
                state(2, PunchState::out(), Some("odd".into())),
                state(3, PunchState::out().with_job(JobId(id(20)), at(7)), None),
                state(4, PunchState::out(), Some(verifier("b3RoZXI"))),
                state(5, PunchState::out(), Some(TAPIN_VERIFIER.into())),
            ],
        })
    }

    /// A verifier as the hub makes them: kept as raw bytes.
    const TAPIN_VERIFIER: &str = "tapin-pin-v1$argon2id$m=7168,t=5,p=1$\
        000102030405060708090a0b0c0d0e0f$\
        101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f";

    #[test]
    fn a_roster_comes_back_exactly() {
        let roster = sample();
        assert!(!roster.states.is_empty() && !roster.groups.is_empty());
        let back = decode(&encode(&roster).unwrap()).unwrap();
        assert_eq!(back, roster);
        assert_eq!(back.search("nunez"), roster.search("nunez"));
        assert_eq!(back.verifier(PersonId(id(2))).as_deref(), Some("odd"));
        assert_eq!(
            back.verifier(PersonId(id(5))).as_deref(),
            Some(TAPIN_VERIFIER)
        );
    }

    #[test]
    fn a_damaged_snapshot_is_an_error_never_a_panic() {
        let bytes = encode(&sample()).unwrap();
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
        for at in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] ^= flip;
                // Either an error or a roster whose lookups hold.
                if let Ok(r) = decode(&damaged) {
                    let _ = r.search("o").len();
                    let _ = r.matches("\n").count();
                    for p in r.everyone.clone() {
                        let _ = (r.verifier(p), r.name(p), r.state(p));
                    }
                    for tab in 0..=r.groups.len() {
                        let _ = r.tab_people(tab);
                    }
                }
            }
        }
    }
}
