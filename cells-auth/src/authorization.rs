//! The authorization request (RFC 6749 4.1.1) on `oauth2`: PKCE S256
//! (RFC 7636), a fresh `state`, Cells' scopes, and the OpenID Connect
//! `nonce` as an extra parameter.

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope};
use url::Url;

use crate::discovery::{DiscoveryError, ProviderMetadata};
use crate::i18n::Message;
use crate::verify::Nonce;
use crate::SCOPES;

/// The page to open, and the secrets of this one sign-in that stay here.
#[derive(Debug)]
pub struct AuthorizationRequest {
    pub url: Url,
    pub state: CsrfToken,
    pub verifier: PkceCodeVerifier,
    pub nonce: Nonce,
}

/// A fresh authorization request: new state, verifier (32 random bytes,
/// RFC 7636 4.1) and nonce every time.
pub fn authorization_request(
    metadata: &ProviderMetadata,
    client_id: &str,
    redirect_uri: &str,
) -> Result<AuthorizationRequest, DiscoveryError> {
    let invalid = |what: &str, value: &str| DiscoveryError::Invalid {
        url: metadata.issuer.clone(),
        reason: Message::new("discovery-endpoint-not-a-url")
            .message("endpoint", Message::new(what))
            .with("found", value),
    };
    let auth_url = AuthUrl::new(metadata.authorization_endpoint.clone())
        .map_err(|_| invalid("endpoint-authorization", &metadata.authorization_endpoint))?;
    let redirect =
        RedirectUrl::new(redirect_uri.to_string()).map_err(|_| invalid("endpoint-redirect-uri", redirect_uri))?;
    let client =
        BasicClient::new(ClientId::new(client_id.to_string())).set_auth_uri(auth_url).set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = Nonce::generate();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(SCOPES.split(' ').map(|scope| Scope::new(scope.to_string())))
        .set_pkce_challenge(challenge)
        .add_extra_param("nonce", nonce.secret())
        .url();
    Ok(AuthorizationRequest { url, state, verifier, nonce })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata() -> ProviderMetadata {
        serde_json::from_value(serde_json::json!({
            "issuer": "https://h/oidc/",
            "authorization_endpoint": "https://h/oidc/oauth2/auth",
            "token_endpoint": "https://h/oidc/oauth2/token",
            "jwks_uri": "https://h/oidc/.well-known/jwks.json",
        }))
        .unwrap()
    }

    #[test]
    fn the_authorization_request_is_what_cells_expects() {
        let request =
            authorization_request(&metadata(), "cells-sync", "http://localhost:3636/servers/callback").unwrap();
        let pairs: std::collections::HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        assert_eq!(request.url.as_str().split('?').next(), Some("https://h/oidc/oauth2/auth"));
        assert_eq!(pairs["client_id"], "cells-sync");
        assert_eq!(pairs["response_type"], "code");
        assert_eq!(pairs["scope"], "openid email profile pydio offline");
        assert_eq!(pairs["redirect_uri"], "http://localhost:3636/servers/callback");
        assert_eq!(&pairs["state"], request.state.secret());
        assert_eq!(pairs["nonce"], request.nonce.secret());
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&request.verifier);
        assert_eq!(pairs["code_challenge"], challenge.as_str());
        assert_eq!(pairs["code_challenge_method"], "S256");
        assert!(!request.url.as_str().contains(request.verifier.secret()));
        assert_eq!(pairs.len(), 8);
    }

    #[test]
    fn every_request_is_fresh_with_a_43_character_verifier() {
        let a = authorization_request(&metadata(), "cells-sync", "http://localhost:3636/servers/callback").unwrap();
        let b = authorization_request(&metadata(), "cells-sync", "http://localhost:3636/servers/callback").unwrap();
        // RFC 7636 4.1: 43-128 unreserved characters.
        assert_eq!(a.verifier.secret().len(), 43);
        assert!(a.verifier.secret().bytes().all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c)));
        assert_ne!(a.verifier.secret(), b.verifier.secret());
        assert_ne!(a.state.secret(), b.state.secret());
        assert_ne!(a.nonce, b.nonce);
    }

    #[test]
    fn the_s256_challenge_matches_rfc7636_appendix_b() {
        let verifier = PkceCodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(
            PkceCodeChallenge::from_code_verifier_sha256(&verifier).as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
