//! `tapin admin device add|list|show|rename|revoke` and
//! `tapin admin device roster show|set`.
//!
//! Guarantees: `device add --json` prints exactly `{"id": ..., "enrollment_code":
//! ...}`; every other `--json` output is the hub's answer as is (lists are
//! arrays); tables are sanitized (see `super::render`). Roster semantics: `set`
//! replaces the entries of one group (`--group NAME`, or the entries in no group
//! when it is absent) with `--people` in the order given, then `--teams` in the
//! order given, in the group's place; other groups stay; an empty set removes the
//! group. See `crate::wire::admin_devices`.

use clap::Subcommand;
use reqwest::Method;

use super::client::Client;
use super::render::{print_fields, print_json, print_table};
use super::{Output, items};
use crate::wire::admin_devices::{
    DeviceCreated, DevicePatch, DeviceView, NewDevice, RosterEntryKind, RosterView, SetRoster,
};

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Add a kiosk; prints its one-time enrollment code (valid 24 h)
    Add { name: String },
    /// The kiosks of the organisation
    List,
    /// One kiosk
    Show {
        /// Device id or name
        device: String,
    },
    /// Rename a kiosk
    Rename {
        /// Device id or name
        device: String,
        name: String,
    },
    /// Revoke a kiosk: it is refused from now on; its events stay
    Revoke {
        /// Device id or name
        device: String,
    },
    /// Who a kiosk shows
    #[command(subcommand)]
    Roster(RosterCommand),
}

#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// A kiosk's roster, in the order it shows it
    Show {
        /// Device id or name
        device: String,
    },
    /// Replace one group (tab) of a kiosk's roster: people in the order given,
    /// then teams; other groups stay; nothing given removes the group
    Set {
        /// Device id or name
        device: String,
        /// People (ids or names), comma-separated
        #[arg(long, value_delimiter = ',')]
        people: Vec<String>,
        /// Teams (ids or names), comma-separated: each shows its lead and crew
        #[arg(long, value_delimiter = ',')]
        teams: Vec<String>,
        /// The tab; without it, the entries in no tab are replaced
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
    },
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(
        || "-".to_owned(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

fn print_devices(devices: &[DeviceView]) {
    let rows: Vec<Vec<String>> = devices
        .iter()
        .map(|d| {
            vec![
                d.id.to_string(),
                d.name.clone(),
                d.status.name().to_owned(),
                time(d.last_seen),
                d.roster_entries.to_string(),
            ]
        })
        .collect();
    print_table(&["ID", "NAME", "STATUS", "LAST SEEN", "ROSTER"], &rows);
}

fn print_roster(roster: &RosterView) {
    println!(
        "{} ({})",
        crate::sanitize::for_terminal(&roster.name),
        roster.id
    );
    let rows: Vec<Vec<String>> = roster
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let kind = match e.kind {
                RosterEntryKind::Person => "person",
                RosterEntryKind::Team => "team",
            };
            vec![
                (i + 1).to_string(),
                e.group.clone().unwrap_or_else(|| "-".to_owned()),
                kind.to_owned(),
                e.id.to_string(),
                if e.archived {
                    format!("{} (archived)", e.name)
                } else {
                    e.name.clone()
                },
            ]
        })
        .collect();
    print_table(&["#", "GROUP", "TYPE", "ID", "NAME"], &rows);
}

pub async fn run(client: &Client, out: Output, cmd: &DeviceCommand) -> anyhow::Result<()> {
    match cmd {
        DeviceCommand::Add { name } => {
            let made: DeviceCreated = client
                .send(
                    Method::POST,
                    &["devices"],
                    &NewDevice { name: name.clone() },
                )
                .await?;
            if out == Output::Json {
                /// Exactly these two fields, in this order.
                #[derive(serde::Serialize)]
                struct Added<'a> {
                    id: crate::domain::DeviceId,
                    enrollment_code: &'a str,
                }
                return print_json(&Added {
                    id: made.id,
                    enrollment_code: &made.enrollment_code,
                });
            }
            print_fields(&[
                ("id", made.id.to_string()),
                ("name", made.name.clone()),
                ("enrollment code", made.enrollment_code.clone()),
                ("valid until", time(Some(made.expires_at))),
            ]);
            println!();
            println!(
                "Type the code on the kiosk to enroll it. It works once and is shown only now."
            );
            Ok(())
        }
        DeviceCommand::List => {
            let devices: Vec<DeviceView> = client.get(&["devices"], &[]).await?;
            match out {
                Output::Json => print_json(&devices),
                Output::Table => {
                    print_devices(&devices);
                    Ok(())
                }
            }
        }
        DeviceCommand::Show { device } => {
            let d: DeviceView = client.get(&["devices", device], &[]).await?;
            show(out, &d)
        }
        DeviceCommand::Rename { device, name } => {
            let d: DeviceView = client
                .send(
                    Method::PATCH,
                    &["devices", device],
                    &DevicePatch { name: name.clone() },
                )
                .await?;
            show(out, &d)
        }
        DeviceCommand::Revoke { device } => {
            let d: DeviceView = client
                .call(
                    Method::POST,
                    &["devices", device, "revoke"],
                    &[],
                    None::<&()>,
                )
                .await?;
            show(out, &d)
        }
        DeviceCommand::Roster(RosterCommand::Show { device }) => {
            let roster: RosterView = client.get(&["devices", device, "roster"], &[]).await?;
            roster_out(out, &roster)
        }
        DeviceCommand::Roster(RosterCommand::Set {
            device,
            people,
            teams,
            group,
        }) => {
            let req = SetRoster {
                group: group.clone(),
                people: items(people),
                teams: items(teams),
            };
            let roster: RosterView = client
                .send(Method::PUT, &["devices", device, "roster"], &req)
                .await?;
            roster_out(out, &roster)
        }
    }
}

fn show(out: Output, d: &DeviceView) -> anyhow::Result<()> {
    if out == Output::Json {
        return print_json(d);
    }
    print_fields(&[
        ("id", d.id.to_string()),
        ("name", d.name.clone()),
        ("status", d.status.name().to_owned()),
        ("created", time(Some(d.created_at))),
        ("enrolled", time(d.enrolled_at)),
        ("last seen", time(d.last_seen)),
        ("code valid until", time(d.code_expires_at)),
        ("roster entries", d.roster_entries.to_string()),
    ]);
    Ok(())
}

fn roster_out(out: Output, roster: &RosterView) -> anyhow::Result<()> {
    match out {
        Output::Json => print_json(roster),
        Output::Table => {
            print_roster(roster);
            Ok(())
        }
    }
}
