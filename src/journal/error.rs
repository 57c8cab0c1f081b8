//! What can go wrong with the journal, worded for the person at the kiosk and the
//! admin who has to fix it: every error names the file and the fix.

use std::io;
use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

/// What to do with a journal that cannot be read. Shown with every `Corrupt` error.
pub const CORRUPT_RECOVERY: &str = "move journal.db, journal.db-wal and journal.db-shm \
     aside (do not delete them) and restore from backup; pending events in it have not \
     reached the hub";

/// An error of the journal. The `Display` text is meant to be shown as is.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// No space left (or the test cap `max_page_count` reached). The operation was
    /// rolled back; everything committed earlier is intact.
    #[error(
        "the disk holding {} is full: this punch was NOT recorded (earlier punches are \
         safe); free space on the device, then punch again",
        path.display()
    )]
    DiskFull { path: PathBuf },

    /// The journal file or its directory cannot be written.
    #[error(
        "{} is read-only: punches cannot be recorded; make it (and its directory) \
         writable for the tapin user, and check that the disk is not mounted read-only",
        path.display()
    )]
    ReadOnly { path: PathBuf },

    /// The file is not a complete, consistent journal. It was left untouched.
    #[error("the journal {} is damaged: {hint}", path.display())]
    Corrupt { path: PathBuf, hint: String },

    /// Another process holds the journal's lock.
    #[error(
        "the journal {} is in use by another tapin process (it holds journal.lock next \
         to it); stop that process, or give this one its own data directory",
        path.display()
    )]
    InUse { path: PathBuf },

    /// Another program (an open `sqlite3` shell, a backup tool) held SQLite's
    /// lock on the journal for longer than a write may wait.
    #[error(
        "the journal {} is locked by another program (an open sqlite3 shell or a \
         backup tool?); close it, the kiosk keeps trying",
        path.display()
    )]
    Busy { path: PathBuf },

    /// The journal was written by a newer tapin whose schema this build does not know.
    #[error(
        "the journal {} has schema version {found}, newer than the {supported} this \
         tapin knows; install the newer tapin again (do not delete the journal)",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: usize,
        supported: usize,
    },

    /// The journal could not be brought to the state this build needs (WAL mode,
    /// schema migration).
    #[error("the journal {} could not be set up: {detail}", path.display())]
    Setup { path: PathBuf, detail: String },

    /// Any other SQLite error.
    #[error("the journal {}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    /// Any other I/O error on the journal's files.
    #[error("the journal file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// An event could not be serialized (cannot happen with the current types).
    #[error("an event could not be encoded for the journal: {source}")]
    Encode {
        #[source]
        source: serde_json::Error,
    },
}

impl JournalError {
    /// A `Corrupt` error for `path` with what was found; the recovery hint is appended.
    pub(crate) fn corrupt(path: &Path, found: impl std::fmt::Display) -> Self {
        JournalError::Corrupt {
            path: path.to_path_buf(),
            hint: format!("{found}; {CORRUPT_RECOVERY}"),
        }
    }

    /// Classifies an I/O error on `path`.
    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        match source.kind() {
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                JournalError::ReadOnly {
                    path: path.to_path_buf(),
                }
            }
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => JournalError::DiskFull {
                path: path.to_path_buf(),
            },
            _ => JournalError::Io {
                path: path.to_path_buf(),
                source,
            },
        }
    }

    /// Classifies a SQLite error on the journal at `db_path`.
    pub(crate) fn sqlite(db_path: &Path, source: rusqlite::Error) -> Self {
        let code = source.sqlite_error_code();
        match code {
            Some(ErrorCode::DiskFull) => JournalError::DiskFull {
                path: db_path.to_path_buf(),
            },
            Some(ErrorCode::ReadOnly) => JournalError::ReadOnly {
                path: read_only_culprit(db_path),
            },
            Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied)
                if !writable(db_path) || !dir_writable(db_path) =>
            {
                JournalError::ReadOnly {
                    path: read_only_culprit(db_path),
                }
            }
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                JournalError::corrupt(db_path, &source)
            }
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => JournalError::Busy {
                path: db_path.to_path_buf(),
            },
            _ => JournalError::Sqlite {
                path: db_path.to_path_buf(),
                source,
            },
        }
    }
}

/// The file to name in a `ReadOnly` error: the journal itself when it cannot be
/// opened for writing, otherwise its directory (SQLite must create the -wal and
/// -shm files there).
fn read_only_culprit(db_path: &Path) -> PathBuf {
    if db_path.exists() && !writable(db_path) {
        db_path.to_path_buf()
    } else {
        db_path
            .parent()
            .map_or_else(|| db_path.to_path_buf(), Path::to_path_buf)
    }
}

/// Whether this process may open `path` for writing (a missing file counts as
/// writable: the directory decides then). Opening for append changes nothing.
fn writable(path: &Path) -> bool {
    match std::fs::OpenOptions::new().append(true).open(path) {
        Ok(_) => true,
        Err(e) => !matches!(
            e.kind(),
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
        ),
    }
}

/// Whether files can be created next to `db_path`: probed with a uniquely named
/// file that is removed at once.
fn dir_writable(db_path: &Path) -> bool {
    let Some(dir) = db_path.parent() else {
        return true;
    };
    let probe = dir.join(format!(".journal-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            // Best effort: a leftover empty probe file is harmless.
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(e) => !matches!(
            e.kind(),
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
        ),
    }
}

/// Shorthand used throughout the journal: classify a SQLite error for this file.
pub(crate) trait SqliteResultExt<T> {
    fn at(self, db_path: &Path) -> Result<T, JournalError>;
}

impl<T> SqliteResultExt<T> for Result<T, rusqlite::Error> {
    fn at(self, db_path: &Path) -> Result<T, JournalError> {
        self.map_err(|e| JournalError::sqlite(db_path, e))
    }
}
