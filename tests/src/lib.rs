//! Harness for the end-to-end tests: the test OpenID provider (`tests/idp`),
//! the real `cells-auth` binary, the scripted browser handed to it through
//! `BROWSER`, and the real Secret Service read back with `secret-tool`.
//!
//! `make test` runs these inside a private D-Bus session with an unlocked
//! gnome-keyring (`scripts/with-keyring.sh`).

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, Ipv6Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod desktop;
pub mod hydra;
pub mod notifications;
pub mod tls;
pub mod window;
pub mod wine;
pub mod x11;

/// No command of a test may run longer than this.
pub(crate) const COMMAND_DEADLINE: Duration = Duration::from_secs(60);

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root").to_path_buf()
}

/// The `cells-auth` binary of this build (`make test` builds it first), or `$CELLS_AUTH_BIN`.
pub fn cells_auth_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("CELLS_AUTH_BIN") {
        return PathBuf::from(bin);
    }
    // target/<profile>/deps/<test>: the binary is in target/<profile>.
    let exe = std::env::current_exe().expect("the test executable");
    let bin = exe.parent().and_then(Path::parent).expect("target dir").join("cells-auth");
    assert!(bin.exists(), "{} is missing: build it first (cargo build -p cells-auth)", bin.display());
    bin
}

/// Tests that sign in use the shared ports 3636-3666 and 3000: one at a time.
pub fn loopback_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What almost every end-to-end test starts with: the shared ports (and
/// the one app) to itself, a fresh test provider, and a fresh user's
/// machine. Fields drop in order: the sandbox, the provider, then the ports.
pub struct Fixture {
    pub idp: Idp,
    pub sandbox: Sandbox,
    pub ports: MutexGuard<'static, ()>,
}

impl Fixture {
    pub fn start() -> Self {
        let ports = loopback_lock();
        Self { idp: Idp::start(), sandbox: Sandbox::new(), ports }
    }
}

/// Holds `port` on the chosen loopback stacks, as another program would.
pub fn hold_port(port: u16, ipv4: bool, ipv6: bool) -> Vec<TcpListener> {
    let mut held = Vec::new();
    if ipv4 {
        held.push(
            TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap_or_else(|e| panic!("hold 127.0.0.1:{port}: {e}")),
        );
    }
    if ipv6 {
        held.push(TcpListener::bind((Ipv6Addr::LOCALHOST, port)).unwrap_or_else(|e| panic!("hold [::1]:{port}: {e}")));
    }
    held
}

/// True when `port` can be bound on both loopback stacks right now.
pub fn port_is_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() && TcpListener::bind((Ipv6Addr::LOCALHOST, port)).is_ok()
}

/// A directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("cells-e2e-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The port a test server of ours prints (`listening PORT`) on `stdout` once
/// it listens; the child is stopped and the test fails if it never does.
pub(crate) fn listening_port(child: &mut Child, stdout: impl Read + Send + 'static, what: &str) -> u16 {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(port) = line.strip_prefix("listening ") {
                let _ = tx.send(port.trim().parse::<u16>().ok());
            }
        }
    });
    match rx.recv_timeout(COMMAND_DEADLINE) {
        Ok(Some(port)) => port,
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not start");
        }
    }
}

/// The test OpenID provider, a child process stopped by pid on drop.
pub struct Idp {
    child: Child,
    pub port: u16,
    /// The path it serves under (`/cells` behind nginx), empty otherwise.
    base_path: String,
    // Held open: the provider ends when it closes, even if this process is killed.
    _lifeline: std::process::ChildStdin,
}

/// One HTTP/1.1 exchange with the local test provider: (status, body). Plain
/// std I/O, so that it works the same from sync and async tests.
pub(crate) fn http_exchange(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    use std::io::Write as _;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to the test provider");
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("send to the test provider");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(body) } else { body.to_string() };
    (status, body)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

impl Idp {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// With more of the provider's options (`--public-url URL`).
    pub fn start_with(options: &[&str]) -> Self {
        let idp_dir = repo_root().join("tests/idp");
        assert!(
            idp_dir.join("node_modules/oidc-provider").exists(),
            "tests/idp has no node_modules: run `npm ci` in tests/idp (make test does)"
        );
        let mut child = Command::new("node")
            .arg(idp_dir.join("server.mjs"))
            .args(["--port", "0", "--exit-with-stdin"])
            .args(options)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start node tests/idp/server.mjs");
        let lifeline = child.stdin.take().expect("idp stdin");
        let stdout = child.stdout.take().expect("idp stdout");
        let stderr = child.stderr.take().expect("idp stderr");
        // Keep its stderr flowing (and visible with --nocapture).
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !line.contains("WARNING") {
                    eprintln!("[idp] {line}");
                }
            }
        });
        // Node starts the provider in a second or two; a loaded machine may take much longer.
        let port = listening_port(&mut child, stdout, "the test provider");
        let base_path = options
            .windows(2)
            .find(|pair| pair[0] == "--public-url")
            .and_then(|pair| url::Url::parse(pair[1]).ok())
            .map(|url| url.path().trim_end_matches('/').to_string())
            .unwrap_or_default();
        Self { child, port, base_path, _lifeline: lifeline }
    }

    /// The server address a user would type.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn issuer(&self) -> String {
        format!("{}/oidc/", self.url())
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let (status, text) =
            http_exchange(self.port, "POST", path, &[("content-type", "application/json")], &body.to_string());
        assert_eq!(status, 200, "test provider {path}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("test provider {path}: {e}: {text}"))
    }

    /// Changes test knobs: token lifetimes, rotation, the `iss` parameter.
    pub fn configure(&self, knobs: Value) -> Value {
        self.post("/_test/config", knobs)
    }

    /// Answers the next token requests with these faults, in order.
    pub fn token_faults(&self, faults: Value) {
        self.post("/_test/token-faults", faults);
    }

    /// Re-signs the next ID token with these claims changed (or with a foreign key).
    pub fn tamper_next_id_token(&self, tamper: Value) {
        self.post("/_test/tamper-next-id-token", tamper);
    }

    /// Makes the token and revocation endpoints accept requests and never answer.
    pub fn hang(&self, token: bool, revocation: bool) {
        self.post("/_test/hang", serde_json::json!({ "token": token, "revocation": revocation }));
    }

    /// Answers the next token request with its own body echoed in the error, as a broken proxy would.
    pub fn echo_next_token_request(&self) {
        self.post("/_test/echo-next-token-request", serde_json::json!({}));
    }

    /// Drops every connection (but the test API's) while on, keeping state.
    pub fn outage(&self, on: bool) {
        self.post("/_test/outage", serde_json::json!({ "on": on }));
    }

    /// Spends `refresh_token` at the token endpoint as cells-sync would: (HTTP status, body).
    pub fn try_refresh(&self, refresh_token: &str) -> (u16, Value) {
        let (status, body) = self.post_form(
            &format!("{}/oidc/oauth2/token", self.base_path),
            &[("grant_type", "refresh_token"), ("refresh_token", refresh_token), ("client_id", "cells-sync")],
        );
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// Revokes a refresh token at the provider, as an administrator would.
    pub fn revoke(&self, refresh_token: &str) {
        let (status, body) = self.post_form(
            &format!("{}/oidc/oauth2/revoke", self.base_path),
            &[("token", refresh_token), ("token_type_hint", "refresh_token"), ("client_id", "cells-sync")],
        );
        assert_eq!(status, 200, "revocation: {body}");
    }

    fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> (u16, String) {
        let form = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        http_exchange(self.port, "POST", path, &[("content-type", "application/x-www-form-urlencoded")], &form)
    }

    /// A counter of `/_test/stats`, by JSON pointer (`/token/refresh_token`).
    pub fn stat(&self, pointer: &str) -> u64 {
        self.stats().pointer(pointer).and_then(Value::as_u64).unwrap_or_else(|| panic!("no stat {pointer}"))
    }

    pub fn stats(&self) -> Value {
        let (status, body) = http_exchange(self.port, "GET", "/_test/stats", &[], "");
        assert_eq!(status, 200, "test provider stats: {body}");
        serde_json::from_str(&body).expect("stats JSON")
    }

    /// What the provider's userinfo endpoint says of an access token: Some(claims) if it is valid.
    pub fn userinfo(&self, access_token: &str) -> Option<Value> {
        let bearer = format!("Bearer {access_token}");
        let (status, body) = http_exchange(
            self.port,
            "GET",
            &format!("{}/oidc/userinfo", self.base_path),
            &[("authorization", &bearer), ("x-forwarded-proto", "https")],
            "",
        );
        (status == 200).then(|| serde_json::from_str(&body).ok()).flatten()
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A finished command.
#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().filter(|l| !l.trim().is_empty()).collect()
    }

    /// The last stderr line: where a failing command says what went wrong.
    pub fn error_line(&self) -> &str {
        self.stderr_lines().last().copied().unwrap_or("")
    }
}

/// A running command, whose stderr lines can be awaited as they come.
pub struct Running {
    child: Child,
    /// Piped only when started with [`Sandbox::spawn_with_stdin`].
    stdin: Option<std::process::ChildStdin>,
    stderr_lines: Receiver<String>,
    stderr_seen: Vec<String>,
    stdout: std::thread::JoinHandle<String>,
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until a stderr line contains `needle`; returns that line.
    pub fn wait_for_stderr(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + COMMAND_DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr_lines.recv_timeout(left) {
                Ok(line) => {
                    self.stderr_seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!("no stderr line with {needle:?}; seen: {:?}", self.stderr_seen);
                }
            }
        }
    }

    /// Waits until the command stops itself (a `stop:` failpoint): an event
    /// from the kernel, not a guess of time.
    pub fn wait_until_stopped(&mut self) {
        let pid = self.pid() as libc::id_t;
        // SAFETY: waitid on the pid of our own child, into a zeroed siginfo.
        let stopped = unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            // Look without reaping: an exit must stay for finish() to collect.
            let waited = libc::waitid(libc::P_PID, pid, &mut info, libc::WSTOPPED | libc::WEXITED | libc::WNOWAIT);
            assert_eq!(waited, 0, "waitid on {pid}");
            let stopped = info.si_code == libc::CLD_STOPPED;
            if stopped {
                // Consume this stop, so that the next wait sees the next one.
                libc::waitid(libc::P_PID, pid, &mut info, libc::WSTOPPED);
            }
            stopped
        };
        if !stopped {
            let output = std::mem::replace(self, start(Command::new("true"))).finish();
            panic!("the command ended instead of stopping at its failpoint: {output:?}");
        }
    }

    /// Lets a stopped command go on (SIGCONT).
    pub fn resume(&self) {
        // SAFETY: a signal to the pid of our own child, not yet reaped.
        unsafe {
            libc::kill(self.pid() as i32, libc::SIGCONT);
        }
    }

    /// Types `line` and Enter on the command's standard input.
    pub fn type_line(&mut self, line: &str) {
        use std::io::Write as _;
        let stdin = self.stdin.as_mut().expect("started with spawn_with_stdin");
        writeln!(stdin, "{line}").expect("write to the command's stdin");
    }

    /// The process itself, for a wait on what it serves.
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Whether the command has not exited yet.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends `signal` to the command, then waits for its exit.
    pub fn stop_with(self, signal: i32) -> Output {
        // SAFETY: a signal to the pid of our own child, not yet reaped.
        unsafe {
            libc::kill(self.pid() as i32, signal);
        }
        self.finish()
    }

    /// Waits for the exit (killing the command past the deadline).
    pub fn finish(self) -> Output {
        let pid = self.child.id();
        let (tx, rx) = mpsc::channel();
        let mut child = self.child;
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        let status = match rx.recv_timeout(COMMAND_DEADLINE) {
            Ok(status) => status.expect("wait"),
            Err(_) => {
                let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
                panic!("command {pid} still running after {COMMAND_DEADLINE:?}: killed");
            }
        };
        let mut stderr = self.stderr_seen;
        stderr.extend(self.stderr_lines.iter());
        Output { code: status.code(), stdout: self.stdout.join().unwrap_or_default(), stderr: stderr.join("\n") }
    }
}

/// `cells-auth agent` (or what starts it), killed when dropped whatever the test did.
pub struct AgentProcess(Option<Running>);

impl AgentProcess {
    pub fn start(sandbox: &Sandbox) -> Self {
        let mut running = sandbox.spawn(&["agent"]);
        running.wait_for_stderr("answering token requests on");
        Self(Some(running))
    }

    /// Whatever runs the agent (systemd's socket activation).
    pub fn of(running: Running) -> Self {
        Self(Some(running))
    }

    pub fn running(&mut self) -> &mut Running {
        self.0.as_mut().expect("running")
    }

    pub fn is_running(&mut self) -> bool {
        self.0.as_mut().is_some_and(Running::is_running)
    }

    pub fn stop(mut self) -> Output {
        self.0.take().expect("running").stop_with(libc::SIGTERM)
    }
}

impl Drop for AgentProcess {
    fn drop(&mut self) {
        if let Some(running) = self.0.take() {
            let _ = running.stop_with(libc::SIGKILL);
        }
    }
}

/// One user's machine: a config directory, the scripted browser, and the
/// session's real keyring.
pub struct Sandbox {
    dir: TempDir,
    env: Vec<(String, String)>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Leave no scripted browser behind, whatever the test did.
        if let Some(pid) = self.browser_pid() {
            // SAFETY: a signal to a pid we were told is our browser.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = TempDir::new("sandbox");
        std::fs::create_dir_all(dir.path().join("config")).expect("config dir");
        let run = dir.path().join("run");
        std::fs::create_dir_all(&run).expect("runtime dir");
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("runtime dir mode");
        Self { dir, env: Vec::new() }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// A directory of this sandbox's own, for what a test puts beside the others.
    pub fn scratch_dir(&self, name: &str) -> PathBuf {
        let dir = self.dir.path().join(name);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    /// This user's runtime directory (`XDG_RUNTIME_DIR`), where the agent's socket is.
    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    fn report_path(&self) -> PathBuf {
        self.dir.path().join("browser-report.json")
    }

    fn opened_path(&self) -> PathBuf {
        self.dir.path().join("browser-opened")
    }

    /// Sets an environment variable for the commands of this sandbox (the
    /// scripted browser reads `CELLS_TEST_*`).
    pub fn set_env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// `cells-auth` with `args`, in this sandbox.
    pub fn command(&self, args: &[&str]) -> Command {
        self.program(cells_auth_bin(), args)
    }

    /// Any program with `args`, with this sandbox's environment.
    pub fn program(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
        let mut command = Command::new(program);
        command.args(args);
        for (key, _) in std::env::vars() {
            let proxy = key.to_ascii_lowercase().ends_with("_proxy");
            if key.starts_with("CELLS_TEST_") || key == "CELLS_AUTH_CONFIG_DIR" || key == "BROWSER" || proxy {
                command.env_remove(key);
            }
        }
        let browser = format!("node {}", repo_root().join("tests/idp/browser.mjs").display());
        // English, whatever this machine's language: tests that check another set it.
        command.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "C.UTF-8");
        command
            .env("CELLS_AUTH_CONFIG_DIR", self.config_dir())
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            // The app's own settings (its language) and autostart entry: this user's alone.
            .env("XDG_CONFIG_HOME", self.scratch_dir("xdg-config"))
            .env("BROWSER", browser)
            .env("CELLS_TEST_REPORT", self.report_path())
            .env("CELLS_TEST_OPENED", self.opened_path())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        command
    }

    /// Runs cells-auth in a keyring of its own (a nested private session),
    /// locked before the command starts. With `display`, the keyring can show
    /// its unlock prompt (which nobody answers); without, it cannot.
    pub fn run_with_locked_keyring(&self, args: &[&str], display: bool) -> Output {
        let script = "dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
            org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null && exec \"$@\"";
        let bin = cells_auth_bin();
        let mut wrapped_args = vec!["sh", "-c", script, "sh", bin.to_str().expect("a UTF-8 path")];
        wrapped_args.extend_from_slice(args);
        let mut wrapped = self.program(repo_root().join("scripts/with-keyring.sh"), &wrapped_args);
        wrapped.env_remove("CELLS_KEYRING_INNER");
        if !display {
            wrapped.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
        }
        start(wrapped).finish()
    }

    /// Starts any program with `args` in this sandbox, without waiting for it.
    pub fn spawn_program(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Running {
        start(self.program(program, args))
    }

    pub fn spawn(&self, args: &[&str]) -> Running {
        if args.first() == Some(&"login") {
            self.forget_browser();
        }
        start(self.command(args))
    }

    /// cells-auth with `args` and a standard input the test types into.
    pub fn spawn_with_stdin(&self, args: &[&str]) -> Running {
        spawn_command_with_stdin(self.command(args))
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.spawn(args).finish()
    }

    /// `cells-auth login <server> --timeout 30`, plus `extra` arguments.
    pub fn login(&self, server: &str, extra: &[&str]) -> Output {
        let mut args = vec!["login", server, "--timeout", "30"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// The accounts of `cells-auth status --json`.
    pub fn accounts(&self) -> Vec<Value> {
        let out = self.run(&["status", "--json"]);
        assert_eq!(out.code, Some(0), "status --json failed: {}", out.stderr);
        let json: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("status --json is not JSON ({e}): {}", out.stdout));
        json["accounts"].as_array().cloned().unwrap_or_default()
    }

    /// Forgets the last browser's traces, before an action that opens a new one.
    pub fn forget_browser(&self) {
        self.wait_for_browser();
        let _ = std::fs::remove_file(self.report_path());
        let _ = std::fs::remove_file(self.opened_path());
    }

    /// Waits (a bounded while) for a browser to have started since [`forget_browser`](Self::forget_browser).
    pub fn wait_for_browser_start(&self) {
        let deadline = Instant::now() + COMMAND_DEADLINE;
        // The browser is another program's child: no event says it started.
        while self.browser_pid().is_none() {
            assert!(Instant::now() < deadline, "no browser was started");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the scripted browser saw: waits for it to exit, then reads its report.
    pub fn browser_report(&self) -> Option<Value> {
        self.wait_for_browser();
        let text = std::fs::read_to_string(self.report_path()).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn browser_pid(&self) -> Option<i32> {
        std::fs::read_to_string(self.opened_path()).ok()?.trim().parse().ok()
    }

    /// Waits for the scripted browser (started by cells-auth, not by us) to
    /// exit: a pidfd becomes readable when the process ends.
    fn wait_for_browser(&self) {
        let Some(pid) = self.browser_pid() else { return };
        // SAFETY: plain syscalls on a pid and the descriptor they return.
        unsafe {
            let fd = libc::syscall(libc::SYS_pidfd_open, pid, 0) as i32;
            if fd < 0 {
                return; // already gone
            }
            let mut pollfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
            let ready = libc::poll(&mut pollfd, 1, COMMAND_DEADLINE.as_millis() as i32);
            libc::close(fd);
            assert!(ready > 0, "the scripted browser {pid} did not finish");
        }
    }

    /// True when cells-auth started the browser.
    pub fn browser_opened(&self) -> bool {
        self.opened_path().exists()
    }

    /// Marks the account's access token as expired in the account file, as
    /// time passing would, without waiting.
    pub fn expire_access_token(&self, account_id: &str) {
        let path = self.config_dir().join("accounts.json");
        let mut file: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("accounts.json")).expect("JSON");
        let account = file["accounts"]
            .as_array_mut()
            .and_then(|accounts| accounts.iter_mut().find(|a| a["id"] == account_id))
            .expect("the account");
        account["access_token_expires_at"] = Value::String("2001-01-01T00:00:00Z".into());
        account["access_token_issued_at"] = Value::String("2001-01-01T00:00:00Z".into());
        std::fs::write(&path, serde_json::to_vec_pretty(&file).unwrap()).expect("write accounts.json");
    }

    /// Signs alice in (the test fails otherwise) and returns her account id.
    pub fn sign_in(&self, idp: &Idp) -> String {
        self.sign_in_to(&idp.url())
    }

    /// Signs in to the server at `server` (Hydra's, or another); the new account's id.
    pub fn sign_in_to(&self, server: &str) -> String {
        let out = self.login(server, &[]);
        assert_eq!(out.code, Some(0), "login failed: {}", out.stderr);
        self.accounts().last().and_then(|a| a["id"].as_str().map(str::to_string)).expect("an account")
    }

    /// Every byte of every file under the config directory, for leak checks.
    pub fn config_files_text(&self) -> String {
        files_under(&self.config_dir())
            .iter()
            .filter_map(|path| std::fs::read(path).ok())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .collect()
    }
}

/// Every file under `dir`, at any depth, a link to a file included; links
/// to directories are not followed (a Wine prefix links to `/`).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        let path = entry.path();
        if kind.is_dir() {
            files.extend(files_under(&path));
        } else if path.is_file() {
            files.push(path);
        }
    }
    files
}

/// Runs a command to its end (killed past the deadline), output captured.
pub fn run_command(command: Command) -> Output {
    start(command).finish()
}

/// Starts a command with its output captured and no input, without waiting for it.
pub fn spawn_command(command: Command) -> Running {
    start(command)
}

/// Starts a command with its output captured and an input the test types into.
pub fn spawn_command_with_stdin(mut command: Command) -> Running {
    command.stdin(Stdio::piped());
    start_with_stdin(command)
}

/// Starts a command with its output captured and no input.
fn start(mut command: Command) -> Running {
    command.stdin(Stdio::null());
    start_with_stdin(command)
}

/// Starts a command with its output captured, its input as set.
fn start_with_stdin(mut command: Command) -> Running {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {:?}: {e}", command.get_program()));
    let mut stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let stdin = child.stdin.take();
    Running { child, stdin, stderr_lines: lines_of(stderr), stderr_seen: Vec::new(), stdout }
}

/// The lines of `output` as they come, read on a thread of their own.
pub(crate) fn lines_of(output: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(output).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The session's keyring daemon stopped (SIGSTOP), as a keyring that stalls
/// is; resumed when dropped. Only for tests holding the [`Fixture`]'s lock:
/// every keyring call of this session waits meanwhile.
pub struct StalledKeyring(i32);

impl StalledKeyring {
    pub fn stop() -> Self {
        let pid: i32 = std::env::var_os("CELLS_KEYRING_PID_FILE")
            .and_then(|file| std::fs::read_to_string(file).ok())
            .and_then(|pid| pid.trim().parse().ok())
            .expect("CELLS_KEYRING_PID_FILE: run the tests through scripts/with-keyring.sh");
        // SAFETY: a signal to the keyring daemon of this test session.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGSTOP) }, 0, "stop the keyring daemon {pid}");
        Self(pid)
    }
}

impl Drop for StalledKeyring {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe {
            libc::kill(self.0, libc::SIGCONT);
        }
    }
}

/// A secret as the Secret Service holds it, read with `secret-tool`
/// (libsecret), independently of the code under test.
pub fn keyring_secret(account_id: &str, kind: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", "cells-auth", "username", &format!("{account_id}/{kind}")])
        .stderr(Stdio::null())
        .output()
        .expect("run secret-tool (package libsecret-tools)");
    let value = String::from_utf8_lossy(&output.stdout).to_string();
    (output.status.success() && !value.is_empty()).then_some(value)
}
