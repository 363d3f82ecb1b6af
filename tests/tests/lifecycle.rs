//! Keeping accounts signed in: refresh with rotation, single flight within
//! and across processes, invalid grants, outages, crashes and sign-out,
//! against the real provider and the real keyring.

use std::sync::Arc;

use cells_auth::clock::FakeClock;
use cells_auth::manager::AccountManager;
use cells_auth::store::{KeyringSecrets, Store, KEYRING_SERVICE};
use cells_auth_e2e::{keyring_secret, Fixture, Sandbox};
use serde_json::json;

/// `cells-auth token`, which must succeed and print only a token.
fn token(sandbox: &Sandbox) -> String {
    let out = sandbox.run(&["token"]);
    assert_eq!(out.code, Some(0), "token failed: {}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "only the token on stdout: {}", out.stdout);
    out.stdout.trim().to_string()
}

#[test]
fn token_keeps_working_over_several_rotations_each_refresh_token_used_once() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    idp.configure(json!({ "accessTokenTtl": 4 }));
    let id = sandbox.sign_in(&idp);

    let mut refresh_tokens = vec![keyring_secret(&id, "refresh_token").unwrap()];
    let mut access_tokens = Vec::new();
    for round in 1..=4 {
        sandbox.expire_access_token(&id);
        let access = token(&sandbox);
        assert_eq!(idp.userinfo(&access).expect("a working access token")["sub"], "u-alice-0001", "round {round}");
        // A token with life left is served again without a refresh.
        assert_eq!(token(&sandbox), access, "round {round}");
        access_tokens.push(access);
        refresh_tokens.push(keyring_secret(&id, "refresh_token").unwrap());
    }
    let mut distinct = refresh_tokens.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), refresh_tokens.len(), "the refresh token rotated every time");
    assert_eq!(idp.stat("/token/refresh_token"), 4, "one refresh per expiry");
    assert_eq!(idp.stat("/token_errors/refresh_token"), 0, "no refresh token was spent twice");
    assert_eq!(sandbox.accounts()[0]["state"], "signed_in");
}

#[test]
fn concurrent_access_token_calls_in_one_process_make_one_refresh() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let tokens = runtime.block_on(async {
        let store = Store::new(sandbox.config_dir(), Arc::new(KeyringSecrets::new(KEYRING_SERVICE)));
        // Eleven minutes later, by the injected clock: the 10-minute token has expired.
        let clock = FakeClock::at(chrono::Utc::now() + chrono::Duration::minutes(11));
        let manager = AccountManager::new(store, cells_auth::http::client().unwrap(), Arc::new(clock)).unwrap();
        let calls: Vec<_> = (0..200)
            .map(|_| {
                let (manager, id) = (manager.clone(), id.clone());
                tokio::spawn(async move { manager.access_token(&id).await })
            })
            .collect();
        let mut tokens = Vec::new();
        for call in calls {
            tokens.push(call.await.unwrap().expect("a token").secret().to_string());
        }
        tokens
    });
    assert_eq!(idp.stat("/token/refresh_token"), 1, "exactly one refresh request");
    assert!(tokens.iter().all(|t| t == &tokens[0]), "everyone got the same token");
    assert!(idp.userinfo(&tokens[0]).is_some());
}

#[test]
fn two_processes_on_an_expired_token_make_one_refresh() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    sandbox.expire_access_token(&id);

    let first = sandbox.spawn(&["token"]);
    let second = sandbox.spawn(&["token"]);
    let (first, second) = (first.finish(), second.finish());
    assert_eq!((first.code, second.code), (Some(0), Some(0)), "{} / {}", first.stderr, second.stderr);
    let (a, b) = (first.stdout.trim(), second.stdout.trim());
    assert!(idp.userinfo(a).is_some() && idp.userinfo(b).is_some(), "both tokens work");
    assert_eq!(a, b, "the second process used the first one's refresh");
    assert_eq!(idp.stat("/token/refresh_token"), 1);
    assert_eq!(idp.stat("/token_errors/refresh_token"), 0);
    assert_eq!(sandbox.accounts()[0]["state"], "signed_in");
}

#[test]
fn invalid_grant_needs_a_new_sign_in_and_sends_nothing_more() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    idp.token_faults(json!([{ "status": 400, "error": "invalid_grant", "description": "grant revoked" }]));
    sandbox.expire_access_token(&id);

    for _ in 0..3 {
        let out = sandbox.run(&["token"]);
        assert_eq!(out.code, Some(2), "{}", out.stderr);
        assert!(out.stdout.is_empty());
        assert_eq!(out.stderr_lines().len(), 1, "{}", out.stderr);
        assert!(
            out.error_line()
                .contains("needs a new sign-in (the server refused the refresh token: invalid_grant: grant revoked)"),
            "{}",
            out.stderr
        );
        assert!(out.error_line().contains(&format!("run `cells-auth login {}`", idp.url())), "{}", out.stderr);
    }
    assert_eq!(idp.stat("/token/injected_fault"), 1, "one request, no retry loop");
    assert_eq!(idp.stat("/token/refresh_token"), 0);
    assert_eq!(sandbox.accounts()[0]["state"], "needs_reauth");
    // Signing in again brings it back.
    assert_eq!(sandbox.sign_in(&idp), id);
    assert_eq!(sandbox.accounts()[0]["state"], "signed_in");
}

#[test]
fn server_errors_and_outages_back_off_keep_the_tokens_and_recover() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    let refresh_before = keyring_secret(&id, "refresh_token").unwrap();

    idp.token_faults(json!([{ "status": 500, "error": "server_error", "description": "database down" }]));
    sandbox.expire_access_token(&id);
    let out = sandbox.run(&["token"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.error_line().contains("server_error (database down); next attempt at"), "{}", out.stderr);
    let account = &sandbox.accounts()[0];
    assert_eq!(account["state"], "expired");
    assert!(account["last_error"].as_str().unwrap().contains("database down"));
    assert!(account["next_attempt_at"].is_string());
    let status = sandbox.run(&["status"]);
    assert!(status.stdout.contains("last error: ") && status.stdout.contains("next retry in"), "{}", status.stdout);

    // Backing off: a second call does not reach the server.
    let out = sandbox.run(&["token"]);
    assert_eq!(out.code, Some(1));
    assert_eq!(idp.stat("/token/injected_fault"), 1);
    assert_eq!(keyring_secret(&id, "refresh_token").unwrap(), refresh_before, "tokens kept");

    // Unreachable: the connection is dropped; still kept, still backing off.
    idp.outage(true);
    let out = sandbox.run(&["refresh"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.error_line().contains("cannot refresh the access token"), "{}", out.stderr);
    assert_eq!(keyring_secret(&id, "refresh_token").unwrap(), refresh_before);

    // Back: a refresh succeeds and the errors are cleared.
    idp.outage(false);
    let out = sandbox.run(&["refresh"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("the access token expires in 9 minutes"), "{}", out.stdout);
    let account = &sandbox.accounts()[0];
    assert_eq!(account["state"], "signed_in");
    assert!(account["last_error"].is_null() && account["next_attempt_at"].is_null());
    assert!(idp.userinfo(&token(&sandbox)).is_some());
}

#[test]
fn a_stopped_provider_keeps_the_account_and_its_tokens() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    let before: Vec<_> = ["refresh_token", "access_token", "id_token"].iter().map(|k| keyring_secret(&id, k)).collect();
    drop(idp);
    sandbox.expire_access_token(&id);
    let out = sandbox.run(&["token"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.error_line().contains("connection refused"), "{}", out.stderr);
    let after: Vec<_> = ["refresh_token", "access_token", "id_token"].iter().map(|k| keyring_secret(&id, k)).collect();
    assert_eq!(after, before);
    assert_eq!(sandbox.accounts()[0]["state"], "expired");
}

#[test]
fn a_refreshed_id_token_for_another_user_is_rejected() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    idp.tamper_next_id_token(json!({ "claims": { "sub": "u-mallory-9999", "name": "mallory" } }));
    sandbox.expire_access_token(&id);
    let out = sandbox.run(&["token"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.error_line().contains("the refreshed ID token names another user (mallory)"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "no token handed out");
    assert_eq!(sandbox.accounts()[0]["state"], "needs_reauth");
}

#[test]
fn a_crash_after_the_token_response_leaves_an_exact_reason_never_a_corrupt_file() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    assert!(
        sandbox.run(&["--version"]).stdout.contains("(failpoints)"),
        "build with --features failpoints (make test does)"
    );

    sandbox.set_env("CELLS_AUTH_FAILPOINT", "after-token-response");
    let crashed = sandbox.run(&["refresh"]);
    assert_eq!(crashed.code, None, "killed by the failpoint: {}", crashed.stderr);
    sandbox.set_env("CELLS_AUTH_FAILPOINT", "");

    // The rotated refresh token was lost with the process; the old one is spent.
    let account = &sandbox.accounts()[0];
    assert_eq!(account["state"], "signed_in", "the file is intact and still valid");
    sandbox.expire_access_token(&id);
    let out = sandbox.run(&["token"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.error_line().contains("the server refused the refresh token: invalid_grant"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"));
    assert_eq!(sandbox.accounts()[0]["state"], "needs_reauth");
}

#[test]
fn a_crash_after_the_refresh_token_write_stays_signed_in() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    let refresh_before = keyring_secret(&id, "refresh_token").unwrap();

    sandbox.set_env("CELLS_AUTH_FAILPOINT", "after-refresh-token-write");
    let crashed = sandbox.run(&["refresh"]);
    assert_eq!(crashed.code, None, "killed by the failpoint: {}", crashed.stderr);
    sandbox.set_env("CELLS_AUTH_FAILPOINT", "");
    assert_ne!(keyring_secret(&id, "refresh_token").unwrap(), refresh_before, "the rotated token was saved first");

    sandbox.expire_access_token(&id);
    let access = token(&sandbox);
    assert!(idp.userinfo(&access).is_some());
    assert_eq!(sandbox.accounts()[0]["state"], "signed_in");
    assert_eq!(idp.stat("/token_errors/refresh_token"), 0);
}

#[test]
fn logout_revokes_the_refresh_token_and_deletes_the_secrets() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    let refresh = keyring_secret(&id, "refresh_token").unwrap();

    let out = sandbox.run(&["logout", &id]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("the server revoked its refresh token"), "{}", out.stdout);
    assert_eq!(idp.stat("/revocation"), 1);
    let (status, body) = idp.try_refresh(&refresh);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "the provider rejects the old refresh token"
    );
    for kind in ["refresh_token", "access_token", "id_token"] {
        assert_eq!(keyring_secret(&id, kind), None);
    }
    assert!(sandbox.accounts().is_empty());
}

#[test]
fn logout_with_the_provider_down_still_deletes_and_says_so() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    drop(idp);
    let out = sandbox.run(&["logout", "alice"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains("could not revoke the refresh token on the server")
            && out.stderr.contains("connection refused"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("local secrets deleted"));
    assert_eq!(keyring_secret(&id, "refresh_token"), None);
    assert!(sandbox.accounts().is_empty());
}

#[test]
fn no_token_code_or_secret_appears_in_any_output() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let mut printed = String::new();
    let mut secrets = Vec::new();
    let mut record = |out: cells_auth_e2e::Output, stdout_is_token: bool| {
        printed.push_str(&out.stderr);
        if !stdout_is_token {
            printed.push_str(&out.stdout);
        }
    };
    record(sandbox.login(&idp.url(), &[]), false);
    secrets.push(sandbox.browser_report().unwrap()["code"].as_str().unwrap().to_string());
    let verifiers = idp.stats()["code_verifiers"].as_array().cloned().unwrap_or_default();
    assert_eq!(verifiers.len(), 1, "the provider saw the PKCE verifier");
    secrets.extend(verifiers.iter().filter_map(|v| v.as_str().map(str::to_string)));
    let id = sandbox.accounts()[0]["id"].as_str().unwrap().to_string();
    let collect = |secrets: &mut Vec<String>| {
        for kind in ["refresh_token", "access_token", "id_token"] {
            secrets.extend(keyring_secret(&id, kind));
        }
    };
    collect(&mut secrets);
    record(sandbox.run(&["refresh"]), false);
    collect(&mut secrets);
    sandbox.expire_access_token(&id);
    record(sandbox.run(&["token"]), true);
    collect(&mut secrets);
    record(sandbox.run(&["status"]), false);
    record(sandbox.run(&["status", "--json"]), false);
    idp.token_faults(json!([{ "status": 500, "error": "server_error" }, { "status": 400, "error": "invalid_grant" }]));
    record(sandbox.run(&["refresh"]), false);
    record(sandbox.run(&["refresh"]), false);
    record(sandbox.run(&["token"]), false);
    record(sandbox.run(&["logout", &id]), false);
    secrets.sort();
    secrets.dedup();
    assert!(secrets.len() >= 8, "the code, the verifier and two generations of tokens: {}", secrets.len());
    for secret in &secrets {
        assert!(!printed.contains(secret.as_str()), "a secret was printed: {printed}");
    }
    assert!(!sandbox.config_files_text().contains("eyJ"), "no JWT in the config dir");
}

#[test]
fn the_trace_log_of_a_sign_in_a_refresh_and_a_sign_out_says_why_and_holds_no_secret() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    sandbox.set_env("CELLS_AUTH_LOG", "trace");
    let mut log = String::new();
    let mut secrets = Vec::new();
    let login = sandbox.login(&idp.url(), &[]);
    assert_eq!(login.code, Some(0), "{}", login.stderr);
    log.push_str(&login.stderr);
    secrets.push(sandbox.browser_report().unwrap()["code"].as_str().unwrap().to_string());
    secrets.extend(
        idp.stats()["code_verifiers"].as_array().unwrap().iter().filter_map(|v| v.as_str().map(str::to_string)),
    );
    let id = sandbox.accounts()[0]["id"].as_str().unwrap().to_string();
    let keyring = |secrets: &mut Vec<String>| {
        for kind in ["refresh_token", "access_token", "id_token"] {
            secrets.extend(keyring_secret(&id, kind));
        }
    };
    keyring(&mut secrets);
    let refresh = sandbox.run(&["refresh"]);
    log.push_str(&refresh.stderr);
    keyring(&mut secrets);
    let logout = sandbox.run(&["logout", &id]);
    log.push_str(&logout.stderr);
    // The spans say what happened, where and how it ended.
    for expected in
        ["sign_in", "discovered", "waiting for the browser", "code exchanged", "ID token verified", "signed in"]
    {
        assert!(login.stderr.contains(expected), "{expected:?} missing from the sign-in log: {}", login.stderr);
    }
    // And where its time went, step by step (what make bench splits a refresh by).
    for expected in [
        "refresh",
        "spending the refresh token",
        "fresh",
        "step=\"http\"",
        "step=\"verify\"",
        "step=\"keyring_read\"",
        "step=\"keyring_write\"",
        "step=\"file\"",
    ] {
        assert!(refresh.stderr.contains(expected), "{expected:?} missing from the refresh log: {}", refresh.stderr);
    }
    assert!(logout.stderr.contains("sign_out") && logout.stderr.contains("Revoked"), "{}", logout.stderr);
    secrets.sort();
    secrets.dedup();
    assert!(secrets.len() >= 7, "the code, the verifier and two generations of tokens: {}", secrets.len());
    for secret in &secrets {
        assert!(!log.contains(secret.as_str()), "a secret is in the log: {log}");
    }
}
