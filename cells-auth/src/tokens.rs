//! The token endpoint (RFC 6749 4.1.3, 6) for a public client.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::clock::Clock;
use crate::http::describe_transport_error;
use crate::loopback::AuthorizationCode;
use crate::pkce::PkceVerifier;

secret_string!(
    /// An access token; opaque on Cells.
    AccessToken
);
secret_string!(
    /// A refresh token; Cells rotates it on every use.
    RefreshToken
);
secret_string!(
    /// An ID token, a signed JWT (OpenID Connect Core 2).
    IdToken
);

/// Used when a token response has no `expires_in`: Cells' default lifetime.
const DEFAULT_ACCESS_TOKEN_LIFETIME: Duration = Duration::minutes(10);

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
pub enum TokenError {
    #[error("cannot reach the token endpoint {url}: {reason}")]
    Transport { url: String, reason: String },
    /// The server's own error (RFC 6749 5.2), with its raw body kept for diagnosis.
    #[error("the server refused the token request: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Server { status: u16, error: String, description: Option<String>, body: String },
    #[error("the token endpoint {url} answered HTTP {status} without an OAuth error")]
    Status { url: String, status: u16, body: String },
    /// A success response that is not a valid token response. Its body may
    /// hold tokens, so it is not kept.
    #[error("the token endpoint's answer is not a valid token response: {reason}")]
    Invalid { reason: String },
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
                if *status < 500 && matches!(error.as_str(),
                    "invalid_grant" | "invalid_client" | "unauthorized_client" | "unsupported_grant_type" | "invalid_scope")
        )
    }
}

#[derive(Deserialize)]
struct RawTokenResponse {
    access_token: String,
    token_type: String,
    expires_in: Option<i64>,
    refresh_token: Option<String>,
    id_token: Option<String>,
    scope: Option<String>,
}

#[derive(Deserialize)]
struct RawErrorResponse {
    error: String,
    error_description: Option<String>,
}

/// Exchanges an authorization code, proving possession of the PKCE verifier.
pub async fn exchange_code(
    http: &reqwest::Client,
    token_endpoint: &str,
    client_id: &str,
    code: &AuthorizationCode,
    verifier: &PkceVerifier,
    redirect_uri: &str,
    clock: &dyn Clock,
) -> Result<TokenSet, TokenError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.secret()),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("code_verifier", verifier.secret()),
    ];
    post(http, token_endpoint, &form, clock).await
}

/// Spends a refresh token for a new token set (RFC 6749 6).
pub async fn refresh(
    http: &reqwest::Client,
    token_endpoint: &str,
    client_id: &str,
    refresh_token: &RefreshToken,
    clock: &dyn Clock,
) -> Result<TokenSet, TokenError> {
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh_token.secret()), ("client_id", client_id)];
    post(http, token_endpoint, &form, clock).await
}

/// Revokes a refresh token (RFC 7009). 200 means done, even for a token the
/// server did not know.
pub async fn revoke(
    http: &reqwest::Client,
    revocation_endpoint: &str,
    client_id: &str,
    refresh_token: &RefreshToken,
) -> Result<(), TokenError> {
    let form = [("token", refresh_token.secret()), ("token_type_hint", "refresh_token"), ("client_id", client_id)];
    let url = revocation_endpoint;
    let response = http
        .post(url)
        .form(&form)
        .send()
        .await
        .map_err(|err| TokenError::Transport { url: url.to_string(), reason: describe_transport_error(&err) })?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body = response.text().await.unwrap_or_default();
    Err(error_response(url, status, body))
}

/// An OAuth error response (RFC 6749 5.2), or a bare HTTP failure.
fn error_response(url: &str, status: reqwest::StatusCode, body: String) -> TokenError {
    match serde_json::from_str::<RawErrorResponse>(&body) {
        Ok(raw) => {
            TokenError::Server { status: status.as_u16(), error: raw.error, description: raw.error_description, body }
        }
        Err(_) => TokenError::Status { url: url.to_string(), status: status.as_u16(), body },
    }
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
    clock: &dyn Clock,
) -> Result<TokenSet, TokenError> {
    let response = http
        .post(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(form)
        .send()
        .await
        .map_err(|err| TokenError::Transport { url: url.to_string(), reason: describe_transport_error(&err) })?;
    let received_at = clock.now();
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|err| TokenError::Transport { url: url.to_string(), reason: describe_transport_error(&err) })?;
    if !status.is_success() {
        return Err(error_response(url, status, body));
    }
    parse_success(&body, received_at)
}

fn parse_success(body: &str, received_at: DateTime<Utc>) -> Result<TokenSet, TokenError> {
    // serde's message names the field, never the value.
    let raw: RawTokenResponse = serde_json::from_str(body)
        .map_err(|err| TokenError::Invalid { reason: format!("{} at column {}", json_problem(&err), err.column()) })?;
    if !raw.token_type.eq_ignore_ascii_case("bearer") {
        return Err(TokenError::Invalid { reason: format!("token_type is '{}', expected Bearer", raw.token_type) });
    }
    if raw.access_token.is_empty() {
        return Err(TokenError::Invalid { reason: "the access token is empty".into() });
    }
    let lifetime = match raw.expires_in {
        Some(seconds) if seconds > 0 => Duration::seconds(seconds),
        Some(seconds) => return Err(TokenError::Invalid { reason: format!("expires_in is {seconds}") }),
        None => DEFAULT_ACCESS_TOKEN_LIFETIME,
    };
    Ok(TokenSet {
        access_token: AccessToken::new(raw.access_token),
        refresh_token: raw.refresh_token.filter(|t| !t.is_empty()).map(RefreshToken::new),
        id_token: raw.id_token.filter(|t| !t.is_empty()).map(IdToken::new),
        access_token_expires_at: received_at + lifetime,
        received_at,
        scope: raw.scope,
    })
}

/// What is wrong with a JSON body, in words that never quote it.
fn json_problem(err: &serde_json::Error) -> &'static str {
    match err.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "a field is missing or of the wrong type",
        serde_json::error::Category::Eof => "truncated JSON",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
    }

    #[test]
    fn expiry_is_expires_in_after_receipt_by_the_local_clock() {
        let set = parse_success(
            r#"{"access_token":"at","token_type":"bearer","expires_in":600,"refresh_token":"rt","id_token":"x.y.z"}"#,
            t0(),
        )
        .unwrap();
        assert_eq!(set.access_token_expires_at, t0() + Duration::seconds(600));
        assert_eq!(set.refresh_token.unwrap().secret(), "rt");
    }

    #[test]
    fn a_missing_lifetime_falls_back_to_cells_default() {
        let set = parse_success(r#"{"access_token":"at","token_type":"Bearer"}"#, t0()).unwrap();
        assert_eq!(set.access_token_expires_at, t0() + Duration::minutes(10));
        assert!(set.refresh_token.is_none());
    }

    #[test]
    fn rejects_odd_responses_without_quoting_them() {
        for body in [
            r#"{"access_token":"SECRET-AT","token_type":"mac","expires_in":60}"#,
            r#"{"access_token":"SECRET-AT","token_type":"Bearer","expires_in":-5}"#,
            r#"{"token_type":"Bearer","refresh_token":"SECRET-RT"}"#,
            r#"SECRET-AT"#,
        ] {
            let err = parse_success(body, t0()).unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(!text.contains("SECRET"), "{text}");
        }
    }
}
