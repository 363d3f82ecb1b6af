//! The loopback redirect listener (RFC 8252 7.3).
//!
//! It binds, and keeps bound, the first port of a range where both
//! 127.0.0.1 and [::1] are free, since a browser may resolve `localhost` to
//! either. It serves real HTTP (hyper), answers stray requests with a 4xx and
//! accepts exactly one callback: the one carrying the pending `state`, as
//! judged by [`crate::callback`].

use std::convert::Infallible;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener as StdListener};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CACHE_CONTROL, CONNECTION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::task::JoinHandle;

use crate::callback::{judge_query, AnswerGate, Callback, CallbackOutcome, Expectation, FinalPage};
use crate::i18n::{text, Arg};

/// Cells registers `http://localhost:P/servers/callback` for each of these.
pub const SYNC_PORTS: RangeInclusive<u16> = 3636..=3666;
/// The port Cells registers for development: `http://localhost:3000/servers/callback`.
pub const DEV_PORT: u16 = 3000;
pub const CALLBACK_PATH: &str = "/servers/callback";

/// How long a connection may take to send its request headers; an idle
/// pre-connection from the browser is closed after this, without harm.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the browser waits for the page that tells how the sign-in ended.
const PAGE_WAIT: Duration = Duration::from_secs(120);
/// How long closing waits for the last page to be written.
const CLOSE_GRACE: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum LoopbackError {
    RangeTaken { first: u16, last: u16 },
    DevPortTaken { port: u16 },
    Io(#[from] io::Error),
}

impl crate::i18n::Said for LoopbackError {
    fn message(&self) -> crate::i18n::Message {
        use crate::i18n::Message;
        match self {
            LoopbackError::RangeTaken { first, last } => {
                Message::new("error-ports-taken").with("first", first).with("last", last)
            }
            LoopbackError::DevPortTaken { port } => Message::new("error-dev-port-taken").with("port", port),
            LoopbackError::Io(err) => Message::new("error-loopback").with("reason", err),
        }
    }
}

/// The ports held for the redirect: one port, on each loopback stack available.
#[derive(Debug)]
pub struct BoundPort {
    port: u16,
    listeners: Vec<StdListener>,
}

impl BoundPort {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The addresses held, for display and tests.
    pub fn addresses(&self) -> Vec<SocketAddr> {
        self.listeners.iter().filter_map(|l| l.local_addr().ok()).collect()
    }

    /// `http://localhost:PORT/servers/callback`, exactly as Cells registers it.
    pub fn redirect_uri(&self) -> String {
        redirect_uri(self.port)
    }
}

pub fn redirect_uri(port: u16) -> String {
    format!("http://localhost:{port}{CALLBACK_PATH}")
}

/// Binds the first port of `ports` free on both 127.0.0.1 and [::1] (on a
/// host without IPv6, 127.0.0.1 alone) and keeps it bound: nothing can take
/// it between the choice and its use.
pub fn bind_first_free(ports: RangeInclusive<u16>) -> Result<BoundPort, LoopbackError> {
    let (first, last) = (*ports.start(), *ports.end());
    for port in ports {
        if let Some(bound) = try_bind(port)? {
            return Ok(bound);
        }
    }
    if first == last {
        Err(LoopbackError::DevPortTaken { port: first })
    } else {
        Err(LoopbackError::RangeTaken { first, last })
    }
}

/// `Ok(None)` when the port is taken or forbidden on either stack.
fn try_bind(port: u16) -> Result<Option<BoundPort>, LoopbackError> {
    let v4 = match StdListener::bind((Ipv4Addr::LOCALHOST, port)) {
        Ok(listener) => listener,
        Err(err) if is_unavailable(&err) => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    let mut listeners = vec![v4];
    match StdListener::bind((Ipv6Addr::LOCALHOST, port)) {
        Ok(v6) => listeners.push(v6),
        Err(err) if is_unavailable(&err) => return Ok(None),
        // No IPv6 on this host: the browser cannot go to [::1] either.
        Err(err) if is_no_ipv6(&err) => {}
        Err(err) => return Err(err.into()),
    }
    Ok(Some(BoundPort { port, listeners }))
}

/// Taken by another program, or reserved (Windows answers EACCES for its
/// excluded port ranges): either way, scan on.
fn is_unavailable(err: &io::Error) -> bool {
    matches!(err.kind(), io::ErrorKind::AddrInUse | io::ErrorKind::PermissionDenied)
}

fn is_no_ipv6(err: &io::Error) -> bool {
    matches!(err.kind(), io::ErrorKind::AddrNotAvailable | io::ErrorKind::Unsupported) || err.raw_os_error() == Some(97)
    // EAFNOSUPPORT on Linux
}

/// The running listener; the accepted callback goes through the gate given to `start`.
pub struct CallbackServer {
    port: u16,
    accept_tasks: Vec<JoinHandle<()>>,
    graceful: Arc<GracefulShutdown>,
}

struct Shared {
    port: u16,
    expectation: Expectation,
    gate: AnswerGate,
}

impl CallbackServer {
    /// Serves on the bound port until [`close`](Self::close) or drop.
    pub fn start(bound: BoundPort, expectation: Expectation, gate: AnswerGate) -> Result<Self, LoopbackError> {
        let shared = Arc::new(Shared { port: bound.port, expectation, gate });
        let graceful = Arc::new(GracefulShutdown::new());
        let mut accept_tasks = Vec::new();
        for listener in bound.listeners {
            listener.set_nonblocking(true)?;
            let listener = tokio::net::TcpListener::from_std(listener)?;
            accept_tasks.push(tokio::spawn(accept_loop(listener, shared.clone(), graceful.clone())));
        }
        Ok(Self { port: bound.port, accept_tasks, graceful })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops listening (the port is free when this returns) and gives the last
    /// connections a moment to receive their page.
    pub async fn close(mut self) {
        for task in self.accept_tasks.drain(..) {
            task.abort();
            let _ = task.await;
        }
        if let Ok(graceful) = Arc::try_unwrap(std::mem::replace(&mut self.graceful, Arc::new(GracefulShutdown::new())))
        {
            let _ = tokio::time::timeout(CLOSE_GRACE, graceful.shutdown()).await;
        }
    }
}

impl Drop for CallbackServer {
    fn drop(&mut self) {
        for task in &self.accept_tasks {
            task.abort();
        }
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, shared: Arc<Shared>, graceful: Arc<GracefulShutdown>) {
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            // Out of file descriptors or similar: back off briefly, keep serving.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let shared = shared.clone();
        let service = hyper::service::service_fn(move |request| {
            let shared = shared.clone();
            async move { Ok::<_, Infallible>(handle(&shared, request).await) }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .keep_alive(false)
            .serve_connection(TokioIo::new(stream), service);
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            // A broken or garbage connection only concerns itself.
            let _ = watched.await;
        });
    }
}

/// Whether `authority` (`host:port`, as a Host header or a pasted address
/// gives it) names this listener: a loopback name and its port. Any other
/// name is refused, against DNS rebinding.
pub fn is_own_authority(authority: &str, port: u16) -> bool {
    let own = [format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}")];
    own.iter().any(|name| name.eq_ignore_ascii_case(authority))
}

/// How the listener treats one request, decided without side effects.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// CORS or Private Network Access preflight: 204, never the callback.
    Preflight,
    /// A Host header other than the loopback names of this port (DNS rebinding).
    BadHost,
    NotFound,
    MethodNotAllowed,
    /// On the callback path, but not for the pending sign-in: the catalog id of why.
    Stray(&'static str),
    Accept(CallbackOutcome),
}

fn judge(
    method: &Method,
    host: Option<&str>,
    path: &str,
    query: Option<&str>,
    port: u16,
    expected: &Expectation,
) -> Verdict {
    if !host.is_some_and(|host| is_own_authority(host, port)) {
        return Verdict::BadHost;
    }
    if method == Method::OPTIONS {
        return Verdict::Preflight;
    }
    if path != CALLBACK_PATH {
        return Verdict::NotFound;
    }
    if method != Method::GET && method != Method::HEAD {
        return Verdict::MethodNotAllowed;
    }
    if method == Method::HEAD {
        return Verdict::Stray("stray-head-request");
    }
    match judge_query(query.unwrap_or(""), expected) {
        Ok(outcome) => Verdict::Accept(outcome),
        Err(reason) => Verdict::Stray(reason),
    }
}

async fn handle(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let host = request.headers().get(HOST).and_then(|v| v.to_str().ok());
    let verdict =
        judge(request.method(), host, request.uri().path(), request.uri().query(), shared.port, &shared.expectation);
    match verdict {
        Verdict::Preflight => preflight(),
        Verdict::BadHost => {
            page(StatusCode::BAD_REQUEST, "page-wrong-address", &text("page-wrong-address-detail", &[]))
        }
        Verdict::NotFound => page(StatusCode::NOT_FOUND, "page-not-found", &text("page-not-found-detail", &[])),
        Verdict::MethodNotAllowed => {
            page(StatusCode::METHOD_NOT_ALLOWED, "page-not-allowed", &text("page-not-allowed-detail", &[]))
        }
        Verdict::Stray(reason) => page(StatusCode::BAD_REQUEST, "page-not-this-sign-in", &text(reason, &[])),
        Verdict::Accept(outcome) => {
            // Exactly one callback is accepted; a replay finds the door shut.
            if !shared.gate.admit_once() {
                return page(StatusCode::CONFLICT, "page-already-done", &text("page-already-done-detail", &[]));
            }
            let (callback, answer) = Callback::with_page(outcome);
            if shared.gate.callbacks().send(callback).await.is_err() {
                return page(StatusCode::GONE, "page-closed", &text("page-closed-detail", &[]));
            }
            match tokio::time::timeout(PAGE_WAIT, answer).await {
                Ok(Ok(FinalPage::Success { detail })) => page(StatusCode::OK, "page-signed-in", &detail),
                Ok(Ok(FinalPage::Failure { detail })) => page(StatusCode::OK, "page-sign-in-failed", &detail),
                _ => page(StatusCode::OK, "page-back", &text("page-back-detail", &[])),
            }
        }
    }
}

fn preflight() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert("access-control-allow-methods", HeaderValue::from_static("GET"));
    headers.insert("access-control-max-age", HeaderValue::from_static("60"));
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A small self-contained page in the app's language (its title is the
/// catalog's `title_id`): no script, no external resource, no referrer, and
/// never the code or state it was reached with.
fn page(status: StatusCode, title_id: &str, detail: &str) -> Response<Full<Bytes>> {
    let ok = status == StatusCode::OK && title_id == "page-signed-in";
    let accent = if ok { "#1b7f3b" } else { "#8a1c1c" };
    let language = crate::i18n::current();
    let title = text(title_id, &[]);
    let head_title = text("page-title", &[("title", Arg::Text(&title))]);
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{head_title}</title>\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<style>body{{font-family:system-ui,sans-serif;max-width:30rem;margin:5rem auto;padding:0 1rem;color:#222}}\
h1{{color:{accent};font-size:1.5rem}}@media (prefers-color-scheme:dark){{body{{background:#1e1e1e;color:#ddd}}}}</style>\
</head><body><h1>{title}</h1><p>{detail}</p></body></html>\n",
        lang = language.tag(),
        head_title = escape_html(&head_title),
        title = escape_html(&title),
        detail = escape_html(detail),
    );
    let mut response = Response::new(Full::new(Bytes::from(html)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::expectation;
    use crate::tokens::AuthorizationCode;

    fn get(query: &str) -> Verdict {
        judge(&Method::GET, Some("localhost:3636"), CALLBACK_PATH, Some(query), 3636, &expectation())
    }

    #[test]
    fn accepts_the_callback_with_the_pending_state_and_leaves_the_rest_to_the_judge() {
        assert_eq!(
            get("code=abc&state=s3cr3t-state"),
            Verdict::Accept(CallbackOutcome::Code(AuthorizationCode::new("abc".into())))
        );
        assert!(matches!(get("code=abc&state=other"), Verdict::Stray(_)));
    }

    #[test]
    fn answers_only_the_loopback_host_names_of_its_port() {
        let e = expectation();
        let q = Some("code=abc&state=s3cr3t-state");
        for host in ["localhost:3636", "127.0.0.1:3636", "[::1]:3636", "LOCALHOST:3636"] {
            assert!(
                matches!(judge(&Method::GET, Some(host), CALLBACK_PATH, q, 3636, &e), Verdict::Accept(_)),
                "{host}"
            );
        }
        for host in [None, Some("evil.example:3636"), Some("localhost:3637"), Some("localhost")] {
            assert_eq!(judge(&Method::GET, host, CALLBACK_PATH, q, 3636, &e), Verdict::BadHost, "{host:?}");
        }
    }

    #[test]
    fn sorts_other_requests() {
        let e = expectation();
        let host = Some("localhost:3636");
        assert_eq!(judge(&Method::OPTIONS, host, CALLBACK_PATH, None, 3636, &e), Verdict::Preflight);
        assert_eq!(judge(&Method::GET, host, "/favicon.ico", None, 3636, &e), Verdict::NotFound);
        assert_eq!(judge(&Method::GET, host, "/servers/callback/", None, 3636, &e), Verdict::NotFound);
        assert_eq!(judge(&Method::POST, host, CALLBACK_PATH, None, 3636, &e), Verdict::MethodNotAllowed);
        assert!(matches!(
            judge(&Method::HEAD, host, CALLBACK_PATH, Some("code=a&state=s3cr3t-state"), 3636, &e),
            Verdict::Stray(_)
        ));
    }

    #[test]
    fn pages_never_echo_what_they_were_reached_with() {
        let body = page(StatusCode::BAD_REQUEST, "page-not-this-sign-in", "<script>x</script>");
        let bytes = futures_body(body);
        assert!(bytes.contains("&lt;script&gt;"));
        assert!(!bytes.contains("<script>"));
    }

    fn futures_body(response: Response<Full<Bytes>>) -> String {
        use http_body_util::BodyExt as _;
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let collected = rt.block_on(response.into_body().collect()).unwrap();
        String::from_utf8(collected.to_bytes().to_vec()).unwrap()
    }

    #[test]
    fn binds_both_stacks_and_skips_ports_taken_on_either() {
        // Find three consecutive free ports above the sign-in range.
        let (base, bound) = (40000u16..60000)
            .step_by(7)
            .find_map(|base| {
                let v4 = StdListener::bind((Ipv4Addr::LOCALHOST, base)).ok()?;
                let v6 = StdListener::bind((Ipv6Addr::LOCALHOST, base + 1)).ok()?;
                let free = bind_first_free(base..=base + 2).ok()?;
                Some((base, (v4, v6, free)))
            })
            .expect("three free ports");
        let (_v4, _v6, free) = bound;
        // base is held on IPv4, base+1 on IPv6: only base+2 is free on both.
        assert_eq!(free.port(), base + 2);
        let addrs = free.addresses();
        assert!(addrs.iter().any(|a| a.is_ipv4()));
        assert!(addrs.iter().any(|a| a.is_ipv6()));
        // Held, not merely checked: nobody else can bind it now.
        assert!(StdListener::bind((Ipv4Addr::LOCALHOST, free.port())).is_err());
    }

    #[test]
    fn a_full_range_is_an_error_naming_it() {
        let held = StdListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = held.local_addr().unwrap().port();
        let err = bind_first_free(port..=port).unwrap_err();
        assert!(matches!(err, LoopbackError::DevPortTaken { port: p } if p == port));
        let err = LoopbackError::RangeTaken { first: 3636, last: 3666 };
        assert!(err.to_string().contains("3636-3666"));
    }
}
