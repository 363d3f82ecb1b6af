//! Linux: the Secret Service (gnome-keyring, KeePassXC, KWallet), through
//! the libdbus linked into this program, on one connection and one
//! encrypted session for the life of the process.

use std::cell::RefCell;
use std::collections::HashMap;

use dbus_secret_service::{EncryptionType, Error, SecretService};

use super::EntryError;
use crate::store::error::StoreError;

/// How long the keyring's own unlock prompt may stay open before it is
/// dismissed: a person typing their password. The calls waiting meanwhile
/// have already said that the keyring did not answer.
const PROMPT_SECONDS: u64 = 120;

/// One connection and session, opened at the first call, and opened again
/// when the keyring has forgotten it (the keyring restarted).
pub(super) struct Keyring {
    service: RefCell<Option<SecretService>>,
}

impl Keyring {
    pub(super) fn new() -> Self {
        Keyring { service: RefCell::new(None) }
    }

    pub(super) fn get(&self, service: &str, name: &str) -> Result<Option<String>, EntryError> {
        self.call(|ss| {
            let found = ss.search_items(search_attributes(service, name))?;
            let Some(item) = found.unlocked.first().or(found.locked.first()) else { return Ok(None) };
            if found.unlocked.is_empty() {
                item.unlock()?;
            }
            let secret = item.get_secret()?;
            String::from_utf8(secret).map(Some).map_err(|_| Error::UnsupportedSecretFormat)
        })
    }

    /// Creates the entry, or replaces the one with the same attributes: one
    /// call, as `secret-tool store` makes.
    pub(super) fn set(&self, service: &str, name: &str, value: &str) -> Result<(), EntryError> {
        self.call(|ss| {
            let collection = ss.get_default_collection()?;
            if collection.is_locked()? {
                collection.unlock()?;
            }
            let label = format!("{service}: {name}");
            collection.create_item(&label, attributes(service, name), value.as_bytes(), true, "text/plain")?;
            Ok(())
        })
    }

    pub(super) fn delete(&self, service: &str, name: &str) -> Result<(), EntryError> {
        self.call(|ss| {
            let found = ss.search_items(search_attributes(service, name))?;
            for item in found.unlocked.iter().chain(found.locked.iter()) {
                item.delete()?;
            }
            Ok(())
        })
    }

    /// Runs `op` on the session, opening it first if needed. A session the
    /// keyring no longer knows (it was restarted) is opened again once.
    fn call<T>(&self, op: impl Fn(&SecretService) -> Result<T, Error>) -> Result<T, EntryError> {
        let mut slot = self.service.borrow_mut();
        for attempt in 0..2 {
            if slot.is_none() {
                let opened = SecretService::connect_with_max_prompt_timeout(EncryptionType::Dh, PROMPT_SECONDS);
                *slot = Some(opened.map_err(entry_error)?);
            }
            let Some(ss) = slot.as_ref() else { continue };
            match op(ss) {
                Ok(value) => return Ok(value),
                Err(err) if attempt == 0 && session_lost(&err) => *slot = None,
                Err(err) => return Err(entry_error(err)),
            }
        }
        Err(EntryError::Failed("the Secret Service forgot this program's session twice".into()))
    }
}

/// What an entry is found by. The same attributes as the `keyring` crate
/// wrote, so that entries stored by earlier versions are found and replaced.
fn search_attributes<'a>(service: &'a str, name: &'a str) -> HashMap<&'a str, &'a str> {
    HashMap::from([("target", "default"), ("service", service), ("username", name)])
}

fn attributes<'a>(service: &'a str, name: &'a str) -> HashMap<&'a str, &'a str> {
    let mut all = search_attributes(service, name);
    all.insert("application", "rust-keyring");
    all
}

/// The keyring no longer knows the session or the connection is gone: a
/// new one may work. An unanswered call (a stalled keyring) is not retried.
fn session_lost(err: &Error) -> bool {
    match err {
        Error::Dbus(err) => {
            !matches!(err.name(), Some("org.freedesktop.DBus.Error.NoReply" | "org.freedesktop.DBus.Error.Timeout"))
        }
        _ => false,
    }
}

fn entry_error(err: Error) -> EntryError {
    match err {
        Error::Locked | Error::NoResult | Error::Prompt => EntryError::NoAccess,
        other => EntryError::Failed(other.to_string()),
    }
}

/// A Secret Service entry has no practical limit.
pub(super) const ENTRY_LIMIT: Option<usize> = None;

/// The libdbus linked in (`vendored`) falls back to autolaunching a new bus
/// when `DBUS_SESSION_BUS_ADDRESS` is unset, where the system's goes to the
/// user's bus in `$XDG_RUNTIME_DIR/bus` (systemd's), which is where the
/// keyring is: name that one, as the system's library would. Called when the
/// store is opened, at the start of a process.
pub(super) fn prepare() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return;
    }
    let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR") else { return };
    let bus = std::path::Path::new(&runtime).join("bus");
    if std::fs::symlink_metadata(&bus).is_ok_and(|meta| std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type())) {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", bus.display()));
    }
}

/// How to unlock the keyring, for a locked or refused one.
pub(super) const UNLOCK: &str = "keyring-unlock-linux";

/// The keyring failed: locked, missing, or something else.
pub(super) fn failed(detail: &str) -> StoreError {
    let lowered = detail.to_ascii_lowercase();
    if lowered.contains("locked") {
        StoreError::KeyringLocked(UNLOCK)
    } else if lowered.contains("dbus")
        || lowered.contains("d-bus")
        || lowered.contains("secrets")
        || lowered.contains("service")
    {
        StoreError::NoSecretService(detail.to_string())
    } else {
        StoreError::Keyring(detail.to_string())
    }
}
