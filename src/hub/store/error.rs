//! Errors of the hub's store. Each carries what was being done, so a log line says
//! which operation failed and why, never which secret was involved.

use thiserror::Error;

/// A store operation failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database URL is neither `sqlite:` nor `postgres:`/`postgresql:`.
    #[error("unsupported database URL scheme {0:?}: use sqlite://FILE or postgres://...")]
    UnsupportedUrl(String),
    /// A query or connection failed.
    #[error("{context}: {source}")]
    Db {
        context: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// A query through rusqlite (SQLite roster reads) failed.
    #[error("{context}: {source}")]
    Lite {
        context: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// Applying the schema migrations failed.
    #[error("migrating the hub database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (corrupt or foreign data).
    #[error("{context}: {detail}")]
    Corrupt {
        context: &'static str,
        detail: String,
    },
    /// The referenced row does not exist in this organisation.
    #[error("{0} not found")]
    NotFound(&'static str),
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// Attaches a context to a sqlx result.
pub(crate) trait DbContext<T> {
    fn ctx(self, context: &'static str) -> StoreResult<T>;
}

impl<T> DbContext<T> for Result<T, sqlx::Error> {
    fn ctx(self, context: &'static str) -> StoreResult<T> {
        self.map_err(|source| StoreError::Db { context, source })
    }
}
