//! `/api/v1/admin/rates`: hourly rates and costs per person with validity periods
//! (TrackingTime "Rates & Costs").
//!
//! Guarantees: reading and setting need `manage_rates` ("can see and edit rates
//! and costs"); setting someone's rate is also a change to that person, so the
//! caller must be able to manage them (oneself: `manage_own_account`); amounts are
//! whole cents from 0 to [`MAX_CENTS`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::Params;
use super::views::person_ref;
use crate::domain::{PersonId, RatePeriod, Right};
use crate::hub::admin::{AdminAuth, refs, store_error};
use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::JsonBody;
use crate::wire::admin::{PersonRef, RateView, SetRate};

/// The largest rate or cost per hour, in cents (ten million a hour).
pub const MAX_CENTS: i64 = 1_000_000_000;

fn rate_view(r: &RatePeriod, person: PersonRef) -> RateView {
    RateView {
        id: format!("{}/{}", r.person, r.valid_from.format("%Y-%m-%d")),
        person,
        from: r.valid_from,
        rate_cents: r.rate.cents(),
        cost_cents: r.cost.cents(),
    }
}

/// `?person=ID_OR_NAME`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    person: Option<String>,
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Params(q): Params<ListQuery>,
) -> Result<Json<Vec<RateView>>, ApiError> {
    let org = me.org()?;
    me.require(Right::ManageRates)?;
    let person = match &q.person {
        Some(r) => Some(refs::person(&app.store, org, r).await?.person.id),
        None => None,
    };
    let names: HashMap<PersonId, PersonRef> = app
        .store
        .people_of(org, false)
        .await?
        .iter()
        .map(|p| (p.person.id, person_ref(&p.person)))
        .collect();
    let rates = app.store.rates_of(org, person).await?;
    Ok(Json(
        rates
            .iter()
            .filter_map(|r| names.get(&r.person).map(|p| rate_view(r, p.clone())))
            .collect(),
    ))
}

pub async fn set(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    JsonBody(req): JsonBody<SetRate>,
) -> Result<(StatusCode, Json<RateView>), ApiError> {
    let org = me.org()?;
    me.require(Right::ManageRates)?;
    for (field, cents) in [
        ("rate_cents", req.rate_cents),
        ("cost_cents", req.cost_cents),
    ] {
        if !(0..=MAX_CENTS).contains(&cents) {
            return Err(ApiError::bad_request(format!(
                "{field} is {cents}; it must be between 0 and {MAX_CENTS} cents"
            )));
        }
    }
    let target = refs::person(&app.store, org, &req.person).await?;
    let role = refs::role_of(&app.store, org, &target.person).await?;
    me.may_manage(target.person.id, &role)?;
    let entry = me
        .audit("rate.set", format!("{}/{}", target.person.id, req.from))
        .with(json!({
            "person": target.person.id,
            "from": req.from,
            "rate_cents": req.rate_cents,
            "cost_cents": req.cost_cents,
        }));
    app.store
        .set_rate(
            org,
            target.person.id,
            req.from,
            req.rate_cents,
            req.cost_cents,
            &entry,
        )
        .await
        .map_err(store_error)?;
    let period = RatePeriod {
        person: target.person.id,
        valid_from: req.from,
        rate: crate::domain::Money(req.rate_cents),
        cost: crate::domain::Money(req.cost_cents),
    };
    Ok((
        StatusCode::CREATED,
        Json(rate_view(&period, person_ref(&target.person))),
    ))
}
