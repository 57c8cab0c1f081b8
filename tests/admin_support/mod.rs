//! Shared scaffolding of the admin API tests: an initialised hub in-process (site
//! Administrator, first organisation, Top manager), a JSON caller, and shortcuts
//! that set up people, roles and tokens straight in the store (test setup only:
//! what the tests check always goes through HTTP).
#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tapin::domain::{
    JobAccess, Person, PersonId, Preset, Right, RightSet, Role, RoleId, TrackingMode,
};
use tapin::hub::HubConfig;
use tapin::hub::store::Store;
use tapin::hub::store::admin::AuditEntry;
use tapin::wire::OrgId;
use uuid::Uuid;

use crate::hub_support::Hub;

/// An initialised hub.
pub struct Site {
    pub hub: Hub,
    /// The database URL the hub uses (on PostgreSQL, with the test's own schema).
    pub url: String,
    pub site_admin: Uuid,
    pub site_token: String,
    pub org: OrgId,
    pub top_manager: PersonId,
    pub top_token: String,
}

/// A database of its own for one test: the SQLite URL as given (a fresh temp
/// file already), or on PostgreSQL a fresh schema (a hub has one site
/// Administrator, so tests that initialise one cannot share a schema). Schemas
/// left by earlier runs more than an hour old are dropped.
pub async fn fresh_db(db_url: &str) -> String {
    if !db_url.starts_with("postgres") {
        return db_url.to_owned();
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(db_url)
        .await
        .expect("connect to PostgreSQL");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let old: Vec<String> = sqlx::query_scalar(
        "SELECT schema_name::text FROM information_schema.schemata \
         WHERE schema_name LIKE 'tapin_admin_t%'",
    )
    .fetch_all(&pool)
    .await
    .expect("list schemas");
    for name in old {
        let born: u64 = name
            .trim_start_matches("tapin_admin_t")
            .split('_')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if born + 3600 < now {
            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .execute(&pool)
                .await;
        }
    }
    let schema = format!("tapin_admin_t{now}_{}", Uuid::now_v7().simple());
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&pool)
        .await
        .expect("create schema");
    pool.close().await;
    let sep = if db_url.contains('?') { '&' } else { '?' };
    format!("{db_url}{sep}options=-c%20search_path%3D{schema}")
}

pub async fn site(db_url: &str) -> Site {
    site_with(db_url, HubConfig::default()).await
}

/// An initialised hub with `config`'s limits.
pub async fn site_with(db_url: &str, config: HubConfig) -> Site {
    let url = fresh_db(db_url).await;
    let hub = Hub::start_with(&url, config).await;
    let made = hub
        .store
        .init_site("Administrator", &format!("org-{}", Uuid::now_v7()), "Top")
        .await
        .expect("init site");
    Site {
        url,
        site_admin: made.site_admin,
        site_token: made.site_admin_token,
        org: made.first.org.id,
        top_manager: made.first.top_manager.id,
        top_token: made.first.token,
        hub,
    }
}

/// Calls an admin endpoint (`path` after `/api/v1/admin`); returns status and
/// JSON body (`Null` when there is none).
pub async fn call(
    hub: &Hub,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = hub
        .http
        .request(method, hub.url(&format!("/api/v1/admin{path}")))
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("admin call");
    let status = resp.status();
    let bytes = resp.bytes().await.expect("body");
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    (status, value)
}

pub async fn get(hub: &Hub, token: &str, path: &str) -> (StatusCode, Value) {
    call(hub, token, Method::GET, path, None).await
}

pub async fn post(hub: &Hub, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    call(hub, token, Method::POST, path, Some(body)).await
}

pub async fn patch(hub: &Hub, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    call(hub, token, Method::PATCH, path, Some(body)).await
}

/// An audit entry for test setup done straight in the store.
pub fn setup() -> AuditEntry {
    AuditEntry::new(Uuid::nil(), "test.setup", "setup")
}

/// The organisation's roles.
pub async fn roles(store: &Store, org: OrgId) -> Vec<Role> {
    store
        .roles_of(org)
        .await
        .expect("roles")
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

pub fn preset_role(roles: &[Role], preset: Preset) -> Role {
    roles
        .iter()
        .find(|r| r.preset == Some(preset))
        .cloned()
        .expect("preset role")
}

/// A custom role made in the store.
pub async fn custom_role(
    store: &Store,
    org: OrgId,
    name: &str,
    rank: i32,
    rights: &[Right],
) -> Role {
    let role = Role {
        id: RoleId::new(),
        name: name.to_owned(),
        rank,
        rights: RightSet::of(rights),
        fixed: false,
        preset: None,
    };
    store.create_role(org, &role, &setup()).await.expect("role");
    role
}

/// A person made in the store.
pub async fn person(store: &Store, org: OrgId, name: &str, role: RoleId) -> PersonId {
    let person = Person {
        id: PersonId::new(),
        name: name.to_owned(),
        badge: None,
        mode: TrackingMode::Personal,
        team: None,
        role,
        archived: false,
        jobs: JobAccess::default(),
    };
    store
        .create_person(org, &person, None, &setup())
        .await
        .expect("person");
    person.id
}

/// A token for a person, made in the store: (token id, token).
pub async fn token(store: &Store, org: OrgId, person: PersonId) -> (String, String) {
    let (id, token) = store
        .create_admin_token(org, person, &setup())
        .await
        .expect("token");
    (id.to_string(), token)
}

/// A person with a fresh token: (person, token).
pub async fn person_with_token(
    store: &Store,
    org: OrgId,
    name: &str,
    role: RoleId,
) -> (PersonId, String) {
    let id = person(store, org, name, role).await;
    let (_, t) = token(store, org, id).await;
    (id, t)
}
