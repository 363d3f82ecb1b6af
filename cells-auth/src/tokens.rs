//! The token endpoint (RFC 6749 4.1.3, 6) for a public client, on `oauth2`.
//!
//! `oauth2` builds and sends the requests through our transport
//! ([`crate::http::OAuthTransport`]); this module reads the answer into a
//! [`TokenSet`] and maps `oauth2`'s errors into ours, never keeping a body:
//! a 200 answer that fails to parse may hold tokens.

use std::borrow::Cow;

use chrono::{DateTime, Duration, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, ClientId, EndpointNotSet, EndpointSet, ErrorResponseType, RedirectUrl, RequestTokenError, Scope,
    StandardErrorResponse, StandardRevocableToken, TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::http::{OAuthTransport, TransportError};
use crate::i18n::{Message, Said};
use crate::untrusted::server_text;

pub use oauth2::{AccessToken, AuthorizationCode, PkceCodeVerifier, RefreshToken};

secret_string!(
    /// An ID token, a signed JWT (OpenID Connect Core 2); `oauth2` has no type for it.
    IdToken
);

/// Used when a token response has no usable `expires_in`: Cells' default lifetime.
const DEFAULT_ACCESS_TOKEN_LIFETIME: Duration = Duration::minutes(10);
/// A longer `expires_in` is taken as this: an access token is refreshed
/// at least daily, and no date arithmetic can overflow.
pub const MAX_ACCESS_TOKEN_LIFETIME: Duration = Duration::hours(24);

/// A token response (RFC 6749 5.1) with the OpenID Connect `id_token`
/// (Core 3.1.3.3). `expires_in` is read leniently: a server's odd number
/// (negative, fractional, enormous) must not make the whole answer
/// unreadable, since the refresh token it carries may already have replaced
/// the one sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CellsTokenResponse {
    access_token: AccessToken,
    #[serde(deserialize_with = "oauth2::helpers::deserialize_untagged_enum_case_insensitive")]
    token_type: BasicTokenType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_in: Option<serde_json::Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<RefreshToken>,
    #[serde(rename = "scope")]
    #[serde(deserialize_with = "oauth2::helpers::deserialize_space_delimited_vec")]
    #[serde(serialize_with = "oauth2::helpers::serialize_space_delimited_vec")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scopes: Option<Vec<Scope>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<IdToken>,
}

impl oauth2::TokenResponse for CellsTokenResponse {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }

    /// Clamped to [`MAX_ACCESS_TOKEN_LIFETIME`]; `None` for a lifetime that
    /// is not positive or not a number, which then counts as missing.
    fn expires_in(&self) -> Option<std::time::Duration> {
        let seconds = self.expires_in.as_ref()?.as_f64().filter(|s| s.is_finite() && *s >= 1.0)?;
        let max = MAX_ACCESS_TOKEN_LIFETIME.num_seconds() as f64;
        Some(std::time::Duration::from_secs(seconds.min(max) as u64))
    }

    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    fn scopes(&self) -> Option<&Vec<Scope>> {
        self.scopes.as_ref()
    }
}

/// The `oauth2` client of a public client with a token endpoint (and, for
/// revocation, a revocation endpoint).
pub(crate) type OAuthClient<HasRevocationUrl = EndpointNotSet> = oauth2::Client<
    BasicErrorResponse,
    CellsTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    HasRevocationUrl,
    EndpointSet,
>;

/// The tokens of one successful response.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    pub id_token: Option<IdToken>,
    /// The access token is opaque: its expiry is `expires_in` after receipt,
    /// by the local clock, so a skewed server clock does not matter.
    pub access_token_expires_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub scope: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum TokenError {
    Transport {
        url: String,
        reason: Message,
    },
    /// The server's own error (RFC 6749 5.2). Its body is not kept.
    Server {
        status: Option<u16>,
        error: String,
        description: Option<String>,
    },
    Status {
        url: String,
        status: Option<u16>,
    },
    /// A success response that is not a valid token response. Its body may
    /// hold tokens, so it is not kept.
    Invalid {
        reason: Message,
    },
    /// `what`: the catalog id of the endpoint's name.
    BadEndpoint {
        what: &'static str,
        url: String,
    },
}

impl Said for TokenError {
    fn message(&self) -> Message {
        match self {
            TokenError::Transport { url, reason } => {
                Message::new("error-token-transport").with("url", url).message("reason", reason.clone())
            }
            TokenError::Server { error, description: None, .. } => {
                Message::new("error-token-refused").with("error", error)
            }
            TokenError::Server { error, description: Some(description), .. } => {
                Message::new("error-token-refused-described").with("error", error).with("description", description)
            }
            TokenError::Status { url, status: Some(status) } => {
                Message::new("error-token-status").with("url", url).with("status", status)
            }
            TokenError::Status { url, status: None } => Message::new("error-token-no-status").with("url", url),
            TokenError::Invalid { reason } => Message::new("error-token-invalid").message("reason", reason.clone()),
            TokenError::BadEndpoint { what, url } => {
                Message::new("error-bad-endpoint").message("what", Message::new(what)).with("url", url)
            }
        }
    }
}

impl TokenError {
    /// The server refused the grant or the client for good (`invalid_grant`:
    /// the refresh token is spent, expired or revoked): retrying cannot help,
    /// only a new sign-in can. Anything else (network, 5xx, a proxy's page)
    /// may pass.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            TokenError::Server { error, status, .. }
                if status.is_none_or(|s| s < 500) && matches!(error.as_str(),
                    "invalid_grant" | "invalid_client" | "unauthorized_client" | "unsupported_grant_type" | "invalid_scope")
        )
    }

    /// The server's words (`invalid_grant: grant revoked`) where it gave an OAuth error.
    pub fn oauth_reason(&self) -> String {
        match self {
            TokenError::Server { error, description: Some(description), .. } => format!("{error}: {description}"),
            TokenError::Server { error, .. } => error.clone(),
            other => other.to_string(),
        }
    }
}

/// The `oauth2` client for `client_id` at this token endpoint; the client
/// id goes in the body, as a public client has no secret for Basic auth.
pub(crate) fn oauth_client(client_id: &str, token_endpoint: &str) -> Result<OAuthClient, TokenError> {
    let token_url = TokenUrl::new(token_endpoint.to_string())
        .map_err(|_| TokenError::BadEndpoint { what: "endpoint-token", url: token_endpoint.to_string() })?;
    Ok(oauth2::Client::new(ClientId::new(client_id.to_string()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(token_url))
}

/// Exchanges an authorization code, proving possession of the PKCE verifier.
pub async fn exchange_code(
    http: &reqwest::Client,
    token_endpoint: &str,
    client_id: &str,
    code: AuthorizationCode,
    verifier: PkceCodeVerifier,
    redirect_uri: &str,
    clock: &dyn Clock,
) -> Result<TokenSet, TokenError> {
    let client = oauth_client(client_id, token_endpoint)?;
    let redirect = RedirectUrl::new(redirect_uri.to_string())
        .map_err(|_| TokenError::BadEndpoint { what: "endpoint-redirect-uri", url: redirect_uri.to_string() })?;
    let transport = OAuthTransport::new(http);
    let secrets = [code.secret().clone(), verifier.secret().clone()];
    let answer = client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .set_redirect_uri(Cow::Owned(redirect))
        .request_async(&transport)
        .await;
    read_answer(answer, &transport, token_endpoint, clock.now(), &[&secrets[0], &secrets[1]])
}

/// Spends a refresh token for a new token set (RFC 6749 6).
pub async fn refresh(
    http: &reqwest::Client,
    token_endpoint: &str,
    client_id: &str,
    refresh_token: &RefreshToken,
    clock: &dyn Clock,
) -> Result<TokenSet, TokenError> {
    let client = oauth_client(client_id, token_endpoint)?;
    let transport = OAuthTransport::new(http);
    let answer = client.exchange_refresh_token(refresh_token).request_async(&transport).await;
    read_answer(answer, &transport, token_endpoint, clock.now(), &[refresh_token.secret()])
}

fn read_answer(
    answer: Result<CellsTokenResponse, RequestTokenError<TransportError, BasicErrorResponse>>,
    transport: &OAuthTransport<'_>,
    url: &str,
    received_at: DateTime<Utc>,
    request_secrets: &[&str],
) -> Result<TokenSet, TokenError> {
    match answer {
        Ok(response) => token_set(&response, received_at),
        Err(err) => Err(map_error(err, transport.status(), url, request_secrets)),
    }
}

/// `oauth2`'s error in our terms. `Parse` carries the raw body, which on a
/// 200 may hold tokens: only the JSON path and the kind of fault are kept.
/// The server's own error text is cleaned of `request_secrets`.
pub(crate) fn map_error<T>(
    err: RequestTokenError<TransportError, StandardErrorResponse<T>>,
    status: Option<u16>,
    url: &str,
    request_secrets: &[&str],
) -> TokenError
where
    T: ErrorResponseType + std::fmt::Display + 'static,
{
    match err {
        _ if status == Some(407) => {
            TokenError::Transport { url: url.to_string(), reason: crate::http::proxy_authentication() }
        }
        // The server's words, but never verbatim: a proxy may echo the request.
        RequestTokenError::ServerResponse(response) => TokenError::Server {
            status,
            error: server_text(&response.error().to_string(), request_secrets),
            description: response.error_description().map(|d| server_text(d, request_secrets)),
        },
        RequestTokenError::Request(transport) => TokenError::Transport { url: url.to_string(), reason: transport.0 },
        RequestTokenError::Parse(err, _body) if status == Some(200) => {
            TokenError::Invalid { reason: json_problem(&err) }
        }
        RequestTokenError::Other(_) if status == Some(200) => {
            TokenError::Invalid { reason: Message::new("token-not-json") }
        }
        RequestTokenError::Parse(..) | RequestTokenError::Other(_) => {
            TokenError::Status { url: url.to_string(), status }
        }
    }
}

/// Checks a successful response and dates it by the local clock.
pub(crate) fn token_set(response: &CellsTokenResponse, received_at: DateTime<Utc>) -> Result<TokenSet, TokenError> {
    // RFC 6750: only bearer tokens are understood.
    if *response.token_type() != BasicTokenType::Bearer {
        return Err(TokenError::Invalid {
            reason: Message::new("token-not-bearer").with("type", server_text(response.token_type().as_ref(), &[])),
        });
    }
    if response.access_token().secret().is_empty() {
        return Err(TokenError::Invalid { reason: Message::new("token-empty") });
    }
    let lifetime = response
        .expires_in()
        .and_then(|lifetime| Duration::from_std(lifetime).ok())
        .unwrap_or(DEFAULT_ACCESS_TOKEN_LIFETIME)
        .min(MAX_ACCESS_TOKEN_LIFETIME);
    let expires_at = received_at
        .checked_add_signed(lifetime)
        .ok_or_else(|| TokenError::Invalid { reason: Message::new("token-clock-out-of-range") })?;
    Ok(TokenSet {
        access_token: response.access_token().clone(),
        refresh_token: response.refresh_token().filter(|t| !t.secret().is_empty()).cloned(),
        id_token: response.id_token.clone().filter(|t| !t.secret().is_empty()),
        access_token_expires_at: expires_at,
        received_at,
        scope: response.scopes().map(|scopes| scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")),
    })
}

/// What is wrong with a JSON body, in words that never quote it: the path
/// names a field, serde's own message may quote a value.
fn json_problem(err: &serde_path_to_error::Error<serde_json::Error>) -> Message {
    let kind = crate::untrusted::json_problem(err.inner());
    match err.path().to_string().as_str() {
        "." | "" => kind,
        path => Message::new("json-problem-at").message("problem", kind).with("path", path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
    }

    /// A token endpoint answering `status` with `body` once, on loopback.
    async fn answer_once(status: u16, body: &'static str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/token", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let response = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        });
        url
    }

    async fn refresh_against(status: u16, body: &'static str) -> Result<TokenSet, TokenError> {
        let url = answer_once(status, body).await;
        let clock = FakeClock::at(t0());
        refresh(&crate::http::client().unwrap(), &url, "cells-sync", &RefreshToken::new("SECRET-RT".into()), &clock)
            .await
    }

    #[tokio::test]
    async fn expiry_is_expires_in_after_receipt_by_the_local_clock() {
        let set = refresh_against(
            200,
            r#"{"access_token":"at","token_type":"bearer","expires_in":600,"refresh_token":"rt","id_token":"x.y.z"}"#,
        )
        .await
        .unwrap();
        assert_eq!(set.access_token_expires_at, t0() + Duration::seconds(600));
        assert_eq!(set.refresh_token.unwrap().secret(), "rt");
        assert_eq!(set.id_token.unwrap().secret(), "x.y.z");
    }

    #[tokio::test]
    async fn a_missing_lifetime_falls_back_to_cells_default() {
        let set = refresh_against(200, r#"{"access_token":"at","token_type":"Bearer"}"#).await.unwrap();
        assert_eq!(set.access_token_expires_at, t0() + Duration::minutes(10));
        assert!(set.refresh_token.is_none());
    }

    #[tokio::test]
    async fn odd_lifetimes_are_clamped_never_a_panic_nor_a_lost_refresh_token() {
        for (expires_in, lifetime) in [
            ("10000000000000", MAX_ACCESS_TOKEN_LIFETIME),
            ("18446744073709551615", MAX_ACCESS_TOKEN_LIFETIME),
            ("9223372036854775808", MAX_ACCESS_TOKEN_LIFETIME),
            ("1e300", MAX_ACCESS_TOKEN_LIFETIME),
            ("-5", DEFAULT_ACCESS_TOKEN_LIFETIME),
            ("-9223372036854775808", DEFAULT_ACCESS_TOKEN_LIFETIME),
            ("0", DEFAULT_ACCESS_TOKEN_LIFETIME),
            ("0.5", DEFAULT_ACCESS_TOKEN_LIFETIME),
            ("90.7", Duration::seconds(90)),
        ] {
            let body = format!(
                r#"{{"access_token":"at","token_type":"Bearer","refresh_token":"rotated","expires_in":{expires_in}}}"#
            );
            let set = refresh_against(200, Box::leak(body.into_boxed_str())).await.unwrap();
            assert_eq!(set.access_token_expires_at, t0() + lifetime, "expires_in {expires_in}");
            assert_eq!(set.refresh_token.unwrap().secret(), "rotated");
        }
    }

    #[tokio::test]
    async fn rejects_odd_responses_without_quoting_them() {
        for body in [
            r#"{"access_token":"SECRET-AT","token_type":"mac","expires_in":60}"#,
            r#"{"access_token":"SECRET-AT","token_type":"Bearer","expires_in":"SECRET-X"}"#,
            r#"{"token_type":"Bearer","refresh_token":"SECRET-RT"}"#,
            r#"SECRET-AT"#,
        ] {
            let err = refresh_against(200, body).await.unwrap_err();
            assert!(matches!(err, TokenError::Invalid { .. }), "{body}: {err:?}");
            let text = format!("{err} {err:?}");
            assert!(!text.contains("SECRET"), "{text}");
        }
    }

    #[tokio::test]
    async fn an_error_echoing_the_refresh_token_shows_neither_it_nor_control_characters() {
        let err = refresh_against(
            400,
            "{\"error\":\"invalid_request\",\"error_description\":\"bad body: refresh_token=SECRET-RT\\u001b[2J\\nforged line\"}",
        )
        .await
        .unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("SECRET-RT"), "{text}");
        assert!(!text.contains('\u{1b}') && !text.contains('\n'), "{text}");
        assert!(text.contains("bad body: refresh_token=[redacted]"), "{text}");
    }

    #[tokio::test]
    async fn a_token_answer_over_the_body_limit_is_refused() {
        let padding = " ".repeat(crate::http::MAX_BODY);
        let body = format!(r#"{{"access_token":"at","token_type":"Bearer"}}{padding}"#);
        let err = refresh_against(200, Box::leak(body.into_boxed_str())).await.unwrap_err();
        assert!(
            matches!(&err, TokenError::Transport { reason, .. } if reason.to_string().contains("larger than 1024 KiB")),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn keeps_the_servers_error_and_its_status() {
        let err =
            refresh_against(400, r#"{"error":"invalid_grant","error_description":"grant revoked"}"#).await.unwrap_err();
        assert!(err.is_permanent(), "{err:?}");
        assert_eq!(err.oauth_reason(), "invalid_grant: grant revoked");
        let err = refresh_against(500, r#"{"error":"invalid_grant"}"#).await.unwrap_err();
        assert!(!err.is_permanent(), "a 5xx may pass whatever it says: {err:?}");
        let err = refresh_against(502, "<html>SECRET-RT echoed by a proxy</html>").await.unwrap_err();
        assert!(err.to_string().contains("answered HTTP 502 without an OAuth error"), "{err}");
        assert!(!format!("{err:?}").contains("SECRET"));
    }
}
