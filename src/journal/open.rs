//! Opening the journal: lock, create atomically if missing, refuse anything that is
//! not a complete journal, set the pragmas, check integrity, migrate.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, DatabaseName, OpenFlags};
use rusqlite_migration::MigrationDefinitionError;

use super::checkpoint::INLINE_CHECKPOINT_PAGES;
use super::error::{JournalError, SqliteResultExt};
use super::schema::{SCHEMA_VERSION, migrations};
use super::{IntegrityCheck, JournalOptions};

/// The journal's file name inside the data dir.
pub const DB_FILE: &str = "journal.db";
/// The advisory lock file next to it.
pub const LOCK_FILE: &str = "journal.lock";
/// Where a new journal is built before it is renamed into place.
const NEW_FILE: &str = "journal.db.new";
/// How the first 16 bytes of every SQLite 3 database read.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// How long a statement waits for a lock held by an outside reader (say, an admin's
/// `sqlite3` shell) before giving up with `Busy`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);
/// The page cache of the journal's connection, in KiB (SQLite's default is
/// 2,000). A punch touches a dozen pages; the default cache only ever filled
/// with the roster blob's overflow pages and the integrity check's, and stayed
/// resident: 2 MiB of a kiosk that should fit in 16. 64 pages hold a punch's
/// and a batch's pages with room to spare.
pub(crate) const CACHE_KIB: i64 = 256;

/// A journal file opened, locked, checked and migrated.
pub(crate) struct Opened {
    pub conn: Connection,
    pub lock: File,
    pub db_path: PathBuf,
}

pub(crate) fn open(data_dir: &Path, opts: &JournalOptions) -> Result<Opened, JournalError> {
    // Only tapin's user needs to see the journal (it holds who worked when).
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .map_err(|e| JournalError::io(data_dir, e))?;
    let db_path = data_dir.join(DB_FILE);
    let lock = lock(data_dir, &db_path)?;

    let exists = db_path
        .try_exists()
        .map_err(|e| JournalError::io(&db_path, e))?;
    if !exists {
        refuse_orphaned_wal(&db_path)?;
        create_fresh(data_dir, &db_path)?;
    }
    check_header(&db_path)?;
    let mut conn = connect(&db_path, opts)?;
    check_integrity(&conn, &db_path, opts.integrity_check)?;
    migrate(&mut conn, &db_path)?;
    Ok(Opened {
        conn,
        lock,
        db_path,
    })
}

/// Takes the exclusive advisory lock on `journal.lock`. The OS drops it when the
/// process dies, however it dies, so a leftover lock file never blocks a restart.
fn lock(data_dir: &Path, db_path: &Path) -> Result<File, JournalError> {
    let path = data_dir.join(LOCK_FILE);
    let file = match OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
    {
        Ok(file) => file,
        // An existing lock file we may only read still locks (flock needs no write).
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied && path.exists() => {
            File::open(&path).map_err(|e| JournalError::io(&path, e))?
        }
        Err(e) => return Err(JournalError::io(data_dir, e)),
    };
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(JournalError::InUse {
            path: db_path.to_path_buf(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(JournalError::io(&path, e)),
    }
}

/// A write-ahead log without its database means the journal was moved or deleted
/// without it: building a new journal next to it would replay someone else's pages.
fn refuse_orphaned_wal(db_path: &Path) -> Result<(), JournalError> {
    let wal = sidecar(db_path, "-wal");
    match fs::metadata(&wal) {
        Ok(meta) if meta.len() > 0 => Err(JournalError::corrupt(
            &wal,
            format!(
                "{} is missing but its write-ahead log is here (the journal was moved or \
                 deleted without it); put journal.db back, or move the -wal file aside",
                db_path.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// Builds an empty, migrated journal under a temporary name and renames it into
/// place, so that `journal.db` is either absent or complete: a crash here leaves at
/// most a `journal.db.new`, which held no events and is rebuilt.
fn create_fresh(data_dir: &Path, db_path: &Path) -> Result<(), JournalError> {
    let tmp = data_dir.join(NEW_FILE);
    for leftover in [
        tmp.clone(),
        sidecar(&tmp, "-wal"),
        sidecar(&tmp, "-shm"),
        sidecar(&tmp, "-journal"),
    ] {
        match fs::remove_file(&leftover) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                return Err(JournalError::io(&leftover, e));
            }
            _ => {}
        }
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(&tmp, flags).at(&tmp)?;
    set_pragmas(&conn, &tmp, None)?;
    migrate(&mut conn, &tmp)?;
    // Closing the last connection checkpoints the WAL into the file and syncs it.
    conn.close()
        .map_err(|(_, e)| JournalError::sqlite(&tmp, e))?;
    let wal = sidecar(&tmp, "-wal");
    if fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(JournalError::Io {
            path: wal,
            source: io::Error::other("the new journal's log was not checkpointed on close"),
        });
    }
    File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| JournalError::io(&tmp, e))?;
    fs::rename(&tmp, db_path).map_err(|e| JournalError::io(db_path, e))?;
    // The rename is durable once the directory entry is.
    File::open(data_dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| JournalError::io(data_dir, e))?;
    Ok(())
}

/// Refuses, before SQLite reads a byte, a file that cannot be a SQLite database: too
/// short for the 100-byte header, or with a header that is not SQLite's.
fn check_header(db_path: &Path) -> Result<(), JournalError> {
    let mut file = File::open(db_path).map_err(|e| JournalError::io(db_path, e))?;
    let len = file
        .metadata()
        .map_err(|e| JournalError::io(db_path, e))?
        .len();
    if len < 100 {
        return Err(JournalError::corrupt(
            db_path,
            format!("the file is {len} bytes long, too short for a database (truncated)"),
        ));
    }
    let mut header = [0u8; 16];
    file.read_exact(&mut header)
        .map_err(|e| JournalError::io(db_path, e))?;
    if &header != SQLITE_MAGIC {
        return Err(JournalError::corrupt(
            db_path,
            "this is not a SQLite database (the file does not start with the SQLite header)",
        ));
    }
    Ok(())
}

/// Opens the existing file read-write (never creating one: a missing journal here
/// is an error, not a new empty journal) and sets the pragmas.
fn connect(db_path: &Path, opts: &JournalOptions) -> Result<Connection, JournalError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(db_path, flags).at(db_path)?;
    // SQLite silently falls back to read-only when the file is not writable.
    if conn.is_readonly(DatabaseName::Main).at(db_path)? {
        return Err(JournalError::ReadOnly {
            path: db_path.to_path_buf(),
        });
    }
    set_pragmas(&conn, db_path, opts.max_page_count)?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)
        .at(db_path)?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

fn set_pragmas(
    conn: &Connection,
    db_path: &Path,
    max_page_count: Option<u64>,
) -> Result<(), JournalError> {
    conn.busy_timeout(BUSY_TIMEOUT).at(db_path)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .at(db_path)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(JournalError::Setup {
            path: db_path.to_path_buf(),
            detail: format!("journal_mode is {mode}, could not switch to WAL"),
        });
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .at(db_path)?;
    // Checkpoints run in the background (checkpoint.rs); inline only as a safety net.
    conn.pragma_update(None, "wal_autocheckpoint", INLINE_CHECKPOINT_PAGES)
        .at(db_path)?;
    if let Some(pages) = max_page_count {
        let _: i64 = conn
            .pragma_update_and_check(None, "max_page_count", pages, |row| row.get(0))
            .at(db_path)?;
    }
    Ok(())
}

/// Runs SQLite's own consistency check; anything but "ok" refuses the journal.
pub(crate) fn check_integrity(
    conn: &Connection,
    db_path: &Path,
    kind: IntegrityCheck,
) -> Result<(), JournalError> {
    let sql = match kind {
        IntegrityCheck::Full => "PRAGMA integrity_check(20)",
        IntegrityCheck::Quick => "PRAGMA quick_check(20)",
    };
    let mut stmt = conn.prepare(sql).at(db_path)?;
    let problems = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .at(db_path)?
        .collect::<Result<Vec<_>, _>>()
        .at(db_path)?;
    if problems.len() == 1 && problems[0] == "ok" {
        Ok(())
    } else {
        Err(JournalError::corrupt(
            db_path,
            format!("SQLite's integrity check failed: {}", problems.join("; ")),
        ))
    }
}

/// Runs the pending migrations with foreign keys off (SQLite's way to rebuild a
/// table others refer to: dropping the old one would delete from it); a
/// migration that rebuilds checks them itself before it commits.
fn migrate(conn: &mut Connection, db_path: &Path) -> Result<(), JournalError> {
    let enforced: bool = conn
        .pragma_query_value(None, "foreign_keys", |row| row.get(0))
        .at(db_path)?;
    conn.pragma_update(None, "foreign_keys", false)
        .at(db_path)?;
    let migrated = migrations()
        .to_latest(conn)
        .map_err(|e| migration_error(db_path, conn, e));
    conn.pragma_update(None, "foreign_keys", enforced)
        .at(db_path)?;
    migrated
}

fn migration_error(
    db_path: &Path,
    conn: &Connection,
    e: rusqlite_migration::Error,
) -> JournalError {
    match e {
        rusqlite_migration::Error::MigrationDefinition(
            MigrationDefinitionError::DatabaseTooFarAhead,
        ) => JournalError::TooNew {
            path: db_path.to_path_buf(),
            found: conn
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .unwrap_or(0),
            supported: SCHEMA_VERSION,
        },
        rusqlite_migration::Error::RusqliteError { err, .. } => JournalError::sqlite(db_path, err),
        other => JournalError::Setup {
            path: db_path.to_path_buf(),
            detail: format!("schema migration failed: {other}"),
        },
    }
}

/// `journal.db` + `-wal` → `journal.db-wal`.
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Journal;

    #[test]
    fn a_new_journal_is_built_aside_and_renamed_into_place() {
        let dir = tempfile::tempdir().unwrap();
        // Leftovers of a first open that crashed half way.
        fs::write(dir.path().join(NEW_FILE), b"half built").unwrap();
        fs::write(sidecar(&dir.path().join(NEW_FILE), "-wal"), b"junk").unwrap();
        let journal = Journal::open(dir.path(), JournalOptions::default()).unwrap();
        assert!(!dir.path().join(NEW_FILE).exists());
        assert!(!sidecar(&dir.path().join(NEW_FILE), "-wal").exists());
        assert!(journal.path().ends_with(DB_FILE));
        assert!(dir.path().join(LOCK_FILE).exists());
        journal.integrity_check().unwrap();
    }

    #[test]
    fn the_data_dir_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b/tapin");
        Journal::open(&nested, JournalOptions::default()).unwrap();
        assert!(nested.join(DB_FILE).exists());
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&fs::metadata(&nested).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn a_wal_without_its_journal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let wal = sidecar(&dir.path().join(DB_FILE), "-wal");
        fs::write(&wal, b"frames of a journal that was moved away").unwrap();
        match Journal::open(dir.path(), JournalOptions::default()) {
            Err(JournalError::Corrupt { path, hint }) => {
                assert_eq!(path, wal);
                assert!(hint.contains("missing"), "{hint}");
            }
            Err(other) => panic!("expected Corrupt, got {other:?}"),
            Ok(_) => panic!("built a new journal next to an orphaned WAL"),
        }
        assert!(!dir.path().join(DB_FILE).exists());
    }

    #[test]
    fn a_journal_from_a_newer_tapin_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(Journal::open(dir.path(), JournalOptions::default()).unwrap());
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        match Journal::open(dir.path(), JournalOptions::default()) {
            Err(JournalError::TooNew {
                found, supported, ..
            }) => assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION)),
            Err(other) => panic!("expected TooNew, got {other:?}"),
            Ok(_) => panic!("opened a journal with an unknown schema"),
        }
    }

    #[test]
    fn a_failed_integrity_check_is_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        drop(Journal::open(dir.path(), JournalOptions::default()).unwrap());
        // Make an index disagree with its table behind SQLite's back: its entries
        // hold `b`, its definition now says `a`.
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT);
             CREATE INDEX t_b ON t (b);
             INSERT INTO t VALUES (1, 'x');
             PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = 'CREATE INDEX t_b ON t (a)' WHERE name = 't_b';",
        )
        .unwrap();
        drop(conn);
        match Journal::open(dir.path(), JournalOptions::default()) {
            Err(JournalError::Corrupt { hint, .. }) => {
                assert!(hint.contains("integrity check"), "{hint}");
            }
            Err(other) => panic!("expected Corrupt, got {other:?}"),
            Ok(_) => panic!("opened a journal that fails its integrity check"),
        }
    }
}
