//! The loopback listener as a browser and other programs meet it.

use cells_auth_e2e::{hold_port, port_is_free, Fixture};
use serde_json::Value;

#[test]
fn stray_and_forged_requests_do_not_end_the_sign_in_and_ipv6_works() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    sandbox.set_env("CELLS_TEST_STRAYS", "1").set_env("CELLS_TEST_CALLBACK_HOST", "[::1]");

    let out = sandbox.login(&idp.url(), &[]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(sandbox.accounts()[0]["state"], "signed_in");

    let report = sandbox.browser_report().expect("the browser ran");
    let status_of = |name: &str| -> Value {
        report["strays"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no stray {name}"))["status"]
            .clone()
    };
    assert_eq!(status_of("favicon"), 404);
    assert_eq!(status_of("other path"), 404);
    assert_eq!(status_of("ipv6 favicon"), 404);
    assert_eq!(status_of("forged state"), 400);
    assert_eq!(status_of("no state"), 400);
    assert_eq!(status_of("no parameters"), 400);
    assert_eq!(status_of("error without state"), 400);
    assert_eq!(status_of("error with forged state"), 400);
    assert_eq!(status_of("foreign host"), 400, "a DNS-rebound Host is refused");
    assert_eq!(status_of("post"), 405);
    assert_eq!(status_of("preflight"), 204);
    assert_eq!(status_of("garbage"), 400);
    // After all that, the real callback over [::1] completed the sign-in.
    assert_eq!(report["callback"]["host"], "[::1]");
    assert_eq!(report["callback"]["status"], 200);
}

#[test]
fn ports_taken_on_either_stack_are_skipped() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    // Another program holds 3636 on IPv4 only and 3637 on IPv6 only.
    let _held = [hold_port(3636, true, false), hold_port(3637, false, true)];
    let out = sandbox.login(&idp.url(), &[]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("http://localhost:3638/servers/callback"), "{}", out.stderr);
    assert_eq!(sandbox.accounts()[0]["state"], "signed_in");
}

#[test]
fn all_31_ports_taken_is_one_clear_error_and_no_browser() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let _held: Vec<_> = (3636..=3666).map(|port| hold_port(port, true, true)).collect();
    let out = sandbox.login(&idp.url(), &[]);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stderr_lines().len(), 2, "the http warning and one error line: {}", out.stderr);
    assert!(out.error_line().contains("ports 3636-3666 are all in use"), "{}", out.stderr);
    assert!(!sandbox.browser_opened(), "nothing may open in the browser");
    assert!(sandbox.accounts().is_empty());
}

#[test]
fn cancel_in_the_browser_ends_the_sign_in_with_a_clear_message() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    sandbox.set_env("CELLS_TEST_ACTION", "cancel");
    let out = sandbox.login(&idp.url(), &[]);
    assert_eq!(out.code, Some(1));
    assert_eq!(
        out.error_line(),
        "cells-auth: the sign-in was cancelled in the browser (access_denied: End-User aborted interaction)"
    );
    assert!(sandbox.accounts().is_empty());
    let report = sandbox.browser_report().unwrap();
    assert!(report["callback"]["body"].as_str().unwrap().contains("Sign-in failed"));
    assert!(port_is_free(3636), "the listener closed");
}

#[test]
fn no_answer_before_the_timeout_ends_the_sign_in_and_frees_the_port() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let out = sandbox.run(&["login", &idp.url(), "--timeout", "1", "--no-browser"]);
    assert_eq!(out.code, Some(1));
    assert!(!sandbox.browser_opened());
    assert!(out.stderr.contains("/oidc/oauth2/auth?"), "the URL is shown to copy: {}", out.stderr);
    assert_eq!(
        out.error_line(),
        "cells-auth: no answer from the browser within 1 s: sign in again (--timeout sets a longer wait)"
    );
    assert!(port_is_free(3636));
}

#[test]
fn ctrl_c_cancels_the_sign_in_and_frees_the_port() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let mut running = sandbox.spawn(&["login", &idp.url(), "--no-browser", "--timeout", "30"]);
    running.wait_for_stderr("Waiting for the browser on http://localhost:3636");
    assert!(!port_is_free(3636), "the port is held while waiting");
    let pid = running.pid().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let out = running.finish();
    assert_eq!(out.code, Some(130));
    assert_eq!(out.error_line(), "cells-auth: sign-in cancelled");
    assert!(port_is_free(3636));
}

#[test]
fn a_browser_on_another_machine_signs_in_by_pasting_the_address_it_ended_on() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    let mut login = sandbox.spawn_with_stdin(&["login", &idp.url(), "--no-browser", "--timeout", "30"]);
    let url = login.wait_for_stderr("/oidc/oauth2/auth?").trim().to_string();
    let hint = login.wait_for_stderr("paste here");
    assert!(hint.contains("ssh -L 3636:localhost:3636"), "{hint}");
    assert!(!port_is_free(3636), "the listener waits too: whichever comes first wins");

    // The browser elsewhere signs in and ends on an address it cannot reach.
    sandbox.set_env("CELLS_TEST_DELIVER", "none");
    let browser = cells_auth_e2e::run_command(
        sandbox.program("node", &[cells_auth_e2e::repo_root().join("tests/idp/browser.mjs").to_str().unwrap(), &url]),
    );
    assert_eq!(browser.code, Some(0), "{}", browser.stderr);
    let report = sandbox.browser_report().expect("the browser's report");
    let address = report["finalAddress"].as_str().expect("the address the browser ended on").to_string();
    assert!(address.starts_with("http://localhost:3636/servers/callback?code="), "{address}");

    // A wrong paste is said and changes nothing; the right one signs in.
    login.type_line("http://localhost:3636/servers/callback?code=forged&state=forged");
    let refused = login.wait_for_stderr("Not taken");
    assert!(refused.contains("another sign-in"), "{refused}");
    login.type_line(&address);
    let out = login.finish();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.starts_with("Signed in as alice"), "{}", out.stdout);
    assert!(port_is_free(3636), "the listener closed");
    let code = report["code"].as_str().unwrap();
    assert!(!out.stderr.contains(code) && !out.stdout.contains(code), "the code was printed");
    assert_eq!(sandbox.accounts().len(), 1);
}
