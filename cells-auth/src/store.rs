//! Where accounts live: secrets in the OS keyring, one entry per secret, and
//! everything else in one JSON file written atomically with mode 0600.
//!
//! Secrets never go to the file, and there is no plaintext fallback: when the
//! keyring is missing or locked, the user is told how to fix it.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::tokens::{AccessToken, IdToken, RefreshToken, TokenSet};

/// The keyring service under which every secret is filed.
pub const KEYRING_SERVICE: &str = "cells-auth";
/// Overrides the directory of the account file.
pub const CONFIG_DIR_ENV: &str = "CELLS_AUTH_CONFIG_DIR";
const ACCOUNTS_FILE: &str = "accounts.json";
const LOCK_FILE: &str = "accounts.lock";
/// A keyring that has not answered by then is waiting for something (a
/// password prompt nobody sees): say so instead of hanging.
const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no Secret Service is available to keep the tokens ({0}): start gnome-keyring or another Secret Service (such as KeePassXC) in your desktop session, then try again")]
    NoSecretService(String),
    #[error("the keyring is locked: unlock it (for example in Passwords and Keys, or by signing in to the desktop session) and try again")]
    KeyringLocked,
    #[error("the keyring did not answer within {} s; it may be waiting for a password prompt: unlock it and try again", KEYRING_TIMEOUT.as_secs())]
    KeyringTimeout,
    #[error("the keyring refused to store a {kind} of {len} bytes, longer than it accepts")]
    SecretTooLong { kind: &'static str, len: usize },
    #[error("the keyring failed: {0}")]
    Keyring(String),
    #[error("cannot find a configuration directory: set {CONFIG_DIR_ENV} to one")]
    NoConfigDir,
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error("the account file {path} is damaged ({reason}): move it away and sign in again")]
    Corrupt { path: PathBuf, reason: String },
    #[error("no account matches '{0}': `cells-auth status` lists them")]
    UnknownAccount(String),
    #[error("no accounts: sign in first with `cells-auth login <server>`")]
    NoAccounts,
    #[error("'{selector}' matches several accounts ({ids}): give the account id")]
    Ambiguous { selector: String, ids: String },
    #[error("the {kind} of account {account} is missing from the keyring: sign in again")]
    MissingSecret { account: String, kind: &'static str },
}

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

    fn noun(self) -> &'static str {
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
        Self { service: service.into() }
    }

    fn entry_name(account: &str, kind: SecretKind) -> String {
        format!("{account}/{}", kind.as_str())
    }

    /// Runs a keyring call on its own thread and waits at most
    /// [`KEYRING_TIMEOUT`] for it: a locked keyring may wait for a prompt forever.
    fn bounded<T: Send + 'static>(
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
            Err(_) => Err(StoreError::KeyringTimeout),
        }
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
        self.bounded(Some(kind), move |service| keyring::Entry::new(service, &name)?.set_password(&value))
    }

    fn get(&self, account: &str, kind: SecretKind) -> Result<Option<String>, StoreError> {
        let name = Self::entry_name(account, kind);
        self.bounded(Some(kind), move |service| match keyring::Entry::new(service, &name)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(err),
        })
    }

    fn delete(&self, account: &str, kind: SecretKind) -> Result<(), StoreError> {
        let name = Self::entry_name(account, kind);
        self.bounded(Some(kind), move |service| match keyring::Entry::new(service, &name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(err),
        })
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        let probe = format!("probe-{}", std::process::id());
        self.bounded(None, move |service| {
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

/// What a user sees of an account's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// The access token is valid.
    SignedIn,
    /// The access token has expired; the refresh token can get a new one.
    Expired,
    /// Only a new sign-in in the browser helps.
    NeedsReauth,
}

impl AccountState {
    pub fn describe(self) -> &'static str {
        match self {
            AccountState::SignedIn => "signed in",
            AccountState::Expired => "access token expired",
            AccountState::NeedsReauth => "needs sign-in",
        }
    }
}

/// One account's metadata; its secrets are in the keyring under its `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    /// The server address as the user gave it, normalised.
    pub server: String,
    /// The server's display name, when it gives one.
    #[serde(default)]
    pub label: Option<String>,
    /// The OAuth client signed in as: `cells-sync`, or `cells-mobile` for a
    /// custom-scheme sign-in. Refreshes must use the same one.
    #[serde(default = "default_client_id")]
    pub client_id: String,
    /// The issuer exactly as discovered; ID tokens must carry it.
    pub issuer: String,
    /// The user's `sub` at that issuer.
    pub sub: String,
    /// The login (Cells' `name` claim).
    pub user: String,
    pub email: Option<String>,
    pub access_token_expires_at: DateTime<Utc>,
    /// When the access token was received: with its expiry, its lifetime.
    pub access_token_issued_at: DateTime<Utc>,
    pub id_token_expires_at: Option<DateTime<Utc>>,
    pub signed_in_at: DateTime<Utc>,
    #[serde(default)]
    pub last_refresh_at: Option<DateTime<Utc>>,
    /// Why a new sign-in is needed, when it is.
    #[serde(default)]
    pub needs_reauth: Option<String>,
    /// The last refresh failure that may pass (network, server error), while
    /// retrying.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When the next refresh is attempted after `last_error`.
    #[serde(default)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Refresh failures in a row, for the backoff.
    #[serde(default)]
    pub failures: u32,
}

fn default_client_id() -> String {
    crate::CLIENT_ID.to_string()
}

/// Who signed in, as the ID token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub sub: String,
    pub user: String,
    pub email: Option<String>,
}

impl Account {
    /// The account of a sign-in that just got `tokens`.
    pub fn signed_in(
        server: &str,
        client_id: &str,
        identity: Identity,
        tokens: &TokenSet,
        id_token_expires_at: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            id: account_id(&identity.issuer, &identity.sub),
            server: server.to_string(),
            label: None,
            client_id: client_id.to_string(),
            issuer: identity.issuer,
            sub: identity.sub,
            user: identity.user,
            email: identity.email,
            access_token_expires_at: tokens.access_token_expires_at,
            access_token_issued_at: tokens.received_at,
            id_token_expires_at,
            signed_in_at: tokens.received_at,
            last_refresh_at: None,
            needs_reauth: None,
            last_error: None,
            next_attempt_at: None,
            failures: 0,
        }
    }

    /// What to call the server: its label, else its host.
    pub fn server_name(&self) -> String {
        self.label.clone().unwrap_or_else(|| {
            crate::discovery::ServerUrl::parse(&self.server).map(|s| s.host()).unwrap_or_else(|_| self.server.clone())
        })
    }

    pub fn state(&self, now: DateTime<Utc>) -> AccountState {
        if self.needs_reauth.is_some() {
            AccountState::NeedsReauth
        } else if now >= self.access_token_expires_at {
            AccountState::Expired
        } else {
            AccountState::SignedIn
        }
    }
}

/// One account per user and server: the same `sub` at the same issuer is the
/// same account, whatever address it was reached by.
pub fn account_id(issuer: &str, sub: &str) -> String {
    let digest = Sha256::digest(format!("{issuer}\n{sub}").as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The secrets of one account, read back from the keyring.
#[derive(Debug, Clone)]
pub struct StoredTokens {
    pub refresh_token: RefreshToken,
    pub access_token: Option<AccessToken>,
    pub id_token: Option<IdToken>,
}

/// Holds an account's refresh lock until dropped.
#[derive(Debug)]
pub struct AccountLock(fs::File);

impl Drop for AccountLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AccountsFile {
    version: u32,
    accounts: Vec<Account>,
}

/// Accounts and their secrets.
#[derive(Clone)]
pub struct Store {
    dir: PathBuf,
    secrets: Arc<dyn SecretStore>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>, secrets: Arc<dyn SecretStore>) -> Self {
        Self { dir: dir.into(), secrets }
    }

    /// The user's store: `$CELLS_AUTH_CONFIG_DIR` or `<config dir>/cells-auth`,
    /// and the OS keyring.
    pub fn open_default() -> Result<Self, StoreError> {
        Ok(Self::new(default_dir()?, Arc::new(KeyringSecrets::new(KEYRING_SERVICE))))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn accounts_path(&self) -> PathBuf {
        self.dir.join(ACCOUNTS_FILE)
    }

    pub fn check_writable(&self) -> Result<(), StoreError> {
        self.secrets.check_writable()
    }

    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        Ok(self.read_file()?.accounts)
    }

    /// Finds an account by id, or, when only one matches, by login or server.
    pub fn find(&self, selector: &str) -> Result<Account, StoreError> {
        let accounts = self.accounts()?;
        if let Some(account) = accounts.iter().find(|a| a.id == selector) {
            return Ok(account.clone());
        }
        let server = crate::discovery::ServerUrl::parse(selector).ok();
        let matches: Vec<&Account> = accounts
            .iter()
            .filter(|a| a.user == selector || server.as_ref().is_some_and(|s| s.as_str() == a.server))
            .collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(StoreError::UnknownAccount(selector.to_string())),
            many => Err(StoreError::Ambiguous {
                selector: selector.to_string(),
                ids: many.iter().map(|a| a.id.as_str()).collect::<Vec<_>>().join(", "),
            }),
        }
    }

    /// Stores a fresh sign-in: the secrets first, then the account file, so
    /// the file never points at secrets that are not there. Signing in again
    /// as the same user on the same server replaces that account.
    pub fn save(&self, account: &Account, tokens: &TokenSet) -> Result<(), StoreError> {
        // The refresh token first: it is the one secret that cannot be got again.
        if let Some(refresh) = &tokens.refresh_token {
            self.save_refresh_token(&account.id, refresh)?;
        }
        self.save_refreshed(account, tokens)
    }

    /// Stores a rotated refresh token at once: the one it replaces is spent.
    pub fn save_refresh_token(&self, account_id: &str, refresh_token: &RefreshToken) -> Result<(), StoreError> {
        self.secrets.set(account_id, SecretKind::RefreshToken, refresh_token.secret())?;
        crate::failpoint::hit("after-refresh-token-write");
        Ok(())
    }

    /// Stores the access and ID tokens of a refresh whose refresh token is
    /// already saved, then the account metadata.
    pub fn save_refreshed(&self, account: &Account, tokens: &TokenSet) -> Result<(), StoreError> {
        if let Some(id_token) = &tokens.id_token {
            self.secrets.set(&account.id, SecretKind::IdToken, id_token.secret())?;
        }
        self.secrets.set(&account.id, SecretKind::AccessToken, tokens.access_token.secret())?;
        self.update_file(|file| {
            match file.accounts.iter_mut().find(|a| a.id == account.id) {
                Some(existing) => *existing = account.clone(),
                None => file.accounts.push(account.clone()),
            }
            Ok(())
        })
    }

    /// Changes one account's metadata (not its secrets).
    pub fn update(&self, account_id: &str, change: impl FnOnce(&mut Account)) -> Result<Account, StoreError> {
        let mut updated = None;
        self.update_file(|file| {
            let account = file
                .accounts
                .iter_mut()
                .find(|a| a.id == account_id)
                .ok_or_else(|| StoreError::UnknownAccount(account_id.to_string()))?;
            change(account);
            updated = Some(account.clone());
            Ok(())
        })?;
        updated.ok_or_else(|| StoreError::UnknownAccount(account_id.to_string()))
    }

    /// The account with this id, as the file says now.
    pub fn get(&self, account_id: &str) -> Result<Option<Account>, StoreError> {
        Ok(self.accounts()?.into_iter().find(|a| a.id == account_id))
    }

    /// The account `selector` names, or the only account when none is named.
    pub fn find_or_only(&self, selector: Option<&str>) -> Result<Account, StoreError> {
        if let Some(selector) = selector {
            return self.find(selector);
        }
        let accounts = self.accounts()?;
        match accounts.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(StoreError::NoAccounts),
            many => Err(StoreError::Ambiguous {
                selector: "no account named".to_string(),
                ids: many
                    .iter()
                    .map(|a| format!("{} ({} on {})", a.id, a.user, a.server))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Takes the per-account lock that serialises refreshes across processes;
    /// blocks until it is free. Released when the guard is dropped.
    pub fn lock_account(&self, account_id: &str) -> Result<AccountLock, StoreError> {
        let dir = self.dir.join("locks");
        ensure_private_dir(&self.dir)?;
        ensure_private_dir(&dir)?;
        let path = dir.join(format!("{account_id}.lock"));
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| StoreError::Io { action: "open", path: path.clone(), source })?;
        file.lock().map_err(|source| StoreError::Io { action: "lock", path, source })?;
        Ok(AccountLock(file))
    }

    /// Reads an account's secrets back from the keyring.
    pub fn tokens(&self, account_id: &str) -> Result<StoredTokens, StoreError> {
        let refresh_token = self.secrets.get(account_id, SecretKind::RefreshToken)?.map(RefreshToken::new).ok_or(
            StoreError::MissingSecret { account: account_id.to_string(), kind: SecretKind::RefreshToken.noun() },
        )?;
        Ok(StoredTokens {
            refresh_token,
            access_token: self.secrets.get(account_id, SecretKind::AccessToken)?.map(AccessToken::new),
            id_token: self.secrets.get(account_id, SecretKind::IdToken)?.map(IdToken::new),
        })
    }

    /// Deletes an account's secrets, then its metadata.
    pub fn remove(&self, account_id: &str) -> Result<(), StoreError> {
        for kind in SecretKind::ALL {
            self.secrets.delete(account_id, kind)?;
        }
        let _ = fs::remove_file(self.dir.join("locks").join(format!("{account_id}.lock")));
        self.update_file(|file| {
            file.accounts.retain(|a| a.id != account_id);
            Ok(())
        })
    }

    fn read_file(&self) -> Result<AccountsFile, StoreError> {
        let path = self.accounts_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(AccountsFile { version: 1, accounts: vec![] })
            }
            Err(source) => return Err(StoreError::Io { action: "read", path, source }),
        };
        serde_json::from_str(&text).map_err(|err| StoreError::Corrupt { path, reason: err.to_string() })
    }

    /// Read-modify-write of the account file under an exclusive lock, so two
    /// processes never lose each other's changes.
    fn update_file(&self, change: impl FnOnce(&mut AccountsFile) -> Result<(), StoreError>) -> Result<(), StoreError> {
        ensure_private_dir(&self.dir)?;
        let lock_path = self.dir.join(LOCK_FILE);
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| StoreError::Io { action: "open", path: lock_path.clone(), source })?;
        lock.lock().map_err(|source| StoreError::Io { action: "lock", path: lock_path.clone(), source })?;
        let mut file = self.read_file()?;
        file.version = 1;
        change(&mut file)?;
        let json = serde_json::to_vec_pretty(&file)
            .map_err(|e| StoreError::Corrupt { path: self.accounts_path(), reason: e.to_string() })?;
        let written = write_atomically(&self.accounts_path(), &json);
        let _ = lock.unlock();
        written
    }
}

fn default_dir() -> Result<PathBuf, StoreError> {
    match std::env::var_os(CONFIG_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => dirs::config_dir().map(|d| d.join("cells-auth")).ok_or(StoreError::NoConfigDir),
    }
}

fn ensure_private_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| StoreError::Io { action: "create", path: dir.to_path_buf(), source })
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io { action, path, source }
}

/// Writes to a temporary file beside `path` (mode 0600), syncs it and renames
/// it over `path`: a crash leaves the old file or the new one, never half.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = path.with_extension(format!("json.tmp-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(io_error("create", &tmp))?;
    file.write_all(bytes).map_err(io_error("write", &tmp))?;
    file.sync_all().map_err(io_error("sync", &tmp))?;
    drop(file);
    if let Err(err) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(io_error("replace", path)(err));
    }
    if let Some(parent) = path.parent() {
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(dir) = fs::File::open(parent) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::token_set;
    use chrono::TimeZone;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cells-auth-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn account(sub: &str, user: &str) -> Account {
        let t = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
        let identity = Identity {
            issuer: "https://h/oidc/".into(),
            sub: sub.into(),
            user: user.into(),
            email: Some(format!("{user}@example.com")),
        };
        Account::signed_in(
            "https://h",
            crate::CLIENT_ID,
            identity,
            &token_set("x", t, chrono::Duration::minutes(10)),
            None,
        )
    }

    fn tokens(tag: &str) -> TokenSet {
        let mut set = token_set(tag, Utc::now(), chrono::Duration::minutes(10));
        set.id_token = Some(IdToken::new(format!("id-{tag}")));
        set
    }

    #[test]
    fn saves_secrets_to_the_secret_store_and_only_metadata_to_the_file() {
        let dir = temp_dir("save");
        let store = Store::new(&dir, Arc::new(MemorySecrets::default()));
        let alice = account("u-1", "alice");
        store.save(&alice, &tokens("1")).unwrap();
        assert_eq!(store.accounts().unwrap(), vec![alice.clone()]);
        assert_eq!(store.tokens(&alice.id).unwrap().refresh_token.secret(), "1-rt");
        let text = fs::read_to_string(store.accounts_path()).unwrap();
        assert!(!text.contains("1-rt") && !text.contains("1-at") && !text.contains("id-1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.accounts_path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn the_same_user_on_the_same_server_is_updated_not_duplicated() {
        let dir = temp_dir("update");
        let store = Store::new(&dir, Arc::new(MemorySecrets::default()));
        store.save(&account("u-1", "alice"), &tokens("1")).unwrap();
        store.save(&account("u-2", "bob"), &tokens("2")).unwrap();
        let mut again = account("u-1", "alice");
        again.email = Some("new@example.com".into());
        store.save(&again, &tokens("3")).unwrap();
        let accounts = store.accounts().unwrap();
        assert_eq!(accounts.len(), 2);
        assert_eq!(accounts[0].email.as_deref(), Some("new@example.com"));
        assert_eq!(store.tokens(&again.id).unwrap().refresh_token.secret(), "3-rt");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn finds_accounts_by_id_login_or_server_when_unambiguous() {
        let dir = temp_dir("find");
        let store = Store::new(&dir, Arc::new(MemorySecrets::default()));
        let alice = account("u-1", "alice");
        let bob = account("u-2", "bob");
        store.save(&alice, &tokens("1")).unwrap();
        store.save(&bob, &tokens("2")).unwrap();
        assert_eq!(store.find(&alice.id).unwrap(), alice);
        assert_eq!(store.find("bob").unwrap(), bob);
        assert!(matches!(store.find("https://h/"), Err(StoreError::Ambiguous { .. })));
        assert!(matches!(store.find("carol"), Err(StoreError::UnknownAccount(_))));
        store.remove(&bob.id).unwrap();
        assert_eq!(store.find("h").unwrap(), alice);
        assert!(matches!(store.tokens(&bob.id), Err(StoreError::MissingSecret { .. })));
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_damaged_file_is_reported_not_overwritten() {
        let dir = temp_dir("corrupt");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(ACCOUNTS_FILE), "{not json").unwrap();
        let store = Store::new(&dir, Arc::new(MemorySecrets::default()));
        assert!(matches!(store.accounts(), Err(StoreError::Corrupt { .. })));
        assert!(store.save(&account("u-1", "alice"), &tokens("1")).is_err());
        assert_eq!(fs::read_to_string(dir.join(ACCOUNTS_FILE)).unwrap(), "{not json");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn state_follows_the_clock() {
        let alice = account("u-1", "alice");
        let before = alice.access_token_expires_at - chrono::Duration::seconds(1);
        assert_eq!(alice.state(before), AccountState::SignedIn);
        assert_eq!(alice.state(alice.access_token_expires_at), AccountState::Expired);
        let mut stale = alice.clone();
        stale.needs_reauth = Some("refresh token revoked".into());
        assert_eq!(stale.state(before), AccountState::NeedsReauth);
    }

    #[test]
    fn account_ids_are_stable_and_distinct() {
        assert_eq!(account_id("https://h/oidc/", "u-1"), account_id("https://h/oidc/", "u-1"));
        assert_ne!(account_id("https://h/oidc/", "u-1"), account_id("https://h/oidc/", "u-2"));
        assert_ne!(account_id("https://h/oidc/", "u-1"), account_id("https://g/oidc/", "u-1"));
        assert_eq!(account_id("https://h/oidc/", "u-1").len(), 12);
    }
}
