//! What can go wrong with the keyring or the account file, said so that a
//! user can act on it.

use std::path::PathBuf;

use crate::i18n::Message;

/// Overrides the directory of the account file.
pub const CONFIG_DIR_ENV: &str = "CELLS_AUTH_CONFIG_DIR";

#[derive(Debug, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum StoreError {
    NoSecretService(String),
    /// How to unlock it differs between systems: the catalog id of how.
    KeyringLocked(&'static str),
    /// The catalog id of the secret's name (`secret-refresh-token`).
    SecretIncomplete(&'static str),
    /// The keyring did not answer within this many seconds.
    KeyringTimeout(u64),
    SecretTooLong {
        kind: &'static str,
        len: usize,
    },
    Keyring(String),
    NoConfigDir,
    /// `action`: the catalog id of what was being done (`io-read`).
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// `fix`: the catalog id of how to make it private.
    UnsafeDir {
        path: PathBuf,
        reason: Message,
        fix: &'static str,
    },
    LockTimeout {
        path: PathBuf,
        seconds: u64,
    },
    Corrupt {
        path: PathBuf,
        reason: Message,
    },
    UnknownAccount(String),
    MissingSecret {
        account: String,
        kind: &'static str,
    },
}

impl crate::i18n::Said for StoreError {
    fn message(&self) -> Message {
        match self {
            StoreError::NoSecretService(reason) => Message::new("error-no-secret-service").with("reason", reason),
            StoreError::KeyringLocked(how) => Message::new("error-keyring-locked").message("how", Message::new(how)),
            StoreError::SecretIncomplete(kind) => {
                Message::new("error-secret-incomplete").message("kind", Message::new(kind))
            }
            StoreError::KeyringTimeout(seconds) => Message::new("error-keyring-timeout").with("seconds", seconds),
            StoreError::SecretTooLong { kind, len } => {
                Message::new("error-secret-too-long").message("kind", Message::new(kind)).with("bytes", len)
            }
            StoreError::Keyring(reason) => Message::new("error-keyring").with("reason", reason),
            StoreError::NoConfigDir => Message::new("error-no-config-dir").with("variable", CONFIG_DIR_ENV),
            StoreError::Io { action, path, source } => Message::new("error-io")
                .message("action", Message::new(action))
                .with("path", path.display())
                .with("reason", source),
            StoreError::UnsafeDir { path, reason, fix } => Message::new("error-unsafe-dir")
                .with("path", path.display())
                .message("reason", reason.clone())
                .message("fix", Message::new(fix)),
            StoreError::LockTimeout { path, seconds } => {
                Message::new("error-lock-timeout").with("path", path.display()).with("seconds", seconds)
            }
            StoreError::Corrupt { path, reason } => Message::new("error-account-file-damaged")
                .with("path", path.display())
                .message("reason", reason.clone()),
            StoreError::UnknownAccount(selector) => Message::new("error-unknown-account").with("selector", selector),
            StoreError::MissingSecret { account, kind } => {
                Message::new("error-missing-secret").with("account", account).message("kind", Message::new(kind))
            }
        }
    }
}
