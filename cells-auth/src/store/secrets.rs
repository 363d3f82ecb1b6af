//! The secrets backend: the OS keyring, one entry per secret, each call
//! bounded in time; and an in-memory one for unit tests.

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
            SecretKind::RefreshToken => "refresh token",
            SecretKind::AccessToken => "access token",
            SecretKind::IdToken => "ID token",
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
}

impl KeyringSecrets {
    pub fn new(service: impl Into<String>) -> Self {
        #[cfg(target_os = "linux")]
        user_bus_when_unnamed();
        Self { service: service.into() }
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

/// The libdbus linked in (`vendored`) falls back to autolaunching a new bus
/// when `DBUS_SESSION_BUS_ADDRESS` is unset, where the system's goes to the
/// user's bus in `$XDG_RUNTIME_DIR/bus` (systemd's), which is where the
/// keyring is: name that one, as the system's library would. Called when the
/// store is opened, at the start of a process.
#[cfg(target_os = "linux")]
fn user_bus_when_unnamed() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return;
    }
    let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR") else { return };
    let bus = std::path::Path::new(&runtime).join("bus");
    if std::fs::symlink_metadata(&bus).is_ok_and(|meta| std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type())) {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", bus.display()));
    }
}

fn keyring_error(err: keyring::Error, kind: Option<SecretKind>) -> StoreError {
    match err {
        keyring::Error::NoStorageAccess(_) => StoreError::KeyringLocked,
        keyring::Error::PlatformFailure(inner) => {
            let text = inner.to_string();
            let lowered = text.to_ascii_lowercase();
            if lowered.contains("locked") {
                StoreError::KeyringLocked
            } else if lowered.contains("dbus")
                || lowered.contains("d-bus")
                || lowered.contains("secrets")
                || lowered.contains("service")
            {
                StoreError::NoSecretService(first_line(&text))
            } else {
                StoreError::Keyring(first_line(&text))
            }
        }
        keyring::Error::TooLong(_, len) => {
            StoreError::SecretTooLong { kind: kind.map_or("secret", SecretKind::noun), len: len as usize }
        }
        other => StoreError::Keyring(first_line(&other.to_string())),
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_string()
}

impl SecretStore for KeyringSecrets {
    fn set(&self, account: &str, kind: SecretKind, value: &str) -> Result<(), StoreError> {
        let name = Self::entry_name(account, kind);
        let value = value.to_string();
        self.bounded(true, Some(kind), move |service| keyring::Entry::new(service, &name)?.set_password(&value))
    }

    fn get(&self, account: &str, kind: SecretKind) -> Result<Option<String>, StoreError> {
        let name = Self::entry_name(account, kind);
        self.bounded(false, Some(kind), move |service| match keyring::Entry::new(service, &name)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(err),
        })
    }

    fn delete(&self, account: &str, kind: SecretKind) -> Result<(), StoreError> {
        let name = Self::entry_name(account, kind);
        self.bounded(true, Some(kind), move |service| match keyring::Entry::new(service, &name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(err),
        })
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
