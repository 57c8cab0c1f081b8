//! The file store and systemd credential files: bounded reads, and a 0600 file
//! written atomically (temp file created 0600, fsync, rename, fsync the directory),
//! so it is never readable by others, nor half written, even for an instant.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::{MAX_SECRET_BYTES, SecretError};

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SecretError {
    let path = path.to_path_buf();
    move |source| SecretError::Io {
        action,
        path,
        source,
    }
}

/// The bytes of `path`, `None` when it does not exist. With `private`, a file that
/// group or others may read is refused. Reads at most one byte past the cap, so
/// the caller sees an oversized entry as such.
pub(super) fn read(path: &Path, private: bool) -> Result<Option<Vec<u8>>, SecretError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io("read", path)(e)),
    };
    let meta = file.metadata().map_err(io("read", path))?;
    if !meta.is_file() {
        return Err(io("read", path)(std::io::Error::other(
            "not a regular file",
        )));
    }
    let mode = meta.permissions().mode() & 0o777;
    if private && mode & 0o077 != 0 {
        return Err(SecretError::TooOpen {
            path: path.to_path_buf(),
            mode,
        });
    }
    let mut bytes = Vec::new();
    file.take(MAX_SECRET_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io("read", path))?;
    Ok(Some(bytes))
}

/// Replaces `path` with `bytes`, mode 0600.
pub(super) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SecretError> {
    let tmp = temp_path(path);
    let written = write_new(&tmp, bytes).and_then(|()| {
        fs::rename(&tmp, path).map_err(io("replace", path))?;
        sync_dir(path)
    });
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

fn write_new(tmp: &Path, bytes: &[u8]) -> Result<(), SecretError> {
    // Created 0600 (the umask can only narrow it); set again in case it did.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(tmp)
        .map_err(io("create", tmp))?;
    file.set_permissions(Permissions::from_mode(0o600))
        .map_err(io("set the mode of", tmp))?;
    file.write_all(bytes).map_err(io("write", tmp))?;
    file.sync_all().map_err(io("flush", tmp))
}

/// Makes a rename or removal in `path`'s directory survive a power cut.
fn sync_dir(path: &Path) -> Result<(), SecretError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("flush the directory", dir))
}

/// A fresh name next to `path` (same file system, so the rename is atomic).
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", uuid::Uuid::now_v7().simple()))
}

/// Removes `path`; a missing file is fine.
pub(super) fn remove(path: &Path) -> Result<(), SecretError> {
    match fs::remove_file(path) {
        Ok(()) => sync_dir(path),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io("remove", path)(e)),
    }
}

/// Whether a file can be created next to `path`.
pub(super) fn check_dir_writable(path: &Path) -> Result<(), SecretError> {
    let tmp = temp_path(path);
    write_new(&tmp, b"")?;
    fs::remove_file(&tmp).map_err(io("remove", &tmp))
}
