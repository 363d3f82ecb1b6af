//! The token agent: `cells-auth agent` answering `cells-auth token` on this
//! user's socket, the silent fallback to the direct path, and who may ask.

use cells_auth_e2e::desktop::process_name;
use cells_auth_e2e::{cells_auth_bin, keyring_secret, AgentProcess, Fixture, Output, Sandbox, StalledKeyring, TempDir};

fn token(sandbox: &Sandbox) -> Output {
    let out = sandbox.run(&["token"]);
    assert_eq!(out.code, Some(0), "token failed: {}", out.stderr);
    out
}

#[test]
fn the_agent_answers_token_from_memory_even_with_the_keyring_stalled() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    let agent = AgentProcess::start(&sandbox);
    let first = token(&sandbox);
    assert_eq!(first.stdout.trim(), keyring_secret(&id, "access_token").unwrap());
    assert!(first.stderr.is_empty(), "{}", first.stderr);

    // The keyring stops answering: only the agent's memory can give the token now.
    let stalled = StalledKeyring::stop();
    let second = token(&sandbox);
    drop(stalled);
    assert_eq!(second.stdout, first.stdout, "the same output as the direct path");
    assert_eq!(second.stdout.lines().count(), 1);
    let out = agent.stop();
    assert!(!out.stderr.contains(first.stdout.trim()), "the agent printed a token");
    assert!(!sandbox.runtime_dir().join("cells-auth/agent.sock").exists(), "the socket is removed on exit");
}

#[test]
fn a_failure_through_the_agent_is_the_direct_path_s_line_and_exit_code() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    let agent = AgentProcess::start(&sandbox);
    // The refresh token is revoked and the access token expired: a new sign-in is needed.
    idp.revoke(&keyring_secret(&id, "refresh_token").unwrap());
    sandbox.expire_access_token(&id);
    let through_agent = sandbox.run(&["token"]);
    assert_eq!(through_agent.code, Some(2), "{}", through_agent.stderr);
    assert!(through_agent.error_line().contains("run `cells-auth login"), "{}", through_agent.stderr);
    agent.stop();
    let direct = sandbox.run(&["token"]);
    assert_eq!((direct.code, direct.stdout.as_str()), (through_agent.code, through_agent.stdout.as_str()));
    assert_eq!(direct.stderr, through_agent.stderr);
}

#[test]
fn without_an_agent_or_with_a_dead_one_token_answers_directly_and_silently() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    let direct = token(&sandbox);
    assert!(direct.stderr.is_empty(), "{}", direct.stderr);
    // A dead agent's socket left behind: nobody listens on it.
    let dir = sandbox.runtime_dir().join("cells-auth");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    drop(std::os::unix::net::UnixListener::bind(dir.join("agent.sock")).unwrap());
    let after = token(&sandbox);
    assert_eq!(after.stdout, direct.stdout);
    assert!(after.stderr.is_empty(), "{}", after.stderr);
    assert_eq!(after.stdout.trim(), keyring_secret(&id, "access_token").unwrap());
}

#[test]
fn an_agent_killed_mid_request_leaves_token_answering() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    sandbox.sign_in(&idp);
    // The agent dies with the request read and the answer not yet sent.
    sandbox.set_env("CELLS_AUTH_FAILPOINT", "agent-before-answer");
    let mut agent = AgentProcess::start(&sandbox);
    sandbox.set_env("CELLS_AUTH_FAILPOINT", "");
    let out = token(&sandbox);
    assert!(!agent.is_running(), "the agent was to die at the failpoint");
    assert_eq!(out.stdout.lines().count(), 1);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

#[test]
fn a_second_agent_refuses_to_start_with_one_clear_line() {
    let Fixture { idp: _idp, sandbox, ports: _ports } = Fixture::start();
    let _agent = AgentProcess::start(&sandbox);
    let second = sandbox.run(&["agent"]);
    assert_eq!(second.code, Some(1), "{}", second.stderr);
    assert!(second.error_line().contains("an agent is already running for this user"), "{}", second.stderr);
    assert_eq!(second.stderr.lines().count(), 1, "{}", second.stderr);
}

/// Runs `program` as the user nobody.
fn as_nobody(sandbox: &Sandbox, program: &str, args: &[&str]) -> Output {
    let mut setpriv_args = vec!["--reuid=nobody", "--regid=nogroup", "--clear-groups", program];
    setpriv_args.extend_from_slice(args);
    cells_auth_e2e::run_command(sandbox.program("setpriv", &setpriv_args))
}

#[test]
fn another_user_gets_no_token_from_the_agent() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    sandbox.sign_in(&idp);
    sandbox.set_env("CELLS_AUTH_LOG", "cells_auth=info");
    let agent = AgentProcess::start(&sandbox);
    // A copy of the binary that nobody may run.
    let bin_dir = TempDir::new("nobody-bin");
    let bin = bin_dir.path().join("cells-auth");
    std::fs::copy(cells_auth_bin(), &bin).unwrap();

    // The agent's directory is this user's alone: nobody cannot even reach the socket.
    let out = as_nobody(&sandbox, bin.to_str().unwrap(), &["token"]);
    assert_ne!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "nobody got a token: {}", out.stdout);

    // Even with the directory opened up, the agent asks the kernel who is asking, and refuses.
    let dir = sandbox.runtime_dir().join("cells-auth");
    for (path, mode) in [(sandbox.runtime_dir(), 0o755), (dir.clone(), 0o755), (dir.join("agent.sock"), 0o777)] {
        std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    }
    let ask = format!(
        "const s = require('net').connect({:?}); let a = ''; s.on('data', (d) => (a += d)); \
         s.on('close', () => console.log(a.trim())); s.on('error', (e) => console.log('error ' + e.code)); \
         s.write(JSON.stringify({{ account: null, store: {:?} }}) + '\\n');",
        dir.join("agent.sock"),
        sandbox.config_dir()
    );
    let raw = as_nobody(&sandbox, "node", &["-e", &ask]);
    let answer: serde_json::Value = serde_json::from_str(raw.stdout.trim())
        .unwrap_or_else(|e| panic!("the agent's answer to nobody ({e}): {} {}", raw.stdout, raw.stderr));
    assert_eq!(answer["answer"], "refused", "{answer}");
    assert!(answer.get("token").is_none());
    let log = agent.stop().stderr;
    assert!(log.contains("refused a request from another user") && log.contains("uid=65534"), "{log}");
}

#[test]
fn socket_activation_starts_the_agent_at_the_first_token_request_on_the_socket_systemd_holds() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    // What cells-auth-agent.socket does: the directory (DirectoryMode=0700)
    // and a listening socket in it, handed to the agent at the first connection.
    let dir = sandbox.runtime_dir().join("cells-auth");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let socket = dir.join("agent.sock");
    let bin = cells_auth_bin();
    // Like a user service, the agent gets the user manager's environment
    // (the runtime directory, the keyring's session bus, the home), not the
    // shell's; CELLS_AUTH_CONFIG_DIR stands in for this user's home.
    let (socket_arg, bin_arg) = (socket.to_string_lossy(), bin.to_string_lossy());
    let mut args = vec!["-l", &*socket_arg];
    for variable in ["XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "HOME", "CELLS_AUTH_CONFIG_DIR"] {
        args.extend(["-E", variable]);
    }
    args.extend([&*bin_arg, "agent"]);
    // Killed when dropped, whatever the test did.
    let mut activator = AgentProcess::of(sandbox.spawn_program("systemd-socket-activate", &args));
    activator.running().wait_for_stderr("Listening on");
    let pid = activator.running().pid();
    assert_eq!(process_name(pid), "systemd-socket-", "no agent before the first request");

    let first = token(&sandbox);
    assert_eq!(first.stdout.trim(), keyring_secret(&id, "access_token").unwrap());
    assert!(first.stderr.is_empty(), "{}", first.stderr);
    // systemd-socket-activate became the agent, on the socket it was given.
    assert_eq!(process_name(pid), "cells-auth", "the agent was started by the request");

    // Answered from the agent's memory: the keyring stalled changes nothing.
    let stalled = StalledKeyring::stop();
    let second = token(&sandbox);
    drop(stalled);
    assert_eq!(second.stdout, first.stdout);

    // The desktop app or a second `cells-auth agent` uses it rather than starting another.
    let second_agent = sandbox.run(&["agent"]);
    assert_eq!(second_agent.code, Some(1), "{}", second_agent.stderr);
    assert!(second_agent.error_line().contains("an agent is already running"), "{}", second_agent.stderr);

    let out = activator.stop();
    assert!(!out.stderr.contains(first.stdout.trim()), "the agent printed a token");
    assert!(socket.exists(), "the socket is systemd's: the agent leaves it in place");
}
