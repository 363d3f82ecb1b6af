//! The `cells-auth` command: sign in, list accounts, hand out tokens, sign out.
//! It renders what the library computes and decides nothing of its own.
//!
//! Results go to stdout, progress and errors to stderr; an error is one line
//! and a non-zero exit, never a panic.

mod args;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use cells_auth::agent::{token_failure, Agent, Answer};
use cells_auth::certificates::ServerTrust;
use cells_auth::clock::{Clock, SystemClock};
use cells_auth::discovery::ServerUrl;
use cells_auth::i18n::{text, Arg, Language};
use cells_auth::manager::{AccountManager, ManagerError, Revocation};
use cells_auth::sign_in::{AnswerError, RedirectMode, SignIn, SignInControl, SignInError, SignInOptions};
use cells_auth::store::{AccountState, Store};
use cells_auth::tokens::AccessToken;
use cells_auth::view::{duration, AccountView};
use cells_auth::LOG_ENV;

use args::{Cli, Command};

/// Exit codes.
pub mod exit {
    pub use cells_auth::agent::exit::{FAILURE, NEEDS_SIGN_IN};
    /// The command line itself is wrong (EX_USAGE).
    pub const USAGE: u8 = 64;
    /// Interrupted with Ctrl-C.
    pub const INTERRUPTED: u8 = 130;
}

/// A failed command: what to print, and how to exit.
struct Failure {
    message: String,
    code: u8,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(err: E) -> Self {
        Failure { message: err.to_string(), code: exit::FAILURE }
    }
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("cells-auth: internal error: {}", what.lines().next().unwrap_or(""));
    }));
    // A running agent answers the plain `token` forms before the parser is built.
    let arguments: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if let Some((account, json)) = args::plain_token_request(&arguments) {
        if std::env::var_os(LOG_ENV).is_none() {
            if let Some(answered) = token_from_agent(account.as_deref(), None, json) {
                return answered;
            }
        }
    }
    parse_and_run()
}

/// Everything but the agent's plain answer. Not inlined into `main`: its
/// frame holds the commands' futures, some 40 KiB whose every page is
/// touched on entry, which the agent's answer need not pay for.
#[inline(never)]
fn parse_and_run() -> ExitCode {
    // Parsed by the plain command; the one that says its help and errors in
    // the user's language reads the catalog for every text, so it is built
    // only when there is help or an error to show.
    let parsed = <Cli as clap::Parser>::try_parse().or_else(|_| {
        args::command_in_current_language()
            .try_get_matches()
            .and_then(|matches| <Cli as clap::FromArgMatches>::from_arg_matches(&matches))
    });
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = err.print();
                return if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(exit::USAGE)
                } else {
                    ExitCode::SUCCESS
                };
            }
            let problem = usage_error_line(&err.to_string());
            eprintln!("cells-auth: {}", text("cli-usage-error", &[("problem", Arg::Text(&problem))]));
            return ExitCode::from(exit::USAGE);
        }
    };
    start_log();
    let rejected = match &cli.command {
        Command::Token { rejected: true, .. } => match read_rejected(std::io::stdin().lock()) {
            Ok(token) => Some(token),
            Err(message) => {
                eprintln!("cells-auth: {message}");
                return ExitCode::from(exit::USAGE);
            }
        },
        _ => None,
    };
    // A running agent answers at once, without a runtime, a keyring session or a TLS client.
    if let Command::Token { account, json, .. } = &cli.command {
        if let Some(answered) = token_from_agent(account.as_deref(), rejected.as_ref(), *json) {
            return answered;
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cells-auth: {}", text("cli-cannot-start", &[("reason", Arg::Text(&err.to_string()))]));
            return ExitCode::from(exit::FAILURE);
        }
    };
    let outcome = runtime.block_on(run(cli, rejected));
    // Do not wait for a keyring call stuck on a prompt nobody will answer.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("cells-auth: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// The log goes to stderr, and is off unless `CELLS_AUTH_LOG` asks for it:
/// a script's stderr holds one line per failure.
fn start_log() {
    let Ok(filter) = std::env::var(LOG_ENV) else { return };
    match tracing_subscriber::EnvFilter::try_new(&filter) {
        Ok(filter) => {
            tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false).init();
        }
        Err(err) => eprintln!(
            "cells-auth: {}",
            text("cli-log-filter", &[("variable", Arg::Text(LOG_ENV)), ("reason", Arg::Text(&err.to_string()))])
        ),
    }
}

/// Clap's multi-line usage error folded into one line.
fn usage_error_line(text: &str) -> String {
    text.lines()
        .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more information"))
        .map(|line| line.trim().trim_start_matches("error:").trim())
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The token a server refused, as `token --rejected` reads it from standard
/// input (never from the command line, where other users could see it).
fn read_rejected(input: impl std::io::BufRead) -> Result<AccessToken, String> {
    const MAX_TOKEN: u64 = 64 * 1024;
    let mut line = String::new();
    let mut limited = std::io::Read::take(input, MAX_TOKEN + 1);
    std::io::BufRead::read_line(&mut std::io::BufReader::new(&mut limited), &mut line)
        .map_err(|err| text("cli-rejected-unreadable", &[("reason", Arg::Text(&err.to_string()))]))?;
    let token = line.trim();
    if line.len() as u64 > MAX_TOKEN {
        return Err(text("cli-rejected-too-long", &[]));
    }
    if token.is_empty() {
        return Err(text("cli-rejected-missing", &[]));
    }
    Ok(AccessToken::new(token.to_string()))
}

async fn run(cli: Cli, rejected: Option<AccessToken>) -> Result<(), Failure> {
    match cli.command {
        Command::Login { server, dev_redirect, timeout, no_browser, trust_certificate, ca_file } => {
            let redirect = if dev_redirect { RedirectMode::Development } else { RedirectMode::Loopback };
            let trust = match (trust_certificate, ca_file) {
                (Some(sha256), _) => Some(ServerTrust::Pinned { sha256 }),
                (None, Some(path)) => Some(ServerTrust::private_ca_from_file(&path)?),
                (None, None) => None,
            };
            login(&server, redirect, Duration::from_secs(timeout), !no_browser, trust).await
        }
        Command::Status { json } => status(json),
        Command::Token { account, json, .. } => token(account.as_deref(), rejected.as_ref(), json).await,
        Command::Refresh { account } => refresh(account.as_deref()).await,
        Command::Logout { account } => logout(&account).await,
        Command::Agent => agent().await,
    }
}

/// The agent's answer, printed as the direct path prints it; `None` when no
/// agent of this user and store answers.
fn token_from_agent(selector: Option<&str>, rejected: Option<&AccessToken>, json: bool) -> Option<ExitCode> {
    let store = Store::open_default().ok()?;
    match cells_auth::agent::ask_token(selector, store.dir(), rejected)? {
        // An agent from before expiries were answered: the direct path says it.
        Answer::Token { expires_at: None, .. } if json => None,
        Answer::Token { token, expires_at } => {
            print_token(&token, expires_at, json);
            Some(ExitCode::SUCCESS)
        }
        Answer::Failed { code, message } => {
            eprintln!("cells-auth: {message}");
            Some(ExitCode::from(code))
        }
        Answer::OtherStore | Answer::Refused { .. } => None,
    }
}

/// Runs the agent until Ctrl-C or SIGTERM.
async fn agent() -> Result<(), Failure> {
    let store = Store::open_default()?;
    let agent = Agent::bind()?;
    let manager = manager(&store)?;
    eprintln!(
        "cells-auth agent: {}",
        text("cli-agent-answering", &[("address", Arg::Text(&agent.address().to_string()))])
    );
    let fresh = tokio::spawn(manager.clone().keep_fresh());
    let stop = stopped();
    tokio::select! {
        () = agent.serve(manager) => {}
        () = stop => {}
    }
    fresh.abort();
    Ok(())
}

/// Resolves on SIGINT or SIGTERM (on Windows: Ctrl-C, Ctrl-Break, or the
/// console closing).
#[cfg(unix)]
fn stopped() -> impl std::future::Future<Output = ()> {
    let interrupt = interrupted();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        if let Some(terminate) = terminate.as_mut() {
            tokio::select! {
                () = interrupt => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        interrupt.await;
    }
}

#[cfg(windows)]
fn stopped() -> impl std::future::Future<Output = ()> {
    let interrupt = interrupted();
    let mut brk = tokio::signal::windows::ctrl_break().ok();
    let mut close = tokio::signal::windows::ctrl_close().ok();
    async move {
        tokio::select! {
            () = interrupt => {}
            Some(()) = async { brk.as_mut()?.recv().await } => {}
            Some(()) = async { close.as_mut()?.recv().await } => {}
        }
    }
}

async fn login(
    server: &str,
    redirect: RedirectMode,
    timeout: Duration,
    open_browser: bool,
    trust: Option<ServerTrust>,
) -> Result<(), Failure> {
    // Checked before anything touches the keyring or the network.
    let server = ServerUrl::parse(server)?;
    if trust.is_some() && server.is_insecure() {
        return Err(Failure {
            message: text("cli-trust-on-plain-http", &[("server", Arg::Text(&server.to_string()))]),
            code: exit::USAGE,
        });
    }
    // Listen for Ctrl-C from now on: a signal arriving before a handler is in
    // place would be lost (or kill the process without closing the port).
    let interrupt = interrupted();
    let manager = manager(&Store::open_default()?)?;
    if server.is_insecure() {
        eprintln!("{}", text("cli-plain-http-warning", &[("server", Arg::Text(server.as_str()))]));
    }
    let opener = open_browser.then(cells_auth::browser::system_opener);
    let options = SignInOptions { redirect, timeout, opener, trust };
    let sign_in = SignIn::start(&manager, server, options).await.map_err(sign_in_failure)?;
    let pending = sign_in.pending().clone();
    let server_text = pending.server.to_string();
    eprintln!(
        "{}\n\n  {}\n",
        text("cli-open-address", &[("server", Arg::Text(&server_text))]),
        pending.authorization_url
    );
    let control = sign_in.control();
    if open_browser {
        if let Err(reason) = control.open_browser() {
            eprintln!("{}", text("cli-open-yourself", &[("reason", Arg::Text(&reason.to_string()))]));
        }
    } else if let Some(port) = pending.port {
        eprintln!("{}", text("cli-paste-back", &[("port", Arg::Text(&port.to_string()))]));
        paste_back(control.clone());
    }
    let (redirect, timeout) = (pending.redirect_uri.to_string(), duration(timeout).say(cells_auth::i18n::current()));
    eprintln!("{}", text("cli-waiting", &[("redirect", Arg::Text(&redirect)), ("timeout", Arg::Text(&timeout))]));
    let cancel_on_interrupt = tokio::spawn(async move {
        interrupt.await;
        control.cancel().await;
    });
    let result = sign_in.account().await;
    cancel_on_interrupt.abort();
    let account = result.map_err(sign_in_failure)?;
    let user = format!("{}{}", account.user, account.email.as_deref().map(|e| format!(" <{e}>")).unwrap_or_default());
    let args =
        [("user", Arg::Text(&user)), ("server", Arg::Text(&account.server)), ("account", Arg::Text(&account.id))];
    println!("{}", text("cli-signed-in", &args));
    Ok(())
}

/// Reads addresses pasted on standard input and hands each to the sign-in
/// until one is taken; whichever comes first, this or the listener, wins.
fn paste_back(control: SignInControl) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lines().map_while(Result::ok) {
            if line.trim().is_empty() {
                continue;
            }
            match control.deliver_address(&line) {
                Ok(()) => return,
                Err(err @ (AnswerError::AlreadyAnswered | AnswerError::Closed)) => {
                    eprintln!("{}", text("cli-not-taken", &[("reason", Arg::Text(&err.to_string()))]));
                    return;
                }
                Err(err) => eprintln!("{}", text("cli-not-taken", &[("reason", Arg::Text(&err.to_string()))])),
            }
        }
    });
}

/// Resolves on Ctrl-C (SIGINT). The handler is installed when this is called,
/// not when the future is first polled. If none can be installed, it never
/// resolves rather than cancel at once.
fn interrupted() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let mut signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    #[cfg(windows)]
    let mut signal = tokio::signal::windows::ctrl_c().ok();
    async move {
        match signal.as_mut() {
            Some(signal) => {
                signal.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    }
}

fn sign_in_failure(err: SignInError) -> Failure {
    let code = if matches!(err, SignInError::Cancelled) { exit::INTERRUPTED } else { exit::FAILURE };
    Failure { message: err.to_string(), code }
}

#[derive(Serialize)]
struct StatusJson<'a> {
    accounts: Vec<AccountJson<'a>>,
}

#[derive(Serialize)]
struct AccountJson<'a> {
    id: &'a str,
    server: &'a str,
    issuer: &'a str,
    user: &'a str,
    email: Option<&'a str>,
    state: AccountState,
    access_token_expires_at: String,
    last_refresh_at: Option<String>,
    /// In English, whatever the language: scripts read it.
    last_error: Option<String>,
    next_attempt_at: Option<String>,
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn status(json: bool) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let now = SystemClock.now();
    let views: Vec<AccountView> =
        store.accounts()?.iter().map(|account| AccountView::new(account, false, now)).collect();
    if json {
        let out = StatusJson {
            accounts: views
                .iter()
                .map(|view| {
                    let a = &view.account;
                    AccountJson {
                        id: &a.id,
                        server: &a.server,
                        issuer: &a.issuer,
                        user: &a.user,
                        email: a.email.as_deref(),
                        state: view.state,
                        access_token_expires_at: rfc3339(a.access_token_expires_at),
                        last_refresh_at: a.last_refresh_at.map(rfc3339),
                        last_error: a.last_error.as_ref().map(|error| error.say(Language::English)),
                        next_attempt_at: a.next_attempt_at.map(rfc3339),
                    }
                })
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    if views.is_empty() {
        println!("{}", text("cli-no-accounts", &[]));
        return Ok(());
    }
    for view in &views {
        println!("{}", status_line(view));
    }
    Ok(())
}

/// `id  alice <alice@example.com> on https://h  signed in, expires in 6 min; refreshed 2 min ago`.
fn status_line(view: &AccountView) -> String {
    let account = &view.account;
    let user = format!("{}{}", account.user, account.email.as_deref().map(|e| format!(" <{e}>")).unwrap_or_default());
    let on = text("cli-account-on", &[("user", Arg::Text(&user)), ("server", Arg::Text(&account.server))]);
    let insecure = if view.insecure { format!(" {}", text("cli-insecure", &[])) } else { String::new() };
    let certificate = view.certificate.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
    let mut line = format!("{}  {on}{insecure}{certificate}  {}; {}", account.id, view.summary, view.activity);
    if !view.detail.is_empty() {
        line.push_str(&format!("; {}", view.detail));
    }
    line
}

fn manager(store: &Store) -> Result<AccountManager, Failure> {
    Ok(AccountManager::open(store.clone(), Arc::new(SystemClock))?)
}

#[derive(Serialize)]
struct TokenJson<'a> {
    access_token: &'a str,
    token_type: &'static str,
    expires_at: Option<String>,
}

/// Only the access token, for `$(cells-auth token)`; or, with `json`, the
/// token and its expiry.
fn print_token(token: &str, expires_at: Option<DateTime<Utc>>, json: bool) {
    if !json {
        println!("{token}");
        return;
    }
    let out = TokenJson { access_token: token, token_type: "Bearer", expires_at: expires_at.map(rfc3339) };
    match serde_json::to_string(&out) {
        Ok(text) => println!("{text}"),
        Err(err) => {
            eprintln!("cells-auth: {}", text("cli-cannot-write-json", &[("reason", Arg::Text(&err.to_string()))]))
        }
    }
}

fn token_failure_of(err: ManagerError) -> Failure {
    let (code, message) = token_failure(&err);
    Failure { message, code }
}

/// `token`, answered here when no agent did.
async fn token(selector: Option<&str>, rejected: Option<&AccessToken>, json: bool) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let account = cells_auth::store::find_account_or_only(&store.accounts()?, selector)?;
    let manager = one_command_manager(&store)?;
    let handed = match rejected {
        Some(rejected) => manager.invalidate(&account.id, rejected).await,
        None => manager.handed_token(&account.id).await,
    };
    let handed = handed.map_err(token_failure_of)?;
    print_token(handed.token.secret(), Some(handed.expires_at), json);
    Ok(())
}

/// `refresh` forces a refresh and says so.
async fn refresh(selector: Option<&str>) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let account = cells_auth::store::find_account_or_only(&store.accounts()?, selector)?;
    let manager = one_command_manager(&store)?;
    manager.refresh(&account.id).await.map_err(token_failure_of)?;
    let view = manager.account(&account.id)?;
    let args = [
        ("user", Arg::Text(&view.account.user)),
        ("server", Arg::Text(&view.account.server)),
        ("expiry", Arg::Text(&view.expiry)),
    ];
    println!("{}", text("cli-refreshed", &args));
    Ok(())
}

/// The manager of a command that ends when it is done: a rotated refresh
/// token the keyring will not take is tried again for up to a minute
/// ([`cells_auth::manager::ONE_COMMAND_WRITE_BOUND`]), since nothing would keep it after.
fn one_command_manager(store: &Store) -> Result<AccountManager, Failure> {
    Ok(AccountManager::open_for_one_command(store.clone(), Arc::new(SystemClock))?)
}

async fn logout(selector: &str) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let account = cells_auth::store::find_account(&store.accounts()?, selector)?;
    let (account, revocation) = manager(&store)?.logout(&account.id).await?;
    let server_side = match revocation {
        Revocation::Revoked => text("cli-revoked", &[]),
        Revocation::NotOffered => text("cli-no-revocation", &[]),
        Revocation::NothingToRevoke => text("cli-nothing-to-revoke", &[]),
        Revocation::Failed(reason) => {
            eprintln!("{}", text("cli-revocation-warning", &[("reason", Arg::Text(&reason.to_string()))]));
            text("cli-revocation-failed", &[])
        }
    };
    let args = [
        ("user", Arg::Text(&account.user)),
        ("server", Arg::Text(&account.server)),
        ("account", Arg::Text(&account.id)),
        ("outcome", Arg::Text(&server_side)),
    ];
    println!("{}", text("cli-signed-out", &args));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_token_is_read_whole_from_one_line_of_input() {
        assert_eq!(read_rejected(&b"abc.def\n"[..]).unwrap().secret(), "abc.def");
        assert_eq!(read_rejected(&b"  abc  "[..]).unwrap().secret(), "abc");
        let empty = read_rejected(&b"\n"[..]).unwrap_err();
        assert!(empty.contains("standard input") && !empty.contains('\n'), "{empty}");
        let long = vec![b'a'; 70 * 1024];
        assert!(read_rejected(&long[..]).unwrap_err().contains("longer"));
    }

    #[test]
    fn usage_errors_fold_into_one_line() {
        let text = "error: the following required arguments were not provided:\n  <SERVER>\n\nUsage: cells-auth login <SERVER>\n\nFor more information, try '--help'.\n";
        assert_eq!(usage_error_line(text), "the following required arguments were not provided: <SERVER>");
    }
}
