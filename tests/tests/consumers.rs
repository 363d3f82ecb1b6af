//! Consumers of tokens that exist already, end to end against Hydra:
//! rclone's WebDAV backend with `bearer_token_command`, and the Go package
//! for sync engines (`clients/go/cellsauth`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use cells_auth_e2e::hydra::{Hydra, HydraOptions};
use cells_auth_e2e::tls::{free_port, wait_for_port};
use cells_auth_e2e::{
    cells_auth_bin, loopback_lock, repo_root, run_command, spawn_command, AgentProcess, Running, Sandbox,
};

/// `rclone serve webdav` on a folder of its own: the WebDAV server nginx
/// puts behind Hydra's introspection.
struct WebDav {
    server: Option<Running>,
    port: u16,
}

impl WebDav {
    fn start(sandbox: &Sandbox, dir: &Path) -> Self {
        let port = free_port(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let addr = format!("127.0.0.1:{port}");
        let config = sandbox.scratch_dir("rclone").join("server.conf");
        let mut server = sandbox.spawn_program(
            "rclone",
            &["serve", "webdav", dir.to_str().unwrap(), "--addr", &addr, "--config", config.to_str().unwrap()],
        );
        wait_for_port(SocketAddr::from(([127, 0, 0, 1], port)), "rclone serve webdav", server.child_mut());
        Self { server: Some(server), port }
    }
}

impl Drop for WebDav {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.stop_with(libc::SIGTERM);
        }
    }
}

/// Files of several sizes, with contents that say which they are.
fn write_files(dir: &Path, count: usize) {
    for index in 0..count {
        let size = 32 * 1024 + index * 3989;
        let text: Vec<u8> = (0..size).map(|i| (((i * 31) ^ (index * 131)) % 251) as u8).collect();
        std::fs::write(dir.join(format!("file-{index:03}.bin")), text).unwrap();
    }
}

#[test]
fn rclone_syncs_every_file_to_webdav_across_token_lifetimes_and_forced_refreshes() {
    let mut sandbox = Sandbox::new();
    let served = sandbox.scratch_dir("served");
    let webdav = WebDav::start(&sandbox, &served);
    let hydra = Hydra::start_with(HydraOptions {
        access_token_lifetime: "4s",
        dav_upstream: Some(webdav.port),
        ..HydraOptions::default()
    });
    {
        let _ports = loopback_lock();
        sandbox.sign_in_to(&hydra.url());
    }
    sandbox.set_env("CELLS_AUTH_LOG", "cells_auth=info");
    let agent = AgentProcess::start(&sandbox);
    sandbox.set_env("CELLS_AUTH_LOG", "");
    let source = sandbox.scratch_dir("source");
    write_files(&source, 30);

    // Without a token, the WebDAV server answers nothing.
    let anonymous = run_command(
        sandbox.program("rclone", &["lsf", &format!(":webdav,url='http://127.0.0.1:{}/dav/':", hydra.port)]),
    );
    assert_ne!(anonymous.code, Some(0), "WebDAV without a token: {}", anonymous.stdout);

    let remote = format!(":webdav,url='http://127.0.0.1:{}/dav/',vendor=other:", hydra.port);
    let token_command = format!("{} token", cells_auth_bin().display());
    let log = sandbox.scratch_dir("rclone").join("sync.log");
    let stop = AtomicBool::new(false);
    let forced = AtomicUsize::new(0);
    let out = std::thread::scope(|scope| {
        scope.spawn(|| {
            // A forced refresh every 6 s: each revokes the token rclone holds.
            // (More often, with the agent's own every 3 s, a token could be
            // revoked before rclone's retry, which waits up to 2 s, uses it.)
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_secs(6));
                if sandbox.run(&["refresh"]).code == Some(0) {
                    forced.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        // Slowed down, so that it lasts several token lifetimes.
        let sync = sandbox.program(
            "rclone",
            &[
                "sync",
                source.to_str().unwrap(),
                &remote,
                "--webdav-bearer-token-command",
                &token_command,
                "--transfers",
                "2",
                "--bwlimit",
                "200k",
                "--retries",
                "1",
                "--low-level-retries",
                "3",
                "--config",
                "/dev/null",
                "-vv",
                "--log-file",
                log.to_str().unwrap(),
            ],
        );
        let mut running = spawn_command(sync);
        let started = std::time::Instant::now();
        while running.is_running() && started.elapsed() < Duration::from_secs(50) {
            std::thread::sleep(Duration::from_millis(100));
        }
        stop.store(true, Ordering::Relaxed);
        running.stop_with(libc::SIGTERM)
    });
    let log_tail = || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let wanted = |line: &&str| line.starts_with("20") && !line.contains("pacer");
        let lines: Vec<&str> = text.lines().filter(wanted).collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    };
    let agent_log = agent.stop().stderr;
    assert_eq!(
        out.code,
        Some(0),
        "rclone sync failed: {}\n{}\nHydra: {:?} replays {}\nagent: {agent_log}",
        out.stderr,
        log_tail(),
        hydra.token_statuses(),
        hydra.replays()
    );
    let forced = forced.load(Ordering::Relaxed);
    let elapsed_lifetimes = hydra.refreshes();
    eprintln!("rclone: {} refreshes ({forced} forced)", elapsed_lifetimes);
    assert!(forced >= 2, "the sync lasted through forced refreshes: {forced}");
    assert!(hydra.refreshes() > forced, "and through token lifetimes");
    assert_eq!(hydra.replays(), 0);
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        let arrived = std::fs::read(served.join(entry.file_name())).expect("the file arrived");
        assert_eq!(arrived, std::fs::read(entry.path()).unwrap(), "{:?} arrived intact", entry.file_name());
    }
    assert_eq!(std::fs::read_dir(&served).unwrap().count(), 30);
}

#[test]
fn the_go_package_asks_the_agent_answers_a_401_once_and_types_a_needed_sign_in() {
    let hydra = Hydra::start();
    let sandbox = Sandbox::new();
    // Bob's machine, whose account needs a new sign-in: its refresh token
    // revoked at Hydra, its access token expired. (Another user: the
    // keyring of this session is shared, and its entries are per account.)
    let mut stale = Sandbox::new();
    stale.set_env("CELLS_TEST_LOGIN", "bob");
    let stale_id = {
        let _ports = loopback_lock();
        sandbox.sign_in_to(&hydra.url());
        stale.sign_in_to(&hydra.url())
    };
    let refresh_token = cells_auth_e2e::keyring_secret(&stale_id, "refresh_token").unwrap();
    assert_eq!(hydra.revoke(&refresh_token), 200);
    stale.expire_access_token(&stale_id);
    let agent = AgentProcess::start(&sandbox);
    let refused_before = hydra.tokens_refused();

    let mut go = sandbox.program("go", &["test", "-count=1", "-v", "./..."]);
    go.current_dir(repo_root().join("clients/go"))
        .env("CELLS_AUTH_BIN", cells_auth_bin())
        .env("CELLS_TEST_USERINFO", format!("{}userinfo", hydra.issuer()))
        .env("CELLS_TEST_NEEDS_SIGN_IN_DIR", stale.config_dir());
    let out = run_command(go);
    agent.stop();
    assert_eq!(out.code, Some(0), "go test failed:\n{}\n{}", out.stdout, out.stderr);
    for test in [
        "TestTokenFromTheAgentWorksAtTheServer",
        "TestARefusedTokenReportedByManyGetsOneNewerToken",
        "TestWithoutAnAgentTheCommandAnswers",
        "TestAnAccountThatNeedsASignInGivesATypedError",
    ] {
        assert!(out.stdout.contains(&format!("--- PASS: {test}")), "{test} ran and passed:\n{}", out.stdout);
    }
    // One refresh for the five reports through the agent, one for the three through the command.
    assert_eq!(hydra.refreshes(), 2, "{:?}", hydra.token_statuses());
    assert_eq!(hydra.tokens_refused() - refused_before, 1, "the revoked account's one try");
    assert_eq!(hydra.replays(), 0);
}
