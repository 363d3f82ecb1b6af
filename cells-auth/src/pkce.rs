//! Proof Key for Code Exchange, S256 only (RFC 7636).

use base64::Engine as _;
use sha2::{Digest, Sha256};

secret_string!(
    /// The PKCE code verifier: 43-128 unreserved characters (RFC 7636 4.1).
    PkceVerifier
);

impl PkceVerifier {
    /// A fresh verifier from 32 random bytes, as RFC 7636 4.1 recommends.
    pub fn generate() -> Self {
        Self::new(crate::secret::random_urlsafe(32))
    }

    /// `BASE64URL(SHA256(ASCII(code_verifier)))` (RFC 7636 4.2).
    pub fn challenge(&self) -> PkceChallenge {
        let digest = Sha256::digest(self.secret().as_bytes());
        PkceChallenge(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest))
    }
}

/// The S256 code challenge; public, it travels in the authorization URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkceChallenge(String);

impl PkceChallenge {
    pub const METHOD: &'static str = "S256";

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_matches_rfc7636_appendix_b() {
        let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(verifier.challenge().as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn generated_verifier_is_43_unreserved_characters_and_fresh() {
        let a = PkceVerifier::generate();
        let b = PkceVerifier::generate();
        assert_eq!(a.secret().len(), 43);
        assert!(a.secret().bytes().all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c)));
        assert_ne!(a, b);
    }
}
