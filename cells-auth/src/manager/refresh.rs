//! The token API and the refresh engine: single flight in the process, a
//! file lock across processes, rotation-safe writes, and what a failure
//! means for the account.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::providers::Provider;
use super::registry::{lock, AccountManager, ManagerError, Slot};
use super::timing::{backoff_delay, due_at, good_for_a_retry, usable};
use crate::i18n::{Message, Said};
use crate::steps::{timed_async, Step};
use crate::store::{Account, StoreError};
use crate::tokens::{self, AccessToken, RefreshToken, TokenSet};
use crate::verify::{IdTokenVerifier, NonceCheck};

/// A rotated refresh token is written this many times at most, pausing
/// between tries (doubling, up to the cap), before it is kept in memory only...
const ROTATED_WRITE_ATTEMPTS: u32 = 3;
const ROTATED_WRITE_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);
const ROTATED_WRITE_PAUSE_CAP: std::time::Duration = std::time::Duration::from_secs(8);
/// ...or, in a process that ends after one command (and so cannot keep it),
/// for this long at most: then the account needs a new sign-in.
pub const ONE_COMMAND_WRITE_BOUND: std::time::Duration = std::time::Duration::from_secs(60);

/// An access token handed out, and when the server says it expires. It is
/// replaced (and, at a server that revokes at each refresh, such as Cells',
/// revoked) once it has only the freshness margin left, or earlier when a
/// caller reports it refused or the user forces a refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandedToken {
    pub token: AccessToken,
    pub expires_at: DateTime<Utc>,
}

/// Why a refresh is wanted; decides whether another's result will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Need {
    /// A caller needs a token with the freshness margin left.
    Usable,
    /// A server refused this token: any other usable one will do.
    Replace(AccessToken),
    /// The background refresh: due when the token stops being handed out.
    Proactive,
    /// The user asked: always spend the refresh token.
    Forced,
}

impl AccountManager {
    /// An access token with at least the freshness margin left, refreshed
    /// first when needed. Concurrent callers share one refresh.
    pub async fn access_token(&self, account_id: &str) -> Result<AccessToken, ManagerError> {
        self.handed_token(account_id).await.map(|handed| handed.token)
    }

    /// [`access_token`](Self::access_token) with its expiry, for callers
    /// that schedule their own work.
    pub async fn handed_token(&self, account_id: &str) -> Result<HandedToken, ManagerError> {
        let slot = self.slot(account_id)?;
        let now = self.inner.clock.now();
        {
            let state = lock(&slot.state);
            if let Some(reason) = &state.account.needs_reauth {
                return Err(needs_reauth(&state.account, reason));
            }
            if let Some(token) = state.access_token.as_ref().filter(|_| usable(&state.account, now)) {
                return Ok(handed(token, &state.account));
            }
        }
        if let Some(token) = self.load_stored_token(&slot, |account| usable(account, now)).await? {
            return Ok(token);
        }
        self.refresh_unless_backing_off(&slot, Need::Usable).await
    }

    /// Refreshes now, whatever the state of the access token.
    pub async fn refresh(&self, account_id: &str) -> Result<AccessToken, ManagerError> {
        let slot = self.slot(account_id)?;
        self.refresh_once(&slot, Need::Forced).await.map(|handed| handed.token)
    }

    /// A caller was refused `rejected` (401): a newer access token. The
    /// refresh token is spent only if `rejected` is still the current token
    /// (or the current one is about to be replaced, see
    /// `timing::good_for_a_retry`); callers reporting the same token share
    /// that one refresh, in this process and across processes. A token
    /// already replaced (or never ours) gets the current one.
    pub async fn invalidate(&self, account_id: &str, rejected: &AccessToken) -> Result<HandedToken, ManagerError> {
        let slot = self.slot(account_id)?;
        let now = self.inner.clock.now();
        {
            let mut state = lock(&slot.state);
            if let Some(reason) = &state.account.needs_reauth {
                return Err(needs_reauth(&state.account, reason));
            }
            match &state.access_token {
                Some(current) if current != rejected && good_for_a_retry(&state.account, now) => {
                    return Ok(handed(current, &state.account));
                }
                Some(current) if current != rejected => {}
                _ => {
                    state.access_token = None;
                    state.rejected = Some(rejected.clone());
                }
            }
        }
        if let Some(token) = self.load_stored_token(&slot, |account| good_for_a_retry(account, now)).await? {
            if token.token != *rejected {
                return Ok(token);
            }
        }
        self.refresh_unless_backing_off(&slot, Need::Replace(rejected.clone())).await
    }

    /// A refresh for a caller, unless the last one failed and its retry time
    /// has not come; then an unexpired token if there is one.
    async fn refresh_unless_backing_off(&self, slot: &Arc<Slot>, need: Need) -> Result<HandedToken, ManagerError> {
        let now = self.inner.clock.now();
        let backoff = {
            let state = lock(&slot.state);
            state.account.next_attempt_at.filter(|next| now < *next).map(|next| (state.account.clone(), next))
        };
        let outcome = match backoff {
            // Waiting out a passing failure: do not hammer the server.
            Some((account, next_attempt)) => Err(retry_later(&account, next_attempt)),
            None => self.refresh_once(slot, need).await,
        };
        match outcome {
            // The refresh failed but may pass: a token that has not expired yet still works.
            Err(ManagerError::RetryLater { .. }) => {
                match self.load_stored_token(slot, |a| now < a.access_token_expires_at).await? {
                    Some(token) => Ok(token),
                    None => outcome,
                }
            }
            other => other,
        }
    }

    /// The stored access token, when the metadata says it is good enough.
    async fn load_stored_token(
        &self,
        slot: &Slot,
        good: impl Fn(&Account) -> bool,
    ) -> Result<Option<HandedToken>, ManagerError> {
        {
            let state = lock(&slot.state);
            if !good(&state.account) {
                return Ok(None);
            }
            if let Some(token) = &state.access_token {
                return Ok(Some(handed(token, &state.account)));
            }
        }
        let store = self.inner.store.clone();
        let id = slot.id.clone();
        let token = blocking(move || store.access_token(&id)).await.ok().flatten();
        let mut state = lock(&slot.state);
        let token = token.filter(|t| state.rejected.as_ref() != Some(t));
        if let Some(token) = &token {
            state.access_token = Some(token.clone());
        }
        Ok(token.map(|token| handed(&token, &state.account)))
    }

    /// One refresh attempt for this account, shared by every caller that
    /// arrives while it runs: they all get its result.
    #[tracing::instrument(name = "refresh", skip_all, fields(account = %slot.id, need = ?need))]
    pub(super) async fn refresh_once(&self, slot: &Arc<Slot>, need: Need) -> Result<HandedToken, ManagerError> {
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
        let outcome = match self.refresh_across_processes(slot, need).await {
            // Every failure backs off, a keyring or lock failure too: the
            // background loop must never spin on one.
            Err(ManagerError::Store(reason)) => {
                let account = lock(&slot.state).account.clone();
                Err(self.mark_retry(slot, &account, reason).await)
            }
            other => other,
        };
        {
            let mut state = lock(&slot.state);
            state.refreshing = false;
            state.attempts += 1;
            state.last_outcome = Some(outcome.clone());
        }
        match &outcome {
            Ok(_) => tracing::info!("fresh"),
            Err(err) => tracing::warn!(error = %err, "refresh failed"),
        }
        self.emit(&slot.id);
        self.inner.wake.notify_one();
        outcome
    }

    /// Under the account's file lock: re-read what is stored, use another
    /// process's fresh result if there is one, else spend the refresh token.
    async fn refresh_across_processes(&self, slot: &Slot, need: Need) -> Result<HandedToken, ManagerError> {
        let store = self.inner.store.clone();
        let id = slot.id.clone();
        // A rotated refresh token the keyring would not take last time: it
        // is the only one left that the server accepts, so it is written
        // before anything is read or sent.
        let unsaved = lock(&slot.state).unsaved_refresh_token.clone();
        let (_lock, account, stored) = blocking(move || {
            let lock = store.lock_account(&id)?;
            if let Some(token) = &unsaved {
                store.save_refresh_token(&id, token)?;
            }
            let account = store.get(&id)?.ok_or(StoreError::UnknownAccount(id.clone()))?;
            // The one secret a refresh needs; the others are read only if used.
            let stored = store.refresh_token(&id);
            Ok((lock, account, stored))
        })
        .await?;
        {
            let mut state = lock(&slot.state);
            if state.account.access_token_issued_at != account.access_token_issued_at {
                state.access_token = None;
            }
            state.account = account.clone();
            state.unsaved_refresh_token = None;
        }
        if let Some(reason) = &account.needs_reauth {
            return Err(needs_reauth(&account, reason));
        }
        // The keyring entries are filed under the id of this issuer and
        // user: an account file edited to name another server (or issuer)
        // must not send them there.
        if !account.is_filed_under_its_issuer() {
            return Err(self.mark_needs_reauth(slot, Message::new("refresh-account-file-changed")).await);
        }
        let stored = match stored {
            Ok(stored) => stored,
            Err(StoreError::MissingSecret { .. }) => {
                return Err(self.mark_needs_reauth(slot, Message::new("refresh-token-missing")).await)
            }
            Err(err) => return Err(err.into()),
        };
        let now = self.inner.clock.now();
        let done_elsewhere = match &need {
            Need::Usable => usable(&account, now),
            Need::Replace(_) => good_for_a_retry(&account, now),
            Need::Proactive => due_at(&account).is_some_and(|at| now < at),
            Need::Forced => false,
        };
        if done_elsewhere {
            let (store, id) = (self.inner.store.clone(), slot.id.clone());
            if let Some(token) = blocking(move || store.access_token(&id)).await? {
                let mut state = lock(&slot.state);
                let refused = state.rejected.as_ref() == Some(&token) || need == Need::Replace(token.clone());
                if !refused {
                    tracing::info!("another process refreshed it already");
                    state.access_token = Some(token.clone());
                    return Ok(handed(&token, &account));
                }
            }
        }
        self.spend_refresh_token(slot, account, stored).await
    }

    async fn spend_refresh_token(
        &self,
        slot: &Slot,
        account: Account,
        spent: RefreshToken,
    ) -> Result<HandedToken, ManagerError> {
        let http = match self.http_for(&account.trust) {
            Ok(http) => http,
            Err(err) => return Err(self.mark_retry(slot, &account, err.message()).await),
        };
        let provider = match self.inner.providers.get(&http, &account, &self.inner.clock).await {
            Ok(provider) => provider,
            Err(reason) => return Err(self.mark_retry(slot, &account, reason).await),
        };
        let clock = self.inner.clock.as_ref();
        tracing::info!(server = %account.server, "spending the refresh token");
        let response = timed_async(
            Step::Http,
            tokens::refresh(&http, &provider.metadata.token_endpoint, &account.client_id, &spent, clock),
        )
        .await;
        let tokens = match response {
            Ok(tokens) => tokens,
            Err(err) if err.is_permanent() => {
                return Err(self
                    .mark_needs_reauth(slot, Message::new("refresh-refused").with("reason", err.oauth_reason()))
                    .await)
            }
            Err(err) => {
                let moved = matches!(err, tokens::TokenError::Status { status: Some(404 | 410), .. });
                let mut reason = err.message();
                if moved || matches!(err, tokens::TokenError::Transport { .. }) {
                    // The kept configuration may be what is stale: discover
                    // again, which also says what changed (a replaced
                    // certificate, in words, with how to trust it).
                    self.inner.providers.forget(&account.server).await;
                    if let Err(why) = self.inner.providers.get(&http, &account, &self.inner.clock).await {
                        reason = why;
                    }
                }
                return Err(self.mark_retry(slot, &account, reason).await);
            }
        };
        crate::failpoint::hit("after-token-response");
        // The refresh token we sent is spent: keep its successor durably
        // before anything else, whatever happens next.
        // (Not rotated, it is the one already stored: nothing to write.)
        if let Some(rotated) = tokens.refresh_token.as_ref().filter(|rotated| **rotated != spent) {
            if let Err(err) = self.store_rotated(&account.id, rotated).await {
                if let Some(bound) = self.inner.one_command {
                    // This process ends now and takes the only valid refresh token with it.
                    let reason = Message::new("refresh-rotated-not-stored")
                        .with("seconds", bound.as_secs_f32())
                        .message("reason", err.message());
                    return Err(self.mark_needs_reauth(slot, reason).await);
                }
                // Kept in memory and written first at the next attempt; the
                // spent one in the keyring is never sent again from here.
                lock(&slot.state).unsaved_refresh_token = Some(rotated.clone());
                let reason = Message::new("refresh-rotated-kept").message("reason", err.message());
                return Err(self.mark_retry(slot, &account, reason).await);
            }
        }
        if let Err(reason) = self.check_identity(&http, &provider, &account, &tokens).await {
            return Err(match reason {
                IdentityCheck::Passing(reason) => self.mark_retry(slot, &account, reason).await,
                IdentityCheck::Rejected(reason) => self.mark_needs_reauth(slot, reason).await,
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
        Ok(handed(&tokens.access_token, &state.account))
    }

    /// Writes a rotated refresh token, trying again when the keyring fails
    /// or stalls: a few times in a process that keeps it in memory after,
    /// for up to [`ONE_COMMAND_WRITE_BOUND`] in one that ends after its
    /// command and would lose it.
    async fn store_rotated(&self, account_id: &str, rotated: &RefreshToken) -> Result<(), ManagerError> {
        let started = std::time::Instant::now();
        let mut pause = ROTATED_WRITE_PAUSE;
        let mut attempts = 1;
        loop {
            let store = self.inner.store.clone();
            let (id, to_save) = (account_id.to_string(), rotated.clone());
            match blocking(move || store.save_refresh_token(&id, &to_save)).await {
                Ok(()) => return Ok(()),
                Err(err) => {
                    let give_up = match self.inner.one_command {
                        Some(bound) => started.elapsed() + pause > bound,
                        None => attempts == ROTATED_WRITE_ATTEMPTS,
                    };
                    if give_up {
                        return Err(err);
                    }
                    crate::failpoint::hit("refresh-token-write-failed");
                    if attempts == 1 && self.inner.one_command.is_some() {
                        tracing::warn!(error = %err, "the keyring did not take the new refresh token; trying again");
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(ROTATED_WRITE_PAUSE_CAP);
                    attempts += 1;
                }
            }
        }
    }

    /// OpenID Connect Core 12.2: a refreshed ID token must name the same
    /// issuer, subject and audience as the one of the sign-in.
    async fn check_identity(
        &self,
        http: &reqwest::Client,
        provider: &Provider,
        account: &Account,
        tokens: &TokenSet,
    ) -> Result<(), IdentityCheck> {
        let Some(id_token) = &tokens.id_token else { return Ok(()) };
        let verifier = IdTokenVerifier {
            http,
            keys: &provider.keys,
            issuer: &account.issuer,
            client_id: &account.client_id,
            clock: self.inner.clock.as_ref(),
        };
        match timed_async(Step::Verify, verifier.verify(id_token, NonceCheck::Refresh)).await {
            Ok(claims) if claims.sub == account.sub => Ok(()),
            Ok(claims) => Err(IdentityCheck::Rejected(
                Message::new("refresh-other-user").with("user", claims.name.unwrap_or(claims.sub)),
            )),
            Err(err @ crate::verify::VerifyError::Keys { .. }) => Err(IdentityCheck::Passing(err.message())),
            Err(err) => {
                Err(IdentityCheck::Rejected(Message::new("refresh-id-token-refused").message("reason", err.message())))
            }
        }
    }

    async fn mark_needs_reauth(&self, slot: &Slot, reason: Message) -> ManagerError {
        lock(&slot.state).access_token = None;
        let why = reason.clone();
        let account = self
            .change_account(slot, move |a| {
                a.needs_reauth = Some(why.clone());
                a.last_error = None;
                a.next_attempt_at = None;
            })
            .await;
        needs_reauth(&account, &reason)
    }

    async fn mark_retry(&self, slot: &Slot, account: &Account, reason: Message) -> ManagerError {
        // Counted from the account the failure was met with (the file's, under the lock).
        let failures = account.failures.saturating_add(1);
        let next_attempt = self.inner.clock.now() + backoff_delay(failures, rand::random::<f64>());
        let account = self
            .change_account(slot, move |a| {
                a.failures = failures;
                a.last_error = Some(reason.clone());
                a.next_attempt_at = Some(next_attempt);
            })
            .await;
        retry_later(&account, next_attempt)
    }

    /// Changes an account's metadata in the file and in this process; when
    /// the file cannot be written, in this process only, so that it still
    /// behaves (backs off, stops asking). Returns the account as it now is.
    pub(super) async fn change_account(
        &self,
        slot: &Slot,
        change: impl Fn(&mut Account) + Clone + Send + 'static,
    ) -> Account {
        let store = self.inner.store.clone();
        let id = slot.id.clone();
        let in_file = change.clone();
        let updated = blocking(move || store.update(&id, in_file)).await;
        let mut state = lock(&slot.state);
        match updated {
            Ok(updated) => state.account = updated,
            Err(_) => change(&mut state.account),
        }
        state.account.clone()
    }
}

enum IdentityCheck {
    Passing(Message),
    Rejected(Message),
}

/// Runs store work (keyring calls, file locks) off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ManagerError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(ManagerError::from),
        Err(err) => Err(ManagerError::Store(Message::new("refresh-keyring-worker-failed").with("reason", err))),
    }
}

fn handed(token: &AccessToken, account: &Account) -> HandedToken {
    HandedToken { token: token.clone(), expires_at: account.access_token_expires_at }
}

fn needs_reauth(account: &Account, reason: &Message) -> ManagerError {
    ManagerError::NeedsReauth { user: account.user.clone(), server: account.server.clone(), reason: reason.clone() }
}

fn retry_later(account: &Account, next_attempt: DateTime<Utc>) -> ManagerError {
    ManagerError::RetryLater {
        user: account.user.clone(),
        server: account.server.clone(),
        reason: account.last_error.clone().unwrap_or_else(|| Message::new("refresh-last-attempt-failed")),
        next_attempt,
    }
}
