//! The server address a user types, and the OpenID configuration behind it.

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::certificates::{CertificateProblem, ServerTrust};
use crate::http::{describe_transport_error, read_body, BodyError};
use crate::i18n::{Message, Said};

/// A Cells server address, normalised: `https://host[:port][/sub/path]`,
/// without a trailing slash, query or fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl(Url);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum ServerUrlError {
    Empty,
    WhiteSpace(String),
    Scheme { input: String, scheme: String },
    Invalid(String),
    NoHost(String),
    Credentials(String),
    QueryOrFragment(String),
    OidcPath { input: String, suggestion: String },
}

impl Said for ServerUrlError {
    fn message(&self) -> Message {
        match self {
            ServerUrlError::Empty => Message::new("error-address-empty"),
            ServerUrlError::WhiteSpace(input) => Message::new("error-address-white-space").with("input", input),
            ServerUrlError::Scheme { input, scheme } => {
                Message::new("error-address-scheme").with("input", input).with("scheme", scheme)
            }
            ServerUrlError::Invalid(input) => Message::new("error-address-invalid").with("input", input),
            ServerUrlError::NoHost(input) => Message::new("error-address-no-host").with("input", input),
            ServerUrlError::Credentials(input) => Message::new("error-address-credentials").with("input", input),
            ServerUrlError::QueryOrFragment(input) => Message::new("error-address-query").with("input", input),
            ServerUrlError::OidcPath { input, suggestion } => {
                Message::new("error-address-oidc-path").with("input", input).with("suggestion", suggestion)
            }
        }
    }
}

impl ServerUrl {
    /// Accepts `https://host`, `host` (https assumed), `http://host` and any of
    /// these with a port, a sub-path and trailing slashes. Nothing else: no
    /// network access happens before an address passes this check.
    pub fn parse(input: &str) -> Result<Self, ServerUrlError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ServerUrlError::Empty);
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(ServerUrlError::WhiteSpace(trimmed.to_string()));
        }
        let with_scheme = match trimmed.split_once("://") {
            Some((scheme, _)) => {
                let scheme = scheme.to_ascii_lowercase();
                if scheme != "https" && scheme != "http" {
                    return Err(ServerUrlError::Scheme { input: trimmed.to_string(), scheme });
                }
                trimmed.to_string()
            }
            None => format!("https://{trimmed}"),
        };
        let mut url = Url::parse(&with_scheme).map_err(|_| ServerUrlError::Invalid(trimmed.to_string()))?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ServerUrlError::NoHost(trimmed.to_string()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ServerUrlError::Credentials(trimmed.to_string()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ServerUrlError::QueryOrFragment(trimmed.to_string()));
        }
        let path = url.path().trim_end_matches('/').to_string();
        if let Some(base) = path.strip_suffix("/oidc").or_else(|| path.find("/oidc/").map(|at| &path[..at])) {
            let mut suggestion = url.clone();
            suggestion.set_path(base);
            return Err(ServerUrlError::OidcPath {
                input: trimmed.to_string(),
                suggestion: suggestion.as_str().trim_end_matches('/').to_string(),
            });
        }
        url.set_path(&path);
        Ok(Self(url))
    }

    /// The address as shown and stored, without a trailing slash.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    pub fn host(&self) -> String {
        match self.0.port() {
            Some(port) => format!("{}:{port}", self.0.host_str().unwrap_or_default()),
            None => self.0.host_str().unwrap_or_default().to_string(),
        }
    }

    /// Plain http: tokens would cross the network readable by anyone on it.
    pub fn is_insecure(&self) -> bool {
        self.0.scheme() == "http"
    }

    /// `<server>/oidc/.well-known/openid-configuration`, where Cells publishes it.
    pub fn discovery_url(&self) -> String {
        format!("{}/oidc/.well-known/openid-configuration", self.as_str())
    }

    /// The issuer Cells announces: `<server>/oidc/`, with the trailing slash.
    pub fn expected_issuer(&self) -> String {
        format!("{}/oidc/", self.as_str())
    }

    /// `<server>/a/frontend/bootconf`, where Cells publishes its display name.
    pub fn bootconf_url(&self) -> String {
        format!("{}/a/frontend/bootconf", self.as_str())
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The parts of the OpenID provider metadata this client uses.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// RFC 9207: when true, every authorization response carries `iss`.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum DiscoveryError {
    /// The server's certificate is refused; what it is and how to trust it.
    Certificate(Box<CertificateProblem>),
    Transport {
        url: String,
        reason: Message,
    },
    /// `location`: where to, when the server says it readably.
    Redirected {
        url: String,
        location: Option<String>,
    },
    NotFound {
        url: String,
    },
    Status {
        url: String,
        status: u16,
    },
    TooLarge {
        url: String,
    },
    Html {
        url: String,
    },
    Invalid {
        url: String,
        reason: Message,
    },
    IssuerMismatch {
        url: String,
        found: String,
        expected: String,
    },
    /// `endpoint`, in these three: the catalog id of the endpoint's name.
    EndpointScheme {
        url: String,
        endpoint: &'static str,
        found: String,
    },
    ForeignEndpoint {
        url: String,
        endpoint: &'static str,
        found: String,
    },
    InsecureEndpoint {
        url: String,
        endpoint: &'static str,
        found: String,
    },
}

impl Said for DiscoveryError {
    fn message(&self) -> Message {
        let endpoint_message = |id: &str, url: &str, endpoint: &str, found: &str| {
            Message::new(id).with("url", url).message("endpoint", Message::new(endpoint)).with("found", found)
        };
        match self {
            DiscoveryError::Certificate(problem) => problem.message(),
            DiscoveryError::Transport { url, reason } => {
                Message::new("error-discovery-transport").with("url", url).message("reason", reason.clone())
            }
            DiscoveryError::Redirected { url, location: Some(location) } => {
                Message::new("error-discovery-redirected").with("url", url).with("location", location)
            }
            DiscoveryError::Redirected { url, location: None } => {
                Message::new("error-discovery-redirected-elsewhere").with("url", url)
            }
            DiscoveryError::NotFound { url } => Message::new("error-discovery-not-found").with("url", url),
            DiscoveryError::Status { url, status } => {
                Message::new("error-discovery-status").with("url", url).with("status", status)
            }
            DiscoveryError::TooLarge { url } => {
                Message::new("error-discovery-too-large").with("url", url).with("kib", crate::http::MAX_BODY / 1024)
            }
            DiscoveryError::Html { url } => Message::new("error-discovery-html").with("url", url),
            DiscoveryError::Invalid { url, reason } => {
                Message::new("error-discovery-invalid").with("url", url).message("reason", reason.clone())
            }
            DiscoveryError::IssuerMismatch { url, found, expected } => {
                Message::new("error-discovery-issuer").with("url", url).with("found", found).with("expected", expected)
            }
            DiscoveryError::EndpointScheme { url, endpoint, found } => {
                endpoint_message("error-endpoint-scheme", url, endpoint, found)
            }
            DiscoveryError::ForeignEndpoint { url, endpoint, found } => {
                endpoint_message("error-endpoint-foreign", url, endpoint, found)
            }
            DiscoveryError::InsecureEndpoint { url, endpoint, found } => {
                endpoint_message("error-endpoint-insecure", url, endpoint, found)
            }
        }
    }
}

/// Fetches and checks `<server>/oidc/.well-known/openid-configuration`,
/// over `http`, a client that enforces `trust`. A refused certificate is
/// described, with how to trust it.
pub async fn discover(
    http: &reqwest::Client,
    server: &ServerUrl,
    trust: &ServerTrust,
) -> Result<ProviderMetadata, DiscoveryError> {
    discover_cacheable(http, server, trust).await.map(|(metadata, _)| metadata)
}

/// [`discover`], and how long the server lets the configuration be kept
/// (`None`: not at all).
pub async fn discover_cacheable(
    http: &reqwest::Client,
    server: &ServerUrl,
    trust: &ServerTrust,
) -> Result<(ProviderMetadata, Option<std::time::Duration>), DiscoveryError> {
    crate::steps::timed_async(crate::steps::Step::Http, discover_now(http, server, trust)).await
}

async fn discover_now(
    http: &reqwest::Client,
    server: &ServerUrl,
    trust: &ServerTrust,
) -> Result<(ProviderMetadata, Option<std::time::Duration>), DiscoveryError> {
    let url = server.discovery_url();
    let response = match http.get(&url).header(reqwest::header::ACCEPT, "application/json").send().await {
        Ok(response) => response,
        Err(err) => {
            if let (Some(reason), Ok(settings)) =
                (crate::http::certificate_refusal(&err), crate::http::builder(crate::http::REQUEST_TIMEOUT))
            {
                if let Some(problem) =
                    crate::certificates::examine(settings, &url, server.as_str(), trust, reason).await
                {
                    return Err(DiscoveryError::Certificate(Box::new(problem)));
                }
            }
            return Err(DiscoveryError::Transport { url, reason: describe_transport_error(&err) });
        }
    };
    let status = response.status();
    if status == reqwest::StatusCode::PROXY_AUTHENTICATION_REQUIRED {
        return Err(DiscoveryError::Transport { url, reason: crate::http::proxy_authentication() });
    }
    if status.is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|location| crate::untrusted::server_text(location, &[]));
        return Err(DiscoveryError::Redirected { url, location });
    }
    if status == reqwest::StatusCode::NOT_FOUND {
        return Err(DiscoveryError::NotFound { url });
    }
    let is_html = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("html"));
    if !status.is_success() {
        return Err(DiscoveryError::Status { url, status: status.as_u16() });
    }
    let lifetime = crate::http::cache_lifetime(response.headers());
    let body = match read_body(response).await {
        Ok(body) => String::from_utf8_lossy(&body).into_owned(),
        Err(BodyError::TooLarge) => return Err(DiscoveryError::TooLarge { url }),
        Err(BodyError::Transport(reason)) => return Err(DiscoveryError::Transport { url, reason }),
    };
    if is_html || body.trim_start().starts_with('<') {
        return Err(DiscoveryError::Html { url });
    }
    Ok((parse_configuration(server, &url, &body)?, lifetime))
}

/// Reads and checks an OpenID configuration document fetched from `url`.
pub fn parse_configuration(server: &ServerUrl, url: &str, body: &str) -> Result<ProviderMetadata, DiscoveryError> {
    let metadata: ProviderMetadata = serde_json::from_str(body).map_err(|err| DiscoveryError::Invalid {
        url: url.to_string(),
        reason: crate::untrusted::json_problem(&err),
    })?;
    check_metadata(server, url, metadata)
}

/// A configuration kept on disk, held to the rules of one just discovered
/// (issuer, endpoints on its origin): an edited file redirects nothing.
pub(crate) fn check_kept(server: &ServerUrl, metadata: ProviderMetadata) -> Option<ProviderMetadata> {
    check_metadata(server, &server.discovery_url(), metadata).ok()
}

/// The server's display name (`customWording.title` of its boot
/// configuration), if it answers quickly; the host otherwise does.
pub async fn server_label(http: &reqwest::Client, server: &ServerUrl) -> Option<String> {
    #[derive(Deserialize)]
    struct Bootconf {
        #[serde(rename = "customWording")]
        custom_wording: Option<Wording>,
    }
    #[derive(Deserialize)]
    struct Wording {
        title: Option<String>,
    }
    let request = http.get(server.bootconf_url()).header(reqwest::header::ACCEPT, "application/json").send();
    let label = async {
        let response = request.await.ok()?.error_for_status().ok()?;
        let bootconf: Bootconf = serde_json::from_slice(&read_body(response).await.ok()?).ok()?;
        bootconf.custom_wording?.title
    };
    let title = tokio::time::timeout(std::time::Duration::from_secs(3), label).await.ok()??;
    Some(crate::untrusted::server_text(&title, &[])).filter(|t| !t.is_empty())
}

fn check_metadata(
    server: &ServerUrl,
    url: &str,
    metadata: ProviderMetadata,
) -> Result<ProviderMetadata, DiscoveryError> {
    // Cells announces `<server>/oidc/`; accept it with or without the trailing
    // slash, but the issuer must belong to the server the user asked for
    // (OpenID Connect Discovery 4.3). ID tokens are then held to the exact
    // string announced here.
    let expected = server.expected_issuer();
    if metadata.issuer.trim_end_matches('/') != expected.trim_end_matches('/') {
        let found = crate::untrusted::server_text(&metadata.issuer, &[]);
        return Err(DiscoveryError::IssuerMismatch { url: url.to_string(), found, expected });
    }
    let endpoints = [
        ("endpoint-authorization", Some(&metadata.authorization_endpoint)),
        ("endpoint-token", Some(&metadata.token_endpoint)),
        ("endpoint-key-set", Some(&metadata.jwks_uri)),
        ("endpoint-revocation", metadata.revocation_endpoint.as_ref()),
        ("endpoint-logout", metadata.end_session_endpoint.as_ref()),
        ("endpoint-userinfo", metadata.userinfo_endpoint.as_ref()),
    ];
    // Every endpoint is http(s) on the issuer's own origin: the system opener
    // must never be handed another scheme, and an endpoint on another origin
    // is the shape of a mix-up attack (RFC 9700 4.4) where the server does
    // not send `iss`. The issuer is the server's (checked above).
    let origin = Url::parse(&metadata.issuer).map(|issuer| issuer.origin()).map_err(|_| DiscoveryError::Invalid {
        url: url.to_string(),
        reason: Message::new("discovery-issuer-not-a-url"),
    })?;
    for (endpoint, value) in endpoints {
        let Some(value) = value else { continue };
        let shown = || crate::untrusted::server_text(value, &[]);
        let parsed = Url::parse(value).map_err(|_| DiscoveryError::Invalid {
            url: url.to_string(),
            reason: Message::new("discovery-endpoint-not-a-url")
                .message("endpoint", Message::new(endpoint))
                .with("found", shown()),
        })?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(DiscoveryError::EndpointScheme { url: url.to_string(), endpoint, found: shown() });
        }
        if !server.is_insecure() && parsed.scheme() != "https" {
            return Err(DiscoveryError::InsecureEndpoint { url: url.to_string(), endpoint, found: shown() });
        }
        if parsed.origin() != origin {
            return Err(DiscoveryError::ForeignEndpoint { url: url.to_string(), endpoint, found: shown() });
        }
    }
    if let Some(methods) = &metadata.code_challenge_methods_supported {
        if !methods.iter().any(|m| m == "S256") {
            return Err(DiscoveryError::Invalid { url: url.to_string(), reason: Message::new("discovery-no-pkce") });
        }
    }
    Ok(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> String {
        ServerUrl::parse(input).map(|u| u.as_str().to_string()).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn accepts_the_usual_spellings_of_a_server() {
        assert_eq!(parsed("https://cells.example.com"), "https://cells.example.com");
        assert_eq!(parsed("cells.example.com"), "https://cells.example.com");
        assert_eq!(parsed("cells.example.com/"), "https://cells.example.com");
        assert_eq!(parsed("  https://Cells.Example.com///  "), "https://cells.example.com");
        assert_eq!(parsed("https://host/cells/"), "https://host/cells");
        assert_eq!(parsed("host:8443/cells"), "https://host:8443/cells");
        assert_eq!(parsed("http://192.168.1.5:8080"), "http://192.168.1.5:8080");
        assert_eq!(parsed("HTTPS://host"), "https://host");
        assert_eq!(parsed("https://host:443"), "https://host");
        assert_eq!(parsed("http://[::1]:8080"), "http://[::1]:8080");
    }

    #[test]
    fn rejects_anything_else_with_one_line() {
        let cases = [
            ("", ServerUrlError::Empty),
            ("   ", ServerUrlError::Empty),
            ("ftp://host", ServerUrlError::Scheme { input: "ftp://host".into(), scheme: "ftp".into() }),
            ("cells example.com", ServerUrlError::WhiteSpace("cells example.com".into())),
            ("https://", ServerUrlError::Invalid("https://".into())),
            ("https://user:pw@host", ServerUrlError::Credentials("https://user:pw@host".into())),
            ("https://host/?a=b", ServerUrlError::QueryOrFragment("https://host/?a=b".into())),
            ("https://host/#x", ServerUrlError::QueryOrFragment("https://host/#x".into())),
            ("https://ho st", ServerUrlError::WhiteSpace("https://ho st".into())),
            ("https://exa mple", ServerUrlError::WhiteSpace("https://exa mple".into())),
            ("https://host:99999", ServerUrlError::Invalid("https://host:99999".into())),
        ];
        for (input, expected) in cases {
            let err = ServerUrl::parse(input).unwrap_err();
            assert_eq!(err, expected, "{input}");
            assert!(!err.to_string().contains('\n'));
        }
    }

    #[test]
    fn points_from_the_oidc_address_to_the_server() {
        let err = ServerUrl::parse("https://host/cells/oidc/.well-known/openid-configuration").unwrap_err();
        assert_eq!(
            err,
            ServerUrlError::OidcPath {
                input: "https://host/cells/oidc/.well-known/openid-configuration".into(),
                suggestion: "https://host/cells".into()
            }
        );
        assert!(matches!(ServerUrl::parse("https://host/oidc/"), Err(ServerUrlError::OidcPath { .. })));
    }

    #[test]
    fn derives_the_cells_addresses() {
        let server = ServerUrl::parse("https://host/cells/").unwrap();
        assert_eq!(server.discovery_url(), "https://host/cells/oidc/.well-known/openid-configuration");
        assert_eq!(server.expected_issuer(), "https://host/cells/oidc/");
        assert_eq!(server.host(), "host");
        assert!(!server.is_insecure());
        assert!(ServerUrl::parse("http://lan:8080").unwrap().is_insecure());
        assert_eq!(ServerUrl::parse("http://lan:8080").unwrap().host(), "lan:8080");
    }

    fn metadata(issuer: &str, base: &str) -> ProviderMetadata {
        ProviderMetadata {
            issuer: issuer.into(),
            authorization_endpoint: format!("{base}/oidc/oauth2/auth"),
            token_endpoint: format!("{base}/oidc/oauth2/token"),
            jwks_uri: format!("{base}/oidc/.well-known/jwks.json"),
            revocation_endpoint: None,
            end_session_endpoint: None,
            userinfo_endpoint: None,
            code_challenge_methods_supported: Some(vec!["S256".into()]),
            id_token_signing_alg_values_supported: vec!["RS256".into()],
            authorization_response_iss_parameter_supported: false,
        }
    }

    #[test]
    fn issuer_is_accepted_with_or_without_trailing_slash_but_must_be_the_servers() {
        let server = ServerUrl::parse("https://host").unwrap();
        assert!(check_metadata(&server, "u", metadata("https://host/oidc/", "https://host")).is_ok());
        assert!(check_metadata(&server, "u", metadata("https://host/oidc", "https://host")).is_ok());
        let err = check_metadata(&server, "u", metadata("https://evil/oidc/", "https://host")).unwrap_err();
        assert!(matches!(err, DiscoveryError::IssuerMismatch { .. }), "{err}");
    }

    #[test]
    fn https_server_must_not_send_secrets_to_http_endpoints() {
        let server = ServerUrl::parse("https://host").unwrap();
        let err = check_metadata(&server, "u", metadata("https://host/oidc/", "http://host")).unwrap_err();
        assert!(matches!(err, DiscoveryError::InsecureEndpoint { endpoint: "endpoint-authorization", .. }), "{err}");
    }

    #[test]
    fn requires_pkce_s256_when_methods_are_listed() {
        let server = ServerUrl::parse("https://host").unwrap();
        let mut meta = metadata("https://host/oidc/", "https://host");
        meta.code_challenge_methods_supported = Some(vec!["plain".into()]);
        assert!(matches!(check_metadata(&server, "u", meta), Err(DiscoveryError::Invalid { .. })));
    }
}
