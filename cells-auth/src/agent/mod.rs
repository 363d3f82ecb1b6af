//! The token agent: one process per user keeps the accounts' tokens in
//! memory, fresh, and hands out access tokens on a Unix socket, so that a
//! script's `cells-auth token` is answered without a keyring session or a
//! TLS client. `cells-auth agent` runs it in the foreground; the desktop app
//! runs the same one inside itself.
//!
//! - The socket is `$XDG_RUNTIME_DIR/cells-auth/agent.sock`, in a directory
//!   of mode 0700 that belongs to the user; the agent answers only peers of
//!   its own uid (`SO_PEERCRED`), and a client talks only to an agent whose
//!   directory is its own.
//! - It hands out access tokens and nothing else: the protocol has no other
//!   question.
//! - One request per connection, one JSON line each way.

mod client;
mod server;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use client::ask_token;
pub use server::{Agent, AgentError};

use crate::manager::ManagerError;
use crate::store::LookupError;

const SOCKET_NAME: &str = "agent.sock";
const LOCK_NAME: &str = "agent.lock";
/// A request or an answer longer than this is not one of ours.
const MAX_LINE: u64 = 64 * 1024;

/// Where this user's agent listens: `$XDG_RUNTIME_DIR/cells-auth/agent.sock`,
/// or a directory of this user's in the temporary directory where there is
/// no runtime directory.
pub fn socket_path() -> PathBuf {
    socket_dir().join(SOCKET_NAME)
}

fn socket_dir() -> PathBuf {
    match dirs::runtime_dir() {
        Some(dir) => dir.join("cells-auth"),
        None => std::env::temp_dir().join(format!("cells-auth-{}", current_uid())),
    }
}

pub(crate) fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    #[cfg(unix)]
    unsafe {
        libc::geteuid()
    }
    #[cfg(not(unix))]
    0
}

/// The directory is this user's alone (mode 0700): nobody else can put a
/// socket there or reach ours.
fn is_private(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::symlink_metadata(dir)
        .is_ok_and(|meta| meta.is_dir() && meta.uid() == current_uid() && meta.mode() & 0o077 == 0)
}

/// The one question: an access token for the account `account` names (or
/// the only one), from the accounts of the store at `store`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    account: Option<String>,
    /// The account directory the asker uses: an agent of another store
    /// (`CELLS_AUTH_CONFIG_DIR`) says so instead of answering for its own.
    store: PathBuf,
}

/// An answer. Its token is the one secret the agent ever sends.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    Token {
        token: String,
    },
    /// What `cells-auth token` prints and exits with, as the direct path would.
    Failed {
        code: u8,
        message: String,
    },
    /// The agent keeps another store's accounts.
    OtherStore,
    /// The agent does not answer this peer.
    Refused {
        message: String,
    },
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
        let answer = Answer::Token { token: "SECRET-ACCESS-TOKEN".into() };
        assert_eq!(format!("{answer:?}"), "Token([redacted])");
    }

    #[test]
    fn a_request_for_anything_but_an_access_token_does_not_parse() {
        // The protocol has one question; a refresh token cannot be asked for.
        for line in [r#"{"op":"refresh_token","store":"/x"}"#, r#"{"account":null}"#, "not json"] {
            assert!(serde_json::from_str::<Request>(line).is_err(), "{line}");
        }
        let asked: Request = serde_json::from_str(r#"{"account":"alice","store":"/x"}"#).unwrap();
        assert_eq!(asked, Request { account: Some("alice".into()), store: "/x".into() });
    }
}
