//! What can go wrong with a secret store, worded with the fix. No variant carries
//! a secret.

use std::path::PathBuf;

use super::{CREDENTIAL_NAME, SecretStoreKind};

/// Why the secrets could not be read or written. Never carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot use the data directory {}: {source}", path.display())]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The store is not there (no D-Bus session, no kernel support, no answer).
    #[error("the {kind} secret store is not available: {detail}")]
    Unavailable {
        kind: SecretStoreKind,
        detail: String,
    },
    /// The store is there but refused (a locked keyring, access denied).
    #[error("the {kind} secret store refused access: {detail}")]
    Refused {
        kind: SecretStoreKind,
        detail: String,
    },
    #[error(
        "the device secret in {location} is damaged ({detail}); enroll again with `tapin enroll`"
    )]
    Malformed { location: String, detail: String },
    #[error(
        "{} may be read by other users (mode {mode:o}); run `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "systemd credentials are read-only: give the service the JSON with \
         LoadCredentialEncrypted={CREDENTIAL_NAME}:..., or choose another secret_store"
    )]
    ReadOnly,
    #[error(
        "secret_store = \"systemd-credentials\" but CREDENTIALS_DIRECTORY is not set: \
         run tapin from a systemd unit with LoadCredential={CREDENTIAL_NAME}:..."
    )]
    NoCredentialsDirectory,
    /// Written, but reading back finds other secrets first.
    #[error(
        "the secret was written to the {saved} store, but an older one in the {by} store \
         is read first; remove that one (or set secret_store = \"{saved}\")"
    )]
    Shadowed {
        saved: SecretStoreKind,
        by: SecretStoreKind,
    },
    #[error("the secret was written to the {0} store but cannot be read back from it")]
    NotReadBack(SecretStoreKind),
}

impl SecretError {
    /// A missing store, as opposed to one that holds something unusable.
    pub(super) fn is_unavailable(&self) -> bool {
        matches!(
            self,
            SecretError::Unavailable { .. } | SecretError::NoCredentialsDirectory
        )
    }
}
