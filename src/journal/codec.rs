//! How values are stored in columns: instants as integer microseconds since the
//! Unix epoch (UTC), ids as their 16 raw bytes. The serialized event keeps the exact
//! values; these columns only serve queries.

use std::path::Path;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::error::JournalError;

/// An instant as stored in an `*_us` column. Microseconds cover ±290,000 years.
pub(crate) fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// An `*_us` column read back; a value outside chrono's range means the row is damaged.
pub(crate) fn instant(db_path: &Path, us: i64) -> Result<DateTime<Utc>, JournalError> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| JournalError::corrupt(db_path, format!("timestamp {us} out of range")))
}

/// An optional `*_us` column read back.
pub(crate) fn instant_opt(
    db_path: &Path,
    us: Option<i64>,
) -> Result<Option<DateTime<Utc>>, JournalError> {
    us.map(|us| instant(db_path, us)).transpose()
}

/// A sequence number as stored (SQLite integers are signed 64-bit).
pub(crate) fn seq_to_sql(db_path: &Path, seq: u64) -> Result<i64, JournalError> {
    i64::try_from(seq)
        .map_err(|_| JournalError::corrupt(db_path, format!("sequence number {seq} exceeds 2^63")))
}

/// A stored sequence number read back.
pub(crate) fn seq_from_sql(db_path: &Path, seq: i64) -> Result<u64, JournalError> {
    u64::try_from(seq)
        .map_err(|_| JournalError::corrupt(db_path, format!("negative sequence number {seq}")))
}

/// A UUID column read back.
pub(crate) fn uuid(bytes: [u8; 16]) -> Uuid {
    Uuid::from_bytes(bytes)
}
