//! Admin changes made at this kiosk (its roster editor) waiting for the hub.
//! Kept apart from the event outbox: they are configuration, not punches, and
//! neither their order nor their fate touches the events'.
//!
//! Guarantees: a queued change stays until the hub applied it (then it is
//! removed: the hub has it) or refused it (then it stays, with the hub's reason,
//! for an admin to read); the oldest pending change is sent first.

use chrono::{DateTime, Utc};
use rusqlite::params;
use uuid::Uuid;

use super::Journal;
use super::codec::{instant, micros, uuid};
use super::error::{JournalError, SqliteResultExt};
use crate::domain::PersonId;

/// A change as queued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminChange {
    pub id: Uuid,
    /// What kind of change the body is: `roster` (a `wire::device_roster::RosterChange`).
    pub kind: String,
    pub acting: PersonId,
    /// The request body, JSON.
    pub body: String,
    pub queued_at: DateTime<Utc>,
    /// Why the hub refused it, once it did.
    pub refused: Option<String>,
}

const INSERT: &str = "INSERT INTO admin_changes (id, kind, acting, body, queued_at_us, state) \
     VALUES (?1, ?2, ?3, ?4, ?5, 'pending')";
const COLS: &str = "id, kind, acting, body, queued_at_us, refused_reason";

impl Journal {
    /// Queues a change for the hub.
    pub fn queue_admin_change(
        &mut self,
        id: Uuid,
        kind: &str,
        acting: PersonId,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.execute(
            INSERT,
            params![
                id.as_bytes().as_slice(),
                kind,
                acting.0.as_bytes().as_slice(),
                body,
                micros(now)
            ],
        )?;
        Ok(())
    }

    /// The oldest change not sent yet.
    pub fn next_admin_change(&self) -> Result<Option<AdminChange>, JournalError> {
        let sql = format!(
            "SELECT {COLS} FROM admin_changes WHERE state = 'pending' ORDER BY pos LIMIT 1"
        );
        Ok(self.admin_changes_where(&sql)?.pop())
    }

    /// Every change still here (pending and refused), oldest first.
    pub fn admin_changes(&self) -> Result<Vec<AdminChange>, JournalError> {
        let sql = format!("SELECT {COLS} FROM admin_changes ORDER BY pos");
        self.admin_changes_where(&sql)
    }

    /// The hub applied `id`: it leaves the queue.
    pub fn admin_change_applied(&mut self, id: Uuid) -> Result<(), JournalError> {
        self.execute(
            "DELETE FROM admin_changes WHERE id = ?1",
            [id.as_bytes().as_slice()],
        )?;
        Ok(())
    }

    /// The hub refused `id` for `reason`: kept, not sent again.
    pub fn admin_change_refused(&mut self, id: Uuid, reason: &str) -> Result<(), JournalError> {
        self.execute(
            "UPDATE admin_changes SET state = 'refused', refused_reason = ?2 WHERE id = ?1",
            params![id.as_bytes().as_slice(), reason],
        )?;
        Ok(())
    }

    fn admin_changes_where(&self, sql: &str) -> Result<Vec<AdminChange>, JournalError> {
        let path = self.db_path.as_path();
        let mut stmt = self.conn.prepare_cached(sql).at(path)?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, [u8; 16]>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, [u8; 16]>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, i64>(4)?,
                    row.get::<_, Option<String>>(5)?,
                ))
            })
            .at(path)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, acting, body, at, refused) = row.at(path)?;
            out.push(AdminChange {
                id: uuid(id),
                kind,
                acting: PersonId(uuid(acting)),
                body,
                queued_at: instant(path, at)?,
                refused,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::test_support::{fresh, reopen};

    #[test]
    fn changes_wait_in_order_and_survive_a_restart() {
        let (dir, mut j) = fresh();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let who = PersonId::new();
        j.queue_admin_change(a, "roster", who, "{\"a\":1}", now)
            .unwrap();
        j.queue_admin_change(b, "roster", who, "{\"b\":2}", now)
            .unwrap();
        let j = reopen(&dir, j);
        let mut j = j;
        assert_eq!(j.next_admin_change().unwrap().map(|c| c.id), Some(a));
        j.admin_change_refused(a, "no right").unwrap();
        let next = j.next_admin_change().unwrap().unwrap();
        assert_eq!(
            (next.id, next.acting, next.body.as_str()),
            (b, who, "{\"b\":2}")
        );
        j.admin_change_applied(b).unwrap();
        assert_eq!(j.next_admin_change().unwrap(), None);
        let all = j.admin_changes().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].refused.as_deref(), Some("no right"));
    }
}
