//! The agent's side: one per user (a lock file says who), answering peers of
//! its own uid only.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{UnixListener, UnixStream};

use super::{
    current_uid, is_private, lookup_failure, socket_dir, token_failure, Answer, Request, LOCK_NAME, MAX_LINE,
    SOCKET_NAME,
};
use crate::manager::AccountManager;
use crate::store::{find_account_or_only, Store};

/// A client that says nothing is cut off after this.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("an agent is already running for this user (socket {0}): use it, or stop it first")]
    AlreadyRunning(PathBuf),
    #[error("the agent's directory {0} is not this user's alone (it must be mode 0700 and yours): remove it and start again")]
    UnsafeDir(PathBuf),
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> AgentError {
    let path = path.to_path_buf();
    move |source| AgentError::Io { action, path, source }
}

/// A bound agent socket, and the lock that makes it the only one.
#[derive(Debug)]
pub struct Agent {
    // A std listener, so that binding needs no runtime (the app binds in its set-up).
    listener: std::os::unix::net::UnixListener,
    path: PathBuf,
    // A socket we bound is removed when we stop; one systemd passed us is its own.
    owns_path: bool,
    // Held while the agent runs: a second one finds it taken.
    _lock: std::fs::File,
}

impl Agent {
    /// Takes this user's agent socket, or says that another agent has it.
    /// Started by systemd's socket activation (`cells-auth-agent.socket`),
    /// it answers on the listening socket systemd passed instead.
    pub fn bind() -> Result<Self, AgentError> {
        match activation::listener() {
            Some((listener, path)) => Self::adopt(listener, path),
            None => Self::bind_in(&socket_dir()),
        }
    }

    fn bind_in(dir: &Path) -> Result<Self, AgentError> {
        let mut builder = std::fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.recursive(true).create(dir) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(io("create", dir)(err)),
        }
        if !is_private(dir) {
            return Err(AgentError::UnsafeDir(dir.to_path_buf()));
        }
        let path = dir.join(SOCKET_NAME);
        // Something listening there is an agent, or systemd holding the
        // socket for one (which this connection starts): it answers instead.
        if std::os::unix::net::UnixStream::connect(&path).is_ok() {
            return Err(AgentError::AlreadyRunning(path));
        }
        let lock = take_lock(dir, &path)?;
        // Under the lock, and with nobody listening, a socket left there is a dead agent's.
        let _ = std::fs::remove_file(&path);
        let listener = std::os::unix::net::UnixListener::bind(&path).map_err(io("listen on", &path))?;
        listener.set_nonblocking(true).map_err(io("listen on", &path))?;
        Ok(Self { listener, path, owns_path: true, _lock: lock })
    }

    /// The agent on the socket systemd listens on for it (at `path`), in the
    /// directory systemd made (`DirectoryMode=0700`), held to the same rules
    /// as one we make.
    fn adopt(listener: std::os::unix::net::UnixListener, path: PathBuf) -> Result<Self, AgentError> {
        let dir = path.parent().unwrap_or(Path::new("/"));
        if !is_private(dir) {
            return Err(AgentError::UnsafeDir(dir.to_path_buf()));
        }
        let lock = take_lock(dir, &path)?;
        listener.set_nonblocking(true).map_err(io("listen on", &path))?;
        Ok(Self { listener, path, owns_path: false, _lock: lock })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Answers token requests from `manager`'s accounts until the task is
    /// dropped; accounts added or removed by other processes are picked up.
    pub async fn serve(self, manager: AccountManager) {
        let store_dir = comparable(manager.store().dir());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(modified(manager.store())));
        let listener = match self.listener.try_clone().and_then(UnixListener::from_std) {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "agent: cannot listen");
                return;
            }
        };
        tracing::info!(socket = %self.path.display(), "agent listening");
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(err) => {
                    tracing::warn!(error = %err, "agent: accept failed");
                    continue;
                }
            };
            let (manager, store_dir, seen) = (manager.clone(), store_dir.clone(), seen.clone());
            tokio::spawn(async move {
                if let Err(err) = answer(stream, &manager, &store_dir, &seen).await {
                    tracing::debug!(error = %err, "agent: a request ended early");
                }
            });
        }
    }
}

impl Drop for Agent {
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
    let lock = options.open(&lock_path).map_err(io("open", &lock_path))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(AgentError::AlreadyRunning(socket.to_path_buf())),
        Err(std::fs::TryLockError::Error(err)) => Err(io("lock", &lock_path)(err)),
    }
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

async fn answer(
    mut stream: UnixStream,
    manager: &AccountManager,
    store_dir: &Path,
    seen: &std::sync::Mutex<Option<SystemTime>>,
) -> std::io::Result<()> {
    // SO_PEERCRED: the kernel says who connected; only this user is answered.
    let peer = stream.peer_cred()?.uid();
    let mut line = String::new();
    let (reader, mut writer) = stream.split();
    let mut reader = BufReader::new(reader.take(MAX_LINE));
    tokio::time::timeout(READ_TIMEOUT, reader.read_line(&mut line))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no request in time"))??;
    let answer = match serde_json::from_str::<Request>(&line) {
        _ if peer != current_uid() => {
            tracing::warn!(uid = peer, "agent: refused a request from another user");
            Answer::Refused { message: "this agent answers only its own user".into() }
        }
        Err(_) => Answer::Failed { code: super::exit::FAILURE, message: "not a token request".into() },
        Ok(request) if comparable(&request.store) != store_dir => Answer::OtherStore,
        Ok(request) => token_for(manager, request.account.as_deref(), seen).await,
    };
    crate::failpoint::hit("agent-before-answer");
    let mut text = serde_json::to_string(&answer).map_err(std::io::Error::other)?;
    text.push('\n');
    writer.write_all(text.as_bytes()).await
}

async fn token_for(
    manager: &AccountManager,
    selector: Option<&str>,
    seen: &std::sync::Mutex<Option<SystemTime>>,
) -> Answer {
    // Another process signed in or out since: read the account file again.
    let now_modified = modified(manager.store());
    let changed = {
        let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
        let changed = *seen != now_modified;
        *seen = now_modified;
        changed
    };
    if changed {
        if let Err(err) = manager.reload() {
            let (code, message) = token_failure(&err);
            return Answer::Failed { code, message };
        }
    }
    let accounts: Vec<_> = manager.accounts().into_iter().map(|view| view.account).collect();
    let account = match find_account_or_only(&accounts, selector) {
        Ok(account) => account,
        Err(err) => {
            let (code, message) = lookup_failure(&err);
            return Answer::Failed { code, message };
        }
    };
    match manager.access_token(&account.id).await {
        Ok(token) => Answer::Token { token: token.secret().to_string() },
        Err(err) => {
            let (code, message) = token_failure(&err);
            Answer::Failed { code, message }
        }
    }
}

fn modified(store: &Store) -> Option<SystemTime> {
    std::fs::metadata(store.accounts_path()).and_then(|meta| meta.modified()).ok()
}

/// A directory as both sides can compare it.
pub(super) fn comparable(dir: &Path) -> PathBuf {
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::DirBuilderExt as _;

    use super::*;

    #[tokio::test]
    async fn a_second_agent_for_the_same_user_refuses_to_start() {
        let dir = std::env::temp_dir().join(format!("cells-agent-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = Agent::bind_in(&dir).unwrap();
        assert!(first.path().exists());
        let second = Agent::bind_in(&dir).unwrap_err();
        assert!(matches!(second, AgentError::AlreadyRunning(_)), "{second}");
        drop(first);
        // Its socket is gone with it, and a new agent may start.
        assert!(!dir.join(SOCKET_NAME).exists());
        let third = Agent::bind_in(&dir).unwrap();
        drop(third);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_socket_someone_listens_on_is_left_to_them() {
        // As systemd holds cells-auth-agent.socket before any agent runs: no lock, a listener.
        let dir = std::env::temp_dir().join(format!("cells-agent-held-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::DirBuilder::new().mode(0o700).create(&dir).unwrap();
        let held = std::os::unix::net::UnixListener::bind(dir.join(SOCKET_NAME)).unwrap();
        let refused = Agent::bind_in(&dir).unwrap_err();
        assert!(matches!(refused, AgentError::AlreadyRunning(_)), "{refused}");
        assert!(dir.join(SOCKET_NAME).exists(), "the listening socket is not replaced");
        drop(held);
        // Nobody listening any more: the file left behind is taken over.
        drop(Agent::bind_in(&dir).unwrap());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_directory_others_can_enter_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("cells-agent-open-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(matches!(Agent::bind_in(&dir), Err(AgentError::UnsafeDir(_))));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
