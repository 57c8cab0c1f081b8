//! The hub's store: every table of the hub behind one `Store`, on SQLite (the
//! default) or PostgreSQL, through `sqlx::Any` and one SQL dialect.
//!
//! Guarantees:
//! - the schema is migrated on connect, from the migration directory of the URL's
//!   backend (the two directories hold the same SQL);
//! - every query that reads or writes an organisation's rows filters by `org_id`; the
//!   only lookups without one are by a secret's hash (device token, enrollment code),
//!   which is what tells the hub the organisation in the first place;
//! - on SQLite, writes go through a single connection (one writer, `BEGIN IMMEDIATE`),
//!   in WAL mode with `synchronous = FULL`: a commit is on disk when it returns;
//!   event batches waiting for it are committed together (group commit); reads use
//!   a separate pool of read-only connections, and whole roster builds a few
//!   read-only rusqlite connections of their own (`roster_lite`);
//! - on PostgreSQL, one pool serves reads and writes; event batches are committed
//!   together too, by one task (see `writer`).

pub mod admin;
mod changes;
mod checkpoint;
mod devices;
mod error;
mod events;
mod orgs;
mod people;
mod roster;
mod roster_cols;
mod roster_delta;
mod roster_lite;
mod roster_read;
mod roster_warm;
mod sql;
mod status;
mod writer;

use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyPool, Executor, Transaction};

pub use devices::{AuthedDevice, EnrollError, Enrolled, NewDevice};
pub use error::{StoreError, StoreResult};
pub use events::{AnomalyFn, Stored, StoredEvent};
pub use orgs::Org;
pub use people::PersonFacts;
pub use roster::{RosterHead, RosterSnapshot, RosterTag};
pub use roster_delta::{RosterBase, RosterDelta};
pub(crate) use roster_read::{crews_shown, entry_people};

use error::DbContext;

/// Which database a store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names.
    pub fn of_url(url: &str) -> StoreResult<Backend> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(StoreError::UnsupportedUrl(scheme.to_owned())),
        }
    }
}

/// Connections to the hub's database. Cheap to clone: clones share the pools.
#[derive(Clone, Debug)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// The group-commit writer of events (see [`writer`]).
    writer: writer::GroupWriter,
    /// SQLite (a file): rusqlite connections for whole roster builds.
    lite: Option<Arc<roster_lite::LiteReader>>,
}

/// Connections a PostgreSQL store opens at most.
const PG_MAX_CONNECTIONS: u32 = 16;
/// Read-only connections a SQLite store opens at most, beside its one writer.
const SQLITE_READERS: u32 = 4;

/// The writer: a commit is on disk when it returns, in WAL and otherwise.
/// Statement journals (the undo log of one statement or savepoint inside a
/// transaction, never read after a crash) stay in memory instead of spilling to a
/// temporary file past 64 KiB, as a 500-row insert's do.
pub const SQLITE_WRITER_PRAGMAS: &str = "PRAGMA synchronous = FULL; \
     PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;";
/// The writer of a database file, beside [`SQLITE_WRITER_PRAGMAS`]: checkpoints
/// inline only past a bound on the log; a background thread does the rest.
static SQLITE_WRITER_BACKGROUND_CHECKPOINTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "PRAGMA wal_autocheckpoint = {};",
        checkpoint::INLINE_CHECKPOINT_PAGES
    )
});
/// The readers cannot write.
const SQLITE_READER_PRAGMAS: &str = "PRAGMA query_only = ON; \
     PRAGMA cache_size = -65536;";

impl Store {
    /// Connects to `url` (`sqlite://FILE?mode=rwc` or `postgres://...`) and applies
    /// the schema migrations.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let options = AnyConnectOptions::from_str(url).ctx("parsing the database URL")?;
        let store = match backend {
            Backend::Sqlite => Self::connect_sqlite(url, options).await?,
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(PG_MAX_CONNECTIONS)
                    .connect_with(options)
                    .await
                    .ctx("connecting to PostgreSQL")?;
                Store {
                    read: pool.clone(),
                    writer: writer::GroupWriter::spawn(pool.clone(), backend, None),
                    write: pool,
                    backend,
                    lite: None,
                }
            }
        };
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("src/hub/store/migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("src/hub/store/migrations/postgres"),
        };
        migrator.run(&store.write).await?;
        Ok(store)
    }

    async fn connect_sqlite(url: &str, options: AnyConnectOptions) -> StoreResult<Store> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        // A file: checkpoints run on a thread of their own (see `checkpoint`), and
        // the writer's own only past a bound on the log.
        let checkpointer = if in_memory {
            None
        } else {
            let file = SqliteConnectOptions::from_str(url)
                .ctx("parsing the database URL")?
                .get_filename()
                .to_path_buf();
            Some(file)
        };
        let write = AnyPoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute(SQLITE_WRITER_PRAGMAS).await?;
                    if !in_memory {
                        conn.execute(SQLITE_WRITER_BACKGROUND_CHECKPOINTS.as_str())
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await
            .ctx("opening the SQLite database")?;
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&write)
            .await
            .ctx("switching the SQLite database to WAL")?;
        // An in-memory database exists once per connection: read through the writer.
        let Some(file) = checkpointer else {
            return Ok(Store {
                read: write.clone(),
                writer: writer::GroupWriter::spawn(write.clone(), Backend::Sqlite, None),
                write,
                backend: Backend::Sqlite,
                lite: None,
            });
        };
        // Started once the database is in WAL mode.
        let checkpointer = checkpoint::Checkpointer::start(&file);
        let read = AnyPoolOptions::new()
            .max_connections(SQLITE_READERS)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(SQLITE_READER_PRAGMAS).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .ctx("opening the SQLite database for reading")?;
        Ok(Store {
            read,
            lite: Some(roster_lite::LiteReader::new(file)),
            writer: writer::GroupWriter::spawn(write.clone(), Backend::Sqlite, checkpointer),
            write,
            backend: Backend::Sqlite,
        })
    }

    /// The database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .ctx("pinging the database")?;
        Ok(())
    }

    /// Closes every connection; waits for those in use to be returned.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// Starts a write transaction (see [`begin_write`]).
    pub(crate) async fn begin_write(&self) -> StoreResult<Transaction<'static, Any>> {
        begin_write(&self.write, self.backend).await
    }

    /// A read-only transaction: one snapshot (PostgreSQL: `REPEATABLE READ`; SQLite:
    /// a read transaction on the WAL).
    pub(crate) async fn begin_read(&self) -> StoreResult<Transaction<'static, Any>> {
        match self.backend {
            Backend::Sqlite => self.read.begin().await,
            Backend::Postgres => {
                self.read
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        }
        .ctx("starting a read transaction")
    }
}

/// Starts a write transaction on `pool`: `BEGIN IMMEDIATE` on SQLite, so the write
/// lock is taken up front and never upgraded half-way.
pub(crate) async fn begin_write(
    pool: &AnyPool,
    backend: Backend,
) -> StoreResult<Transaction<'static, Any>> {
    match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
    }
    .ctx("starting a write transaction")
}
