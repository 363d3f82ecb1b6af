//! The secrets backend: the OS keyring, one entry per secret, each call
//! bounded in time; and an in-memory one for unit tests.
//!
//! What differs between systems is in one file each (`linux.rs`: the
//! Secret Service; `macos.rs`: the Keychain; `windows.rs`: Credential
//! Manager): how the store is reached, how long one entry may be, and how a
//! locked or refused keyring is said. A secret longer than an entry may
//! hold (Windows caps one credential at 2,560 bytes) is stored whole, in
//! parts (`parts`), never truncated.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as system;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as system;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as system;

mod parts;

use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

use super::error::StoreError;

/// A keyring that has not answered by then is waiting for something (a
/// password prompt nobody sees): say so instead of hanging.
pub(super) const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

/// The secrets of one account, one keyring entry each (Windows caps an
/// entry at 2,560 bytes, and an ID token alone can come near that).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    RefreshToken,
    AccessToken,
    IdToken,
}

impl SecretKind {
    pub const ALL: [SecretKind; 3] = [SecretKind::RefreshToken, SecretKind::IdToken, SecretKind::AccessToken];

    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::RefreshToken => "refresh_token",
            SecretKind::AccessToken => "access_token",
            SecretKind::IdToken => "id_token",
        }
    }

    pub(super) fn noun(self) -> &'static str {
        match self {
            SecretKind::RefreshToken => "secret-refresh-token",
            SecretKind::AccessToken => "secret-access-token",
            SecretKind::IdToken => "secret-id-token",
        }
    }
}

/// A place for secrets. The real one is [`KeyringSecrets`]; unit tests use
/// [`MemorySecrets`].
pub trait SecretStore: Send + Sync {
    fn set(&self, account: &str, kind: SecretKind, value: &str) -> Result<(), StoreError>;
    fn get(&self, account: &str, kind: SecretKind) -> Result<Option<String>, StoreError>;
    /// Deleting a secret that is not there is not an error.
    fn delete(&self, account: &str, kind: SecretKind) -> Result<(), StoreError>;
    /// Writes, reads back and deletes a probe entry: the store is there,
    /// unlocked and writable.
    fn check_writable(&self) -> Result<(), StoreError>;
}

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows.
#[derive(Debug, Clone)]
pub struct KeyringSecrets {
    service: String,
    /// The longest value one entry holds, if the system has a limit.
    entry_limit: Option<usize>,
}

impl KeyringSecrets {
    pub fn new(service: impl Into<String>) -> Self {
        system::prepare();
        Self { service: service.into(), entry_limit: system::ENTRY_LIMIT }
    }

    fn entry_name(account: &str, kind: SecretKind) -> String {
        format!("{account}/{}", kind.as_str())
    }

    /// Runs a keyring call on its own thread and waits at most
    /// [`KEYRING_TIMEOUT`] for it: a locked keyring may wait for a prompt forever.
    fn bounded<T: Send + 'static>(
        &self,
        writes: bool,
        kind: Option<SecretKind>,
        call: impl FnOnce(&str) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let step = if writes { crate::steps::Step::KeyringWrite } else { crate::steps::Step::KeyringRead };
        crate::steps::timed(step, || self.bounded_now(kind, call))
    }

    fn bounded_now<T: Send + 'static>(
        &self,
        kind: Option<SecretKind>,
        call: impl FnOnce(&str) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = mpsc::channel();
        let service = self.service.clone();
        std::thread::Builder::new()
            .name("keyring".into())
            .spawn(move || {
                let _ = tx.send(call(&service));
            })
            .map_err(|e| StoreError::Keyring(e.to_string()))?;
        match rx.recv_timeout(KEYRING_TIMEOUT) {
            Ok(result) => result.map_err(|err| keyring_error(err, kind)),
            Err(_) => Err(StoreError::KeyringTimeout(KEYRING_TIMEOUT.as_secs())),
        }
    }
}

fn keyring_error(err: keyring::Error, kind: Option<SecretKind>) -> StoreError {
    match err {
        // Locked, or access refused (a prompt declined, a session without the user's credentials).
        keyring::Error::NoStorageAccess(_) => StoreError::KeyringLocked(system::UNLOCK),
        keyring::Error::PlatformFailure(inner) => system::failed(&first_line(&inner.to_string())),
        keyring::Error::TooLong(_, len) => {
            StoreError::SecretTooLong { kind: kind.map_or("secret-any", SecretKind::noun), len: len as usize }
        }
        other => StoreError::Keyring(first_line(&other.to_string())),
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_string()
}

/// The keyring's entries of one service, by name.
struct ServiceEntries<'a>(&'a str);

impl parts::Entries for ServiceEntries<'_> {
    fn get(&self, name: &str) -> keyring::Result<Option<String>> {
        match keyring::Entry::new(self.0, name)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(err),
        }
    }

    fn set(&self, name: &str, value: &str) -> keyring::Result<()> {
        keyring::Entry::new(self.0, name)?.set_password(value)
    }

    fn delete(&self, name: &str) -> keyring::Result<()> {
        match keyring::Entry::new(self.0, name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(err),
        }
    }
}

impl SecretStore for KeyringSecrets {
    fn set(&self, account: &str, kind: SecretKind, value: &str) -> Result<(), StoreError> {
        let name = Self::entry_name(account, kind);
        let value = value.to_string();
        let limit = self.entry_limit;
        self.bounded(true, Some(kind), move |service| parts::set(&ServiceEntries(service), &name, &value, limit))
    }

    fn get(&self, account: &str, kind: SecretKind) -> Result<Option<String>, StoreError> {
        let name = Self::entry_name(account, kind);
        let limit = self.entry_limit;
        match self.bounded(false, Some(kind), move |service| parts::get(&ServiceEntries(service), &name, limit))? {
            Ok(value) => Ok(value),
            Err(parts::Incomplete) => Err(StoreError::SecretIncomplete(kind.noun())),
        }
    }

    fn delete(&self, account: &str, kind: SecretKind) -> Result<(), StoreError> {
        let name = Self::entry_name(account, kind);
        let limit = self.entry_limit;
        self.bounded(true, Some(kind), move |service| parts::delete(&ServiceEntries(service), &name, limit))
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        let probe = format!("probe-{}", std::process::id());
        self.bounded(true, None, move |service| {
            let entry = keyring::Entry::new(service, &probe)?;
            entry.set_password("probe")?;
            let read = entry.get_password();
            let _ = entry.delete_credential();
            match read {
                Ok(value) if value == "probe" => Ok(()),
                Ok(_) => Err(keyring::Error::PlatformFailure("the keyring returned another value than stored".into())),
                Err(err) => Err(err),
            }
        })
    }
}

/// Secrets in memory, for unit tests only.
#[derive(Debug, Default)]
pub struct MemorySecrets(Mutex<std::collections::HashMap<(String, SecretKind), String>>);

impl SecretStore for MemorySecrets {
    fn set(&self, account: &str, kind: SecretKind, value: &str) -> Result<(), StoreError> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert((account.to_string(), kind), value.to_string());
        Ok(())
    }

    fn get(&self, account: &str, kind: SecretKind) -> Result<Option<String>, StoreError> {
        Ok(self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&(account.to_string(), kind)).cloned())
    }

    fn delete(&self, account: &str, kind: SecretKind) -> Result<(), StoreError> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(&(account.to_string(), kind));
        Ok(())
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
