//! Whose records (events, timesheets) the caller may read: Anuko's report rights,
//! decided by the domain (`OnBehalf::ViewReports`): `view_own_reports` for
//! oneself, `view_reports` for people of a lower rank, `view_all_reports` for
//! everyone.
//!
//! Guarantees: archived people are included (their data stays in reports); a
//! person named explicitly whom the caller may not read is refused 403 with the
//! domain's message, never silently left out; a caller who may read nobody's
//! records is refused 403 rather than shown an empty report.

use std::collections::HashMap;

use crate::domain::{OnBehalf, Person, PersonId};
use crate::hub::admin::{Principal, forbidden, refs};
use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::wire::OrgId;

/// The people whose records the caller may read, and every person's name.
pub struct Viewable {
    /// By name, then id (the store's order).
    pub people: Vec<Person>,
    pub names: HashMap<PersonId, String>,
}

/// The people of `org` the caller may read the records of: the one `person`
/// names, or everyone allowed.
pub async fn viewable(
    app: &AppState,
    me: &Principal,
    org: OrgId,
    person: Option<&str>,
) -> Result<Viewable, ApiError> {
    let roles = refs::roles_by_id(&app.store, org).await?;
    let all = app.store.people_of(org, false).await?;
    let names = all
        .iter()
        .map(|p| (p.person.id, p.person.name.clone()))
        .collect();
    let may = |p: &Person| match roles.get(&p.role) {
        Some(role) => me.may_act_on(p.id, role, OnBehalf::ViewReports),
        None => Err(forbidden(format!(
            "{}'s role is missing: their records cannot be shown",
            p.name
        ))),
    };
    let people = match person {
        Some(reference) => {
            let found = refs::person(&app.store, org, reference).await?.person;
            may(&found).map_err(|e| {
                forbidden(format!(
                    "{} (reading {}'s records needs view_own_reports for oneself, \
                     view_reports and a higher rank, or view_all_reports)",
                    e.message, found.name
                ))
            })?;
            vec![found]
        }
        None => {
            let people: Vec<Person> = all
                .into_iter()
                .map(|r| r.person)
                .filter(|p| may(p).is_ok())
                .collect();
            if people.is_empty() {
                return Err(forbidden(
                    "Your role does not allow reading records (needs view_own_reports, \
                     view_reports or view_all_reports).",
                ));
            }
            people
        }
    };
    Ok(Viewable { people, names })
}
