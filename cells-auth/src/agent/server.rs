//! The agent's side: one per user, answering peers of its own user only,
//! on the system's endpoint (`endpoint/`).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, BufReader};

use super::endpoint::{Listener, Peer, READ_TIMEOUT};
use super::{lookup_failure, token_failure, Answer, Request, MAX_LINE, NOT_A_REQUEST};
use crate::i18n::Message;
use crate::manager::AccountManager;
use crate::store::{find_account_or_only, Store};
use crate::tokens::AccessToken;

#[derive(Debug, thiserror::Error)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum AgentError {
    AlreadyRunning(String),
    UnsafeDir(PathBuf),
    /// `action`: the catalog id of what was being done; `what` may be empty.
    Io {
        action: &'static str,
        what: String,
        source: std::io::Error,
    },
}

impl crate::i18n::Said for AgentError {
    fn message(&self) -> Message {
        match self {
            AgentError::AlreadyRunning(on) => Message::new("error-agent-running").with("endpoint", on),
            AgentError::UnsafeDir(dir) => Message::new("error-agent-unsafe-dir").with("path", dir.display()),
            AgentError::Io { action, what, source } if what.is_empty() => {
                Message::new("error-io-bare").message("action", Message::new(action)).with("reason", source)
            }
            AgentError::Io { action, what, source } => Message::new("error-io")
                .message("action", Message::new(action))
                .with("path", what)
                .with("reason", source),
        }
    }
}

/// This user's agent endpoint, bound: the only one.
#[derive(Debug)]
pub struct Agent {
    listener: Listener,
}

impl Agent {
    /// Takes this user's agent endpoint, or says that another agent has it.
    /// On Linux, started by systemd's socket activation
    /// (`cells-auth-agent.socket`), it answers on the socket systemd passed.
    pub fn bind() -> Result<Self, AgentError> {
        Ok(Self { listener: Listener::bind()? })
    }

    /// Where it listens, as shown to people.
    pub fn address(&self) -> String {
        self.listener.address()
    }

    /// Answers token requests from `manager`'s accounts until the task is
    /// dropped; accounts added or removed by other processes are picked up.
    pub async fn serve(mut self, manager: AccountManager) {
        let store_dir = comparable(manager.store().dir());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(modified(manager.store())));
        tracing::info!(endpoint = %self.listener.address(), "agent listening");
        loop {
            let (stream, peer) = match self.listener.accept().await {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::warn!(error = %err, "agent: accept failed");
                    continue;
                }
            };
            let (manager, store_dir, seen) = (manager.clone(), store_dir.clone(), seen.clone());
            tokio::spawn(async move {
                if let Err(err) = answer(stream, peer, &manager, &store_dir, &seen).await {
                    tracing::debug!(error = %err, "agent: a request ended early");
                }
            });
        }
    }
}

async fn answer(
    stream: impl AsyncRead + AsyncWrite + Unpin,
    peer: Peer,
    manager: &AccountManager,
    store_dir: &Path,
    seen: &std::sync::Mutex<Option<SystemTime>>,
) -> std::io::Result<()> {
    // The system says who connected (endpoint/); only this user is answered.
    let mut line = String::new();
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader.take(MAX_LINE));
    tokio::time::timeout(READ_TIMEOUT, reader.read_line(&mut line))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no request in time"))??;
    let answer = match serde_json::from_str::<Request>(&line) {
        _ if peer != Peer::ThisUser => {
            tracing::warn!(peer = ?peer, "agent: refused a request from another user");
            Answer::Refused { message: "this agent answers only its own user".into() }
        }
        Err(_) => Answer::Failed { code: super::exit::FAILURE, message: NOT_A_REQUEST.into() },
        // The client sends its store's path already made comparable: most often equal as it is.
        Ok(request) if request.store != store_dir && comparable(&request.store) != store_dir => Answer::OtherStore,
        Ok(request) => token_for(manager, &request, seen).await,
    };
    crate::failpoint::hit("agent-before-answer");
    let mut text = serde_json::to_string(&answer).map_err(std::io::Error::other)?;
    text.push('\n');
    writer.write_all(text.as_bytes()).await
}

async fn token_for(manager: &AccountManager, request: &Request, seen: &std::sync::Mutex<Option<SystemTime>>) -> Answer {
    let selector = request.account.as_deref();
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
    let accounts = manager.stored_accounts();
    let account = match find_account_or_only(&accounts, selector) {
        Ok(account) => account,
        Err(err) => {
            let (code, message) = lookup_failure(&err);
            return Answer::Failed { code, message };
        }
    };
    let handed = match &request.rejected {
        Some(rejected) => manager.invalidate(&account.id, &AccessToken::new(rejected.clone())).await,
        None => manager.handed_token(&account.id).await,
    };
    match handed {
        Ok(handed) => Answer::Token { token: handed.token.secret().to_string(), expires_at: Some(handed.expires_at) },
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
