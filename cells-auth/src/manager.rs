//! Keeps accounts signed in: fresh access tokens on demand, proactive
//! refresh, backoff on passing failures, sign-out with revocation.
//!
//! Cells rotates refresh tokens on every use, so a refresh must happen once
//! per expiry however many callers want a token: one at a time per account
//! within a process (single flight), and across processes under a file lock,
//! re-reading the stored tokens once the lock is held. A rotated refresh
//! token is written to the keyring before anything else.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tokio::sync::{broadcast, Notify};

use crate::clock::Clock;
use crate::discovery::{discover, ProviderMetadata, ServerUrl};
use crate::store::{Account, AccountState, Store, StoreError, StoredTokens};
use crate::tokens::{self, AccessToken, RefreshToken, TokenError, TokenSet};
use crate::verify::{IdTokenVerifier, JwksCache, NonceCheck};

/// An access token is handed out only with this much life left, or a quarter
/// of its lifetime when that is shorter (very short test lifetimes).
pub const FRESHNESS_MARGIN: Duration = Duration::seconds(60);
/// Proactive refresh happens at this fraction of the lifetime...
const PROACTIVE_FRACTION: f64 = 0.75;
/// ...and at least this long before expiry.
const PROACTIVE_LEAD: Duration = Duration::seconds(60);
const BACKOFF_FIRST: Duration = Duration::seconds(5);
const BACKOFF_CAP: Duration = Duration::minutes(5);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManagerError {
    #[error("no account {0}")]
    UnknownAccount(String),
    /// Only a new sign-in in the browser helps.
    #[error("{user} on {server} needs a new sign-in ({reason})")]
    NeedsReauth { user: String, server: String, reason: String },
    /// A passing failure; the access token has expired and the next attempt is scheduled.
    #[error("cannot refresh the access token of {user} on {server}: {reason}; next attempt at {}", next_attempt.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))]
    RetryLater { user: String, server: String, reason: String, next_attempt: DateTime<Utc> },
    #[error("{0}")]
    Store(String),
}

impl From<StoreError> for ManagerError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::UnknownAccount(id) => ManagerError::UnknownAccount(id),
            other => ManagerError::Store(other.to_string()),
        }
    }
}

/// What a UI shows of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountView {
    #[serde(flatten)]
    pub account: Account,
    pub state: AccountState,
    /// A refresh is under way in this process.
    pub refreshing: bool,
}

/// A change to an account; `view` is `None` once it is removed.
#[derive(Debug, Clone)]
pub struct AccountEvent {
    pub account_id: String,
    pub view: Option<AccountView>,
}

/// What signing out did on the server; local secrets are deleted in every case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    Revoked,
    /// The server offers no revocation endpoint.
    NotOffered,
    /// The server could not be asked, or refused: the reason.
    Failed(String),
    /// No refresh token was left to revoke.
    NothingToRevoke,
}

/// Why a refresh is wanted; decides whether another's result will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// A caller needs a token with the freshness margin left.
    Usable,
    /// The background refresh: due at 75 % of the lifetime.
    Proactive,
    /// The user asked: always spend the refresh token.
    Forced,
}

struct Slot {
    id: String,
    /// Held while a refresh runs: single flight within the process.
    refresh_lock: tokio::sync::Mutex<()>,
    state: Mutex<SlotState>,
}

struct SlotState {
    account: Account,
    access_token: Option<AccessToken>,
    refreshing: bool,
    /// Counts finished refresh attempts, so that callers who waited for one
    /// take its result instead of starting another.
    attempts: u64,
    last_outcome: Option<Result<AccessToken, ManagerError>>,
    /// The server refused this token (401) before its expiry: never hand it out again.
    rejected: Option<AccessToken>,
}

/// Per server: its configuration and keys, discovered once per process.
struct Provider {
    metadata: ProviderMetadata,
    keys: JwksCache,
}

struct Inner {
    store: Store,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    providers: tokio::sync::Mutex<HashMap<String, Arc<Provider>>>,
    events: broadcast::Sender<AccountEvent>,
    wake: Notify,
}

/// The accounts of one store, kept fresh. Cheap to clone.
#[derive(Clone)]
pub struct AccountManager {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AccountManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountManager").field("accounts", &self.accounts()).finish()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AccountManager {
    /// Loads the accounts of `store`.
    pub fn new(store: Store, http: reqwest::Client, clock: Arc<dyn Clock>) -> Result<Self, ManagerError> {
        let (events, _) = broadcast::channel(256);
        let manager = Self {
            inner: Arc::new(Inner {
                store,
                http,
                clock,
                slots: Mutex::new(HashMap::new()),
                providers: tokio::sync::Mutex::new(HashMap::new()),
                events,
                wake: Notify::new(),
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

    pub fn account(&self, account_id: &str) -> Result<AccountView, ManagerError> {
        Ok(self.slot(account_id)?.view(self.inner.clock.now()))
    }

    /// State changes of every account, as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<AccountEvent> {
        self.inner.events.subscribe()
    }

    /// Adds or replaces an account after a sign-in (see [`crate::flow`]).
    pub fn signed_in(&self, account: Account) {
        let id = account.id.clone();
        {
            let mut slots = lock(&self.inner.slots);
            slots.insert(id.clone(), Arc::new(Slot::new(account)));
        }
        self.emit(&id);
        self.inner.wake.notify_one();
    }

    /// An access token with at least the freshness margin left, refreshed
    /// first when needed. Concurrent callers share one refresh.
    pub async fn access_token(&self, account_id: &str) -> Result<AccessToken, ManagerError> {
        let slot = self.slot(account_id)?;
        let now = self.inner.clock.now();
        {
            let state = lock(&slot.state);
            if let Some(reason) = &state.account.needs_reauth {
                return Err(needs_reauth(&state.account, reason));
            }
            if let Some(token) = state.access_token.as_ref().filter(|_| usable(&state.account, now)) {
                return Ok(token.clone());
            }
        }
        if let Some(token) = self.load_stored_token(&slot, |account| usable(account, now)).await? {
            return Ok(token);
        }
        let backoff = {
            let state = lock(&slot.state);
            state.account.next_attempt_at.filter(|next| now < *next).map(|next| (state.account.clone(), next))
        };
        let outcome = match backoff {
            // Waiting out a passing failure: do not hammer the server.
            Some((account, next_attempt)) => Err(retry_later(&account, next_attempt)),
            None => self.refresh_once(&slot, Need::Usable).await,
        };
        match outcome {
            // The refresh failed but may pass: a token that has not expired yet still works.
            Err(ManagerError::RetryLater { .. }) => {
                match self.load_stored_token(&slot, |a| now < a.access_token_expires_at).await? {
                    Some(token) => Ok(token),
                    None => outcome,
                }
            }
            other => other,
        }
    }

    /// Refreshes now, whatever the state of the access token.
    pub async fn refresh(&self, account_id: &str) -> Result<AccessToken, ManagerError> {
        let slot = self.slot(account_id)?;
        self.refresh_once(&slot, Need::Forced).await
    }

    /// A caller got 401 with `rejected`: forget that token, so that the next
    /// [`access_token`](Self::access_token) refreshes. Rejections of a token
    /// already replaced are ignored.
    pub fn invalidate(&self, account_id: &str, rejected: &AccessToken) -> Result<(), ManagerError> {
        let slot = self.slot(account_id)?;
        let mut state = lock(&slot.state);
        if state.access_token.as_ref().is_none_or(|t| t == rejected) {
            state.access_token = None;
            state.rejected = Some(rejected.clone());
        }
        Ok(())
    }

    /// Signs out: revokes the refresh token on the server (RFC 7009), then
    /// deletes the local secrets and metadata whatever the server answered.
    pub async fn logout(&self, account_id: &str) -> Result<(Account, Revocation), ManagerError> {
        let slot = self.slot(account_id)?;
        // No refresh of this account may run meanwhile, here or elsewhere.
        let _flight = slot.refresh_lock.lock().await;
        let store = self.inner.store.clone();
        let id = slot.id.clone();
        let (_lock, account, tokens) = blocking(move || {
            let lock = store.lock_account(&id)?;
            let account = store.get(&id)?.ok_or(StoreError::UnknownAccount(id.clone()))?;
            let tokens = store.tokens(&id).ok();
            Ok((lock, account, tokens))
        })
        .await?;
        let revocation = match tokens {
            None => Revocation::NothingToRevoke,
            Some(tokens) => self.revoke(&account, &tokens.refresh_token).await,
        };
        let store = self.inner.store.clone();
        let id = account.id.clone();
        blocking(move || store.remove(&id)).await?;
        lock(&self.inner.slots).remove(&account.id);
        let _ = self.inner.events.send(AccountEvent { account_id: account.id.clone(), view: None });
        Ok((account, revocation))
    }

    async fn revoke(&self, account: &Account, refresh_token: &RefreshToken) -> Revocation {
        let provider = match self.provider(account).await {
            Ok(provider) => provider,
            Err(reason) => return Revocation::Failed(reason),
        };
        let Some(endpoint) = &provider.metadata.revocation_endpoint else {
            return Revocation::NotOffered;
        };
        match tokens::revoke(&self.inner.http, endpoint, &account.client_id, refresh_token).await {
            Ok(()) => Revocation::Revoked,
            Err(err) => Revocation::Failed(err.to_string()),
        }
    }

    /// When the background refresh should next look at the accounts.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        let slots: Vec<Arc<Slot>> = lock(&self.inner.slots).values().cloned().collect();
        slots.iter().filter_map(|slot| due_at(&lock(&slot.state).account)).min()
    }

    /// Refreshes every account that is due (proactively, or to retry after
    /// a passing failure); returns how many were attempted.
    pub async fn refresh_due(&self) -> usize {
        let now = self.inner.clock.now();
        let due: Vec<Arc<Slot>> = lock(&self.inner.slots)
            .values()
            .filter(|slot| due_at(&lock(&slot.state).account).is_some_and(|at| at <= now))
            .cloned()
            .collect();
        for slot in &due {
            let _ = self.refresh_once(slot, Need::Proactive).await;
        }
        due.len()
    }

    /// Keeps every account fresh in the background until the task is aborted.
    pub fn spawn_background_refresh(&self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.clone().keep_fresh())
    }

    /// The background refresh loop itself, for a caller with its own runtime.
    pub async fn keep_fresh(self) {
        loop {
            let now = self.inner.clock.now();
            let wait = self
                .next_due()
                .map(|at| (at - now).to_std().unwrap_or_default())
                .unwrap_or(StdDuration::from_secs(3600));
            tokio::select! {
                _ = tokio::time::sleep(wait) => { self.refresh_due().await; }
                _ = self.inner.wake.notified() => {}
            }
        }
    }

    fn slot(&self, account_id: &str) -> Result<Arc<Slot>, ManagerError> {
        lock(&self.inner.slots)
            .get(account_id)
            .cloned()
            .ok_or_else(|| ManagerError::UnknownAccount(account_id.to_string()))
    }

    fn emit(&self, account_id: &str) {
        let view = lock(&self.inner.slots).get(account_id).map(|slot| slot.view(self.inner.clock.now()));
        // Nobody listening is fine.
        let _ = self.inner.events.send(AccountEvent { account_id: account_id.to_string(), view });
    }

    /// The stored access token, when the metadata says it is good enough.
    async fn load_stored_token(
        &self,
        slot: &Slot,
        good: impl Fn(&Account) -> bool,
    ) -> Result<Option<AccessToken>, ManagerError> {
        {
            let state = lock(&slot.state);
            if !good(&state.account) {
                return Ok(None);
            }
            if let Some(token) = &state.access_token {
                return Ok(Some(token.clone()));
            }
        }
        let store = self.inner.store.clone();
        let id = slot.id.clone();
        let token = blocking(move || store.tokens(&id)).await.ok().and_then(|t| t.access_token);
        let mut state = lock(&slot.state);
        let token = token.filter(|t| state.rejected.as_ref() != Some(t));
        if let Some(token) = &token {
            state.access_token = Some(token.clone());
        }
        Ok(token)
    }

    /// One refresh attempt for this account, shared by every caller that
    /// arrives while it runs: they all get its result.
    async fn refresh_once(&self, slot: &Arc<Slot>, need: Need) -> Result<AccessToken, ManagerError> {
        let seen = lock(&slot.state).attempts;
        let _flight = slot.refresh_lock.lock().await;
        {
            let state = lock(&slot.state);
            if state.attempts != seen {
                if let Some(outcome) = &state.last_outcome {
                    return outcome.clone();
                }
            }
        }
        lock(&slot.state).refreshing = true;
        self.emit(&slot.id);
        let outcome = self.refresh_across_processes(slot, need).await;
        {
            let mut state = lock(&slot.state);
            state.refreshing = false;
            state.attempts += 1;
            state.last_outcome = Some(outcome.clone());
        }
        self.emit(&slot.id);
        self.inner.wake.notify_one();
        outcome
    }

    /// Under the account's file lock: re-read what is stored, use another
    /// process's fresh result if there is one, else spend the refresh token.
    async fn refresh_across_processes(&self, slot: &Slot, need: Need) -> Result<AccessToken, ManagerError> {
        let store = self.inner.store.clone();
        let id = slot.id.clone();
        let (_lock, account, stored) = blocking(move || {
            let lock = store.lock_account(&id)?;
            let account = store.get(&id)?.ok_or(StoreError::UnknownAccount(id.clone()))?;
            let stored = store.tokens(&id);
            Ok((lock, account, stored))
        })
        .await?;
        {
            let mut state = lock(&slot.state);
            if state.account.access_token_issued_at != account.access_token_issued_at {
                state.access_token = None;
            }
            state.account = account.clone();
        }
        if let Some(reason) = &account.needs_reauth {
            return Err(needs_reauth(&account, reason));
        }
        let stored = match stored {
            Ok(stored) => stored,
            Err(StoreError::MissingSecret { .. }) => {
                return Err(self
                    .mark_needs_reauth(slot, &account, "the refresh token is missing from the keyring".into())
                    .await)
            }
            Err(err) => return Err(err.into()),
        };
        let now = self.inner.clock.now();
        let done_elsewhere = match need {
            Need::Usable => usable(&account, now),
            Need::Proactive => due_at(&account).is_some_and(|at| now < at),
            Need::Forced => false,
        };
        if let (true, Some(token)) = (done_elsewhere, &stored.access_token) {
            let mut state = lock(&slot.state);
            if state.rejected.as_ref() != Some(token) {
                state.access_token = Some(token.clone());
                return Ok(token.clone());
            }
        }
        self.spend_refresh_token(slot, account, stored).await
    }

    async fn spend_refresh_token(
        &self,
        slot: &Slot,
        account: Account,
        stored: StoredTokens,
    ) -> Result<AccessToken, ManagerError> {
        let provider = match self.provider(&account).await {
            Ok(provider) => provider,
            Err(reason) => return Err(self.mark_retry(slot, &account, reason).await),
        };
        let clock = self.inner.clock.as_ref();
        let response = tokens::refresh(
            &self.inner.http,
            &provider.metadata.token_endpoint,
            &account.client_id,
            &stored.refresh_token,
            clock,
        )
        .await;
        let tokens = match response {
            Ok(tokens) => tokens,
            Err(err) if err.is_permanent() => {
                return Err(self
                    .mark_needs_reauth(
                        slot,
                        &account,
                        format!("the server refused the refresh token: {}", oauth_reason(&err)),
                    )
                    .await)
            }
            Err(err) => return Err(self.mark_retry(slot, &account, err.to_string()).await),
        };
        crate::failpoint::hit("after-token-response");
        // The refresh token we sent is spent: keep its successor durably
        // before anything else, whatever happens next.
        if let Some(rotated) = &tokens.refresh_token {
            let store = self.inner.store.clone();
            let (id, rotated) = (account.id.clone(), rotated.clone());
            blocking(move || store.save_refresh_token(&id, &rotated)).await?;
        }
        if let Err(reason) = self.check_identity(&provider, &account, &tokens).await {
            return Err(match reason {
                IdentityCheck::Passing(reason) => self.mark_retry(slot, &account, reason).await,
                IdentityCheck::Rejected(reason) => self.mark_needs_reauth(slot, &account, reason).await,
            });
        }
        let mut refreshed = account.clone();
        refreshed.access_token_expires_at = tokens.access_token_expires_at;
        refreshed.access_token_issued_at = tokens.received_at;
        refreshed.last_refresh_at = Some(tokens.received_at);
        refreshed.last_error = None;
        refreshed.next_attempt_at = None;
        refreshed.failures = 0;
        let store = self.inner.store.clone();
        let (saved, to_save) = (refreshed.clone(), tokens.clone());
        blocking(move || store.save_refreshed(&saved, &to_save)).await?;
        let mut state = lock(&slot.state);
        state.account = refreshed;
        state.access_token = Some(tokens.access_token.clone());
        state.rejected = None;
        Ok(tokens.access_token)
    }

    /// OpenID Connect Core 12.2: a refreshed ID token must name the same
    /// issuer, subject and audience as the one of the sign-in.
    async fn check_identity(
        &self,
        provider: &Provider,
        account: &Account,
        tokens: &TokenSet,
    ) -> Result<(), IdentityCheck> {
        let Some(id_token) = &tokens.id_token else { return Ok(()) };
        let verifier = IdTokenVerifier {
            http: &self.inner.http,
            keys: &provider.keys,
            issuer: &account.issuer,
            client_id: &account.client_id,
            clock: self.inner.clock.as_ref(),
        };
        match verifier.verify(id_token, NonceCheck::Refresh).await {
            Ok(claims) if claims.sub == account.sub => Ok(()),
            Ok(claims) => Err(IdentityCheck::Rejected(format!(
                "the refreshed ID token names another user ({}) than the one signed in",
                claims.name.unwrap_or(claims.sub)
            ))),
            Err(err @ crate::verify::VerifyError::Keys { .. }) => Err(IdentityCheck::Passing(err.to_string())),
            Err(err) => Err(IdentityCheck::Rejected(format!("the refreshed ID token is not acceptable: {err}"))),
        }
    }

    async fn mark_needs_reauth(&self, slot: &Slot, account: &Account, reason: String) -> ManagerError {
        let store = self.inner.store.clone();
        let (id, why) = (account.id.clone(), reason.clone());
        let updated = blocking(move || {
            store.update(&id, |a| {
                a.needs_reauth = Some(why);
                a.last_error = None;
                a.next_attempt_at = None;
            })
        })
        .await;
        let mut state = lock(&slot.state);
        state.access_token = None;
        match updated {
            Ok(updated) => state.account = updated,
            Err(_) => state.account.needs_reauth = Some(reason.clone()),
        }
        needs_reauth(&state.account, &reason)
    }

    async fn mark_retry(&self, slot: &Slot, account: &Account, reason: String) -> ManagerError {
        let failures = account.failures.saturating_add(1);
        let next_attempt = self.inner.clock.now() + backoff_delay(failures, rand::random::<f64>());
        let store = self.inner.store.clone();
        let (id, why) = (account.id.clone(), reason.clone());
        let updated = blocking(move || {
            store.update(&id, |a| {
                a.failures = failures;
                a.last_error = Some(why);
                a.next_attempt_at = Some(next_attempt);
            })
        })
        .await;
        let mut state = lock(&slot.state);
        match updated {
            Ok(updated) => state.account = updated,
            Err(_) => {
                state.account.failures = failures;
                state.account.last_error = Some(reason.clone());
                state.account.next_attempt_at = Some(next_attempt);
            }
        }
        retry_later(&state.account, next_attempt)
    }

    /// The server's configuration, discovered once per process. The issuer
    /// must still be the one the account signed in with.
    async fn provider(&self, account: &Account) -> Result<Arc<Provider>, String> {
        let mut providers = self.inner.providers.lock().await;
        if let Some(provider) = providers.get(&account.server) {
            return Ok(provider.clone());
        }
        let server = ServerUrl::parse(&account.server).map_err(|e| e.to_string())?;
        let metadata = discover(&self.inner.http, &server).await.map_err(|e| e.to_string())?;
        if metadata.issuer != account.issuer {
            return Err(format!("the server now names its issuer {}, not {}", metadata.issuer, account.issuer));
        }
        let provider = Arc::new(Provider { keys: JwksCache::new(&metadata.jwks_uri), metadata });
        providers.insert(account.server.clone(), provider.clone());
        Ok(provider)
    }
}

enum IdentityCheck {
    Passing(String),
    Rejected(String),
}

impl Slot {
    fn new(account: Account) -> Self {
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
            }),
        }
    }

    fn view(&self, now: DateTime<Utc>) -> AccountView {
        let state = lock(&self.state);
        AccountView { account: state.account.clone(), state: state.account.state(now), refreshing: state.refreshing }
    }
}

/// Runs store work (keyring calls, file locks) off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ManagerError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(ManagerError::from),
        Err(err) => Err(ManagerError::Store(format!("the keyring worker failed: {err}"))),
    }
}

fn needs_reauth(account: &Account, reason: &str) -> ManagerError {
    ManagerError::NeedsReauth { user: account.user.clone(), server: account.server.clone(), reason: reason.to_string() }
}

fn retry_later(account: &Account, next_attempt: DateTime<Utc>) -> ManagerError {
    ManagerError::RetryLater {
        user: account.user.clone(),
        server: account.server.clone(),
        reason: account.last_error.clone().unwrap_or_else(|| "the last attempt failed".into()),
        next_attempt,
    }
}

fn oauth_reason(err: &TokenError) -> String {
    match err {
        TokenError::Server { error, description: Some(description), .. } => format!("{error}: {description}"),
        TokenError::Server { error, .. } => error.clone(),
        other => other.to_string(),
    }
}

/// The margin an access token must have left to be handed out.
pub fn freshness_margin(account: &Account) -> Duration {
    let lifetime = account.access_token_expires_at - account.access_token_issued_at;
    FRESHNESS_MARGIN.min(lifetime / 4).max(Duration::zero())
}

fn usable(account: &Account, now: DateTime<Utc>) -> bool {
    account.needs_reauth.is_none() && now + freshness_margin(account) < account.access_token_expires_at
}

/// When this account should next be refreshed in the background: the retry
/// time after a passing failure, else 75 % into the access token's lifetime
/// and at least a minute before it expires. Never for an account that needs
/// a new sign-in.
pub fn due_at(account: &Account) -> Option<DateTime<Utc>> {
    if account.needs_reauth.is_some() {
        return None;
    }
    if let Some(next) = account.next_attempt_at {
        return Some(next);
    }
    let issued = account.access_token_issued_at;
    let expires = account.access_token_expires_at;
    let lifetime_ms = (expires - issued).num_milliseconds().max(0) as f64;
    let by_fraction = issued + Duration::milliseconds((lifetime_ms * PROACTIVE_FRACTION) as i64);
    let by_lead = expires - PROACTIVE_LEAD;
    let halfway = issued + Duration::milliseconds((lifetime_ms / 2.0) as i64);
    // A lifetime too short for a minute's lead (tests) refreshes at 75 %.
    Some(if by_lead < halfway { by_fraction } else { by_fraction.min(by_lead) })
}

/// Exponential backoff with jitter: 5 s doubling per failure, capped at 5
/// min, and a random half of it taken off (`jitter` in 0..1) so that many
/// clients do not retry in step.
pub fn backoff_delay(failures: u32, jitter: f64) -> Duration {
    let exponent = failures.saturating_sub(1).min(16);
    let full = (BACKOFF_FIRST * 2i32.pow(exponent)).min(BACKOFF_CAP);
    let jitter = jitter.clamp(0.0, 1.0);
    let full_ms = full.num_milliseconds() as f64;
    Duration::milliseconds((full_ms / 2.0 + full_ms / 2.0 * jitter) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use crate::store::{Identity, MemorySecrets};
    use crate::testing::{token_set, StubServer};
    use chrono::TimeZone;

    struct Fixture {
        stub: StubServer,
        clock: FakeClock,
        store: Store,
        manager: AccountManager,
        id: String,
        _dir: TempDir,
    }

    struct TempDir(std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    /// An account signed in at t0 with a 10-minute access token.
    async fn fixture(name: &str) -> Fixture {
        let stub = StubServer::start().await;
        let dir = std::env::temp_dir().join(format!("cells-auth-manager-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::new(&dir, Arc::new(MemorySecrets::default()));
        let identity = Identity { issuer: stub.issuer(), sub: "u-1".into(), user: "alice".into(), email: None };
        let tokens = token_set("first", t0(), Duration::minutes(10));
        let account = Account::signed_in(&stub.base, crate::CLIENT_ID, identity, &tokens, None);
        store.save(&account, &tokens).unwrap();
        let clock = FakeClock::at(t0());
        let manager = AccountManager::new(store.clone(), crate::http::client(), Arc::new(clock.clone())).unwrap();
        Fixture { id: account.id, stub, clock, store, manager, _dir: TempDir(dir) }
    }

    #[tokio::test]
    async fn a_fresh_token_is_served_without_asking_the_server() {
        let f = fixture("fresh").await;
        assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "first-at");
        f.clock.advance(Duration::minutes(8));
        assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "first-at");
        assert_eq!(f.stub.token_requests(), 0);
    }

    #[tokio::test]
    async fn within_the_margin_the_token_is_refreshed_and_the_rotation_stored_first() {
        let f = fixture("margin").await;
        f.clock.advance(Duration::minutes(9) + Duration::seconds(1));
        let token = f.manager.access_token(&f.id).await.unwrap();
        assert_eq!(token.secret(), "stub-at-1");
        assert_eq!(f.stub.token_requests(), 1);
        let stored = f.store.tokens(&f.id).unwrap();
        assert_eq!(stored.refresh_token.secret(), "stub-rt-1");
        assert_eq!(stored.access_token.unwrap().secret(), "stub-at-1");
        let account = f.store.get(&f.id).unwrap().unwrap();
        assert_eq!(account.access_token_expires_at, f.clock.now() + Duration::minutes(10));
        assert_eq!(account.last_refresh_at, Some(f.clock.now()));
        assert_eq!(f.stub.state.lock().unwrap().refresh_tokens_used, ["first-rt"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_callers_share_one_refresh() {
        let f = fixture("flight").await;
        f.clock.advance(Duration::minutes(11));
        f.stub.hold();
        let started = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let arrived = f.stub.token_request_arrived.notified();
        let calls: Vec<_> = (0..200)
            .map(|_| {
                let (manager, id, started) = (f.manager.clone(), f.id.clone(), started.clone());
                tokio::spawn(async move {
                    started.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    manager.access_token(&id).await
                })
            })
            .collect();
        // The first refresh is at the server and held there while the others pile up.
        arrived.await;
        while started.load(std::sync::atomic::Ordering::SeqCst) < 200 {
            tokio::task::yield_now().await;
        }
        f.stub.open();
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap().secret(), "stub-at-1");
        }
        assert_eq!(f.stub.token_requests(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_callers_share_one_failure_too() {
        let f = fixture("flight-failure").await;
        f.clock.advance(Duration::minutes(11));
        f.stub.queue(&[(400, r#"{"error":"invalid_grant","error_description":"revoked"}"#)]);
        f.stub.hold();
        let arrived = f.stub.token_request_arrived.notified();
        let calls: Vec<_> = (0..50)
            .map(|_| {
                let (manager, id) = (f.manager.clone(), f.id.clone());
                tokio::spawn(async move { manager.access_token(&id).await })
            })
            .collect();
        arrived.await;
        f.stub.open();
        for call in calls {
            assert!(matches!(call.await.unwrap(), Err(ManagerError::NeedsReauth { .. })));
        }
        assert_eq!(f.stub.token_requests(), 1);
    }

    #[tokio::test]
    async fn invalid_grant_needs_a_new_sign_in_once_and_stops_asking() {
        let f = fixture("invalid-grant").await;
        let mut events = f.manager.subscribe();
        f.clock.advance(Duration::minutes(11));
        f.stub.queue(&[(400, r#"{"error":"invalid_grant","error_description":"grant revoked"}"#)]);
        let err = f.manager.access_token(&f.id).await.unwrap_err();
        assert_eq!(
            err,
            ManagerError::NeedsReauth {
                user: "alice".into(),
                server: f.stub.base.clone(),
                reason: "the server refused the refresh token: invalid_grant: grant revoked".into()
            }
        );
        for _ in 0..5 {
            assert!(matches!(f.manager.access_token(&f.id).await, Err(ManagerError::NeedsReauth { .. })));
        }
        assert_eq!(f.manager.refresh_due().await, 0, "no background retry either");
        assert_eq!(f.stub.token_requests(), 1);
        assert_eq!(f.manager.account(&f.id).unwrap().state, AccountState::NeedsReauth);
        assert!(f.store.get(&f.id).unwrap().unwrap().needs_reauth.is_some(), "persisted for other processes");
        // Subscribers were told, with the reason.
        let mut saw_reason = false;
        while let Ok(event) = events.try_recv() {
            saw_reason |= event.view.and_then(|v| v.account.needs_reauth).is_some_and(|r| r.contains("grant revoked"));
        }
        assert!(saw_reason);
    }

    #[tokio::test]
    async fn passing_failures_back_off_keep_the_tokens_and_recover() {
        let f = fixture("backoff").await;
        // Within the margin but not expired: still usable while the server is failing.
        f.clock.advance(Duration::minutes(9) + Duration::seconds(30));
        f.stub.queue(&[(500, r#"{"error":"server_error"}"#), (503, "down")]);
        assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "first-at");
        assert_eq!(f.stub.token_requests(), 1);
        let account = f.store.get(&f.id).unwrap().unwrap();
        assert_eq!(account.failures, 1);
        assert!(account.last_error.as_deref().unwrap().contains("server_error"));
        let next = account.next_attempt_at.unwrap();
        let wait = next - f.clock.now();
        assert!(wait >= Duration::milliseconds(2500) && wait <= Duration::seconds(5), "{wait}");
        // Before the next attempt: no request, the still-valid token is served.
        assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "first-at");
        assert_eq!(f.stub.token_requests(), 1);
        // The background refresh retries when due: 503 again, a longer wait.
        f.clock.advance(Duration::seconds(6));
        assert_eq!(f.manager.next_due(), f.store.get(&f.id).unwrap().unwrap().next_attempt_at);
        assert_eq!(f.manager.refresh_due().await, 1);
        let account = f.store.get(&f.id).unwrap().unwrap();
        assert_eq!(account.failures, 2);
        assert!(account.next_attempt_at.unwrap() - f.clock.now() >= Duration::seconds(5));
        assert_eq!(f.store.tokens(&f.id).unwrap().refresh_token.secret(), "first-rt", "tokens kept");
        // The server is back.
        f.clock.advance(Duration::seconds(11));
        assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "stub-at-1");
        let account = f.store.get(&f.id).unwrap().unwrap();
        assert_eq!((account.failures, account.last_error, account.next_attempt_at), (0, None, None));
    }

    #[tokio::test]
    async fn an_expired_token_while_backing_off_is_a_clear_error_without_requests() {
        let f = fixture("expired-backoff").await;
        f.clock.advance(Duration::minutes(11));
        f.stub.queue(&[(502, "<html>bad gateway</html>")]);
        let err = f.manager.access_token(&f.id).await.unwrap_err();
        let ManagerError::RetryLater { reason, next_attempt, .. } = &err else { panic!("{err:?}") };
        assert!(reason.contains("HTTP 502"), "{reason}");
        assert!(*next_attempt > f.clock.now());
        assert_eq!(f.manager.access_token(&f.id).await.unwrap_err(), err);
        assert_eq!(f.stub.token_requests(), 1);
        assert_eq!(f.store.tokens(&f.id).unwrap().refresh_token.secret(), "first-rt");
    }

    #[tokio::test]
    async fn proactive_refresh_comes_at_three_quarters_of_the_lifetime() {
        let f = fixture("proactive").await;
        assert_eq!(f.manager.next_due(), Some(t0() + Duration::seconds(450)));
        f.clock.advance(Duration::seconds(449));
        assert_eq!(f.manager.refresh_due().await, 0);
        f.clock.advance(Duration::seconds(1));
        assert_eq!(f.manager.refresh_due().await, 1);
        assert_eq!(f.stub.token_requests(), 1);
        assert_eq!(f.manager.next_due(), Some(f.clock.now() + Duration::seconds(450)));
    }

    #[tokio::test]
    async fn the_background_task_refreshes_a_due_account_and_tells_subscribers() {
        let f = fixture("background").await;
        let mut events = f.manager.subscribe();
        f.clock.advance(Duration::seconds(451));
        let task = f.manager.spawn_background_refresh();
        // Wait for the event saying the account was refreshed.
        loop {
            let event = events.recv().await.unwrap();
            if event.view.is_some_and(|v| v.account.last_refresh_at.is_some() && !v.refreshing) {
                break;
            }
        }
        task.abort();
        assert_eq!(f.stub.token_requests(), 1);
        assert_eq!(f.store.tokens(&f.id).unwrap().access_token.unwrap().secret(), "stub-at-1");
    }

    #[test]
    fn short_lifetimes_keep_a_quarter_as_margin_and_refresh_a_minute_early_at_most() {
        let identity = Identity { issuer: "i".into(), sub: "u".into(), user: "u".into(), email: None };
        let mut account =
            Account::signed_in("s", crate::CLIENT_ID, identity, &token_set("x", t0(), Duration::seconds(4)), None);
        assert_eq!(freshness_margin(&account), Duration::seconds(1));
        assert_eq!(due_at(&account), Some(t0() + Duration::seconds(3)));
        account.access_token_expires_at = t0() + Duration::minutes(2);
        assert_eq!(freshness_margin(&account), Duration::seconds(30));
        assert_eq!(due_at(&account), Some(t0() + Duration::seconds(60)), "a minute before expiry beats 75 %");
        account.needs_reauth = Some("r".into());
        assert_eq!(due_at(&account), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        assert_eq!(backoff_delay(1, 0.0), Duration::milliseconds(2500));
        assert_eq!(backoff_delay(1, 1.0), Duration::seconds(5));
        assert_eq!(backoff_delay(2, 1.0), Duration::seconds(10));
        assert_eq!(backoff_delay(4, 1.0), Duration::seconds(40));
        assert_eq!(backoff_delay(30, 1.0), Duration::minutes(5));
        assert_eq!(backoff_delay(30, 0.0), Duration::seconds(150));
    }

    #[tokio::test]
    async fn invalidate_forces_a_refresh_only_for_the_current_token() {
        let f = fixture("invalidate").await;
        let first = f.manager.access_token(&f.id).await.unwrap();
        f.manager.invalidate(&f.id, &first).unwrap();
        let second = f.manager.access_token(&f.id).await.unwrap();
        assert_eq!(second.secret(), "stub-at-1");
        // A late 401 for the old token does not throw the new one away.
        f.manager.invalidate(&f.id, &first).unwrap();
        assert_eq!(f.manager.access_token(&f.id).await.unwrap(), second);
        assert_eq!(f.stub.token_requests(), 1);
    }

    #[tokio::test]
    async fn another_process_result_is_used_instead_of_spending_the_token_again() {
        let f = fixture("other-process").await;
        f.clock.advance(Duration::minutes(11));
        // Another process refreshed meanwhile and stored its result.
        let other = AccountManager::new(f.store.clone(), crate::http::client(), Arc::new(f.clock.clone())).unwrap();
        let theirs = other.access_token(&f.id).await.unwrap();
        assert_eq!(f.stub.token_requests(), 1);
        // This process still has the old state in memory, but re-reads under the lock.
        assert_eq!(f.manager.access_token(&f.id).await.unwrap(), theirs);
        assert_eq!(f.stub.token_requests(), 1);
    }

    #[tokio::test]
    async fn logout_revokes_and_deletes_even_when_the_server_is_down() {
        let f = fixture("logout").await;
        let (account, revocation) = f.manager.logout(&f.id).await.unwrap();
        assert_eq!(account.user, "alice");
        assert_eq!(revocation, Revocation::Revoked);
        assert_eq!(f.stub.revocations(), 1);
        assert!(f.store.get(&f.id).unwrap().is_none());
        assert!(f.store.tokens(&f.id).is_err());
        assert!(matches!(f.manager.access_token(&f.id).await, Err(ManagerError::UnknownAccount(_))));

        let g = fixture("logout-down").await;
        let base = g.stub.base.clone();
        drop(g.stub);
        let (_, revocation) = g.manager.logout(&g.id).await.unwrap();
        assert!(matches!(&revocation, Revocation::Failed(reason) if reason.contains(&base)), "{revocation:?}");
        assert!(g.store.get(&g.id).unwrap().is_none());
    }

    #[tokio::test]
    async fn nothing_secret_in_debug_output_or_errors() {
        let f = fixture("debug").await;
        f.clock.advance(Duration::minutes(11));
        let token = f.manager.access_token(&f.id).await.unwrap();
        f.stub.queue(&[(400, r#"{"error":"invalid_grant"}"#)]);
        let err = f.manager.refresh(&f.id).await.unwrap_err();
        let printed =
            format!("{:?} {:?} {token:?} {err:?} {err} {:?}", f.manager, f.manager.accounts(), f.store.tokens(&f.id));
        for secret in ["first-at", "first-rt", "stub-at-1", "stub-rt-1"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
    }
}
