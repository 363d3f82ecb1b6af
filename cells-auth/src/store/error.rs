//! What can go wrong with the keyring or the account file, said so that a
//! user can act on it.

use std::path::PathBuf;

/// Overrides the directory of the account file.
pub const CONFIG_DIR_ENV: &str = "CELLS_AUTH_CONFIG_DIR";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no Secret Service is available to keep the tokens ({0}): start gnome-keyring or another Secret Service (such as KeePassXC) in your desktop session, then try again")]
    NoSecretService(String),
    /// How to unlock it differs between systems.
    #[error("the keyring is locked: unlock it ({0}) and try again")]
    KeyringLocked(&'static str),
    #[error("the keyring holds only part of the {0}: sign in again")]
    SecretIncomplete(&'static str),
    /// The keyring did not answer within this many seconds.
    #[error(
        "the keyring did not answer within {0} s; it may be waiting for a password prompt: unlock it and try again"
    )]
    KeyringTimeout(u64),
    #[error("the keyring refused to store a {kind} of {len} bytes, longer than it accepts")]
    SecretTooLong { kind: &'static str, len: usize },
    #[error("the keyring failed: {0}")]
    Keyring(String),
    #[error("cannot find a configuration directory: set {CONFIG_DIR_ENV} to one")]
    NoConfigDir,
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error("the configuration directory {path} {reason}: whoever can change it can say where the tokens are sent; make it yours alone ({fix}) and try again")]
    UnsafeDir { path: PathBuf, reason: String, fix: &'static str },
    #[error("another cells-auth process has held {} for {seconds} s (it may be stopped or hung): end it, or try again", path.display())]
    LockTimeout { path: PathBuf, seconds: u64 },
    #[error("the account file {path} is damaged ({reason}): move it away and sign in again")]
    Corrupt { path: PathBuf, reason: String },
    #[error("no account matches '{0}': `cells-auth status` lists them")]
    UnknownAccount(String),
    #[error("the {kind} of account {account} is missing from the keyring: sign in again")]
    MissingSecret { account: String, kind: &'static str },
}
