//! The account manager against a stub server, with an injected clock.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::timing::usable;
use super::*;
use crate::clock::{Clock, FakeClock};
use crate::i18n::Message;
use crate::store::{Account, AccountState, Identity, MemorySecrets, SecretKind, SecretStore, Store, StoreError};
use crate::testing::{token_set, StubServer};

/// Secrets in memory that can be made to fail, as a locked or stalling keyring does.
#[derive(Default)]
struct FlakySecrets {
    inner: MemorySecrets,
    /// Every call fails (a locked keyring).
    locked: std::sync::atomic::AtomicBool,
    /// Writes of a refresh token fail (a keyring stalling on that write).
    refresh_token_writes_fail: std::sync::atomic::AtomicBool,
    refresh_token_writes_to_fail: std::sync::atomic::AtomicU32,
    /// Every call, in order: what a path costs in keyring round trips.
    calls: std::sync::Mutex<Vec<(&'static str, SecretKind)>>,
}

impl FlakySecrets {
    fn calls(&self) -> Vec<(&'static str, SecretKind)> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }

    fn note(&self, call: &'static str, kind: SecretKind) {
        self.calls.lock().unwrap().push((call, kind));
    }

    fn check(&self) -> Result<(), StoreError> {
        match self.locked.load(std::sync::atomic::Ordering::SeqCst) {
            true => Err(StoreError::KeyringLocked("keyring-unlock-linux")),
            false => Ok(()),
        }
    }

    fn set_locked(&self, locked: bool) {
        self.locked.store(locked, std::sync::atomic::Ordering::SeqCst);
    }

    fn fail_refresh_token_writes(&self, fail: bool) {
        self.refresh_token_writes_fail.store(fail, std::sync::atomic::Ordering::SeqCst);
    }

    /// The next `times` writes of a refresh token fail, the ones after succeed.
    fn fail_refresh_token_writes_times(&self, times: u32) {
        self.refresh_token_writes_to_fail.store(times, std::sync::atomic::Ordering::SeqCst);
    }
}

impl SecretStore for FlakySecrets {
    fn set(&self, account: &str, kind: SecretKind, value: &str) -> Result<(), StoreError> {
        self.note("set", kind);
        self.check()?;
        if kind == SecretKind::RefreshToken {
            use std::sync::atomic::Ordering::SeqCst;
            let counted = self.refresh_token_writes_to_fail.fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1)).is_ok();
            if counted || self.refresh_token_writes_fail.load(SeqCst) {
                return Err(StoreError::KeyringTimeout(5));
            }
        }
        self.inner.set(account, kind, value)
    }

    fn get(&self, account: &str, kind: SecretKind) -> Result<Option<String>, StoreError> {
        self.note("get", kind);
        self.check()?;
        self.inner.get(account, kind)
    }

    fn delete(&self, account: &str, kind: SecretKind) -> Result<(), StoreError> {
        self.check()?;
        self.inner.delete(account, kind)
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        self.check()
    }
}

struct Fixture {
    secrets: Arc<FlakySecrets>,
    stub: StubServer,
    clock: FakeClock,
    store: Store,
    manager: AccountManager,
    id: String,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// An account signed in at t0 with a 10-minute access token.
async fn fixture(name: &str) -> Fixture {
    let stub = StubServer::start().await;
    let dir = std::env::temp_dir().join(format!("cells-auth-manager-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let secrets = Arc::new(FlakySecrets::default());
    let store = Store::new(&dir, secrets.clone());
    let identity = Identity { issuer: stub.issuer(), sub: "u-1".into(), user: "alice".into(), email: None };
    let tokens = token_set("first", t0(), Duration::minutes(10));
    let account = Account::signed_in(&stub.base, crate::CLIENT_ID, identity, &tokens, None);
    store.save(&account, &tokens).unwrap();
    let clock = FakeClock::at(t0());
    let manager = AccountManager::new(store.clone(), crate::http::client().unwrap(), Arc::new(clock.clone())).unwrap();
    Fixture { id: account.id, secrets, stub, clock, store, manager, _dir: TempDir(dir) }
}

#[tokio::test]
async fn a_valid_token_costs_one_keyring_read_no_lock_and_no_http_client() {
    let f = fixture("lean").await;
    f.secrets.calls();
    // A new process: the HTTP client is built only when a request is made.
    let manager = AccountManager::open(f.store.clone(), Arc::new(f.clock.clone())).unwrap();
    assert_eq!(manager.access_token(&f.id).await.unwrap().secret(), "first-at");
    assert_eq!(f.secrets.calls(), [("get", SecretKind::AccessToken)]);
    assert!(manager.inner.http.get().is_none(), "no HTTP client (nor TLS roots) for a valid token");
    assert!(!f.store.dir().join("locks").exists(), "no lock taken");
    // Expired: now the client is built and the refresh made.
    f.clock.advance(Duration::minutes(11));
    manager.access_token(&f.id).await.unwrap();
    assert!(manager.inner.http.get().is_some());
}

#[tokio::test]
async fn a_refresh_in_a_new_process_reuses_the_kept_configuration_and_writes_only_what_changed() {
    let f = fixture("kept").await;
    f.clock.advance(Duration::minutes(11));
    f.manager.access_token(&f.id).await.unwrap();
    let discoveries = || f.stub.state.lock().unwrap().discoveries;
    assert_eq!((discoveries(), f.stub.token_requests()), (1, 1));
    // Another process, a minute later: the configuration kept on disk is used.
    f.clock.advance(Duration::minutes(10));
    let other = AccountManager::open(f.store.clone(), Arc::new(f.clock.clone())).unwrap();
    f.secrets.calls();
    other.refresh(&f.id).await.unwrap();
    assert_eq!((discoveries(), f.stub.token_requests()), (1, 2));
    let calls = f.secrets.calls();
    assert_eq!(calls.iter().filter(|(call, _)| *call == "get").count(), 1, "only the refresh token is read: {calls:?}");
    // The server answers with the same refresh token (no rotation): it is not written again.
    let same = f.store.tokens(&f.id).unwrap().refresh_token.secret().to_string();
    f.stub.queue(&[(
        200,
        &format!(r#"{{"access_token":"same-rt-at","refresh_token":"{same}","token_type":"Bearer","expires_in":600}}"#),
    )]);
    other.refresh(&f.id).await.unwrap();
    let writes: Vec<SecretKind> = f.secrets.calls().into_iter().filter(|(c, _)| *c == "set").map(|(_, k)| k).collect();
    assert_eq!(writes, [SecretKind::AccessToken], "only the new access token is written");
    // Past the default lifetime of an hour, the configuration is discovered again.
    f.clock.advance(Duration::minutes(61));
    let later = AccountManager::open(f.store.clone(), Arc::new(f.clock.clone())).unwrap();
    later.refresh(&f.id).await.unwrap();
    assert_eq!(discoveries(), 2);
}

#[tokio::test]
async fn a_kept_configuration_edited_to_send_tokens_elsewhere_is_not_used() {
    let f = fixture("kept-edited").await;
    let attacker = StubServer::start().await;
    f.clock.advance(Duration::minutes(11));
    f.manager.access_token(&f.id).await.unwrap();
    // Someone edits the kept configuration: the token endpoint on another origin.
    let cache = f.store.dir().join("cache");
    let file = std::fs::read_dir(&cache).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(&file).unwrap();
    let endpoint = format!("{}/oidc/oauth2/token", f.stub.base);
    assert!(text.contains(&endpoint), "{text}");
    std::fs::write(&file, text.replace(&endpoint, &format!("{}/oidc/oauth2/token", attacker.base))).unwrap();
    // A new process discovers again instead, and the refresh token goes to its issuer only.
    f.clock.advance(Duration::minutes(11));
    let other = AccountManager::open(f.store.clone(), Arc::new(f.clock.clone())).unwrap();
    other.refresh(&f.id).await.unwrap();
    assert_eq!(attacker.token_requests(), 0, "nothing went to the edited endpoint");
    let discoveries = f.stub.state.lock().unwrap().discoveries;
    assert_eq!((discoveries, f.stub.token_requests()), (2, 2));
}

#[tokio::test]
async fn a_fresh_token_is_served_without_asking_the_server() {
    let f = fixture("fresh").await;
    assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "first-at");
    f.clock.advance(Duration::minutes(8));
    assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "first-at");
    assert_eq!(f.stub.token_requests(), 0);
}

#[tokio::test]
async fn within_the_margin_the_token_is_refreshed_and_the_rotation_stored_first() {
    let f = fixture("margin").await;
    f.clock.advance(Duration::minutes(9) + Duration::seconds(1));
    let token = f.manager.access_token(&f.id).await.unwrap();
    assert_eq!(token.secret(), "stub-at-1");
    assert_eq!(f.stub.token_requests(), 1);
    let stored = f.store.tokens(&f.id).unwrap();
    assert_eq!(stored.refresh_token.secret(), "stub-rt-1");
    assert_eq!(stored.access_token.unwrap().secret(), "stub-at-1");
    let account = f.store.get(&f.id).unwrap().unwrap();
    assert_eq!(account.access_token_expires_at, f.clock.now() + Duration::minutes(10));
    assert_eq!(account.last_refresh_at, Some(f.clock.now()));
    assert_eq!(f.stub.state.lock().unwrap().refresh_tokens_used, ["first-rt"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_share_one_refresh() {
    let f = fixture("flight").await;
    f.clock.advance(Duration::minutes(11));
    f.stub.hold();
    let started = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let arrived = f.stub.token_request_arrived.notified();
    let calls: Vec<_> = (0..200)
        .map(|_| {
            let (manager, id, started) = (f.manager.clone(), f.id.clone(), started.clone());
            tokio::spawn(async move {
                started.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                manager.access_token(&id).await
            })
        })
        .collect();
    // The first refresh is at the server and held there while the others pile up.
    arrived.await;
    while started.load(std::sync::atomic::Ordering::SeqCst) < 200 {
        tokio::task::yield_now().await;
    }
    f.stub.open();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().secret(), "stub-at-1");
    }
    assert_eq!(f.stub.token_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_share_one_failure_too() {
    let f = fixture("flight-failure").await;
    f.clock.advance(Duration::minutes(11));
    f.stub.queue(&[(400, r#"{"error":"invalid_grant","error_description":"revoked"}"#)]);
    f.stub.hold();
    let arrived = f.stub.token_request_arrived.notified();
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let (manager, id) = (f.manager.clone(), f.id.clone());
            tokio::spawn(async move { manager.access_token(&id).await })
        })
        .collect();
    arrived.await;
    f.stub.open();
    for call in calls {
        assert!(matches!(call.await.unwrap(), Err(ManagerError::NeedsReauth { .. })));
    }
    assert_eq!(f.stub.token_requests(), 1);
}

#[tokio::test]
async fn invalid_grant_needs_a_new_sign_in_once_and_stops_asking() {
    let f = fixture("invalid-grant").await;
    let mut events = f.manager.subscribe();
    f.clock.advance(Duration::minutes(11));
    f.stub.queue(&[(400, r#"{"error":"invalid_grant","error_description":"grant revoked"}"#)]);
    let err = f.manager.access_token(&f.id).await.unwrap_err();
    assert_eq!(
        err,
        ManagerError::NeedsReauth {
            user: "alice".into(),
            server: f.stub.base.clone(),
            reason: Message::new("refresh-refused").with("reason", "invalid_grant: grant revoked")
        }
    );
    for _ in 0..5 {
        assert!(matches!(f.manager.access_token(&f.id).await, Err(ManagerError::NeedsReauth { .. })));
    }
    assert_eq!(f.manager.refresh_due().await, 0, "no background retry either");
    assert_eq!(f.stub.token_requests(), 1);
    assert_eq!(f.manager.account(&f.id).unwrap().state, AccountState::NeedsReauth);
    assert!(f.store.get(&f.id).unwrap().unwrap().needs_reauth.is_some(), "persisted for other processes");
    // Subscribers were told, with the reason.
    let mut saw_reason = false;
    while let Ok(event) = events.try_recv() {
        saw_reason |=
            event.view.and_then(|v| v.account.needs_reauth).is_some_and(|r| r.to_string().contains("grant revoked"));
    }
    assert!(saw_reason);
}

#[tokio::test]
async fn passing_failures_back_off_keep_the_tokens_and_recover() {
    let f = fixture("backoff").await;
    // Within the margin but not expired: still usable while the server is failing.
    f.clock.advance(Duration::minutes(9) + Duration::seconds(30));
    f.stub.queue(&[(500, r#"{"error":"server_error"}"#), (503, "down")]);
    assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "first-at");
    assert_eq!(f.stub.token_requests(), 1);
    let account = f.store.get(&f.id).unwrap().unwrap();
    assert_eq!(account.failures, 1);
    assert!(account.last_error.unwrap().to_string().contains("server_error"));
    let next = account.next_attempt_at.unwrap();
    let wait = next - f.clock.now();
    assert!(wait >= Duration::milliseconds(2500) && wait <= Duration::seconds(5), "{wait}");
    // Before the next attempt: no request, the still-valid token is served.
    assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "first-at");
    assert_eq!(f.stub.token_requests(), 1);
    // The background refresh retries when due: 503 again, a longer wait.
    f.clock.advance(Duration::seconds(6));
    assert_eq!(f.manager.next_due(), f.store.get(&f.id).unwrap().unwrap().next_attempt_at);
    assert_eq!(f.manager.refresh_due().await, 1);
    let account = f.store.get(&f.id).unwrap().unwrap();
    assert_eq!(account.failures, 2);
    assert!(account.next_attempt_at.unwrap() - f.clock.now() >= Duration::seconds(5));
    assert_eq!(f.store.tokens(&f.id).unwrap().refresh_token.secret(), "first-rt", "tokens kept");
    // The server is back.
    f.clock.advance(Duration::seconds(11));
    assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "stub-at-1");
    let account = f.store.get(&f.id).unwrap().unwrap();
    assert_eq!((account.failures, account.last_error, account.next_attempt_at), (0, None, None));
}

#[tokio::test]
async fn an_expired_token_while_backing_off_is_a_clear_error_without_requests() {
    let f = fixture("expired-backoff").await;
    f.clock.advance(Duration::minutes(11));
    f.stub.queue(&[(502, "<html>bad gateway</html>")]);
    let err = f.manager.access_token(&f.id).await.unwrap_err();
    let ManagerError::RetryLater { reason, next_attempt, .. } = &err else { panic!("{err:?}") };
    assert!(reason.to_string().contains("HTTP 502"), "{reason}");
    assert!(*next_attempt > f.clock.now());
    assert_eq!(f.manager.access_token(&f.id).await.unwrap_err(), err);
    assert_eq!(f.stub.token_requests(), 1);
    assert_eq!(f.store.tokens(&f.id).unwrap().refresh_token.secret(), "first-rt");
}

#[tokio::test]
async fn proactive_refresh_comes_when_the_token_stops_being_handed_out() {
    let f = fixture("proactive").await;
    // A 10-minute token: handed out until a minute before it expires, and refreshed then.
    assert_eq!(f.manager.next_due(), Some(t0() + Duration::seconds(540)));
    f.clock.advance(Duration::seconds(539));
    assert_eq!(f.manager.refresh_due().await, 0);
    let handed = f.manager.access_token(&f.id).await.unwrap();
    assert_eq!(f.stub.token_requests(), 0, "still handed out without a refresh");
    f.clock.advance(Duration::seconds(1));
    assert_eq!(f.manager.refresh_due().await, 1);
    assert_eq!(f.stub.token_requests(), 1);
    assert_ne!(f.manager.access_token(&f.id).await.unwrap(), handed);
    assert_eq!(f.manager.next_due(), Some(f.clock.now() + Duration::seconds(540)));
}

#[tokio::test]
async fn the_background_task_refreshes_a_due_account_and_tells_subscribers() {
    let f = fixture("background").await;
    let mut events = f.manager.subscribe();
    f.clock.advance(Duration::seconds(541));
    let task = f.manager.spawn_background_refresh();
    refreshed_once_in_the_background(&f, &mut events, task).await;
}

#[test]
fn short_lifetimes_keep_a_quarter_as_margin_and_refresh_when_the_margin_is_reached() {
    let identity = Identity { issuer: "i".into(), sub: "u".into(), user: "u".into(), email: None };
    let mut account =
        Account::signed_in("s", crate::CLIENT_ID, identity, &token_set("x", t0(), Duration::seconds(4)), None);
    assert_eq!(freshness_margin(&account), Duration::seconds(1));
    assert_eq!(due_at(&account), Some(t0() + Duration::seconds(3)));
    account.access_token_expires_at = t0() + Duration::minutes(2);
    assert_eq!(freshness_margin(&account), Duration::seconds(30));
    assert_eq!(due_at(&account), Some(t0() + Duration::seconds(90)));
    account.access_token_expires_at = t0() + Duration::hours(1);
    assert_eq!(due_at(&account), Some(t0() + Duration::minutes(59)), "a minute before expiry");
    account.needs_reauth = Some(Message::verbatim("r"));
    assert_eq!(due_at(&account), None);
}

/// How many requests a schedule cuts short at a server that revokes the
/// access token each refresh replaces (Cells' Hydra): over an hour,
/// consumers ask for a token every 250 ms and use it for `hold_ms`; a
/// refresh inside that time cuts the request short. Refreshes come when
/// `due` says, or when a request finds no token that may be handed out.
fn requests_cut_short(lifetime: i64, hold_ms: i64, due: impl Fn(&Account) -> DateTime<Utc>) -> (usize, usize) {
    let identity = Identity { issuer: "i".into(), sub: "u".into(), user: "u".into(), email: None };
    let mut account =
        Account::signed_in("s", crate::CLIENT_ID, identity, &token_set("x", t0(), Duration::seconds(lifetime)), None);
    let mut refreshes = Vec::new();
    let mut handed_out = Vec::new();
    for step in 0..4 * 3600 {
        let now = t0() + Duration::milliseconds(step * 250);
        if now >= due(&account) || !usable(&account, now) {
            refreshes.push(now);
            account.access_token_issued_at = now;
            account.access_token_expires_at = now + Duration::seconds(lifetime);
        }
        handed_out.push(now);
    }
    let cut = handed_out
        .iter()
        .filter(|at| {
            let next = refreshes.partition_point(|r| r <= *at);
            refreshes.get(next).is_some_and(|r| *r < **at + Duration::milliseconds(hold_ms))
        })
        .count();
    (cut, refreshes.len())
}

#[test]
fn refreshing_when_the_margin_is_reached_cuts_the_fewest_requests_short() {
    // Cells' 10-minute tokens and the tests' 5-second ones; requests of 1 s and of 20 s.
    for (lifetime, hold_ms) in [(600, 1_000), (600, 20_000), (5, 1_000)] {
        let at_fraction = |fraction: f64| {
            move |a: &Account| {
                a.access_token_issued_at + Duration::milliseconds((lifetime as f64 * fraction * 1000.0) as i64)
            }
        };
        let (chosen, refreshes) = requests_cut_short(lifetime, hold_ms, |a| due_at(a).unwrap());
        let (half, _) = requests_cut_short(lifetime, hold_ms, at_fraction(0.5));
        let (three_quarters, _) = requests_cut_short(lifetime, hold_ms, at_fraction(0.75));
        eprintln!(
            "lifetime {lifetime} s, requests of {hold_ms} ms, out of 14400: cut short at 50 % {half}, \
             at 75 % {three_quarters}, at the margin {chosen} ({refreshes} refreshes)"
        );
        assert!(chosen <= three_quarters && chosen <= half, "{lifetime} s, {hold_ms} ms");
    }
}

#[tokio::test]
async fn invalidate_refreshes_only_for_the_current_token() {
    let f = fixture("invalidate").await;
    let first = f.manager.access_token(&f.id).await.unwrap();
    let second = f.manager.invalidate(&f.id, &first).await.unwrap();
    assert_eq!(second.token.secret(), "stub-at-1");
    assert_eq!(f.manager.access_token(&f.id).await.unwrap(), second.token);
    // A late 401 for the old token gets the new one, and throws nothing away.
    assert_eq!(f.manager.invalidate(&f.id, &first).await.unwrap(), second);
    // A token that was never ours gets the current one too.
    let stranger = crate::tokens::AccessToken::new("never-handed-out".into());
    assert_eq!(f.manager.invalidate(&f.id, &stranger).await.unwrap(), second);
    assert_eq!(f.stub.token_requests(), 1);
}

#[tokio::test]
async fn a_refused_caller_never_gets_a_token_about_to_be_replaced() {
    let f = fixture("invalidate-near-due").await;
    let old = crate::tokens::AccessToken::new("an-older-token".into());
    // 10-minute token, replaced at 540 s; a retry needs 15 s before that.
    f.clock.advance(Duration::seconds(520));
    let current = f.manager.invalidate(&f.id, &old).await.unwrap();
    assert_eq!(f.stub.token_requests(), 0, "20 s left before its refresh: the current token will do");
    f.clock.advance(Duration::seconds(10));
    let newer = f.manager.invalidate(&f.id, &old).await.unwrap();
    assert_eq!(f.stub.token_requests(), 1, "10 s left: the caller's retry could meet the refresh");
    assert_ne!(newer, current);
    assert_eq!(f.manager.next_due(), Some(f.clock.now() + Duration::seconds(540)));
}

#[tokio::test]
async fn many_callers_reporting_one_refused_token_make_one_refresh() {
    let f = fixture("invalidate-many").await;
    let refused = f.manager.access_token(&f.id).await.unwrap();
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let (manager, id, refused) = (f.manager.clone(), f.id.clone(), refused.clone());
            tokio::spawn(async move { manager.invalidate(&id, &refused).await })
        })
        .collect();
    for call in calls {
        let handed = call.await.unwrap().unwrap();
        assert_eq!(handed.token.secret(), "stub-at-1");
    }
    assert_eq!(f.stub.token_requests(), 1);
}

#[tokio::test]
async fn another_process_refused_token_is_replaced_once_across_processes() {
    let f = fixture("invalidate-processes").await;
    let refused = f.manager.access_token(&f.id).await.unwrap();
    // Another process, with its own memory, is refused the same token.
    let other =
        AccountManager::new(f.store.clone(), crate::http::client().unwrap(), Arc::new(f.clock.clone())).unwrap();
    let theirs = other.invalidate(&f.id, &refused).await.unwrap();
    // This one re-reads under the lock and takes their result.
    assert_eq!(f.manager.invalidate(&f.id, &refused).await.unwrap().token, theirs.token);
    assert_eq!(f.stub.token_requests(), 1);
}

#[tokio::test]
async fn another_process_result_is_used_instead_of_spending_the_token_again() {
    let f = fixture("other-process").await;
    f.clock.advance(Duration::minutes(11));
    // Another process refreshed meanwhile and stored its result.
    let other =
        AccountManager::new(f.store.clone(), crate::http::client().unwrap(), Arc::new(f.clock.clone())).unwrap();
    let theirs = other.access_token(&f.id).await.unwrap();
    assert_eq!(f.stub.token_requests(), 1);
    // This process still has the old state in memory, but re-reads under the lock.
    assert_eq!(f.manager.access_token(&f.id).await.unwrap(), theirs);
    assert_eq!(f.stub.token_requests(), 1);
}

#[tokio::test]
async fn logout_revokes_and_deletes_even_when_the_server_is_down() {
    let f = fixture("logout").await;
    let (account, revocation) = f.manager.logout(&f.id).await.unwrap();
    assert_eq!(account.user, "alice");
    assert_eq!(revocation, Revocation::Revoked);
    assert_eq!(f.stub.revocations(), 1);
    assert!(f.store.get(&f.id).unwrap().is_none());
    assert!(f.store.tokens(&f.id).is_err());
    assert!(matches!(f.manager.access_token(&f.id).await, Err(ManagerError::UnknownAccount(_))));

    let g = fixture("logout-down").await;
    let base = g.stub.base.clone();
    drop(g.stub);
    let (_, revocation) = g.manager.logout(&g.id).await.unwrap();
    assert!(matches!(&revocation, Revocation::Failed(reason) if reason.to_string().contains(&base)), "{revocation:?}");
    assert!(g.store.get(&g.id).unwrap().is_none());
}

/// A test CA and a certificate for 127.0.0.1 it signed, made by openssl: (CA, chain, key) in PEM.
fn test_certificates(dir: &std::path::Path) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    std::fs::create_dir_all(dir).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl").args(args).current_dir(dir).output().expect("openssl");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    std::fs::write(dir.join("leaf.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n").unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=Test CA",
        "-days",
        "2",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    run(&["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=127.0.0.1"]);
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
    ]);
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    (read("ca.pem"), read("leaf.pem"), read("leaf.key"))
}

#[tokio::test]
async fn logout_revokes_on_https_through_oauth2_and_on_plain_http_through_its_own_post() {
    // Plain http: the stub of every other test.
    let plain = fixture("revoke-http").await;
    assert!(plain.stub.base.starts_with("http://"));
    assert_eq!(plain.manager.logout(&plain.id).await.unwrap().1, Revocation::Revoked);
    assert_eq!(plain.stub.state.lock().unwrap().revocations_by_scheme(), (0, 1));

    // https: a TLS server whose CA this client trusts.
    let dir = std::env::temp_dir().join(format!("cells-auth-manager-tls-{}", std::process::id()));
    let (ca, chain, key) = test_certificates(&dir);
    let stub = StubServer::start_tls(&chain, &key).await;
    assert!(stub.base.starts_with("https://"));
    let http = crate::http::builder(crate::http::REQUEST_TIMEOUT)
        .unwrap()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let store = Store::new(dir.join("config"), Arc::new(MemorySecrets::default()));
    let identity = Identity { issuer: stub.issuer(), sub: "u-1".into(), user: "alice".into(), email: None };
    let tokens = token_set("tls", Utc::now(), Duration::minutes(10));
    let account = Account::signed_in(&stub.base, crate::CLIENT_ID, identity, &tokens, None);
    store.save(&account, &tokens).unwrap();
    let manager = AccountManager::new(store.clone(), http, Arc::new(crate::clock::SystemClock)).unwrap();
    let (_, revocation) = manager.logout(&account.id).await.unwrap();
    assert_eq!(revocation, Revocation::Revoked);
    let state = stub.state.lock().unwrap();
    assert_eq!(state.revocations_by_scheme(), (1, 0), "revoked over TLS");
    assert_eq!(state.revoked, ["tls-rt"], "the refresh token, as oauth2 sends it");
    assert!(store.get(&account.id).unwrap().is_none());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn each_account_s_own_trust_is_used_for_its_server_and_another_certificate_is_refused() {
    use crate::certificates::{Fingerprint, ServerTrust};
    use rustls::pki_types::pem::PemObject;
    let dir = std::env::temp_dir().join(format!("cells-auth-manager-trust-{}", std::process::id()));
    let (ca, chain, key) = test_certificates(&dir);
    let stub = StubServer::start_tls(&chain, &key).await;
    let leaf = rustls::pki_types::CertificateDer::from_pem_slice(&chain).unwrap();
    let pin = Fingerprint::of(&leaf);
    let other = Fingerprint::of(b"another certificate");
    // The system's trust knows nothing of the test CA.
    let store = Store::new(dir.join("config"), Arc::new(MemorySecrets::default()));
    let manager =
        AccountManager::new(store.clone(), crate::http::client().unwrap(), Arc::new(crate::clock::SystemClock))
            .unwrap();
    let sign_out_with = |trust: ServerTrust| {
        let (store, manager, issuer, base) = (store.clone(), manager.clone(), stub.issuer(), stub.base.clone());
        async move {
            let identity = Identity { issuer, sub: "u-1".into(), user: "alice".into(), email: None };
            let tokens = token_set("trust", Utc::now(), Duration::minutes(10));
            let mut account = Account::signed_in(&base, crate::CLIENT_ID, identity, &tokens, None);
            account.trust = trust;
            store.save(&account, &tokens).unwrap();
            manager.reload().unwrap();
            manager.logout(&account.id).await.unwrap().1
        }
    };
    let ca = String::from_utf8(ca).unwrap();
    assert_eq!(sign_out_with(ServerTrust::PrivateCa { pem: ca }).await, Revocation::Revoked);
    assert_eq!(sign_out_with(ServerTrust::Pinned { sha256: pin }).await, Revocation::Revoked);
    let Revocation::Failed(changed) = sign_out_with(ServerTrust::Pinned { sha256: other }).await else {
        panic!("another certificate than the pinned one was accepted")
    };
    let changed = changed.to_string();
    assert!(changed.contains(&format!("which was SHA-256 {other}")), "{changed}");
    assert!(changed.contains(&format!("--trust-certificate {pin}")), "{changed}");
    let Revocation::Failed(untrusted) = sign_out_with(ServerTrust::System).await else {
        panic!("a certificate of an unknown CA was accepted")
    };
    let untrusted = untrusted.to_string();
    assert!(untrusted.contains("does not trust"), "{untrusted}");
    assert!(untrusted.contains("subject:  CN=127.0.0.1") && untrusted.contains("issuer:   CN=Test CA"), "{untrusted}");
    assert_eq!(stub.state.lock().unwrap().revocations_by_scheme(), (2, 0), "only the trusted ones were revoked");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn nothing_secret_in_debug_output_or_errors() {
    let f = fixture("debug").await;
    f.clock.advance(Duration::minutes(11));
    let token = f.manager.access_token(&f.id).await.unwrap();
    f.stub.queue(&[(400, r#"{"error":"invalid_grant"}"#)]);
    let err = f.manager.refresh(&f.id).await.unwrap_err();
    let printed =
        format!("{:?} {:?} {token:?} {err:?} {err} {:?}", f.manager, f.manager.accounts(), f.store.tokens(&f.id));
    for secret in ["first-at", "first-rt", "stub-at-1", "stub-rt-1"] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
}

#[tokio::test]
async fn a_locked_keyring_backs_off_like_any_failure_so_the_background_loop_cannot_spin() {
    let f = fixture("locked-backoff").await;
    f.clock.advance(Duration::seconds(541));
    f.secrets.set_locked(true);
    assert_eq!(f.manager.refresh_due().await, 1, "due: one attempt");
    let next = f.manager.next_due().expect("a retry is scheduled");
    assert!(next > f.clock.now(), "the next attempt is later, not now: {next}");
    let account = f.store.get(&f.id).unwrap().unwrap();
    assert!(account.last_error.as_ref().unwrap().to_string().contains("locked"), "{account:?}");
    // However often the loop looks, nothing is due before the backoff ends.
    for _ in 0..100 {
        assert_eq!(f.manager.refresh_due().await, 0);
    }
    // Each further failure waits longer (5 s doubling, with jitter).
    f.clock.set(next);
    assert_eq!(f.manager.refresh_due().await, 1);
    assert!(f.manager.next_due().unwrap() - f.clock.now() >= Duration::seconds(5));
    assert_eq!(f.stub.token_requests(), 0, "nothing reached the server");
    // Unlocked, the next attempt succeeds.
    f.secrets.set_locked(false);
    f.clock.set(f.manager.next_due().unwrap());
    assert_eq!(f.manager.refresh_due().await, 1);
    assert_eq!(f.stub.token_requests(), 1);
    assert_eq!(f.store.get(&f.id).unwrap().unwrap().last_error, None);
}

#[tokio::test]
async fn a_one_shot_command_keeps_trying_to_store_a_rotated_token_until_its_bound() {
    let f = fixture("one-command").await;
    f.clock.advance(Duration::minutes(11));
    // As `open_for_one_command`, with a bound of 2 s instead of a minute.
    let bound = std::time::Duration::from_secs(2);
    let command = AccountManager::for_one_command_within(f.store.clone(), Arc::new(f.clock.clone()), bound).unwrap();
    // The keyring takes the third try (after 0.5 s and 1 s): nothing is lost.
    f.secrets.fail_refresh_token_writes_times(2);
    assert_eq!(command.access_token(&f.id).await.unwrap().secret(), "stub-at-1");
    assert_eq!(f.store.tokens(&f.id).unwrap().refresh_token.secret(), "stub-rt-1");

    // Never within the bound: the command gives up, and says the account needs a new sign-in.
    f.clock.advance(Duration::minutes(11));
    f.secrets.fail_refresh_token_writes(true);
    let started = std::time::Instant::now();
    let err = command.access_token(&f.id).await.unwrap_err();
    assert!(started.elapsed() <= bound, "{:?}", started.elapsed());
    assert!(
        matches!(&err, ManagerError::NeedsReauth { reason, .. } if reason.to_string().contains("within 2 s")),
        "{err}"
    );
    assert!(f.store.get(&f.id).unwrap().unwrap().needs_reauth.is_some());
    assert_eq!(f.stub.token_requests(), 2);
}

#[tokio::test]
async fn a_rotated_refresh_token_the_keyring_would_not_take_is_kept_and_the_spent_one_never_sent_again() {
    let f = fixture("unsaved-rotation").await;
    f.clock.advance(Duration::minutes(11));
    f.secrets.fail_refresh_token_writes(true);
    let err = f.manager.access_token(&f.id).await.unwrap_err();
    assert!(
        matches!(&err, ManagerError::RetryLater { reason, .. } if reason.to_string().contains("kept until it can be")),
        "{err:?}"
    );
    assert_eq!(
        f.store.tokens(&f.id).unwrap().refresh_token.secret(),
        "first-rt",
        "the keyring still has the spent one"
    );
    // Still failing: the next attempt sends nothing.
    f.clock.set(f.manager.next_due().unwrap());
    assert_eq!(f.manager.refresh_due().await, 1);
    assert_eq!(f.stub.token_requests(), 1);
    // The keyring answers again: the kept token is written, then used.
    f.secrets.fail_refresh_token_writes(false);
    f.clock.set(f.manager.next_due().unwrap());
    assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "stub-at-2");
    assert_eq!(f.stub.state.lock().unwrap().refresh_tokens_used, ["first-rt", "stub-rt-1"], "each spent once");
    assert_eq!(f.store.tokens(&f.id).unwrap().refresh_token.secret(), "stub-rt-2");
}

#[tokio::test]
async fn an_account_file_edited_to_name_another_issuer_sends_no_secret() {
    let f = fixture("edited-issuer").await;
    let attacker = StubServer::start().await;
    f.store
        .update(&f.id, |account| {
            account.server = attacker.base.clone();
            account.issuer = attacker.issuer();
        })
        .unwrap();
    f.manager.reload().unwrap();
    f.clock.advance(Duration::minutes(11));
    let err = f.manager.refresh(&f.id).await.unwrap_err();
    assert!(
        matches!(&err, ManagerError::NeedsReauth { reason, .. } if reason.to_string().contains("no longer matches")),
        "{err:?}"
    );
    assert_eq!(attacker.token_requests(), 0, "the refresh token went nowhere");
    assert_eq!(f.stub.token_requests(), 0);
    let (_, revocation) = f.manager.logout(&f.id).await.unwrap();
    assert!(matches!(revocation, Revocation::Failed(_)), "{revocation:?}");
    assert_eq!(attacker.revocations(), 0, "nor at sign-out");
}

#[tokio::test]
async fn waking_two_hours_later_refreshes_at_once_by_the_wall_clock() {
    let f = fixture("wall-clock").await;
    let mut events = f.manager.subscribe();
    // The loop sleeps until the due time by the (injected) wall clock:
    // two hours passing while the machine sleeps wake it at once.
    let task = tokio::spawn(f.manager.clone().keep_fresh());
    tokio::task::yield_now().await;
    f.clock.advance(Duration::hours(2));
    refreshed_once_in_the_background(&f, &mut events, task).await;
}

/// Waits for the event saying the account was refreshed, stops the loop,
/// and checks that one refresh stored its tokens.
async fn refreshed_once_in_the_background(
    f: &Fixture,
    events: &mut tokio::sync::broadcast::Receiver<AccountEvent>,
    task: tokio::task::JoinHandle<()>,
) {
    loop {
        let event = events.recv().await.unwrap();
        if event.view.is_some_and(|v| v.account.last_refresh_at.is_some() && !v.refreshing) {
            break;
        }
    }
    task.abort();
    assert_eq!(f.stub.token_requests(), 1);
    assert_eq!(f.store.tokens(&f.id).unwrap().access_token.unwrap().secret(), "stub-at-1");
}

#[tokio::test]
async fn a_resume_resets_the_backoff_and_retries_at_once() {
    let f = fixture("resume").await;
    f.clock.advance(Duration::minutes(11));
    // Five failures in a row: the next attempt is a minute or more away.
    f.stub.queue(&[(503, "down"), (503, "down"), (503, "down"), (503, "down"), (503, "down")]);
    for _ in 0..5 {
        let _ = f.manager.refresh(&f.id).await;
    }
    let next = f.manager.next_due().unwrap();
    assert!(next - f.clock.now() >= Duration::seconds(40), "{next}");
    assert_eq!(f.manager.refresh_due().await, 0, "backing off");
    f.manager.resumed().await;
    assert!(f.manager.next_due().unwrap() <= f.clock.now(), "due now");
    assert_eq!(f.store.get(&f.id).unwrap().unwrap().failures, 0, "the backoff starts over");
    assert_eq!(f.manager.refresh_due().await, 1);
    assert_eq!(f.manager.access_token(&f.id).await.unwrap().secret(), "stub-at-1");
}

#[tokio::test]
async fn diagnostics_tell_the_state_and_the_discovered_configuration_and_no_secret() {
    let f = fixture("diagnostics").await;
    f.clock.advance(Duration::minutes(11));
    f.stub.queue(&[(503, "down")]);
    let _ = f.manager.access_token(&f.id).await;
    let report = f.manager.diagnostics().await;
    assert!(report.contains(&format!("account {} on {}", f.id, f.stub.base)), "{report}");
    assert!(report.contains("last error: the endpoint"), "{report}");
    assert!(report.contains(&format!("discovery: issuer {}", f.stub.issuer())), "{report}");
    assert!(report.contains("PKCE S256"), "{report}");
    for secret in ["first-rt", "first-at"] {
        assert!(!report.contains(secret), "{report}");
    }
}
