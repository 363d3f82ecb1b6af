//! Bad input and hostile or broken servers: one clear line, a non-zero exit,
//! and an account that worked before still works after.

use cells_auth_e2e::{keyring_secret, Fixture, Idp, Output, Sandbox};
use serde_json::json;

#[test]
fn bad_server_addresses_get_one_line_before_any_network_call() {
    let idp = Idp::start();
    let sandbox = Sandbox::new();
    let port = idp.port;
    let before = idp.stats()["requests"].as_u64().unwrap();
    let cases = [
        (format!("ftp://127.0.0.1:{port}"), "uses 'ftp'"),
        ("".to_string(), "the server address is empty"),
        (format!("http://127.0.0.1:{port}/?next=/"), "must not contain a query"),
        (format!("http://user:pw@127.0.0.1:{port}"), "must not contain a user name or password"),
        ("cells example.com".to_string(), "contains white space"),
        ("https://".to_string(), "is not a valid server address"),
        (
            format!("http://127.0.0.1:{port}/oidc/.well-known/openid-configuration"),
            "is the address of the OpenID service",
        ),
    ];
    for (input, expected) in &cases {
        let out = sandbox.run(&["login", input, "--timeout", "5"]);
        assert_eq!(out.code, Some(1), "{input}: {}", out.stderr);
        assert_eq!(out.stderr_lines().len(), 1, "{input}: {}", out.stderr);
        assert!(
            out.error_line().starts_with("cells-auth: ") && out.error_line().contains(expected),
            "{input}: {}",
            out.stderr
        );
        assert!(!sandbox.browser_opened());
    }
    // Only the stats requests themselves reached the server.
    assert_eq!(idp.stats()["requests"].as_u64().unwrap(), before + 1);
}

#[test]
fn usage_errors_are_one_line_too() {
    let sandbox = Sandbox::new();
    for args in [vec!["login"], vec!["login", "h", "--timeout", "0"], vec!["login", "h", "--bogus"], vec!["frobnicate"]]
    {
        let out = sandbox.run(&args);
        assert_eq!(out.code, Some(64), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr_lines().len(), 1, "{args:?}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"));
    }
}

#[test]
fn discovery_failures_each_say_what_went_wrong_and_where() {
    let idp = Idp::start();
    let sandbox = Sandbox::new();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = idp.url();
    let cases = [
        (format!("{url}/nothing-here"), "no OpenID configuration at", "HTTP 404"),
        (format!("{url}/behind-proxy"), "returned an HTML page instead of the OpenID configuration", "proxy"),
        (format!("https://127.0.0.1:{}", idp.port), "cannot reach", "TLS"),
        (format!("http://127.0.0.1:{closed_port}"), "cannot reach", "connection refused"),
    ];
    for (server, first, second) in &cases {
        let out = sandbox.run(&["login", server, "--timeout", "5"]);
        assert_eq!(out.code, Some(1), "{server}: {}", out.stderr);
        let line = out.error_line();
        assert!(line.contains(first) && line.contains(second), "{server}: {line}");
        assert!(line.contains(&format!("{server}/oidc/.well-known/openid-configuration")), "names the URL: {line}");
        assert!(!sandbox.browser_opened(), "{server}");
    }
}

/// Signs alice in, then runs `fail` and checks that it failed with `expected`
/// and that alice's account and secrets are exactly as before.
fn failed_login_leaves_the_account_untouched(prepare: impl FnOnce(&Idp), expected: &str) {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    assert_eq!(sandbox.login(&idp.url(), &[]).code, Some(0));
    let before = sandbox.accounts();
    let id = before[0]["id"].as_str().unwrap().to_string();
    let secrets_before: Vec<_> =
        ["refresh_token", "access_token", "id_token"].iter().map(|k| keyring_secret(&id, k)).collect();

    prepare(&idp);
    let out = sandbox.login(&idp.url(), &[]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.error_line().contains(expected), "{}", out.stderr);
    let page = sandbox.browser_report().unwrap()["callback"]["body"].as_str().unwrap().to_string();
    assert!(page.contains("Sign-in failed"), "{page}");

    assert_eq!(sandbox.accounts(), before);
    let secrets_after: Vec<_> =
        ["refresh_token", "access_token", "id_token"].iter().map(|k| keyring_secret(&id, k)).collect();
    assert_eq!(secrets_after, secrets_before);
    let access = secrets_after[1].as_deref().unwrap();
    assert!(idp.userinfo(access).is_some(), "the old access token still works");
}

#[test]
fn an_id_token_from_another_issuer_is_rejected() {
    failed_login_leaves_the_account_untouched(
        |idp| idp.tamper_next_id_token(json!({ "claims": { "iss": "https://evil.example.com/oidc/" } })),
        "sign-in rejected: the ID token was issued by https://evil.example.com/oidc/, not by this server",
    );
}

#[test]
fn an_id_token_for_another_audience_is_rejected() {
    failed_login_leaves_the_account_untouched(
        |idp| idp.tamper_next_id_token(json!({ "claims": { "aud": "cells-client" } })),
        "sign-in rejected: the ID token is meant for [\"cells-client\"], not for cells-sync",
    );
}

#[test]
fn an_id_token_signed_by_another_key_is_rejected() {
    failed_login_leaves_the_account_untouched(
        |idp| idp.tamper_next_id_token(json!({ "foreignKey": true })),
        "sign-in rejected: the ID token's signature does not verify",
    );
}

#[test]
fn a_refused_code_exchange_is_reported_with_the_servers_error() {
    failed_login_leaves_the_account_untouched(
        |idp| idp.token_faults(json!([{ "status": 400, "error": "invalid_grant", "description": "code expired" }])),
        "cannot get the tokens: the server refused the token request: invalid_grant (code expired)",
    );
}

#[test]
fn without_a_secret_service_login_fails_fast_and_opens_nothing() {
    let idp = Idp::start();
    let mut sandbox = Sandbox::new();
    sandbox.set_env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/cells-auth-test-bus");
    let out = sandbox.login(&idp.url(), &[]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.error_line().contains("no Secret Service is available"), "{}", out.stderr);
    assert!(out.error_line().contains("start gnome-keyring"), "says how to fix it: {}", out.stderr);
    assert!(!sandbox.browser_opened());
    assert!(sandbox.config_files_text().is_empty(), "nothing written in plaintext instead");
}

#[test]
fn a_locked_keyring_is_said_plainly_and_opens_nothing() {
    let idp = Idp::start();
    let sandbox = Sandbox::new();
    let out = sandbox.run_with_locked_keyring(&["login", &idp.url(), "--timeout", "5"], false);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(
        own_lines(&out),
        ["cells-auth: the keyring is locked: unlock it (for example in Passwords and Keys, or by signing in to the desktop session) and try again"],
        "{}",
        out.stderr
    );
    assert!(!sandbox.browser_opened());
    assert!(sandbox.config_files_text().is_empty());
}

#[test]
fn a_keyring_waiting_on_an_unanswered_unlock_prompt_is_bounded() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "needs a display for the prompt: run under xvfb-run (make test does)"
    );
    let idp = Idp::start();
    let sandbox = Sandbox::new();
    let out = sandbox.run_with_locked_keyring(&["login", &idp.url(), "--timeout", "5"], true);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(
        own_lines(&out),
        ["cells-auth: the keyring did not answer within 5 s; it may be waiting for a password prompt: unlock it and try again"],
        "{}",
        out.stderr
    );
    assert!(!sandbox.browser_opened());
}

/// What cells-auth itself printed on stderr: the nested session's keyring
/// prompter may print lines of its own.
fn own_lines(out: &Output) -> Vec<&str> {
    out.stderr_lines().into_iter().filter(|line| line.starts_with("cells-auth:")).collect()
}
