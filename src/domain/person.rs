//! People, jobs and teams as the organisation configures them.
//!
//! Guarantees: plain data with serde; the only rule here is [`JobAccess::allows`]
//! (TrackingTime "project access", with "assign to all projects"). Every other rule
//! lives in the decision functions.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::ids::{JobId, PersonId, RoleId, TeamId};

/// How a person tracks time (PK4 user types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingMode {
    /// Clocks in and out; checks in to jobs only while clocked in; takes breaks.
    Personal,
    /// Only checks in and out of jobs; no workday clock, no breaks.
    Individual,
    /// A personal user who also punches their crew and starts and stops crew jobs.
    TeamLead,
    /// Clocked and checked in and out by their lead or by a kiosk, not by themselves.
    TeamMember,
}

impl TrackingMode {
    /// Whether the person has a workday clock (clock in/out, breaks).
    pub fn has_workday_clock(self) -> bool {
        !matches!(self, TrackingMode::Individual)
    }
}

/// Which jobs a person may check in to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "jobs", rename_all = "snake_case")]
pub enum JobAccess {
    /// "Assign to all projects".
    All,
    /// Only these jobs (empty: none).
    Only(BTreeSet<JobId>),
}

impl JobAccess {
    pub fn allows(&self, job: JobId) -> bool {
        match self {
            JobAccess::All => true,
            JobAccess::Only(jobs) => jobs.contains(&job),
        }
    }
}

impl Default for JobAccess {
    /// No jobs until an admin assigns some: the safe default.
    fn default() -> Self {
        JobAccess::Only(BTreeSet::new())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    /// The badge code read by the badge reader, if the person has one.
    pub badge: Option<String>,
    pub mode: TrackingMode,
    /// The team the person belongs to, for grouping in reports. Who may punch for
    /// whom follows [`Team::members`], not this field.
    pub team: Option<TeamId>,
    pub role: RoleId,
    /// Archived people cannot punch and leave every roster; their data stays.
    pub archived: bool,
    pub jobs: JobAccess,
}

/// A job (TrackingTime "project") people check in to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    pub name: String,
    /// Archived jobs take no new check-ins; past check-ins stay in reports.
    pub archived: bool,
}

/// A lead and their crew.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub lead: PersonId,
    /// The crew, in the order the lead sees them. The lead is not a member of
    /// their own crew.
    pub members: Vec<PersonId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn job_access_all_or_only_assigned_jobs() {
        let a = JobId(Uuid::from_u128(1));
        let b = JobId(Uuid::from_u128(2));
        assert!(JobAccess::All.allows(a));
        let only = JobAccess::Only([a].into());
        assert!(only.allows(a));
        assert!(!only.allows(b));
        assert!(!JobAccess::default().allows(a), "no access until assigned");
    }

    #[test]
    fn only_individual_users_have_no_workday_clock() {
        assert!(TrackingMode::Personal.has_workday_clock());
        assert!(TrackingMode::TeamLead.has_workday_clock());
        assert!(TrackingMode::TeamMember.has_workday_clock());
        assert!(!TrackingMode::Individual.has_workday_clock());
    }

    #[test]
    fn person_serde_round_trip() {
        let p = Person {
            id: PersonId(Uuid::from_u128(7)),
            name: "Pat".into(),
            badge: Some("0042".into()),
            mode: TrackingMode::TeamLead,
            team: None,
            role: RoleId(Uuid::from_u128(9)),
            archived: false,
            jobs: JobAccess::Only([JobId(Uuid::from_u128(3))].into()),
        };
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains(r#""mode":"team_lead""#), "{json}");
        assert!(json.contains(r#""jobs":{"type":"only","jobs":["#), "{json}");
        assert_eq!(serde_json::from_str::<Person>(&json).unwrap(), p);
        let all = serde_json::to_string(&JobAccess::All).unwrap();
        assert_eq!(all, r#"{"type":"all"}"#);
        assert_eq!(
            serde_json::from_str::<JobAccess>(&all).unwrap(),
            JobAccess::All
        );
    }
}
