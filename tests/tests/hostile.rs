//! What a hostile or broken server may say, with the real binary: answers
//! too large, answers that never come, errors echoing the request, and a
//! machine whose TLS roots cannot load. One clear line, bounded memory and
//! time, no secret shown or stored, and the account kept.

use std::io::{Read, Write};
use std::net::TcpListener;

use cells_auth_e2e::{keyring_secret, Fixture, Sandbox};

/// A server that answers every request with an endless JSON-looking body
/// (no length announced), until `limit` bytes or the client hangs up.
fn endless_server(limit: usize) -> (u16, std::thread::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    let serving = std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else { return 0 };
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"issuer\":\"");
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        while sent < limit && stream.write_all(&chunk).is_ok() {
            sent += chunk.len();
        }
        sent
    });
    (port, serving)
}

#[test]
fn a_300_mb_discovery_document_is_refused_in_bounded_memory() {
    let sandbox = Sandbox::new();
    let (port, serving) = endless_server(300 * 1024 * 1024);
    let bin = cells_auth_e2e::cells_auth_bin();
    let url = format!("http://127.0.0.1:{port}");
    // GNU time reports the peak resident memory of the command alone.
    let out = cells_auth_e2e::run_command(sandbox.program(
        "/usr/bin/time",
        &["-f", "peak-rss-kib %M", bin.to_str().unwrap(), "login", &url, "--no-browser", "--timeout", "5"],
    ));
    let sent = serving.join().unwrap();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let lines = out.stderr_lines();
    let error = lines.iter().find(|l| l.starts_with("cells-auth: ")).expect("an error line");
    assert!(error.contains("sent more than 1024 KiB instead of an OpenID configuration"), "{error}");
    let peak: u64 = lines
        .iter()
        .find_map(|l| l.strip_prefix("peak-rss-kib "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the peak memory");
    assert!(peak < 100 * 1024, "peak memory {peak} KiB");
    assert!(sent < 300 * 1024 * 1024, "the client hung up early, after {sent} bytes");
    assert!(!sandbox.browser_opened());
}

#[test]
fn a_proxy_echoing_the_refresh_token_puts_it_neither_on_screen_nor_on_disk() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    let refresh_token = keyring_secret(&id, "refresh_token").unwrap();
    sandbox.expire_access_token(&id);
    idp.echo_next_token_request();
    let out = sandbox.run(&["token"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(out.stderr_lines().len(), 1, "one line: {}", out.stderr);
    assert!(out.error_line().contains("proxy could not forward"), "{}", out.stderr);
    assert!(out.error_line().contains("refresh_token=[redacted]"), "{}", out.stderr);
    let status = sandbox.run(&["status"]);
    for (what, text) in [("stderr", &out.stderr), ("status", &status.stdout), ("files", &sandbox.config_files_text())] {
        assert!(!text.contains(&refresh_token), "the refresh token is in {what}: {text}");
        assert!(!text.contains('\u{1b}'), "a terminal escape is in {what}");
        assert!(!text.contains("\r\nforged line"), "a forged line is in {what}");
    }
    // Nothing lost: the next refresh works with the same refresh token.
    let later = sandbox.run(&["refresh"]);
    assert_eq!(later.code, Some(0), "{}", later.stderr);
}

#[test]
fn a_token_endpoint_that_never_answers_gives_up_in_refresh_and_logout() {
    let Fixture { idp, sandbox, ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    // The shared ports are free again: the rest of this test is long and needs none.
    drop(ports);
    idp.hang(true, true);
    let out = sandbox.run(&["refresh"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(out.stderr_lines().len(), 1, "{}", out.stderr);
    assert!(out.error_line().contains("no answer in time"), "{}", out.stderr);
    assert!(keyring_secret(&id, "refresh_token").is_some(), "the tokens are kept");

    let out = sandbox.run(&["logout", &id]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains("could not revoke the refresh token") && out.stderr.contains("no answer in time"),
        "{}",
        out.stderr
    );
    assert_eq!(keyring_secret(&id, "refresh_token"), None, "signed out locally all the same");
    assert!(sandbox.accounts().is_empty());
}

#[test]
fn unreadable_tls_roots_stop_with_one_line_and_no_weaker_client() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    // The roots cannot be made unloadable from outside (webpki's are built
    // in); the failpoint makes building the client fail as a broken store would.
    sandbox.set_env("CELLS_AUTH_FAILPOINT", "tls-roots");
    let before = idp.stat("/requests");
    let out = sandbox.run(&["login", &idp.url(), "--timeout", "5"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let own: Vec<&str> = out.stderr_lines().into_iter().filter(|l| l.starts_with("cells-auth: ")).collect();
    assert_eq!(own.len(), 1, "{}", out.stderr);
    assert!(own[0].contains("cannot start the HTTPS client"), "{}", out.stderr);
    assert_eq!(idp.stat("/requests"), before + 1, "no request reached the server but this check");
    assert!(!sandbox.browser_opened());
}
