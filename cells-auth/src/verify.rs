//! ID token verification (OpenID Connect Core 3.1.3.7), clock injected.

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Deserializer};
use tokio::sync::Mutex;

use crate::clock::Clock;
use crate::http::{describe_transport_error, read_body};
use crate::i18n::{Message, Said};
use crate::tokens::IdToken;
use crate::untrusted::server_text;

secret_string!(
    /// The nonce of one sign-in, bound into its ID token.
    Nonce
);

impl Nonce {
    pub fn generate() -> Self {
        Self::new(crate::secret::random_urlsafe(32))
    }
}

/// Clock difference tolerated between this computer and the server.
pub const ALLOWED_SKEW: Duration = Duration::minutes(5);

/// Signature algorithms accepted: asymmetric only, never `none` or HMAC (a
/// public client has no secret an HMAC could be keyed with).
const ACCEPTED_ALGORITHMS: [Algorithm; 2] = [Algorithm::RS256, Algorithm::ES256];

/// The claims this client reads from a Cells ID token.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    #[serde(deserialize_with = "one_or_many")]
    pub aud: Vec<String>,
    pub exp: i64,
    pub iat: i64,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub azp: Option<String>,
    /// On Cells this is the login, not a display name.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub sid: Option<String>,
    #[serde(default, rename = "authSource")]
    pub auth_source: Option<String>,
}

impl IdTokenClaims {
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(self.exp, 0)
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum VerifyError {
    Malformed(Message),
    Algorithm(String),
    Keys { url: String, reason: Message },
    UnknownKey { kid: String },
    Signature,
    Issuer { found: String, expected: String },
    Audience { found: Vec<String>, expected: String },
    AuthorizedParty { found: String, expected: String },
    Expired(DateTime<Utc>),
    IssuedInFuture(DateTime<Utc>),
    Nonce,
    MissingNonce,
    MissingSubject,
}

impl Said for VerifyError {
    fn message(&self) -> Message {
        match self {
            VerifyError::Malformed(reason) => {
                Message::new("error-id-token-malformed").message("reason", reason.clone())
            }
            VerifyError::Algorithm(algorithm) => Message::new("error-id-token-algorithm").with("algorithm", algorithm),
            VerifyError::Keys { url, reason } => {
                Message::new("error-id-token-keys").with("url", url).message("reason", reason.clone())
            }
            VerifyError::UnknownKey { kid } => Message::new("error-id-token-unknown-key").with("kid", kid),
            VerifyError::Signature => Message::new("error-id-token-signature"),
            VerifyError::Issuer { found, expected } => {
                Message::new("error-id-token-issuer").with("found", found).with("expected", expected)
            }
            VerifyError::Audience { found, expected } => {
                Message::new("error-id-token-audience").with("found", format!("{found:?}")).with("expected", expected)
            }
            VerifyError::AuthorizedParty { found, expected } => {
                Message::new("error-id-token-azp").with("found", found).with("expected", expected)
            }
            VerifyError::Expired(at) => Message::new("error-id-token-expired").time("at", *at),
            VerifyError::IssuedInFuture(at) => Message::new("error-id-token-future").time("at", *at),
            VerifyError::Nonce => Message::new("error-id-token-nonce"),
            VerifyError::MissingNonce => Message::new("error-id-token-no-nonce"),
            VerifyError::MissingSubject => Message::new("error-id-token-no-subject"),
        }
    }
}

/// How the nonce is checked.
#[derive(Debug, Clone, Copy)]
pub enum NonceCheck<'a> {
    /// A sign-in. Cells does not echo the nonce, so a missing one is
    /// accepted only when PKCE bound the code to this client instead; a
    /// wrong one is always rejected.
    SignIn { nonce: &'a Nonce, pkce_used: bool },
    /// A refresh: no nonce was sent (OpenID Connect Core 12.2).
    Refresh,
}

/// Told of every key set fetched, with how long the server lets it be kept.
pub type KeysFetched = Box<dyn Fn(&JwkSet, Option<std::time::Duration>) + Send + Sync>;

/// The server's key set, fetched on first use and once more on an unknown key id.
pub struct JwksCache {
    uri: String,
    keys: Mutex<Option<JwkSet>>,
    fetched: Option<KeysFetched>,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache").field("uri", &self.uri).finish_non_exhaustive()
    }
}

impl JwksCache {
    pub fn new(uri: impl Into<String>) -> Self {
        Self { uri: uri.into(), keys: Mutex::new(None), fetched: None }
    }

    /// A cache that starts with `keys` (tests, or keys read elsewhere).
    pub fn with_keys(uri: impl Into<String>, keys: JwkSet) -> Self {
        Self { uri: uri.into(), keys: Mutex::new(Some(keys)), fetched: None }
    }

    /// A cache that starts with `keys`, if any, and tells `fetched` of every
    /// set it fetches (to keep it on disk).
    pub fn kept(uri: impl Into<String>, keys: Option<JwkSet>, fetched: KeysFetched) -> Self {
        Self { uri: uri.into(), keys: Mutex::new(keys), fetched: Some(fetched) }
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<JwkSet, VerifyError> {
        crate::steps::timed_async(crate::steps::Step::Http, self.fetch_now(http)).await
    }

    async fn fetch_now(&self, http: &reqwest::Client) -> Result<JwkSet, VerifyError> {
        let keys_error = |reason: Message| VerifyError::Keys { url: self.uri.clone(), reason };
        let response = http.get(&self.uri).send().await.map_err(|e| keys_error(describe_transport_error(&e)))?;
        if !response.status().is_success() {
            return Err(keys_error(Message::new("keys-status").with("status", response.status().as_u16())));
        }
        let lifetime = crate::http::cache_lifetime(response.headers());
        let body = read_body(response).await.map_err(|e| keys_error(e.message()))?;
        let keys = serde_json::from_slice::<JwkSet>(&body).map_err(|e| {
            keys_error(Message::new("keys-not-a-key-set").message("problem", crate::untrusted::json_problem(&e)))
        })?;
        if let Some(fetched) = &self.fetched {
            fetched(&keys, lifetime);
        }
        Ok(keys)
    }

    /// The keys that may have signed a token with `kid` and `alg`; refetches
    /// the set once when no key has that id (the server rotated its keys).
    async fn candidates(
        &self,
        http: &reqwest::Client,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Vec<Jwk>, VerifyError> {
        let mut cached = self.keys.lock().await;
        let mut fetched_now = false;
        if cached.is_none() {
            *cached = Some(self.fetch(http).await?);
            fetched_now = true;
        }
        loop {
            let keys = cached.as_ref().map(|set| matching_keys(set, kid, alg)).unwrap_or_default();
            if !keys.is_empty() || fetched_now {
                return match (keys.is_empty(), kid) {
                    (true, Some(kid)) => Err(VerifyError::UnknownKey { kid: kid.to_string() }),
                    (true, None) => Err(VerifyError::UnknownKey { kid: "none given".to_string() }),
                    (false, _) => Ok(keys),
                };
            }
            *cached = Some(self.fetch(http).await?);
            fetched_now = true;
        }
    }
}

fn matching_keys(set: &JwkSet, kid: Option<&str>, alg: Algorithm) -> Vec<Jwk> {
    set.keys
        .iter()
        .filter(|key| kid.is_none_or(|kid| key.common.key_id.as_deref() == Some(kid)))
        .filter(|key| {
            !matches!(key.common.public_key_use, Some(PublicKeyUse::Encryption) | Some(PublicKeyUse::Other(_)))
        })
        .filter(|key| {
            matches!(
                (&key.algorithm, alg),
                (AlgorithmParameters::RSA(_), Algorithm::RS256)
                    | (AlgorithmParameters::EllipticCurve(_), Algorithm::ES256)
            )
        })
        .cloned()
        .collect()
}

/// Verifies ID tokens issued by one server to one client.
pub struct IdTokenVerifier<'a> {
    pub http: &'a reqwest::Client,
    pub keys: &'a JwksCache,
    /// The issuer exactly as discovered.
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub clock: &'a dyn Clock,
}

impl IdTokenVerifier<'_> {
    pub async fn verify(&self, token: &IdToken, nonce: NonceCheck<'_>) -> Result<IdTokenClaims, VerifyError> {
        let raw = token.secret();
        // Rule 7 (and JWS 4.1.1): the algorithm must be one expected; `none`
        // and HMAC never are. Read it ourselves, so any name can be reported.
        let alg_name = header_alg(raw)?;
        let alg = ACCEPTED_ALGORITHMS
            .into_iter()
            .find(|a| format!("{a:?}") == alg_name)
            .ok_or_else(|| VerifyError::Algorithm(server_text(&alg_name, &[])))?;
        let header =
            jsonwebtoken::decode_header(raw).map_err(|_| VerifyError::Malformed(Message::new("jwt-bad-header")))?;

        // Rule 6: the signature, with a key from the server's JWKS.
        let claims = self.verified_claims(raw, header.kid.as_deref(), alg).await?;

        // Rule 2: the issuer is exactly the one discovered.
        if claims.iss != self.issuer {
            return Err(VerifyError::Issuer {
                found: server_text(&claims.iss, &[]),
                expected: self.issuer.to_string(),
            });
        }
        // Rule 3: the audience contains this client.
        if !claims.aud.iter().any(|a| a == self.client_id) {
            let found = claims.aud.iter().map(|aud| server_text(aud, &[])).collect();
            return Err(VerifyError::Audience { found, expected: self.client_id.to_string() });
        }
        // Rules 4 and 5: with several audiences, the authorized party must be this client.
        if claims.aud.len() > 1 || claims.azp.is_some() {
            match &claims.azp {
                Some(azp) if azp == self.client_id => {}
                found => {
                    return Err(VerifyError::AuthorizedParty {
                        found: found.as_deref().map_or_else(|| "nobody".to_string(), |azp| server_text(azp, &[])),
                        expected: self.client_id.to_string(),
                    })
                }
            }
        }
        // Rule 9: not expired, within the allowed skew.
        let now = self.clock.now();
        let exp = DateTime::from_timestamp(claims.exp, 0)
            .ok_or_else(|| VerifyError::Malformed(Message::new("jwt-exp-out-of-range")))?;
        // An `exp` at the end of time cannot take the skew: it has not expired.
        if exp.checked_add_signed(ALLOWED_SKEW).is_some_and(|limit| now >= limit) {
            return Err(VerifyError::Expired(exp));
        }
        // Rule 10: issued now, not in the future beyond the allowed skew.
        let iat = DateTime::from_timestamp(claims.iat, 0)
            .ok_or_else(|| VerifyError::Malformed(Message::new("jwt-iat-out-of-range")))?;
        if iat > now + ALLOWED_SKEW {
            return Err(VerifyError::IssuedInFuture(iat));
        }
        // Rule 11: the nonce of this sign-in.
        if let NonceCheck::SignIn { nonce, pkce_used } = nonce {
            match &claims.nonce {
                Some(found) if crate::secret::constant_time_eq(found.as_bytes(), nonce.secret().as_bytes()) => {}
                Some(_) => return Err(VerifyError::Nonce),
                None if pkce_used => {}
                None => return Err(VerifyError::MissingNonce),
            }
        }
        // Core 2: `sub` is required and identifies the user at this issuer.
        if claims.sub.is_empty() {
            return Err(VerifyError::MissingSubject);
        }
        Ok(claims)
    }

    async fn verified_claims(
        &self,
        raw: &str,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<IdTokenClaims, VerifyError> {
        let mut validation = Validation::new(alg);
        // Claims are checked above, against the injected clock; here only the signature.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        validation.leeway = 0;
        let mut last = VerifyError::Signature;
        for key in self.keys.candidates(self.http, kid, alg).await? {
            let Ok(decoding_key) = DecodingKey::from_jwk(&key) else { continue };
            match jsonwebtoken::decode::<IdTokenClaims>(raw, &decoding_key, &validation) {
                Ok(data) => return Ok(data.claims),
                Err(err) => {
                    last = match err.kind() {
                        jsonwebtoken::errors::ErrorKind::InvalidSignature => VerifyError::Signature,
                        jsonwebtoken::errors::ErrorKind::Json(e) => VerifyError::Malformed(
                            Message::new("jwt-claims").message("problem", crate::untrusted::json_problem(e)),
                        ),
                        other => VerifyError::Malformed(Message::verbatim(format!("{other:?}"))),
                    }
                }
            }
        }
        Err(last)
    }
}

/// The `alg` of a compact JWS, read without trusting anything else in it.
pub(crate) fn header_alg(raw: &str) -> Result<String, VerifyError> {
    let encoded = raw.split('.').next().unwrap_or_default();
    if raw.split('.').count() != 3 {
        return Err(VerifyError::Malformed(Message::new("jwt-not-three-parts")));
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| VerifyError::Malformed(Message::new("jwt-header-not-base64url")))?;
    #[derive(Deserialize)]
    struct Header {
        alg: String,
    }
    serde_json::from_slice::<Header>(&bytes)
        .map(|h| h.alg)
        .map_err(|_| VerifyError::Malformed(Message::new("jwt-no-alg")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use chrono::TimeZone;
    use jsonwebtoken::{EncodingKey, Header};
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::traits::PublicKeyParts;
    use serde_json::json;

    const ISSUER: &str = "https://cells.example.com/oidc/";

    struct Signer {
        encoding: EncodingKey,
        jwk: Jwk,
    }

    fn signer(kid: &str) -> Signer {
        let mut rng = rand08();
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let der = private.to_pkcs1_der().unwrap();
        let b64 = |bytes: Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let jwk: Jwk = serde_json::from_value(json!({
            "kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
            "n": b64(private.n().to_bytes_be()), "e": b64(private.e().to_bytes_be()),
        }))
        .unwrap();
        Signer { encoding: EncodingKey::from_rsa_der(der.as_bytes()), jwk }
    }

    fn rand08() -> rsa::rand_core::OsRng {
        rsa::rand_core::OsRng
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 6, 7, 8, 9).unwrap()
    }

    fn claims() -> serde_json::Value {
        json!({
            "iss": ISSUER, "sub": "u-1", "aud": "cells-sync", "exp": now().timestamp() + 3600,
            "iat": now().timestamp(), "name": "alice", "email": "alice@example.com", "authSource": "pydio",
        })
    }

    fn sign(signer: &Signer, kid: &str, claims: &serde_json::Value) -> IdToken {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_string());
        IdToken::new(jsonwebtoken::encode(&header, claims, &signer.encoding).unwrap())
    }

    async fn verify_with(
        keys: &JwksCache,
        token: &IdToken,
        nonce: NonceCheck<'_>,
    ) -> Result<IdTokenClaims, VerifyError> {
        let http = crate::http::client().unwrap();
        let clock = FakeClock::at(now());
        IdTokenVerifier { http: &http, keys, issuer: ISSUER, client_id: "cells-sync", clock: &clock }
            .verify(token, nonce)
            .await
    }

    fn keys(signer: &Signer) -> JwksCache {
        // An unreachable URI: any refetch in these tests fails loudly.
        JwksCache::with_keys("http://127.0.0.1:9/jwks.json", JwkSet { keys: vec![signer.jwk.clone()] })
    }

    const NO_NONCE: NonceCheck<'static> = NonceCheck::Refresh;

    #[tokio::test]
    async fn accepts_a_good_token_and_reads_the_login_from_name() {
        let s = signer("k1");
        let claims = verify_with(&keys(&s), &sign(&s, "k1", &claims()), NO_NONCE).await.unwrap();
        assert_eq!(claims.name.as_deref(), Some("alice"));
        assert_eq!(claims.auth_source.as_deref(), Some("pydio"));
    }

    #[tokio::test]
    async fn rejects_another_issuer_even_by_a_trailing_slash() {
        let s = signer("k1");
        for iss in ["https://evil.example.com/oidc/", "https://cells.example.com/oidc"] {
            let mut c = claims();
            c["iss"] = json!(iss);
            let err = verify_with(&keys(&s), &sign(&s, "k1", &c), NO_NONCE).await.unwrap_err();
            assert!(matches!(err, VerifyError::Issuer { .. }), "{err}");
        }
    }

    #[tokio::test]
    async fn rejects_another_audience_and_checks_azp() {
        let s = signer("k1");
        let mut c = claims();
        c["aud"] = json!(["cells-client"]);
        assert!(matches!(
            verify_with(&keys(&s), &sign(&s, "k1", &c), NO_NONCE).await,
            Err(VerifyError::Audience { .. })
        ));
        c["aud"] = json!(["cells-sync", "other"]);
        assert!(matches!(
            verify_with(&keys(&s), &sign(&s, "k1", &c), NO_NONCE).await,
            Err(VerifyError::AuthorizedParty { .. })
        ));
        c["azp"] = json!("cells-sync");
        assert!(verify_with(&keys(&s), &sign(&s, "k1", &c), NO_NONCE).await.is_ok());
    }

    #[tokio::test]
    async fn exp_and_iat_allow_five_minutes_of_skew() {
        let s = signer("k1");
        let mut c = claims();
        c["exp"] = json!(now().timestamp() - 299);
        assert!(verify_with(&keys(&s), &sign(&s, "k1", &c), NO_NONCE).await.is_ok());
        c["exp"] = json!(now().timestamp() - 301);
        assert!(matches!(verify_with(&keys(&s), &sign(&s, "k1", &c), NO_NONCE).await, Err(VerifyError::Expired(_))));
        let mut c = claims();
        c["iat"] = json!(now().timestamp() + 299);
        assert!(verify_with(&keys(&s), &sign(&s, "k1", &c), NO_NONCE).await.is_ok());
        c["iat"] = json!(now().timestamp() + 301);
        assert!(matches!(
            verify_with(&keys(&s), &sign(&s, "k1", &c), NO_NONCE).await,
            Err(VerifyError::IssuedInFuture(_))
        ));
    }

    #[tokio::test]
    async fn nonce_missing_is_accepted_only_with_pkce_and_wrong_is_rejected() {
        let s = signer("k1");
        let nonce = Nonce::new("n-123");
        let token = sign(&s, "k1", &claims());
        assert!(verify_with(&keys(&s), &token, NonceCheck::SignIn { nonce: &nonce, pkce_used: true }).await.is_ok());
        assert_eq!(
            verify_with(&keys(&s), &token, NonceCheck::SignIn { nonce: &nonce, pkce_used: false }).await,
            Err(VerifyError::MissingNonce)
        );
        let mut c = claims();
        c["nonce"] = json!("n-other");
        let token = sign(&s, "k1", &c);
        assert_eq!(
            verify_with(&keys(&s), &token, NonceCheck::SignIn { nonce: &nonce, pkce_used: true }).await,
            Err(VerifyError::Nonce)
        );
        c["nonce"] = json!("n-123");
        let token = sign(&s, "k1", &c);
        assert!(verify_with(&keys(&s), &token, NonceCheck::SignIn { nonce: &nonce, pkce_used: false }).await.is_ok());
    }

    #[tokio::test]
    async fn rejects_none_and_hmac() {
        let s = signer("k1");
        let b64 = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let none = IdToken::new(format!("{}.{}.", b64(json!({"alg": "none"})), b64(claims())));
        assert_eq!(verify_with(&keys(&s), &none, NO_NONCE).await, Err(VerifyError::Algorithm("none".into())));
        let hmac =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims(), &EncodingKey::from_secret(b"k")).unwrap();
        assert_eq!(
            verify_with(&keys(&s), &IdToken::new(hmac), NO_NONCE).await,
            Err(VerifyError::Algorithm("HS256".into()))
        );
    }

    #[tokio::test]
    async fn rejects_a_signature_from_another_key_with_the_same_id() {
        let s = signer("k1");
        let forger = signer("k1");
        let err = verify_with(&keys(&s), &sign(&forger, "k1", &claims()), NO_NONCE).await.unwrap_err();
        assert_eq!(err, VerifyError::Signature);
    }

    /// Serves `body` as JSON to every request and counts the requests.
    async fn serve_json(body: String) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = count.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buf = vec![0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            }
        });
        (url, count)
    }

    #[tokio::test]
    async fn refetches_the_key_set_once_for_an_unknown_key_id() {
        let old = signer("k1");
        let new = signer("k2");
        let (url, fetches) = serve_json(serde_json::to_string(&JwkSet { keys: vec![new.jwk.clone()] }).unwrap()).await;
        // The cache still holds the key from before the server rotated it.
        let cache = JwksCache::with_keys(url, JwkSet { keys: vec![old.jwk.clone()] });
        assert!(verify_with(&cache, &sign(&new, "k2", &claims()), NO_NONCE).await.is_ok());
        assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 1);
        // A key id the server does not have either: one more fetch, then a clear error.
        let stranger = signer("k3");
        let err = verify_with(&cache, &sign(&stranger, "k3", &claims()), NO_NONCE).await.unwrap_err();
        assert_eq!(err, VerifyError::UnknownKey { kid: "k3".into() });
        assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[test]
    fn debug_of_a_token_is_redacted() {
        let token = IdToken::new("eyJhbGciOi.secret.part");
        assert!(!format!("{token:?}").contains("secret"));
    }

    #[tokio::test]
    async fn any_exp_or_iat_is_a_clear_answer_never_a_panic() {
        let s = signer("k1");
        let now = now().timestamp();
        let max = chrono::DateTime::<Utc>::MAX_UTC.timestamp();
        for (exp, iat, ok) in [
            (json!(max), json!(now), true),
            (json!(max - 1), json!(now), true),
            (json!(i64::MAX), json!(now), false),
            (json!(i64::MIN), json!(now), false),
            (json!(10_000_000_000_000i64), json!(now), false),
            (json!(now + 600), json!(i64::MIN), false),
            (json!(now + 600), json!(i64::MAX), false),
            (json!(now + 600), json!(-1), true),
            (json!(u64::MAX), json!(now), false),
            (json!(1e300), json!(now), false),
            (json!(-0.5), json!(now), false),
        ] {
            let token =
                sign(&s, "k1", &json!({"iss": ISSUER, "aud": "cells-sync", "sub": "u", "exp": exp, "iat": iat}));
            let result = verify_with(&keys(&s), &token, NonceCheck::Refresh).await;
            assert_eq!(result.is_ok(), ok, "exp {exp} iat {iat}: {result:?}");
        }
    }
}
