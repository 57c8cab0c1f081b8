//! The organisation dump: every row of one organisation, as `tapin hub export`
//! writes it, `tapin hub import` reads it and `GET /api/v1/admin/export` serves
//! it. One format, `{"format": "tapin-org", "version": 1, ...}`.
//!
//! Guarantees:
//! - **Complete.** The organisation's settings and PIN pepper, roles, people (with
//!   PIN verifiers, never PINs), teams and crews, jobs and job access, devices
//!   (token hashes, never tokens) and enrollment codes (hashes), rosters, rates,
//!   admin tokens (hashes), events and the audit trail: every table row whose
//!   `org_id` is the organisation's. Site-level rows (the site Administrator, its
//!   tokens, audit rows of no organisation) are not part of it.
//! - **Lossless and deterministic.** Columns are carried as stored (ids as text,
//!   flags as booleans, instants as RFC 3339 UTC with microseconds, which is the
//!   stored precision; JSON columns as JSON). Each list is sorted by its key in
//!   byte order, not by a database collation, so the same rows always serialise
//!   to the same bytes, whatever the backend: export → import → export is
//!   byte-identical.
//! - **Self-contained.** Rows carry no `org_id`: the importer gives every row the
//!   dump's organisation, so a dump cannot write into another organisation.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The `format` field of every dump.
pub const FORMAT: &str = "tapin-org";
/// The version this build writes and reads.
pub const VERSION: u32 = 1;

/// A whole organisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgDump {
    pub format: String,
    pub version: u32,
    pub org: OrgRow,
    pub roles: Vec<RoleRow>,
    pub teams: Vec<TeamRow>,
    pub people: Vec<PersonRow>,
    pub team_members: Vec<TeamMemberRow>,
    pub jobs: Vec<JobRow>,
    pub person_jobs: Vec<PersonJobRow>,
    pub devices: Vec<DeviceRow>,
    pub enrollment_codes: Vec<EnrollmentCodeRow>,
    pub roster_entries: Vec<RosterEntryRow>,
    pub rates: Vec<RateRow>,
    pub tokens: Vec<TokenRow>,
    pub events: Vec<EventRow>,
    pub audit: Vec<AuditRow>,
}

impl OrgDump {
    /// Sorts every list by its key, byte order: the one canonical order.
    pub fn sort(&mut self) {
        self.roles.sort_by(|a, b| a.id.cmp(&b.id));
        self.teams.sort_by(|a, b| a.id.cmp(&b.id));
        self.people.sort_by(|a, b| a.id.cmp(&b.id));
        self.team_members
            .sort_by(|a, b| (&a.team_id, a.position).cmp(&(&b.team_id, b.position)));
        self.jobs.sort_by(|a, b| a.id.cmp(&b.id));
        self.person_jobs
            .sort_by(|a, b| (&a.person_id, &a.job_id).cmp(&(&b.person_id, &b.job_id)));
        self.devices.sort_by(|a, b| a.id.cmp(&b.id));
        self.enrollment_codes
            .sort_by(|a, b| a.code_hash.cmp(&b.code_hash));
        self.roster_entries
            .sort_by(|a, b| (&a.device_id, a.position).cmp(&(&b.device_id, b.position)));
        self.rates
            .sort_by(|a, b| (&a.person_id, &a.valid_from).cmp(&(&b.person_id, &b.valid_from)));
        self.tokens.sort_by(|a, b| a.id.cmp(&b.id));
        self.events.sort_by(|a, b| a.id.cmp(&b.id));
        self.audit.sort_by(|a, b| a.id.cmp(&b.id));
    }

    /// The dump as JSON text: pretty, with a final newline.
    pub fn to_json(&self) -> serde_json::Result<String> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub date_lock: Option<String>,
    pub utc_offset_secs: i64,
    /// Secret: keys every PIN verifier of the organisation.
    pub pin_pepper: String,
    pub version: i64,
    #[serde(with = "instant")]
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRow {
    pub id: String,
    pub name: String,
    pub rank: i64,
    pub rights: Value,
    pub fixed: bool,
    pub preset: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub lead_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub badge: Option<String>,
    pub mode: String,
    pub team_id: Option<String>,
    pub role_id: String,
    pub archived: bool,
    pub all_jobs: bool,
    /// argon2id of the PIN keyed with the organisation's pepper.
    pub pin_verifier: Option<String>,
    #[serde(with = "instant")]
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamMemberRow {
    pub team_id: String,
    pub person_id: String,
    pub position: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobRow {
    pub id: String,
    pub name: String,
    pub archived: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonJobRow {
    pub person_id: String,
    pub job_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceRow {
    pub id: String,
    pub name: String,
    /// `kiosk`, or `hub` for the organisation's own pseudo-device.
    pub kind: String,
    pub token_hash: Option<String>,
    pub revoked: bool,
    #[serde(with = "instant")]
    pub created_at: i64,
    #[serde(with = "opt_instant")]
    pub enrolled_at: Option<i64>,
    #[serde(with = "opt_instant")]
    pub last_seen: Option<i64>,
    pub roster_version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollmentCodeRow {
    pub code_hash: String,
    pub device_id: String,
    #[serde(with = "instant")]
    pub created_at: i64,
    #[serde(with = "instant")]
    pub expires_at: i64,
    #[serde(with = "opt_instant")]
    pub used_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterEntryRow {
    pub device_id: String,
    pub position: i64,
    pub group_name: Option<String>,
    pub person_id: Option<String>,
    pub team_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRow {
    pub person_id: String,
    pub valid_from: String,
    pub rate_cents: i64,
    pub cost_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRow {
    pub id: String,
    pub person_id: String,
    pub token_hash: String,
    #[serde(with = "instant")]
    pub created_at: i64,
    pub revoked: bool,
    #[serde(with = "opt_instant")]
    pub revoked_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRow {
    pub id: String,
    pub device_id: String,
    pub seq: i64,
    pub subject: String,
    pub kind: String,
    pub job_id: Option<String>,
    pub corrects: Option<String>,
    #[serde(with = "instant")]
    pub at: i64,
    #[serde(with = "instant")]
    pub received_at: i64,
    pub anomaly: Option<String>,
    /// The whole event as the hub understood it.
    pub body: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRow {
    pub id: String,
    pub actor: String,
    #[serde(with = "instant")]
    pub at: i64,
    pub action: String,
    pub target: Option<String>,
    pub detail: Value,
}

fn to_text(us: i64) -> Result<String, String> {
    DateTime::<Utc>::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true))
        .ok_or_else(|| format!("instant {us} µs is out of range"))
}

fn from_text(text: &str) -> Result<i64, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc).timestamp_micros())
        .map_err(|e| format!("{text:?} is not an RFC 3339 instant: {e}"))
}

/// A stored instant (unix microseconds) as RFC 3339 UTC with six decimals.
mod instant {
    use super::*;

    pub fn serialize<S: Serializer>(us: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_text(*us).map_err(serde::ser::Error::custom)?)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let text = String::deserialize(d)?;
        from_text(&text).map_err(serde::de::Error::custom)
    }
}

/// [`instant`], or `null`.
mod opt_instant {
    use super::*;

    pub fn serialize<S: Serializer>(us: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match us {
            Some(us) => instant::serialize(us, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| from_text(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_at_microsecond_precision() {
        for us in [0, 1, 1_700_000_000_123_456, -1_000_001] {
            assert_eq!(from_text(&to_text(us).unwrap()).unwrap(), us);
        }
        assert_eq!(
            to_text(1_700_000_000_123_456).unwrap(),
            "2023-11-14T22:13:20.123456Z"
        );
        assert!(from_text("yesterday").is_err());
    }
}
