//! The agent on a Unix socket (Linux and macOS): a directory of mode 0700
//! that is this user's, a lock file beside the socket that makes the agent
//! the only one, and the kernel's word for who connected (`SO_PEERCRED` on
//! Linux, `getpeereid` on macOS; tokio's `peer_cred` asks the right one).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{AgentError, Peer};
pub(super) use crate::store::current_uid;

const SOCKET_NAME: &str = "agent.sock";
const LOCK_NAME: &str = "agent.lock";

pub type Stream = tokio::net::UnixStream;

/// The directory is this user's alone (mode 0700): nobody else can put a
/// socket there or reach ours.
pub(super) fn is_private(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::symlink_metadata(dir)
        .is_ok_and(|meta| meta.is_dir() && meta.uid() == current_uid() && meta.mode() & 0o077 == 0)
}

pub(super) fn socket_in(dir: &Path) -> PathBuf {
    dir.join(SOCKET_NAME)
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> AgentError {
    let what = path.display().to_string();
    move |source| AgentError::Io { action, what, source }
}

/// A bound agent socket, and the lock that makes it the only one.
#[derive(Debug)]
pub struct Listener {
    // A std listener, so that binding needs no runtime; made async at the first accept.
    bound: Option<std::os::unix::net::UnixListener>,
    listening: Option<tokio::net::UnixListener>,
    path: PathBuf,
    // A socket we bound is removed when we stop; one systemd passed us is its own.
    owns_path: bool,
    // Held while the agent runs: a second one finds it taken.
    _lock: std::fs::File,
}

impl Listener {
    pub(super) fn bind_in(dir: &Path) -> Result<Self, AgentError> {
        let mut builder = std::fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.recursive(true).create(dir) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(io("io-create", dir)(err)),
        }
        if !is_private(dir) {
            return Err(AgentError::UnsafeDir(dir.to_path_buf()));
        }
        let path = socket_in(dir);
        // Something listening there is an agent, or systemd holding the
        // socket for one (which this connection starts): it answers instead.
        if std::os::unix::net::UnixStream::connect(&path).is_ok() {
            return Err(AgentError::AlreadyRunning(path.display().to_string()));
        }
        let lock = take_lock(dir, &path)?;
        // Under the lock, and with nobody listening, a socket left there is a dead agent's.
        let _ = std::fs::remove_file(&path);
        let listener = std::os::unix::net::UnixListener::bind(&path).map_err(io("io-bind", &path))?;
        listener.set_nonblocking(true).map_err(io("io-bind", &path))?;
        Ok(Self { bound: Some(listener), listening: None, path, owns_path: true, _lock: lock })
    }

    /// An agent on a socket someone else bound for it at `path` (systemd),
    /// in a directory held to the same rules as one we make.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(super) fn adopt(listener: std::os::unix::net::UnixListener, path: PathBuf) -> Result<Self, AgentError> {
        let dir = path.parent().unwrap_or(Path::new("/"));
        if !is_private(dir) {
            return Err(AgentError::UnsafeDir(dir.to_path_buf()));
        }
        let lock = take_lock(dir, &path)?;
        listener.set_nonblocking(true).map_err(io("io-bind", &path))?;
        Ok(Self { bound: Some(listener), listening: None, path, owns_path: false, _lock: lock })
    }

    pub fn address(&self) -> String {
        self.path.display().to_string()
    }

    /// The next connection, and who the kernel says it is.
    pub async fn accept(&mut self) -> std::io::Result<(Stream, Peer)> {
        if let Some(bound) = self.bound.take() {
            self.listening = Some(tokio::net::UnixListener::from_std(bound)?);
        }
        let listener = self.listening.as_ref().ok_or_else(|| std::io::Error::other("the agent's socket is closed"))?;
        let (stream, _) = listener.accept().await?;
        let peer = match stream.peer_cred() {
            Ok(peer) if peer.uid() == current_uid() => Peer::ThisUser,
            Ok(peer) => Peer::Other(format!("uid={}", peer.uid())),
            Err(err) => Peer::Other(format!("unknown ({err})")),
        };
        Ok((stream, peer))
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if self.owns_path {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The lock file beside the socket, taken for as long as the agent runs.
fn take_lock(dir: &Path, socket: &Path) -> Result<std::fs::File, AgentError> {
    let lock_path = dir.join(LOCK_NAME);
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let lock = options.open(&lock_path).map_err(io("io-open", &lock_path))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(AgentError::AlreadyRunning(socket.display().to_string())),
        Err(std::fs::TryLockError::Error(err)) => Err(io("io-lock", &lock_path)(err)),
    }
}

/// One line to the agent at `path` and one line back, within `timeout`;
/// `None` unless its directory is this user's alone.
pub(super) fn exchange_at(path: &Path, line: &str, timeout: Duration, max: u64) -> Option<String> {
    if !is_private(path.parent()?) {
        return None;
    }
    let mut stream = std::os::unix::net::UnixStream::connect(path).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    stream.write_all(line.as_bytes()).ok()?;
    let mut answer = String::new();
    BufReader::new(stream.take(max)).read_line(&mut answer).ok()?;
    Some(answer)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::DirBuilderExt as _;

    use super::*;

    #[tokio::test]
    async fn a_second_agent_for_the_same_user_refuses_to_start() {
        let dir = std::env::temp_dir().join(format!("cells-agent-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = Listener::bind_in(&dir).unwrap();
        assert!(socket_in(&dir).exists());
        let second = Listener::bind_in(&dir).unwrap_err();
        assert!(matches!(second, AgentError::AlreadyRunning(_)), "{second}");
        drop(first);
        // Its socket is gone with it, and a new agent may start.
        assert!(!socket_in(&dir).exists());
        let third = Listener::bind_in(&dir).unwrap();
        drop(third);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_socket_someone_listens_on_is_left_to_them() {
        // As systemd holds cells-auth-agent.socket before any agent runs: no lock, a listener.
        let dir = std::env::temp_dir().join(format!("cells-agent-held-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::DirBuilder::new().mode(0o700).create(&dir).unwrap();
        let held = std::os::unix::net::UnixListener::bind(socket_in(&dir)).unwrap();
        let refused = Listener::bind_in(&dir).unwrap_err();
        assert!(matches!(refused, AgentError::AlreadyRunning(_)), "{refused}");
        assert!(socket_in(&dir).exists(), "the listening socket is not replaced");
        drop(held);
        // Nobody listening any more: the file left behind is taken over.
        drop(Listener::bind_in(&dir).unwrap());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_directory_others_can_enter_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("cells-agent-open-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(matches!(Listener::bind_in(&dir), Err(AgentError::UnsafeDir(_))));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn the_peer_of_a_connection_is_this_user() {
        let dir = std::env::temp_dir().join(format!("cells-agent-peer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut listener = Listener::bind_in(&dir).unwrap();
        let client = tokio::net::UnixStream::connect(socket_in(&dir));
        let (accepted, connected) = tokio::join!(listener.accept(), client);
        connected.unwrap();
        assert_eq!(accepted.unwrap().1, Peer::ThisUser, "our own connection is this user's");
        drop(listener);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
