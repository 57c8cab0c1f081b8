//! A kiosk changing its own roster from its Admin screen
//! (`POST /api/v1/device/roster/changes`, `GET /api/v1/device/roster/candidates`):
//! the device token alone is not enough, the acting person's right and rank are
//! checked on the hub, a device of another organisation is refused, the change
//! reaches the device's roster, and the sync worker's queue sends it (refused
//! changes kept with the hub's reason).
//! Runs on SQLite, and on PostgreSQL when TAPIN_TEST_POSTGRES_URL is set.

mod admin_support;
mod hub_support;

use std::time::Duration;

use admin_support::{person, preset_role, roles, site};
use chrono::Utc;
use hub_support::{enrolled_device, fetch_roster, get_roster};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tapin::domain::{PersonId, Preset};
use tapin::journal::{Journal, JournalOptions};
use tapin::sync::client::{HubClient, Timeouts};
use tapin::wire::device_roster::RosterChange;
use tapin::wire::{RosterEntry, RosterItem};

fn entry(group: Option<&str>, p: PersonId) -> RosterEntry {
    RosterEntry {
        group: group.map(str::to_owned),
        item: RosterItem::Person(p),
    }
}

fn change(acting: PersonId, entries: &[RosterEntry]) -> Value {
    serde_json::to_value(RosterChange {
        id: uuid::Uuid::now_v7(),
        acting,
        entries: entries.to_vec(),
    })
    .unwrap()
}

async fn post_change(
    hub: &hub_support::Hub,
    token: Option<&str>,
    body: &Value,
) -> (StatusCode, Value) {
    let mut req = hub
        .http
        .post(hub.url("/api/v1/device/roster/changes"))
        .json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn candidates(hub: &hub_support::Hub, token: &str, query: &str) -> (StatusCode, Value) {
    let resp = hub
        .http
        .get(hub.url(&format!("/api/v1/device/roster/candidates{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn names(v: &Value) -> Vec<String> {
    v["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_acting_persons_right_and_rank_decide(url: String) {
    let s = site(&url).await;
    let store = &s.hub.store;
    let r = roles(store, s.org).await;
    let manager = preset_role(&r, Preset::Manager);
    let user = preset_role(&r, Preset::User);
    let supervisor = preset_role(&r, Preset::Supervisor);
    let top = preset_role(&r, Preset::TopManager);
    let mia = person(store, s.org, "Mia Manager", manager.id).await;
    let ana = person(store, s.org, "Ana User", user.id).await;
    let bob = person(store, s.org, "Bob User", user.id).await;
    let sue = person(store, s.org, "Sue Supervisor", supervisor.id).await;
    let tom = person(store, s.org, "Tom Top", top.id).await;
    let dev = enrolled_device(&s.hub, s.org, "Front desk").await;
    store
        .set_roster(s.org, dev.device_id, &[entry(None, ana)])
        .await
        .unwrap();
    let before = get_roster(&s.hub, &dev.device_token, None).await;
    let etag = before.headers()["etag"].to_str().unwrap().to_owned();
    let token = Some(dev.device_token.as_str());

    // A manager adds Bob to "Shop" and puts Ana in "Office".
    let wanted = vec![entry(Some("Shop"), bob), entry(Some("Office"), ana)];
    let body = change(mia, &wanted);
    let (status, answer) = post_change(&s.hub, token, &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["entries"], 2);
    let resp = get_roster(&s.hub, &dev.device_token, Some(&etag)).await;
    assert_eq!(resp.status(), StatusCode::OK, "the roster changed");
    let roster = fetch_roster(&s.hub, &dev.device_token).await;
    assert_eq!(roster.entries, wanted);
    // The same change again: the same roster.
    let (status, _) = post_change(&s.hub, token, &body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        fetch_roster(&s.hub, &dev.device_token).await.entries,
        wanted
    );

    // Refusals leave the roster as it is.
    let refusals = [
        // No manage_advanced_settings.
        (sue, vec![entry(None, ana)], StatusCode::FORBIDDEN, "role"),
        // Tom ranks above the manager.
        (
            mia,
            vec![entry(None, ana), entry(None, bob), entry(None, tom)],
            StatusCode::FORBIDDEN,
            "rank",
        ),
        // Nobody of this organisation.
        (
            PersonId::new(),
            vec![entry(None, ana)],
            StatusCode::FORBIDDEN,
            "organisation",
        ),
        // A person of no organisation here.
        (
            mia,
            vec![entry(None, PersonId::new())],
            StatusCode::BAD_REQUEST,
            "organisation",
        ),
    ];
    for (acting, entries, expected, says) in refusals {
        let (status, answer) = post_change(&s.hub, token, &change(acting, &entries)).await;
        assert_eq!(status, expected, "{answer}");
        let msg = answer["error"].as_str().unwrap_or_default();
        assert!(msg.contains(says), "{msg}");
        assert_eq!(
            fetch_roster(&s.hub, &dev.device_token).await.entries,
            wanted
        );
    }
    // The device token alone is not enough: no acting person is a bad request,
    // and no token at all is 401.
    let (status, _) = post_change(
        &s.hub,
        token,
        &json!({"id": uuid::Uuid::now_v7(), "entries": []}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post_change(&s.hub, None, &body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Candidates: for those who may change the roster only.
    let (status, found) = candidates(&s.hub, &dev.device_token, &format!("?acting={mia}")).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let people = names(&found);
    for n in ["Ana User", "Bob User", "Tom Top"] {
        assert!(people.contains(&n.to_owned()), "{people:?}");
    }
    let (status, _) = candidates(&s.hub, &dev.device_token, &format!("?acting={sue}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = candidates(&s.hub, &dev.device_token, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A device of another organisation cannot act for this one's people.
    let other = store.init_org("Other org").await.unwrap();
    let stranger = enrolled_device(&s.hub, other.id, "Elsewhere").await;
    let (status, answer) = post_change(
        &s.hub,
        Some(&stranger.device_token),
        &change(mia, &[entry(None, ana)]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let (status, _) = candidates(&s.hub, &stranger.device_token, &format!("?acting={mia}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        fetch_roster(&s.hub, &dev.device_token).await.entries,
        wanted
    );
}

async fn queued_changes_are_sent_and_refusals_kept(url: String) {
    let s = site(&url).await;
    let store = &s.hub.store;
    let r = roles(store, s.org).await;
    let manager = preset_role(&r, Preset::Manager);
    let supervisor = preset_role(&r, Preset::Supervisor);
    let user = preset_role(&r, Preset::User);
    let mia = person(store, s.org, "Mia Manager", manager.id).await;
    let sue = person(store, s.org, "Sue Supervisor", supervisor.id).await;
    let ana = person(store, s.org, "Ana User", user.id).await;
    let dev = enrolled_device(&s.hub, s.org, "Front desk").await;
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path(), JournalOptions::default()).unwrap();
    let journal = std::sync::Arc::new(std::sync::Mutex::new(journal));
    let refused = change(sue, &[entry(None, ana)]);
    let applied = change(mia, &[entry(Some("Office"), ana)]);
    for (acting, body) in [(sue, &refused), (mia, &applied)] {
        let id: uuid::Uuid = serde_json::from_value(body["id"].clone()).unwrap();
        journal
            .lock()
            .unwrap()
            .queue_admin_change(id, "roster", acting, &body.to_string(), Utc::now())
            .unwrap();
    }
    let client = HubClient::new(
        &reqwest::Url::parse(&s.hub.base).unwrap(),
        &dev.device_token,
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(10),
        },
    )
    .unwrap();
    let sent = tapin::sync::admin_changes::send_queued(&journal, &client).await;
    assert_eq!(sent, 1);
    let left = journal.lock().unwrap().admin_changes().unwrap();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].acting, sue);
    let reason = left[0].refused.clone().unwrap_or_default();
    assert!(reason.contains("role"), "{reason}");
    assert_eq!(
        fetch_roster(&s.hub, &dev.device_token).await.entries,
        vec![entry(Some("Office"), ana)]
    );
    // Nothing pending: nothing sent again.
    assert_eq!(
        tapin::sync::admin_changes::send_queued(&journal, &client).await,
        0
    );

    // The hub unreachable: the change waits.
    journal
        .lock()
        .unwrap()
        .queue_admin_change(
            uuid::Uuid::now_v7(),
            "roster",
            mia,
            &change(mia, &[]).to_string(),
            Utc::now(),
        )
        .unwrap();
    let nowhere = HubClient::new(
        &reqwest::Url::parse("http://127.0.0.1:9").unwrap(),
        &dev.device_token,
        Timeouts {
            connect: Duration::from_secs(2),
            request: Duration::from_secs(2),
        },
    )
    .unwrap();
    assert_eq!(
        tapin::sync::admin_changes::send_queued(&journal, &nowhere).await,
        0
    );
    let next = journal.lock().unwrap().next_admin_change().unwrap();
    assert!(next.is_some_and(|c| c.acting == mia && c.refused.is_none()));
}

/// The running sync worker sends a change queued while it runs (after a
/// nudge), and fetches the changed roster at once (the roster refresh is ten
/// minutes away).
async fn the_sync_worker_sends_queued_changes_and_refetches_the_roster(url: String) {
    let s = site(&url).await;
    let store = &s.hub.store;
    let r = roles(store, s.org).await;
    let mia = person(
        store,
        s.org,
        "Mia Manager",
        preset_role(&r, Preset::Manager).id,
    )
    .await;
    let ana = person(store, s.org, "Ana User", preset_role(&r, Preset::User).id).await;
    let dev = enrolled_device(&s.hub, s.org, "Front desk").await;
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path(), JournalOptions::default()).unwrap();
    let journal = std::sync::Arc::new(std::sync::Mutex::new(journal));
    let client = HubClient::new(
        &reqwest::Url::parse(&s.hub.base).unwrap(),
        &dev.device_token,
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(10),
        },
    )
    .unwrap();
    let worker = tapin::sync::worker::SyncHandle::spawn(
        journal.clone(),
        client,
        tapin::sync::worker::WorkerSettings {
            batch_size: 100,
            backoff_base: Duration::from_millis(5),
            backoff_cap: Duration::from_millis(200),
            roster_refresh: Duration::from_secs(600),
            skew_threshold: Duration::from_secs(60),
        },
    );
    // The first roster (empty) arrives.
    let cached_entries = |journal: &tapin::sync::worker::SharedJournal| {
        let j = journal.lock().unwrap();
        j.cached_roster().unwrap().map(|c| {
            serde_json::from_slice::<tapin::wire::RosterResponse>(&c.body)
                .unwrap()
                .entries
        })
    };
    assert!(
        hub_support::eventually(Duration::from_secs(20), || {
            let got = cached_entries(&journal);
            async move { got.is_some() }
        })
        .await
    );
    let wanted = vec![entry(Some("Office"), ana)];
    let body = change(mia, &wanted);
    let id: uuid::Uuid = serde_json::from_value(body["id"].clone()).unwrap();
    journal
        .lock()
        .unwrap()
        .queue_admin_change(id, "roster", mia, &body.to_string(), Utc::now())
        .unwrap();
    worker.nudge();
    let arrived = hub_support::eventually(Duration::from_secs(20), || {
        let got = cached_entries(&journal);
        let wanted = wanted.clone();
        async move { got == Some(wanted) }
    })
    .await;
    assert!(arrived, "the kiosk's cached roster shows the change");
    assert!(journal.lock().unwrap().admin_changes().unwrap().is_empty());
    assert_eq!(
        fetch_roster(&s.hub, &dev.device_token).await.entries,
        wanted
    );
    worker.stop().await;
}

on_both!(
    the_acting_persons_right_and_rank_decide,
    queued_changes_are_sent_and_refusals_kept,
    the_sync_worker_sends_queued_changes_and_refetches_the_roster
);
