//! Signing in with the real binary, the test provider, a scripted browser
//! and the real Secret Service.

use cells_auth_e2e::{keyring_secret, loopback_lock, port_is_free, Fixture, Idp, Sandbox};
use serde_json::json;

const SECRETS: [&str; 3] = ["refresh_token", "access_token", "id_token"];

#[test]
fn a_full_login_leaves_secrets_in_the_keyring_and_none_in_the_config_dir() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();

    let out = sandbox.login(&idp.url(), &[]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("Signed in as alice <alice@example.com>"), "{}", out.stdout);
    assert!(out.stderr.contains("http://localhost:3636/servers/callback"), "{}", out.stderr);

    let accounts = sandbox.accounts();
    assert_eq!(accounts.len(), 1);
    let account = &accounts[0];
    assert_eq!(account["state"], "signed_in");
    assert_eq!(account["user"], "alice");
    assert_eq!(account["email"], "alice@example.com");
    assert_eq!(account["server"], idp.url());
    assert_eq!(account["issuer"], idp.issuer());
    let id = account["id"].as_str().unwrap();

    let secrets: Vec<String> = SECRETS
        .iter()
        .map(|kind| keyring_secret(id, kind).unwrap_or_else(|| panic!("no {kind} in the keyring")))
        .collect();
    // The access token in the keyring is one the provider accepts.
    assert_eq!(idp.userinfo(&secrets[1]).expect("a valid access token")["sub"], "u-alice-0001");

    let config = sandbox.config_files_text();
    assert!(config.contains("alice@example.com"), "the account file is there");
    for (kind, secret) in SECRETS.iter().zip(&secrets) {
        assert!(!config.contains(secret.as_str()), "the {kind} leaked into the config dir");
        assert!(
            !out.stdout.contains(secret.as_str()) && !out.stderr.contains(secret.as_str()),
            "the {kind} was printed"
        );
    }
    // The browser's final page says how it went, without code or state.
    let report = sandbox.browser_report().expect("the browser ran");
    let page = report["callback"]["body"].as_str().unwrap();
    assert_eq!(report["callback"]["status"], 200);
    assert!(page.contains("Signed in"), "{page}");
    assert!(!page.contains("code=") && !page.contains("state="), "{page}");
    // Cells sends no `iss` in the callback; the test provider mimics it.
    assert_eq!(report["callbackQuery"], json!(["code", "state"]));
    assert!(port_is_free(3636), "the listener closed after the callback");
}

#[test]
fn login_checks_the_iss_parameter_when_the_server_sends_it() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    idp.configure(json!({ "issParameter": true }));
    let out = sandbox.login(&idp.url(), &[]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let report = sandbox.browser_report().unwrap();
    assert_eq!(report["callbackQuery"], json!(["code", "state", "iss"]));
}

#[test]
fn signing_in_again_as_the_same_user_updates_the_account_instead_of_adding_one() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    assert_eq!(sandbox.login(&idp.url(), &[]).code, Some(0));
    let first = sandbox.accounts();
    let id = first[0]["id"].as_str().unwrap().to_string();
    let first_refresh = keyring_secret(&id, "refresh_token").unwrap();

    // The same server typed differently is still the same account.
    let again = sandbox.login(&format!("{}/", idp.url()), &[]);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    let second = sandbox.accounts();
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(second[0]["id"], id.as_str());
    let second_refresh = keyring_secret(&id, "refresh_token").unwrap();
    assert_ne!(first_refresh, second_refresh, "the new sign-in's tokens replaced the old ones");

    // Another user on the same server is another account.
    sandbox.set_env("CELLS_TEST_LOGIN", "bob");
    assert_eq!(sandbox.login(&idp.url(), &[]).code, Some(0));
    let users: Vec<String> = sandbox.accounts().iter().map(|a| a["user"].as_str().unwrap().to_string()).collect();
    assert_eq!(users, ["alice", "bob"]);
}

#[test]
fn accounts_on_several_servers_live_side_by_side() {
    let _ports = loopback_lock();
    let first = Idp::start();
    let second = Idp::start();
    let sandbox = Sandbox::new();
    assert_eq!(sandbox.login(&first.url(), &[]).code, Some(0));
    assert_eq!(sandbox.login(&second.url(), &[]).code, Some(0));
    let accounts = sandbox.accounts();
    assert_eq!(accounts.len(), 2);
    assert_ne!(accounts[0]["id"], accounts[1]["id"]);
    // Selecting by user is now ambiguous; by server it is not.
    let out = sandbox.run(&["logout", "alice"]);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stderr_lines().len(), 1, "{}", out.stderr);
    assert!(out.error_line().contains("matches several accounts"), "{}", out.stderr);
    let out = sandbox.run(&["logout", &second.url()]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(sandbox.accounts().len(), 1);
}

#[test]
fn dev_redirect_uses_port_3000() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let out = sandbox.login(&idp.url(), &["--dev-redirect"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("http://localhost:3000/servers/callback"), "{}", out.stderr);
    let report = sandbox.browser_report().unwrap();
    let url = url::Url::parse(report["url"].as_str().unwrap()).unwrap();
    let redirect = url.query_pairs().find(|(k, _)| k == "redirect_uri").unwrap().1.to_string();
    assert_eq!(redirect, "http://localhost:3000/servers/callback");
    assert_eq!(sandbox.accounts()[0]["state"], "signed_in");
}

#[test]
fn logout_deletes_the_secrets_and_the_account() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    assert_eq!(sandbox.login(&idp.url(), &[]).code, Some(0));
    let id = sandbox.accounts()[0]["id"].as_str().unwrap().to_string();
    assert!(keyring_secret(&id, "refresh_token").is_some());

    let out = sandbox.run(&["logout", "alice"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    for kind in SECRETS {
        assert_eq!(keyring_secret(&id, kind), None, "{kind} still in the keyring");
    }
    assert!(sandbox.accounts().is_empty());

    let out = sandbox.run(&["logout", "alice"]);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stderr_lines(), ["cells-auth: no account matches 'alice': `cells-auth status` lists them"]);
}
