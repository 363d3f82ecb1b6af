//! Linux: logind's `PrepareForSleep(false)` on resume, and NetworkManager's
//! full connectivity, on the system bus.
//!
//! `CELLS_SYNC_POWER_BUS=session` listens on the session bus instead of the
//! system bus (for tests, and sandboxes without the system bus).

use cells_auth::manager::AccountManager;

/// logind: `PrepareForSleep(false)` is sent on resume.
const RESUME_RULE: &str =
    "type='signal',interface='org.freedesktop.login1.Manager',member='PrepareForSleep',path='/org/freedesktop/login1'";
/// NetworkManager: `StateChanged(70)` is full connectivity.
const NETWORK_RULE: &str = "type='signal',interface='org.freedesktop.NetworkManager',member='StateChanged'";
const NM_STATE_CONNECTED_GLOBAL: u32 = 70;

pub fn watch(manager: AccountManager) {
    let session = std::env::var("CELLS_SYNC_POWER_BUS").is_ok_and(|bus| bus == "session");
    let connection = if session { zbus::blocking::Connection::session() } else { zbus::blocking::Connection::system() };
    let connection = match connection {
        Ok(connection) => connection,
        // No bus (a container): the wall-clock checks of the refresh loop still catch up.
        Err(err) => {
            eprintln!("cells-sync: not watching for resume and network changes ({err})");
            return;
        }
    };
    listen(&connection, RESUME_RULE, manager.clone(), |message| {
        message.body().deserialize::<bool>().is_ok_and(|going_to_sleep| !going_to_sleep)
    });
    listen(&connection, NETWORK_RULE, manager, |message| {
        message.body().deserialize::<u32>().is_ok_and(|state| state == NM_STATE_CONNECTED_GLOBAL)
    });
}

/// On a thread of its own: each signal matching `rule` for which `wakes`
/// holds tells the manager the machine is back.
fn listen(
    connection: &zbus::blocking::Connection,
    rule: &'static str,
    manager: AccountManager,
    wakes: impl Fn(&zbus::Message) -> bool + Send + 'static,
) {
    let signals = match zbus::blocking::MessageIterator::for_match_rule(rule, connection, Some(16)) {
        Ok(signals) => signals,
        Err(err) => {
            eprintln!("cells-sync: cannot listen for {rule}: {err}");
            return;
        }
    };
    let spawned = std::thread::Builder::new().name("power".into()).spawn(move || {
        for message in signals.flatten() {
            if wakes(&message) {
                super::resumed(&manager);
            }
        }
    });
    if let Err(err) = spawned {
        eprintln!("cells-sync: cannot watch for resume: {err}");
    }
}
