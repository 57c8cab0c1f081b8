//! Builds every enrolled kiosk's roster into the cache when the hub starts, so
//! the first request after a restart is answered from it. A device the cache
//! forgets later is built on request, as before.

use chrono::Utc;

use super::RosterCache;
use crate::hub::store::Store;

/// Builds the rosters of the kiosks [`Store::kiosks_to_warm`] lists, one at a
/// time, until the cache's budget would drop one of them.
pub async fn warm(store: &Store, cache: &RosterCache) {
    let kiosks = match store.kiosks_to_warm().await {
        Ok(kiosks) => kiosks,
        Err(e) => {
            tracing::warn!(error = %e, "listing the kiosks whose rosters to build at start");
            return;
        }
    };
    let mut built = 0usize;
    for (org, device) in kiosks {
        let snapshot = match store.roster_snapshot(org, device, Utc::now()).await {
            Ok(snapshot) => snapshot,
            Err(e) => {
                tracing::warn!(error = %e, %device, "building a roster at start");
                continue;
            }
        };
        if let Err(e) = cache.warm(device, snapshot) {
            tracing::warn!(error = %e, %device, "serialising a roster at start");
            continue;
        }
        if !cache.holds(device) {
            // Over budget: what follows would only push out what was built.
            break;
        }
        built += 1;
    }
    tracing::info!(rosters = built, "rosters built at start");
}
