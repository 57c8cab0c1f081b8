//! The admin API's wire format (`/api/v1/admin/...`), shared by the hub's handlers
//! and the `tapin admin` client.
//!
//! Guarantees: requests reject unknown fields; every answered object carries `id`,
//! and people carry `name`; lists are JSON arrays; field names are stable (scripts
//! read them). Secrets (tokens) appear only in the answer that creates them, and
//! their `Debug` is redacted. A PIN is only ever sent *to* the hub, never back.
//!
//! References: where a request names a person, role, team or job, it takes the id
//! or the exact name (names are matched case-insensitively; an ambiguous name is
//! refused with 400 asking for the id).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use uuid::Uuid;

use super::OrgId;
use crate::domain::{JobId, PersonId, RightSet, Role, RoleId, TeamId, TrackingMode};

/// Characters a name (person, role, team, job, organisation) may have.
pub const MAX_NAME_CHARS: usize = 200;
/// Characters a badge code may have.
pub const MAX_BADGE_CHARS: usize = 64;
/// Audit rows one request returns at most.
pub const MAX_AUDIT_ROWS: u32 = 1_000;

/// An admin token's id (not the secret).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenId(pub Uuid);

impl TokenId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for TokenId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for TokenId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// `Some(None)` for an explicit `null`, `None` when the field is absent: lets a
/// patch clear a value (`"badge": null`) or leave it (`badge` absent).
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

// --- small references -------------------------------------------------------

/// A person, by id and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: PersonId,
    pub name: String,
}

/// A role, by id, name and rank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRef {
    pub id: RoleId,
    pub name: String,
    pub rank: i32,
}

/// A team, by id and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRef {
    pub id: TeamId,
    pub name: String,
}

// --- who am I ---------------------------------------------------------------

/// `GET /api/v1/admin/whoami`: the token's owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoAmI {
    /// The person (or the site Administrator).
    pub id: Uuid,
    pub name: String,
    /// `None` for the site Administrator.
    pub org_id: Option<OrgId>,
    pub role: RoleView,
    pub token_id: TokenId,
}

// --- organisations ----------------------------------------------------------

/// `POST /api/v1/admin/orgs` (right `administer_site`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    pub name: String,
    /// The Top manager's name; "Top manager" when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_manager: Option<String>,
}

/// A new organisation, its Top manager and their token (shown this once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgCreated {
    pub id: OrgId,
    pub name: String,
    pub top_manager: PersonRef,
    pub token: TokenCreated,
}

/// `GET /api/v1/admin/settings`, and the answer to `PUT .../settings/date-lock`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettingsView {
    /// The organisation's id.
    pub id: OrgId,
    pub name: String,
    /// Entries dated before this day are locked (Anuko "lock date").
    pub date_lock: Option<NaiveDate>,
    pub utc_offset_secs: i32,
}

/// `PUT /api/v1/admin/settings/date-lock`; `null` lifts the lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetDateLock {
    pub date: Option<NaiveDate>,
}

// --- people -----------------------------------------------------------------

/// A person as admins see them. Never the PIN; the badge only for the person and
/// those who may manage them (else `badge` is `null` and `has_badge` says whether
/// one is set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: PersonId,
    pub name: String,
    pub mode: TrackingMode,
    pub role: RoleRef,
    pub team: Option<TeamRef>,
    pub badge: Option<String>,
    pub has_badge: bool,
    pub has_pin: bool,
    pub archived: bool,
    /// May check in to every job ("assign to all projects").
    pub all_jobs: bool,
    /// The jobs assigned, when `all_jobs` is false.
    pub jobs: Vec<JobId>,
}

/// `POST /api/v1/admin/people`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub name: String,
    /// `personal` when absent.
    #[serde(default = "personal")]
    pub mode: TrackingMode,
    /// Role id or name.
    pub role: String,
    /// Team id or name: the person's team, and a member of its crew.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
    /// 4 to 12 digits; stored only as an argon2id verifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    #[serde(default)]
    pub all_jobs: bool,
    /// Job ids or names (with `all_jobs` false).
    #[serde(default)]
    pub jobs: Vec<String>,
}

fn personal() -> TrackingMode {
    TrackingMode::Personal
}

/// `PATCH /api/v1/admin/people/{id}`: absent fields stay; `null` clears `team`,
/// `badge` or `pin`. `jobs` replaces the assigned jobs (and turns `all_jobs` off);
/// `all_jobs: true` gives every job, `all_jobs: false` alone leaves none assigned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<TrackingMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub team: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub badge: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub pin: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_jobs: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<Vec<String>>,
}

// --- roles ------------------------------------------------------------------

/// A role (the domain's, as it serialises: `id`, `name`, `rank`, `rights`,
/// `fixed`, `preset`) and how many people have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleView {
    #[serde(flatten)]
    pub role: Role,
    pub people: u64,
}

impl std::ops::Deref for RoleView {
    type Target = Role;
    fn deref(&self) -> &Role {
        &self.role
    }
}

/// `POST /api/v1/admin/roles`: a custom role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    pub name: String,
    pub rank: i32,
    #[serde(default)]
    pub rights: RightSet,
}

/// `PATCH /api/v1/admin/roles/{id}`: absent fields stay; `rights` replaces the set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rights: Option<RightSet>,
}

// --- teams ------------------------------------------------------------------

/// A lead and their crew, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub id: TeamId,
    pub name: String,
    pub lead: PersonRef,
    pub members: Vec<PersonRef>,
}

/// `POST /api/v1/admin/teams`; people by id or name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    pub name: String,
    pub lead: String,
    #[serde(default)]
    pub members: Vec<String>,
}

/// `PATCH /api/v1/admin/teams/{id}`: absent fields stay; `members` replaces the crew.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
}

// --- jobs -------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
    pub id: JobId,
    pub name: String,
    pub archived: bool,
}

/// `POST /api/v1/admin/jobs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewJob {
    pub name: String,
}

/// `PATCH /api/v1/admin/jobs/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `POST /api/v1/admin/jobs/{id}/assign`: give the job to these people (ids or
/// names), or with `all` to every person not archived.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignJob {
    #[serde(default)]
    pub people: Vec<String>,
    #[serde(default)]
    pub all: bool,
}

/// Who got a job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobAssigned {
    /// The job's id.
    pub id: JobId,
    pub name: String,
    /// The people whose access changed (those with every job already had it).
    pub people: Vec<PersonRef>,
}

// --- tokens -----------------------------------------------------------------

/// `POST /api/v1/admin/tokens`: a token for a person (id or name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub person: String,
}

/// A token just made: the secret is shown this once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCreated {
    pub id: TokenId,
    pub person: PersonRef,
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
}

impl fmt::Debug for TokenCreated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCreated")
            .field("id", &self.id)
            .field("person", &self.person)
            .field("token", &"<secret>")
            .finish()
    }
}

/// A token, without its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: TokenId,
    pub person: PersonRef,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
    pub revoked_at: Option<DateTime<Utc>>,
}

// --- rates ------------------------------------------------------------------

/// `POST /api/v1/admin/rates`: a person's hourly rate and cost from a day on,
/// until the next period starts (TrackingTime validity periods). Setting a period
/// that starts on the same day replaces it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRate {
    pub person: String,
    pub from: NaiveDate,
    /// Billable amount per hour, in cents.
    pub rate_cents: i64,
    /// Cost per hour, in cents.
    pub cost_cents: i64,
}

/// One validity period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateView {
    /// `PERSON_ID/YYYY-MM-DD`.
    pub id: String,
    pub person: PersonRef,
    pub from: NaiveDate,
    pub rate_cents: i64,
    pub cost_cents: i64,
}

// --- audit ------------------------------------------------------------------

/// One row of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// Who did it: a person's id (or the site Administrator's).
    pub actor: Uuid,
    pub actor_name: Option<String>,
    /// `person.add`, `role.edit`, `token.revoke`, ...
    pub action: String,
    /// The id of what was changed.
    pub target: Option<String>,
    /// What changed (never a secret).
    pub detail: serde_json::Value,
}
