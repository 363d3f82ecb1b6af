//! One sign-in: the authorization code flow with PKCE through the system
//! browser and a loopback redirect (RFC 8252), ending in a stored account.
//! The command line and the desktop app both run it through [`SignIn`]:
//!
//! 1. [`SignIn::start`] checks the keyring, discovers the server, binds the
//!    listener (or awaits a `cellsauth://` link) and builds the
//!    authorization URL; the handle then shows what is pending;
//! 2. the caller opens the browser ([`SignInControl::open_browser`]), as
//!    often as the user asks;
//! 3. [`SignIn::account`] waits for the answer, exchanges the code, verifies
//!    the ID token, stores the account and hands it to the account manager;
//!    [`SignInControl::cancel`] ends it early. The port is closed whatever
//!    happens, and the browser is told the outcome.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, watch};
use tracing::Instrument as _;
use url::Url;

use crate::authorization::authorization_request;
use crate::browser::Opener;
use crate::callback::{judge_query, AnswerGate, Callback, CallbackOutcome, Expectation, FinalPage};
use crate::certificates::ServerTrust;
use crate::discovery::{discover, server_label, DiscoveryError, ProviderMetadata, ServerUrl};
use crate::i18n::{text, Arg, Message, Said};
use crate::loopback::{
    bind_first_free, is_own_authority, CallbackServer, LoopbackError, CALLBACK_PATH, DEV_PORT, SYNC_PORTS,
};
use crate::manager::AccountManager;
use crate::store::{Account, Identity, StoreError};
use crate::tokens::{exchange_code, AuthorizationCode, PkceCodeVerifier, TokenError};
use crate::verify::{IdTokenVerifier, JwksCache, Nonce, NonceCheck, VerifyError};
use crate::view::duration;
use crate::{CLIENT_ID, CUSTOM_SCHEME_CLIENT_ID};

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
    /// link the app receives, handed over with [`SignInControl::deliver_link`].
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
#[error("{}", crate::i18n::Said::said(self))]
pub enum SignInError {
    Store(#[from] StoreError),
    Discovery(#[from] DiscoveryError),
    Loopback(#[from] LoopbackError),
    Client(#[from] crate::http::ClientError),
    Timeout(Duration),
    Cancelled,
    AccessDenied {
        error: String,
        description: Option<String>,
    },
    AuthorizationError {
        error: String,
        description: Option<String>,
    },
    WrongIssuer {
        found: Option<String>,
        expected: String,
    },
    Token(#[from] TokenError),
    Verify(#[from] VerifyError),
    /// The catalog id of the token's name.
    MissingToken(&'static str),
    Aborted,
}

impl Said for SignInError {
    fn message(&self) -> Message {
        let with_description = |id: &str, error: &str, description: &Option<String>| match description {
            Some(description) => {
                Message::new(&format!("{id}-described")).with("error", error).with("description", description)
            }
            None => Message::new(id).with("error", error),
        };
        match self {
            SignInError::Store(err) => err.message(),
            SignInError::Discovery(err) => err.message(),
            SignInError::Loopback(err) => err.message(),
            SignInError::Client(err) => err.message(),
            SignInError::Timeout(wait) => Message::new("error-sign-in-timeout").message("wait", duration(*wait)),
            SignInError::Cancelled => Message::new("error-sign-in-cancelled"),
            SignInError::AccessDenied { error, description } => {
                with_description("error-sign-in-denied", error, description)
            }
            SignInError::AuthorizationError { error, description } => {
                with_description("error-sign-in-refused", error, description)
            }
            SignInError::WrongIssuer { found: Some(found), expected } => {
                Message::new("error-sign-in-wrong-issuer").with("found", found).with("expected", expected)
            }
            SignInError::WrongIssuer { found: None, expected } => {
                Message::new("error-sign-in-unnamed-issuer").with("expected", expected)
            }
            SignInError::Token(err) => Message::new("error-sign-in-tokens").message("reason", err.message()),
            SignInError::Verify(err) => Message::new("error-sign-in-rejected").message("reason", err.message()),
            SignInError::MissingToken(kind) => {
                Message::new("error-sign-in-missing-token").message("kind", Message::new(kind))
            }
            SignInError::Aborted => Message::new("error-sign-in-aborted"),
        }
    }
}

/// How to run a sign-in.
#[derive(Clone)]
pub struct SignInOptions {
    pub redirect: RedirectMode,
    /// How long to wait for the browser.
    pub timeout: Duration,
    /// Opens the authorization page; `None` only prints it (`--no-browser`).
    pub opener: Option<Opener>,
    /// The certificates the server may present; `None` keeps what an
    /// account on this server already uses (the system's trust otherwise).
    pub trust: Option<ServerTrust>,
}

/// What a pending sign-in shows the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingSignIn {
    pub server: String,
    /// The page to open; it carries the PKCE challenge, the state and the
    /// nonce, never the verifier.
    pub authorization_url: String,
    pub redirect_uri: String,
    /// The loopback port held, or none for a `cellsauth://` sign-in.
    pub port: Option<u16>,
    /// The answer comes back as a `cellsauth://callback` link.
    pub custom_scheme: bool,
}

/// Why an answer handed over by hand (a pasted address, a `cellsauth://`
/// link) was not taken; it changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum AnswerError {
    NotACallback,
    NotTheRedirect {
        expected: String,
    },
    Stray(&'static str),
    AlreadyAnswered,
    Closed,
    /// No sign-in in custom-scheme mode is pending, as on a cold start.
    NothingPending,
}

impl Said for AnswerError {
    fn message(&self) -> Message {
        match self {
            AnswerError::NotACallback => Message::new("error-answer-not-a-link"),
            AnswerError::NotTheRedirect { expected } => {
                Message::new("error-answer-not-the-redirect").with("expected", expected)
            }
            AnswerError::Stray(reason) => Message::new(reason),
            AnswerError::AlreadyAnswered => Message::new("error-answer-already"),
            AnswerError::Closed => Message::new("error-answer-closed"),
            AnswerError::NothingPending => Message::new("error-answer-nothing-pending"),
        }
    }
}

/// Reads a `cellsauth://callback?...` link as the answer to the sign-in
/// that `expectation` describes.
pub fn judge_link(link: &str, expectation: &Expectation) -> Result<CallbackOutcome, AnswerError> {
    let url = Url::parse(link).map_err(|_| AnswerError::NotACallback)?;
    if url.scheme() != "cellsauth" || url.host_str() != Some("callback") {
        return Err(AnswerError::NotACallback);
    }
    judge_query(url.query().unwrap_or(""), expectation).map_err(AnswerError::Stray)
}

/// Reads the address a browser ended on (`http://localhost:PORT/servers/callback?...`,
/// which it could not reach) as the answer to the sign-in listening on `port`.
/// It is judged exactly as the listener judges a callback.
pub fn judge_redirect(address: &str, port: u16, expectation: &Expectation) -> Result<CallbackOutcome, AnswerError> {
    let wrong = || AnswerError::NotTheRedirect { expected: crate::loopback::redirect_uri(port) };
    let url = Url::parse(address.trim()).map_err(|_| wrong())?;
    let authority = format!("{}:{}", url.host_str().unwrap_or_default(), url.port().unwrap_or_default());
    if url.scheme() != "http" || !is_own_authority(&authority, port) || url.path() != CALLBACK_PATH {
        return Err(wrong());
    }
    judge_query(url.query().unwrap_or(""), expectation).map_err(AnswerError::Stray)
}

/// The answers a user hands over: a pasted address in loopback mode, a
/// `cellsauth://` link in custom-scheme mode. They pass the same gate as
/// the listener's callback, so that only the first answer counts.
struct HandedAnswers {
    expectation: Expectation,
    gate: AnswerGate,
    /// The loopback port waited on; none in custom-scheme mode.
    port: Option<u16>,
}

impl HandedAnswers {
    fn link(&self, link: &str) -> Result<(), AnswerError> {
        if self.port.is_some() {
            return Err(AnswerError::NothingPending);
        }
        self.admit(judge_link(link, &self.expectation)?)
    }

    fn address(&self, address: &str) -> Result<(), AnswerError> {
        match self.port {
            None => self.link(address.trim()),
            Some(port) => self.admit(judge_redirect(address, port, &self.expectation)?),
        }
    }

    fn admit(&self, outcome: CallbackOutcome) -> Result<(), AnswerError> {
        if !self.gate.admit_once() {
            return Err(AnswerError::AlreadyAnswered);
        }
        self.gate.callbacks().try_send(Callback::without_page(outcome)).map_err(|_| AnswerError::Closed)
    }
}

/// Shows, reopens, cancels and feeds a pending sign-in; cheap to clone, so
/// a window can hold it while a task awaits [`SignIn::account`].
#[derive(Clone)]
pub struct SignInControl {
    inner: Arc<ControlInner>,
}

struct ControlInner {
    pending: PendingSignIn,
    opener: Option<Opener>,
    answers: HandedAnswers,
    cancel: watch::Sender<bool>,
    ended: watch::Receiver<bool>,
}

impl SignInControl {
    pub fn pending(&self) -> &PendingSignIn {
        &self.inner.pending
    }

    /// Opens the authorization page (again).
    pub fn open_browser(&self) -> Result<(), String> {
        match &self.inner.opener {
            Some(open) => open(&self.inner.pending.authorization_url),
            None => Err(text("sign-in-no-browser", &[])),
        }
    }

    /// Ends the sign-in; returns once it has ended and its port is free.
    pub async fn cancel(&self) {
        self.inner.cancel.send_replace(true);
        let mut ended = self.inner.ended.clone();
        let _ = ended.wait_for(|ended| *ended).await;
    }

    /// Hands a `cellsauth://callback?...` link to this sign-in (custom-scheme mode).
    pub fn deliver_link(&self, link: &str) -> Result<(), AnswerError> {
        self.inner.answers.link(link)
    }

    /// Hands over the address the browser ended on, pasted by the user when
    /// the browser could not reach this machine's port (another machine, a
    /// sandbox); in custom-scheme mode, the `cellsauth://` link.
    pub fn deliver_address(&self, address: &str) -> Result<(), AnswerError> {
        self.inner.answers.address(address)
    }
}

/// A sign-in under way, from its start to the account.
pub struct SignIn {
    control: SignInControl,
    outcome: tokio::task::JoinHandle<Result<Account, SignInError>>,
}

impl SignIn {
    /// Prepares a sign-in and starts waiting for its answer. The keyring is
    /// checked first and the port bound last, so that nothing is opened in
    /// the browser unless the answer can be received and kept.
    #[tracing::instrument(name = "sign_in", skip_all, fields(server = %server, redirect = ?options.redirect))]
    pub async fn start(
        manager: &AccountManager,
        server: ServerUrl,
        options: SignInOptions,
    ) -> Result<Self, SignInError> {
        let started = Self::prepare(manager, server, options).await;
        if let Err(err) = &started {
            tracing::warn!(error = %err, "sign-in could not start");
        }
        started
    }

    async fn prepare(manager: &AccountManager, server: ServerUrl, options: SignInOptions) -> Result<Self, SignInError> {
        // The keyring is checked while the server's configuration is fetched;
        // a keyring that cannot keep the answer is said first.
        let probe = manager.store().clone();
        let checked = tokio::task::spawn_blocking(move || probe.check_writable());
        let trust = options.trust.clone().unwrap_or_else(|| manager.trust_of(&server));
        let discovered = async {
            let http = manager.http_for(&trust)?;
            let metadata = discover(&http, &server, &trust).await?;
            Ok::<_, SignInError>((http, metadata))
        };
        let (checked, discovered) = tokio::join!(checked, discovered);
        checked.map_err(|e| StoreError::Keyring(e.to_string()))??;
        let (http, metadata) = discovered?;
        tracing::info!(issuer = %metadata.issuer, "discovered");
        let bound = match options.redirect {
            RedirectMode::Loopback => Some(bind_first_free(SYNC_PORTS)?),
            RedirectMode::Development => Some(bind_first_free(DEV_PORT..=DEV_PORT)?),
            RedirectMode::CustomScheme => None,
        };
        let redirect_uri = bound.as_ref().map_or_else(|| CUSTOM_SCHEME_REDIRECT.to_string(), |b| b.redirect_uri());
        let client_id = options.redirect.client_id();
        let request = authorization_request(&metadata, client_id, &redirect_uri)?;
        let expectation = Expectation {
            state: request.state,
            issuer: metadata.issuer.clone(),
            require_iss: metadata.authorization_response_iss_parameter_supported,
        };
        let (sender, callbacks) = mpsc::channel(1);
        let gate = AnswerGate::new(sender);
        let listener = match bound {
            Some(bound) => Some(CallbackServer::start(bound, expectation.clone(), gate.clone())?),
            None => None,
        };
        let port = listener.as_ref().map(CallbackServer::port);
        let answers = HandedAnswers { expectation, gate, port };
        let pending = PendingSignIn {
            server: server.to_string(),
            authorization_url: request.url.to_string(),
            redirect_uri: redirect_uri.clone(),
            port,
            custom_scheme: options.redirect == RedirectMode::CustomScheme,
        };
        // The authorization URL carries the state and nonce: it is never logged.
        tracing::info!(port = ?pending.port, "waiting for the browser");
        let (cancel, cancelled) = watch::channel(false);
        let (ended_tx, ended) = watch::channel(false);
        let waiting = Waiting {
            manager: manager.clone(),
            server,
            http,
            trust,
            metadata,
            client_id,
            redirect_uri,
            verifier: Some(request.verifier),
            nonce: request.nonce,
            listener,
            callbacks,
        };
        let outcome = tokio::spawn(
            async move {
                let result = waiting.run(options.timeout, cancelled).await;
                match &result {
                    Ok(account) => tracing::info!(account = %account.id, "signed in"),
                    Err(err) => tracing::warn!(error = %err, "sign-in ended without an account"),
                }
                ended_tx.send_replace(true);
                result
            }
            .instrument(tracing::Span::current()),
        );
        let control =
            SignInControl { inner: Arc::new(ControlInner { pending, opener: options.opener, answers, cancel, ended }) };
        Ok(Self { control, outcome })
    }

    pub fn pending(&self) -> &PendingSignIn {
        self.control.pending()
    }

    pub fn control(&self) -> SignInControl {
        self.control.clone()
    }

    /// Waits for the end: the account, stored and known to the manager.
    pub async fn account(self) -> Result<Account, SignInError> {
        // Held until the end: dropping every control cancels the sign-in.
        let _control = self.control;
        self.outcome.await.unwrap_or(Err(SignInError::Aborted))
    }
}

/// The waiting half of a sign-in, run on its own task.
struct Waiting {
    manager: AccountManager,
    server: ServerUrl,
    /// The client that enforces `trust`, which the account then keeps.
    http: reqwest::Client,
    trust: ServerTrust,
    metadata: ProviderMetadata,
    client_id: &'static str,
    redirect_uri: String,
    /// Spent by the one code exchange.
    verifier: Option<PkceCodeVerifier>,
    nonce: Nonce,
    /// None in custom-scheme mode.
    listener: Option<CallbackServer>,
    callbacks: mpsc::Receiver<Callback>,
}

impl Waiting {
    async fn run(mut self, timeout: Duration, mut cancelled: watch::Receiver<bool>) -> Result<Account, SignInError> {
        let callback = tokio::select! {
            callback = self.callbacks.recv() => callback.ok_or(SignInError::Aborted),
            _ = tokio::time::sleep(timeout) => Err(SignInError::Timeout(timeout)),
            // A cancel, or every handle dropped (the app quitting).
            _ = cancelled.wait_for(|cancelled| *cancelled) => Err(SignInError::Cancelled),
        };
        let callback = match callback {
            Ok(callback) => callback,
            Err(err) => {
                self.close().await;
                return Err(err);
            }
        };
        tracing::info!(answer = callback.outcome.kind(), "answer received");
        let result = match &callback.outcome {
            CallbackOutcome::Code(code) => self.redeem(code.clone()).await,
            CallbackOutcome::Denied { error, description } if error == "access_denied" => {
                Err(SignInError::AccessDenied { error: error.clone(), description: description.clone() })
            }
            CallbackOutcome::Denied { error, description } => {
                Err(SignInError::AuthorizationError { error: error.clone(), description: description.clone() })
            }
            CallbackOutcome::WrongIssuer { found } => {
                Err(SignInError::WrongIssuer { found: found.clone(), expected: self.metadata.issuer.clone() })
            }
        };
        callback.reply(match &result {
            Ok(account) => FinalPage::Success {
                detail: text(
                    "page-signed-in-detail",
                    &[("server", Arg::Text(&account.server)), ("user", Arg::Text(&account.user))],
                ),
            },
            Err(err) => FinalPage::Failure {
                detail: text("page-sign-in-failed-detail", &[("error", Arg::Text(&err.to_string()))]),
            },
        });
        self.close().await;
        if let Ok(account) = &result {
            self.manager.signed_in(account.clone());
        }
        result
    }

    async fn close(&mut self) {
        if let Some(listener) = self.listener.take() {
            listener.close().await;
        }
    }

    async fn redeem(&mut self, code: AuthorizationCode) -> Result<Account, SignInError> {
        let http = &self.http;
        let clock = self.manager.clock();
        let verifier = self.verifier.take().ok_or(SignInError::Aborted)?;
        let tokens = exchange_code(
            http,
            &self.metadata.token_endpoint,
            self.client_id,
            code,
            verifier,
            &self.redirect_uri,
            clock.as_ref(),
        )
        .await?;
        tracing::info!("code exchanged");
        let id_token = tokens.id_token.as_ref().ok_or(SignInError::MissingToken("secret-id-token"))?;
        if tokens.refresh_token.is_none() {
            return Err(SignInError::MissingToken("secret-refresh-token"));
        }
        let keys = JwksCache::new(&self.metadata.jwks_uri);
        let verifier = IdTokenVerifier {
            http,
            keys: &keys,
            issuer: &self.metadata.issuer,
            client_id: self.client_id,
            clock: clock.as_ref(),
        };
        // The server's display name is fetched meanwhile: it depends on nothing here.
        let (claims, label) = tokio::join!(
            verifier.verify(id_token, NonceCheck::SignIn { nonce: &self.nonce, pkce_used: true }),
            server_label(http, &self.server)
        );
        let claims = claims?;
        tracing::info!("ID token verified");
        let identity = Identity {
            issuer: self.metadata.issuer.clone(),
            user: claims.name.clone().or_else(|| claims.email.clone()).unwrap_or_else(|| claims.sub.clone()),
            email: claims.email.clone(),
            sub: claims.sub.clone(),
        };
        let mut account =
            Account::signed_in(self.server.as_str(), self.client_id, identity, &tokens, claims.expires_at());
        account.label = label;
        account.trust = self.trust.clone();
        let store = self.manager.store().clone();
        let saved = account.clone();
        tokio::task::spawn_blocking(move || store.save(&saved, &tokens))
            .await
            .map_err(|e| StoreError::Keyring(e.to_string()))??;
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::CsrfToken;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Tests that bind or check the sign-in ports run one at a time.
    static PORTS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    fn answers(port: Option<u16>) -> (HandedAnswers, mpsc::Receiver<Callback>) {
        let (sender, callbacks) = mpsc::channel(1);
        let expectation =
            Expectation { state: CsrfToken::new("st".into()), issuer: "https://h/oidc/".into(), require_iss: false };
        (HandedAnswers { expectation, gate: AnswerGate::new(sender), port }, callbacks)
    }

    #[test]
    fn a_deep_link_reaches_the_sign_in_only_with_its_state_and_once() {
        let (answers, mut callbacks) = answers(None);
        assert_eq!(
            answers.link("cellsauth://callback?code=c&state=foreign"),
            Err(AnswerError::Stray("stray-other-sign-in"))
        );
        assert_eq!(answers.link("https://callback?code=c&state=st"), Err(AnswerError::NotACallback));
        assert_eq!(answers.link("cellsauth://elsewhere?code=c&state=st"), Err(AnswerError::NotACallback));
        assert_eq!(answers.link("not a link"), Err(AnswerError::NotACallback));
        assert!(callbacks.try_recv().is_err(), "nothing reached the sign-in");
        assert_eq!(answers.link("cellsauth://callback?code=c&state=st"), Ok(()));
        assert_eq!(callbacks.try_recv().unwrap().outcome, CallbackOutcome::Code(AuthorizationCode::new("c".into())));
        assert_eq!(answers.link("cellsauth://callback?code=c2&state=st"), Err(AnswerError::AlreadyAnswered));
    }

    #[test]
    fn a_pasted_address_is_judged_as_a_callback_and_taken_once() {
        let (answers, mut callbacks) = answers(Some(3637));
        let wrong = Err(AnswerError::NotTheRedirect { expected: "http://localhost:3637/servers/callback".into() });
        for address in [
            "http://localhost:3636/servers/callback?code=c&state=st",
            "https://localhost:3637/servers/callback?code=c&state=st",
            "http://evil.example:3637/servers/callback?code=c&state=st",
            "http://localhost:3637/servers/other?code=c&state=st",
            "code=c&state=st",
        ] {
            assert_eq!(answers.address(address), wrong, "{address}");
        }
        assert!(matches!(
            answers.address("http://localhost:3637/servers/callback?code=c&state=forged"),
            Err(AnswerError::Stray(_))
        ));
        assert_eq!(answers.link("cellsauth://callback?code=c&state=st"), Err(AnswerError::NothingPending));
        assert!(callbacks.try_recv().is_err(), "nothing reached the sign-in");
        assert_eq!(answers.address("  http://127.0.0.1:3637/servers/callback?code=c&state=st\n"), Ok(()));
        assert_eq!(callbacks.try_recv().unwrap().outcome, CallbackOutcome::Code(AuthorizationCode::new("c".into())));
        assert_eq!(
            answers.address("http://localhost:3637/servers/callback?code=c&state=st"),
            Err(AnswerError::AlreadyAnswered),
            "single use, shared with the listener"
        );
    }

    #[tokio::test]
    async fn the_handle_shows_the_pending_sign_in_and_cancel_frees_the_port() {
        let _ports = PORTS.lock().await;
        let stub = crate::testing::StubServer::start().await;
        let dir = std::env::temp_dir().join(format!("cells-auth-sign-in-{}", std::process::id()));
        let store = crate::store::Store::new(&dir, Arc::new(crate::store::MemorySecrets::default()));
        let manager =
            AccountManager::new(store, crate::http::client().unwrap(), Arc::new(crate::clock::SystemClock)).unwrap();
        let server = ServerUrl::parse(&stub.base).unwrap();
        let options = SignInOptions {
            redirect: RedirectMode::Loopback,
            timeout: Duration::from_secs(60),
            opener: None,
            trust: None,
        };
        let sign_in = SignIn::start(&manager, server, options).await.unwrap();
        let pending = sign_in.pending().clone();
        let port = pending.port.expect("a loopback port");
        assert!(crate::loopback::SYNC_PORTS.contains(&port));
        assert_eq!(pending.redirect_uri, format!("http://localhost:{port}/servers/callback"));
        assert!(pending.authorization_url.starts_with(&format!("{}/oidc/oauth2/auth?", stub.base)));
        assert!(!pending.custom_scheme);
        let control = sign_in.control();
        assert!(control.open_browser().is_err(), "no opener, no browser");
        assert_eq!(control.deliver_link("cellsauth://callback?code=c&state=s"), Err(AnswerError::NothingPending));
        assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_err(), "the port is held");
        control.cancel().await;
        assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(), "cancel returned with the port free");
        assert!(matches!(sign_in.account().await, Err(SignInError::Cancelled)));
        assert!(manager.accounts().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn an_endpoint_of_another_scheme_or_origin_is_refused_before_a_port_or_a_browser() {
        let _ports = PORTS.lock().await;
        let stub = crate::testing::StubServer::start().await;
        let dir = std::env::temp_dir().join(format!("cells-auth-sign-in-hostile-{}", std::process::id()));
        let store = crate::store::Store::new(&dir, Arc::new(crate::store::MemorySecrets::default()));
        let manager =
            AccountManager::new(store, crate::http::client().unwrap(), Arc::new(crate::clock::SystemClock)).unwrap();
        let base = stub.base.clone();
        for authorization_endpoint in [
            "x-launch-anything://payload".to_string(),
            "file:///etc/passwd".to_string(),
            "smb://attacker/share".to_string(),
            "http://attacker.example/oidc/oauth2/auth".to_string(),
            format!("{}/oauth2/auth", base.replace("127.0.0.1", "localhost")),
        ] {
            stub.state.lock().unwrap().discovery = Some(
                serde_json::json!({
                    "issuer": format!("{base}/oidc/"),
                    "authorization_endpoint": authorization_endpoint,
                    "token_endpoint": format!("{base}/oidc/oauth2/token"),
                    "jwks_uri": format!("{base}/oidc/.well-known/jwks.json"),
                })
                .to_string(),
            );
            let opened = Arc::new(AtomicBool::new(false));
            let seen = opened.clone();
            let opener: Opener = Arc::new(move |_: &str| {
                seen.store(true, Ordering::SeqCst);
                Ok(())
            });
            let options = SignInOptions {
                redirect: RedirectMode::Loopback,
                timeout: Duration::from_secs(5),
                opener: Some(opener),
                trust: None,
            };
            let server = ServerUrl::parse(&base).unwrap();
            let err = SignIn::start(&manager, server, options).await.err().expect("refused");
            let text = err.to_string();
            assert!(
                matches!(
                    err,
                    SignInError::Discovery(
                        DiscoveryError::EndpointScheme { .. } | DiscoveryError::ForeignEndpoint { .. }
                    )
                ),
                "{authorization_endpoint}: {text}"
            );
            assert!(std::net::TcpListener::bind(("127.0.0.1", 3636)).is_ok(), "no port was bound");
            assert!(!opened.load(Ordering::SeqCst), "no browser was opened");
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn custom_scheme_mode_signs_in_as_cells_mobile() {
        assert_eq!(RedirectMode::CustomScheme.client_id(), "cells-mobile");
        assert_eq!(RedirectMode::Loopback.client_id(), "cells-sync");
        assert_eq!(RedirectMode::Development.client_id(), "cells-sync");
    }
}
