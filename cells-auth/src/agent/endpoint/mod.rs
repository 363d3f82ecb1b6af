//! Where the agent listens, and who may talk to it: the one part of the
//! agent that differs between systems. Each version gives the same three
//! things:
//!
//! - [`Listener`]: bound without a runtime (the app binds in its set-up),
//!   the only one for this user (a second one is [`AgentError::AlreadyRunning`]);
//!   its `accept` says whether the peer is this same user;
//! - [`address`]: where this user's agent is, as shown to people;
//! - [`exchange`]: a client's one request line and one answer line, blocking
//!   and bounded, and only with an agent of this same user.
//!
//! | system | where | who may ask |
//! |---|---|---|
//! | Linux (`linux.rs`) | `$XDG_RUNTIME_DIR/cells-auth/agent.sock`, or the socket systemd passes | `SO_PEERCRED` uid |
//! | macOS (`macos.rs`) | `$TMPDIR/cells-auth/agent.sock` (the user's own temporary directory) | `getpeereid` uid |
//! | Windows (`windows.rs`) | `\\.\pipe\cells-auth-<user SID>` | the pipe's DACL, and the client's process token |
//!
//! Linux and macOS share the Unix socket code (`unix.rs`).

use std::time::Duration;

#[cfg(unix)]
mod unix;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as system;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as system;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as system;

pub use system::{address, exchange, Listener};

pub(super) use super::server::AgentError;

/// Who connected: this user, or someone else as the system names them (for the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    ThisUser,
    Other(String),
}

/// A client that says nothing is cut off after this.
pub(super) const READ_TIMEOUT: Duration = Duration::from_secs(5);
