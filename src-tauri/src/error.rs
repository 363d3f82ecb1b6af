//! The error every command returns: one sentence a user can act on,
//! serialised as a string for the window.

use serde::{Serialize, Serializer};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Error(pub String);

impl Error {
    pub fn new(message: impl std::fmt::Display) -> Self {
        Self(message.to_string())
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
    cells_auth::sign_in::SignInError,
    cells_auth::manager::ManagerError,
    cells_auth::store::StoreError,
    tauri::Error
);

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

pub type Result<T> = std::result::Result<T, Error>;
