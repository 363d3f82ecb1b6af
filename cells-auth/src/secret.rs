//! Newtypes for the secrets `oauth2` has no type for: the ID token and the
//! nonce. (Access and refresh tokens, codes, PKCE verifiers and state are
//! `oauth2`'s own secret types, with the same redacted `Debug`.)
//!
//! Their `Debug` prints `[redacted]` and they have no `Display`, so a secret
//! cannot reach a log line or an error message by accident.

/// Declares a secret string newtype.
macro_rules! secret_string {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret value itself; use it only to send it where it belongs.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

/// Compares two byte strings in time independent of where they differ, so a
/// forged `state` learns nothing from how fast it is rejected.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh random value of `bytes` bytes, base64url without padding.
pub(crate) fn random_urlsafe(bytes: usize) -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&buf)
}

#[cfg(test)]
mod tests {
    secret_string!(Example);

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Example::new("hunter2-token");
        assert_eq!(secret.secret(), "hunter2-token");
        let printed = format!("{secret:?} {:?}", Some(&secret));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn constant_time_eq_compares_content_and_length() {
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn random_values_are_fresh_and_urlsafe() {
        let a = super::random_urlsafe(32);
        let b = super::random_urlsafe(32);
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
}
