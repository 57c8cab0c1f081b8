//! Why a tap was refused, in words a person at a kiosk understands.
//!
//! Guarantees: every refusal is a typed variant (callers match on it, tests compare
//! it) and its `Display` is one or two short plain sentences saying what is wrong
//! and, where there is one, what to do. Messages say "you" when the person at the
//! device is the one concerned, and the person's name otherwise. Names come from
//! the directory unsanitized: the terminal layer sanitizes every string it draws.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::rights::Right;

/// Whom a message is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum Who {
    /// The person at the device.
    You,
    /// Someone else, by name.
    Named(String),
}

impl Who {
    /// "You are" / "Sam is".
    fn are(&self) -> String {
        match self {
            Who::You => "You are".into(),
            Who::Named(n) => format!("{n} is"),
        }
    }

    /// "You have" / "Sam has".
    fn have(&self) -> String {
        match self {
            Who::You => "You have".into(),
            Who::Named(n) => format!("{n} has"),
        }
    }

    /// "you" / "Sam", mid-sentence.
    fn they(&self) -> String {
        match self {
            Who::You => "you".into(),
            Who::Named(n) => n.clone(),
        }
    }

    /// "your" / "Sam's".
    fn your(&self) -> String {
        match self {
            Who::You => "your".into(),
            Who::Named(n) => format!("{n}'s"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    // --- Who and what -------------------------------------------------------
    #[error("That person is not on this device's list. Ask an admin.")]
    UnknownPerson,
    #[error("{} no role set up. Ask an admin.", .who.have())]
    NoRole { who: Who },
    #[error("{} archived and cannot punch. Ask an admin to restore {} account.", .who.are(), .who.your())]
    Archived { who: Who },
    #[error("That job is not on this device's list. Pick another job.")]
    UnknownJob,
    #[error("The job \"{job}\" is closed. Pick another job.")]
    ArchivedJob { job: String },
    #[error("{} not assigned to the job \"{job}\". Ask an admin for access.", .who.are())]
    JobNotAssigned { who: Who, job: String },

    // --- Tracking modes ------------------------------------------------------
    #[error("There is no clock in, clock out or break for {}: {} time is kept by job only. Check in to a job instead.", .who.they(), .who.your())]
    NoWorkdayClock { who: Who },
    #[error("Your team lead clocks you in and out. Ask your lead.")]
    TeamMemberSelfPunch,
    #[error("Only a team lead can do this for a crew.")]
    NotATeamLead,
    #[error("{name} is not in your crew.")]
    NotInYourCrew { name: String },
    #[error("Pick at least one crew member.")]
    NoMembersChosen,
    #[error("Everyone you picked is already clocked in.")]
    CrewAllClockedIn,
    #[error("Everyone you picked is already clocked out.")]
    CrewAllClockedOut,
    #[error(
        "Nobody in your crew is clocked in, so nobody can start \"{job}\". Clock them in first."
    )]
    NoCrewClockedIn { job: String },
    #[error("Everyone in your crew who is clocked in is already on \"{job}\".")]
    CrewAlreadyOnJob { job: String },
    #[error("Nobody in your crew is checked in to this job.")]
    NoCrewOnJob,
    #[error("You can report a missed punch only for yourself or your crew.")]
    MissedPunchNotYours,

    // --- Punch state ----------------------------------------------------------
    #[error("{} already clocked in.", .who.are())]
    AlreadyClockedIn { who: Who },
    #[error("{} not clocked in.", .who.are())]
    NotClockedIn { who: Who },
    #[error("{} not clocked in, so {} cannot check in to a job. Clock in first.", .who.are(), .who.they())]
    CheckInNeedsClockIn { who: Who },
    #[error("{} not clocked in, so {} cannot start a break.", .who.are(), .who.they())]
    BreakNeedsClockIn { who: Who },
    #[error("{} on a break. End the break first.", .who.are())]
    OnBreak { who: Who },
    #[error("{} already on a break.", .who.are())]
    AlreadyOnBreak { who: Who },
    #[error("{} not on a break.", .who.are())]
    NotOnBreak { who: Who },
    #[error("{} already checked in to \"{job}\".", .who.are())]
    AlreadyOnJob { who: Who, job: String },
    #[error("{} checked in to \"{job}\". Check out first, or switch jobs.", .who.are())]
    CheckedInElsewhere { who: Who, job: String },
    #[error("{} not checked in to a job.", .who.are())]
    NotCheckedIn { who: Who },

    // --- Entered times and corrections ----------------------------------------
    #[error("That time is in the future. Enter a time that has already passed.")]
    FutureTime,
    #[error(
        "That time is before the last punch. Enter a later time, or ask a supervisor to correct the earlier punch."
    )]
    BeforeLastPunch { last: DateTime<Utc> },
    #[error("Days before {lock} are closed for changes. Ask a supervisor.")]
    DateLocked { lock: NaiveDate },
    #[error("Please give a reason for this change.")]
    ReasonRequired,
    #[error("The new time is the same as the old one, so there is nothing to change.")]
    SameTime,

    // --- Rights and rank --------------------------------------------------------
    /// The right is kept for logs and the admin screen; the kiosk message stays plain.
    #[error("Your role does not allow this. Ask a supervisor.")]
    MissingRight { right: Right },
    #[error("You can do this only for people whose role ranks below yours.")]
    RankTooLow,
    #[error("The kiosk cannot do this on its own. Sign in with your badge or PIN first.")]
    KioskCannot,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_plainly_for_you_and_for_others() {
        let sam = || Who::Named("Sam".into());
        let table: Vec<(Refusal, &str)> = vec![
            (
                Refusal::CheckInNeedsClockIn { who: Who::You },
                "You are not clocked in, so you cannot check in to a job. Clock in first.",
            ),
            (
                Refusal::CheckInNeedsClockIn { who: sam() },
                "Sam is not clocked in, so Sam cannot check in to a job. Clock in first.",
            ),
            (
                Refusal::Archived { who: Who::You },
                "You are archived and cannot punch. Ask an admin to restore your account.",
            ),
            (
                Refusal::Archived { who: sam() },
                "Sam is archived and cannot punch. Ask an admin to restore Sam's account.",
            ),
            (
                Refusal::NoRole { who: sam() },
                "Sam has no role set up. Ask an admin.",
            ),
            (
                Refusal::NoWorkdayClock { who: Who::You },
                "There is no clock in, clock out or break for you: your time is kept by job only. Check in to a job instead.",
            ),
            (
                Refusal::CheckedInElsewhere {
                    who: Who::You,
                    job: "Roofing".into(),
                },
                "You are checked in to \"Roofing\". Check out first, or switch jobs.",
            ),
            (
                Refusal::DateLocked {
                    lock: NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
                },
                "Days before 2024-05-01 are closed for changes. Ask a supervisor.",
            ),
            (
                Refusal::MissingRight {
                    right: Right::OverridePunchMode,
                },
                "Your role does not allow this. Ask a supervisor.",
            ),
        ];
        for (refusal, text) in table {
            assert_eq!(refusal.to_string(), text);
        }
    }

    #[test]
    fn refusals_serialize_with_a_stable_tag() {
        let r = Refusal::MissingRight {
            right: Right::TrackTime,
        };
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"refusal":"missing_right","right":"track_time"}"#);
        assert_eq!(serde_json::from_str::<Refusal>(&json).unwrap(), r);
        let who = serde_json::to_string(&Refusal::NotClockedIn {
            who: Who::Named("Sam".into()),
        })
        .unwrap();
        assert_eq!(
            who,
            r#"{"refusal":"not_clocked_in","who":{"type":"named","name":"Sam"}}"#
        );
    }

    #[test]
    fn messages_are_short_and_free_of_jargon() {
        // A sample of every shape; none mentions rights, ranks by number, or ids.
        let samples = [
            Refusal::UnknownPerson,
            Refusal::UnknownJob,
            Refusal::TeamMemberSelfPunch,
            Refusal::NotATeamLead,
            Refusal::FutureTime,
            Refusal::ReasonRequired,
            Refusal::RankTooLow,
            Refusal::KioskCannot,
            Refusal::MissingRight {
                right: Right::ManageUsers,
            },
            Refusal::BeforeLastPunch {
                last: DateTime::<Utc>::MIN_UTC,
            },
        ];
        for r in samples {
            let msg = r.to_string();
            assert!(msg.len() <= 140, "{msg}");
            assert!(!msg.contains('_'), "no snake_case names: {msg}");
            assert!(msg.ends_with('.'), "{msg}");
        }
    }
}
