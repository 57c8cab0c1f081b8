//! Records through the admin API: the event log, corrections decided by the
//! domain (override_punch_mode on a lower rank, override_own_punch_mode for
//! oneself, the date lock), and the timesheet over a known week (hours, breaks
//! excluded, job time, a rate change mid-week, the corrected view, open shifts,
//! the payroll CSV); the event log paged backwards.

mod admin_support;
mod hub_support;

use admin_support::{custom_role, get, person_with_token, post, preset_role, roles, setup, site};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use hub_support::{enrolled_device, event, post_events, statuses};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tapin::domain::{DeviceId, EventId, EventKind, JobId, PersonId, Preset, Right};

fn at(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, day, h, m, 0)
        .single()
        .expect("a valid time")
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, d).expect("a valid day")
}

/// Posts `kinds` for `person` from a kiosk; returns the event ids.
async fn punch(
    hub: &hub_support::Hub,
    token: &str,
    device: DeviceId,
    seq: &mut u64,
    person: PersonId,
    kinds: Vec<(EventKind, DateTime<Utc>)>,
) -> Vec<EventId> {
    let events: Vec<_> = kinds
        .into_iter()
        .map(|(kind, t)| {
            *seq += 1;
            event(device, *seq, person, kind, t)
        })
        .collect();
    let (status, body) = post_events(hub, token, &events).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(statuses(&body).iter().all(|s| s == "accepted"), "{body}");
    events.iter().map(|e| e.id).collect()
}

async fn a_known_week_reports_hours_breaks_jobs_rates_and_the_corrected_time(url: String) {
    let s = site(&url).await;
    let (hub, top) = (&s.hub, s.top_token.as_str());
    let all = roles(&hub.store, s.org).await;
    let (user, user_token) = person_with_token(
        &hub.store,
        s.org,
        "Ulla",
        preset_role(&all, Preset::User).id,
    )
    .await;
    let (_, sup) = person_with_token(
        &hub.store,
        s.org,
        "Sam",
        preset_role(&all, Preset::Supervisor).id,
    )
    .await;
    let dee =
        admin_support::person(&hub.store, s.org, "Dee", preset_role(&all, Preset::User).id).await;
    let (_, job) = post(hub, top, "/jobs", json!({"name": "Assembly"})).await;
    let job: JobId = job["id"].as_str().expect("job id").parse().expect("job id");
    let device = enrolled_device(hub, s.org, "Floor").await;
    let (d, tok) = (device.device_id, device.device_token.as_str());
    let mut seq = 0;
    use EventKind::*;
    punch(
        hub,
        tok,
        d,
        &mut seq,
        user,
        vec![
            (ClockIn, at(4, 8, 0)),
            (BreakStart, at(4, 12, 0)),
            (BreakEnd, at(4, 12, 30)),
            (ClockOut, at(4, 16, 0)),
            (ClockIn, at(5, 9, 0)),
            (CheckIn { job }, at(5, 9, 0)),
            (CheckOut { job }, at(5, 13, 0)),
            (ClockOut, at(5, 17, 0)),
            (ClockIn, at(6, 8, 0)),
        ],
    )
    .await;
    let forgotten = punch(hub, tok, d, &mut seq, user, vec![(ClockOut, at(6, 11, 0))]).await[0];
    punch(hub, tok, d, &mut seq, dee, vec![(ClockIn, at(6, 10, 0))]).await;
    for (from, rate, cost) in [(day(1), 2000, 1200), (day(6), 3000, 1800)] {
        hub.store
            .set_rate(s.org, user, from, rate, cost, &setup())
            .await
            .expect("rate");
    }

    // The supervisor (rank 12) corrects the user's (rank 4) forgotten clock-out.
    let (status, fixed) = post(
        hub,
        &sup,
        "/corrections",
        json!({"event": forgotten, "time": at(6, 12, 0), "reason": "left at noon"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{fixed}");
    assert_eq!(fixed["kind"], "correction");
    assert_eq!(
        fixed["corrects"].as_str(),
        Some(forgotten.to_string().as_str())
    );
    assert_eq!(fixed["method"], "admin");

    // The original stays in the log as it was; its corrected time is shown.
    let (status, events) = get(
        hub,
        top,
        &format!("/events?person={user}&from=2024-03-06&to=2024-03-06"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{events}");
    let original = events
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["id"].as_str() == Some(forgotten.to_string().as_str()))
        .expect("the original event is listed");
    assert_eq!(original["kind"], "clock_out");
    assert_eq!(original["at"], json!(at(6, 11, 0)));
    assert_eq!(original["corrected_at"], json!(at(6, 12, 0)));
    let stored = hub
        .store
        .stored_event(s.org, forgotten)
        .await
        .expect("read")
        .expect("the original stays in events");
    assert_eq!(stored.event.at, at(6, 11, 0));

    // The week, for the user.
    let (status, sheet) = get(
        hub,
        top,
        &format!("/reports/timesheet?from=2024-03-04&to=2024-03-10&person={user}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sheet}");
    let p = &sheet["people"][0];
    assert_eq!(p["id"].as_str(), Some(user.to_string().as_str()));
    assert_eq!(p["name"], "Ulla");
    let days: Vec<(String, i64, i64, i64, i64)> = p["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap_or_default().to_owned(),
                d["worked_secs"].as_i64().unwrap_or(-1),
                d["break_secs"].as_i64().unwrap_or(-1),
                d["billable_cents"].as_i64().unwrap_or(-1),
                d["cost_cents"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        days,
        vec![
            ("2024-03-04".into(), 27_000, 1_800, 15_000, 9_000),
            ("2024-03-05".into(), 28_800, 0, 16_000, 9_600),
            // Corrected to 12:00; the new rate from Wednesday on.
            ("2024-03-06".into(), 14_400, 0, 12_000, 7_200),
        ]
    );
    assert_eq!(p["worked_secs"], 70_200);
    assert_eq!(p["break_secs"], 1_800);
    assert_eq!(p["billable_cents"], 43_000);
    assert_eq!(p["cost_cents"], 25_800);
    assert_eq!(p["jobs"][0]["id"].as_str(), Some(job.to_string().as_str()));
    assert_eq!(p["jobs"][0]["name"], "Assembly");
    assert_eq!(p["jobs"][0]["secs"], 14_400);
    assert_eq!(p["jobs"][0]["billable_cents"], 8_000);
    assert_eq!(p["days"][1]["rate_cents"], 2000);
    assert_eq!(p["days"][2]["rate_cents"], 3000);

    // Everyone: Dee's shift never ended, so it is open and flagged.
    let (_, everyone) = get(hub, top, "/reports/timesheet?from=2024-03-04&to=2024-03-10").await;
    let open = everyone["open_shifts"].as_array().expect("open shifts");
    assert!(
        open.iter().any(|o| o["person"]["name"] == "Dee"),
        "{everyone}"
    );
    assert!(
        everyone["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .any(|i| i["person"]["name"] == "Dee" && i["kind"] == "missing_clock_out"),
        "{everyone}"
    );

    // The payroll CSV: the domain's own, row per person and day.
    let resp = hub
        .http
        .get(hub.url(&format!(
            "/api/v1/admin/reports/timesheet?from=2024-03-04&to=2024-03-10&person={user}&format=csv"
        )))
        .bearer_auth(top)
        .send()
        .await
        .expect("csv");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    let csv = resp.text().await.expect("csv body");
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "person_id,name,date,worked_hours,break_hours,billable,cost,flags"
    );
    assert!(
        lines[1].starts_with(&format!("{user},Ulla,2024-03-04,7.50,0.50,150.00,90.00,")),
        "{csv}"
    );
    assert!(
        lines[2].starts_with(&format!("{user},Ulla,2024-03-05,8.00,0.00,160.00,96.00,")),
        "{csv}"
    );
    assert!(
        lines[3].starts_with(&format!("{user},Ulla,2024-03-06,4.00,0.00,120.00,72.00,")),
        "{csv}"
    );
    assert_eq!(lines.len(), 5, "three days and the final CRLF: {csv:?}");

    // The user sees their own records only.
    let (status, own) = get(hub, &user_token, "/events").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        own.as_array()
            .expect("events")
            .iter()
            .all(|e| e["person"]["id"].as_str() == Some(user.to_string().as_str())),
        "{own}"
    );
    let (status, _) = get(hub, &user_token, &format!("/events?person={dee}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(
        hub,
        &user_token,
        &format!("/reports/timesheet?from=2024-03-04&to=2024-03-10&person={dee}"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn corrections_follow_rank_own_rights_and_the_date_lock(url: String) {
    let s = site(&url).await;
    let hub = &s.hub;
    let all = roles(&hub.store, s.org).await;
    let supervisor = preset_role(&all, Preset::Supervisor).id;
    let (user, user_token) = person_with_token(
        &hub.store,
        s.org,
        "Ulla",
        preset_role(&all, Preset::User).id,
    )
    .await;
    let (sam, sam_token) = person_with_token(&hub.store, s.org, "Sam", supervisor).await;
    let (_, sue_token) = person_with_token(&hub.store, s.org, "Sue", supervisor).await;
    let clerk_role = custom_role(
        &hub.store,
        s.org,
        "Clerk",
        8,
        &[Right::OverridePunchMode, Right::ViewReports],
    )
    .await;
    let (_, clerk) = person_with_token(&hub.store, s.org, "Cleo", clerk_role.id).await;
    let device = enrolled_device(hub, s.org, "Floor").await;
    let (d, tok) = (device.device_id, device.device_token.as_str());
    let mut seq = 0;
    use EventKind::*;
    let mon = punch(
        hub,
        tok,
        d,
        &mut seq,
        user,
        vec![(ClockIn, at(4, 8, 0)), (ClockOut, at(4, 16, 0))],
    )
    .await;
    let wed = punch(
        hub,
        tok,
        d,
        &mut seq,
        user,
        vec![(ClockIn, at(6, 8, 0)), (ClockOut, at(6, 16, 0))],
    )
    .await;
    let sams = punch(hub, tok, d, &mut seq, sam, vec![(ClockIn, at(6, 7, 0))]).await;
    let correct = |token: &str, event: EventId, t: DateTime<Utc>, reason: &str| {
        let body = json!({"event": event, "time": t, "reason": reason});
        let token = token.to_owned();
        async move { post(hub, &token, "/corrections", body).await }
    };

    // Equal rank: refused; the user has no override right at all.
    let (status, body) = correct(&sue_token, sams[0], at(6, 7, 30), "late bus").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("rank"),
        "{body}"
    );
    let (status, body) = correct(&user_token, wed[1], at(6, 17, 0), "stayed").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("override_own_punch_mode"),
        "{body}"
    );
    // Oneself with override_own_punch_mode (Supervisor): allowed.
    let (status, body) = correct(&sam_token, sams[0], at(6, 7, 30), "badge failed").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Bad input: no reason, a future time, the same time, a correction of a correction.
    let (status, _) = correct(&sam_token, wed[1], at(6, 17, 0), "  ").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = correct(
        &sam_token,
        wed[1],
        Utc::now() + chrono::Duration::hours(2),
        "x",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = correct(&sam_token, wed[1], at(6, 16, 0), "x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let correction: EventId = body["id"].as_str().expect("id").parse().expect("id");
    let (status, _) = correct(&sam_token, correction, at(6, 7, 45), "x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The date lock: days before 2024-03-05 are closed.
    hub.store
        .set_date_lock(s.org, Some(day(5)), &setup())
        .await
        .expect("lock");
    let (status, body) = correct(&clerk, mon[1], at(4, 17, 0), "stayed late").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("closed"),
        "{body}"
    );
    // Moving an open day's event onto a locked day is refused too.
    let (status, _) = correct(&clerk, wed[0], at(4, 8, 0), "typo").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The clerk (rank 8) may correct an open day; the supervisor, with
    // override_date_lock, a locked one.
    let (status, body) = correct(&clerk, wed[1], at(6, 16, 30), "cleanup").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = correct(&sam_token, mon[1], at(4, 17, 0), "stayed late").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Unknown and foreign events are 404.
    let (status, _) = correct(&sam_token, EventId::new(), at(4, 9, 0), "x").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, other) = post(hub, &s.site_token, "/orgs", json!({"name": "Org B"})).await;
    let b = other["token"]["token"]
        .as_str()
        .expect("B's token")
        .to_owned();
    let (status, _) = correct(&b, wed[1], at(6, 15, 0), "x").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Three corrections stored as new events, each audited; nothing edited.
    assert_eq!(hub.store.count_events(s.org).await.expect("count"), 5 + 3);
    // Numbered in turn on the hub's own device, as a kiosk numbers its events.
    let (_, events) = get(hub, &s.top_token, "/events?limit=100").await;
    let mut made: Vec<(String, u64)> = events
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "correction")
        .map(|e| (e["device"].to_string(), e["seq"].as_u64().expect("seq")))
        .collect();
    made.sort_by_key(|(_, seq)| *seq);
    assert_eq!(
        made.iter().map(|m| m.1).collect::<Vec<_>>(),
        [1, 2, 3],
        "{events}"
    );
    assert!(
        made.iter().all(|m| m.0 == made[0].0),
        "one device: {made:?}"
    );
    let (_, audit) = get(hub, &s.top_token, "/audit?limit=100").await;
    let corrected: Vec<&Value> = audit
        .as_array()
        .expect("audit")
        .iter()
        .filter(|r| r["action"] == "event.correct")
        .collect();
    assert_eq!(corrected.len(), 3, "{audit}");
    assert!(corrected.iter().all(|r| r["detail"]["reason"].is_string()));
}

/// GETs `/events?query` as `token`: status, body, and the next page's `before`.
async fn events_page(
    hub: &hub_support::Hub,
    token: &str,
    query: &str,
) -> (StatusCode, Value, Option<String>) {
    let resp = hub
        .http
        .get(hub.url(&format!("/api/v1/admin/events?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("events");
    let next = resp
        .headers()
        .get("tapin-next-before")
        .map(|v| v.to_str().expect("header").to_owned());
    (resp.status(), resp.json().await.expect("json"), next)
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Pages of the event log, latest first: each page oldest first, the header
/// naming the next page's `before` until the first event; pages of one person,
/// and of what the caller may read, fill up past the rows they leave out.
async fn the_event_log_pages_backwards(url: String) {
    let s = site(&url).await;
    let (hub, top) = (&s.hub, s.top_token.as_str());
    let all = roles(&hub.store, s.org).await;
    let user = preset_role(&all, Preset::User).id;
    let (ulla, ulla_token) = person_with_token(&hub.store, s.org, "Ulla", user).await;
    let (ben, _) = person_with_token(&hub.store, s.org, "Ben", user).await;
    let dev = enrolled_device(hub, s.org, "Gate").await;
    let mut seq = 0;
    // 13 punches of Ulla and 12 of Ben, interleaved.
    for i in 0..25u32 {
        let (who, n) = if i % 2 == 0 {
            (ulla, i / 2)
        } else {
            (ben, i / 2)
        };
        let kind = if n % 2 == 0 {
            EventKind::ClockIn
        } else {
            EventKind::ClockOut
        };
        punch(
            hub,
            &dev.device_token,
            dev.device_id,
            &mut seq,
            who,
            vec![(kind, at(4, 8, i))],
        )
        .await;
    }
    let (status, whole) = get(hub, top, "/events").await;
    assert_eq!(status, StatusCode::OK);
    let whole = ids(&whole);
    assert_eq!(whole.len(), 25);

    let mut pages = Vec::new();
    let mut query = "limit=10".to_owned();
    loop {
        let (status, page, next) = events_page(hub, top, &query).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        pages.push(ids(&page));
        match next {
            Some(before) => {
                assert_eq!(Some(&before), pages.last().and_then(|p| p.first()));
                query = format!("limit=10&before={before}");
            }
            None => break,
        }
    }
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![10, 10, 5]
    );
    let joined: Vec<String> = pages.into_iter().rev().flatten().collect();
    assert_eq!(joined, whole, "the pages, oldest last, are the whole log");

    // Ulla may read only her own: her pages fill up past Ben's rows.
    let (_, own, _) = events_page(hub, &ulla_token, "").await;
    let own = ids(&own);
    assert_eq!(own.len(), 13);
    let (status, page, next) = events_page(hub, &ulla_token, "limit=5").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&page), own[8..].to_vec());
    let before = next.expect("older events");
    let (_, page, next) = events_page(hub, &ulla_token, &format!("limit=5&before={before}")).await;
    assert_eq!(ids(&page), own[3..8].to_vec());
    let before = next.expect("older events");
    let (_, page, next) = events_page(hub, &ulla_token, &format!("limit=5&before={before}")).await;
    assert_eq!(ids(&page), own[..3].to_vec());
    assert_eq!(next, None);

    // One person's, with `before` alone (a default page size).
    let (status, page, next) =
        events_page(hub, top, &format!("person={ben}&before={}", whole[24])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&page).len(), 12);
    assert_eq!(next, None);

    let (status, body, _) = events_page(hub, top, "limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let unknown = EventId::new();
    let (status, body, _) = events_page(hub, top, &format!("limit=5&before={unknown}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

on_both!(
    the_event_log_pages_backwards,
    a_known_week_reports_hours_breaks_jobs_rates_and_the_corrected_time,
    corrections_follow_rank_own_rights_and_the_date_lock,
);
