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

#[cfg(any(windows, target_os = "macos"))]
mod native;
mod parts;

use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

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

/// What one keyring call can say, the same on every system.
#[derive(Debug)]
pub(super) enum EntryError {
    /// Locked, or access refused (a prompt declined, a session without the user's credentials).
    NoAccess,
    /// Longer than one entry may hold (this many characters). Linux's has no limit.
    #[cfg_attr(target_os = "linux", allow(dead_code))]
    TooLong(usize),
    /// The system's keyring failed; its own words.
    Failed(String),
}

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows.
#[derive(Debug, Clone)]
pub struct KeyringSecrets {
    service: String,
    /// The longest value one entry holds, if the system has a limit.
    entry_limit: Option<usize>,
}

/// A keyring call, run on the keyring's thread.
type Job = Box<dyn FnOnce(&system::Keyring) + Send>;

/// The one thread of this process that speaks to the keyring, holding the
/// system's connection (on Linux, one Secret Service connection and session)
/// for every call. Made at the first call.
fn keyring_thread() -> Result<&'static mpsc::Sender<Job>, StoreError> {
    static THREAD: OnceLock<Result<mpsc::Sender<Job>, String>> = OnceLock::new();
    let thread = THREAD.get_or_init(|| {
        let (sender, jobs) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("keyring".into())
            .spawn(move || {
                let keyring = system::Keyring::new();
                for job in jobs {
                    job(&keyring);
                }
            })
            .map(|_| sender)
            .map_err(|e| e.to_string())
    });
    thread.as_ref().map_err(|why| StoreError::Keyring(why.clone()))
}

impl KeyringSecrets {
    pub fn new(service: impl Into<String>) -> Self {
        system::prepare();
        Self { service: service.into(), entry_limit: system::ENTRY_LIMIT }
    }

    fn entry_name(account: &str, kind: SecretKind) -> String {
        format!("{account}/{}", kind.as_str())
    }

    /// Runs a keyring call on the keyring's thread and waits at most
    /// [`KEYRING_TIMEOUT`] for it: a locked keyring may wait for a prompt.
    fn bounded<T: Send + 'static>(
        &self,
        writes: bool,
        kind: Option<SecretKind>,
        call: impl FnOnce(&ServiceEntries<'_>) -> Result<T, EntryError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let step = if writes { crate::steps::Step::KeyringWrite } else { crate::steps::Step::KeyringRead };
        crate::steps::timed(step, || self.bounded_now(kind, call))
    }

    fn bounded_now<T: Send + 'static>(
        &self,
        kind: Option<SecretKind>,
        call: impl FnOnce(&ServiceEntries<'_>) -> Result<T, EntryError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, answer) = mpsc::sync_channel(1);
        let service = self.service.clone();
        let deadline = Instant::now() + KEYRING_TIMEOUT;
        let job: Job = Box::new(move |keyring| {
            // Queued behind a call that stalled: its caller has given up, and
            // a write nobody waits for any more is not made.
            if Instant::now() < deadline {
                let _ = reply.send(call(&ServiceEntries { keyring, service: &service }));
            }
        });
        let sent = keyring_thread()?.send(job);
        sent.map_err(|_| StoreError::Keyring("the keyring thread has stopped".into()))?;
        match answer.recv_timeout(KEYRING_TIMEOUT) {
            Ok(result) => result.map_err(|err| keyring_error(err, kind)),
            Err(_) => Err(StoreError::KeyringTimeout(KEYRING_TIMEOUT.as_secs())),
        }
    }
}

fn keyring_error(err: EntryError, kind: Option<SecretKind>) -> StoreError {
    match err {
        EntryError::NoAccess => StoreError::KeyringLocked(system::UNLOCK),
        EntryError::Failed(detail) => system::failed(&first_line(&detail)),
        EntryError::TooLong(len) => {
            StoreError::SecretTooLong { kind: kind.map_or("secret-any", SecretKind::noun), len }
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_string()
}

/// The keyring's entries of one service, by name.
struct ServiceEntries<'a> {
    keyring: &'a system::Keyring,
    service: &'a str,
}

impl parts::Entries for ServiceEntries<'_> {
    fn get(&self, name: &str) -> Result<Option<String>, EntryError> {
        self.keyring.get(self.service, name)
    }

    fn set(&self, name: &str, value: &str) -> Result<(), EntryError> {
        self.keyring.set(self.service, name, value)
    }

    fn delete(&self, name: &str) -> Result<(), EntryError> {
        self.keyring.delete(self.service, name)
    }
}

impl SecretStore for KeyringSecrets {
    fn set(&self, account: &str, kind: SecretKind, value: &str) -> Result<(), StoreError> {
        let name = Self::entry_name(account, kind);
        let value = value.to_string();
        let limit = self.entry_limit;
        self.bounded(true, Some(kind), move |entries| parts::set(entries, &name, &value, limit))
    }

    fn get(&self, account: &str, kind: SecretKind) -> Result<Option<String>, StoreError> {
        let name = Self::entry_name(account, kind);
        let limit = self.entry_limit;
        match self.bounded(false, Some(kind), move |entries| parts::get(entries, &name, limit))? {
            Ok(value) => Ok(value),
            Err(parts::Incomplete) => Err(StoreError::SecretIncomplete(kind.noun())),
        }
    }

    fn delete(&self, account: &str, kind: SecretKind) -> Result<(), StoreError> {
        let name = Self::entry_name(account, kind);
        let limit = self.entry_limit;
        self.bounded(true, Some(kind), move |entries| parts::delete(entries, &name, limit))
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        use parts::Entries as _;
        let probe = format!("probe-{}", std::process::id());
        self.bounded(true, None, move |entries| {
            entries.set(&probe, "probe")?;
            let read = entries.get(&probe);
            let _ = entries.delete(&probe);
            match read? {
                Some(value) if value == "probe" => Ok(()),
                Some(_) => Err(EntryError::Failed("the keyring returned another value than stored".into())),
                None => Err(EntryError::Failed("the keyring lost a value just stored".into())),
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
