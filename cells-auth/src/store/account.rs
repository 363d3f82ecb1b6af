//! An account's metadata: who signed in where, and the state of its tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::certificates::ServerTrust;
use crate::i18n::Message;
use crate::tokens::TokenSet;

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
    pub needs_reauth: Option<Message>,
    /// The last refresh failure that may pass (network, server error), while
    /// retrying.
    #[serde(default)]
    pub last_error: Option<Message>,
    /// When the next refresh is attempted after `last_error`.
    #[serde(default)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Refresh failures in a row, for the backoff.
    #[serde(default)]
    pub failures: u32,
    /// The certificates the server may present: the system's, unless the
    /// user pinned one or gave a private CA when signing in.
    #[serde(default, skip_serializing_if = "ServerTrust::is_system")]
    pub trust: ServerTrust,
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
            trust: ServerTrust::System,
        }
    }

    /// Whether this account's id is still the one of its issuer and user:
    /// its keyring entries are filed under that id, so an account file
    /// edited to name another server (or issuer) fails this, and nothing of
    /// it may be sent there.
    pub fn is_filed_under_its_issuer(&self) -> bool {
        account_id(&self.issuer, &self.sub) == self.id
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::account;

    #[test]
    fn state_follows_the_clock() {
        let alice = account("u-1", "alice");
        let before = alice.access_token_expires_at - chrono::Duration::seconds(1);
        assert_eq!(alice.state(before), AccountState::SignedIn);
        assert_eq!(alice.state(alice.access_token_expires_at), AccountState::Expired);
        let mut stale = alice.clone();
        stale.needs_reauth = Some(Message::verbatim("refresh token revoked"));
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
