//! The permission matrix of the admin API: every preset role × every admin
//! endpoint, answered exactly allowed (2xx) or refused (403) as the seeds say.
//! An action on a person or a role (person edit, role edit, token, rate, events
//! and timesheet of one person, correction of their event, ...) runs against a
//! target of lower, equal and higher rank: role × action × rank. An action with no
//! target person or role (lists, settings, jobs, date lock, audit, export, the
//! organisation's events or timesheet as a whole, and every device and device
//! roster endpoint) runs once per role: role × action, rank n/a. That every
//! admin endpoint of the hub's OpenAPI document is called is checked too.
//!
//! The expectation is computed from two small tables written from the seeds'
//! wording — which rights each preset holds ([`seed_rights`]) and what each
//! action needs ([`ACTIONS`]) — never from the code under test. The rank rule is
//! the seed's: acting on someone else (or on a role) needs a rank strictly higher
//! than theirs, unless an `*_all_*` right lifts it; the site Administrator
//! manages organisations, not their data.

mod admin_support;
mod hub_support;

use std::collections::BTreeSet;

use admin_support::{custom_role, person, preset_role, roles, setup, site, site_with, token};
use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tapin::domain::{EventKind, Job, JobId, PersonId, Preset, Role, Team, TeamId};
use tapin::hub::HubConfig;

use crate::hub_support::{Hub, enrolled_device, event, post_events};

/// The admin rights each preset holds, from the seeds' words.
///
/// Seed 001 (Anuko): User "can view user names and roles in a group"
/// (view_users); Supervisor has "all of default User role permissions" plus
/// tracking and approval rights, none of them administrative; Co-manager adds
/// manage_users, manage_own_account, manage_projects; Manager adds manage_roles
/// and manage_advanced_settings; Top manager has every right but administer_site;
/// Client views its own client data only; Administrator has administer_site only.
/// Seed 002 (TrackingTime): Coworkers "only track time ... and can only see
/// their own time"; Project managers create reports and delegate tasks to
/// coworkers (they see users) but edit only their own projects; Managers "view
/// and edit all tasks and projects ... invite and archive users"; Administrators
/// have "all permissions Managers do but can also see and edit rates and costs,
/// account details".
fn seed_rights(p: Preset) -> Vec<&'static str> {
    const SEES_USERS: &[&str] = &["view_users"];
    const CO_MANAGER: &[&str] = &[
        "view_users",
        "manage_users",
        "manage_own_account",
        "manage_projects",
    ];
    const MANAGER_ADDS: &[&str] = &["manage_roles", "manage_advanced_settings", "export_data"];
    let admin = match p {
        Preset::Administrator => vec!["administer_site"],
        Preset::TopManager => [CO_MANAGER, MANAGER_ADDS, &["manage_rates"]].concat(),
        Preset::Manager => [CO_MANAGER, MANAGER_ADDS].concat(),
        Preset::CoManager => CO_MANAGER.to_vec(),
        Preset::Supervisor | Preset::User => SEES_USERS.to_vec(),
        Preset::Client => vec![],
        Preset::TrackingTimeAdmin => [CO_MANAGER, MANAGER_ADDS, &["manage_rates"]].concat(),
        Preset::TrackingTimeManager => CO_MANAGER.to_vec(),
        Preset::ProjectManager => SEES_USERS.to_vec(),
        Preset::Coworker => vec![],
    };
    [admin, record_rights(p)].concat()
}

/// The rights over records (reports, punch overrides) each preset holds, from the
/// seeds' words.
///
/// Seed 001 (Anuko): User "view_own_reports - can view own reports"; Supervisor
/// adds "view_reports - can view reports for lower rank roles",
/// "override_punch_mode - can input any start and finish times for lower rank
/// roles (not self)", "override_own_punch_mode", "override_date_lock",
/// "override_own_date_lock"; Co-manager adds "view_all_reports - can view
/// reports for all members of the group including users with higher rank";
/// Manager and Top manager have all of these; Client views client reports only.
/// Seed 002 (TrackingTime): Coworkers "can only see their own time"; Project
/// managers "manage projects, edit timesheets, and view reports" and "create new
/// time entries on behalf of other users" (Anuko's Supervisor); Managers "view
/// and edit all tasks and projects ... create reports" (Co-manager: every
/// member's reports); Administrators have "all permissions Managers do".
fn record_rights(p: Preset) -> Vec<&'static str> {
    const OWN: &[&str] = &["view_own_reports"];
    const SUPERVISOR: &[&str] = &[
        "view_own_reports",
        "view_reports",
        "override_punch_mode",
        "override_own_punch_mode",
        "override_date_lock",
        "override_own_date_lock",
    ];
    match p {
        Preset::Administrator | Preset::Client => vec![],
        Preset::User | Preset::Coworker => OWN.to_vec(),
        Preset::Supervisor | Preset::ProjectManager => SUPERVISOR.to_vec(),
        Preset::CoManager
        | Preset::Manager
        | Preset::TopManager
        | Preset::TrackingTimeManager
        | Preset::TrackingTimeAdmin => [SUPERVISOR, &["view_all_reports"]].concat(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rel {
    Lower,
    Equal,
    Higher,
}

const RELS: [Rel; 3] = [Rel::Lower, Rel::Equal, Rel::Higher];

/// Whom an action acts on, which decides how often it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// A person or role of each rank, which must be below the actor's: × rank.
    Ranked,
    /// A person of each rank, whose rank plays no part: × rank.
    AnyRank,
    /// No person or role: once, rank n/a.
    Nobody,
}

use Target::{AnyRank, Nobody, Ranked};

/// An admin action: the rights it needs (all of `rights`, and one of `any` when
/// given), whom it acts on, and the right that allows it whatever the rest says
/// (an `*_all_*` right lifting the rank limit).
struct Action {
    name: &'static str,
    rights: &'static [&'static str],
    any: &'static [&'static str],
    target: Target,
    lift: Option<&'static str>,
}

const fn a(name: &'static str, rights: &'static [&'static str], target: Target) -> Action {
    Action {
        name,
        rights,
        any: &[],
        target,
        lift: None,
    }
}

/// An action without target that needs one of `any`.
const fn one_of(name: &'static str, any: &'static [&'static str]) -> Action {
    Action {
        name,
        rights: &[],
        any,
        target: Nobody,
        lift: None,
    }
}

/// Reading one person's records: `view_reports` on a lower rank, or
/// `view_all_reports` on anyone.
const fn records_of(name: &'static str) -> Action {
    Action {
        name,
        rights: &["view_reports"],
        any: &[],
        target: Ranked,
        lift: Some("view_all_reports"),
    }
}

/// Reading one's own, a lower rank's or everyone's records.
const REPORT_RIGHTS: &[&str] = &["view_own_reports", "view_reports", "view_all_reports"];
/// Reading devices: whoever manages the organisation's settings or its people.
const DEVICE_READ: &[&str] = &["manage_advanced_settings", "manage_users"];
/// Changing devices and their rosters.
const DEVICE_CHANGE: &[&str] = &["manage_advanced_settings"];

/// Every admin action, in the order run (archive before unarchive, the device
/// revoked last).
const ACTIONS: &[Action] = &[
    a("whoami", &[], Nobody),
    a("org.add", &["administer_site"], Nobody),
    a("settings.show", &[], Nobody),
    a("person.list", &["view_users"], Nobody),
    a("person.show", &["view_users"], AnyRank),
    // "can add ... and assign roles to users with role's rank less than self"
    a("person.add", &["manage_users"], Ranked),
    a("person.edit", &["manage_users"], Ranked),
    a("person.set_role", &["manage_users"], Ranked),
    a("person.archive", &["manage_users"], Ranked),
    a("person.unarchive", &["manage_users"], Ranked),
    a("role.list", &["view_users"], Nobody),
    // "create, modify, and delete roles ... with rank less than self"
    a("role.add", &["manage_roles"], Ranked),
    a("role.edit", &["manage_roles"], Ranked),
    a("role.remove", &["manage_roles"], Ranked),
    a("team.list", &["view_users"], Nobody),
    a("team.add", &["manage_users"], Ranked),
    a("team.edit", &["manage_users"], Ranked),
    // a job is a TrackingTime project: "full access to project management"
    a("job.list", &["manage_projects"], Nobody),
    a("job.add", &["manage_projects"], Nobody),
    a("job.edit", &["manage_projects"], Nobody),
    a("job.archive", &["manage_projects"], Nobody),
    a("job.unarchive", &["manage_projects"], Nobody),
    a("job.assign", &["manage_projects", "manage_users"], Ranked),
    a("token.list", &[], Nobody),
    a("token.create", &["manage_users"], Ranked),
    a("token.revoke", &["manage_users"], Ranked),
    // "see and edit rates and costs", and a person's rate is their data
    a("rate.list", &["manage_rates"], Nobody),
    a("rate.set", &["manage_rates", "manage_users"], Ranked),
    a("lock.set", &["manage_advanced_settings"], Nobody),
    a("audit", &["manage_users"], Nobody),
    // "view_own_reports", "view_reports - can view reports for lower rank
    // roles", "view_all_reports - ... including users with higher rank"
    one_of("events.list", REPORT_RIGHTS),
    records_of("events.person"),
    one_of("report.timesheet", REPORT_RIGHTS),
    records_of("report.timesheet_person"),
    // "override_punch_mode - can input any start and finish times for lower rank
    // roles (not self)"
    a("event.correct", &["override_punch_mode"], Ranked),
    // "export_data - can export group and all subgroups data"
    a("export", &["export_data"], Nobody),
    // The seeds name no right for kiosks; a kiosk is equipment of the
    // organisation, which "advanced group settings such as ... allow IP" govern.
    a("device.add", DEVICE_CHANGE, Nobody),
    one_of("device.list", DEVICE_READ),
    one_of("device.show", DEVICE_READ),
    a("device.rename", DEVICE_CHANGE, Nobody),
    one_of("device.roster_show", DEVICE_READ),
    a("device.roster_set", DEVICE_CHANGE, Nobody),
    a("device.revoke", DEVICE_CHANGE, Nobody),
];

/// The ranks an action runs against: once, with `None`, without a target.
fn rels_of(action: &Action) -> Vec<Option<Rel>> {
    match action.target {
        Nobody => vec![None],
        Ranked | AnyRank => RELS.iter().copied().map(Some).collect(),
    }
}

fn expected(actor: Preset, action: &Action, rel: Option<Rel>) -> bool {
    if actor == Preset::Administrator {
        // Anuko: the administrator manages groups, not their data.
        return matches!(action.name, "whoami" | "org.add");
    }
    let held = seed_rights(actor);
    let has = |r: &&str| held.contains(r);
    if action.lift.as_ref().is_some_and(has) {
        return true;
    }
    action.rights.iter().all(has)
        && (action.any.is_empty() || action.any.iter().any(has))
        && (action.target != Ranked || rel == Some(Rel::Lower))
}

/// One actor's organisation, set up in the store.
struct Fixture {
    token: String,
    /// Roles to give a new person, by rank relative to the actor's.
    assign: [Role; 3],
    /// Another role of lower rank, to move people to.
    lower_b: Role,
    /// People, by rank relative to the actor's.
    people: [String; 3],
    /// A token of each of those people.
    tokens: [String; 3],
    /// Unused custom roles to edit and to remove.
    edit_roles: [String; 3],
    remove_roles: [String; 3],
    /// Teams (led by someone of lower rank) to add each person to.
    teams: [String; 3],
    job: String,
    /// A clock-in of each of `people` (id, time), to read and correct.
    events: [(String, chrono::DateTime<Utc>); 3],
    /// An enrolled kiosk, which recorded `events`.
    device: String,
}

fn i(rel: Rel) -> usize {
    rel as usize
}

async fn fixture(hub: &Hub, site_admin: uuid::Uuid, site_token: &str, actor: Preset) -> Fixture {
    let store = &hub.store;
    let made = store
        .create_org(
            &format!("{actor:?}-{}", uuid::Uuid::now_v7()),
            "Top",
            site_admin,
        )
        .await
        .expect("org");
    let org = made.org.id;
    let all = roles(store, org).await;
    let own = preset_role(&all, actor);
    let r = own.rank;
    let me = person(store, org, "Actor", own.id).await;
    let token_of_actor = if actor == Preset::Administrator {
        site_token.to_owned()
    } else {
        token(store, org, me).await.1
    };
    let lower = custom_role(store, org, "Lower", r - 1, &[]).await;
    let lower_b = custom_role(store, org, "Lower B", r - 1, &[]).await;
    let higher = custom_role(store, org, "Higher", r + 1, &[]).await;
    let by_rel = [lower.clone(), own.clone(), higher.clone()];
    let mut people = Vec::new();
    let mut tokens = Vec::new();
    for (n, role) in by_rel.iter().enumerate() {
        let p = person(store, org, &format!("Target {n}"), role.id).await;
        people.push(p.to_string());
        tokens.push(token(store, org, p).await.0);
    }
    let mut edit_roles = Vec::new();
    let mut remove_roles = Vec::new();
    for (n, rank) in [r - 1, r, r + 1].into_iter().enumerate() {
        edit_roles.push(
            custom_role(store, org, &format!("Edit {n}"), rank, &[])
                .await
                .id
                .to_string(),
        );
        remove_roles.push(
            custom_role(store, org, &format!("Remove {n}"), rank, &[])
                .await
                .id
                .to_string(),
        );
    }
    let lead = person(store, org, "Lead", lower.id).await;
    let mut teams = Vec::new();
    for n in 0..3 {
        let team = Team {
            id: TeamId::new(),
            name: format!("Team {n}"),
            lead,
            members: vec![],
        };
        store.create_team(org, &team, &setup()).await.expect("team");
        teams.push(team.id.to_string());
    }
    let job = Job {
        id: JobId::new(),
        name: "Fixture job".into(),
        archived: false,
    };
    store.create_job(org, &job, &setup()).await.expect("job");
    let kiosk = enrolled_device(hub, org, "Gate").await;
    let at = Utc::now() - Duration::hours(2);
    let mut events = Vec::new();
    for (n, p) in people.iter().enumerate() {
        let subject: PersonId = p.parse().expect("person id");
        let e = event(
            kiosk.device_id,
            n as u64 + 1,
            subject,
            EventKind::ClockIn,
            at,
        );
        events.push((e.id.to_string(), at));
        let (status, _) = post_events(hub, &kiosk.device_token, &[e]).await;
        assert!(status.is_success(), "fixture event: {status}");
    }
    let arr = |v: Vec<String>| -> [String; 3] { v.try_into().expect("three") };
    Fixture {
        token: token_of_actor,
        assign: [lower, own, higher],
        lower_b,
        people: arr(people),
        tokens: arr(tokens),
        edit_roles: arr(edit_roles),
        remove_roles: arr(remove_roles),
        teams: arr(teams),
        job: job.id.to_string(),
        events: events.try_into().expect("three"),
        device: kiosk.device_id.to_string(),
    }
}

/// Makes the request of `action` on the target of rank `rel`; notes the
/// endpoint called in `called`.
async fn perform(
    hub: &Hub,
    f: &Fixture,
    action: &str,
    rel: Option<Rel>,
    called: &mut BTreeSet<(String, String)>,
) -> (StatusCode, Value) {
    let n = rel.map_or(0, i);
    let t = &f.token;
    let target = &f.people[n];
    let (method, path, body): (Method, String, Option<Value>) = match action {
        "whoami" => (Method::GET, "/whoami".into(), None),
        "org.add" => (
            Method::POST,
            "/orgs".into(),
            Some(json!({"name": format!("New org {}", uuid::Uuid::now_v7())})),
        ),
        "settings.show" => (Method::GET, "/settings".into(), None),
        "person.list" => (Method::GET, "/people".into(), None),
        "person.show" => (Method::GET, format!("/people/{target}"), None),
        "person.add" => (
            Method::POST,
            "/people".into(),
            Some(json!({"name": format!("New {n}"), "role": f.assign[n].id})),
        ),
        "person.edit" => (
            Method::PATCH,
            format!("/people/{target}"),
            Some(json!({"name": format!("Renamed {n}")})),
        ),
        "person.set_role" => (
            Method::PATCH,
            format!("/people/{target}"),
            Some(json!({"role": f.lower_b.id})),
        ),
        "person.archive" => (Method::POST, format!("/people/{target}/archive"), None),
        "person.unarchive" => (Method::POST, format!("/people/{target}/unarchive"), None),
        "role.list" => (Method::GET, "/roles".into(), None),
        "role.add" => {
            let rank = f.assign[1].rank + [-1, 0, 1][n];
            (
                Method::POST,
                "/roles".into(),
                Some(json!({"name": format!("Added {n}"), "rank": rank, "rights": []})),
            )
        }
        "role.edit" => (
            Method::PATCH,
            format!("/roles/{}", f.edit_roles[n]),
            Some(json!({"name": format!("Edited {n}")})),
        ),
        "role.remove" => (
            Method::DELETE,
            format!("/roles/{}", f.remove_roles[n]),
            None,
        ),
        "team.list" => (Method::GET, "/teams".into(), None),
        "team.add" => (
            Method::POST,
            "/teams".into(),
            Some(json!({"name": format!("Added team {n}"), "lead": target})),
        ),
        "team.edit" => (
            Method::PATCH,
            format!("/teams/{}", f.teams[n]),
            Some(json!({"members": [target]})),
        ),
        "job.list" => (Method::GET, "/jobs".into(), None),
        "job.add" => (
            Method::POST,
            "/jobs".into(),
            Some(json!({"name": format!("Job {n}")})),
        ),
        "job.edit" => (
            Method::PATCH,
            format!("/jobs/{}", f.job),
            Some(json!({"name": format!("Fixture job {n}")})),
        ),
        "job.archive" => (Method::POST, format!("/jobs/{}/archive", f.job), None),
        "job.unarchive" => (Method::POST, format!("/jobs/{}/unarchive", f.job), None),
        "job.assign" => (
            Method::POST,
            format!("/jobs/{}/assign", f.job),
            Some(json!({"people": [target]})),
        ),
        "token.list" => (Method::GET, "/tokens".into(), None),
        "token.create" => (
            Method::POST,
            "/tokens".into(),
            Some(json!({"person": target})),
        ),
        "token.revoke" => (Method::DELETE, format!("/tokens/{}", f.tokens[n]), None),
        "rate.list" => (Method::GET, "/rates".into(), None),
        "rate.set" => (
            Method::POST,
            "/rates".into(),
            Some(
                json!({"person": target, "from": "2025-01-01", "rate_cents": 4500, "cost_cents": 3000}),
            ),
        ),
        "lock.set" => (
            Method::PUT,
            "/settings/date-lock".into(),
            Some(json!({"date": "2025-01-01"})),
        ),
        "audit" => (Method::GET, "/audit".into(), None),
        "events.list" | "events.person" | "report.timesheet" | "report.timesheet_person" => {
            let day = f.events[n].1.date_naive();
            let mut query = format!("from={}&to={}", day.pred_opt().unwrap_or(day), day);
            if action.ends_with("person") {
                query.push_str(&format!("&person={target}"));
            }
            let path = if action.starts_with("events") {
                "/events"
            } else {
                "/reports/timesheet"
            };
            (Method::GET, format!("{path}?{query}"), None)
        }
        "event.correct" => (
            Method::POST,
            "/corrections".into(),
            Some(json!({
                "event": f.events[n].0,
                "time": f.events[n].1 - Duration::minutes(30),
                "reason": "forgot to badge",
            })),
        ),
        "export" => (Method::GET, "/export".into(), None),
        "device.add" => (
            Method::POST,
            "/devices".into(),
            Some(json!({"name": "Back door"})),
        ),
        "device.list" => (Method::GET, "/devices".into(), None),
        "device.show" => (Method::GET, format!("/devices/{}", f.device), None),
        "device.rename" => (
            Method::PATCH,
            format!("/devices/{}", f.device),
            Some(json!({"name": "Front gate"})),
        ),
        "device.roster_show" => (Method::GET, format!("/devices/{}/roster", f.device), None),
        "device.roster_set" => (
            Method::PUT,
            format!("/devices/{}/roster", f.device),
            Some(json!({"people": [target]})),
        ),
        "device.revoke" => (Method::POST, format!("/devices/{}/revoke", f.device), None),
        other => panic!("no request for action {other}"),
    };
    // Actions without a body still send JSON where the endpoint takes one.
    let body = match (&method, body) {
        (&Method::POST, None) => Some(json!({})),
        (_, b) => b,
    };
    called.insert((
        method.to_string(),
        endpoint(&format!("/api/v1/admin{path}")),
    ));
    admin_support::call(hub, t, method, &path, body).await
}

/// A path as a template: ids (and OpenAPI's `{name}` parameters) become `{}`, the
/// query goes.
fn endpoint(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    path.split('/')
        .map(|seg| {
            if seg.starts_with('{') || uuid::Uuid::parse_str(seg).is_ok() {
                "{}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every admin endpoint the hub's OpenAPI document describes: method and path
/// template.
async fn admin_endpoints(hub: &Hub) -> BTreeSet<(String, String)> {
    let doc: Value = hub
        .http
        .get(hub.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("openapi json");
    let mut out = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        if !path.starts_with("/api/v1/admin/") {
            continue;
        }
        let methods = ops.as_object().expect("operations").keys();
        for method in
            methods.filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
        {
            out.insert((method.to_uppercase(), endpoint(path)));
        }
    }
    out
}

async fn every_preset_role_every_action_every_rank(url: String) {
    // Each actor's fixture enrolls a kiosk: more than the default burst.
    let config = HubConfig {
        enroll_burst: 100,
        ..HubConfig::default()
    };
    let s = site_with(&url, config).await;
    let mut mismatches = Vec::new();
    let mut called = BTreeSet::new();
    let mut checked = 0;
    for &actor in Preset::ALL {
        let f = fixture(&s.hub, s.site_admin, &s.site_token, actor).await;
        for action in ACTIONS {
            for rel in rels_of(action) {
                let allowed = expected(actor, action, rel);
                let (status, body) = perform(&s.hub, &f, action.name, rel, &mut called).await;
                checked += 1;
                let ok = if allowed {
                    status.is_success()
                } else {
                    status == StatusCode::FORBIDDEN
                        && body["error"].as_str().is_some_and(|m| !m.is_empty())
                };
                if !ok {
                    mismatches.push(format!(
                        "{actor:?} {} on {}: expected {}, got {status} {body}",
                        action.name,
                        rel.map_or("no target".to_owned(), |r| format!("{r:?}")),
                        if allowed { "allowed" } else { "403" },
                    ));
                }
            }
        }
    }
    let per_role: usize = ACTIONS.iter().map(|a| rels_of(a).len()).sum();
    assert_eq!(checked, Preset::ALL.len() * per_role);
    let endpoints = admin_endpoints(&s.hub).await;
    assert!(
        endpoints.len() > 30,
        "the OpenAPI document lists {endpoints:?}"
    );
    let missed: Vec<_> = endpoints.difference(&called).collect();
    assert!(
        missed.is_empty(),
        "admin endpoints the matrix misses: {missed:?}"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {checked} cases differ from the seeds:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Acting on oneself: the seed's own rights (`manage_own_account`), never one's
/// own role, never archiving oneself.
async fn acting_on_oneself_uses_the_own_rights(url: String) {
    let s = site(&url).await;
    for &actor in Preset::ALL.iter().filter(|p| **p != Preset::Administrator) {
        let store = &s.hub.store;
        let made = store
            .create_org(
                &format!("self-{actor:?}-{}", uuid::Uuid::now_v7()),
                "Top",
                s.site_admin,
            )
            .await
            .expect("org");
        let all = roles(store, made.org.id).await;
        let own = preset_role(&all, actor);
        let lower = custom_role(store, made.org.id, "Lower", own.rank - 1, &[]).await;
        let me = person(store, made.org.id, "Me", own.id).await;
        let (_, t) = token(store, made.org.id, me).await;
        let own_account = seed_rights(actor).contains(&"manage_own_account");
        let hub = &s.hub;
        let (status, _) =
            admin_support::patch(hub, &t, &format!("/people/{me}"), json!({"name": "Me too"}))
                .await;
        assert_eq!(
            status.is_success(),
            own_account,
            "{actor:?} renames self: {status}"
        );
        let (status, _) =
            admin_support::post(hub, &t, "/tokens", json!({"person": me.to_string()})).await;
        assert_eq!(
            status.is_success(),
            own_account,
            "{actor:?} makes own token: {status}"
        );
        let (status, _) =
            admin_support::patch(hub, &t, &format!("/people/{me}"), json!({"role": lower.id}))
                .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{actor:?} changes own role");
        let (status, _) =
            admin_support::post(hub, &t, &format!("/people/{me}/archive"), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{actor:?} archives self");
        // One's own token can always be revoked (signing oneself out).
        let (own_token_id, _) = token(store, made.org.id, me).await;
        let (status, body) = admin_support::call(
            hub,
            &t,
            Method::DELETE,
            &format!("/tokens/{own_token_id}"),
            None,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{actor:?} revokes own token: {body}"
        );
    }
}

on_both!(
    every_preset_role_every_action_every_rank,
    acting_on_oneself_uses_the_own_rights
);
