//! Where the kiosk keeps its device token and PIN pepper, chosen by kiosk.toml's
//! `secret_store`. One entry holds both secrets as JSON
//! (`{"device_token": ..., "pin_pepper": ...}`) in one of these stores:
//!
//! - the Secret Service (D-Bus), service `tapin`;
//! - the kernel keyutils store (session keyring, linked to the persistent one);
//! - systemd credentials: `$CREDENTIALS_DIRECTORY/tapin-device`, read-only;
//! - the file `$data_dir/device-secret.json`, mode 0600.
//!
//! The keyring account is derived from the canonical data directory, so two kiosks
//! with different data directories on one machine (and parallel tests) never share
//! an entry.
//!
//! `auto` reads the stores in the order above, first hit wins, and writes to the
//! Secret Service, else to the file with a warning in the log. DELIBERATE DEVIATION
//! from issue 4 (which lists keyutils as the next store to write): `auto` never
//! writes to keyutils, because the kernel store does not survive a reboot and a
//! kiosk would silently lose its enrollment. keyutils is used when chosen
//! explicitly (mind that a service then needs the key in a keyring it can reach).
//!
//! Guarantees: secrets appear in no `Debug` output, error or log line (JSON errors
//! give line and column, never the text); every keyring call runs on a thread of
//! its own with a deadline (see [`keyring_entry`]), so the store is synchronous,
//! never hangs on a silent D-Bus and may be called from inside or outside a tokio
//! runtime; the file is created 0600 atomically and refused when group or others
//! may read it.

mod error;
mod file;
mod keyring_entry;

pub use error::SecretError;

use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::SecretStoreChoice;

/// The keyring service name of every entry.
pub const SERVICE: &str = "tapin";
/// The file store's file name inside the data directory.
pub const SECRET_FILE: &str = "device-secret.json";
/// The systemd credential's name inside `$CREDENTIALS_DIRECTORY`.
pub const CREDENTIAL_NAME: &str = "tapin-device";
/// How long one keyring call may take before its store counts as unavailable.
pub const DEFAULT_KEYRING_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest secret entry read: a hostile or damaged file cannot exhaust memory.
const MAX_SECRET_BYTES: usize = 64 * 1024;

/// What enrollment gave the device. `Debug` shows neither value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSecrets {
    /// Sent as `Authorization: Bearer TOKEN` on every device call.
    pub device_token: String,
    /// The organisation's PIN pepper.
    pub pin_pepper: String,
}

impl fmt::Debug for DeviceSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceSecrets")
            .field("device_token", &"<secret>")
            .field("pin_pepper", &"<secret>")
            .finish()
    }
}

/// One secret store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretStoreKind {
    SecretService,
    Keyutils,
    SystemdCredentials,
    File,
}

impl SecretStoreKind {
    /// The order `auto` reads in.
    pub const READ_ORDER: [SecretStoreKind; 4] = [
        SecretStoreKind::SecretService,
        SecretStoreKind::Keyutils,
        SecretStoreKind::SystemdCredentials,
        SecretStoreKind::File,
    ];

    /// The name kiosk.toml's `secret_store` uses for it.
    pub fn name(self) -> &'static str {
        match self {
            SecretStoreKind::SecretService => "secret-service",
            SecretStoreKind::Keyutils => "keyutils",
            SecretStoreKind::SystemdCredentials => "systemd-credentials",
            SecretStoreKind::File => "file",
        }
    }
}

impl fmt::Display for SecretStoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The secret stores of one data directory.
#[derive(Clone, Debug)]
pub struct SecretStores {
    choice: SecretStoreChoice,
    file: PathBuf,
    account: String,
    credentials_dir: Option<PathBuf>,
    timeout: Duration,
}

impl SecretStores {
    /// The stores for `data_dir` (which must exist). Systemd credentials are
    /// looked for only once [`Self::with_credentials_dir`] names their directory.
    pub fn new(data_dir: &Path, choice: SecretStoreChoice) -> Result<Self, SecretError> {
        let canonical = std::fs::canonicalize(data_dir).map_err(|source| SecretError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let digest = Sha256::digest(canonical.as_os_str().as_bytes());
        Ok(Self {
            choice,
            file: canonical.join(SECRET_FILE),
            account: format!("device-{}", hex::encode(&digest[..12])),
            credentials_dir: None,
            timeout: DEFAULT_KEYRING_TIMEOUT,
        })
    }

    /// Where systemd put the credentials (`$CREDENTIALS_DIRECTORY`, read by the
    /// caller: the environment is process-global).
    pub fn with_credentials_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.credentials_dir = dir;
        self
    }

    /// How long one keyring call may take.
    pub fn with_keyring_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn choice(&self) -> SecretStoreChoice {
        self.choice
    }

    /// The keyring account (the same for the Secret Service and keyutils).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The file store's path.
    pub fn file_path(&self) -> &Path {
        &self.file
    }

    /// Where `kind` keeps this device's secret, for people to read.
    pub fn location(&self, kind: SecretStoreKind) -> String {
        match kind {
            SecretStoreKind::SecretService => {
                format!(
                    "Secret Service (service {SERVICE}, account {})",
                    self.account
                )
            }
            SecretStoreKind::Keyutils => {
                format!("kernel keyutils (keyring-rs:{}@{SERVICE})", self.account)
            }
            SecretStoreKind::SystemdCredentials => match &self.credentials_dir {
                Some(dir) => format!("systemd credential {}", dir.join(CREDENTIAL_NAME).display()),
                None => format!("systemd credential {CREDENTIAL_NAME}"),
            },
            SecretStoreKind::File => format!("file {}", self.file.display()),
        }
    }

    /// The secrets and the store that holds them; `None` when no store the choice
    /// covers has any (the device is not enrolled).
    pub fn load(&self) -> Result<Option<(DeviceSecrets, SecretStoreKind)>, SecretError> {
        let Some(only) = explicit(self.choice) else {
            return self.load_auto();
        };
        Ok(self.read(only)?.map(|secrets| (secrets, only)))
    }

    fn load_auto(&self) -> Result<Option<(DeviceSecrets, SecretStoreKind)>, SecretError> {
        // A store that refused (a locked keyring) may hold the secret: reported if
        // no other store has one, rather than claiming "not enrolled".
        let mut refused = None;
        for kind in SecretStoreKind::READ_ORDER {
            match self.read(kind) {
                Ok(Some(secrets)) => return Ok(Some((secrets, kind))),
                Ok(None) => {}
                Err(e) if e.is_unavailable() => {
                    tracing::debug!(store = %kind, error = %e, "secret store skipped");
                }
                Err(e @ SecretError::Refused { .. }) => {
                    tracing::warn!(store = %kind, error = %e, "secret store skipped");
                    refused.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        refused.map_or(Ok(None), Err)
    }

    /// Stores `secrets` (replacing any earlier ones) and returns where. Reads them
    /// back before answering, so a secret that could not be found again is an error
    /// now rather than a lost enrollment at the next start.
    pub fn save(&self, secrets: &DeviceSecrets) -> Result<SecretStoreKind, SecretError> {
        let json = encode(secrets);
        let saved = match explicit(self.choice) {
            Some(kind) => {
                self.write(kind, &json)?;
                kind
            }
            None => self.save_auto(&json)?,
        };
        match self.load()? {
            Some((found, _)) if found == *secrets => Ok(saved),
            Some((_, by)) => Err(SecretError::Shadowed { saved, by }),
            None => Err(SecretError::NotReadBack(saved)),
        }
    }

    fn save_auto(&self, json: &[u8]) -> Result<SecretStoreKind, SecretError> {
        let saved = match self.write(SecretStoreKind::SecretService, json) {
            Ok(()) => SecretStoreKind::SecretService,
            Err(e) => {
                self.write(SecretStoreKind::File, json)?;
                tracing::warn!(
                    reason = %e,
                    path = %self.file.display(),
                    "no usable Secret Service: the device secret is in a file only this user may read"
                );
                SecretStoreKind::File
            }
        };
        // Older secrets elsewhere would be read first (or linger): best effort.
        for kind in WRITABLE.into_iter().filter(|k| *k != saved) {
            if let Err(e) = self.delete(kind)
                && !e.is_unavailable()
            {
                tracing::warn!(store = %kind, error = %e, "could not remove an older device secret");
            }
        }
        Ok(saved)
    }

    /// Forgets the secrets in every writable store the choice covers.
    pub fn remove(&self) -> Result<(), SecretError> {
        match explicit(self.choice) {
            Some(kind) => self.delete(kind),
            None => {
                for kind in WRITABLE {
                    match self.delete(kind) {
                        Err(e) if !e.is_unavailable() => return Err(e),
                        _ => {}
                    }
                }
                Ok(())
            }
        }
    }

    /// Whether [`Self::save`] can be expected to work, checked before a one-time
    /// enrollment code is spent.
    pub fn check_writable(&self) -> Result<(), SecretError> {
        match self.choice {
            SecretStoreChoice::Auto | SecretStoreChoice::File => {
                file::check_dir_writable(&self.file)
            }
            SecretStoreChoice::SystemdCredentials => Err(SecretError::ReadOnly),
            SecretStoreChoice::SecretService => self.read(SecretStoreKind::SecretService).map(drop),
            SecretStoreChoice::Keyutils => self.read(SecretStoreKind::Keyutils).map(drop),
        }
    }

    fn read(&self, kind: SecretStoreKind) -> Result<Option<DeviceSecrets>, SecretError> {
        let bytes = match kind {
            SecretStoreKind::SecretService | SecretStoreKind::Keyutils => {
                keyring_entry::get(kind, &self.account, self.timeout)?
            }
            SecretStoreKind::SystemdCredentials => {
                let dir = self
                    .credentials_dir
                    .as_ref()
                    .ok_or(SecretError::NoCredentialsDirectory)?;
                file::read(&dir.join(CREDENTIAL_NAME), false)?
            }
            SecretStoreKind::File => file::read(&self.file, true)?,
        };
        bytes
            .map(|bytes| decode(&bytes, &self.location(kind)))
            .transpose()
    }

    fn write(&self, kind: SecretStoreKind, json: &[u8]) -> Result<(), SecretError> {
        match kind {
            SecretStoreKind::SecretService | SecretStoreKind::Keyutils => {
                keyring_entry::set(kind, &self.account, json, self.timeout)
            }
            SecretStoreKind::SystemdCredentials => Err(SecretError::ReadOnly),
            SecretStoreKind::File => file::write_private(&self.file, json),
        }
    }

    fn delete(&self, kind: SecretStoreKind) -> Result<(), SecretError> {
        match kind {
            SecretStoreKind::SecretService | SecretStoreKind::Keyutils => {
                keyring_entry::delete(kind, &self.account, self.timeout)
            }
            SecretStoreKind::SystemdCredentials => Err(SecretError::ReadOnly),
            SecretStoreKind::File => file::remove(&self.file),
        }
    }
}

/// The stores tapin can write to.
const WRITABLE: [SecretStoreKind; 3] = [
    SecretStoreKind::SecretService,
    SecretStoreKind::Keyutils,
    SecretStoreKind::File,
];

/// The one store an explicit choice means; `None` for `auto`.
fn explicit(choice: SecretStoreChoice) -> Option<SecretStoreKind> {
    match choice {
        SecretStoreChoice::Auto => None,
        SecretStoreChoice::SecretService => Some(SecretStoreKind::SecretService),
        SecretStoreChoice::Keyutils => Some(SecretStoreKind::Keyutils),
        SecretStoreChoice::SystemdCredentials => Some(SecretStoreKind::SystemdCredentials),
        SecretStoreChoice::File => Some(SecretStoreKind::File),
    }
}

fn encode(secrets: &DeviceSecrets) -> Vec<u8> {
    // Two strings always serialize; the fallback keeps this path panic-free.
    serde_json::to_vec(secrets).unwrap_or_default()
}

/// Parses an entry. Errors give the position, never the text (it is a secret).
fn decode(bytes: &[u8], location: &str) -> Result<DeviceSecrets, SecretError> {
    let malformed = |detail: String| SecretError::Malformed {
        location: location.to_owned(),
        detail,
    };
    if bytes.len() > MAX_SECRET_BYTES {
        return Err(malformed(format!(
            "larger than {} KiB",
            MAX_SECRET_BYTES / 1024
        )));
    }
    let secrets: DeviceSecrets = serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        let what = match e.classify() {
            Category::Syntax | Category::Io => "not valid JSON",
            Category::Eof => "cut short",
            Category::Data => "not an object with the strings device_token and pin_pepper",
        };
        malformed(format!(
            "{what} at line {}, column {}",
            e.line(),
            e.column()
        ))
    })?;
    if secrets.device_token.trim().is_empty() || secrets.pin_pepper.trim().is_empty() {
        return Err(malformed("device_token or pin_pepper is empty".to_owned()));
    }
    Ok(secrets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret() {
        let secrets = DeviceSecrets {
            device_token: "tok-123".into(),
            pin_pepper: "pep-456".into(),
        };
        let shown = format!("{secrets:?}");
        assert!(
            !shown.contains("tok-123") && !shown.contains("pep-456"),
            "{shown}"
        );
    }

    #[test]
    fn a_damaged_entry_is_named_without_quoting_it() {
        let cases: [(&[u8], &str); 5] = [
            (b"{\"device_token\": \"tok-123\"", "cut short"),
            (b"not json tok-123", "not valid JSON"),
            (
                b"{\"device_token\": 5, \"pin_pepper\": \"tok-123\"}",
                "device_token",
            ),
            (
                b"{\"device_token\": \"\", \"pin_pepper\": \"tok-123\"}",
                "empty",
            ),
            (b"[\"tok-123\"]", "not an object"),
        ];
        for (bytes, needle) in cases {
            let error = decode(bytes, "file x").expect_err("damaged").to_string();
            assert!(error.contains(needle), "{error}");
            assert!(
                error.contains("file x") && !error.contains("tok-123"),
                "{error}"
            );
        }
    }

    #[test]
    fn the_account_depends_on_the_data_directory() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let store = |dir: &Path| SecretStores::new(dir, SecretStoreChoice::Auto).unwrap();
        assert_eq!(store(a.path()).account(), store(a.path()).account());
        assert_ne!(store(a.path()).account(), store(b.path()).account());
        let dotted = a.path().join(".");
        assert_eq!(
            store(&dotted).account(),
            store(a.path()).account(),
            "canonical"
        );
    }
}
