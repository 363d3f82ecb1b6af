//! `make bench`: how many token requests 10,000 concurrent `access_token()`
//! calls make across an expiry (the goal is 1), and what one call costs when
//! the cached token is valid. Against a stub server on loopback, with an
//! in-memory secret store and an injected clock.

use std::sync::Arc;

use cells_auth::clock::FakeClock;
use cells_auth::manager::AccountManager;
use cells_auth::store::{Account, Identity, MemorySecrets, Store};
use cells_auth::testing::{token_set, StubServer};
use chrono::{Duration, Utc};
use criterion::Criterion;

const CALLERS: usize = 10_000;

struct Setup {
    stub: StubServer,
    clock: FakeClock,
    manager: AccountManager,
    id: String,
    dir: std::path::PathBuf,
}

async fn setup() -> Setup {
    let stub = StubServer::start().await;
    let dir = std::env::temp_dir().join(format!("cells-auth-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::new(&dir, Arc::new(MemorySecrets::default()));
    let now = Utc::now();
    let identity = Identity { issuer: stub.issuer(), sub: "u-bench".into(), user: "bench".into(), email: None };
    let tokens = token_set("bench", now, Duration::minutes(10));
    let account = Account::signed_in(&stub.base, cells_auth::CLIENT_ID, identity, &tokens, None);
    store.save(&account, &tokens).expect("save the bench account");
    let clock = FakeClock::at(now);
    let manager = AccountManager::new(store, cells_auth::http::client().expect("client"), Arc::new(clock.clone()))
        .expect("manager");
    Setup { id: account.id, stub, clock, manager, dir }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let setup = runtime.block_on(setup());

    // Across an expiry: every caller arrives while the token is expired and
    // while the one refresh is held at the server.
    setup.clock.advance(Duration::minutes(11));
    setup.stub.hold();
    let requests = runtime.block_on(async {
        let arrived = setup.stub.token_request_arrived.notified();
        let calls: Vec<_> = (0..CALLERS)
            .map(|_| {
                let (manager, id) = (setup.manager.clone(), setup.id.clone());
                tokio::spawn(async move { manager.access_token(&id).await })
            })
            .collect();
        arrived.await;
        setup.stub.open();
        let mut failures = 0;
        for call in calls {
            if !matches!(call.await, Ok(Ok(_))) {
                failures += 1;
            }
        }
        assert_eq!(failures, 0, "every caller gets a token");
        setup.stub.token_requests()
    });
    println!("token requests made by {CALLERS} concurrent access_token() calls across an expiry: {requests} (goal: 1)");

    let mut criterion = Criterion::default().configure_from_args();
    criterion.bench_function("access_token() on a cached valid token", |bench| {
        bench.to_async(&runtime).iter(|| async { setup.manager.access_token(&setup.id).await.expect("token") })
    });
    criterion.final_summary();
    assert_eq!(setup.stub.token_requests(), requests, "the timing loop made no token request");
    let _ = std::fs::remove_dir_all(&setup.dir);
}
