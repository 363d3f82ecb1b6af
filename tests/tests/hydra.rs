//! The command line against Cells' own sign-in engine: Ory Hydra (fosite)
//! behind nginx under `<server>/oidc/`, with its login page. Where Hydra
//! differs from the oidc-provider stand-in, it is checked here.

use cells_auth_e2e::hydra::{Hydra, HydraOptions};
use cells_auth_e2e::{keyring_secret, loopback_lock, Sandbox};

/// `cells-auth token`, which must succeed and print only a token.
fn token(sandbox: &Sandbox) -> String {
    let out = sandbox.run(&["token"]);
    assert_eq!(out.code, Some(0), "token failed: {}", out.stderr);
    out.stdout.trim().to_string()
}

fn sign_in(sandbox: &Sandbox, hydra: &Hydra) -> String {
    let out = sandbox.login(&hydra.url(), &[]);
    assert_eq!(out.code, Some(0), "login failed: {}", out.stderr);
    sandbox.accounts().last().and_then(|a| a["id"].as_str().map(str::to_string)).expect("an account")
}

#[test]
fn a_refresh_at_hydra_revokes_the_access_token_it_replaces() {
    let hydra = Hydra::start();
    let sandbox = Sandbox::new();
    let id = {
        let _ports = loopback_lock();
        sign_in(&sandbox, &hydra)
    };
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
    assert_eq!(hydra.replays(), 1, "Hydra logged the replay");
    assert_eq!(hydra.refreshes(), 1);
    assert!(!hydra.is_active(&second), "a replay revokes the chain");
}
