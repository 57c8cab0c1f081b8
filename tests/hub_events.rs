//! Event ingest over HTTP: accepted, duplicate and rejected results; oversized and
//! malformed batches refused whole; revoked devices; organisations isolated;
//! anomalies stored and flagged. Runs on SQLite, and on PostgreSQL when
//! TAPIN_TEST_POSTGRES_URL is set.

mod hub_support;

use chrono::{Duration, Utc};
use hub_support::{
    Hub, device_time, enrolled_device, event, org_with_people, post_events, post_events_raw,
    shift_events, statuses,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tapin::domain::{DeviceId, EventKind};

async fn accepted_duplicate_and_rejected(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 5).await;
    let dev = enrolled_device(&hub, fx.org, "Entrance").await;
    let start = Utc::now() - Duration::hours(1);
    let batch = shift_events(dev.device_id, &fx.people, 10, start);

    let version_before = hub.store.org_version(fx.org).await.unwrap();
    let (status, body) = post_events(&hub, &dev.device_token, &batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(statuses(&body), vec!["accepted"; 10]);
    for (r, e) in body["results"].as_array().unwrap().iter().zip(&batch) {
        assert_eq!(r["id"], json!(e.id), "results are in request order");
        assert!(
            r.get("anomaly").is_none(),
            "a clean shift has no anomaly: {r}"
        );
    }
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 10);
    assert_eq!(
        hub.store.org_version(fx.org).await.unwrap(),
        version_before,
        "punches change people's statuses (and the tags of the rosters showing them), \
         not the organisation's version"
    );
    let stored = hub
        .store
        .stored_event(fx.org, batch[3].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.event, batch[3],
        "the stored body is the event as sent"
    );

    // The same batch again: all duplicates, nothing stored twice.
    let (status, body) = post_events(&hub, &dev.device_token, &batch).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(statuses(&body), vec!["duplicate"; 10]);
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 10);

    // Mixed: new, another device's, a resend, the new one twice in one batch.
    let fresh = event(
        dev.device_id,
        11,
        fx.people[0],
        EventKind::ClockIn,
        start + Duration::minutes(30),
    );
    let foreign = event(DeviceId::new(), 1, fx.people[1], EventKind::ClockIn, start);
    let mixed = vec![fresh.clone(), foreign, batch[0].clone(), fresh.clone()];
    let (status, body) = post_events(&hub, &dev.device_token, &mixed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        statuses(&body),
        vec!["accepted", "rejected", "duplicate", "duplicate"]
    );
    let reason = body["results"][1]["reason"].as_str().unwrap();
    assert!(reason.contains("not the device sending it"), "{reason}");
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 11);
    hub.stop().await;
}

async fn oversized_batch_is_refused_whole(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 10).await;
    let dev = enrolled_device(&hub, fx.org, "Shop floor").await;
    let start = Utc::now() - Duration::hours(2);

    let too_many = shift_events(dev.device_id, &fx.people, 1001, start);
    let (status, body) = post_events(&hub, &dev.device_token, &too_many).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("at most 1000") && error.contains("1001"),
        "{error}"
    );
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 0);

    // Exactly the limit is fine.
    let (status, body) = post_events(&hub, &dev.device_token, &too_many[..1000]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(statuses(&body), vec!["accepted"; 1000]);
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 1000);

    // Over the byte limit: 413 as JSON, nothing written.
    let huge = format!(
        "{{\"events\": [], \"pad\": \"{}\"}}",
        "x".repeat(3 * 1024 * 1024)
    );
    let resp = post_events_raw(&hub, &dev.device_token, huge).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("too large"),
        "{body}"
    );
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 1000);
    hub.stop().await;
}

async fn malformed_batches_get_json_errors_and_write_nothing(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 2).await;
    let dev = enrolled_device(&hub, fx.org, "Entrance").await;
    let good = shift_events(
        dev.device_id,
        &fx.people,
        1,
        Utc::now() - Duration::hours(1),
    )
    .remove(0);
    let good_json = serde_json::to_value(&good).unwrap();

    let with = |f: &dyn Fn(&mut Value)| {
        let mut bad = good_json.clone();
        f(&mut bad);
        // The good event first: it must not be written either.
        let mut second = good_json.clone();
        second["id"] = json!(uuid::Uuid::now_v7());
        json!({ "events": [second, bad] }).to_string()
    };
    let cases: Vec<(&str, String, &str)> = vec![
        ("not JSON", "{\"events\": [".to_owned(), "invalid JSON"),
        (
            "trailing data",
            "{\"events\": []} []".to_owned(),
            "trailing",
        ),
        (
            "unknown top-level field",
            json!({"events": [], "extra": 1}).to_string(),
            "unknown field",
        ),
        (
            "unknown event field",
            with(&|e| e["colour"] = json!("red")),
            "unknown field events[1].colour",
        ),
        (
            "wrong type",
            with(&|e| e["seq"] = json!("one")),
            "events[1].seq",
        ),
        (
            "negative seq",
            with(&|e| e["seq"] = json!(-1)),
            "events[1].seq",
        ),
        (
            "impossible date",
            with(&|e| e["at"] = json!("2025-02-30T08:00:00Z")),
            "events[1].at",
        ),
        (
            "unknown kind",
            with(&|e| e["kind"] = json!({"type": "teleport"})),
            "events[1].kind",
        ),
        (
            "missing field",
            with(&|e| {
                e.as_object_mut().unwrap().remove("subject");
            }),
            "subject",
        ),
        (
            "events not a list",
            json!({"events": {"a": 1}}).to_string(),
            "events",
        ),
    ];
    for (what, body, expect) in cases {
        let resp = post_events_raw(&hub, &dev.device_token, body).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{what}");
        let answer: Value = resp
            .json()
            .await
            .unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(expect), "{what}: {error}");
    }
    let resp = hub
        .http
        .post(hub.url("/api/v1/device/events"))
        .bearer_auth(&dev.device_token)
        .body(json!({"events": []}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let answer: Value = resp.json().await.unwrap();
    assert!(answer["error"].as_str().unwrap().contains("Content-Type"));
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 0);

    // Values that parse but cannot be real are rejected per event.
    let mut ancient = good.clone();
    ancient.at = "1999-12-31T23:59:59Z".parse().unwrap();
    let mut escape = good.clone();
    escape.id = tapin::domain::EventId::new();
    escape.note = Some("\u{1b}]0;pwned\u{7}".into());
    let (status, body) = post_events(&hub, &dev.device_token, &[ancient, escape]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(statuses(&body), vec!["rejected", "rejected"]);
    assert!(
        body["results"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("before 2000")
    );
    assert!(
        body["results"][1]["reason"]
            .as_str()
            .unwrap()
            .contains("control")
    );
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 0);
    hub.stop().await;
}

async fn revoked_device_gets_401_and_its_events_stay(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 2).await;
    let dev = enrolled_device(&hub, fx.org, "Old kiosk").await;
    let batch = shift_events(
        dev.device_id,
        &fx.people,
        4,
        Utc::now() - Duration::hours(1),
    );
    let (status, _) = post_events(&hub, &dev.device_token, &batch[..2]).await;
    assert_eq!(status, StatusCode::OK);

    hub.store
        .revoke_device(fx.org, dev.device_id)
        .await
        .unwrap();
    let resp = post_events_raw(
        &hub,
        &dev.device_token,
        json!({"events": &batch[2..]}).to_string(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    for path in ["/api/v1/device/time", "/api/v1/device/roster"] {
        let resp = hub
            .http
            .get(hub.url(path))
            .bearer_auth(&dev.device_token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 2);

    // Unknown and missing tokens.
    let resp = device_time(&hub, &"0".repeat(64)).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("unknown device token")
    );
    let resp = hub
        .http
        .get(hub.url("/api/v1/device/time"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    hub.stop().await;
}

async fn organisations_are_isolated(url: String) {
    let hub = Hub::start(&url).await;
    let a = org_with_people(&hub.store, 2).await;
    let b = org_with_people(&hub.store, 2).await;
    let dev_a = enrolled_device(&hub, a.org, "A").await;
    let dev_b = enrolled_device(&hub, b.org, "B").await;
    let at = Utc::now() - Duration::hours(1);

    let mine = event(dev_a.device_id, 1, a.people[0], EventKind::ClockIn, at);
    let their_person = event(dev_a.device_id, 2, b.people[0], EventKind::ClockIn, at);
    let their_job = event(
        dev_a.device_id,
        3,
        a.people[1],
        EventKind::CheckIn { job: b.job },
        at,
    );
    let mut their_actor = event(dev_a.device_id, 4, a.people[1], EventKind::ClockIn, at);
    their_actor.actor = tapin::domain::Actor::Person(b.people[1]);
    let their_device = event(dev_b.device_id, 5, a.people[1], EventKind::ClockIn, at);
    let (status, body) = post_events(
        &hub,
        &dev_a.device_token,
        &[
            mine.clone(),
            their_person,
            their_job,
            their_actor,
            their_device,
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        statuses(&body),
        vec!["accepted", "rejected", "rejected", "rejected", "rejected"]
    );
    let reasons: Vec<&str> = body["results"].as_array().unwrap()[1..]
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons[0].contains("not a person of this organisation"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].contains("not a job of this organisation"),
        "{reasons:?}"
    );
    assert!(reasons[2].contains("actor"), "{reasons:?}");
    assert!(reasons[3].contains("not the device"), "{reasons:?}");
    assert_eq!(hub.store.count_events(a.org).await.unwrap(), 1);
    assert_eq!(hub.store.count_events(b.org).await.unwrap(), 0);

    // B replaying A's event id under its own device and subject: refused, A's untouched.
    let mut replay = event(dev_b.device_id, 1, b.people[0], EventKind::ClockIn, at);
    replay.id = mine.id;
    let (status, body) = post_events(&hub, &dev_b.device_token, &[replay]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(statuses(&body), vec!["rejected"]);
    assert!(
        body["results"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("another device")
    );
    assert_eq!(hub.store.count_events(b.org).await.unwrap(), 0);
    assert!(
        hub.store
            .stored_event(b.org, mine.id)
            .await
            .unwrap()
            .is_none()
    );
    let kept = hub
        .store
        .stored_event(a.org, mine.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.event, mine);
    hub.stop().await;
}

async fn rule_breaking_events_are_stored_and_flagged(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 2).await;
    let dev = enrolled_device(&hub, fx.org, "Gate").await;
    let t0 = Utc::now() - Duration::hours(8);
    let p = fx.people[0];

    // An offline device sends a clock-out with no clock-in: stored, flagged.
    let lonely_out = event(dev.device_id, 1, p, EventKind::ClockOut, t0);
    let (_, body) = post_events(&hub, &dev.device_token, std::slice::from_ref(&lonely_out)).await;
    assert_eq!(statuses(&body), vec!["accepted"]);
    assert_eq!(body["results"][0]["anomaly"], "clock_out_without_clock_in");
    let stored = hub
        .store
        .stored_event(fx.org, lonely_out.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.anomaly.as_deref(),
        Some("clock_out_without_clock_in")
    );

    // A clean shift over two batches: in, then (later) job and out.
    let inn = event(
        dev.device_id,
        2,
        p,
        EventKind::ClockIn,
        t0 + Duration::hours(1),
    );
    let (_, body) = post_events(&hub, &dev.device_token, &[inn]).await;
    assert!(body["results"][0].get("anomaly").is_none(), "{body}");
    let later = vec![
        event(
            dev.device_id,
            3,
            p,
            EventKind::CheckIn { job: fx.job },
            t0 + Duration::hours(2),
        ),
        event(
            dev.device_id,
            4,
            p,
            EventKind::CheckOut { job: fx.job },
            t0 + Duration::hours(3),
        ),
        event(
            dev.device_id,
            5,
            p,
            EventKind::ClockOut,
            t0 + Duration::hours(3),
        ),
        event(
            dev.device_id,
            6,
            p,
            EventKind::ClockOut,
            t0 + Duration::hours(4),
        ),
    ];
    let (_, body) = post_events(&hub, &dev.device_token, &later).await;
    let anomalies: Vec<Option<&str>> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.get("anomaly").and_then(Value::as_str))
        .collect();
    assert_eq!(
        anomalies,
        vec![None, None, None, Some("clock_out_without_clock_in")]
    );

    // A supervisor's correction of the first, old clock-out: known, so not flagged;
    // a correction naming an event the hub never saw is flagged, and kept.
    let mut fix = event(
        dev.device_id,
        8,
        p,
        EventKind::ClockIn,
        t0 + Duration::hours(5),
    );
    fix.kind = EventKind::Correction {
        corrects: lonely_out.id,
        new_time: t0 + Duration::minutes(30),
        reason: "left early, forgot to punch".into(),
    };
    let mut stray = fix.clone();
    stray.id = tapin::domain::EventId::new();
    stray.seq = 9;
    stray.kind = EventKind::Correction {
        corrects: tapin::domain::EventId::new(),
        new_time: t0,
        reason: "typo".into(),
    };
    let (_, body) = post_events(&hub, &dev.device_token, &[fix, stray]).await;
    assert_eq!(statuses(&body), vec!["accepted", "accepted"]);
    assert!(body["results"][0].get("anomaly").is_none(), "{body}");
    assert_eq!(body["results"][1]["anomaly"], "correction_of_unknown_event");

    // A device clock far ahead is flagged too; the event is kept.
    let ahead = event(
        dev.device_id,
        10,
        fx.people[1],
        EventKind::ClockIn,
        Utc::now() + Duration::hours(2),
    );
    let (_, body) = post_events(&hub, &dev.device_token, std::slice::from_ref(&ahead)).await;
    assert_eq!(statuses(&body), vec!["accepted"]);
    assert_eq!(body["results"][0]["anomaly"], "device_clock_ahead");
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 9);
    hub.stop().await;
}

async fn concurrent_batches_and_racing_resends_are_stored_once(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 20).await;
    let mut devices = Vec::new();
    for d in 0..8 {
        devices.push(enrolled_device(&hub, fx.org, &format!("Kiosk {d}")).await);
    }
    let start = Utc::now() - Duration::hours(3);
    // Each device sends its batch twice at the same time (a retry racing the
    // original), all devices at once: the writer groups them.
    let mut tasks = Vec::new();
    for (d, dev) in devices.iter().enumerate() {
        let people = &fx.people[(d % 4) * 5..(d % 4) * 5 + 5];
        let batch = shift_events(
            dev.device_id,
            people,
            50,
            start + Duration::minutes(d as i64),
        );
        for _ in 0..2 {
            let hub = &hub;
            let token = dev.device_token.clone();
            let batch = batch.clone();
            tasks.push(async move { post_events(hub, &token, &batch).await });
        }
    }
    let answers = futures_join_all(tasks).await;
    let mut accepted = 0;
    let mut duplicate = 0;
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::OK, "{body}");
        for s in statuses(body) {
            match s.as_str() {
                "accepted" => accepted += 1,
                "duplicate" => duplicate += 1,
                other => panic!("unexpected {other}: {body}"),
            }
        }
    }
    assert_eq!(accepted, 8 * 50, "each event accepted exactly once");
    assert_eq!(
        duplicate,
        8 * 50,
        "and reported duplicate to the other copy"
    );
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 8 * 50);
    hub.stop().await;
}

/// Runs the futures concurrently, answers in order.
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

on_both!(
    concurrent_batches_and_racing_resends_are_stored_once,
    accepted_duplicate_and_rejected,
    oversized_batch_is_refused_whole,
    malformed_batches_get_json_errors_and_write_nothing,
    revoked_device_gets_401_and_its_events_stay,
    organisations_are_isolated,
    rule_breaking_events_are_stored_and_flagged,
);
