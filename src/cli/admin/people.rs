//! `tapin admin person add|edit|list|show|archive|unarchive`.

use clap::Subcommand;
use reqwest::Method;

use super::client::Client;
use super::render::{print_fields, print_json, print_table, yes};
use super::{Output, items, pin_from_stdin};
use crate::domain::TrackingMode;
use crate::wire::admin::{NewPerson, PersonPatch, PersonView};

fn mode(s: &str) -> Result<TrackingMode, String> {
    match s.replace('-', "_").to_ascii_lowercase().as_str() {
        "personal" => Ok(TrackingMode::Personal),
        "individual" => Ok(TrackingMode::Individual),
        "team_lead" => Ok(TrackingMode::TeamLead),
        "team_member" => Ok(TrackingMode::TeamMember),
        _ => Err("one of personal, individual, team-lead, team-member".into()),
    }
}

fn mode_name(m: TrackingMode) -> &'static str {
    match m {
        TrackingMode::Personal => "personal",
        TrackingMode::Individual => "individual",
        TrackingMode::TeamLead => "team-lead",
        TrackingMode::TeamMember => "team-member",
    }
}

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Add a person
    Add {
        name: String,
        /// Role id or name (see `role list`)
        #[arg(long)]
        role: String,
        /// personal, individual, team-lead or team-member
        #[arg(long, value_parser = mode, default_value = "personal")]
        mode: TrackingMode,
        /// Team id or name: the person's team (they join its crew)
        #[arg(long)]
        team: Option<String>,
        /// Badge code read by the badge reader
        #[arg(long)]
        badge: Option<String>,
        /// PIN (4-12 digits); prefer --pin-stdin, which keeps it out of shell history
        #[arg(long, conflicts_with = "pin_stdin")]
        pin: Option<String>,
        /// Read the PIN from the first line of stdin
        #[arg(long)]
        pin_stdin: bool,
        /// May check in to every job
        #[arg(long, conflicts_with = "jobs")]
        all_jobs: bool,
        /// Jobs (ids or names) the person may check in to
        #[arg(long, value_delimiter = ',')]
        jobs: Vec<String>,
    },
    /// Change a person (only what is given changes)
    Edit {
        /// Person id or name
        person: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_parser = mode)]
        mode: Option<TrackingMode>,
        /// Role id or name
        #[arg(long)]
        role: Option<String>,
        #[arg(long, conflicts_with = "no_team")]
        team: Option<String>,
        /// Take the person out of their team
        #[arg(long)]
        no_team: bool,
        #[arg(long, conflicts_with = "no_badge")]
        badge: Option<String>,
        /// Remove the badge
        #[arg(long)]
        no_badge: bool,
        #[arg(long, conflicts_with_all = ["pin_stdin", "no_pin"])]
        pin: Option<String>,
        #[arg(long, conflicts_with = "no_pin")]
        pin_stdin: bool,
        /// Remove the PIN
        #[arg(long)]
        no_pin: bool,
        #[arg(long, conflicts_with_all = ["jobs", "no_jobs"])]
        all_jobs: bool,
        /// Replace the jobs (ids or names)
        #[arg(long, value_delimiter = ',', conflicts_with = "no_jobs")]
        jobs: Vec<String>,
        /// No job at all
        #[arg(long)]
        no_jobs: bool,
    },
    /// List people (active ones unless told otherwise)
    List {
        /// Archived people only
        #[arg(long, conflicts_with = "all")]
        archived: bool,
        /// Active and archived people
        #[arg(long)]
        all: bool,
    },
    /// Show one person
    Show { person: String },
    /// Archive: off every roster, cannot punch, data kept
    Archive { person: String },
    /// Unarchive
    Unarchive { person: String },
}

pub async fn run(client: &Client, out: Output, cmd: &PersonCommand) -> anyhow::Result<()> {
    match cmd {
        PersonCommand::Add {
            name,
            role,
            mode,
            team,
            badge,
            pin,
            pin_stdin,
            all_jobs,
            jobs,
        } => {
            let pin = match (pin, pin_stdin) {
                (_, true) => Some(pin_from_stdin()?),
                (pin, false) => pin.clone(),
            };
            let req = NewPerson {
                name: name.clone(),
                mode: *mode,
                role: role.clone(),
                team: team.clone(),
                badge: badge.clone(),
                pin,
                all_jobs: *all_jobs,
                jobs: items(jobs),
            };
            let p: PersonView = client.send(Method::POST, &["people"], &req).await?;
            show(out, &p)
        }
        PersonCommand::Edit {
            person,
            name,
            mode,
            role,
            team,
            no_team,
            badge,
            no_badge,
            pin,
            pin_stdin,
            no_pin,
            all_jobs,
            jobs,
            no_jobs,
        } => {
            let pin = if *no_pin {
                Some(None)
            } else if *pin_stdin {
                Some(Some(pin_from_stdin()?))
            } else {
                pin.clone().map(Some)
            };
            let jobs = items(jobs);
            let patch = PersonPatch {
                name: name.clone(),
                mode: *mode,
                role: role.clone(),
                team: if *no_team {
                    Some(None)
                } else {
                    team.clone().map(Some)
                },
                badge: if *no_badge {
                    Some(None)
                } else {
                    badge.clone().map(Some)
                },
                pin,
                all_jobs: if *all_jobs || *no_jobs {
                    Some(*all_jobs)
                } else {
                    None
                },
                jobs: if jobs.is_empty() { None } else { Some(jobs) },
            };
            anyhow::ensure!(
                patch != PersonPatch::default(),
                "nothing to change: give at least one option (see --help)"
            );
            let p: PersonView = client
                .send(Method::PATCH, &["people", person], &patch)
                .await?;
            show(out, &p)
        }
        PersonCommand::List { archived, all } => {
            let status = if *all {
                "all"
            } else if *archived {
                "archived"
            } else {
                "active"
            };
            let people: Vec<PersonView> = client
                .get(&["people"], &[("status", status.to_owned())])
                .await?;
            list(out, &people)
        }
        PersonCommand::Show { person } => {
            let p: PersonView = client.get(&["people", person], &[]).await?;
            show(out, &p)
        }
        PersonCommand::Archive { person } | PersonCommand::Unarchive { person } => {
            let verb = if matches!(cmd, PersonCommand::Archive { .. }) {
                "archive"
            } else {
                "unarchive"
            };
            let p: PersonView = client
                .send(
                    Method::POST,
                    &["people", person, verb],
                    &serde_json::json!({}),
                )
                .await?;
            show(out, &p)
        }
    }
}

fn badge(p: &PersonView) -> String {
    match (&p.badge, p.has_badge) {
        (Some(b), _) => b.clone(),
        (None, true) => "(hidden)".into(),
        (None, false) => "-".into(),
    }
}

fn jobs(p: &PersonView) -> String {
    if p.all_jobs {
        "all".into()
    } else {
        p.jobs.len().to_string()
    }
}

fn list(out: Output, people: &[PersonView]) -> anyhow::Result<()> {
    if out == Output::Json {
        return print_json(&people);
    }
    let rows: Vec<Vec<String>> = people
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                p.name.clone(),
                p.role.name.clone(),
                mode_name(p.mode).into(),
                p.team.as_ref().map_or("-".into(), |t| t.name.clone()),
                badge(p),
                yes(p.has_pin),
                jobs(p),
                yes(p.archived),
            ]
        })
        .collect();
    print_table(
        &[
            "ID", "NAME", "ROLE", "MODE", "TEAM", "BADGE", "PIN", "JOBS", "ARCHIVED",
        ],
        &rows,
    );
    Ok(())
}

fn show(out: Output, p: &PersonView) -> anyhow::Result<()> {
    if out == Output::Json {
        return print_json(p);
    }
    let job_list = if p.all_jobs {
        "all jobs".to_owned()
    } else if p.jobs.is_empty() {
        "none".to_owned()
    } else {
        p.jobs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    print_fields(&[
        ("id", p.id.to_string()),
        ("name", p.name.clone()),
        ("role", format!("{} (rank {})", p.role.name, p.role.rank)),
        ("mode", mode_name(p.mode).into()),
        (
            "team",
            p.team.as_ref().map_or("-".into(), |t| t.name.clone()),
        ),
        ("badge", badge(p)),
        (
            "pin",
            if p.has_pin {
                "set".into()
            } else {
                "not set".into()
            },
        ),
        ("jobs", job_list),
        ("archived", yes(p.archived)),
    ]);
    Ok(())
}
