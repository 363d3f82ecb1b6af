//! Which certificates a server may present: the system's trust (the
//! default), one exact certificate the user pinned, or a private CA the user
//! gave. The choice is kept with the account and applies to every request to
//! that server (discovery, token, keys, revocation); other servers keep
//! normal verification. Verification is never turned off.
//!
//! When a server's certificate is refused, [`examine`] fetches it once more
//! (through the same proxies) to tell the user what it is: its SHA-256
//! fingerprint, subject, issuer and validity, and how to trust it.

use std::fmt;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use serde::{Deserialize, Serialize};

use crate::i18n::{text, Arg, Message, Said};
use sha2::{Digest, Sha256};

/// A certificate's SHA-256 fingerprint (of its DER encoding), as browsers and
/// `openssl x509 -fingerprint -sha256` show it: `AB:CD:…`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub struct FingerprintError(String);

impl Said for FingerprintError {
    fn message(&self) -> Message {
        Message::new("error-fingerprint").with("input", &self.0)
    }
}

impl Fingerprint {
    pub fn of(der: &[u8]) -> Self {
        Self(Sha256::digest(der).into())
    }

    /// Accepts 64 hex digits in any case, with or without `:` (or spaces)
    /// between the bytes, and an optional `sha256/` or `SHA256:` prefix.
    pub fn parse(text: &str) -> Result<Self, FingerprintError> {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        let digits_part = lower.strip_prefix("sha256/").or_else(|| lower.strip_prefix("sha256:")).unwrap_or(&lower);
        let digits: String = digits_part.chars().filter(|c| *c != ':' && *c != ' ').collect();
        let shown: String = trimmed.chars().take(100).collect();
        if digits.len() != 64 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(FingerprintError(shown));
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).map_err(|_| FingerprintError(shown.clone()))?;
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        f.write_str(&hex.join(":"))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Which certificates a server may present. Not a secret: it is stored in
/// the account file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ServerTrust {
    /// The system's trusted authorities.
    #[default]
    System,
    /// Exactly this certificate, whoever signed it.
    Pinned { sha256: Fingerprint },
    /// Certificates signed by this private CA (PEM), for this server only.
    PrivateCa { pem: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum TrustError {
    Unreadable { path: String, reason: String },
    NoCertificate(String),
    BadAnchor(String),
}

impl Said for TrustError {
    fn message(&self) -> Message {
        match self {
            TrustError::Unreadable { path, reason } => {
                Message::new("error-ca-file-unreadable").with("path", path).with("reason", reason)
            }
            TrustError::NoCertificate(path) => Message::new("error-ca-file-empty").with("path", path),
            TrustError::BadAnchor(reason) => Message::new("error-ca-file-bad-anchor").with("reason", reason),
        }
    }
}

impl ServerTrust {
    pub fn is_system(&self) -> bool {
        matches!(self, Self::System)
    }

    /// Trusts the CA certificates of the PEM file at `path`.
    pub fn private_ca_from_file(path: &std::path::Path) -> Result<Self, TrustError> {
        let shown = path.display().to_string();
        let pem = std::fs::read_to_string(path)
            .map_err(|e| TrustError::Unreadable { path: shown.clone(), reason: e.to_string() })?;
        let trust = Self::PrivateCa { pem };
        match trust.anchors() {
            Ok(anchors) if anchors.is_empty() => Err(TrustError::NoCertificate(shown)),
            Ok(_) => Ok(trust),
            Err(err) => Err(err),
        }
    }

    fn anchors(&self) -> Result<Vec<CertificateDer<'static>>, TrustError> {
        match self {
            Self::PrivateCa { pem } => CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| TrustError::BadAnchor(e.to_string())),
            _ => Ok(Vec::new()),
        }
    }

    /// What the account view says of it, when it is not the system's trust.
    pub fn describe(&self) -> Option<String> {
        match self {
            Self::System => None,
            Self::Pinned { sha256 } => Some(format!("Pinned certificate SHA-256 {sha256}")),
            Self::PrivateCa { .. } => {
                let names: Vec<String> = self
                    .anchors()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|der| CertificateInfo::parse(der).map(|info| info.subject))
                    .collect();
                Some(format!("Private CA {}", names.join(", ")))
            }
        }
    }

    /// The TLS settings that enforce this trust; `None` for the system's,
    /// which the HTTP client sets up itself.
    pub(crate) fn tls_config(&self) -> Result<Option<rustls::ClientConfig>, TrustError> {
        let verifier: Arc<dyn ServerCertVerifier> = match self {
            Self::System => return Ok(None),
            Self::Pinned { sha256 } => Arc::new(PinnedCertificate { pin: *sha256, provider: provider() }),
            Self::PrivateCa { .. } => {
                let mut roots = rustls::RootCertStore::empty();
                for anchor in self.anchors()? {
                    roots.add(anchor).map_err(|e| TrustError::BadAnchor(e.to_string()))?;
                }
                rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
                    .build()
                    .map_err(|e| TrustError::BadAnchor(e.to_string()))?
            }
        };
        Ok(Some(config_with(verifier)))
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn config_with(verifier: Arc<dyn ServerCertVerifier>) -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .dangerous() // a custom verifier, which still verifies; rustls calls every custom one "dangerous"
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth()
}

/// Accepts exactly one certificate, by fingerprint; the handshake's
/// signature is still checked against its key, so only the holder of that
/// certificate's private key passes.
#[derive(Debug)]
struct PinnedCertificate {
    pin: Fingerprint,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // The user checked and trusted this exact certificate: its name and
        // dates were shown to them, and any other certificate is refused.
        if Fingerprint::of(end_entity) == self.pin {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// Records the certificate a server presents and refuses it: used only to
/// show the user what they are asked to trust, never to send anything.
#[derive(Debug)]
struct Recorder {
    seen: Mutex<Option<CertificateDer<'static>>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(end_entity.clone().into_owned());
        Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
    }

    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// What a user is shown of a certificate before trusting it. Its names come
/// from the server and are cleaned like any server text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateInfo {
    pub sha256: Fingerprint,
    pub subject: String,
    pub issuer: String,
    pub not_before: Option<chrono::DateTime<chrono::Utc>>,
    pub not_after: Option<chrono::DateTime<chrono::Utc>>,
    /// When it is valid, said in the current language and this computer's
    /// time zone (`certificate-validity`).
    pub validity: String,
}

impl CertificateInfo {
    pub fn parse(der: &[u8]) -> Option<Self> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let moment = |time: x509_parser::time::ASN1Time| chrono::DateTime::from_timestamp(time.timestamp(), 0);
        let (not_before, not_after) = (moment(cert.validity().not_before), moment(cert.validity().not_after));
        let said = |at: Option<chrono::DateTime<chrono::Utc>>, raw: x509_parser::time::ASN1Time| {
            at.map_or_else(|| Message::verbatim(raw), |at| Message::new("verbatim").time("text", at))
        };
        let validity = Message::new("certificate-validity")
            .message("from", said(not_before, cert.validity().not_before))
            .message("to", said(not_after, cert.validity().not_after))
            .to_string();
        Some(Self {
            sha256: Fingerprint::of(der),
            subject: crate::untrusted::server_text(&cert.subject().to_string(), &[]),
            issuer: crate::untrusted::server_text(&cert.issuer().to_string(), &[]),
            not_before,
            not_after,
            validity,
        })
    }
}

/// Its details, one per line, the values aligned after the labels.
impl fmt::Display for CertificateInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = [
            ("SHA-256:".to_string(), self.sha256.to_string()),
            (text("certificate-subject", &[]), self.subject.clone()),
            (text("certificate-issuer", &[]), self.issuer.clone()),
            (text("certificate-valid", &[]), self.validity.clone()),
        ];
        let width = lines.iter().map(|(label, _)| label.chars().count()).max().unwrap_or(0) + 2;
        for (index, (label, value)) in lines.iter().enumerate() {
            let newline = if index + 1 < lines.len() { "\n" } else { "" };
            write!(f, "  {label:<width$}{value}{newline}")?;
        }
        Ok(())
    }
}

/// A server's certificate was refused, with what it is and how to go on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CertificateProblem {
    /// Not signed by an authority trusted for this server.
    Untrusted { server: String, reason: String, certificate: CertificateInfo },
    /// Another certificate than the one pinned for this server.
    Changed { server: String, pinned: Fingerprint, certificate: CertificateInfo },
}

impl Said for CertificateProblem {
    fn message(&self) -> Message {
        match self {
            CertificateProblem::Untrusted { server, reason, certificate } => {
                Message::new("error-certificate-untrusted")
                    .with("server", server)
                    .with("reason", reason)
                    .with("certificate", certificate)
                    .with("fingerprint", certificate.sha256)
            }
            CertificateProblem::Changed { server, pinned, certificate } => Message::new("error-certificate-changed")
                .with("server", server)
                .with("pinned", pinned)
                .with("certificate", certificate)
                .with("fingerprint", certificate.sha256),
        }
    }
}

impl CertificateProblem {
    /// The certificate the server presented.
    pub fn certificate(&self) -> &CertificateInfo {
        match self {
            Self::Untrusted { certificate, .. } | Self::Changed { certificate, .. } => certificate,
        }
    }
}

/// Why a certificate was refused, in words.
/// Why a certificate was refused, in words, in the current language (it
/// is said at once, never kept).
pub fn refusal_reason(why: &CertificateError) -> String {
    let said = |id: &str| text(id, &[]);
    match why {
        CertificateError::UnknownIssuer => said("certificate-unknown-issuer"),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => said("certificate-expired"),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            said("certificate-not-yet-valid")
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            said("certificate-wrong-name")
        }
        CertificateError::ApplicationVerificationFailure => said("certificate-not-the-pinned-one"),
        CertificateError::Other(other) if other.to_string().contains("CaUsedAsEndEntity") => {
            said("certificate-self-signed")
        }
        CertificateError::Other(other) => {
            text("certificate-unverifiable", &[("reason", Arg::Text(&other.to_string()))])
        }
        other => text("certificate-unverifiable", &[("reason", Arg::Text(&format!("{other:?}")))]),
    }
}

/// Fetches the certificate `url`'s server presents, through a client of
/// `settings` (the same proxies as every request), and says what is wrong
/// with it under `trust`; `None` when it cannot be fetched or would pass.
pub async fn examine(
    settings: reqwest::ClientBuilder,
    url: &str,
    server: &str,
    trust: &ServerTrust,
    reason: String,
) -> Option<CertificateProblem> {
    let recorder = Arc::new(Recorder { seen: Mutex::new(None), provider: provider() });
    let client = settings.use_preconfigured_tls(config_with(recorder.clone())).build().ok()?;
    let _refused = client.head(url).send().await;
    let der = recorder.seen.lock().unwrap_or_else(|e| e.into_inner()).take()?;
    let certificate = CertificateInfo::parse(&der)?;
    let server = server.to_string();
    match trust {
        ServerTrust::Pinned { sha256 } if *sha256 == certificate.sha256 => None,
        ServerTrust::Pinned { sha256 } => Some(CertificateProblem::Changed { server, pinned: *sha256, certificate }),
        _ => Some(CertificateProblem::Untrusted { server, reason, certificate }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_read_as_users_copy_them() {
        let colons = "AB:".repeat(31) + "AB";
        let fp = Fingerprint::parse(&colons).unwrap();
        assert_eq!(fp.to_string(), colons);
        assert_eq!(Fingerprint::parse(&"ab".repeat(32)).unwrap(), fp);
        assert_eq!(Fingerprint::parse(&format!("  sha256/{}\n", "Ab".repeat(32))).unwrap(), fp);
        for bad in ["", "AB:CD", &"zz".repeat(32), &"ab".repeat(33)] {
            assert!(Fingerprint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_trust_is_stored_as_text_and_read_back() {
        let trust = ServerTrust::Pinned { sha256: Fingerprint::of(b"certificate") };
        let json = serde_json::to_string(&trust).unwrap();
        assert!(json.contains(&Fingerprint::of(b"certificate").to_string()), "{json}");
        assert_eq!(serde_json::from_str::<ServerTrust>(&json).unwrap(), trust);
        assert_eq!(serde_json::from_str::<ServerTrust>(r#"{"kind":"system"}"#).unwrap(), ServerTrust::System);
    }

    #[test]
    fn a_ca_file_without_a_certificate_is_refused_with_its_name() {
        let dir = std::env::temp_dir().join(format!("cells-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("not-a-ca.pem");
        std::fs::write(&file, "hello").unwrap();
        let err = ServerTrust::private_ca_from_file(&file).unwrap_err();
        assert!(matches!(err, TrustError::NoCertificate(_)), "{err}");
        assert!(matches!(
            ServerTrust::private_ca_from_file(&dir.join("missing.pem")),
            Err(TrustError::Unreadable { .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
