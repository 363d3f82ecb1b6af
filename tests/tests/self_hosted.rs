//! Where Cells servers really live: behind nginx with TLS under a sub-path,
//! with a self-signed certificate or one of a private CA, reached through
//! a corporate proxy. Real nginx, real tinyproxy, the real binary.

use cells_auth_e2e::tls::{Proxy, Signer, TlsServer};
use cells_auth_e2e::{keyring_secret, loopback_lock, port_is_free, Sandbox};

/// A user's machine whose (scripted) browser trusts `server`'s certificate,
/// as the user told it to when it warned.
fn sandbox_trusting(server: &TlsServer) -> Sandbox {
    let mut sandbox = Sandbox::new();
    sandbox.set_env("NODE_EXTRA_CA_CERTS", server.browser_trust().to_str().unwrap());
    sandbox
}

fn token(sandbox: &Sandbox) -> String {
    let out = sandbox.run(&["token"]);
    assert_eq!(out.code, Some(0), "token failed: {}", out.stderr);
    out.stdout.trim().to_string()
}

fn only_account_id(sandbox: &Sandbox) -> String {
    let accounts = sandbox.accounts();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    accounts[0]["id"].as_str().unwrap().to_string()
}

#[test]
fn behind_nginx_with_a_private_ca_sign_in_refresh_token_and_logout_with_revocation_work() {
    let _ports = loopback_lock();
    let server = TlsServer::start(Signer::PrivateCa);
    let sandbox = sandbox_trusting(&server);
    let ca = server.ca.as_ref().unwrap().cert.to_str().unwrap();

    let out = sandbox.login(&server.url, &["--ca-file", ca]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let accounts = sandbox.accounts();
    assert_eq!(accounts[0]["server"], server.url.as_str());
    assert_eq!(accounts[0]["issuer"], format!("{}/oidc/", server.url));
    let id = only_account_id(&sandbox);
    let status = sandbox.run(&["status"]);
    assert!(status.stdout.contains("Private CA CN=Cells Test Private CA"), "{}", status.stdout);

    // A fresh process: discovery, the token endpoint and the keys, over TLS with the kept CA.
    let first = token(&sandbox);
    assert_eq!(server.idp.userinfo(&first).expect("a valid access token")["sub"], "u-alice-0001");
    sandbox.expire_access_token(&id);
    let refreshed = token(&sandbox);
    assert_ne!(refreshed, first);
    assert_eq!(server.idp.stat("/token/refresh_token"), 1);

    let refresh_token = keyring_secret(&id, "refresh_token").unwrap();
    let out = sandbox.run(&["logout", &id]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("the server revoked its refresh token"), "{}", out.stdout);
    assert_eq!(server.idp.stat("/revocation"), 1);
    assert_eq!(server.idp.try_refresh(&refresh_token).0, 400, "the revoked refresh token is refused");
}

#[test]
fn a_self_signed_server_is_refused_before_the_browser_with_what_to_check_and_how_to_go_on() {
    let _ports = loopback_lock();
    let server = TlsServer::start(Signer::Itself);
    let sandbox = sandbox_trusting(&server);

    let out = sandbox.login(&server.url, &[]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let fp = &server.certificate.sha256;
    for expected in [
        "presents a certificate this computer does not trust (it is self-signed)",
        &format!("SHA-256:  {fp}"),
        "subject:  CN=127.0.0.1, O=Cells Test server",
        "issuer:   CN=127.0.0.1, O=Cells Test server",
        "valid:    ",
        &format!("cells-auth login {} --trust-certificate {fp}", server.url),
        "--ca-file",
        "Your browser will warn about this certificate too",
    ] {
        assert!(out.stderr.contains(expected), "missing {expected:?} in:\n{}", out.stderr);
    }
    assert!(!sandbox.browser_opened(), "no browser before the certificate is trusted");
    assert!(port_is_free(3636), "no port held");
    assert!(sandbox.accounts().is_empty());
    assert_eq!(server.idp.stat("/token/authorization_code"), 0);
}

#[test]
fn a_pinned_self_signed_certificate_signs_in_refreshes_and_a_replaced_one_is_refused() {
    let _ports = loopback_lock();
    let mut server = TlsServer::start(Signer::Itself);
    let mut sandbox = sandbox_trusting(&server);
    let old = server.certificate.sha256.clone();

    // Pasted as a user copies it: lower case, no colons.
    let pasted = old.replace(':', "").to_lowercase();
    let out = sandbox.login(&server.url, &["--trust-certificate", &pasted]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let id = only_account_id(&sandbox);
    let status = sandbox.run(&["status"]);
    assert!(status.stdout.contains(&format!("Pinned certificate SHA-256 {old}")), "{}", status.stdout);
    // Signing in again needs no flag: the account's pin is kept.
    let again = sandbox.login(&server.url, &[]);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_eq!(only_account_id(&sandbox), id);
    sandbox.expire_access_token(&id);
    let refreshed = token(&sandbox);
    assert_eq!(server.idp.userinfo(&refreshed).expect("a valid access token")["sub"], "u-alice-0001");
    assert_eq!(server.idp.stat("/token/refresh_token"), 1);

    // The admin replaces the certificate (or someone intercepts): never accepted silently.
    let replacement = server.new_certificate("replacement");
    server.nginx.replace_certificate(&replacement);
    sandbox.expire_access_token(&id);
    let refused = sandbox.run(&["token"]);
    assert_eq!(refused.code, Some(1), "{}", refused.stderr);
    let new = &replacement.sha256;
    for expected in [
        &format!("another certificate than the one trusted for it, which was SHA-256 {old}"),
        &format!("SHA-256:  {new}"),
        &format!("cells-auth login {} --trust-certificate {new}", server.url),
    ] {
        assert!(refused.stderr.contains(expected.as_str()), "missing {expected:?} in:\n{}", refused.stderr);
    }
    assert_eq!(server.idp.stat("/token/refresh_token"), 1, "no refresh token was sent to the new certificate");
    assert!(keyring_secret(&id, "refresh_token").is_some(), "the account keeps its tokens");

    // Trusting the new one, as the message says (and in the browser), signs in again.
    sandbox.set_env("NODE_EXTRA_CA_CERTS", replacement.cert.to_str().unwrap());
    let out = sandbox.login(&server.url, &["--trust-certificate", new]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(only_account_id(&sandbox), id);
    token(&sandbox);
}

#[test]
fn every_server_request_goes_through_the_proxy_and_the_loopback_listener_never_does() {
    let _ports = loopback_lock();
    // On this machine's name: loopback addresses are never proxied.
    let server = TlsServer::start_on_host_name(Signer::PrivateCa);
    let proxy = Proxy::start(server.nginx.addr.port(), None);
    let mut sandbox = sandbox_trusting(&server);
    sandbox.set_env("HTTPS_PROXY", &proxy.url());
    sandbox.set_env("HTTP_PROXY", &proxy.url());
    let ca = server.ca.as_ref().unwrap().cert.to_str().unwrap();
    let target = format!("{}:{}", server.host(), server.nginx.addr.port());

    let out = sandbox.login(&server.url, &["--ca-file", ca]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let after_login = proxy.connects_to(&target);
    assert!(after_login >= 1, "the sign-in's requests went through the proxy:\n{}", proxy.log());
    assert!(!proxy.log().contains("localhost:36"), "the listener was reached through the proxy:\n{}", proxy.log());

    // Refresh and revocation too; ALL_PROXY in lower case is honoured alike.
    sandbox.set_env("HTTPS_PROXY", "").set_env("HTTP_PROXY", "").set_env("all_proxy", &proxy.url());
    let id = only_account_id(&sandbox);
    sandbox.expire_access_token(&id);
    token(&sandbox);
    let after_refresh = proxy.connects_to(&target);
    assert!(after_refresh > after_login, "the refresh went through the proxy:\n{}", proxy.log());
    let out = sandbox.run(&["logout", &id]);
    assert!(out.stdout.contains("the server revoked its refresh token"), "{}", out.stdout);
    assert!(proxy.connects_to(&target) > after_refresh, "the revocation went through the proxy");

    // NO_PROXY names the server: straight there.
    sandbox.set_env("NO_PROXY", server.host());
    let before = proxy.connects_to(&target);
    let out = sandbox.login(&server.url, &["--ca-file", ca]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(proxy.connects_to(&target), before, "NO_PROXY was not honoured:\n{}", proxy.log());
}

#[test]
fn a_proxy_asking_for_a_password_gets_one_clear_line_and_with_it_the_sign_in_works() {
    let _ports = loopback_lock();
    let server = TlsServer::start_on_host_name(Signer::PrivateCa);
    let proxy = Proxy::start(server.nginx.addr.port(), Some(("corp", "proxy-secret-9")));
    let mut sandbox = sandbox_trusting(&server);
    let ca = server.ca.as_ref().unwrap().cert.to_str().unwrap();

    sandbox.set_env("HTTPS_PROXY", &proxy.url());
    let out = sandbox.login(&server.url, &["--ca-file", ca]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.error_line().contains("the proxy asks for a user name and password (HTTP 407)"), "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(!sandbox.browser_opened());

    let with_password = proxy.url().replace("http://", "http://corp:proxy-secret-9@");
    sandbox.set_env("HTTPS_PROXY", &with_password);
    let out = sandbox.login(&server.url, &["--ca-file", ca]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(!out.stderr.contains("proxy-secret-9") && !out.stdout.contains("proxy-secret-9"));
    assert!(!sandbox.config_files_text().contains("proxy-secret-9"));
}

#[test]
fn a_wrong_fingerprint_or_ca_file_is_one_line_before_anything_else() {
    let sandbox = Sandbox::new();
    for (args, code, expected) in [
        (vec!["--trust-certificate", "AB:CD"], 64, "'AB:CD' is not a SHA-256 fingerprint"),
        (vec!["--ca-file", "/nonexistent/ca.pem"], 1, "cannot read the CA file /nonexistent/ca.pem"),
        (vec!["--ca-file", "/etc/hostname"], 1, "the CA file /etc/hostname holds no PEM certificate"),
    ] {
        let out = sandbox.login("https://cells.invalid", &args);
        assert_eq!(out.code, Some(code), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
        assert!(out.error_line().contains(expected), "{}", out.stderr);
        assert!(!sandbox.browser_opened());
    }
    let plain = sandbox.login("http://cells.invalid", &["--trust-certificate", &"ab".repeat(32)]);
    assert!(plain.error_line().contains("plain http, which has no certificate to trust"), "{}", plain.stderr);
}
