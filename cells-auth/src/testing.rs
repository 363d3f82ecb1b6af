//! A stub Cells OpenID server on loopback, for unit tests and benchmarks:
//! discovery, a token endpoint that counts requests and answers with
//! numbered tokens or queued faults, and revocation. The end-to-end tests use
//! the real provider in `tests/idp` instead.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};

use crate::tokens::{AccessToken, RefreshToken, TokenSet};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

#[derive(Debug, Default)]
pub struct StubState {
    pub token_requests: usize,
    /// Requests for the discovery document.
    pub discoveries: usize,
    pub revocations: usize,
    /// The tokens revoked, in order.
    pub revoked: Vec<String>,
    https: bool,
    /// Refresh tokens sent to the token endpoint, in order.
    pub refresh_tokens_used: Vec<String>,
    /// Answered, in order, before the default success: (status, JSON body).
    pub queued: VecDeque<(u16, String)>,
    pub access_token_ttl: i64,
    /// Served instead of the usual discovery document, when set.
    pub discovery: Option<String>,
    issued: usize,
}

impl StubState {
    /// Revocations received (over https, over plain http).
    pub fn revocations_by_scheme(&self) -> (usize, usize) {
        if self.https {
            (self.revocations, 0)
        } else {
            (0, self.revocations)
        }
    }
}

pub struct StubServer {
    pub base: String,
    pub state: Arc<Mutex<StubState>>,
    gate: watch::Sender<bool>,
    /// Signalled when a token request arrives.
    pub token_request_arrived: Arc<Notify>,
    task: JoinHandle<()>,
}

impl StubServer {
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// The same server on https, with this certificate chain and key (PEM).
    pub async fn start_tls(chain_pem: &[u8], key_pem: &[u8]) -> Self {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(chain_pem).collect::<Result<_, _>>().expect("certificate PEM");
        let key = PrivateKeyDer::from_pem_slice(key_pem).expect("key PEM");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("certificate and key");
        Self::start_with(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).await
    }

    async fn start_with(tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind stub server");
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base = format!("{scheme}://{}", listener.local_addr().expect("stub address"));
        let state =
            Arc::new(Mutex::new(StubState { access_token_ttl: 600, https: tls.is_some(), ..Default::default() }));
        let (gate, gate_rx) = watch::channel(true);
        let arrived = Arc::new(Notify::new());
        let task = tokio::spawn(serve(listener, tls, base.clone(), state.clone(), gate_rx, arrived.clone()));
        Self { base, state, gate, token_request_arrived: arrived, task }
    }

    pub fn issuer(&self) -> String {
        format!("{}/oidc/", self.base)
    }

    pub fn token_requests(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).token_requests
    }

    pub fn revocations(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).revocations
    }

    /// Answers the next token requests with these (status, body) pairs.
    pub fn queue(&self, responses: &[(u16, &str)]) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.queued.extend(responses.iter().map(|(s, b)| (*s, b.to_string())));
    }

    /// Holds token responses until [`open`](Self::open), to widen races.
    pub fn hold(&self) {
        let _ = self.gate.send(false);
    }

    pub fn open(&self) {
        let _ = self.gate.send(true);
    }
}

impl Drop for StubServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    base: String,
    state: Arc<Mutex<StubState>>,
    gate: watch::Receiver<bool>,
    arrived: Arc<Notify>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let (base, state, gate, arrived, tls) =
            (base.clone(), state.clone(), gate.clone(), arrived.clone(), tls.clone());
        tokio::spawn(async move {
            match tls {
                Some(tls) => {
                    if let Ok(stream) = tls.accept(stream).await {
                        answer(stream, base, state, gate, arrived).await;
                    }
                }
                None => answer(stream, base, state, gate, arrived).await,
            }
        });
    }
}

async fn answer(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    base: String,
    state: Arc<Mutex<StubState>>,
    mut gate: watch::Receiver<bool>,
    arrived: Arc<Notify>,
) {
    {
        {
            let Some((method, path, body)) = read_request(&mut stream).await else { return };
            let (status, body) = match (method.as_str(), path.as_str()) {
                ("GET", "/oidc/.well-known/openid-configuration") => {
                    let custom = {
                        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                        s.discoveries += 1;
                        s.discovery.clone()
                    };
                    (200, custom.unwrap_or_else(|| discovery(&base)))
                }
                ("POST", "/oidc/oauth2/token") => {
                    let used = form_value(&body, "refresh_token");
                    {
                        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                        s.token_requests += 1;
                        s.refresh_tokens_used.extend(used);
                    }
                    arrived.notify_waiters();
                    let _ = gate.wait_for(|open| *open).await;
                    token_answer(&state)
                }
                ("POST", "/oidc/oauth2/revoke") => {
                    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                    s.revocations += 1;
                    s.revoked.extend(form_value(&body, "token"));
                    (200, String::new())
                }
                _ => (404, r#"{"error":"not_found"}"#.to_string()),
            };
            let response = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    }
}

fn token_answer(state: &Mutex<StubState>) -> (u16, String) {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(queued) = s.queued.pop_front() {
        return queued;
    }
    s.issued += 1;
    let n = s.issued;
    let body = format!(
        r#"{{"access_token":"stub-at-{n}","refresh_token":"stub-rt-{n}","token_type":"Bearer","expires_in":{}}}"#,
        s.access_token_ttl
    );
    (200, body)
}

fn discovery(base: &str) -> String {
    format!(
        r#"{{"issuer":"{base}/oidc/","authorization_endpoint":"{base}/oidc/oauth2/auth","token_endpoint":"{base}/oidc/oauth2/token","jwks_uri":"{base}/oidc/.well-known/jwks.json","revocation_endpoint":"{base}/oidc/oauth2/revoke","code_challenge_methods_supported":["S256"]}}"#
    )
}

fn form_value(body: &str, key: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes()).find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

async fn read_request(stream: &mut (impl AsyncRead + Unpin)) -> Option<(String, String, String)> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..header_end]).to_string();
    let mut request_line = head.lines().next()?.split_whitespace();
    let (method, path) = (request_line.next()?.to_string(), request_line.next()?.to_string());
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    while data.len() < header_end + length {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8_lossy(&data[header_end..]).to_string();
    Some((method, path, body))
}

/// Tokens `<tag>-at` and `<tag>-rt` received at `at`, the access token living `lifetime`.
pub fn token_set(tag: &str, at: DateTime<Utc>, lifetime: Duration) -> TokenSet {
    TokenSet {
        access_token: AccessToken::new(format!("{tag}-at")),
        refresh_token: Some(RefreshToken::new(format!("{tag}-rt"))),
        id_token: None,
        access_token_expires_at: at + lifetime,
        received_at: at,
        scope: None,
    }
}

/// alice's (or another user's) account at `https://h`, signed in at a fixed time.
pub fn account(sub: &str, user: &str) -> crate::store::Account {
    use chrono::TimeZone;
    let t = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
    let identity = crate::store::Identity {
        issuer: "https://h/oidc/".into(),
        sub: sub.into(),
        user: user.into(),
        email: Some(format!("{user}@example.com")),
    };
    crate::store::Account::signed_in(
        "https://h",
        crate::CLIENT_ID,
        identity,
        &token_set("x", t, Duration::minutes(10)),
        None,
    )
}

/// What a sign-in with the state `s3cr3t-state` at `https://host/oidc/` expects.
pub fn expectation() -> crate::callback::Expectation {
    crate::callback::Expectation {
        state: oauth2::CsrfToken::new("s3cr3t-state".into()),
        issuer: "https://host/oidc/".into(),
        require_iss: false,
    }
}
