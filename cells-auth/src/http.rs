//! The one HTTP client every request goes through, its limits, and plain
//! words for its failures. Every request has a connect and a total timeout,
//! and every answer's body is read up to [`MAX_BODY`]: a server cannot make
//! this client wait or grow without bound.

use std::error::Error as _;
use std::time::Duration;

use crate::i18n::{Message, Said};

/// The HTTP client type, for crates that hold one without naming reqwest.
pub type HttpClient = reqwest::Client;

/// Total time allowed for one request to the server.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest answer read from a server: discovery documents, key sets and
/// token responses are a few KiB.
pub const MAX_BODY: usize = 1024 * 1024;

/// The client could not be built: there is no other, since any other would
/// follow redirects and wait forever.
#[derive(Debug, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum ClientError {
    Tls(String),
    /// A proxy variable that cannot be used; its value is not repeated, as
    /// it may hold a password.
    Proxy(&'static str),
    Trust(#[from] crate::certificates::TrustError),
}

impl Said for ClientError {
    fn message(&self) -> Message {
        match self {
            ClientError::Tls(reason) => Message::new("error-tls-client").with("reason", reason),
            ClientError::Proxy(variable) => Message::new("error-proxy-address").with("variable", variable),
            ClientError::Trust(err) => err.message(),
        }
    }
}

/// Builds the shared client, trusting the system's authorities. It follows
/// no redirects: a token request must never be replayed elsewhere, and a
/// redirected discovery is reported so the user can give the right address.
pub fn client() -> Result<reqwest::Client, ClientError> {
    client_with_timeout(REQUEST_TIMEOUT)
}

/// The same client with another total timeout (tests use short ones).
pub fn client_with_timeout(timeout: Duration) -> Result<reqwest::Client, ClientError> {
    // With webpki's roots built in, only a broken system store (or a test) makes this fail.
    if crate::failpoint::fails("tls-roots") {
        return Err(ClientError::Tls("the TLS roots could not be loaded".into()));
    }
    builder(timeout)?.build().map_err(|err| ClientError::Tls(innermost(&err)))
}

/// A client for a server with its own trust (a pinned certificate or a
/// private CA); the system's trust gives [`client`]. Proxies apply alike.
pub fn client_trusting(trust: &crate::certificates::ServerTrust) -> Result<reqwest::Client, ClientError> {
    let builder = builder(REQUEST_TIMEOUT)?;
    let builder = match trust.tls_config()? {
        Some(config) => builder.use_preconfigured_tls(config),
        None => return client(),
    };
    builder.build().map_err(|err| ClientError::Tls(innermost(&err)))
}

/// The settings every client shares: no redirects, timeouts, and the
/// proxies of the environment.
pub(crate) fn builder(timeout: Duration) -> Result<reqwest::ClientBuilder, ClientError> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        .user_agent(concat!("cells-auth/", env!("CARGO_PKG_VERSION")))
        // Only the proxies below, read once, the same for every trust.
        .no_proxy();
    for proxy in proxies(|name| std::env::var(name).ok())? {
        builder = builder.proxy(proxy);
    }
    Ok(builder)
}

/// Never proxied, whatever `NO_PROXY` says: loopback is this computer, which
/// a proxy cannot reach for us (Go's and Chromium's rule too).
const LOOPBACK: &str = "localhost,127.0.0.0/8,::1";

/// Which proxy serves each scheme, and the variable that named it.
#[derive(Debug, PartialEq, Eq)]
struct ProxySettings {
    https: Option<(&'static str, String)>,
    http: Option<(&'static str, String)>,
    /// `NO_PROXY`'s hosts, then loopback.
    no_proxy: String,
}

/// Reads `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` (for a scheme without its
/// own) and `NO_PROXY`, each in either case, lower case first as curl does.
fn proxy_settings(var: impl Fn(&str) -> Option<String>) -> ProxySettings {
    let first = |names: [&'static str; 2]| {
        names.into_iter().find_map(|name| var(name).filter(|v| !v.trim().is_empty()).map(|v| (name, v)))
    };
    let all = first(["all_proxy", "ALL_PROXY"]);
    ProxySettings {
        https: first(["https_proxy", "HTTPS_PROXY"]).or_else(|| all.clone()),
        http: first(["http_proxy", "HTTP_PROXY"]).or(all),
        no_proxy: match first(["no_proxy", "NO_PROXY"]) {
            Some((_, list)) => format!("{list},{LOOPBACK}"),
            None => LOOPBACK.to_string(),
        },
    }
}

/// The proxies of the environment, for every server request.
fn proxies(var: impl Fn(&str) -> Option<String>) -> Result<Vec<reqwest::Proxy>, ClientError> {
    let settings = proxy_settings(var);
    let mut found = Vec::new();
    for (setting, make) in [
        (settings.https, (|a| reqwest::Proxy::https(a)) as fn(&str) -> reqwest::Result<reqwest::Proxy>),
        (settings.http, |a| reqwest::Proxy::http(a)),
    ] {
        let Some((name, address)) = setting else { continue };
        let address = address.trim();
        let usable = url::Url::parse(address)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()));
        if !usable {
            return Err(ClientError::Proxy(name));
        }
        let proxy = make(address).map_err(|_| ClientError::Proxy(name))?;
        found.push(proxy.no_proxy(reqwest::NoProxy::from_string(&settings.no_proxy)));
    }
    Ok(found)
}

/// Documents a server publishes (its configuration, its keys) are kept at
/// most this long, whatever it says.
pub const MAX_CACHE_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// How long they are kept when the server gives no lifetime.
pub const DEFAULT_CACHE_LIFETIME: Duration = Duration::from_secs(3600);

/// How long an answer may be kept, by its `Cache-Control`: `max-age`
/// (at most [`MAX_CACHE_LIFETIME`]), nothing for `no-store` or `no-cache`,
/// and [`DEFAULT_CACHE_LIFETIME`] when it says nothing.
pub fn cache_lifetime(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let Some(control) = headers.get(reqwest::header::CACHE_CONTROL).and_then(|v| v.to_str().ok()) else {
        return Some(DEFAULT_CACHE_LIFETIME);
    };
    let mut max_age = None;
    for directive in control.split(',').map(|d| d.trim().to_ascii_lowercase()) {
        if directive == "no-store" || directive == "no-cache" {
            return None;
        }
        if let Some(seconds) = directive.strip_prefix("max-age=") {
            max_age = seconds.trim_matches('"').parse::<u64>().ok();
        }
    }
    match max_age {
        Some(0) => None,
        Some(seconds) => Some(Duration::from_secs(seconds).min(MAX_CACHE_LIFETIME)),
        None => Some(DEFAULT_CACHE_LIFETIME),
    }
}

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum BodyError {
    TooLarge,
    Transport(Message),
}

impl Said for BodyError {
    fn message(&self) -> Message {
        match self {
            BodyError::TooLarge => Message::new("error-body-too-large").with("kib", MAX_BODY / 1024),
            BodyError::Transport(reason) => reason.clone(),
        }
    }
}

/// Reads an answer's body, refusing it as soon as it passes [`MAX_BODY`]
/// (announced or not): memory stays bounded whatever the server sends.
pub async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|length| length > MAX_BODY as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| BodyError::Transport(describe_transport_error(&e)))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Carries `oauth2`'s requests over the shared client, and remembers the
/// HTTP status of the answer: `oauth2`'s errors do not keep it, and a 5xx
/// (may pass) must be told from a 400 (final).
pub struct OAuthTransport<'a> {
    client: &'a reqwest::Client,
    status: std::sync::Mutex<Option<u16>>,
}

/// Why a request got no HTTP answer, in words (never a body).
#[derive(Debug, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub struct TransportError(pub Message);

impl Said for TransportError {
    fn message(&self) -> Message {
        self.0.clone()
    }
}

impl<'a> OAuthTransport<'a> {
    pub fn new(client: &'a reqwest::Client) -> Self {
        Self { client, status: std::sync::Mutex::new(None) }
    }

    /// The status of the last answer, if one came.
    pub fn status(&self) -> Option<u16> {
        *self.status.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthTransport<'_> {
    type Error = TransportError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, TransportError>> + Send + Sync + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request =
                reqwest::Request::try_from(request).map_err(|e| TransportError(describe_transport_error(&e)))?;
            let response =
                self.client.execute(request).await.map_err(|e| TransportError(describe_transport_error(&e)))?;
            let status = response.status();
            *self.status.lock().unwrap_or_else(|e| e.into_inner()) = Some(status.as_u16());
            let mut answer = oauth2::http::Response::builder().status(status);
            for (name, value) in response.headers() {
                answer = answer.header(name, value);
            }
            let body = read_body(response).await.map_err(|e| TransportError(e.message()))?;
            answer.body(body).map_err(|e| TransportError(Message::verbatim(e)))
        })
    }
}

/// The reason, in words, when a request failed because the server's
/// certificate was refused (and not for another TLS or network fault).
pub fn certificate_refusal(err: &reqwest::Error) -> Option<String> {
    causes(err).into_iter().find_map(|cause| match cause.downcast_ref::<rustls::Error>()? {
        rustls::Error::InvalidCertificate(why) => Some(crate::certificates::refusal_reason(why)),
        _ => None,
    })
}

/// A proxy answered 407, to a tunnel or to a plain request.
pub fn proxy_authentication() -> Message {
    Message::new("transport-proxy-authentication")
}

/// Says in a few words why a request failed before any HTTP answer came back.
pub fn describe_transport_error(err: &reqwest::Error) -> Message {
    if err.is_timeout() {
        return Message::new("transport-timed-out");
    }
    if let Some(reason) = certificate_refusal(err) {
        return Message::new("transport-certificate-refused").with("reason", reason);
    }
    for cause in causes(err) {
        let text = cause.to_string();
        if text.contains("proxy authorization required") {
            return proxy_authentication();
        }
        if text.contains("unsuccessful tunnel") {
            return Message::new("transport-proxy-refused");
        }
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Message::new("transport-tls-handshake").with("reason", tls);
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return Message::new("transport-refused"),
                std::io::ErrorKind::ConnectionReset => return Message::new("transport-reset"),
                std::io::ErrorKind::TimedOut => return Message::new("transport-timed-out"),
                _ => {}
            }
        }
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return Message::new("transport-no-such-host");
        }
    }
    if err.is_connect() {
        return Message::new("transport-cannot-connect").with("reason", innermost(err));
    }
    Message::verbatim(innermost(err))
}

/// Every cause of `err`, looking inside `io::Error`s too (their `source()`
/// skips the error they wrap, where TLS failures hide).
fn causes(err: &reqwest::Error) -> Vec<&(dyn std::error::Error + 'static)> {
    let mut found = Vec::new();
    let mut next = err.source();
    while let Some(cause) = next {
        found.push(cause);
        next = match cause.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => cause.source(),
        };
    }
    found
}

/// The message of the deepest cause, which is usually the specific one.
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn proxies_are_read_in_either_case_with_all_proxy_for_the_rest_and_loopback_never_proxied() {
        let settings = proxy_settings(env(&[
            ("HTTPS_PROXY", "http://upper:3128"),
            ("https_proxy", "http://lower:3128"),
            ("ALL_PROXY", "http://all:3128"),
            ("NO_PROXY", "intranet.example"),
        ]));
        assert_eq!(settings.https, Some(("https_proxy", "http://lower:3128".to_string())));
        assert_eq!(settings.http, Some(("ALL_PROXY", "http://all:3128".to_string())));
        assert_eq!(settings.no_proxy, format!("intranet.example,{LOOPBACK}"));
        let none = proxy_settings(env(&[("HTTPS_PROXY", "  ")]));
        assert_eq!(none, ProxySettings { https: None, http: None, no_proxy: LOOPBACK.to_string() });
        assert_eq!(proxies(env(&[])).unwrap().len(), 0);
        assert_eq!(proxies(env(&[("all_proxy", "http://p:1")])).unwrap().len(), 2);
    }

    #[test]
    fn a_bad_proxy_address_names_its_variable_never_its_value() {
        for bad in ["proxy-without-scheme:3128", "socks5://user:pw-secret@p:1080", "http://:3128"] {
            let err = proxies(env(&[("HTTPS_PROXY", bad)])).unwrap_err();
            let text = err.to_string();
            assert!(text.starts_with("HTTPS_PROXY is not a usable proxy address"), "{text}");
            assert!(!text.contains("pw-secret") && !text.contains(bad), "{text}");
        }
    }

    #[test]
    fn a_cache_lifetime_is_the_server_s_at_most_a_day() {
        let with = |value: &str| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(reqwest::header::CACHE_CONTROL, value.parse().unwrap());
            cache_lifetime(&headers)
        };
        assert_eq!(with("public, max-age=600"), Some(Duration::from_secs(600)));
        assert_eq!(with("max-age=99999999"), Some(MAX_CACHE_LIFETIME));
        assert_eq!(with("no-store"), None);
        assert_eq!(with("max-age=600, no-cache"), None);
        assert_eq!(with("max-age=0"), None);
        assert_eq!(with("public"), Some(DEFAULT_CACHE_LIFETIME));
        assert_eq!(cache_lifetime(&reqwest::header::HeaderMap::new()), Some(DEFAULT_CACHE_LIFETIME));
    }

    #[tokio::test]
    async fn a_silent_server_is_reported_as_a_timeout() {
        // Accepts connections and never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let holder = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        });
        let err = client_with_timeout(Duration::from_millis(300))
            .unwrap()
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(describe_transport_error(&err).say(Language::English), "no answer in time (timed out)");
        holder.abort();
    }

    #[tokio::test]
    async fn plain_http_on_an_https_address_is_reported_as_a_tls_failure() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf).await;
                let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
            }
        });
        let err = client().unwrap().get(format!("https://{addr}/")).send().await.unwrap_err();
        assert!(
            describe_transport_error(&err).say(Language::English).starts_with("TLS handshake failed"),
            "{}",
            describe_transport_error(&err)
        );
        server.abort();
    }

    #[tokio::test]
    async fn a_closed_port_is_reported_as_refused() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let err = client().unwrap().get(format!("http://127.0.0.1:{port}/")).send().await.unwrap_err();
        assert_eq!(describe_transport_error(&err).say(Language::English), "connection refused");
    }
}
