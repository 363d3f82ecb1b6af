//! Windows and macOS: the system's keyring through the `keyring` crate,
//! whose calls each reach the system's own API in process (no connection
//! to keep).

use super::EntryError;

pub(super) struct Keyring;

impl Keyring {
    pub(super) fn new() -> Self {
        Keyring
    }

    pub(super) fn get(&self, service: &str, name: &str) -> Result<Option<String>, EntryError> {
        match entry(service, name)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(entry_error(err)),
        }
    }

    pub(super) fn set(&self, service: &str, name: &str, value: &str) -> Result<(), EntryError> {
        entry(service, name)?.set_password(value).map_err(entry_error)
    }

    pub(super) fn delete(&self, service: &str, name: &str) -> Result<(), EntryError> {
        match entry(service, name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(entry_error(err)),
        }
    }
}

fn entry(service: &str, name: &str) -> Result<keyring::Entry, EntryError> {
    keyring::Entry::new(service, name).map_err(entry_error)
}

fn entry_error(err: keyring::Error) -> EntryError {
    match err {
        keyring::Error::NoStorageAccess(_) => EntryError::NoAccess,
        keyring::Error::TooLong(_, len) => EntryError::TooLong(len as usize),
        keyring::Error::PlatformFailure(inner) => EntryError::Failed(inner.to_string()),
        other => EntryError::Failed(other.to_string()),
    }
}
