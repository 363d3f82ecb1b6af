//! macOS: a Unix socket in the user's own temporary directory (`$TMPDIR`,
//! which launchd makes per user and private), checked with `getpeereid`.
//! There is no systemd to pass a socket.

use std::path::PathBuf;
use std::time::Duration;

pub use super::unix::Listener;
use super::unix::{current_uid, exchange_at, socket_in};
use super::AgentError;

fn socket_dir() -> PathBuf {
    match std::env::var_os("TMPDIR") {
        Some(dir) => PathBuf::from(dir).join("cells-auth"),
        // A shared /tmp: a name of this user's, still held to mode 0700.
        None => std::env::temp_dir().join(format!("cells-auth-{}", current_uid())),
    }
}

/// Where this user's agent listens.
pub fn address() -> String {
    socket_in(&socket_dir()).display().to_string()
}

impl Listener {
    /// Takes this user's agent socket, or says that another agent has it.
    pub fn bind() -> Result<Self, AgentError> {
        Self::bind_in(&socket_dir())
    }
}

/// One request line to this user's agent, and its answer line.
pub fn exchange(line: &str, timeout: Duration, max: u64) -> Option<String> {
    exchange_at(&socket_in(&socket_dir()), line, timeout, max)
}
