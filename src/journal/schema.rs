//! The journal's schema, as versioned migrations (rusqlite_migration keeps the
//! version in `PRAGMA user_version`). Migrations are append-only: a released one is
//! never edited, a change is a new entry at the end.

use rusqlite_migration::{M, Migrations};

/// Version 1: the outbox, the per-device sequence counters, the roster cache, PIN
/// failure counters, device settings and the sync cursor.
const V1: &str = "
CREATE TABLE outbox (
    -- Journal order (commit order). Internal: never leaves the device.
    pos            INTEGER PRIMARY KEY,
    -- EventId, 16 raw bytes of a UUIDv7: the idempotency key up to the hub.
    id             BLOB    NOT NULL UNIQUE,
    device         BLOB    NOT NULL,
    -- Per-device sequence number, gap-free from 1 (see device_seq).
    seq            INTEGER NOT NULL,
    subject        BLOB    NOT NULL,
    -- Event time, microseconds since the Unix epoch, UTC.
    at_us          INTEGER NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('pending', 'acked', 'parked')),
    acked_at_us    INTEGER,
    parked_at_us   INTEGER,
    parked_reason  TEXT,
    UNIQUE (device, seq)
) STRICT;

-- The Event itself, serialized as JSON: the exact value round-trips. Kept apart
-- from the state columns that change, so that acknowledging a batch rewrites
-- rows of ~100 bytes instead of ~450: four times fewer pages to log and fsync.
CREATE TABLE outbox_event (
    pos   INTEGER PRIMARY KEY REFERENCES outbox (pos),
    body  TEXT    NOT NULL
) STRICT;
CREATE TRIGGER outbox_event_follows_delete AFTER DELETE ON outbox
BEGIN
    DELETE FROM outbox_event WHERE pos = old.pos;
END;

-- What the sync worker sends next: pending rows in journal order.
CREATE INDEX outbox_pending ON outbox (pos) WHERE state = 'pending';
-- What compaction may delete.
CREATE INDEX outbox_acked ON outbox (acked_at_us) WHERE state = 'acked';
-- What an admin has to look at.
CREATE INDEX outbox_parked ON outbox (pos) WHERE state = 'parked';
-- A person's recent events, to fold punch state and hours.
CREATE INDEX outbox_subject_at ON outbox (subject, at_us);

-- The last sequence number given per device. Kept apart from the outbox so that
-- compacting acked rows can never rewind it.
CREATE TABLE device_seq (
    device    BLOB    PRIMARY KEY,
    last_seq  INTEGER NOT NULL CHECK (last_seq >= 0)
) STRICT, WITHOUT ROWID;

-- The hub's roster for this device, verbatim, with its ETag.
CREATE TABLE roster_cache (
    slot           INTEGER PRIMARY KEY CHECK (slot = 1),
    etag           TEXT    NOT NULL,
    body           BLOB    NOT NULL,
    fetched_at_us  INTEGER NOT NULL
) STRICT;

-- Wrong PIN attempts per person, kept across restarts.
CREATE TABLE pin_failures (
    person           BLOB    PRIMARY KEY,
    failures         INTEGER NOT NULL CHECK (failures >= 0),
    locked_until_us  INTEGER
) STRICT, WITHOUT ROWID;

-- Device settings: device id, name, hub URL (typed accessors in settings.rs).
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Where synchronisation stands.
CREATE TABLE sync_cursor (
    slot                     INTEGER PRIMARY KEY CHECK (slot = 1),
    last_push_at_us          INTEGER,
    last_roster_check_at_us  INTEGER
) STRICT;
";

/// Version 2: admin changes made at the kiosk (its roster editor) waiting for
/// the hub, apart from the event outbox (see admin_changes.rs).
const V2_ADMIN_CHANGES: &str = "
CREATE TABLE admin_changes (
    pos             INTEGER PRIMARY KEY,
    id              BLOB    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('roster')),
    acting          BLOB    NOT NULL,
    body            TEXT    NOT NULL,
    queued_at_us    INTEGER NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'refused')),
    refused_reason  TEXT
) STRICT;
";

/// Version 3: the kiosk screen's roster in a compact binary form, built from
/// the cached roster (the hub's JSON) once per roster, so that starting the
/// kiosk does not parse megabytes of JSON (see `roster_cache.rs`). Always
/// rebuildable from `roster_cache`: it names the roster it was built from.
/// Kept in parts of 64 KiB, read one after the other: one blob of megabytes
/// would be copied whole into memory by SQLite to be read.
const V3_ROSTER_SNAPSHOT: &str = "
CREATE TABLE roster_snapshot (
    slot           INTEGER PRIMARY KEY CHECK (slot = 1),
    -- The roster_cache row it was built from.
    etag           TEXT    NOT NULL,
    fetched_at_us  INTEGER NOT NULL
) STRICT;
CREATE TABLE roster_snapshot_part (
    part  INTEGER PRIMARY KEY,
    body  BLOB    NOT NULL
) STRICT;
";

/// Version 4: a punch no longer writes `device_seq` (one page less to log and
/// fsync per punch). The last number given to a device is the larger of its
/// outbox rows' highest and `device_seq`'s, which only deleting outbox rows
/// (compaction) raises, in the same statement through this trigger, so nothing
/// can rewind it. A build of version 3 would read `device_seq` alone: the
/// version bump makes it refuse the journal instead.
const V4_SEQ_ON_DELETE: &str = "
CREATE TRIGGER outbox_seq_outlives_delete BEFORE DELETE ON outbox
BEGIN
    INSERT INTO device_seq (device, last_seq) VALUES (old.device, old.seq)
    ON CONFLICT (device) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq);
END;
";

/// Version 5: a punch logs two pages fewer. The outbox loses both unique
/// indexes, each of which a new row entered (one more leaf page per commit):
/// - `UNIQUE (id)`: the sync worker acknowledges and parks the events it was
///   handed by their positions (kept in memory beside the ids, see
///   `outbox.rs`); other ids are looked for among the pending and parked rows,
///   through their partial indexes. The id stays the idempotency key up to the
///   hub, and is generated fresh for each event (UUIDv7), so it needs no check.
/// - `UNIQUE (device, seq)`: the journal gives each device's numbers itself and
///   nothing else writes the outbox. The last number of every device is
///   `device_seq`'s, or the newest row's (by position) if higher: a decision for
///   another device than the newest row's writes the newest row's device's
///   number into `device_seq` first (same transaction), so only the device of
///   the newest row can be ahead of `device_seq`. The deletion trigger stays.
///   This migration seeds `device_seq` from every device's rows.
///
/// SQLite cannot drop a table's UNIQUE constraint: the table is rebuilt, rows
/// keep their positions (and `outbox_event` its rows, keyed by position).
const V5_OUTBOX_WITHOUT_UNIQUE: &str = "
INSERT INTO device_seq (device, last_seq)
    SELECT device, max(seq) FROM outbox WHERE true GROUP BY device
    ON CONFLICT (device) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq);

DROP TRIGGER outbox_event_follows_delete;
DROP TRIGGER outbox_seq_outlives_delete;
CREATE TABLE outbox_v5 (
    pos            INTEGER PRIMARY KEY,
    id             BLOB    NOT NULL,
    device         BLOB    NOT NULL,
    seq            INTEGER NOT NULL,
    subject        BLOB    NOT NULL,
    at_us          INTEGER NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('pending', 'acked', 'parked')),
    acked_at_us    INTEGER,
    parked_at_us   INTEGER,
    parked_reason  TEXT
) STRICT;
INSERT INTO outbox_v5 (pos, id, device, seq, subject, at_us, state, acked_at_us,
                       parked_at_us, parked_reason)
    SELECT pos, id, device, seq, subject, at_us, state, acked_at_us, parked_at_us,
           parked_reason
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v5 RENAME TO outbox;

CREATE INDEX outbox_pending ON outbox (pos) WHERE state = 'pending';
CREATE INDEX outbox_acked ON outbox (acked_at_us) WHERE state = 'acked';
CREATE INDEX outbox_parked ON outbox (pos) WHERE state = 'parked';
CREATE INDEX outbox_subject_at ON outbox (subject, at_us);
CREATE TRIGGER outbox_event_follows_delete AFTER DELETE ON outbox
BEGIN
    DELETE FROM outbox_event WHERE pos = old.pos;
END;
CREATE TRIGGER outbox_seq_outlives_delete BEFORE DELETE ON outbox
BEGIN
    INSERT INTO device_seq (device, last_seq) VALUES (old.device, old.seq)
    ON CONFLICT (device) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq);
END;
";

/// All migrations, oldest first.
pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2_ADMIN_CHANGES),
        M::up(V3_ROSTER_SNAPSHOT),
        M::up(V4_SEQ_ON_DELETE),
        M::up(V5_OUTBOX_WITHOUT_UNIQUE).foreign_key_check(),
    ])
}

/// The schema version this build writes.
pub(crate) const SCHEMA_VERSION: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid_and_counted() {
        assert!(migrations().validate().is_ok());
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let v: usize = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }
}
