//! The desktop app in a real window (WebKitGTK through tauri-driver), with
//! Debian's Chromium as the system browser, the test provider and the real
//! keyring. One app at a time: single-instance allows no other.

// The one-app guard is held for a whole test, across its awaits, on purpose.
#![allow(clippy::await_holding_lock)]

use cells_auth_e2e::hydra::Hydra;
use cells_auth_e2e::notifications::NotificationWatch;
use cells_auth_e2e::tls::{Signer, TlsServer};
use cells_auth_e2e::window::{Browser, Window};
use cells_auth_e2e::{keyring_secret, loopback_lock, port_is_free, Fixture, Idp, Sandbox};
use serde_json::json;

/// Types the provider's address and presses Sign in.
async fn start_sign_in(window: &Window, idp: &Idp) {
    window.type_into("#server", &idp.url()).await;
    window.click("#sign-in").await;
}

/// Signs in to the provider; waits until the account is signed in.
async fn add_account(window: &Window, idp: &Idp) {
    start_sign_in(window, idp).await;
    window.wait_for(".account[data-state=signed_in]").await;
}

/// The app with `env`, alice signed in beforehand by the command line, and
/// no browser of its own.
async fn app_already_signed_in(name: &str, env: &[(&str, &str)]) -> (Fixture, Window) {
    let mut fixture = Fixture::start();
    fixture.sandbox.sign_in(&fixture.idp);
    for (key, value) in env {
        fixture.sandbox.set_env(key, value);
    }
    let window = Window::open(&fixture.sandbox, Browser::Nothing, name).await;
    window.wait_for(".account[data-state=signed_in]").await;
    (fixture, window)
}

/// The app, with alice signed in through Chromium.
async fn app_signed_in(name: &str) -> (Fixture, Window) {
    let fixture = Fixture::start();
    let window = Window::open(&fixture.sandbox, Browser::Chromium, name).await;
    add_account(&window, &fixture.idp).await;
    (fixture, window)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_an_account_through_the_window_and_see_it_signed_in() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let window = Window::open(&sandbox, Browser::Chromium, "add-account").await;
    assert!(!window.is_hidden("#empty").await, "a first start shows the empty state");
    window.screenshot("empty").await;

    window.type_into("#server", "ftp://nowhere").await;
    let message = window.text("#server-message").await;
    assert!(message.contains("only https://"), "inline validation: {message}");

    add_account(&window, &idp).await;
    assert_eq!(window.text(".account .user").await, "alice");
    assert_eq!(window.text(".account .email").await, "alice@example.com");
    assert_eq!(window.text(".account .server-name").await, "Cells Test Server", "the label from bootconf");
    assert_eq!(window.text(".account .badge").await, "Signed in");
    let countdown = window.text(".account .countdown").await;
    assert!(countdown.starts_with("token expires in 9 minutes · signed in"), "the view's texts: {countdown}");
    assert!(window.is_hidden("#pending").await);
    assert!(window.text("#outcome").await.contains("Signed in as alice"));
    window.screenshot("signed-in").await;
    // The core stored it: the CLI sees the same account.
    assert_eq!(sandbox.accounts()[0]["state"], "signed_in");
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_now_keeps_the_keyboard_focus_through_the_update() {
    let (Fixture { idp, sandbox, ports: _ports }, window) = app_signed_in("focus").await;
    // Pressed from the keyboard, as a keyboard user would.
    let button = window.wait_for(".account [data-action=refresh]").await;
    window.client.execute("arguments[0].focus();", vec![serde_json::to_value(&button).unwrap()]).await.unwrap();
    button.send_keys("\u{E007}").await.expect("press Enter");
    window.wait_text("#outcome", "Refreshed.").await;
    // The refresh's own updates (refreshing, then refreshed) have been drawn.
    window.wait_text_containing(".account .countdown", "refreshed just now").await;
    assert_eq!(idp.stat("/token/refresh_token"), 1);
    let focused = window
        .client
        .execute("const e = document.activeElement; return [e.dataset.action ?? null, e.closest('.account')?.dataset.id ?? null];", vec![])
        .await
        .unwrap();
    let id = sandbox.accounts()[0]["id"].clone();
    assert_eq!(focused, json!(["refresh", id]), "the focus stayed on Refresh now");
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_may_call_the_apps_commands_and_nothing_else() {
    let Fixture { sandbox, ports: _ports, .. } = Fixture::start();
    let window = Window::open(&sandbox, Browser::Nothing, "least-privilege").await;
    for (command, args) in [
        ("plugin:tray|new", json!({ "options": { "id": "injected", "tooltip": "injected" } })),
        ("plugin:menu|new", json!({ "kind": "Menu", "options": {} })),
        ("plugin:window|close", json!({ "label": "main" })),
        (
            "plugin:webview|create_webview_window",
            json!({ "options": { "label": "injected", "url": "https://example.com" } }),
        ),
    ] {
        let answer = window.invoke(command, args).await;
        let error = answer["error"].as_str().unwrap_or_default().to_string();
        assert!(error.contains("not allowed"), "{command} was not refused: {answer}");
    }
    assert_eq!(window.invoke("list_accounts", json!({})).await, json!([]), "the app's own commands still work");
    assert!(!window.is_hidden("#empty").await, "the window is still there");
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sandboxed_browser_signs_in_through_the_pasted_address() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    // The browser cannot reach this machine's port (a sandbox, a VM, another user).
    sandbox.set_env("CELLS_TEST_DELIVER", "none");
    let window = Window::open(&sandbox, Browser::Scripted, "paste").await;
    start_sign_in(&window, &idp).await;
    window.wait_for("#pending:not([hidden])").await;
    sandbox.wait_for_browser_start();
    let report = sandbox.browser_report().expect("the browser's report");
    let address = report["finalAddress"].as_str().expect("the address the browser ended on").to_string();

    window.type_into("#paste-address", "http://localhost:3636/servers/callback?code=forged&state=forged").await;
    window.click("#paste-submit").await;
    window.wait_text_containing("#paste-message", "another sign-in").await;
    assert!(sandbox.accounts().is_empty(), "a wrong address changes nothing");
    window.type_into("#paste-address", &address).await;
    window.screenshot("paste").await;
    window.click("#paste-submit").await;
    window.wait_for(".account[data-state=signed_in]").await;
    assert!(port_is_free(3636), "the listener closed");
    assert_eq!(sandbox.accounts().len(), 1);
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_signal_retries_at_once_instead_of_waiting_out_the_backoff() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    // The session bus stands in for the system bus logind speaks on.
    sandbox.set_env("CELLS_SYNC_POWER_BUS", "session");
    idp.configure(json!({ "accessTokenTtl": 4 }));
    let window = Window::open(&sandbox, Browser::Chromium, "resume").await;
    add_account(&window, &idp).await;
    let id = sandbox.accounts()[0]["id"].as_str().unwrap().to_string();
    // The network is gone: five failed refreshes put the next attempt 40 s or more away.
    idp.outage(true);
    for _ in 0..5 {
        let failed = window.invoke("refresh_account", json!({ "accountId": id })).await;
        assert!(failed["error"].is_string(), "{failed}");
    }
    window.wait_text(".account .badge", "Retrying").await;
    idp.outage(false);
    // The machine resumes: logind says PrepareForSleep(false).
    let sent = cells_auth_e2e::run_command(sandbox.program(
        "dbus-send",
        &[
            "--session",
            "--type=signal",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager.PrepareForSleep",
            "boolean:false",
        ],
    ));
    assert_eq!(sent.code, Some(0), "{}", sent.stderr);
    // Within the window's 30 s wait, well before the backoff would allow.
    window.wait_text(".account .badge", "Signed in").await;
    assert!(idp.stat("/token/refresh_token") >= 1);
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_and_the_diagnostics_say_what_happened_without_a_secret() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    let log_dir = sandbox.config_dir().join("log");
    sandbox.set_env("CELLS_SYNC_LOG_DIR", log_dir.to_str().unwrap());
    // The desktop's opener (xdg-open), standing in for the file manager: it notes what it was asked to open.
    let desktop = sandbox.config_dir().join("desktop");
    std::fs::create_dir_all(&desktop).unwrap();
    let opened = desktop.join("opened");
    let xdg_open = desktop.join("xdg-open");
    std::fs::write(
        &xdg_open,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}.tmp' && mv '{0}.tmp' '{0}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&xdg_open, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", desktop.display(), std::env::var("PATH").unwrap_or_default());
    sandbox.set_env("PATH", &path);
    let window = Window::open(&sandbox, Browser::Chromium, "diagnostics").await;
    add_account(&window, &idp).await;
    let id = sandbox.accounts()[0]["id"].as_str().unwrap().to_string();
    window.click(".account [data-action=refresh]").await;
    window.wait_text("#outcome", "Refreshed.").await;
    window.click("#copy-diagnostics").await;
    window.wait_text_containing("#outcome", "Diagnostics").await;
    // Copied, or shown selected where the clipboard is not allowed: the same report.
    let report = window.wait_for("#diagnostics").await.prop("value").await.unwrap().unwrap_or_default();
    for expected in [
        format!("account {id} on {}", idp.url()),
        format!("discovery: issuer {}", idp.issuer()),
        format!("log folder: {}", log_dir.display()),
    ] {
        assert!(report.contains(&expected), "{expected:?} missing: {report}");
    }
    let secrets: Vec<String> =
        ["refresh_token", "access_token", "id_token"].iter().filter_map(|kind| keyring_secret(&id, kind)).collect();
    assert_eq!(secrets.len(), 3);
    window.screenshot("shown").await;
    window.click("#open-log").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    // The opener is the desktop's process, not ours: no event says it ran.
    while !opened.exists() {
        assert!(std::time::Instant::now() < deadline, "the log folder was not handed to the desktop's opener");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(std::fs::read_to_string(&opened).unwrap(), log_dir.display().to_string(), "the log folder was opened");
    window.close().await;
    let log: String = std::fs::read_dir(&log_dir)
        .expect("the log folder")
        .flatten()
        .map(|entry| std::fs::read_to_string(entry.path()).unwrap_or_default())
        .collect();
    for expected in ["cells-sync started", "sign_in", "code exchanged", "signed in", "refresh", "fresh"] {
        assert!(log.contains(expected), "{expected:?} missing from the log: {log}");
    }
    for secret in &secrets {
        assert!(!report.contains(secret.as_str()), "a secret in the diagnostics");
        assert!(!log.contains(secret.as_str()), "a secret in the log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_in_the_pending_panel_closes_the_listener() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let window = Window::open(&sandbox, Browser::Nothing, "pending").await;
    start_sign_in(&window, &idp).await;
    window.wait_for("#pending:not([hidden])").await;
    let detail = window.text("#pending-detail").await;
    assert!(detail.contains("port 3636"), "{detail}");
    let url = window.wait_for("#pending-url").await.prop("value").await.unwrap().unwrap_or_default();
    assert!(url.starts_with(&format!("{}/oidc/oauth2/auth?", idp.url())), "the URL to copy: {url}");
    assert!(!port_is_free(3636), "the listener holds the port while waiting");
    window.screenshot("waiting").await;

    window.click("#cancel").await;
    window.wait_for("#pending[hidden]").await;
    assert!(port_is_free(3636), "Cancel closed the listener");
    assert_eq!(window.text("#outcome").await, "Sign-in cancelled.");
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_refresh_token_asks_for_sign_in_and_reauthenticate_brings_it_back() {
    let (Fixture { idp, sandbox, ports: _ports }, window) = app_signed_in("revoked").await;
    let mut notifications = NotificationWatch::start();
    let id = sandbox.accounts()[0]["id"].as_str().unwrap().to_string();
    let tray = window.invoke("tray_model", json!({})).await;
    assert_eq!(tray["attention"], false);

    // An administrator revokes the session on the server.
    idp.revoke(&keyring_secret(&id, "refresh_token").unwrap());
    window.click(".account [data-action=refresh]").await;
    window.wait_for(".account[data-state=needs_reauth]").await;
    assert_eq!(window.text(".account .badge").await, "Needs sign-in");
    assert!(window.text(".account .detail").await.contains("invalid_grant"));
    let tray = window.invoke("tray_model", json!({})).await;
    assert_eq!(tray["attention"], true, "{tray}");
    let line = tray["lines"][0]["text"].as_str().unwrap().to_string();
    assert!(line.starts_with("alice @ Cells Test Server: needs sign-in"), "{line}");
    // The desktop is told which account, on the session bus a notification service listens to.
    let notice = notifications.wait_for_body("needs to sign in again");
    assert_eq!(notice, "alice on Cells Test Server needs to sign in again");
    window.screenshot("needs-sign-in").await;
    // Trying again fails at once and is a change of state too, but the user was already told.
    let again = window.invoke("refresh_account", json!({ "accountId": id })).await;
    assert!(again["error"].as_str().is_some_and(|e| e.contains("needs a new sign-in")), "{again}");
    assert_eq!(again["code"], "error-needs-sign-in", "the window can switch on the kind: {again}");
    window.wait_text(".account .badge", "Needs sign-in").await;

    window.click(".account [data-action=reauth]").await;
    window.wait_for(".account[data-state=signed_in]").await;
    let tray = window.invoke("tray_model", json!({})).await;
    assert_eq!(tray["attention"], false);
    // No countdown in the tray: its text changes only with the state.
    assert_eq!(tray["lines"][0]["text"], "alice @ Cells Test Server: signed in", "{tray}");
    assert_eq!(sandbox.accounts().len(), 1, "the same account, signed in again");
    window.close().await;
    assert_eq!(notifications.bodies(), [notice], "told once, not at every change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_asks_first_then_revokes_and_forgets() {
    let (Fixture { idp, sandbox, ports: _ports }, window) = app_signed_in("sign-out").await;
    let id = sandbox.accounts()[0]["id"].as_str().unwrap().to_string();

    window.click(".account [data-action=signout]").await;
    window.wait_for(".account .confirm:not([hidden])").await;
    window.screenshot("confirm").await;
    window.click(".account [data-action=keep]").await;
    window.wait_for(".account .confirm[hidden]").await;
    assert_eq!(idp.stat("/revocation"), 0, "keeping signed in changes nothing");

    window.click(".account [data-action=signout]").await;
    window.click(".account [data-action=confirm-signout]").await;
    window.wait_gone(".account").await;
    assert!(!window.is_hidden("#empty").await);
    assert!(window.text("#outcome").await.contains("the server revoked its session"));
    assert_eq!(idp.stat("/revocation"), 1);
    assert_eq!(keyring_secret(&id, "refresh_token"), None);
    assert!(sandbox.accounts().is_empty());
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cellsauth_link_given_to_a_second_instance_reaches_the_running_one() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    // Loopback is blocked here (a firewall): only the cellsauth:// way works.
    sandbox.set_env("CELLS_TEST_LOOPBACK_BLOCKED", "1");
    let window = Window::open(&sandbox, Browser::Scripted, "deep-link").await;
    start_sign_in(&window, &idp).await;
    window.wait_for("#pending:not([hidden])").await;
    sandbox.wait_for_browser_start();
    sandbox.forget_browser();
    window.click("#use-link").await;
    window.wait_text_containing("#pending-detail", "cellsauth://").await;
    assert!(port_is_free(3636), "no loopback port in custom-scheme mode");
    sandbox.wait_for_browser_start();
    let report = sandbox.browser_report().expect("the browser's report");
    let link =
        report["deepLink"].as_str().map(str::to_string).unwrap_or_else(|| panic!("no cellsauth:// redirect: {report}"));
    assert!(link.starts_with("cellsauth://callback?code="), "{link}");

    // A link for another sign-in, as a second start of the app would pass it on: dropped.
    let foreign = second_instance(&sandbox, "cellsauth://callback?code=forged&state=foreign");
    assert_eq!(foreign.code, Some(0), "the second instance hands over and exits: {}", foreign.stderr);
    assert!(!window.is_hidden("#pending").await, "still waiting for the right link");
    assert!(sandbox.accounts().is_empty());

    let delivered = second_instance(&sandbox, &link);
    assert_eq!(delivered.code, Some(0), "{}", delivered.stderr);
    window.wait_for(".account[data-state=signed_in]").await;
    assert_eq!(window.text(".account .user").await, "alice");
    let file = std::fs::read_to_string(sandbox.config_dir().join("accounts.json")).unwrap();
    assert!(file.contains("\"client_id\": \"cells-mobile\""), "{file}");
    // Refreshing works for the cells-mobile client too.
    window.click(".account [data-action=refresh]").await;
    window.wait_text("#outcome", "Refreshed.").await;
    window.wait_text(".account .badge", "Signed in").await;
    assert_eq!(idp.stat("/token/refresh_token"), 1);
    assert_eq!(idp.stat("/token_errors/refresh_token"), 0);
    window.screenshot("signed-in-by-link").await;
    window.close().await;
}

#[test]
fn a_cellsauth_link_that_starts_the_app_is_dropped_and_the_app_runs_on() {
    let _one_app = loopback_lock();
    let sandbox = Sandbox::new();
    // The desktop starts the app with the link when it is not running: no sign-in can be waiting for it.
    let mut app = sandbox.spawn_program(
        cells_auth_e2e::window::app_bin(),
        &["cellsauth://callback?code=cold-start-code&state=nobody-waits"],
    );
    let dropped = app.wait_for_stderr("cellsauth link");
    assert!(dropped.contains("dropped a cellsauth link: no sign-in is waiting"), "{dropped}");

    // The app runs on as the single instance: a later link reaches it and is judged the same way.
    let later = second_instance(&sandbox, "cellsauth://callback?code=later-code&state=nobody-waits");
    assert_eq!(later.code, Some(0), "the second instance hands over and exits: {}", later.stderr);
    let dropped_later = app.wait_for_stderr("cellsauth link");
    assert!(dropped_later.contains("dropped a cellsauth link: no sign-in is waiting"), "{dropped_later}");
    assert!(app.is_running(), "the app keeps running after dropping links");

    let output = app.stop_with(libc::SIGTERM);
    for code in ["cold-start-code", "later-code"] {
        assert!(!output.stderr.contains(code), "a link's code was logged: {}", output.stderr);
        assert!(!later.stderr.contains(code), "a link's code was logged: {}", later.stderr);
    }
    assert!(sandbox.accounts().is_empty());
}

/// Starts the app a second time with `link`, as the desktop does for a cellsauth:// link.
fn second_instance(sandbox: &Sandbox, link: &str) -> cells_auth_e2e::Output {
    cells_auth_e2e::run_command(sandbox.program(cells_auth_e2e::window::app_bin(), &[link]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_development_redirect_signs_in_through_port_3000() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    sandbox.set_env("CELLS_SYNC_DEV_REDIRECT", "1");
    let window = Window::open(&sandbox, Browser::Nothing, "dev-redirect").await;
    start_sign_in(&window, &idp).await;
    window.wait_for("#pending:not([hidden])").await;
    assert!(window.text("#pending-detail").await.contains("port 3000"));
    let url = window.wait_for("#pending-url").await.prop("value").await.unwrap().unwrap_or_default();
    assert!(url.contains("redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fservers%2Fcallback"), "{url}");
    assert!(!port_is_free(3000));
    window.click("#cancel").await;
    window.wait_for("#pending[hidden]").await;
    assert!(port_is_free(3000));
    window.close().await;
}

/// A sign-in from the window to a self-signed server, whose certificate the
/// window asks to trust; with `env` set for the app.
async fn asked_to_trust_a_self_signed_server(name: &str, env: &[(&str, &str)]) -> (TlsServer, Sandbox, Window) {
    let server = TlsServer::start(Signer::Itself);
    let mut sandbox = Sandbox::new();
    // The browser warned too, and the user accepted the same certificate there.
    sandbox.set_env("CELLS_TEST_TRUST_SPKI", &server.certificate.spki_sha256);
    for (key, value) in env {
        sandbox.set_env(key, value);
    }
    let window = Window::open(&sandbox, Browser::Chromium, name).await;
    window.type_into("#server", &server.url).await;
    window.click("#sign-in").await;
    window.wait_for("#certificate-dialog[open]").await;
    (server, sandbox, window)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_signed_server_behind_nginx_asks_to_trust_its_certificate_then_signs_in_with_it_pinned() {
    let _ports = loopback_lock();
    let (server, sandbox, window) = asked_to_trust_a_self_signed_server("self-signed", &[]).await;
    assert_eq!(window.text("#certificate-sha256").await, server.certificate.sha256);
    assert_eq!(window.text("#certificate-subject").await, "CN=127.0.0.1, O=Cells Test server");
    assert!(window.text("#certificate-problem").await.contains("does not trust (it is self-signed)"));
    assert!(!sandbox.browser_opened(), "no browser before the certificate is trusted");
    window.screenshot("certificate-dialog").await;

    // Cancel starts nothing; asking again and trusting signs in.
    window.click("#distrust-certificate").await;
    window.wait_text_containing("#outcome", "not trusted").await;
    assert!(sandbox.accounts().is_empty());
    window.click("#sign-in").await;
    window.wait_for("#certificate-dialog[open]").await;
    window.click("#trust-certificate").await;
    window.wait_for(".account[data-state=signed_in]").await;
    let pinned = window.text(".account .certificate").await;
    assert!(pinned.contains(&format!("Pinned certificate SHA-256 {}", server.certificate.sha256)), "{pinned}");
    let accounts = sandbox.accounts();
    assert_eq!(accounts[0]["server"], server.url.as_str());
    window.screenshot("pinned").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_question_left_open_comes_back_in_a_window_made_after_the_hidden_one_was_dropped() {
    let _ports = loopback_lock();
    let (server, sandbox, window) =
        asked_to_trust_a_self_signed_server("certificate-after-drop", &[("CELLS_SYNC_KEEP_HIDDEN_WINDOW_SECS", "1")])
            .await;

    window.close_and_wait_until_dropped();
    let again = cells_auth_e2e::run_command(sandbox.program(cells_auth_e2e::window::app_bin(), &[]));
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    window.follow_new_window().await;
    window.wait_for("#certificate-dialog[open]").await;
    assert_eq!(window.text("#certificate-sha256").await, server.certificate.sha256, "the same question");
    window.screenshot("certificate-after-drop").await;
    window.click("#trust-certificate").await;
    window.wait_for(".account[data-state=signed_in]").await;
    assert_eq!(sandbox.accounts()[0]["server"], server.url.as_str());
    window.close().await;
}

/// The autostart entry the app writes, in the sandbox's own XDG_CONFIG_HOME.
fn autostart_entry(sandbox: &Sandbox) -> std::path::PathBuf {
    sandbox.scratch_dir("xdg-config").join("autostart/com.pydio.CellsSync.desktop")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_at_login_writes_an_autostart_entry_that_starts_hidden_and_off_removes_it() {
    let Fixture { idp: _idp, sandbox, ports: _ports } = Fixture::start();
    let window = Window::open(&sandbox, Browser::Nothing, "start-at-login").await;
    let switch = window.wait_for("#start-at-login").await;
    assert!(!switch.is_selected().await.unwrap(), "off by default");
    assert!(!autostart_entry(&sandbox).exists());

    window.click("#start-at-login").await;
    window.wait_for("#start-at-login:checked").await;
    let entry = std::fs::read_to_string(autostart_entry(&sandbox)).expect("the autostart entry once the switch is on");
    let exec = format!("Exec={} --hidden", cells_auth_e2e::window::app_bin().display());
    assert!(entry.lines().any(|line| line == exec), "{exec} in:\n{entry}");
    assert!(entry.starts_with("[Desktop Entry]\n") && entry.contains("\nType=Application\n"), "{entry}");
    window.screenshot("on").await;

    window.click("#start-at-login").await;
    window.wait_for("#start-at-login:not(:checked)").await;
    assert!(!autostart_entry(&sandbox).exists(), "turned off, the entry is gone");
    window.close().await;
}

#[test]
fn started_at_login_no_webkit_process_runs_until_the_window_is_shown_nor_a_while_after_it_is_closed() {
    use cells_auth_e2e::desktop::{process_name, wait_until, webkit_processes};
    use x11_dl::xlib;
    let Fixture { idp: _idp, mut sandbox, ports: _ports } = Fixture::start();
    sandbox.set_env("CELLS_SYNC_KEEP_HIDDEN_WINDOW_SECS", "1");
    let display = cells_auth_e2e::x11::Display::open();
    let app = cells_auth_e2e::spawn_command(sandbox.program(cells_auth_e2e::window::app_bin(), &["--hidden"]));
    let pid = app.pid();
    // Its token agent listens once the start is done.
    let agent = sandbox.runtime_dir().join("cells-auth/agent.sock");
    wait_until("the app's token agent", std::time::Duration::from_secs(30), || agent.exists());
    assert_eq!(webkit_processes(pid), Vec::<u32>::new(), "a start at login runs no WebKit process");
    assert!(display.top_level_of(pid).is_none(), "a start at login shows no window");

    // The tray's "Show window" and a second start call the same window::show.
    for round in ["first shown", "shown again"] {
        let again = cells_auth_e2e::run_command(sandbox.program(cells_auth_e2e::window::app_bin(), &[]));
        assert_eq!(again.code, Some(0), "{}", again.stderr);
        let window = display.wait_for(xlib::MapNotify, std::time::Duration::from_secs(30)).expect("the window shown");
        assert!(!webkit_processes(pid).is_empty(), "{round}: the window's page runs in WebKit");
        display.close(window);
        display.wait_for(xlib::UnmapNotify, std::time::Duration::from_secs(10)).expect("the window hidden");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let left: Vec<String> = webkit_processes(pid).into_iter().map(process_name).collect();
            if left.is_empty() {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{round}: WebKit's processes still run: {left:?}");
            // A process ending sends no event the test can wait on.
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    let out = app.stop_with(libc::SIGTERM);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// WebKitGTK's libraries mapped in a process.
fn webkit_libraries(pid: u32) -> Vec<String> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let mut libraries: Vec<String> = maps
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .filter(|path| ["libwebkit2gtk", "libjavascriptcoregtk", "libsoup-3"].iter().any(|l| path.contains(l)))
        .map(str::to_owned)
        .collect();
    libraries.dedup();
    libraries
}

#[test]
fn started_at_login_the_app_does_not_even_load_webkit_until_its_window_is_shown() {
    use x11_dl::xlib;
    let Fixture { idp: _idp, sandbox, ports: _ports } = Fixture::start();
    let display = cells_auth_e2e::x11::Display::open();
    let app = cells_auth_e2e::spawn_command(sandbox.program(cells_auth_e2e::window::app_bin(), &["--hidden"]));
    let pid = app.pid();
    let agent = sandbox.runtime_dir().join("cells-auth/agent.sock");
    cells_auth_e2e::desktop::wait_until("the app's token agent", std::time::Duration::from_secs(30), || agent.exists());
    let loaded = webkit_libraries(pid);
    if !loaded.is_empty() {
        // A function the linker took from WebKit rather than from our stubs.
        let symbols = std::process::Command::new("nm")
            .args(["-D", "--undefined-only"])
            .arg(cells_auth_e2e::window::app_bin())
            .output()
            .expect("run nm");
        let missing: Vec<String> = String::from_utf8_lossy(&symbols.stdout)
            .split_whitespace()
            .filter(|s| ["webkit_", "jsc_", "soup_"].iter().any(|p| s.starts_with(p)))
            .map(str::to_owned)
            .collect();
        panic!("a start at login loads {loaded:?}; not in src-tauri/src/webkit_on_demand.rs: {missing:?}");
    }

    let again = cells_auth_e2e::run_command(sandbox.program(cells_auth_e2e::window::app_bin(), &[]));
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    display.wait_for(xlib::MapNotify, std::time::Duration::from_secs(30)).expect("the window shown");
    assert!(
        webkit_libraries(pid).iter().any(|l| l.contains("libwebkit2gtk")),
        "the shown window's webview is WebKitGTK's: {:?}",
        webkit_libraries(pid)
    );
    cells_auth_e2e::desktop::wait_until("the window's page in WebKit", std::time::Duration::from_secs(30), || {
        cells_auth_e2e::desktop::webkit_processes(pid)
            .into_iter()
            .any(|p| cells_auth_e2e::desktop::process_name(p) == "WebKitWebProces")
    });
    let out = app.stop_with(libc::SIGTERM);
    assert!(!out.stderr.contains("panicked") && !out.stderr.contains("WebKitGTK"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_sign_in_and_the_accounts_come_back_in_a_window_made_after_the_hidden_one_was_dropped() {
    let (fixture, window) =
        app_already_signed_in("dropped-window", &[("CELLS_SYNC_KEEP_HIDDEN_WINDOW_SECS", "1")]).await;
    start_sign_in(&window, &fixture.idp).await;
    window.wait_for("#pending:not([hidden])").await;
    let detail = window.text("#pending-detail").await;
    let address =
        window.client.find(fantoccini::Locator::Css("#pending-url")).await.unwrap().prop("value").await.unwrap();
    assert!(detail.contains("36"), "the port is said: {detail}");

    // The network process's end is checked by the test above, without WebDriver.
    window.close_and_wait_until_dropped();
    let again = cells_auth_e2e::run_command(fixture.sandbox.program(cells_auth_e2e::window::app_bin(), &[]));
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    window.follow_new_window().await;
    window.wait_for(".account[data-state=signed_in]").await;
    window.wait_for("#pending:not([hidden])").await;
    assert_eq!(window.text("#pending-detail").await, detail);
    let shown =
        window.client.find(fantoccini::Locator::Css("#pending-url")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(shown, address, "the same sign-in, still pending");
    assert!(window.client.find(fantoccini::Locator::Css("#paste-form:not([hidden])")).await.is_ok(), "the paste field");
    window.screenshot("pending-after-drop").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trays_add_account_reaches_a_window_made_after_the_hidden_one_was_dropped() {
    let (_fixture, window) =
        app_already_signed_in("add-after-drop", &[("CELLS_SYNC_KEEP_HIDDEN_WINDOW_SECS", "1")]).await;
    let script = "return document.activeElement && document.activeElement.id";
    let focused = window.client.execute(script, vec![]).await;
    assert_ne!(focused.ok(), Some(serde_json::json!("server")), "a page loaded without the request focuses nothing");
    window.close_and_wait_until_dropped();
    // As a tray host does: the menu item clicked over the session bus.
    cells_auth_e2e::desktop::TrayItem::find(window.app_pid(), "Add account…").click();
    window.follow_new_window().await;
    window.wait_for(".account[data-state=signed_in]").await;
    let focused = window.client.execute(script, vec![]).await;
    assert_eq!(focused.ok(), Some(serde_json::json!("server")), "the server field is ready for the new account");
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_hydra_the_window_signs_in_through_chromium_refreshes_reauthenticates_and_signs_out() {
    let _ports = loopback_lock();
    let hydra = Hydra::start();
    let sandbox = Sandbox::new();
    let window = Window::open(&sandbox, Browser::Chromium, "hydra").await;
    window.type_into("#server", &hydra.url()).await;
    window.click("#sign-in").await;
    window.wait_for(".account[data-state=signed_in]").await;
    assert_eq!(window.text(".account .user").await, "alice");
    assert_eq!(window.text(".account .email").await, "alice@example.com");
    assert_eq!(sandbox.accounts()[0]["issuer"], hydra.issuer());
    let id = sandbox.accounts()[0]["id"].as_str().unwrap().to_string();
    let first = keyring_secret(&id, "access_token").unwrap();
    window.screenshot("hydra-signed-in").await;

    window.click(".account [data-action=refresh]").await;
    let start = std::time::Instant::now();
    while keyring_secret(&id, "access_token").as_deref() == Some(first.as_str()) {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "the refresh did not store a new token");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    window.wait_for(".account[data-state=signed_in]").await;
    assert!(!hydra.is_active(&first), "Hydra revoked the replaced token");
    assert!(hydra.is_active(&keyring_secret(&id, "access_token").unwrap()));
    assert_eq!(hydra.refreshes(), 1);

    // An administrator ends the session at Hydra: the window asks for a sign-in, and gets it.
    assert_eq!(hydra.revoke(&keyring_secret(&id, "refresh_token").unwrap()), 200);
    window.click(".account [data-action=refresh]").await;
    window.wait_for(".account[data-state=needs_reauth]").await;
    window.click(".account [data-action=reauth]").await;
    window.wait_for(".account[data-state=signed_in]").await;
    assert!(hydra.is_active(&keyring_secret(&id, "access_token").unwrap()));

    window.click(".account [data-action=signout]").await;
    window.click(".account [data-action=confirm-signout]").await;
    window.wait_gone(".account").await;
    assert!(window.text("#outcome").await.contains("the server revoked its session"));
    assert_eq!(hydra.revocations(), 2, "the administrator's, then the sign-out's");
    assert_eq!(hydra.replays(), 0);
    assert!(sandbox.accounts().is_empty());
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_german_the_account_the_tray_and_the_notification_speak_german() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    sandbox.set_env("LANG", "de_DE.UTF-8");
    let mut notifications = NotificationWatch::start();
    let window = Window::open(&sandbox, Browser::Chromium, "german").await;
    assert_eq!(window.text("#accounts-heading").await, "Konten");
    assert_eq!(window.text("#sign-in").await, "Anmelden");
    assert_eq!(window.text("#empty strong").await, "Noch kein Konto.");
    let lang = window.client.execute("return document.documentElement.lang", vec![]).await.unwrap();
    assert_eq!(lang, json!("de"));
    add_account(&window, &idp).await;
    assert_eq!(window.text("#outcome").await, "Angemeldet als alice bei Cells Test Server");
    let page = sandbox.browser_report().expect("the browser's report")["page"].as_str().unwrap_or_default().to_string();
    let signed_in = format!("Bei {} als alice angemeldet. Sie können diesen Tab schließen", idp.url());
    assert!(page.contains(&signed_in), "the browser's last page, in German: {page}");
    assert_eq!(window.text(".account [data-action=refresh]").await, "Jetzt erneuern");
    let label = window
        .client
        .execute("return document.querySelector('.account [data-action=refresh]').getAttribute('aria-label')", vec![]);
    assert_eq!(label.await.unwrap(), json!("Jetzt erneuern: alice auf Cells Test Server"));
    assert_eq!(window.text(".account .badge").await, "Angemeldet");
    let countdown = window.text(".account .countdown").await;
    assert!(countdown.starts_with("Token läuft in 9 Minuten ab · gerade angemeldet"), "{countdown}");
    let tray = window.invoke("tray_model", json!({})).await;
    assert_eq!(tray["lines"][0]["text"], "alice @ Cells Test Server: angemeldet", "{tray}");
    assert_eq!(tray["lines"][0]["reauthenticate"], "alice erneut anmelden");
    assert_eq!(
        (tray["add_account"].as_str(), tray["show_window"].as_str()),
        (Some("Konto hinzufügen…"), Some("Fenster anzeigen"))
    );
    assert_eq!((tray["quit"].as_str(), tray["tooltip"].as_str()), (Some("Beenden"), Some("Cells Sync")));
    window.click(".account [data-action=signout]").await;
    window.wait_for(".account .confirm:not([hidden])").await;
    assert_eq!(window.text(".account .confirm-text").await, "alice von Cells Test Server abmelden?");
    assert_eq!(window.text(".account [data-action=keep]").await, "Angemeldet bleiben");
    window.screenshot("german-sign-out").await;
    window.click(".account [data-action=keep]").await;
    window.wait_for(".account .confirm[hidden]").await;

    let id = sandbox.accounts()[0]["id"].as_str().unwrap().to_string();
    idp.revoke(&keyring_secret(&id, "refresh_token").unwrap());
    window.click(".account [data-action=refresh]").await;
    window.wait_for(".account[data-state=needs_reauth]").await;
    assert_eq!(window.text(".account .badge").await, "Anmeldung nötig");
    let notice = notifications.wait_for_body("muss sich erneut anmelden");
    assert_eq!(notice, "alice auf Cells Test Server muss sich erneut anmelden");
    let tray = window.invoke("tray_model", json!({})).await;
    assert_eq!(tray["tooltip"], "Cells Sync: 1 Konto muss sich anmelden", "{tray}");
    assert_eq!(tray["lines"][0]["text"], "alice @ Cells Test Server: Anmeldung nötig");
    window.screenshot("german").await;
    window.close().await;
}

/// Chooses `tag` (or "" for the system's) in the window's language list, as a user does.
async fn choose_language(window: &Window, tag: &str) {
    let select = window.wait_for("#language").await;
    select.select_by_value(tag).await.expect("choose a language");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_language_chosen_in_the_window_speaks_at_once_in_the_window_the_tray_and_notifications_and_is_remembered() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    sandbox.set_env("LANG", "de_DE.UTF-8");
    let mut notifications = NotificationWatch::start();
    let window = Window::open(&sandbox, Browser::Chromium, "language-choice").await;
    add_account(&window, &idp).await;
    assert_eq!(window.text(".account .badge").await, "Angemeldet", "the system's language first");
    let system = window.client.execute("return document.querySelector('#language option').textContent", vec![]);
    assert_eq!(system.await.unwrap(), json!("Systemsprache"));
    let french = window.client.execute("return document.querySelector('#language option[value=fr]').lang", vec![]);
    assert_eq!(french.await.unwrap(), json!("fr"), "each language is named in itself, and marked so");

    choose_language(&window, "fr").await;
    window.wait_text("#accounts-heading", "Comptes").await;
    window.wait_text(".account .badge", "Connecté").await;
    assert_eq!(window.text("#sign-in").await, "Se connecter");
    assert_eq!(window.text("label[for=language]").await, "Langue");
    let lang = window.client.execute("return document.documentElement.lang", vec![]).await.unwrap();
    assert_eq!(lang, json!("fr"));
    let tray = window.invoke("tray_model", json!({})).await;
    assert_eq!(tray["lines"][0]["text"], "alice @ Cells Test Server : connecté", "{tray}");
    assert_eq!(tray["add_account"], "Ajouter un compte…", "{tray}");
    assert_eq!(tray["show_window"], "Afficher la fenêtre", "{tray}");
    window.click(".account [data-action=signout]").await;
    window.wait_for(".account .confirm:not([hidden])").await;
    assert_eq!(window.text(".account .confirm-text").await, "Déconnecter alice de Cells Test Server ?");
    assert_eq!(window.text(".account [data-action=keep]").await, "Rester connecté");
    window.click(".account [data-action=keep]").await;
    window.wait_for(".account .confirm[hidden]").await;

    let id = sandbox.accounts()[0]["id"].as_str().unwrap().to_string();
    idp.revoke(&keyring_secret(&id, "refresh_token").unwrap());
    window.click(".account [data-action=refresh]").await;
    window.wait_text(".account .badge", "Connexion requise").await;
    let notice = notifications.wait_for_body("doit se reconnecter");
    assert_eq!(notice, "alice sur Cells Test Server doit se reconnecter");
    window.screenshot("french").await;
    sandbox.forget_browser();
    window.click(".account [data-action=reauth]").await;
    window.wait_text(".account .badge", "Connecté").await;
    let page = sandbox.browser_report().expect("the browser's report")["page"].as_str().unwrap_or_default().to_string();
    assert!(
        page.contains(&format!("Connecté à {} en tant que alice. Vous pouvez fermer cet onglet", idp.url())),
        "the browser's last page follows the app's language: {page}"
    );
    window.quit().await;

    let window = Window::open(&sandbox, Browser::Nothing, "language-choice-again").await;
    assert_eq!(window.text("#accounts-heading").await, "Comptes", "the choice is remembered");
    let chosen = window.client.execute("return document.querySelector('#language').value", vec![]);
    assert_eq!(chosen.await.unwrap(), json!("fr"));
    choose_language(&window, "").await;
    window.wait_text("#accounts-heading", "Konten").await;
    window.wait_text(".account .badge", "Angemeldet").await;
    let tray = window.invoke("tray_model", json!({})).await;
    assert_eq!(tray["add_account"], "Konto hinzufügen…", "back to the system's language: {tray}");
    window.close().await;
}

/// Every text on screen and every `aria-label`, placeholder and title of a
/// shown element, with the page's title.
async fn everything_a_person_reads(window: &Window) -> Vec<String> {
    let script = r#"
        const seen = (element) => element.getClientRects().length > 0 && !element.closest('[hidden], template');
        const out = [document.title];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const parent = walker.currentNode.parentElement;
          const text = walker.currentNode.textContent.trim();
          if (text && parent && seen(parent) && parent.tagName !== 'OPTION') out.push(text);
        }
        for (const element of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
          if (!seen(element)) continue;
          for (const name of ['aria-label', 'placeholder', 'title']) {
            const value = element.getAttribute(name);
            if (value) out.push(value);
          }
        }
        const select = document.querySelector('#language');
        out.push(select.options[select.selectedIndex].textContent);
        return out;"#;
    let texts = window.client.execute(script, vec![]).await.expect("read the page's texts");
    serde_json::from_value(texts).expect("a list of texts")
}

/// The words of `text` that came from no catalog: with the pseudo-language
/// on, every catalog word has its vowels accented, so a plain vowel left
/// after the values (`values`, addresses, numbers) are taken out is a text
/// that bypassed the catalog.
fn words_not_from_the_catalog(text: &str, values: &[&str]) -> Vec<String> {
    let addresses = |word: &&str| word.contains("://") || word.contains('@');
    let mut rest = text.split_whitespace().filter(|word| !addresses(word)).collect::<Vec<_>>().join(" ");
    for value in values {
        rest = rest.replace(value, " ");
    }
    rest.split_whitespace()
        .flat_map(|word| word.split(|c: char| !c.is_alphabetic()))
        .filter(|word| word.chars().any(|c| "aeiouAEIOU".contains(c)))
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_pseudo_language_every_text_a_person_reads_comes_from_the_catalog() {
    let (Fixture { idp, sandbox: _sandbox, ports: _ports }, window) =
        app_already_signed_in("pseudo", &[("CELLS_AUTH_PSEUDO", "1")]).await;
    // The product's name and the hash's are names, the same in every language.
    let values = ["Cells Sync", "SHA-256", "alice", "Cells Test Server"];
    let mut read = everything_a_person_reads(&window).await;
    assert!(read.iter().any(|text| text.contains("ÁÁccöö")), "the pseudo-language is on: {read:?}");

    window.type_into("#server", "ftp://nowhere").await;
    window.wait_text_containing("#server-message", "ftp").await;
    read.extend(everything_a_person_reads(&window).await);
    window.click(".account [data-action=signout]").await;
    window.wait_for(".account .confirm:not([hidden])").await;
    read.extend(everything_a_person_reads(&window).await);
    window.click(".account [data-action=keep]").await;

    window.client.execute("document.querySelector('#server').value = ''", vec![]).await.unwrap();
    start_sign_in(&window, &idp).await;
    window.wait_for("#pending:not([hidden])").await;
    read.extend(everything_a_person_reads(&window).await);
    window.screenshot("pending").await;
    window.click("#cancel").await;
    window.wait_for("#pending[hidden]").await;
    read.extend(everything_a_person_reads(&window).await);

    let tray = window.invoke("tray_model", json!({})).await;
    for text in [&tray["tooltip"], &tray["add_account"], &tray["show_window"], &tray["quit"]] {
        read.push(text.as_str().unwrap_or_default().to_string());
    }
    for line in tray["lines"].as_array().unwrap() {
        read.push(line["text"].as_str().unwrap_or_default().to_string());
        read.push(line["reauthenticate"].as_str().unwrap_or_default().to_string());
    }
    let leaks: Vec<(String, Vec<String>)> = read
        .iter()
        .map(|text| (text.clone(), words_not_from_the_catalog(text, &values)))
        .filter(|(_, words)| !words.is_empty())
        .collect();
    assert!(leaks.is_empty(), "texts that bypassed the catalog: {leaks:#?}");
    window.close().await;
}

/// What the certificate dialog says in one language.
struct CertificateDialogTexts {
    heading: &'static str,
    problem: &'static str,
    trust: &'static str,
    cancel: &'static str,
    not_trusted: &'static str,
    /// Whether a validity line has the language's shape.
    validity_shape: fn(&str) -> bool,
}

/// A self-signed server, in `lang`: the dialog, its dates, and its refusal.
async fn certificate_dialog_in(lang: &str, name: &str, expected: CertificateDialogTexts) {
    let _ports = loopback_lock();
    let server = TlsServer::start(Signer::Itself);
    let mut sandbox = Sandbox::new();
    sandbox.set_env("LANG", lang);
    sandbox.set_env("TZ", "UTC");
    let window = Window::open(&sandbox, Browser::Nothing, name).await;
    window.type_into("#server", &server.url).await;
    window.click("#sign-in").await;
    window.wait_for("#certificate-dialog[open]").await;
    assert_eq!(window.text("#certificate-heading").await, expected.heading);
    let problem = window.text("#certificate-problem").await;
    assert!(problem.contains(expected.problem), "{problem}");
    assert_eq!(window.text("#trust-certificate").await, expected.trust);
    assert_eq!(window.text("#distrust-certificate").await, expected.cancel);
    let validity = window.text("#certificate-validity").await;
    assert!((expected.validity_shape)(&validity), "the validity as {lang} writes dates: {validity}");
    window.screenshot("dialog").await;
    window.click("#distrust-certificate").await;
    window.wait_text("#outcome", expected.not_trusted).await;
    window.close().await;
}

/// `dd?mm?yyyy<between>hh:mm`, with `?` the language's date separator.
fn is_a_moment(text: &str, separator: char, between: &str) -> bool {
    let Some((day, time)) = text.split_once(between) else { return false };
    let numbers: Vec<&str> = day.trim_end_matches(separator).split(separator).collect();
    numbers.len() == 3
        && numbers.iter().all(|n| n.chars().all(|c| c.is_ascii_digit()))
        && numbers[2].len() == 4
        && time.len() == 5
        && time.as_bytes()[2] == b':'
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_french_the_certificate_dialog_speaks_french_with_dates_as_the_french_write_them() {
    certificate_dialog_in(
        "fr_FR.UTF-8",
        "french-certificate",
        CertificateDialogTexts {
            heading: "Vérifiez le certificat de ce serveur",
            problem: "présente un certificat auquel cet ordinateur ne fait pas confiance (il est auto-signé)",
            trust: "Approuver ce certificat",
            cancel: "Annuler",
            not_trusted: "Le certificat n’a pas été approuvé ; aucune connexion n’a été lancée.",
            // du 06/12/2026 à 10:00 au 06/12/2027 à 10:00
            validity_shape: |text| {
                let moment = |part: &str| is_a_moment(part, '/', " à ");
                text.strip_prefix("du ")
                    .and_then(|rest| rest.split_once(" au "))
                    .is_some_and(|(a, b)| moment(a) && moment(b))
            },
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_german_the_certificate_dialog_speaks_german_with_dates_as_the_germans_write_them() {
    certificate_dialog_in(
        "de_DE.UTF-8",
        "german-certificate",
        CertificateDialogTexts {
            heading: "Zertifikat dieses Servers prüfen",
            problem: "legt ein Zertifikat vor, dem dieser Computer nicht vertraut (es ist selbstsigniert)",
            trust: "Diesem Zertifikat vertrauen",
            cancel: "Abbrechen",
            not_trusted: "Dem Zertifikat wurde nicht vertraut; keine Anmeldung wurde gestartet.",
            // 06.12.2026, 10:00 bis 06.12.2027, 10:00
            validity_shape: |text| {
                let moment = |part: &str| is_a_moment(part, '.', ", ");
                text.split_once(" bis ").is_some_and(|(a, b)| moment(a) && moment(b))
            },
        },
    )
    .await;
}

/// The elements whose content is wider than their box (text cut or spilling
/// out), and whether the page itself scrolls sideways. Fields and lists,
/// which scroll their own content, are not counted.
async fn overflowing(window: &Window) -> Vec<String> {
    let script = r#"
        const out = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth) out.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
        for (const element of document.body.querySelectorAll('*')) {
          if (element.getClientRects().length === 0 || element.closest('[hidden], template')) continue;
          if (['INPUT', 'TEXTAREA', 'SELECT', 'OPTION'].includes(element.tagName) || element.clientWidth === 0) continue;
          const style = getComputedStyle(element);
          if (['auto', 'scroll'].includes(style.overflowX)) continue;
          if (element.scrollWidth > element.clientWidth + 1) {
            out.push(`${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''}.${element.className}: ${element.scrollWidth} > ${element.clientWidth}: ${element.textContent.trim().slice(0, 60)}`);
          }
        }
        return out;"#;
    let found = window.client.execute(script, vec![]).await.expect("measure the page");
    serde_json::from_value(found).expect("a list")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_german_at_twice_the_text_size_nothing_overflows_its_box() {
    let (Fixture { idp, sandbox: _sandbox, ports: _ports }, window) =
        app_already_signed_in("german-200", &[("LANG", "de_DE.UTF-8")]).await;
    // Text twice as large, as a user's text size setting makes it (every size is in rem or em).
    let doubled = "const root = document.documentElement; \
        root.style.fontSize = (parseFloat(getComputedStyle(root).fontSize) * 2) + 'px'; \
        return getComputedStyle(root).fontSize;";
    assert_eq!(window.client.execute(doubled, vec![]).await.unwrap(), json!("30px"));
    let mut found = overflowing(&window).await;
    window.screenshot("account").await;

    window.click(".account [data-action=signout]").await;
    window.wait_for(".account .confirm:not([hidden])").await;
    found.extend(overflowing(&window).await);
    window.click(".account [data-action=keep]").await;

    start_sign_in(&window, &idp).await;
    window.wait_for("#pending:not([hidden])").await;
    found.extend(overflowing(&window).await);
    window.screenshot("pending").await;
    window.click("#cancel").await;
    window.wait_for("#pending[hidden]").await;
    assert!(found.is_empty(), "overflowing at 200 % in German: {found:#?}");
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_of_the_eight_languages_chosen_in_the_window_is_spoken_by_the_window_and_the_tray() {
    let (_fixture, window) = app_already_signed_in("eight-languages", &[]).await;
    let languages = [
        ("fr", "Comptes", "Connecté", "Quitter"),
        ("de", "Konten", "Angemeldet", "Beenden"),
        ("es", "Cuentas", "Sesión iniciada", "Salir"),
        ("it", "Account", "Connesso", "Esci"),
        ("pt-BR", "Contas", "Conectado", "Sair"),
        ("sv", "Konton", "Inloggad", "Avsluta"),
        ("lv", "Konti", "Pierakstījies", "Iziet"),
        ("en", "Accounts", "Signed in", "Quit"),
    ];
    for (tag, heading, badge, quit) in languages {
        choose_language(&window, tag).await;
        window.wait_text("#accounts-heading", heading).await;
        window.wait_text(".account .badge", badge).await;
        let lang = window.client.execute("return document.documentElement.lang", vec![]).await.unwrap();
        assert_eq!(lang, json!(tag));
        let tray = window.invoke("tray_model", json!({})).await;
        assert_eq!(tray["quit"], quit, "{tag}: {tray}");
    }
    window.close().await;
}
