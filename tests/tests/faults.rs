//! Faults on the user's machine, with the real binary and keyring: another
//! process stuck holding the refresh lock, a locked keyring at refresh time,
//! a configuration directory others can write, a sign-out while another
//! process may hold the lock.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::io::AsRawFd;

use cells_auth_e2e::{keyring_secret, Fixture, StalledKeyring};

/// Kills a command left stopped by a failing test.
struct KillOnPanic(u32);

impl Drop for KillOnPanic {
    fn drop(&mut self) {
        // SAFETY: a signal to our own child, not yet reaped (finish() forgets this guard).
        unsafe {
            libc::kill(self.0 as i32, libc::SIGKILL);
        }
    }
}

/// Holds `path`'s lock, as a stopped or hung cells-auth would, until dropped.
struct HeldLock {
    _file: std::fs::File,
}

impl HeldLock {
    fn take(path: &std::path::Path) -> Self {
        let file = std::fs::OpenOptions::new().read(true).write(true).open(path).expect("the lock file");
        // SAFETY: flock on a descriptor this File owns.
        assert_eq!(unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) }, 0, "lock taken");
        Self { _file: file }
    }
}

#[test]
fn a_process_stuck_with_the_refresh_lock_freezes_no_one() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    // A refresh creates the lock file; it and its directory are this user's alone.
    assert_eq!(sandbox.run(&["refresh"]).code, Some(0));
    let locks = sandbox.config_dir().join("locks");
    let lock_file = locks.join(format!("{id}.lock"));
    assert_eq!(std::fs::metadata(&lock_file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(&locks).unwrap().permissions().mode() & 0o777, 0o700);

    let held = HeldLock::take(&lock_file);
    // A still-valid token is served without waiting for the lock.
    let token = sandbox.run(&["token"]);
    assert_eq!(token.code, Some(0), "{}", token.stderr);
    assert!(idp.userinfo(token.stdout.trim()).is_some());
    // A refresh waits a bounded time, then says why, and keeps the tokens.
    let refresh_token = keyring_secret(&id, "refresh_token").unwrap();
    let refresh = sandbox.run(&["refresh"]);
    assert_eq!(refresh.code, Some(1), "{}", refresh.stderr);
    assert_eq!(refresh.stderr_lines().len(), 1, "{}", refresh.stderr);
    assert!(refresh.error_line().contains("another cells-auth process has held"), "{}", refresh.stderr);
    assert_eq!(keyring_secret(&id, "refresh_token").unwrap(), refresh_token);
    drop(held);
    let refresh = sandbox.run(&["refresh"]);
    assert_eq!(refresh.code, Some(0), "free again: {}", refresh.stderr);
}

#[test]
fn a_stalling_keyring_at_refresh_time_is_recorded_and_backed_off() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    sandbox.expire_access_token(&id);
    let stalled = StalledKeyring::stop();
    let out = sandbox.run(&["token"]);
    drop(stalled);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(out.stderr_lines().len(), 1, "{}", out.stderr);
    // Stalled, the Secret Service is reported locked or unanswered: either way, backed off.
    assert!(out.error_line().contains("the keyring") && out.error_line().contains("next attempt at"), "{}", out.stderr);
    let account = &sandbox.accounts()[0];
    assert!(account["last_error"].as_str().is_some_and(|e| e.contains("keyring")), "{account}");
    assert!(account["next_attempt_at"].is_string(), "a retry time is set: {account}");
    // Backing off: the keyring answers again, but nothing is tried before the retry time.
    let again = sandbox.run(&["token"]);
    assert_eq!(again.code, Some(1), "{}", again.stderr);
    assert!(again.error_line().contains("next attempt at"), "{}", again.stderr);
    assert_eq!(idp.stat("/token/refresh_token"), 0, "nothing was sent");
    assert!(keyring_secret(&id, "refresh_token").is_some(), "nothing lost");
}

#[test]
fn a_configuration_directory_others_can_write_is_refused() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    sandbox.sign_in(&idp);
    let dir = sandbox.config_dir();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    for args in [vec!["status"], vec!["token"], vec!["refresh"]] {
        let out = sandbox.run(&args);
        assert_eq!(out.code, Some(1), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr_lines().len(), 1, "{args:?}: {}", out.stderr);
        assert!(out.error_line().contains("can be written by other users"), "{args:?}: {}", out.stderr);
    }
    assert_eq!(idp.stat("/token/refresh_token"), 0);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(sandbox.run(&["token"]).code, Some(0), "the account works again");
}

#[test]
fn sign_out_leaves_the_lock_file_to_whoever_may_hold_it() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    assert_eq!(sandbox.run(&["refresh"]).code, Some(0));
    let lock_file = sandbox.config_dir().join("locks").join(format!("{id}.lock"));
    assert!(lock_file.exists());
    let out = sandbox.run(&["logout", &id]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(lock_file.exists(), "deleting it would let a second process lock a new file beside a holder");
}

#[test]
fn a_keyring_stalled_across_the_write_of_a_rotated_refresh_token_loses_nothing() {
    let Fixture { idp, mut sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    // The refresh stops itself right after the token response (the old
    // refresh token is spent), and again after a failed write.
    sandbox.set_env("CELLS_AUTH_FAILPOINT", "stop:after-token-response,stop:refresh-token-write-failed");
    let mut refresh = sandbox.spawn(&["refresh"]);
    // Should an assertion fail while it is stopped, it must not stay behind.
    let reaper = KillOnPanic(refresh.pid());
    refresh.wait_until_stopped();
    let stalled = StalledKeyring::stop();
    refresh.resume();
    // The write of the new refresh token failed while the keyring was stopped.
    refresh.wait_until_stopped();
    drop(stalled);
    refresh.resume();
    let out = refresh.finish();
    std::mem::forget(reaper);
    assert_eq!(out.code, Some(0), "the write was tried again and went through: {}", out.stderr);
    // The next refresh spends the new token: nothing was lost, nothing spent twice.
    sandbox.set_env("CELLS_AUTH_FAILPOINT", "");
    let again = sandbox.run(&["refresh"]);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_eq!(idp.stat("/token/refresh_token"), 2);
    assert_eq!(idp.stat("/token_errors/refresh_token"), 0, "no invalid_grant");
    assert!(keyring_secret(&id, "refresh_token").is_some());
}
