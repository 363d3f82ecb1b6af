//! The error every command returns: one sentence a user can act on,
//! serialised as a string for the window; a refused certificate comes as
//! `{message, certificate}`, which the window turns into its trust dialog.

use cells_auth::certificates::CertificateProblem;
use cells_auth::discovery::DiscoveryError;
use cells_auth::sign_in::SignInError;
use serde::{Serialize, Serializer};

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    message: String,
    certificate: Option<Box<CertificateProblem>>,
}

impl Error {
    pub fn new(message: impl std::fmt::Display) -> Self {
        Self { message: message.to_string(), certificate: None }
    }

    /// The refused certificate, when that is why it failed.
    pub fn certificate(&self) -> Option<&CertificateProblem> {
        self.certificate.as_deref()
    }
}

impl From<SignInError> for Error {
    fn from(err: SignInError) -> Self {
        let certificate = match &err {
            SignInError::Discovery(DiscoveryError::Certificate(problem)) => Some(problem.clone()),
            _ => None,
        };
        Self { message: err.to_string(), certificate }
    }
}

macro_rules! from_display {
    ($($source:ty),*) => {
        $(impl From<$source> for Error {
            fn from(err: $source) -> Self {
                Error::new(err)
            }
        })*
    };
}

from_display!(
    cells_auth::discovery::ServerUrlError,
    cells_auth::certificates::FingerprintError,
    cells_auth::manager::ManagerError,
    cells_auth::store::StoreError,
    tauri::Error
);

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct WithCertificate<'a> {
            message: &'a str,
            certificate: &'a CertificateProblem,
        }
        match &self.certificate {
            None => serializer.serialize_str(&self.message),
            Some(certificate) => WithCertificate { message: &self.message, certificate }.serialize(serializer),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
