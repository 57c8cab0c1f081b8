//! The store side of the admin API: organisations and the site Administrator,
//! admin tokens, people, roles, teams, jobs, rates, settings and the audit trail.
//!
//! Guarantees:
//! - every change is written in one transaction together with its audit row
//!   ([`AuditEntry`]): there is no change without its row, nor a row without its
//!   change;
//! - every change a device roster shows (people, roles, teams, jobs, the date lock)
//!   bumps the organisation's version in that same transaction, so rosters' ETags
//!   change with it;
//! - every query filters by `org_id`; the only lookup without one is by a token's
//!   hash, which is what names the organisation;
//! - admin tokens are stored as SHA-256 hashes only, PINs as argon2id verifiers only
//!   (made by the caller, see `crate::secrets::pin_verifier`).
//!
//! Who may do what is not decided here: the handlers check rights and rank through
//! the domain rules before calling these.

mod audit;
mod device_admin;
mod device_roster;
mod dump;
mod jobs;
mod load;
mod people;
mod rates;
mod read;
mod records;
mod roles;
mod settings;
mod site;
mod teams;
mod tokens;

pub use audit::{AuditEntry, AuditRow};
pub use device_admin::splice_group;
pub use load::ImportError;
pub use people::PinWrite;
pub use read::PersonRecord;
pub use records::{EventPage, HUB_DEVICE_NAME};
pub use site::{InitError, Provisioned, SiteInit};
pub use tokens::{TokenOwner, TokenRecord};

use super::StoreError;

/// Whether a store error is a unique-constraint violation (a name, badge or
/// organisation that exists already).
pub fn is_unique_violation(err: &StoreError) -> bool {
    match err {
        StoreError::Db {
            source: sqlx::Error::Database(db),
            ..
        } => {
            db.is_unique_violation()
                || db.message().contains("UNIQUE constraint failed")
                || db.code().as_deref() == Some("23505")
        }
        _ => false,
    }
}
