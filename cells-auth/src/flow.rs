//! One sign-in: the authorization code flow with PKCE through the system
//! browser and a loopback redirect (RFC 8252), ending in a stored account.
//!
//! [`SignIn::start`] checks the keyring, discovers the server, binds the
//! listener and builds the authorization URL; the caller shows the URL and
//! opens the browser; [`SignIn::finish`] waits for the callback, exchanges
//! the code, verifies the ID token and stores the account.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use url::Url;

use crate::clock::Clock;
use crate::discovery::{discover, server_label, DiscoveryError, ProviderMetadata, ServerUrl};
use crate::loopback::{
    bind_first_free, judge_query, AuthorizationCode, Callback, CallbackOutcome, CallbackServer, CsrfState, Expectation,
    FinalPage, LoopbackError, DEV_PORT, SYNC_PORTS,
};
use crate::pkce::PkceVerifier;
use crate::store::{Account, Identity, Store, StoreError};
use crate::tokens::{exchange_code, TokenError};
use crate::verify::{IdTokenVerifier, JwksCache, Nonce, NonceCheck, VerifyError};
use crate::{CLIENT_ID, CUSTOM_SCHEME_CLIENT_ID, SCOPES};

/// The redirect Cells registers for the `cells-mobile` client.
pub const CUSTOM_SCHEME_REDIRECT: &str = "cellsauth://callback";

/// Where the browser brings the answer back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectMode {
    /// The first free port of 3636-3666, as Cells registers for `cells-sync`.
    Loopback,
    /// `http://localhost:3000/servers/callback`, registered for development.
    Development,
    /// `cellsauth://callback` as the client `cells-mobile`, for machines where
    /// a firewall or antivirus blocks loopback ports. The answer arrives as a
    /// link the app receives, delivered through [`DeepLinkInbox`].
    CustomScheme,
}

impl RedirectMode {
    pub fn client_id(self) -> &'static str {
        match self {
            RedirectMode::CustomScheme => CUSTOM_SCHEME_CLIENT_ID,
            RedirectMode::Loopback | RedirectMode::Development => CLIENT_ID,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    #[error(transparent)]
    Loopback(#[from] LoopbackError),
    #[error("no answer from the browser within {}: sign in again (--timeout sets a longer wait)", human_duration(*.0))]
    Timeout(Duration),
    #[error("sign-in cancelled")]
    Cancelled,
    #[error("the sign-in was cancelled in the browser ({error}{})", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    AccessDenied { error: String, description: Option<String> },
    #[error("the server refused the sign-in ({error}{})", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    AuthorizationError { error: String, description: Option<String> },
    #[error("the answer came from {}, not from {expected}: sign-in aborted (mix-up defence)", found.as_deref().unwrap_or("an unnamed issuer"))]
    WrongIssuer { found: Option<String>, expected: String },
    #[error("cannot get the tokens: {0}")]
    Token(#[from] TokenError),
    #[error("sign-in rejected: {0}")]
    Verify(#[from] VerifyError),
    #[error(
        "the server returned no {0}; check that the client cells-sync is allowed the 'openid' and 'offline' scopes"
    )]
    MissingToken(&'static str),
    #[error("the listener stopped before the browser answered")]
    ListenerClosed,
}

/// A sign-in under way: the listener is bound (or the link awaited) and the URL is ready.
pub struct SignIn {
    server: ServerUrl,
    metadata: ProviderMetadata,
    mode: RedirectMode,
    /// None in custom-scheme mode.
    listener: Option<CallbackServer>,
    inbox: DeepLinkInbox,
    callbacks: mpsc::Receiver<Callback>,
    redirect_uri: String,
    authorization_url: Url,
    verifier: PkceVerifier,
    nonce: Nonce,
}

/// Where `cellsauth://callback` links for the pending sign-in are delivered.
#[derive(Clone)]
pub struct DeepLinkInbox {
    expectation: Expectation,
    accepted: Arc<AtomicBool>,
    callbacks: mpsc::Sender<Callback>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeepLinkError {
    #[error("not a cellsauth://callback link")]
    NotACallback,
    #[error("{0}")]
    Stray(&'static str),
    #[error("this sign-in has already been answered")]
    AlreadyAnswered,
    #[error("the sign-in is no longer waiting")]
    Closed,
    /// No sign-in in custom-scheme mode is pending, as on a cold start.
    #[error("no sign-in is waiting for a cellsauth link")]
    NothingPending,
}

impl DeepLinkInbox {
    /// Hands a `cellsauth://callback?...` link to the pending sign-in. A link
    /// without the pending state is refused and changes nothing.
    pub fn deliver(&self, link: &str) -> Result<(), DeepLinkError> {
        let url = Url::parse(link).map_err(|_| DeepLinkError::NotACallback)?;
        if url.scheme() != "cellsauth" || url.host_str() != Some("callback") {
            return Err(DeepLinkError::NotACallback);
        }
        let outcome = judge_query(url.query().unwrap_or(""), &self.expectation).map_err(DeepLinkError::Stray)?;
        if self.accepted.swap(true, Ordering::SeqCst) {
            return Err(DeepLinkError::AlreadyAnswered);
        }
        self.callbacks.try_send(Callback::without_page(outcome)).map_err(|_| DeepLinkError::Closed)
    }
}

impl SignIn {
    /// Prepares a sign-in. The keyring is checked first and the port bound
    /// last, so that nothing is opened in the browser unless the answer can
    /// be received and kept.
    pub async fn start(
        http: &reqwest::Client,
        store: &Store,
        server: ServerUrl,
        redirect: RedirectMode,
    ) -> Result<Self, FlowError> {
        let probe = store.clone();
        tokio::task::spawn_blocking(move || probe.check_writable())
            .await
            .map_err(|e| StoreError::Keyring(e.to_string()))??;
        let metadata = discover(http, &server).await?;
        let bound = match redirect {
            RedirectMode::Loopback => Some(bind_first_free(SYNC_PORTS)?),
            RedirectMode::Development => Some(bind_first_free(DEV_PORT..=DEV_PORT)?),
            RedirectMode::CustomScheme => None,
        };
        let redirect_uri = bound.as_ref().map_or_else(|| CUSTOM_SCHEME_REDIRECT.to_string(), |b| b.redirect_uri());
        let state = CsrfState::generate();
        let verifier = PkceVerifier::generate();
        let nonce = Nonce::generate();
        let authorization_url =
            authorization_url(&metadata, redirect.client_id(), &redirect_uri, &state, &verifier, &nonce)?;
        let expectation = Expectation {
            state,
            issuer: metadata.issuer.clone(),
            require_iss: metadata.authorization_response_iss_parameter_supported,
        };
        let (sender, callbacks) = mpsc::channel(1);
        let listener = match bound {
            Some(bound) => Some(CallbackServer::start(bound, expectation.clone(), sender.clone())?),
            None => None,
        };
        let inbox = DeepLinkInbox { expectation, accepted: Arc::new(AtomicBool::new(false)), callbacks: sender };
        Ok(Self {
            server,
            metadata,
            mode: redirect,
            listener,
            inbox,
            callbacks,
            redirect_uri,
            authorization_url,
            verifier,
            nonce,
        })
    }

    /// Where `cellsauth://` links go, in custom-scheme mode.
    pub fn deep_link_inbox(&self) -> Option<DeepLinkInbox> {
        (self.mode == RedirectMode::CustomScheme).then(|| self.inbox.clone())
    }

    pub fn mode(&self) -> RedirectMode {
        self.mode
    }

    /// The page to open in the browser. It carries the PKCE challenge, the
    /// state and the nonce, never the verifier.
    pub fn authorization_url(&self) -> &str {
        self.authorization_url.as_str()
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The loopback port held, if any.
    pub fn port(&self) -> Option<u16> {
        self.listener.as_ref().map(CallbackServer::port)
    }

    pub fn server(&self) -> &ServerUrl {
        &self.server
    }

    /// Waits for the browser's answer (until `timeout`, or until `cancel`
    /// resolves), then exchanges the code and stores the account. The
    /// listener is closed whatever happens; the browser is told the outcome.
    pub async fn finish(
        mut self,
        http: &reqwest::Client,
        store: &Store,
        clock: Arc<dyn Clock>,
        timeout: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<Account, FlowError> {
        let callback = tokio::select! {
            callback = self.callbacks.recv() => callback,
            _ = tokio::time::sleep(timeout) => {
                self.close().await;
                return Err(FlowError::Timeout(timeout));
            }
            _ = cancel => {
                self.close().await;
                return Err(FlowError::Cancelled);
            }
        };
        let Some(callback) = callback else {
            self.close().await;
            return Err(FlowError::ListenerClosed);
        };
        let result = match &callback.outcome {
            CallbackOutcome::Code(code) => self.redeem(http, store, clock.as_ref(), code).await,
            CallbackOutcome::Denied { error, description } if error == "access_denied" => {
                Err(FlowError::AccessDenied { error: error.clone(), description: description.clone() })
            }
            CallbackOutcome::Denied { error, description } => {
                Err(FlowError::AuthorizationError { error: error.clone(), description: description.clone() })
            }
            CallbackOutcome::WrongIssuer { found } => {
                Err(FlowError::WrongIssuer { found: found.clone(), expected: self.metadata.issuer.clone() })
            }
        };
        callback.reply(match &result {
            Ok(account) => FinalPage::Success {
                detail: format!(
                    "Signed in to {} as {}. You can close this tab and return to the app.",
                    account.server, account.user
                ),
            },
            Err(err) => FinalPage::Failure { detail: format!("{err}. Return to the app to try again.") },
        });
        self.close().await;
        result
    }

    async fn close(&mut self) {
        if let Some(listener) = self.listener.take() {
            listener.close().await;
        }
    }

    async fn redeem(
        &self,
        http: &reqwest::Client,
        store: &Store,
        clock: &dyn Clock,
        code: &AuthorizationCode,
    ) -> Result<Account, FlowError> {
        let client_id = self.mode.client_id();
        let tokens = exchange_code(
            http,
            &self.metadata.token_endpoint,
            client_id,
            code,
            &self.verifier,
            &self.redirect_uri,
            clock,
        )
        .await?;
        let id_token = tokens.id_token.as_ref().ok_or(FlowError::MissingToken("ID token"))?;
        if tokens.refresh_token.is_none() {
            return Err(FlowError::MissingToken("refresh token"));
        }
        let keys = JwksCache::new(&self.metadata.jwks_uri);
        let verifier = IdTokenVerifier { http, keys: &keys, issuer: &self.metadata.issuer, client_id, clock };
        let claims = verifier.verify(id_token, NonceCheck::SignIn { nonce: &self.nonce, pkce_used: true }).await?;
        let identity = Identity {
            issuer: self.metadata.issuer.clone(),
            user: claims.name.clone().or_else(|| claims.email.clone()).unwrap_or_else(|| claims.sub.clone()),
            email: claims.email.clone(),
            sub: claims.sub.clone(),
        };
        let mut account = Account::signed_in(self.server.as_str(), client_id, identity, &tokens, claims.expires_at());
        account.label = server_label(http, &self.server).await;
        let saver = store.clone();
        let saved = account.clone();
        tokio::task::spawn_blocking(move || saver.save(&saved, &tokens))
            .await
            .map_err(|e| StoreError::Keyring(e.to_string()))??;
        Ok(account)
    }
}

fn authorization_url(
    metadata: &ProviderMetadata,
    client_id: &str,
    redirect_uri: &str,
    state: &CsrfState,
    verifier: &PkceVerifier,
    nonce: &Nonce,
) -> Result<Url, FlowError> {
    let mut url = Url::parse(&metadata.authorization_endpoint).map_err(|_| DiscoveryError::Invalid {
        url: metadata.authorization_endpoint.clone(),
        reason: "the authorization endpoint is not a URL".into(),
    })?;
    let challenge = verifier.challenge();
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", SCOPES)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state.secret())
        .append_pair("nonce", nonce.secret())
        .append_pair("code_challenge", challenge.as_str())
        .append_pair("code_challenge_method", crate::pkce::PkceChallenge::METHOD);
    Ok(url)
}

/// `90 s`, `9 min`, `2 h`, rounded down: for messages.
pub fn human_duration(duration: Duration) -> String {
    match duration.as_secs() {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorization_request_is_what_cells_expects() {
        let metadata: ProviderMetadata = serde_json::from_value(serde_json::json!({
            "issuer": "https://h/oidc/",
            "authorization_endpoint": "https://h/oidc/oauth2/auth",
            "token_endpoint": "https://h/oidc/oauth2/token",
            "jwks_uri": "https://h/oidc/.well-known/jwks.json",
        }))
        .unwrap();
        let verifier = PkceVerifier::generate();
        let url = authorization_url(
            &metadata,
            "cells-sync",
            "http://localhost:3636/servers/callback",
            &CsrfState::new("st"),
            &verifier,
            &Nonce::new("nn"),
        )
        .unwrap();
        let pairs: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["client_id"], "cells-sync");
        assert_eq!(pairs["response_type"], "code");
        assert_eq!(pairs["scope"], "openid email profile pydio offline");
        assert_eq!(pairs["redirect_uri"], "http://localhost:3636/servers/callback");
        assert_eq!(pairs["state"], "st");
        assert_eq!(pairs["nonce"], "nn");
        assert_eq!(pairs["code_challenge"], verifier.challenge().as_str());
        assert_eq!(pairs["code_challenge_method"], "S256");
        assert!(!url.as_str().contains(verifier.secret()));
        assert_eq!(pairs.len(), 8);
    }

    #[test]
    fn a_deep_link_reaches_the_sign_in_only_with_its_state_and_once() {
        let (sender, mut callbacks) = mpsc::channel(1);
        let inbox = DeepLinkInbox {
            expectation: Expectation {
                state: CsrfState::new("st"),
                issuer: "https://h/oidc/".into(),
                require_iss: false,
            },
            accepted: Arc::new(AtomicBool::new(false)),
            callbacks: sender,
        };
        assert_eq!(
            inbox.deliver("cellsauth://callback?code=c&state=foreign"),
            Err(DeepLinkError::Stray("this answer is for another sign-in (state does not match)"))
        );
        assert_eq!(inbox.deliver("https://callback?code=c&state=st"), Err(DeepLinkError::NotACallback));
        assert_eq!(inbox.deliver("cellsauth://elsewhere?code=c&state=st"), Err(DeepLinkError::NotACallback));
        assert_eq!(inbox.deliver("not a link"), Err(DeepLinkError::NotACallback));
        assert!(callbacks.try_recv().is_err(), "nothing reached the sign-in");
        assert_eq!(inbox.deliver("cellsauth://callback?code=c&state=st"), Ok(()));
        assert_eq!(callbacks.try_recv().unwrap().outcome, CallbackOutcome::Code(AuthorizationCode::new("c")));
        assert_eq!(inbox.deliver("cellsauth://callback?code=c2&state=st"), Err(DeepLinkError::AlreadyAnswered));
    }

    #[test]
    fn custom_scheme_mode_signs_in_as_cells_mobile() {
        assert_eq!(RedirectMode::CustomScheme.client_id(), "cells-mobile");
        assert_eq!(RedirectMode::Loopback.client_id(), "cells-sync");
        assert_eq!(RedirectMode::Development.client_id(), "cells-sync");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::from_secs(300)), "5 min");
        assert_eq!(human_duration(Duration::from_secs(90)), "90 s");
        assert_eq!(human_duration(Duration::from_secs(599)), "9 min");
        assert_eq!(human_duration(Duration::from_secs(7200)), "2 h");
    }
}
