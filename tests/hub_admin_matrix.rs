//! The permission matrix of the admin API: every preset role × every admin action
//! × a target of lower, equal and higher rank, answered exactly allowed (2xx) or
//! refused (403) as the seeds say.
//!
//! The expectation is computed from two small tables written from the seeds'
//! wording — which admin rights each preset holds ([`seed_rights`]) and what each
//! action needs ([`ACTIONS`]) — never from the code under test. The rank rule is
//! the seed's: acting on someone else (or on a role) needs a rank strictly higher
//! than theirs; the site Administrator manages organisations, not their data.

mod admin_support;
mod hub_support;

use admin_support::{custom_role, person, preset_role, roles, setup, site, token};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tapin::domain::{Job, JobId, Preset, Role, Team, TeamId};

use crate::hub_support::Hub;

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
    const MANAGER_ADDS: &[&str] = &["manage_roles", "manage_advanced_settings"];
    match p {
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
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rel {
    Lower,
    Equal,
    Higher,
}

const RELS: [Rel; 3] = [Rel::Lower, Rel::Equal, Rel::Higher];

/// An admin action: the rights it needs (all of them) and whether its target's
/// rank must be below the actor's.
struct Action {
    name: &'static str,
    rights: &'static [&'static str],
    ranked: bool,
}

const fn a(name: &'static str, rights: &'static [&'static str], ranked: bool) -> Action {
    Action {
        name,
        rights,
        ranked,
    }
}

/// Every admin action, in the order run (archive before unarchive).
const ACTIONS: &[Action] = &[
    a("whoami", &[], false),
    a("org.add", &["administer_site"], false),
    a("settings.show", &[], false),
    a("person.list", &["view_users"], false),
    a("person.show", &["view_users"], false),
    // "can add ... and assign roles to users with role's rank less than self"
    a("person.add", &["manage_users"], true),
    a("person.edit", &["manage_users"], true),
    a("person.set_role", &["manage_users"], true),
    a("person.archive", &["manage_users"], true),
    a("person.unarchive", &["manage_users"], true),
    a("role.list", &["view_users"], false),
    // "create, modify, and delete roles ... with rank less than self"
    a("role.add", &["manage_roles"], true),
    a("role.edit", &["manage_roles"], true),
    a("role.remove", &["manage_roles"], true),
    a("team.list", &["view_users"], false),
    a("team.add", &["manage_users"], true),
    a("team.edit", &["manage_users"], true),
    // a job is a TrackingTime project: "full access to project management"
    a("job.list", &["manage_projects"], false),
    a("job.add", &["manage_projects"], false),
    a("job.edit", &["manage_projects"], false),
    a("job.archive", &["manage_projects"], false),
    a("job.unarchive", &["manage_projects"], false),
    a("job.assign", &["manage_projects", "manage_users"], true),
    a("token.list", &[], false),
    a("token.create", &["manage_users"], true),
    a("token.revoke", &["manage_users"], true),
    // "see and edit rates and costs", and a person's rate is their data
    a("rate.list", &["manage_rates"], false),
    a("rate.set", &["manage_rates", "manage_users"], true),
    a("lock.set", &["manage_advanced_settings"], false),
    a("audit", &["manage_users"], false),
];

fn expected(actor: Preset, action: &Action, rel: Rel) -> bool {
    if actor == Preset::Administrator {
        // Anuko: the administrator manages groups, not their data.
        return matches!(action.name, "whoami" | "org.add");
    }
    let held = seed_rights(actor);
    action.rights.iter().all(|r| held.contains(r)) && (!action.ranked || rel == Rel::Lower)
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
    }
}

async fn perform(hub: &Hub, f: &Fixture, action: &str, rel: Rel) -> (StatusCode, Value) {
    let n = i(rel);
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
        other => panic!("no request for action {other}"),
    };
    // Actions without a body still send JSON where the endpoint takes one.
    let body = match (&method, body) {
        (&Method::POST, None) => Some(json!({})),
        (_, b) => b,
    };
    admin_support::call(hub, t, method, &path, body).await
}

async fn every_preset_role_every_action_every_rank(url: String) {
    let s = site(&url).await;
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for &actor in Preset::ALL {
        let f = fixture(&s.hub, s.site_admin, &s.site_token, actor).await;
        for action in ACTIONS {
            for rel in RELS {
                let allowed = expected(actor, action, rel);
                let (status, body) = perform(&s.hub, &f, action.name, rel).await;
                checked += 1;
                let ok = if allowed {
                    status.is_success()
                } else {
                    status == StatusCode::FORBIDDEN
                        && body["error"].as_str().is_some_and(|m| !m.is_empty())
                };
                if !ok {
                    mismatches.push(format!(
                        "{actor:?} {} on {rel:?}: expected {}, got {status} {body}",
                        action.name,
                        if allowed { "allowed" } else { "403" },
                    ));
                }
            }
        }
    }
    assert_eq!(checked, Preset::ALL.len() * ACTIONS.len() * RELS.len());
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
