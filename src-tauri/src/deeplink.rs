//! `cellsauth://` links: registered at start, received from a second
//! instance (single-instance forwards them) or from the command line of a
//! cold start, and handed to the pending custom-scheme sign-in. A link that
//! no sign-in is waiting for is dropped; what is logged never holds its code.

use tauri::{AppHandle, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::state::AppState;

/// Run from `/usr` (a .deb or .rpm): the package's desktop file names the scheme.
#[cfg(any(target_os = "linux", windows))]
fn installed_by_a_package() -> bool {
    cfg!(target_os = "linux") && std::env::current_exe().is_ok_and(|exe| exe.starts_with("/usr/"))
}

pub fn listen(app: &AppHandle) {
    // Development runs and AppImages register the scheme with the desktop;
    // an installed package does it in its .desktop file, which a user-level
    // registration would shadow. On Linux that runs two helper programs: off
    // the start, since the window shows only once the set-up has returned.
    #[cfg(any(target_os = "linux", windows))]
    if !installed_by_a_package() {
        let app = app.clone();
        std::thread::spawn(move || {
            if let Err(err) = app.deep_link().register_all() {
                eprintln!("cells-sync: could not register the cellsauth scheme: {err}");
            }
        });
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            deliver(&handle, url.as_str());
        }
    });
    if let Ok(Some(urls)) = app.deep_link().get_current() {
        for url in urls {
            deliver(app, url.as_str());
        }
    }
}

fn deliver(app: &AppHandle, link: &str) {
    match app.state::<AppState>().deliver_link(link) {
        Ok(()) => eprintln!("cells-sync: a cellsauth link completed the pending sign-in"),
        // The error names the reason, never the link or its code.
        Err(err) => eprintln!("cells-sync: dropped a cellsauth link: {err}"),
    }
}
