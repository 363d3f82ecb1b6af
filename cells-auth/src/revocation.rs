//! Token revocation (RFC 7009): through `oauth2` on https, and through one
//! small POST of our own on plain http.

use oauth2::basic::BasicRevocationErrorResponse;
use oauth2::{RequestTokenError, RevocationUrl, StandardRevocableToken};

use crate::http::{describe_transport_error, read_body, OAuthTransport};
use crate::tokens::{map_error, oauth_client, RefreshToken, TokenError};

/// Revokes a refresh token. 200 means done, even for a token the server did
/// not know (RFC 7009 2.2).
pub async fn revoke(
    http: &reqwest::Client,
    revocation_endpoint: &str,
    client_id: &str,
    token_endpoint: &str,
    refresh_token: &RefreshToken,
) -> Result<(), TokenError> {
    let url = RevocationUrl::new(revocation_endpoint.to_string())
        .map_err(|_| TokenError::BadEndpoint { what: "endpoint-revocation", url: revocation_endpoint.to_string() })?;
    if url.url().scheme() != "https" {
        return revoke_over_plain_http(http, revocation_endpoint, client_id, refresh_token).await;
    }
    let client = oauth_client(client_id, token_endpoint)?.set_revocation_url(url);
    let transport = OAuthTransport::new(http);
    // Only fails for a non-https URL, ruled out above.
    let request = client
        .revoke_token(StandardRevocableToken::RefreshToken(refresh_token.clone()))
        .map_err(|_| TokenError::BadEndpoint { what: "endpoint-revocation", url: revocation_endpoint.to_string() })?;
    let secrets = [refresh_token.secret().as_str()];
    request
        .request_async(&transport)
        .await
        .map_err(|err| map_error(err, transport.status(), revocation_endpoint, &secrets))
}

/// RFC 7009 asks for https, and `oauth2` enforces it. A Cells server on plain
/// http (a LAN, a test machine) already sent this token in clear at every
/// refresh; leaving it valid on the server after sign-out would be worse
/// than revoking it over the same channel. The request is the one `oauth2`
/// sends: `token`, `token_type_hint`, `client_id`, form-encoded.
async fn revoke_over_plain_http(
    http: &reqwest::Client,
    url: &str,
    client_id: &str,
    refresh_token: &RefreshToken,
) -> Result<(), TokenError> {
    let form =
        [("token", refresh_token.secret().as_str()), ("token_type_hint", "refresh_token"), ("client_id", client_id)];
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
    // The server's error read and cleaned exactly as for the https path.
    let body = read_body(response).await.unwrap_or_default();
    let err = match serde_path_to_error::deserialize::<_, BasicRevocationErrorResponse>(
        &mut serde_json::Deserializer::from_slice(&body),
    ) {
        Ok(response) => RequestTokenError::ServerResponse(response),
        Err(err) => RequestTokenError::Parse(err, Vec::new()),
    };
    Err(map_error(err, Some(status.as_u16()), url, &[refresh_token.secret().as_str()]))
}
