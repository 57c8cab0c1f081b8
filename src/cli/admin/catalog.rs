//! `tapin admin role|team|job ...`.

use clap::Subcommand;
use reqwest::Method;

use super::client::Client;
use super::render::{print_fields, print_json, print_table, yes};
use super::{Output, items};
use crate::domain::{Right, RightSet};
use crate::sanitize::for_terminal;
use crate::wire::admin::{
    AssignJob, JobAssigned, JobPatch, JobView, NewJob, NewRole, NewTeam, RolePatch, RoleView,
    TeamPatch, TeamView,
};

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Roles, highest rank first
    List,
    /// Add a custom role (rank below yours, only rights you hold)
    Add {
        name: String,
        #[arg(long, allow_negative_numbers = true)]
        rank: i32,
        /// Right names, comma-separated (e.g. track_own_time,view_own_reports)
        #[arg(long, value_delimiter = ',')]
        rights: Vec<String>,
    },
    /// Change a role (not Administrator or Top manager)
    Edit {
        /// Role id or name
        role: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, allow_negative_numbers = true)]
        rank: Option<i32>,
        /// Replace the rights (comma-separated right names)
        #[arg(long, value_delimiter = ',')]
        rights: Option<Vec<String>>,
    },
    /// Remove a role nobody has
    Remove { role: String },
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Teams with their crews
    List,
    /// Add a team
    Add {
        name: String,
        /// The lead (person id or name)
        #[arg(long)]
        lead: String,
        /// The crew, in order (person ids or names, comma-separated)
        #[arg(long, value_delimiter = ',')]
        members: Vec<String>,
    },
    /// Change a team's name, lead or crew
    Edit {
        /// Team id or name
        team: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        lead: Option<String>,
        /// Replace the crew (comma-separated); an empty string empties it
        #[arg(long, value_delimiter = ',')]
        members: Option<Vec<String>>,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// Jobs, archived ones too
    List,
    /// Add a job
    Add { name: String },
    /// Rename a job
    Edit {
        /// Job id or name
        job: String,
        #[arg(long)]
        name: String,
    },
    /// Archive a job: no new check-ins, past ones stay
    Archive { job: String },
    /// Unarchive a job
    Unarchive { job: String },
    /// Give a job to people, or to everyone you may manage
    Assign {
        job: String,
        /// People (ids or names, comma-separated)
        #[arg(
            long,
            value_delimiter = ',',
            required_unless_present = "all",
            conflicts_with = "all"
        )]
        people: Vec<String>,
        #[arg(long)]
        all: bool,
    },
}

fn rights(names: &[String]) -> anyhow::Result<RightSet> {
    items(names)
        .iter()
        .map(|n| n.parse::<Right>().map_err(anyhow::Error::from))
        .collect()
}

pub async fn role(client: &Client, out: Output, cmd: &RoleCommand) -> anyhow::Result<()> {
    let one: RoleView = match cmd {
        RoleCommand::List => {
            let roles: Vec<RoleView> = client.get(&["roles"], &[]).await?;
            if out == Output::Json {
                return print_json(&roles);
            }
            let rows: Vec<Vec<String>> = roles
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.name.clone(),
                        r.rank.to_string(),
                        if r.fixed { "fixed".into() } else { "-".into() },
                        r.people.to_string(),
                        r.rights.len().to_string(),
                    ]
                })
                .collect();
            print_table(&["ID", "NAME", "RANK", "FIXED", "PEOPLE", "RIGHTS"], &rows);
            return Ok(());
        }
        RoleCommand::Add {
            name,
            rank,
            rights: r,
        } => {
            let req = NewRole {
                name: name.clone(),
                rank: *rank,
                rights: rights(r)?,
            };
            client.send(Method::POST, &["roles"], &req).await?
        }
        RoleCommand::Edit {
            role,
            name,
            rank,
            rights: r,
        } => {
            let patch = RolePatch {
                name: name.clone(),
                rank: *rank,
                rights: r.as_deref().map(rights).transpose()?,
            };
            anyhow::ensure!(
                patch != RolePatch::default(),
                "nothing to change: give --name, --rank or --rights"
            );
            client.send(Method::PATCH, &["roles", role], &patch).await?
        }
        RoleCommand::Remove { role } => {
            client
                .call(Method::DELETE, &["roles", role], &[], None::<&()>)
                .await?
        }
    };
    if out == Output::Json {
        return print_json(&one);
    }
    print_fields(&[
        ("id", one.id.to_string()),
        ("name", one.name.clone()),
        ("rank", one.rank.to_string()),
        ("fixed", one.fixed.to_string()),
        ("people", one.people.to_string()),
        ("rights", one.rights.to_string()),
    ]);
    Ok(())
}

fn team_rows(teams: &[TeamView]) -> Vec<Vec<String>> {
    teams
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                t.name.clone(),
                t.lead.name.clone(),
                t.members
                    .iter()
                    .map(|m| m.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect()
}

pub async fn team(client: &Client, out: Output, cmd: &TeamCommand) -> anyhow::Result<()> {
    let teams: Vec<TeamView> = match cmd {
        TeamCommand::List => {
            let teams: Vec<TeamView> = client.get(&["teams"], &[]).await?;
            if out == Output::Json {
                return print_json(&teams);
            }
            teams
        }
        TeamCommand::Add {
            name,
            lead,
            members,
        } => {
            let req = NewTeam {
                name: name.clone(),
                lead: lead.clone(),
                members: items(members),
            };
            let t: TeamView = client.send(Method::POST, &["teams"], &req).await?;
            if out == Output::Json {
                return print_json(&t);
            }
            vec![t]
        }
        TeamCommand::Edit {
            team,
            name,
            lead,
            members,
        } => {
            let patch = TeamPatch {
                name: name.clone(),
                lead: lead.clone(),
                members: members.as_deref().map(items),
            };
            anyhow::ensure!(
                patch != TeamPatch::default(),
                "nothing to change: give --name, --lead or --members"
            );
            let t: TeamView = client.send(Method::PATCH, &["teams", team], &patch).await?;
            if out == Output::Json {
                return print_json(&t);
            }
            vec![t]
        }
    };
    print_table(&["ID", "NAME", "LEAD", "CREW"], &team_rows(&teams));
    Ok(())
}

pub async fn job(client: &Client, out: Output, cmd: &JobCommand) -> anyhow::Result<()> {
    let empty = serde_json::json!({});
    let jobs: Vec<JobView> = match cmd {
        JobCommand::List => {
            let jobs: Vec<JobView> = client.get(&["jobs"], &[]).await?;
            if out == Output::Json {
                return print_json(&jobs);
            }
            jobs
        }
        JobCommand::Add { name } => {
            let j: JobView = client
                .send(Method::POST, &["jobs"], &NewJob { name: name.clone() })
                .await?;
            if out == Output::Json {
                return print_json(&j);
            }
            vec![j]
        }
        JobCommand::Edit { job, name } => {
            let patch = JobPatch {
                name: Some(name.clone()),
            };
            let j: JobView = client.send(Method::PATCH, &["jobs", job], &patch).await?;
            if out == Output::Json {
                return print_json(&j);
            }
            vec![j]
        }
        JobCommand::Archive { job } | JobCommand::Unarchive { job } => {
            let verb = if matches!(cmd, JobCommand::Archive { .. }) {
                "archive"
            } else {
                "unarchive"
            };
            let j: JobView = client
                .send(Method::POST, &["jobs", job, verb], &empty)
                .await?;
            if out == Output::Json {
                return print_json(&j);
            }
            vec![j]
        }
        JobCommand::Assign { job, people, all } => {
            let req = AssignJob {
                people: items(people),
                all: *all,
            };
            let done: JobAssigned = client
                .send(Method::POST, &["jobs", job, "assign"], &req)
                .await?;
            if out == Output::Json {
                return print_json(&done);
            }
            println!(
                "{} now assigned to {} more people",
                for_terminal(&done.name),
                done.people.len()
            );
            let rows: Vec<Vec<String>> = done
                .people
                .iter()
                .map(|p| vec![p.id.to_string(), p.name.clone()])
                .collect();
            print_table(&["ID", "NAME"], &rows);
            return Ok(());
        }
    };
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|j| vec![j.id.to_string(), j.name.clone(), yes(j.archived)])
        .collect();
    print_table(&["ID", "NAME", "ARCHIVED"], &rows);
    Ok(())
}
