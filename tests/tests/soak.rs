//! Two minutes at Hydra with 5-second access tokens: the agent and the
//! app's account manager keep one account fresh, three consumers use its
//! tokens and ask again with the refused one on a 401, and the user forces
//! a refresh now and then. Hydra revokes the access token each refresh
//! replaces, so consumers do meet 401s; what must hold is that none fails
//! the same request twice, that no refresh token is ever spent twice, and
//! that the refreshes are those the schedule and the forced ones explain.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cells_auth::clock::SystemClock;
use cells_auth::manager::AccountManager;
use cells_auth::store::{KeyringSecrets, Store, KEYRING_SERVICE};
use cells_auth_e2e::hydra::{Hydra, HydraOptions};
use cells_auth_e2e::{loopback_lock, spawn_command, spawn_command_with_stdin, AgentProcess, Sandbox};

const SOAK: Duration = Duration::from_secs(120);
const LIFETIME_SECS: f64 = 5.0;
const FORCED_EVERY: Duration = Duration::from_secs(20);

#[derive(Default)]
struct Tally {
    requests: AtomicUsize,
    refused: AtomicUsize,
    refused_twice: AtomicUsize,
    command_failures: AtomicUsize,
}

/// One consumer: a request at Hydra with its token; on a 401, the refused
/// token is reported and the request made again, once.
fn consume(sandbox: &Sandbox, hydra: &Hydra, through_agent: bool, stop: &AtomicBool, tally: &Tally) {
    let no_agent = sandbox.scratch_dir("no-agent");
    let command = |args: &[&str]| {
        let mut command = sandbox.command(args);
        if !through_agent {
            command.env("XDG_RUNTIME_DIR", &no_agent);
        }
        command
    };
    let ask = |refused: Option<&str>| -> Option<String> {
        let running = match refused {
            Some(token) => {
                let mut running = spawn_command_with_stdin(command(&["token", "--rejected"]));
                running.type_line(token);
                running
            }
            None => spawn_command(command(&["token"])),
        };
        let out = running.finish();
        if out.code != Some(0) {
            eprintln!("a consumer's token command failed: {}", out.stderr);
            tally.command_failures.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        Some(out.stdout.trim().to_string())
    };
    let mut token = ask(None);
    let mut pause = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let Some(current) = token.clone() else {
            token = ask(None);
            continue;
        };
        tally.requests.fetch_add(1, Ordering::Relaxed);
        if hydra.userinfo_status(&current) == 401 {
            tally.refused.fetch_add(1, Ordering::Relaxed);
            token = ask(Some(&current));
            if let Some(newer) = &token {
                if hydra.userinfo_status(newer) == 401 {
                    eprintln!("a request was refused twice");
                    tally.refused_twice.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        // Requests come at uneven intervals, 50 to 250 ms apart.
        pause = (pause * 7 + 53) % 200;
        std::thread::sleep(Duration::from_millis(50 + pause));
    }
}

#[test]
fn two_minutes_of_consumers_agent_and_app_at_hydra_without_a_replay_or_a_storm() {
    let hydra = Hydra::start_with(HydraOptions { access_token_lifetime: "5s", ..HydraOptions::default() });
    let sandbox = Sandbox::new();
    {
        let _ports = loopback_lock();
        sandbox.sign_in_to(&hydra.url());
    }
    let agent = AgentProcess::start(&sandbox);
    // The app's account manager, as the desktop app runs it.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let store = Store::new(sandbox.config_dir(), Arc::new(KeyringSecrets::new(KEYRING_SERVICE)));
    let app = AccountManager::open(store, Arc::new(SystemClock)).expect("the app's manager");
    let app_task = runtime.spawn(app.clone().keep_fresh());

    let stop = AtomicBool::new(false);
    let tally = Tally::default();
    let forced = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for through_agent in [true, true, false] {
            let (sandbox, hydra, stop, tally) = (&sandbox, &hydra, &stop, &tally);
            scope.spawn(move || consume(sandbox, hydra, through_agent, stop, tally));
        }
        let (sandbox, forced, stop) = (&sandbox, &forced, &stop);
        scope.spawn(move || {
            let mut next = started + FORCED_EVERY;
            while started.elapsed() < SOAK {
                if Instant::now() >= next {
                    let out = sandbox.run(&["refresh"]);
                    assert_eq!(out.code, Some(0), "refresh failed: {}", out.stderr);
                    forced.fetch_add(1, Ordering::Relaxed);
                    next += FORCED_EVERY;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            stop.store(true, Ordering::Relaxed);
        });
    });
    let elapsed = started.elapsed().as_secs_f64();
    app_task.abort();
    drop(runtime);
    agent.stop();

    let (requests, refused) = (tally.requests.load(Ordering::Relaxed), tally.refused.load(Ordering::Relaxed));
    let forced = forced.load(Ordering::Relaxed);
    let (refreshes, replays) = (hydra.refreshes(), hydra.replays());
    // A token is replaced a quarter of its life before it expires, and a
    // refused caller's a little earlier (a quarter of that again): at most
    // one refresh per 3.4 s, plus the forced ones.
    let scheduled_at_most = (elapsed / (LIFETIME_SECS * (0.75 - 0.25 / 4.0))).ceil() as usize;
    eprintln!(
        "soak: {elapsed:.0} s, {requests} requests, {refused} refused (401) and asked again, {} refused twice; \
         {refreshes} refreshes ({forced} forced, at most {scheduled_at_most} scheduled), {replays} replays, \
         {} token requests refused by Hydra",
        tally.refused_twice.load(Ordering::Relaxed),
        hydra.tokens_refused()
    );
    assert!(requests > 500, "the consumers were busy: {requests}");
    assert_eq!(tally.refused_twice.load(Ordering::Relaxed), 0, "no request failed twice");
    assert_eq!(tally.command_failures.load(Ordering::Relaxed), 0, "every token command succeeded");
    assert_eq!(replays, 0, "no refresh token was spent twice (Hydra's log)");
    assert_eq!(hydra.tokens_refused(), 0, "Hydra refused no token request");
    assert!(refreshes <= scheduled_at_most + forced + 1, "a storm: {refreshes} refreshes");
    assert!(refreshes as f64 >= elapsed / LIFETIME_SECS, "the account was kept fresh: {refreshes} refreshes");
}
