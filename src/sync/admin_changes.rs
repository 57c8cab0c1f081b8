//! Sends the admin changes queued at this kiosk (its roster editor) to the hub,
//! oldest first, after the events. Kept out of the event drain: a change the
//! hub refuses or cannot take now never holds a punch back.
//!
//! A change leaves the queue when the hub applied it; one the hub refuses (the
//! acting person lacks the right or the rank, or the change names someone not of
//! the organisation: 400, 403, 413, 422) is kept with the reason for an admin to
//! read; anything else (offline, 5xx, 429, revoked, an unknown path on an older
//! hub) leaves it pending for the next round.

use super::client::{CallError, HubClient};
use super::worker::SharedJournal;
use crate::journal::{AdminChange, JournalError};

/// Sends queued changes until none is left or one cannot be sent now. Returns
/// how many the hub applied (the roster is worth fetching again then).
pub async fn send_queued(journal: &SharedJournal, client: &HubClient) -> usize {
    let mut applied = 0;
    loop {
        let next = match with_journal(journal, |j| j.next_admin_change()).await {
            Ok(Some(change)) => change,
            Ok(None) => return applied,
            Err(e) => {
                tracing::error!("reading queued admin changes: {e}");
                return applied;
            }
        };
        match send(client, &next).await {
            Ok(()) => {
                let id = next.id;
                if let Err(e) = with_journal(journal, move |j| j.admin_change_applied(id)).await {
                    tracing::error!("removing an applied admin change: {e}");
                    return applied;
                }
                tracing::info!(change = %next.id, "admin change applied by the hub");
                applied += 1;
            }
            Err(Fate::Refused(reason)) => {
                tracing::warn!(change = %next.id, %reason, "hub refused an admin change");
                let id = next.id;
                if let Err(e) =
                    with_journal(journal, move |j| j.admin_change_refused(id, &reason)).await
                {
                    tracing::error!("keeping a refused admin change: {e}");
                    return applied;
                }
            }
            Err(Fate::Later(why)) => {
                tracing::info!(change = %next.id, %why, "admin change kept for later");
                return applied;
            }
        }
    }
}

enum Fate {
    Refused(String),
    Later(String),
}

async fn send(client: &HubClient, change: &AdminChange) -> Result<(), Fate> {
    if change.kind != "roster" {
        return Err(Fate::Refused(format!(
            "unknown kind of change {:?}",
            change.kind
        )));
    }
    match client.send_roster_change(&change.body).await {
        Ok(_) => Ok(()),
        Err(CallError::Refused { message, .. }) => Err(Fate::Refused(message)),
        Err(CallError::Unexpected {
            status: 403,
            message,
        }) => Err(Fate::Refused(message)),
        Err(other) => Err(Fate::Later(other.to_string())),
    }
}

/// One journal call on a blocking thread, holding the lock only for it.
async fn with_journal<T: Send + 'static>(
    journal: &SharedJournal,
    call: impl FnOnce(&mut crate::journal::Journal) -> Result<T, JournalError> + Send + 'static,
) -> Result<T, String> {
    let journal = journal.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = journal
            .lock()
            .map_err(|_| "the journal lock is poisoned".to_owned())?;
        call(&mut guard).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| format!("journal task failed: {e}"))?
}
