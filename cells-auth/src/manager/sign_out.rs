//! Signing out: revoke on the server, then forget locally whatever it said.

use super::refresh::blocking;
use super::registry::{lock, AccountEvent, AccountManager, ManagerError};
use crate::i18n::{Message, Said};
use crate::revocation;
use crate::store::{Account, StoreError};
use crate::tokens::RefreshToken;

/// What signing out did on the server; local secrets are deleted in every case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    Revoked,
    /// The server offers no revocation endpoint.
    NotOffered,
    /// The server could not be asked, or refused: the reason.
    Failed(Message),
    /// No refresh token was left to revoke.
    NothingToRevoke,
}

impl AccountManager {
    /// Signs out: revokes the refresh token on the server (RFC 7009), then
    /// deletes the local secrets and metadata whatever the server answered.
    #[tracing::instrument(name = "sign_out", skip_all, fields(account = %account_id))]
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
        tracing::info!(revocation = ?revocation, "signed out");
        lock(&self.inner.slots).remove(&account.id);
        let _ = self.inner.events.send(AccountEvent { account_id: account.id.clone(), view: None });
        Ok((account, revocation))
    }

    async fn revoke(&self, account: &Account, refresh_token: &RefreshToken) -> Revocation {
        // As for a refresh: never to a server the account file was edited to name.
        if !account.is_filed_under_its_issuer() {
            return Revocation::Failed(Message::new("sign-out-account-file-changed"));
        }
        let http = match self.http_for(&account.trust) {
            Ok(http) => http,
            Err(err) => return Revocation::Failed(err.message()),
        };
        let provider = match self.inner.providers.get(&http, account, &self.inner.clock).await {
            Ok(provider) => provider,
            Err(reason) => return Revocation::Failed(reason),
        };
        let Some(endpoint) = &provider.metadata.revocation_endpoint else {
            return Revocation::NotOffered;
        };
        let token_endpoint = &provider.metadata.token_endpoint;
        match revocation::revoke(&http, endpoint, &account.client_id, token_endpoint, refresh_token).await {
            Ok(()) => Revocation::Revoked,
            Err(err) => Revocation::Failed(err.message()),
        }
    }
}
