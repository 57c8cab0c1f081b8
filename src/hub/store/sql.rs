//! Small helpers for the one SQL dialect both backends speak: `$n` placeholders,
//! instants as unix microseconds, uuids as text.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::{DeserializeOwned, IntoDeserializer};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::Backend;
use super::error::{DbContext, StoreError, StoreResult};

/// Bind variables one statement may carry on every backend (SQLite's limit is
/// 32766, PostgreSQL's 65535).
pub(crate) const MAX_BINDS: usize = 30_000;

/// Placeholders for one statement, in the order they appear in its text (which is
/// the order values are bound). PostgreSQL gets `$1, $2, ...`; SQLite gets plain
/// `?`, because SQLite looks a numbered or named parameter up by a linear search,
/// which makes binding a 6,000-value INSERT quadratic (~50 ms instead of ~1 ms).
pub(crate) struct Params {
    numbered: bool,
    next: usize,
}

impl Params {
    pub(crate) fn new(backend: Backend) -> Self {
        Params {
            numbered: backend == Backend::Postgres,
            next: 1,
        }
    }

    /// One placeholder.
    pub(crate) fn one(&mut self) -> String {
        let n = self.next;
        self.next += 1;
        if self.numbered {
            format!("${n}")
        } else {
            "?".to_owned()
        }
    }

    /// `n` placeholders, comma-separated.
    pub(crate) fn list(&mut self, n: usize) -> String {
        (0..n).map(|_| self.one()).collect::<Vec<_>>().join(", ")
    }

    /// `rows` parenthesised tuples of `cols` placeholders.
    pub(crate) fn tuples(&mut self, rows: usize, cols: usize) -> String {
        (0..rows)
            .map(|_| format!("({})", self.list(cols)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The rows of a query over a list of ids, in one statement per `MAX_BINDS - 1`
/// ids: `query` is given the placeholder of `org` (bound first, so its text must
/// name it before the ids) and those of one chunk of `ids`. With `persistent`
/// false the statements are not kept prepared (see `super::roster` for why long
/// id lists should not be).
pub(crate) async fn fetch_in(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    ids: &[String],
    persistent: bool,
    context: &'static str,
    query: impl Fn(&str, &str) -> String,
) -> StoreResult<Vec<AnyRow>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(MAX_BINDS - 1) {
        let mut p = Params::new(backend);
        let org_param = p.one();
        let text = query(&org_param, &p.list(chunk.len()));
        let mut q = sqlx::query(&text).persistent(persistent).bind(org);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        rows.extend(q.fetch_all(&mut *conn).await.ctx(context)?);
    }
    Ok(rows)
}

/// An instant as stored.
pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// A stored instant.
pub(crate) fn instant(us: i64, context: &'static str) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us).ok_or_else(|| StoreError::Corrupt {
        context,
        detail: format!("instant {us} out of range"),
    })
}

/// A stored uuid.
pub(crate) fn uuid(text: &str, context: &'static str) -> StoreResult<Uuid> {
    Uuid::parse_str(text).map_err(|e| StoreError::Corrupt {
        context,
        detail: format!("bad uuid {text:?}: {e}"),
    })
}

/// A stored 0/1 flag.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// The serde name of a unit enum value (`TrackingMode::TeamLead` → `team_lead`).
pub(crate) fn name_of<T: Serialize>(value: &T, context: &'static str) -> StoreResult<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Err(StoreError::Corrupt {
            context,
            detail: format!("expected a name, got {other}"),
        }),
        Err(e) => Err(StoreError::Corrupt {
            context,
            detail: e.to_string(),
        }),
    }
}

/// A unit enum value from its stored serde name.
pub(crate) fn from_name<T: DeserializeOwned>(name: &str, context: &'static str) -> StoreResult<T> {
    T::deserialize(name.into_deserializer()).map_err(|e: serde::de::value::Error| {
        StoreError::Corrupt {
            context,
            detail: e.to_string(),
        }
    })
}

/// A value as stored JSON text.
pub(crate) fn json<T: Serialize>(value: &T, context: &'static str) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        context,
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_text_order() {
        let mut pg = Params::new(Backend::Postgres);
        assert_eq!(pg.one(), "$1");
        assert_eq!(pg.tuples(2, 2), "($2, $3), ($4, $5)");
        assert_eq!(pg.list(2), "$6, $7");
        let mut lite = Params::new(Backend::Sqlite);
        assert_eq!(lite.tuples(1, 2), "(?, ?)");
        assert_eq!(lite.list(2), "?, ?");
    }

    #[test]
    fn migration_directories_hold_the_same_sql() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/hub/store/migrations");
        let read = |backend: &str| -> Vec<(String, String)> {
            let mut files: Vec<(String, String)> = std::fs::read_dir(format!("{dir}/{backend}"))
                .unwrap()
                .map(|e| {
                    let e = e.unwrap();
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(e.path()).unwrap())
                })
                .collect();
            files.sort();
            files
        };
        assert_eq!(read("sqlite"), read("postgres"));
    }
}
