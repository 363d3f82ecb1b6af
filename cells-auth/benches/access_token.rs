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
/// The criterion id of access_token() on a cached valid token.
const CACHED: &str = "access_token_cached";

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
    criterion.bench_function(CACHED, |bench| {
        bench.to_async(&runtime).iter(|| async { setup.manager.access_token(&setup.id).await.expect("token") })
    });
    criterion.final_summary();
    assert_eq!(setup.stub.token_requests(), requests, "the timing loop made no token request");
    write_summary(requests);
    let _ = std::fs::remove_dir_all(&setup.dir);
}

/// For the table of make bench: `target/bench/access_token.json`, with the
/// token requests of the callers and criterion's median of the cached call
/// (read from its estimates under `CRITERION_HOME`, which make bench sets).
fn write_summary(requests: usize) {
    let Some(home) = std::env::var_os("CRITERION_HOME").map(std::path::PathBuf::from) else { return };
    let estimates = home.join(CACHED).join("new/estimates.json");
    let median_ns = std::fs::read(&estimates)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|json| json["median"]["point_estimate"].as_f64());
    let Some(median_ns) = median_ns else {
        eprintln!("no criterion estimates at {}", estimates.display());
        return;
    };
    let dir = home.parent().map(|target| target.join("bench")).expect("CRITERION_HOME is target/criterion");
    std::fs::create_dir_all(&dir).expect("target/bench");
    let summary = serde_json::json!({ "token_requests": requests, "cached_seconds": median_ns / 1e9 });
    std::fs::write(dir.join("access_token.json"), summary.to_string()).expect("write target/bench/access_token.json");
}
