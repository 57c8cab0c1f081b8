//! `tapin admin whoami|org|token|rate|lock|audit`.

use chrono::NaiveDate;
use clap::Subcommand;
use reqwest::Method;

use super::Output;
use super::client::Client;
use super::render::{money, print_fields, print_json, print_table};
use crate::sanitize::for_terminal;
use crate::wire::admin::{
    AuditView, NewOrg, NewToken, OrgCreated, OrgSettingsView, RateView, SetDateLock, SetRate,
    TokenCreated, TokenView, WhoAmI,
};

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Add an organisation with the preset roles and its Top manager (prints their token once)
    Add {
        name: String,
        /// The Top manager's name
        #[arg(long, default_value = "Top manager")]
        top_manager: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make an admin token for a person (shown once)
    Create {
        /// Person id or name
        person: String,
    },
    /// Your tokens and those of people you may manage
    List,
    /// Revoke a token
    Revoke {
        /// The token's id (see `token list`)
        token_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RateCommand {
    /// Set a person's hourly rate and cost from a day on
    Set {
        /// Person id or name
        person: String,
        /// First day the rate applies (YYYY-MM-DD)
        #[arg(long)]
        from: NaiveDate,
        /// Billable amount per hour, e.g. 45.00
        #[arg(long, value_parser = cents)]
        rate: i64,
        /// Cost per hour, e.g. 30.50
        #[arg(long, value_parser = cents)]
        cost: i64,
    },
    /// Rate periods (of one person, when given)
    List { person: Option<String> },
}

#[derive(Debug, Subcommand)]
pub enum LockCommand {
    /// Lock entries dated before DATE (YYYY-MM-DD)
    Set { date: NaiveDate },
    /// Lift the date lock
    Clear,
    /// Show the date lock
    Show,
}

/// `12`, `12.5` or `12.50` as cents; no sign, at most two decimals.
fn cents(text: &str) -> Result<i64, String> {
    let bad = || format!("{text:?} is not an amount like 12.50");
    let (whole, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(frac))
        .ok_or_else(bad)
}

pub async fn whoami(client: &Client, out: Output) -> anyhow::Result<()> {
    let me: WhoAmI = client.get(&["whoami"], &[]).await?;
    if out == Output::Json {
        return print_json(&me);
    }
    print_fields(&[
        ("id", me.id.to_string()),
        ("name", me.name.clone()),
        (
            "organisation",
            me.org_id
                .map_or("(site Administrator)".into(), |o| o.to_string()),
        ),
        ("role", format!("{} (rank {})", me.role.name, me.role.rank)),
        ("rights", me.role.rights.to_string()),
        ("token", me.token_id.to_string()),
    ]);
    Ok(())
}

pub async fn org(client: &Client, out: Output, cmd: &OrgCommand) -> anyhow::Result<()> {
    let OrgCommand::Add { name, top_manager } = cmd;
    let req = NewOrg {
        name: name.clone(),
        top_manager: Some(top_manager.clone()),
    };
    let made: OrgCreated = client.send(Method::POST, &["orgs"], &req).await?;
    if out == Output::Json {
        return print_json(&made);
    }
    print_fields(&[
        ("organisation", format!("{} ({})", made.name, made.id)),
        (
            "top manager",
            format!("{} ({})", made.top_manager.name, made.top_manager.id),
        ),
        ("token", made.token.token.clone()),
    ]);
    println!("The token is shown this once: keep it safe.");
    Ok(())
}

fn token_rows(tokens: &[TokenView]) -> Vec<Vec<String>> {
    tokens
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                t.person.name.clone(),
                t.created_at.format("%Y-%m-%d %H:%M").to_string(),
                t.revoked_at
                    .map_or("-".into(), |r| r.format("%Y-%m-%d %H:%M").to_string()),
            ]
        })
        .collect()
}

pub async fn token(client: &Client, out: Output, cmd: &TokenCommand) -> anyhow::Result<()> {
    let tokens: Vec<TokenView> = match cmd {
        TokenCommand::Create { person } => {
            let made: TokenCreated = client
                .send(
                    Method::POST,
                    &["tokens"],
                    &NewToken {
                        person: person.clone(),
                    },
                )
                .await?;
            if out == Output::Json {
                return print_json(&made);
            }
            print_fields(&[
                ("id", made.id.to_string()),
                (
                    "person",
                    format!("{} ({})", made.person.name, made.person.id),
                ),
                ("token", made.token.clone()),
            ]);
            println!("The token is shown this once: keep it safe.");
            return Ok(());
        }
        TokenCommand::List => client.get(&["tokens"], &[]).await?,
        TokenCommand::Revoke { token_id } => {
            let t: TokenView = client
                .call(Method::DELETE, &["tokens", token_id], &[], None::<&()>)
                .await?;
            if out == Output::Json {
                return print_json(&t);
            }
            vec![t]
        }
    };
    if out == Output::Json {
        return print_json(&tokens);
    }
    print_table(
        &["ID", "PERSON", "CREATED", "REVOKED"],
        &token_rows(&tokens),
    );
    Ok(())
}

pub async fn rate(client: &Client, out: Output, cmd: &RateCommand) -> anyhow::Result<()> {
    let rates: Vec<RateView> = match cmd {
        RateCommand::Set {
            person,
            from,
            rate,
            cost,
        } => {
            let req = SetRate {
                person: person.clone(),
                from: *from,
                rate_cents: *rate,
                cost_cents: *cost,
            };
            let r: RateView = client.send(Method::POST, &["rates"], &req).await?;
            if out == Output::Json {
                return print_json(&r);
            }
            vec![r]
        }
        RateCommand::List { person } => {
            let query: Vec<(&str, String)> = person.iter().map(|p| ("person", p.clone())).collect();
            let rates: Vec<RateView> = client.get(&["rates"], &query).await?;
            if out == Output::Json {
                return print_json(&rates);
            }
            rates
        }
    };
    let rows: Vec<Vec<String>> = rates
        .iter()
        .map(|r| {
            vec![
                r.person.name.clone(),
                r.from.to_string(),
                money(r.rate_cents),
                money(r.cost_cents),
            ]
        })
        .collect();
    print_table(&["PERSON", "FROM", "RATE/H", "COST/H"], &rows);
    Ok(())
}

pub async fn lock(client: &Client, out: Output, cmd: &LockCommand) -> anyhow::Result<()> {
    let settings: OrgSettingsView = match cmd {
        LockCommand::Set { date } => {
            client
                .send(
                    Method::PUT,
                    &["settings", "date-lock"],
                    &SetDateLock { date: Some(*date) },
                )
                .await?
        }
        LockCommand::Clear => {
            client
                .send(
                    Method::PUT,
                    &["settings", "date-lock"],
                    &SetDateLock { date: None },
                )
                .await?
        }
        LockCommand::Show => client.get(&["settings"], &[]).await?,
    };
    if out == Output::Json {
        return print_json(&settings);
    }
    match settings.date_lock {
        Some(d) => println!(
            "{}: entries dated before {d} are locked",
            for_terminal(&settings.name)
        ),
        None => println!("{}: no date lock", for_terminal(&settings.name)),
    }
    Ok(())
}

pub async fn audit(
    client: &Client,
    out: Output,
    limit: u32,
    before: Option<&str>,
) -> anyhow::Result<()> {
    let mut query = vec![("limit", limit.to_string())];
    if let Some(b) = before {
        query.push(("before", b.to_owned()));
    }
    let rows: Vec<AuditView> = client.get(&["audit"], &query).await?;
    if out == Output::Json {
        return print_json(&rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                r.actor_name.clone().unwrap_or_else(|| r.actor.to_string()),
                r.action.clone(),
                r.target.clone().unwrap_or_default(),
                r.detail.to_string(),
                r.id.to_string(),
            ]
        })
        .collect();
    print_table(
        &["AT (UTC)", "ACTOR", "ACTION", "TARGET", "DETAIL", "ID"],
        &table,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_parsed_to_cents_exactly() {
        assert_eq!(cents("12"), Ok(1200));
        assert_eq!(cents("12.5"), Ok(1250));
        assert_eq!(cents("0.05"), Ok(5));
        for bad in [
            "",
            "-1",
            "1.234",
            "1,50",
            "abc",
            ".5",
            "99999999999999999999",
        ] {
            assert!(cents(bad).is_err(), "{bad:?}");
        }
        assert_eq!(money(1250), "12.50");
    }
}
