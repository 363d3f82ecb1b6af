//! The token agent: one process per user keeps the accounts' tokens in
//! memory, fresh, and hands out access tokens on a local endpoint, so that a
//! script's `cells-auth token` is answered without a keyring session or a
//! TLS client. `cells-auth agent` runs it in the foreground; the desktop app
//! runs the same one inside itself.
//!
//! - The endpoint is the system's (`endpoint/`): a Unix socket in a
//!   directory of mode 0700 of the user's on Linux and macOS, a named pipe
//!   that admits only the user on Windows. The agent answers only peers of
//!   its own user, and a client talks only to an agent of its own user.
//! - It hands out access tokens and nothing else: the protocol has no other
//!   question.
//! - One request per connection, one JSON line each way.

mod client;
mod endpoint;
mod server;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use client::ask_token;
pub use endpoint::address;
pub use server::{Agent, AgentError};

use crate::manager::ManagerError;
use crate::store::LookupError;

/// A request or an answer longer than this is not one of ours.
const MAX_LINE: u64 = 64 * 1024;

/// What an agent says of a line it cannot read as a request: from a newer
/// client (a question it does not know yet), the direct path answers instead.
const NOT_A_REQUEST: &str = "not a token request";

/// The one question: an access token for the account `account` names (or
/// the only one), from the accounts of the store at `store`; with
/// `rejected`, one newer than the token a server refused.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    account: Option<String>,
    /// The account directory the asker uses: an agent of another store
    /// (`CELLS_AUTH_CONFIG_DIR`) says so instead of answering for its own.
    store: PathBuf,
    /// The token a server refused (401): replaced only if it is still the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rejected: Option<String>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("account", &self.account)
            .field("store", &self.store)
            .field("rejected", &self.rejected.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// An answer. Its token is the one secret the agent ever sends.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    Token {
        token: String,
        /// When the server says it expires (absent from agents before it was added).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// What `cells-auth token` prints and exits with, as the direct path would.
    Failed { code: u8, message: String },
    /// The agent keeps another store's accounts.
    OtherStore,
    /// The agent does not answer this peer.
    Refused { message: String },
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Token { .. } => f.write_str("Token([redacted])"),
            Answer::Failed { code, message } => write!(f, "Failed({code}, {message:?})"),
            Answer::OtherStore => f.write_str("OtherStore"),
            Answer::Refused { message } => write!(f, "Refused({message:?})"),
        }
    }
}

/// Exit codes of a token request, the same from the agent and the direct path.
pub mod exit {
    pub const FAILURE: u8 = 1;
    /// The account needs a new sign-in in the browser.
    pub const NEEDS_SIGN_IN: u8 = 2;
}

/// What a failed token request says and exits with, wherever it was answered.
pub fn token_failure(err: &ManagerError) -> (u8, String) {
    match err {
        ManagerError::NeedsReauth { server, .. } => {
            (exit::NEEDS_SIGN_IN, format!("{err}: run `cells-auth login {server}`"))
        }
        _ => (exit::FAILURE, err.to_string()),
    }
}

/// The same for an account that cannot be named.
pub fn lookup_failure(err: &LookupError) -> (u8, String) {
    (exit::FAILURE, err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_s_token_never_reaches_debug_output() {
        let answer = Answer::Token { token: "SECRET-ACCESS-TOKEN".into(), expires_at: None };
        assert_eq!(format!("{answer:?}"), "Token([redacted])");
    }

    #[test]
    fn a_request_for_anything_but_an_access_token_does_not_parse() {
        // The protocol has one question; a refresh token cannot be asked for.
        for line in [r#"{"op":"refresh_token","store":"/x"}"#, r#"{"account":null}"#, "not json"] {
            assert!(serde_json::from_str::<Request>(line).is_err(), "{line}");
        }
        let asked: Request = serde_json::from_str(r#"{"account":"alice","store":"/x"}"#).unwrap();
        assert_eq!(asked, Request { account: Some("alice".into()), store: "/x".into(), rejected: None });
    }

    #[test]
    fn a_refused_token_in_a_request_never_reaches_debug_output() {
        let request = Request { account: None, store: "/x".into(), rejected: Some("REFUSED-TOKEN".into()) };
        assert!(!format!("{request:?}").contains("REFUSED-TOKEN"));
    }
}
