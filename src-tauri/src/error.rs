//! The error every command returns: a message of the catalog with its
//! values, said in the app's language when it is sent, and serialised as
//! `{code, message}` for the window (`code` is its catalog id, which the
//! window may switch on); a refused certificate comes with `certificate`,
//! which the window turns into its trust dialog.

use cells_auth::certificates::CertificateProblem;
use cells_auth::discovery::DiscoveryError;
use cells_auth::i18n::{Message, Said};
use cells_auth::sign_in::SignInError;
use serde::{Serialize, Serializer};

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    message: Message,
    certificate: Option<Box<CertificateProblem>>,
}

impl Error {
    pub fn new(message: Message) -> Self {
        Self { message, certificate: None }
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
        Self { message: err.message(), certificate }
    }
}

macro_rules! from_said {
    ($($source:ty),*) => {
        $(impl From<$source> for Error {
            fn from(err: $source) -> Self {
                Error::new(err.message())
            }
        })*
    };
}

from_said!(
    cells_auth::discovery::ServerUrlError,
    cells_auth::certificates::FingerprintError,
    cells_auth::manager::ManagerError,
    cells_auth::store::StoreError,
    cells_auth::sign_in::AnswerError
);

impl From<tauri::Error> for Error {
    fn from(err: tauri::Error) -> Self {
        Error::new(Message::verbatim(err))
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Said<'a> {
            code: &'a str,
            message: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            certificate: Option<&'a CertificateProblem>,
        }
        Said { code: &self.message.id, message: self.message.to_string(), certificate: self.certificate.as_deref() }
            .serialize(serializer)
    }
}

pub type Result<T> = std::result::Result<T, Error>;
