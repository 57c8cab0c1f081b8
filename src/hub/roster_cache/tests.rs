//! The cache's own tests: tags, documents against serde, patches, deltas and
//! the budget.

use std::collections::HashSet;

use super::*;
use crate::domain::{
    Directory, Job, JobAccess, JobId, OrgSettings, Person, Preset, Role, RoleId, TeamId,
    TrackingMode,
};
use crate::wire::{OrgId, RosterEntry, RosterItem, RosterPerson, RosterResponse};
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
    let entries: Vec<RosterEntry> = shown
        .iter()
        .map(|p| RosterEntry {
            group: Some("Floor".into()),
            item: RosterItem::Person(*p),
        })
        .chain([RosterEntry {
            group: None,
            item: RosterItem::Team(TeamId::new()),
        }])
        .collect();
    RosterSnapshot {
        roster: RosterResponse {
            org_id: OrgId::new(),
            device_id: DeviceId::new(),
            version: tag.etag(),
            generated_at: Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap(),
            entries: entries.clone(),
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
        stored_entries: entries,
        stored_teams: Vec::new(),
        wanted: shown.to_vec(),
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
    let body = cache.put(dev, snap.clone()).unwrap();
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
    let body = cache.put(dev, snap.clone()).unwrap();
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
        probe.put(d1, snapshot(&people, h, 0)).unwrap();
        probe.lock().bytes
    };
    let cache = RosterCache::new(one * 2 - 1);
    for d in [d1, d2] {
        cache.put(d, snapshot(&people, h, 0)).unwrap();
    }
    assert_eq!(cache.known(d1, &h), Known::Nothing, "two do not fit");
    assert!(matches!(cache.known(d2, &h), Known::Tag(_)));
    cache.put(d3, snapshot(&people, h, 0)).unwrap();
    assert_eq!(cache.known(d2, &h), Known::Nothing);
    assert!(matches!(cache.known(d3, &h), Known::Tag(_)));
    // A document over the whole budget is not kept; the view is.
    let small = RosterCache::new(2_000);
    let snap = snapshot(&people, h, 0);
    small.put(d1, snap.clone()).unwrap();
    assert!(matches!(small.known(d1, &h), Known::Tag(_)));
    assert_eq!(small.body(d1, &snap.tag), None);
}

#[test]
fn a_delta_renames_drops_and_adds_people_as_a_build_would() {
    let cache = RosterCache::default();
    let dev = DeviceId::new();
    let (a, b, c) = (PersonId::new(), PersonId::new(), PersonId::new());
    let snap = snapshot(&[a, b], head(3, 1, 10), 7);
    cache.put(dev, snap.clone()).unwrap();
    let base = cache.base(dev).unwrap();
    assert_eq!(base.head, head(3, 1, 10));
    assert_eq!(*base.wanted, [a, b].into_iter().collect());

    // Pat (a) renamed, b archived, c added to the entries and clocked in.
    let dir = &snap.roster.directory;
    let role = dir.roles().next().unwrap().clone();
    let unused = Role::preset(Preset::Manager, RoleId::new());
    let job = dir.jobs().next().unwrap().clone();
    let mut pa = dir.person(a).unwrap().clone();
    pa.name = "Renamed".into();
    let pc = Person {
        id: c,
        name: "New".into(),
        badge: None,
        ..pa.clone()
    };
    let team_entry = snap.stored_entries.last().unwrap().clone();
    let entries: Vec<RosterEntry> = [a, b, c]
        .iter()
        .map(|p| RosterEntry {
            group: None,
            item: RosterItem::Person(*p),
        })
        .chain([team_entry])
        .collect();
    let t = Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap();
    let settings = OrgSettings {
        utc_offset_secs: 3600,
        ..OrgSettings::default()
    };
    let delta = |entries: Vec<RosterEntry>, wanted: Vec<PersonId>| RosterDelta {
        head: head(4, 2, 12),
        settings: settings.clone(),
        entries: Some(entries),
        teams: Some(vec![]),
        wanted: Some(wanted),
        roles: vec![unused.clone(), role.clone()],
        jobs: vec![job.clone()],
        reloaded: [a, b, c].into_iter().collect(),
        people: vec![
            (pa.clone(), Some("v".into()), PunchState::out(), 0),
            (pc.clone(), None, PunchState::out(), 11),
        ],
        changes: vec![
            (c, 12, PunchState::clocked_in(t)),
            (b, 12, PunchState::out()),
        ],
    };
    let later = t + chrono::Duration::minutes(1);
    let (tag, body) = cache
        .apply(dev, &base, delta(entries.clone(), vec![a, b, c]), later)
        .unwrap()
        .unwrap();
    assert_eq!(
        tag,
        RosterTag {
            org_version: 4,
            roster_version: 2,
            status: 12
        }
    );
    let expected = RosterResponse {
        org_id: snap.roster.org_id,
        device_id: snap.roster.device_id,
        version: tag.etag(),
        generated_at: later,
        entries: entries
            .iter()
            .filter(|e| e.item != RosterItem::Person(b))
            .cloned()
            .collect(),
        directory: Directory::new(
            [pa.clone(), pc.clone()],
            [role.clone()],
            [],
            [job.clone()],
            settings.clone(),
        ),
        people: vec![
            RosterPerson {
                id: a,
                state: PunchState::out(),
                pin_verifier: Some("v".into()),
            },
            RosterPerson {
                id: c,
                state: PunchState::clocked_in(t),
                pin_verifier: None,
            },
        ],
    };
    assert!(agrees_with_serde(&expected, &body));
    assert_eq!(cache.known(dev, &head(4, 2, 12)), Known::Tag(tag));
    assert_eq!(cache.body(dev, &tag), Some(body.clone()));
    let next = cache.base(dev).unwrap();
    assert_eq!(
        *next.wanted,
        [a, b, c].into_iter().collect(),
        "b known archived"
    );

    // A delta read against a base no longer current is refused.
    assert_eq!(
        cache
            .apply(dev, &base, delta(entries.clone(), vec![a, b, c]), later)
            .unwrap(),
        None
    );
    // So is one that does not account for someone shown; the document stays.
    let stranger = PersonId::new();
    let mut more = entries;
    more.push(RosterEntry {
        group: None,
        item: RosterItem::Person(stranger),
    });
    let mut partial = delta(more, vec![a, b, c, stranger]);
    partial.head = head(5, 3, 12);
    assert_eq!(cache.apply(dev, &next, partial, later).unwrap(), None);
    assert_eq!(cache.body(dev, &tag), Some(body));
}

#[test]
fn deltas_and_patches_over_many_blocks_are_what_serde_makes() {
    let cache = RosterCache::default();
    let dev = DeviceId::new();
    // Roster order unlike the directory's (by id: ids grow with time).
    let mut people: Vec<PersonId> = (0..300).map(|_| PersonId::new()).collect();
    people.reverse();
    let snap = snapshot(&people, head(3, 1, 10), 0);
    cache.put(dev, snap.clone()).unwrap();
    let mut expected = snap.roster.clone();
    let dir = &snap.roster.directory;
    let role = dir.roles().next().unwrap().clone();
    let job = dir.jobs().next().unwrap().clone();
    let t = Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap();
    let change =
        |head: RosterHead, people_: Vec<(Person, Option<String>, PunchState, i64)>| RosterDelta {
            head,
            settings: OrgSettings::default(),
            entries: None,
            teams: None,
            wanted: None,
            roles: vec![role.clone()],
            jobs: vec![job.clone()],
            reloaded: HashSet::new(),
            people: people_,
            changes: vec![],
        };

    // A rename (one person reloaded) and a punch of someone in another block.
    let mut renamed = dir.person(people[200]).unwrap().clone();
    renamed.name = "Renamed".into();
    let mut delta = change(
        head(4, 1, 12),
        vec![(
            renamed.clone(),
            Some("$argon2id$x".into()),
            PunchState::out(),
            0,
        )],
    );
    delta.reloaded = [people[200]].into_iter().collect();
    delta.changes = vec![(people[5], 12, PunchState::clocked_in(t))];
    let base = cache.base(dev).unwrap();
    let (tag, body) = cache.apply(dev, &base, delta, t).unwrap().unwrap();
    expected.directory.upsert_person(renamed);
    expected.people[5].state = PunchState::clocked_in(t);
    expected.version = tag.etag();
    expected.generated_at = t;
    assert!(agrees_with_serde(&expected, &body));

    // A punch patched in.
    let h = head(4, 1, 13);
    let since = cache.doc_seen(dev, &h).unwrap();
    let changes = [(people[290], 13, PunchState::clocked_in(t))];
    let (tag, body) = cache.patch(dev, &h, since, &changes, t).unwrap().unwrap();
    expected.people[290].state = PunchState::clocked_in(t);
    expected.version = tag.etag();
    assert!(agrees_with_serde(&expected, &body));

    // An archive: everything after the person moves up a place.
    let mut delta = change(head(5, 1, 13), vec![]);
    delta.reloaded = [people[7]].into_iter().collect();
    let base = cache.base(dev).unwrap();
    let (tag, body) = cache.apply(dev, &base, delta, t).unwrap().unwrap();
    let kept: Vec<Person> = expected
        .directory
        .people()
        .filter(|p| p.id != people[7])
        .cloned()
        .collect();
    expected.directory = Directory::new(
        kept,
        [role.clone()],
        [],
        [job.clone()],
        OrgSettings::default(),
    );
    expected.people.retain(|p| p.id != people[7]);
    expected
        .entries
        .retain(|e| e.item != RosterItem::Person(people[7]));
    expected.version = tag.etag();
    assert!(agrees_with_serde(&expected, &body));
    // And a punch after it lands in the right place.
    let h = head(5, 1, 14);
    let since = cache.doc_seen(dev, &h).unwrap();
    let changes = [(people[299], 14, PunchState::clocked_in(t))];
    let (tag, body) = cache.patch(dev, &h, since, &changes, t).unwrap().unwrap();
    let last = expected.people.len() - 1;
    expected.people[last].state = PunchState::clocked_in(t);
    expected.version = tag.etag();
    assert!(agrees_with_serde(&expected, &body));
}
