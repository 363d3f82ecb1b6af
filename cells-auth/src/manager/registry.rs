//! The registry: the accounts of one store, their in-memory state, and the
//! events that tell front ends of every change.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, Notify};

use super::providers::Providers;
use super::refresh::HandedToken;
use crate::certificates::ServerTrust;
use crate::clock::Clock;
use crate::discovery::ServerUrl;
use crate::http::ClientError;
use crate::i18n::{Message, Said};
use crate::store::{Account, Store, StoreError};
use crate::tokens::{AccessToken, RefreshToken};
use crate::view::AccountView;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum ManagerError {
    UnknownAccount(String),
    /// Only a new sign-in in the browser helps.
    NeedsReauth {
        user: String,
        server: String,
        reason: Message,
    },
    /// A passing failure; the access token has expired and the next attempt is scheduled.
    RetryLater {
        user: String,
        server: String,
        reason: Message,
        next_attempt: DateTime<Utc>,
    },
    Store(Message),
}

impl Said for ManagerError {
    fn message(&self) -> Message {
        match self {
            ManagerError::UnknownAccount(id) => Message::new("error-no-account").with("id", id),
            ManagerError::NeedsReauth { user, server, reason } => Message::new("error-needs-sign-in")
                .with("user", user)
                .with("server", server)
                .message("reason", reason.clone()),
            // A reason of several lines (a refused certificate's details) comes last, whole.
            ManagerError::RetryLater { user, server, reason, next_attempt } => {
                let long = reason.say(crate::i18n::Language::English).contains('\n');
                Message::new(if long { "error-retry-later-long" } else { "error-retry-later" })
                    .with("user", user)
                    .with("server", server)
                    .message("reason", reason.clone())
                    .time("at", *next_attempt)
            }
            ManagerError::Store(reason) => reason.clone(),
        }
    }
}

impl From<StoreError> for ManagerError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::UnknownAccount(id) => ManagerError::UnknownAccount(id),
            other => ManagerError::Store(other.message()),
        }
    }
}

/// A change to an account; `view` is `None` once it is removed.
#[derive(Debug, Clone)]
pub struct AccountEvent {
    pub account_id: String,
    pub view: Option<AccountView>,
}

pub(super) struct Slot {
    pub(super) id: String,
    /// Held while a refresh runs: single flight within the process.
    pub(super) refresh_lock: tokio::sync::Mutex<()>,
    pub(super) state: Mutex<SlotState>,
}

pub(super) struct SlotState {
    pub(super) account: Account,
    pub(super) access_token: Option<AccessToken>,
    pub(super) refreshing: bool,
    /// Counts finished refresh attempts, so that callers who waited for one
    /// take its result instead of starting another.
    pub(super) attempts: u64,
    pub(super) last_outcome: Option<Result<HandedToken, ManagerError>>,
    /// The server refused this token (401) before its expiry: never hand it out again.
    pub(super) rejected: Option<AccessToken>,
    /// A rotated refresh token the keyring has not taken yet.
    pub(super) unsaved_refresh_token: Option<RefreshToken>,
}

pub(super) struct Inner {
    pub(super) store: Store,
    /// The client for servers of the system's trust, built at the first
    /// request: a valid token is answered without loading TLS roots.
    pub(super) http: std::sync::OnceLock<reqwest::Client>,
    /// Clients for servers with a pinned certificate or a private CA, built once each.
    pub(super) trusted_clients: Mutex<HashMap<ServerTrust, reqwest::Client>>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) slots: Mutex<HashMap<String, Arc<Slot>>>,
    pub(super) providers: Providers,
    pub(super) events: broadcast::Sender<AccountEvent>,
    pub(super) wake: Notify,
    /// This process ends after one command: what it cannot write, it cannot
    /// keep either, so a rotated refresh token is tried for this long (see
    /// `refresh::store_rotated`).
    pub(super) one_command: Option<std::time::Duration>,
}

/// The accounts of one store, kept fresh. Cheap to clone.
#[derive(Clone)]
pub struct AccountManager {
    pub(super) inner: Arc<Inner>,
}

impl std::fmt::Debug for AccountManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountManager").field("accounts", &self.accounts()).finish()
    }
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AccountManager {
    /// Loads the accounts of `store`; requests go through `http`.
    pub fn new(store: Store, http: reqwest::Client, clock: Arc<dyn Clock>) -> Result<Self, ManagerError> {
        Self::with_http(store, std::sync::OnceLock::from(http), clock, None)
    }

    /// Loads the accounts of `store`; the HTTP client ([`crate::http::client`])
    /// is built when the first request needs it.
    pub fn open(store: Store, clock: Arc<dyn Clock>) -> Result<Self, ManagerError> {
        Self::with_http(store, std::sync::OnceLock::new(), clock, None)
    }

    /// As [`open`](Self::open), for a process that ends after one command:
    /// a rotated refresh token the keyring refuses is tried again for up to
    /// [`ONE_COMMAND_WRITE_BOUND`](super::ONE_COMMAND_WRITE_BOUND) instead
    /// of being kept in memory.
    pub fn open_for_one_command(store: Store, clock: Arc<dyn Clock>) -> Result<Self, ManagerError> {
        Self::with_http(store, std::sync::OnceLock::new(), clock, Some(super::ONE_COMMAND_WRITE_BOUND))
    }

    #[cfg(test)]
    pub(super) fn for_one_command_within(
        store: Store,
        clock: Arc<dyn Clock>,
        bound: std::time::Duration,
    ) -> Result<Self, ManagerError> {
        Self::with_http(store, std::sync::OnceLock::new(), clock, Some(bound))
    }

    fn with_http(
        store: Store,
        http: std::sync::OnceLock<reqwest::Client>,
        clock: Arc<dyn Clock>,
        one_command: Option<std::time::Duration>,
    ) -> Result<Self, ManagerError> {
        let (events, _) = broadcast::channel(256);
        let manager = Self {
            inner: Arc::new(Inner {
                providers: Providers::new(store.clone()),
                store,
                http,
                trusted_clients: Mutex::new(HashMap::new()),
                clock,
                slots: Mutex::new(HashMap::new()),
                events,
                wake: Notify::new(),
                one_command,
            }),
        };
        manager.reload()?;
        Ok(manager)
    }

    /// Re-reads the account file: accounts added or removed elsewhere appear or go.
    pub fn reload(&self) -> Result<(), ManagerError> {
        let accounts = self.inner.store.accounts()?;
        let mut changed = Vec::new();
        {
            let mut slots = lock(&self.inner.slots);
            slots.retain(|id, _| {
                let keep = accounts.iter().any(|a| &a.id == id);
                if !keep {
                    changed.push(id.clone());
                }
                keep
            });
            for account in accounts {
                match slots.get(&account.id) {
                    Some(slot) => {
                        let mut state = lock(&slot.state);
                        if state.account != account {
                            if state.account.access_token_issued_at != account.access_token_issued_at {
                                state.access_token = None;
                            }
                            state.account = account.clone();
                            changed.push(account.id.clone());
                        }
                    }
                    None => {
                        changed.push(account.id.clone());
                        slots.insert(account.id.clone(), Arc::new(Slot::new(account)));
                    }
                }
            }
        }
        for id in changed {
            self.emit(&id);
        }
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Every account with its state.
    pub fn accounts(&self) -> Vec<AccountView> {
        let now = self.inner.clock.now();
        let slots: Vec<Arc<Slot>> = lock(&self.inner.slots).values().cloned().collect();
        let mut views: Vec<AccountView> = slots.iter().map(|slot| slot.view(now)).collect();
        views.sort_by(|a, b| a.account.signed_in_at.cmp(&b.account.signed_in_at).then(a.account.id.cmp(&b.account.id)));
        views
    }

    /// The accounts as stored, in the order of [`Self::accounts`], without
    /// the texts a view computes: what the agent looks an account up in.
    pub fn stored_accounts(&self) -> Vec<Account> {
        let slots: Vec<Arc<Slot>> = lock(&self.inner.slots).values().cloned().collect();
        let mut accounts: Vec<Account> = slots.iter().map(|slot| lock(&slot.state).account.clone()).collect();
        accounts.sort_by(|a, b| a.signed_in_at.cmp(&b.signed_in_at).then(a.id.cmp(&b.id)));
        accounts
    }

    pub fn account(&self, account_id: &str) -> Result<AccountView, ManagerError> {
        Ok(self.slot(account_id)?.view(self.inner.clock.now()))
    }

    /// State changes of every account, as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<AccountEvent> {
        self.inner.events.subscribe()
    }

    /// Adds or replaces an account after a sign-in (see [`crate::sign_in`]).
    pub fn signed_in(&self, account: Account) {
        let id = account.id.clone();
        {
            let mut slots = lock(&self.inner.slots);
            slots.insert(id.clone(), Arc::new(Slot::new(account)));
        }
        self.emit(&id);
        self.inner.wake.notify_one();
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The client that enforces `trust`, with the same limits and proxies
    /// as every other.
    pub(crate) fn http_for(&self, trust: &ServerTrust) -> Result<reqwest::Client, ClientError> {
        if trust.is_system() {
            if let Some(client) = self.inner.http.get() {
                return Ok(client.clone());
            }
            let client = crate::http::client()?;
            return Ok(self.inner.http.get_or_init(|| client).clone());
        }
        let mut clients = lock(&self.inner.trusted_clients);
        if let Some(client) = clients.get(trust) {
            return Ok(client.clone());
        }
        let client = crate::http::client_trusting(trust)?;
        clients.insert(trust.clone(), client.clone());
        Ok(client)
    }

    /// The trust an account on `server` already uses, so that signing in
    /// again needs no flag; the system's when there is none.
    pub fn trust_of(&self, server: &ServerUrl) -> ServerTrust {
        lock(&self.inner.slots)
            .values()
            .map(|slot| lock(&slot.state).account.clone())
            .filter(|account| account.server == server.as_str())
            .max_by_key(|account| account.signed_in_at)
            .map(|account| account.trust)
            .unwrap_or_default()
    }

    pub(crate) fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    pub(super) fn slot(&self, account_id: &str) -> Result<Arc<Slot>, ManagerError> {
        lock(&self.inner.slots)
            .get(account_id)
            .cloned()
            .ok_or_else(|| ManagerError::UnknownAccount(account_id.to_string()))
    }

    pub(super) fn emit(&self, account_id: &str) {
        let view = lock(&self.inner.slots).get(account_id).map(|slot| slot.view(self.inner.clock.now()));
        // Nobody listening is fine.
        let _ = self.inner.events.send(AccountEvent { account_id: account_id.to_string(), view });
    }
}

impl Slot {
    pub(super) fn new(account: Account) -> Self {
        Self {
            id: account.id.clone(),
            refresh_lock: tokio::sync::Mutex::new(()),
            state: Mutex::new(SlotState {
                account,
                access_token: None,
                refreshing: false,
                attempts: 0,
                last_outcome: None,
                rejected: None,
                unsaved_refresh_token: None,
            }),
        }
    }

    pub(super) fn view(&self, now: DateTime<Utc>) -> AccountView {
        let state = lock(&self.state);
        AccountView::new(&state.account, state.refreshing, now)
    }
}
