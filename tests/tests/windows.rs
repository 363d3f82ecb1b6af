//! The Windows command line, for real under Wine: `cells-auth.exe` signs in
//! through its loopback listener (the scripted browser follows the printed
//! address from the Linux side), keeps its secrets in Credential Manager
//! and nowhere else, refreshes with rotation, answers through the agent on
//! its named pipe, and signs out with revocation.

use cells_auth_e2e::wine::{WinePrefix, CREDENTIALS_KEY};
use cells_auth_e2e::{loopback_lock, repo_root, run_command, Idp, Output, TempDir};
use serde_json::{json, Value};

/// `login --no-browser`; the address it prints is opened by the scripted
/// browser on the Linux side, which delivers the answer to the Windows
/// program's listener on localhost:3636.
fn sign_in(windows: &WinePrefix, idp: &Idp) -> Output {
    let mut login = windows.spawn(&["login", &idp.url(), "--no-browser", "--timeout", "60"]);
    let line = login.wait_for_stderr("/oidc/oauth2/auth?");
    let address = line.trim();
    let report = TempDir::new("wine-browser");
    let mut browser = std::process::Command::new("node");
    browser
        .arg(repo_root().join("tests/idp/browser.mjs"))
        .arg(address)
        .env("CELLS_TEST_REPORT", report.path().join("report.json"));
    let browsed = run_command(browser);
    assert_eq!(browsed.code, Some(0), "the scripted browser failed: {}", browsed.stderr);
    login.finish()
}

fn accounts(windows: &WinePrefix) -> Vec<Value> {
    let out = windows.run(&["status", "--json"]);
    assert_eq!(out.code, Some(0), "status --json failed: {}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", out.stdout));
    json["accounts"].as_array().cloned().unwrap_or_default()
}

fn signed_in(windows: &WinePrefix, idp: &Idp) -> String {
    let out = sign_in(windows, idp);
    assert_eq!(out.code, Some(0), "login failed: {}", out.stderr);
    assert!(out.stdout.contains("Signed in as alice <alice@example.com>"), "{}", out.stdout);
    accounts(windows)[0]["id"].as_str().expect("an account id").to_string()
}

fn token(windows: &WinePrefix) -> String {
    let out = windows.run(&["token"]);
    assert_eq!(out.code, Some(0), "token failed: {}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    out.stdout.trim().to_string()
}

/// The lines a failing command said, but the plain-http warning every command to the test provider gives.
fn said(out: &Output) -> Vec<&str> {
    out.stderr_lines().into_iter().filter(|line| !line.starts_with("Warning:")).collect()
}

#[test]
fn the_windows_command_line_signs_in_refreshes_and_signs_out_with_its_secrets_only_in_credential_manager() {
    let _ports = loopback_lock();
    let idp = Idp::start();
    let windows = WinePrefix::new();
    let id = signed_in(&windows, &idp);
    let account = &accounts(&windows)[0];
    assert_eq!((account["user"].as_str(), account["state"].as_str()), (Some("alice"), Some("signed_in")));
    let credentials = windows.credentials();
    for kind in ["refresh_token", "access_token", "id_token"] {
        assert!(credentials.contains(&format!("{id}/{kind}.cells-auth")), "no {kind} in {credentials:?}");
    }

    let first = token(&windows);
    assert_eq!(idp.userinfo(&first).expect("a token the provider accepts")["sub"], "u-alice-0001");
    let refreshed = windows.run(&["refresh"]);
    assert_eq!(refreshed.code, Some(0), "{}", refreshed.stderr);
    assert_eq!(idp.stat("/token/refresh_token"), 1);
    let second = token(&windows);
    assert_ne!(first, second, "the refresh gave a new access token");
    assert!(idp.userinfo(&second).is_some());
    // The rotated refresh token was kept: a second refresh spends it.
    assert_eq!(windows.run(&["refresh"]).code, Some(0));
    assert_eq!((idp.stat("/token/refresh_token"), idp.stat("/token_errors/refresh_token")), (2, 0));

    // Bad input: one line, a non-zero exit, the account untouched.
    for (args, expected) in [
        (vec!["token", "nobody"], "no account matches"),
        (vec!["logout", "nobody"], "no account matches"),
        (vec!["login", "ftp://example.com"], "ftp"),
    ] {
        let out = windows.run(&args);
        assert_eq!(out.code, Some(1), "{args:?}: {out:?}");
        let lines = said(&out);
        assert_eq!(lines.len(), 1, "{args:?}: one line, not {lines:?}");
        assert!(lines[0].contains(expected), "{args:?}: {lines:?}");
        assert!(!out.stderr.contains("panicked"), "{args:?}: {}", out.stderr);
    }
    assert_eq!(accounts(&windows).len(), 1, "nothing lost");

    let last = token(&windows);
    let leaks = windows.files_holding(&last);
    assert!(leaks.is_empty(), "the access token is in files of the prefix: {leaks:?}");

    let out = windows.run(&["logout", &id]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(idp.stat("/revocation"), 1, "the refresh token was revoked");
    assert!(accounts(&windows).is_empty());
    let left: Vec<String> = windows.credentials().into_iter().filter(|name| name.starts_with(&id)).collect();
    assert!(left.is_empty(), "credentials left after logout: {left:?}");
}

#[test]
fn the_agent_answers_on_its_named_pipe_from_memory_and_a_second_agent_is_refused() {
    let _ports = loopback_lock();
    let idp = Idp::start();
    let windows = WinePrefix::new();
    signed_in(&windows, &idp);
    let direct = token(&windows);

    let mut agent = windows.spawn(&["agent"]);
    let listening = agent.wait_for_stderr("answering token requests on");
    assert!(listening.contains(r"\\.\pipe\cells-auth-S-1-5-"), "{listening}");
    let second = windows.run(&["agent"]);
    assert_eq!(second.code, Some(1), "{second:?}");
    assert!(said(&second).last().is_some_and(|line| line.contains("already running")), "{}", second.stderr);

    // The agent's first answer puts the token in its memory.
    assert_eq!(token(&windows), direct);
    // Credential Manager emptied: only the agent's memory holds the token now.
    let emptied = run_command(windows.wine(&["reg", "delete", CREDENTIALS_KEY, "/f"]));
    assert_eq!(emptied.code, Some(0), "{}", emptied.stderr);
    assert_eq!(token(&windows), direct, "the agent answered from memory");

    windows.stop_all();
    let _ = agent.finish();
    let without = windows.run(&["token"]);
    assert_ne!(without.code, Some(0), "with no agent and no credentials there is no token: {without:?}");
    assert!(said(&without).last().is_some_and(|line| line.contains("missing from the keyring")), "{}", without.stderr);
}

#[test]
fn an_id_token_longer_than_a_windows_credential_is_stored_whole_in_parts() {
    let _ports = loopback_lock();
    let idp = Idp::start();
    let windows = WinePrefix::new();
    // Credential Manager takes at most 2,560 bytes in one credential.
    idp.tamper_next_id_token(json!({ "claims": { "groups": "g".repeat(3000) } }));
    let id = signed_in(&windows, &idp);
    let id_token_entries = |windows: &WinePrefix| {
        windows.credentials().into_iter().filter(|name| name.starts_with(&format!("{id}/id_token"))).count()
    };
    assert!(id_token_entries(&windows) >= 4, "a header and three parts or more: {:?}", windows.credentials());
    // A refresh keeps the ID token of the sign-in (it does not store the refreshed one).
    let refreshed = windows.run(&["refresh"]);
    assert_eq!(refreshed.code, Some(0), "{}", refreshed.stderr);
    assert!(id_token_entries(&windows) >= 4, "{:?}", windows.credentials());
    // Signing in again brings a short one: one credential, the parts gone.
    assert_eq!(signed_in(&windows, &idp), id);
    assert_eq!(id_token_entries(&windows), 1, "{:?}", windows.credentials());
    assert_eq!(windows.run(&["logout", &id]).code, Some(0));
    assert_eq!(id_token_entries(&windows), 0);
}
