//! Linux: a Unix socket in the user's runtime directory, checked with
//! `SO_PEERCRED`; or, started by systemd's socket activation
//! (`cells-auth-agent.socket`), the listening socket systemd passes.

use std::path::PathBuf;
use std::time::Duration;

pub use super::unix::Listener;
use super::unix::{current_uid, exchange_at, socket_in};
use super::AgentError;

fn socket_dir() -> PathBuf {
    match dirs::runtime_dir() {
        Some(dir) => dir.join("cells-auth"),
        None => std::env::temp_dir().join(format!("cells-auth-{}", current_uid())),
    }
}

/// Where this user's agent listens: `$XDG_RUNTIME_DIR/cells-auth/agent.sock`,
/// or a directory of this user's in the temporary directory where there is
/// no runtime directory.
pub fn address() -> String {
    socket_in(&socket_dir()).display().to_string()
}

impl Listener {
    /// Takes this user's agent socket, or says that another agent has it.
    /// Started by systemd's socket activation, it answers on the listening
    /// socket systemd passed instead.
    pub fn bind() -> Result<Self, AgentError> {
        match activation::listener() {
            Some((listener, path)) => Self::adopt(listener, path),
            None => Self::bind_in(&socket_dir()),
        }
    }
}

/// One request line to this user's agent, and its answer line.
pub fn exchange(line: &str, timeout: Duration, max: u64) -> Option<String> {
    exchange_at(&socket_in(&socket_dir()), line, timeout, max)
}

/// systemd's socket activation (`sd_listen_fds(3)`): the listening sockets
/// start at fd 3, `LISTEN_FDS` says how many and `LISTEN_PID` for whom.
mod activation {
    use std::os::fd::{FromRawFd as _, RawFd};

    const FIRST_FD: RawFd = 3;

    /// The listening Unix stream socket systemd passed to this process, and
    /// the path it listens at, if it passed one.
    pub(super) fn listener() -> Option<(std::os::unix::net::UnixListener, std::path::PathBuf)> {
        // Variables inherited from a parent that was activated are not for us.
        if std::env::var("LISTEN_PID").ok()?.parse::<u32>().ok()? != std::process::id() {
            return None;
        }
        let count = std::env::var("LISTEN_FDS").ok()?.parse::<u32>().ok()?;
        if count != 1 || !is_listening_unix_stream(FIRST_FD) {
            tracing::warn!("agent: the sockets passed are not one listening Unix socket; binding our own");
            return None;
        }
        // SAFETY: fd 3 is ours (passed to this pid), checked to be a listening
        // Unix stream socket, and taken exactly once; not inherited by children.
        let listener = unsafe {
            libc::fcntl(FIRST_FD, libc::F_SETFD, libc::FD_CLOEXEC);
            std::os::unix::net::UnixListener::from_raw_fd(FIRST_FD)
        };
        match listener.local_addr().ok().and_then(|address| address.as_pathname().map(std::path::Path::to_path_buf)) {
            Some(path) => Some((listener, path)),
            None => {
                tracing::warn!("agent: the socket passed has no path; binding our own");
                None
            }
        }
    }

    fn is_listening_unix_stream(fd: RawFd) -> bool {
        let option = |name: libc::c_int| {
            let mut value: libc::c_int = 0;
            let mut size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
            // SAFETY: getsockopt writes at most `size` bytes into `value`.
            let done = unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, name, (&raw mut value).cast(), &mut size) };
            (done == 0).then_some(value)
        };
        option(libc::SO_DOMAIN) == Some(libc::AF_UNIX)
            && option(libc::SO_TYPE) == Some(libc::SOCK_STREAM)
            && option(libc::SO_ACCEPTCONN) == Some(1)
    }
}
