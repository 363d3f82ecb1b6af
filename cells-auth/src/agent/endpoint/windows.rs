//! Windows: a named pipe per user, `\\.\pipe\cells-auth-<user SID>`. Its
//! security descriptor admits only this user; remote clients are refused;
//! the first instance is made with `FILE_FLAG_FIRST_PIPE_INSTANCE`, so that
//! a second agent (or anyone who took the name first) is found at once.
//! Both sides check the other's process token: the agent answers only this
//! user, and a client talks only to an agent of its own user.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::windows::io::{AsRawHandle as _, FromRawHandle as _, IntoRawHandle as _, OwnedHandle};
use std::time::Duration;

use tokio::net::windows::named_pipe::{NamedPipeServer, ServerOptions};
use windows_sys::Win32::Foundation::{
    ERROR_ACCESS_DENIED, ERROR_FILE_NOT_FOUND, ERROR_PIPE_BUSY, INVALID_HANDLE_VALUE,
};
use windows_sys::Win32::Storage::FileSystem::{
    FILE_FLAG_FIRST_PIPE_INSTANCE, FILE_FLAG_OVERLAPPED, PIPE_ACCESS_DUPLEX, SECURITY_IDENTIFICATION,
};
use windows_sys::Win32::System::Pipes::{
    CreateNamedPipeW, GetNamedPipeClientProcessId, GetNamedPipeServerProcessId, WaitNamedPipeW, PIPE_READMODE_BYTE,
    PIPE_REJECT_REMOTE_CLIENTS, PIPE_TYPE_BYTE, PIPE_UNLIMITED_INSTANCES, PIPE_WAIT,
};

use super::{AgentError, Peer};
use crate::win32::{self, SecurityDescriptor, Sid};

pub type Stream = NamedPipeServer;

const BUFFER: u32 = 64 * 1024;

/// This user's pipe.
pub fn address() -> String {
    match win32::current_user() {
        Ok(user) => pipe_of(&user),
        Err(_) => r"\\.\pipe\cells-auth-unknown".into(),
    }
}

fn pipe_of(user: &Sid) -> String {
    format!(r"\\.\pipe\cells-auth-{}", user.to_string_form())
}

fn io(action: &'static str, what: &str) -> impl FnOnce(std::io::Error) -> AgentError {
    let what = what.to_string();
    move |source| AgentError::Io { action, what, source }
}

/// The agent's pipe: the first instance, made at `bind`, and the next ones
/// made as each is taken by a client.
pub struct Listener {
    name: String,
    user: Sid,
    descriptor: SecurityDescriptor,
    // Made without a runtime; handed to tokio at the first accept.
    first: Option<OwnedHandle>,
    next: Option<NamedPipeServer>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Listener {
    /// Takes this user's pipe, or says that another agent has it.
    pub fn bind() -> Result<Self, AgentError> {
        let user = win32::current_user().map_err(io("io-tell-user", ""))?;
        let name = pipe_of(&user);
        let descriptor = SecurityDescriptor::only_current_user().map_err(io("io-make-pipe-permissions", ""))?;
        let attributes = descriptor.attributes();
        let wide_name = win32::wide(&name);
        // A pipe of that name is an agent already (or someone squatting the
        // name). FILE_FLAG_FIRST_PIPE_INSTANCE below says so too, without a
        // race; this also holds where it is not enforced (Wine).
        // SAFETY: a NUL-terminated name.
        if unsafe { WaitNamedPipeW(wide_name.as_ptr(), 1) } != 0
            || std::io::Error::last_os_error().raw_os_error() != Some(ERROR_FILE_NOT_FOUND as i32)
        {
            return Err(AgentError::AlreadyRunning(name));
        }
        // SAFETY: a NUL-terminated name and attributes that outlive the call; a
        // handle other than INVALID_HANDLE_VALUE is ours from here on.
        let handle = unsafe {
            CreateNamedPipeW(
                wide_name.as_ptr(),
                PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                PIPE_UNLIMITED_INSTANCES,
                BUFFER,
                BUFFER,
                0,
                &attributes,
            )
        };
        if handle == INVALID_HANDLE_VALUE {
            let err = std::io::Error::last_os_error();
            return Err(if err.raw_os_error() == Some(ERROR_ACCESS_DENIED as i32) {
                AgentError::AlreadyRunning(name)
            } else {
                io("io-bind", &name)(err)
            });
        }
        // SAFETY: as above.
        let first = unsafe { OwnedHandle::from_raw_handle(handle) };
        Ok(Self { name, user, descriptor, first: Some(first), next: None })
    }

    pub fn address(&self) -> String {
        self.name.clone()
    }

    /// The next client, and whether its process runs as this user.
    pub async fn accept(&mut self) -> std::io::Result<(Stream, Peer)> {
        let waiting = match (self.next.take(), self.first.take()) {
            (Some(next), _) => next,
            // SAFETY: an overlapped pipe handle we own, given to tokio once.
            (None, Some(first)) => unsafe { NamedPipeServer::from_raw_handle(first.into_raw_handle())? },
            (None, None) => return Err(std::io::Error::other("the agent's pipe is closed")),
        };
        if let Err(err) = waiting.connect().await {
            // This instance is spent: make another for the next client.
            self.next = Some(self.instance()?);
            return Err(err);
        }
        // The next instance before this one is answered, so that no client
        // finds the name gone meanwhile.
        self.next = Some(self.instance()?);
        let peer = if client_is(&waiting, &self.user) {
            Peer::ThisUser
        } else {
            Peer::Other("a process of another user".into())
        };
        Ok((waiting, peer))
    }

    fn instance(&self) -> std::io::Result<NamedPipeServer> {
        let mut attributes = self.descriptor.attributes();
        // SAFETY: the attributes and their descriptor outlive the call.
        unsafe {
            ServerOptions::new()
                .reject_remote_clients(true)
                .in_buffer_size(BUFFER)
                .out_buffer_size(BUFFER)
                .create_with_security_attributes_raw(&self.name, (&raw mut attributes).cast())
        }
    }
}

fn client_is(pipe: &NamedPipeServer, user: &Sid) -> bool {
    let mut pid = 0u32;
    // SAFETY: a connected pipe handle, and a u32 to write to.
    if unsafe { GetNamedPipeClientProcessId(pipe.as_raw_handle(), &mut pid) } == 0 {
        return false;
    }
    win32::process_user(pid).is_ok_and(|client| &client == user)
}

/// One request line to this user's agent, and its answer line, within
/// `timeout`; `None` unless the pipe's server runs as this user. A pipe
/// handle has no read timeout: the exchange runs on a thread of its own,
/// which is left behind if the agent is stuck (the caller then asks the
/// store directly, and exits).
pub fn exchange(line: &str, timeout: Duration, max: u64) -> Option<String> {
    let user = win32::current_user().ok()?;
    let name = pipe_of(&user);
    let line = line.to_string();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("agent-client".into())
        .spawn(move || {
            let _ = sender.send(talk(&name, &user, &line, timeout, max));
        })
        .ok()?;
    receiver.recv_timeout(timeout).ok().flatten()
}

fn talk(name: &str, user: &Sid, line: &str, timeout: Duration, max: u64) -> Option<String> {
    let mut pipe = open(name, timeout)?;
    let mut pid = 0u32;
    // SAFETY: an open pipe handle, and a u32 to write to.
    if unsafe { GetNamedPipeServerProcessId(pipe.as_raw_handle(), &mut pid) } == 0 {
        return None;
    }
    if win32::process_user(pid).ok().as_ref() != Some(user) {
        return None;
    }
    pipe.write_all(line.as_bytes()).ok()?;
    let mut answer = String::new();
    BufReader::new((&mut pipe).take(max)).read_line(&mut answer).ok()?;
    Some(answer)
}

/// Opens the pipe; when every instance is taken, waits for one a bounded while.
fn open(name: &str, timeout: Duration) -> Option<std::fs::File> {
    use std::os::windows::fs::OpenOptionsExt as _;
    let attempt = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            // The agent may learn who we are, never act as us.
            .security_qos_flags(SECURITY_IDENTIFICATION)
            .open(name)
    };
    match attempt() {
        Ok(pipe) => Some(pipe),
        Err(err) if err.raw_os_error() == Some(ERROR_PIPE_BUSY as i32) => {
            let wide_name = win32::wide(name);
            // SAFETY: a NUL-terminated name.
            let waited =
                unsafe { WaitNamedPipeW(wide_name.as_ptr(), timeout.as_millis().min(u32::MAX as u128) as u32) };
            if waited == 0 {
                return None;
            }
            attempt().ok()
        }
        Err(_) => None,
    }
}
