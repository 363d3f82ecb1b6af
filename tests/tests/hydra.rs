//! The command line against Cells' own sign-in engine: Ory Hydra (fosite)
//! behind nginx under `<server>/oidc/`, with its login page. Where Hydra
//! differs from the oidc-provider stand-in, it is checked here.

use cells_auth_e2e::hydra::{Hydra, HydraOptions};
use cells_auth_e2e::{keyring_secret, loopback_lock, AgentProcess, Output, Running, Sandbox};
use serde_json::Value;

/// `cells-auth token`, which must succeed and print only a token.
fn token(sandbox: &Sandbox) -> String {
    let out = sandbox.run(&["token"]);
    assert_eq!(out.code, Some(0), "token failed: {}", out.stderr);
    out.stdout.trim().to_string()
}

/// A new user's machine signed in to `hydra`, and its account's id.
fn signed_in(hydra: &Hydra) -> (Sandbox, String) {
    let sandbox = Sandbox::new();
    let _ports = loopback_lock();
    let id = sandbox.sign_in_to(&hydra.url());
    (sandbox, id)
}

#[test]
fn a_refresh_at_hydra_revokes_the_access_token_it_replaces() {
    let hydra = Hydra::start();
    let (sandbox, id) = signed_in(&hydra);
    let account = &sandbox.accounts()[0];
    assert_eq!(account["issuer"], hydra.issuer());
    assert_eq!(account["user"], "alice");
    let first = token(&sandbox);
    assert!(hydra.is_active(&first));
    let spent = keyring_secret(&id, "refresh_token").unwrap();

    let out = sandbox.run(&["refresh"]);
    assert_eq!(out.code, Some(0), "refresh failed: {}", out.stderr);
    let second = token(&sandbox);
    assert_ne!(first, second);
    assert!(hydra.is_active(&second));
    assert!(!hydra.is_active(&first), "fosite revokes the access token a refresh replaces");
    assert_ne!(keyring_secret(&id, "refresh_token").unwrap(), spent, "rotated");
    assert_eq!(hydra.tokens_granted(), 2, "{:?}", hydra.token_statuses());

    // The spent refresh token, replayed, is refused, and the chain with it.
    let (status, body) = hydra.try_refresh(&spent);
    assert!(status >= 400, "{status} {body}");
    assert_eq!(body["error"], "invalid_grant", "{body}");
    // Hydra logs the error while handling the request and the answer after
    // it; the answer read from its log means the error was read too.
    hydra.wait_for_token_answers(3);
    assert_eq!(hydra.replays(), 1, "Hydra logged the replay");
    assert_eq!(hydra.refreshes(), 1);
    assert!(!hydra.is_active(&second), "a replay revokes the chain");
}

/// `cells-auth token --rejected`, the refused token typed on its standard input.
fn spawn_rejected(sandbox: &Sandbox, refused: &str) -> Running {
    let mut running = sandbox.spawn_with_stdin(&["token", "--rejected"]);
    running.type_line(refused);
    running
}

fn printed_token(out: Output) -> String {
    assert_eq!(out.code, Some(0), "token --rejected failed: {}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    out.stdout.trim().to_string()
}

#[test]
fn processes_reporting_one_refused_token_cause_one_refresh() {
    let hydra = Hydra::start();
    let (sandbox, id) = signed_in(&hydra);
    let refused = token(&sandbox);
    let consumers: Vec<Running> = (0..6).map(|_| spawn_rejected(&sandbox, &refused)).collect();
    let answers: Vec<String> = consumers.into_iter().map(|running| printed_token(running.finish())).collect();
    assert!(answers.iter().all(|answer| *answer == answers[0]), "one new token for all");
    assert_ne!(answers[0], refused);
    assert!(hydra.is_active(&answers[0]));
    assert_eq!(hydra.refreshes(), 1, "one refresh for six reports: {:?}", hydra.token_statuses());
    assert_eq!(hydra.replays(), 0);

    // A late report of the old token gets the current one, without a refresh.
    assert_eq!(printed_token(spawn_rejected(&sandbox, &refused).finish()), answers[0]);
    // So does a token that was never ours.
    assert_eq!(printed_token(spawn_rejected(&sandbox, "not-a-token-of-ours").finish()), answers[0]);
    assert_eq!(hydra.refreshes(), 1);
    assert!(!sandbox.config_files_text().contains(&answers[0]));
    assert_eq!(keyring_secret(&id, "access_token").unwrap(), answers[0]);
}

#[test]
fn the_agent_answers_refused_tokens_with_one_refresh_and_gives_expiries() {
    let hydra = Hydra::start();
    let (sandbox, _id) = signed_in(&hydra);
    let agent = AgentProcess::start(&sandbox);
    let out = sandbox.run(&["token", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).expect("token --json is JSON");
    let refused = json["access_token"].as_str().expect("access_token").to_string();
    assert_eq!(json["token_type"], "Bearer");
    let expires_at = chrono::DateTime::parse_from_rfc3339(json["expires_at"].as_str().expect("expires_at")).unwrap();
    let left = expires_at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(left > chrono::Duration::minutes(9) && left <= chrono::Duration::minutes(10), "Cells' 10 minutes: {left}");

    let consumers: Vec<Running> = (0..6).map(|_| spawn_rejected(&sandbox, &refused)).collect();
    let answers: Vec<String> = consumers.into_iter().map(|running| printed_token(running.finish())).collect();
    assert!(answers.iter().all(|answer| *answer == answers[0] && *answer != refused));
    assert!(hydra.is_active(&answers[0]) && !hydra.is_active(&refused));
    assert_eq!(hydra.refreshes(), 1, "{:?}", hydra.token_statuses());
    let out = agent.stop();
    assert!(!out.stderr.contains(&refused) && !out.stderr.contains(&answers[0]), "the agent printed a token");
}

#[test]
fn a_server_under_a_sub_path_signs_in_refreshes_and_signs_out() {
    let hydra = Hydra::start_with(HydraOptions { base_path: "/cells", ..HydraOptions::default() });
    let (sandbox, id) = signed_in(&hydra);
    assert_eq!(sandbox.accounts()[0]["issuer"], hydra.issuer());
    assert!(hydra.issuer().ends_with("/cells/oidc/"));
    let first = token(&sandbox);
    assert_eq!(hydra.userinfo_status(&first), 200);
    assert_eq!(sandbox.run(&["refresh"]).code, Some(0));
    let second = token(&sandbox);
    assert_eq!(hydra.userinfo_status(&first), 401, "replaced, so revoked");
    assert_eq!(hydra.userinfo_status(&second), 200);

    let out = sandbox.run(&["logout", &id]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("the server revoked its refresh token"), "{}", out.stdout);
    assert_eq!(hydra.revocations(), 1);
    assert!(!hydra.is_active(&second), "revoking the refresh token revokes its access token at Hydra");
    assert!(keyring_secret(&id, "refresh_token").is_none());
}

#[test]
fn the_development_redirect_on_port_3000_is_accepted_by_hydra() {
    let hydra = Hydra::start();
    let sandbox = Sandbox::new();
    let _ports = loopback_lock();
    let out = sandbox.login(&hydra.url(), &["--dev-redirect"]);
    assert_eq!(out.code, Some(0), "login failed: {}", out.stderr);
    assert!(out.stderr.contains("http://localhost:3000/servers/callback"), "{}", out.stderr);
    assert!(hydra.is_active(&token(&sandbox)));
}
