//! Where accounts live: secrets in the OS keyring, one entry per secret, and
//! everything else in one JSON file written atomically with mode 0600.
//!
//! Secrets never go to the file, and there is no plaintext fallback: when the
//! keyring is missing or locked, the user is told how to fix it.

mod account;
mod error;
mod files;
mod lookup;
mod private;
mod secrets;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::tokens::{AccessToken, IdToken, RefreshToken, TokenSet};

use crate::steps::{timed, Step};
pub use account::{account_id, Account, AccountState, Identity};
pub use error::{StoreError, CONFIG_DIR_ENV};
pub use files::FileLock;
use files::{check_private_dir, ensure_private_dir, write_atomically};
pub use lookup::{find_account, find_account_or_only, LookupError};
#[cfg(unix)]
pub(crate) use private::current_uid;
pub use secrets::{KeyringSecrets, MemorySecrets, SecretKind, SecretStore};

/// The keyring service under which every secret is filed.
pub const KEYRING_SERVICE: &str = "cells-auth";
const ACCOUNTS_FILE: &str = "accounts.json";
const LOCK_FILE: &str = "accounts.lock";
const CACHE_DIR: &str = "cache";
/// How long a process waits for another's lock before saying so.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The secrets of one account, read back from the keyring.
#[derive(Debug, Clone)]
pub struct StoredTokens {
    pub refresh_token: RefreshToken,
    pub access_token: Option<AccessToken>,
    pub id_token: Option<IdToken>,
}

/// Holds an account's refresh lock until dropped.
pub type AccountLock = FileLock;

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct AccountsFile {
    version: u32,
    pub(crate) accounts: Vec<Account>,
}

/// Accounts and their secrets.
#[derive(Clone)]
pub struct Store {
    dir: PathBuf,
    /// Where server documents are kept (`cache_dir_for`).
    cache_dir: PathBuf,
    secrets: Arc<dyn SecretStore>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>, secrets: Arc<dyn SecretStore>) -> Self {
        let dir = dir.into();
        Self { cache_dir: dir.join(CACHE_DIR), dir, secrets }
    }

    /// The user's store: `$CELLS_AUTH_CONFIG_DIR` or `<config dir>/cells-auth`,
    /// and the OS keyring.
    pub fn open_default() -> Result<Self, StoreError> {
        let dir = default_dir()?;
        let cache_dir = default_cache_dir(&dir);
        Ok(Self { dir, cache_dir, secrets: Arc::new(KeyringSecrets::new(KEYRING_SERVICE)) })
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

    /// Stores a fresh sign-in: the secrets first, then the account file, so
    /// the file never points at secrets that are not there. Signing in again
    /// as the same user on the same server replaces that account.
    pub fn save(&self, account: &Account, tokens: &TokenSet) -> Result<(), StoreError> {
        // The refresh token first: it is the one secret that cannot be got again.
        if let Some(refresh) = &tokens.refresh_token {
            self.save_refresh_token(&account.id, refresh)?;
        }
        self.save_tokens_and_account(account, tokens, true)
    }

    /// Stores a rotated refresh token at once: the one it replaces is spent.
    pub fn save_refresh_token(&self, account_id: &str, refresh_token: &RefreshToken) -> Result<(), StoreError> {
        self.secrets.set(account_id, SecretKind::RefreshToken, refresh_token.secret())?;
        crate::failpoint::hit("after-refresh-token-write");
        Ok(())
    }

    /// Stores the access token of a refresh whose refresh token is already
    /// saved, then the account metadata. The refreshed ID token is checked
    /// (same user) but not kept: nothing reads a stored ID token after the
    /// sign-in, and each keyring write is a round trip.
    pub fn save_refreshed(&self, account: &Account, tokens: &TokenSet) -> Result<(), StoreError> {
        self.save_tokens_and_account(account, tokens, false)
    }

    fn save_tokens_and_account(
        &self,
        account: &Account,
        tokens: &TokenSet,
        with_id_token: bool,
    ) -> Result<(), StoreError> {
        let set_access_token = || self.secrets.set(&account.id, SecretKind::AccessToken, tokens.access_token.secret());
        match tokens.id_token.as_ref().filter(|_| with_id_token) {
            None => set_access_token()?,
            Some(id_token) => {
                // Side by side: each keyring call is a round trip of its own,
                // and neither of these two depends on the other.
                let (id_token, access_token) = std::thread::scope(|scope| {
                    let id_token =
                        scope.spawn(|| self.secrets.set(&account.id, SecretKind::IdToken, id_token.secret()));
                    (id_token.join(), set_access_token())
                });
                id_token.map_err(|_| StoreError::Keyring("the keyring worker failed".into()))??;
                access_token?;
            }
        }
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

    /// Takes the per-account lock that serialises refreshes across processes;
    /// blocks until it is free. Released when the guard is dropped.
    pub fn lock_account(&self, account_id: &str) -> Result<AccountLock, StoreError> {
        let dir = self.dir.join("locks");
        ensure_private_dir(&self.dir)?;
        ensure_private_dir(&dir)?;
        timed(Step::File, || FileLock::acquire_within(&dir.join(format!("{account_id}.lock")), LOCK_WAIT))
    }

    /// Only the refresh token: what a refresh spends.
    pub fn refresh_token(&self, account_id: &str) -> Result<RefreshToken, StoreError> {
        self.secrets
            .get(account_id, SecretKind::RefreshToken)?
            .map(RefreshToken::new)
            .ok_or(StoreError::MissingSecret { account: account_id.to_string(), kind: SecretKind::RefreshToken.noun() })
    }

    /// Reads an account's secrets back from the keyring.
    pub fn tokens(&self, account_id: &str) -> Result<StoredTokens, StoreError> {
        let refresh_token = self.refresh_token(account_id)?;
        Ok(StoredTokens {
            refresh_token,
            access_token: self.secrets.get(account_id, SecretKind::AccessToken)?.map(AccessToken::new),
            id_token: self.secrets.get(account_id, SecretKind::IdToken)?.map(IdToken::new),
        })
    }

    /// Only the access token: one keyring read, for a caller that has it
    /// valid by the account file.
    pub fn access_token(&self, account_id: &str) -> Result<Option<AccessToken>, StoreError> {
        Ok(self.secrets.get(account_id, SecretKind::AccessToken)?.map(AccessToken::new))
    }

    /// A document a server publishes, kept between processes in the cache
    /// directory (not secret); `None` when there is none.
    pub(crate) fn read_cached(&self, name: &str) -> Option<Vec<u8>> {
        timed(Step::File, || fs::read(self.cache_dir.join(name)).ok())
    }

    pub(crate) fn write_cached(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        ensure_private_dir(&self.dir)?;
        ensure_private_dir(&self.cache_dir)?;
        timed(Step::File, || write_atomically(&self.cache_dir.join(name), bytes))
    }

    pub(crate) fn forget_cached(&self, name: &str) {
        let _ = fs::remove_file(self.cache_dir.join(name));
    }

    /// Deletes an account's secrets, then its metadata.
    pub fn remove(&self, account_id: &str) -> Result<(), StoreError> {
        for kind in SecretKind::ALL {
            self.secrets.delete(account_id, kind)?;
        }
        // The lock file stays: another process may hold it right now, and a
        // new file would let a third one in beside it.
        self.update_file(|file| {
            file.accounts.retain(|a| a.id != account_id);
            Ok(())
        })
    }

    fn read_file(&self) -> Result<AccountsFile, StoreError> {
        check_private_dir(&self.dir)?;
        let path = self.accounts_path();
        let text = match timed(Step::File, || fs::read_to_string(&path)) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(AccountsFile { version: 1, accounts: vec![] })
            }
            Err(source) => return Err(StoreError::Io { action: "io-read", path, source }),
        };
        parse_accounts(&text).map_err(|reason| StoreError::Corrupt { path, reason })
    }

    /// Read-modify-write of the account file under an exclusive lock, so two
    /// processes never lose each other's changes.
    fn update_file(&self, change: impl FnOnce(&mut AccountsFile) -> Result<(), StoreError>) -> Result<(), StoreError> {
        ensure_private_dir(&self.dir)?;
        let _lock = timed(Step::File, || FileLock::acquire_within(&self.dir.join(LOCK_FILE), LOCK_WAIT))?;
        let mut file = self.read_file()?;
        file.version = 1;
        change(&mut file)?;
        let json = serde_json::to_vec_pretty(&file).map_err(|e| StoreError::Corrupt {
            path: self.accounts_path(),
            reason: crate::i18n::Message::verbatim(e),
        })?;
        timed(Step::File, || write_atomically(&self.accounts_path(), &json))
    }
}

/// The account file's text, or what is wrong with it (never a quote of it).
pub(crate) fn parse_accounts(text: &str) -> Result<AccountsFile, crate::i18n::Message> {
    serde_json::from_str(text).map_err(|err| crate::untrusted::json_problem(&err))
}

fn default_dir() -> Result<PathBuf, StoreError> {
    match std::env::var_os(CONFIG_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => dirs::config_dir().map(|d| d.join("cells-auth")).ok_or(StoreError::NoConfigDir),
    }
}

/// Where server documents are kept: the system's cache directory on
/// Windows (`%LOCALAPPDATA%\cells-auth`) and macOS
/// (`~/Library/Caches/cells-auth`); `cache/` beside the account file on
/// Linux, and wherever `CELLS_AUTH_CONFIG_DIR` names the configuration.
fn default_cache_dir(config: &Path) -> PathBuf {
    let named = std::env::var_os(CONFIG_DIR_ENV).is_some_and(|dir| !dir.is_empty());
    match dirs::cache_dir() {
        Some(cache) if !named && !cfg!(target_os = "linux") => cache.join("cells-auth"),
        _ => config.join(CACHE_DIR),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::account;
    use crate::testing::token_set;
    use chrono::Utc;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cells-auth-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
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
    fn removing_an_account_deletes_its_secrets_and_metadata_only() {
        let dir = temp_dir("remove");
        let store = Store::new(&dir, Arc::new(MemorySecrets::default()));
        let alice = account("u-1", "alice");
        let bob = account("u-2", "bob");
        store.save(&alice, &tokens("1")).unwrap();
        store.save(&bob, &tokens("2")).unwrap();
        store.remove(&bob.id).unwrap();
        assert_eq!(store.accounts().unwrap(), vec![alice.clone()]);
        assert!(matches!(store.tokens(&bob.id), Err(StoreError::MissingSecret { .. })));
        assert_eq!(store.tokens(&alice.id).unwrap().refresh_token.secret(), "1-rt");
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
    fn a_held_lock_is_waited_for_a_bounded_time_and_lock_files_are_private() {
        let dir = temp_dir("lock-wait");
        let store = Store::new(&dir, Arc::new(MemorySecrets::default()));
        let held = store.lock_account("acc").unwrap();
        let path = dir.join("locks").join("acc.lock");
        let err = FileLock::acquire_within(&path, std::time::Duration::from_millis(200)).unwrap_err();
        assert!(matches!(err, StoreError::LockTimeout { .. }), "{err:?}");
        assert!(err.to_string().contains("another cells-auth process has held"), "{err}");
        drop(held);
        let again = FileLock::acquire_within(&path, std::time::Duration::from_millis(200));
        assert!(again.is_ok(), "free once released");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(fs::metadata(dir.join("locks")).unwrap().permissions().mode() & 0o777, 0o700);
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_others_can_write_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("unsafe-dir");
        let store = Store::new(&dir, Arc::new(MemorySecrets::default()));
        store.save(&account("u-1", "alice"), &tokens("1")).unwrap();
        for mode in [0o777, 0o720, 0o702] {
            fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
            let err = store.accounts().unwrap_err();
            assert!(matches!(err, StoreError::UnsafeDir { .. }), "{mode:o}: {err:?}");
        }
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(store.accounts().unwrap().len(), 1);
        // Another user's directory, even private, is not ours to trust (needs root to set up).
        if std::os::unix::fs::chown(&dir, Some(65534), None).is_ok() {
            let err = store.accounts().unwrap_err();
            assert!(err.to_string().contains("belongs to another user"), "{err}");
            std::os::unix::fs::chown(&dir, Some(0), None).unwrap();
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn removing_an_account_leaves_its_lock_file_to_whoever_holds_it() {
        let dir = temp_dir("remove-lock");
        let store = Store::new(&dir, Arc::new(MemorySecrets::default()));
        let alice = account("u-1", "alice");
        store.save(&alice, &tokens("1")).unwrap();
        let held = store.lock_account(&alice.id).unwrap();
        store.remove(&alice.id).unwrap();
        assert!(dir.join("locks").join(format!("{}.lock", alice.id)).exists());
        drop(held);
        let _ = fs::remove_dir_all(dir);
    }
}
