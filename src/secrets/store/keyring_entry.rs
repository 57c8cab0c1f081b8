//! The keyring stores (Secret Service, keyutils) through keyring 3's explicit
//! credential types, so which store is used is ours to choose, not the crate's
//! default chain.
//!
//! Every call runs on a fresh thread and is waited for with a deadline: keyring's
//! async Secret Service blocks on zbus's private tokio runtime, which panics when
//! called from a tokio runtime thread, and a D-Bus without a Secret Service can keep
//! a call waiting. A call that misses the deadline is left to finish on its own
//! thread and its store counts as unavailable.

use std::sync::mpsc;
use std::time::Duration;

use keyring::Entry;

use super::{SERVICE, SecretError, SecretStoreKind};

/// The entry's bytes, `None` when there is none.
pub(super) fn get(
    kind: SecretStoreKind,
    account: &str,
    timeout: Duration,
) -> Result<Option<Vec<u8>>, SecretError> {
    let account = account.to_owned();
    let got = off_thread(kind, timeout, move || entry(kind, &account)?.get_secret());
    match got {
        Ok(bytes) => Ok(Some(bytes)),
        Err(Missing) => Ok(None),
        Err(Failed(e)) => Err(e),
    }
}

/// Creates or replaces the entry.
pub(super) fn set(
    kind: SecretStoreKind,
    account: &str,
    bytes: &[u8],
    timeout: Duration,
) -> Result<(), SecretError> {
    let owned = (account.to_owned(), bytes.to_vec());
    let result = match off_thread(kind, timeout, move || {
        entry(kind, &owned.0)?.set_secret(&owned.1)
    }) {
        Ok(()) => return Ok(()),
        // keyutils says "no entry" when the kernel denies linking the new key into
        // the session or persistent keyring.
        Err(Missing) => SecretError::Unavailable {
            kind,
            detail: "the kernel refused to keep the key (access to the session or \
                     persistent keyring denied)"
                .to_owned(),
        },
        Err(Failed(e)) => e,
    };
    if kind == SecretStoreKind::Keyutils {
        // A key added before the link failed would linger, unreachable, in memory.
        let _ = delete(kind, account, timeout);
    }
    Err(result)
}

/// Deletes the entry; a missing one is fine.
pub(super) fn delete(
    kind: SecretStoreKind,
    account: &str,
    timeout: Duration,
) -> Result<(), SecretError> {
    let account = account.to_owned();
    match off_thread(kind, timeout, move || {
        entry(kind, &account)?.delete_credential()
    }) {
        Ok(()) | Err(Missing) => Ok(()),
        Err(Failed(e)) => Err(e),
    }
}

fn entry(kind: SecretStoreKind, account: &str) -> keyring::Result<Entry> {
    let credential: Box<keyring::credential::Credential> = match kind {
        SecretStoreKind::SecretService => {
            Box::new(keyring::secret_service::SsCredential::new_with_target(
                Some("default"),
                SERVICE,
                account,
            )?)
        }
        // Other kinds never reach here; keyutils is the safe answer regardless.
        _ => Box::new(keyring::keyutils::KeyutilsCredential::new_with_target(
            None, SERVICE, account,
        )?),
    };
    Ok(Entry::new_with_credential(credential))
}

/// How a keyring call ended, when it did not succeed.
enum Outcome {
    /// The store answered: no such entry.
    Missing,
    Failed(SecretError),
}
use Outcome::{Failed, Missing};

fn off_thread<T: Send + 'static>(
    kind: SecretStoreKind,
    timeout: Duration,
    call: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T, Outcome> {
    let unavailable = |detail: String| Failed(SecretError::Unavailable { kind, detail });
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name(format!("tapin-{kind}"))
        .spawn(move || {
            // The receiver may have given up waiting; nothing else to tell.
            let _ = tx.send(call());
        })
        .map_err(|e| unavailable(format!("cannot start a thread for it: {e}")))?;
    match rx.recv_timeout(timeout) {
        Ok(result) => result.map_err(|e| classify(kind, e)),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(unavailable(format!(
            "no answer within {} s",
            timeout.as_secs_f32()
        ))),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(unavailable("the keyring library failed".to_owned()))
        }
    }
}

fn classify(kind: SecretStoreKind, error: keyring::Error) -> Outcome {
    match error {
        keyring::Error::NoEntry => Missing,
        keyring::Error::PlatformFailure(e) => Failed(SecretError::Unavailable {
            kind,
            detail: e.to_string(),
        }),
        keyring::Error::NoStorageAccess(e) => Failed(SecretError::Refused {
            kind,
            detail: e.to_string(),
        }),
        other => Failed(SecretError::Refused {
            kind,
            detail: other.to_string(),
        }),
    }
}
