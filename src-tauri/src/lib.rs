//! Cells Sync, the desktop shell over `cells-auth`: the accounts window, the
//! tray, and `cellsauth://` links. It holds no token logic of its own.
//!
//! This file wires the parts: the plugins, the commands, and the loop that
//! follows the account manager and hands each change to the window, the
//! tray and the desktop's notifications.

mod autostart;
mod commands;
mod deeplink;
mod error;
mod events;
mod files;
mod log;
mod model;
mod power;
mod settings;
mod state;
mod tray;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod webkit_on_demand;
mod window;

use std::collections::HashSet;
use std::process::ExitCode;

use cells_auth::manager::AccountManager;
use cells_auth::view::{self, AccountView, Status};
use tauri::{AppHandle, Manager, RunEvent, WindowEvent};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use crate::model::{LaunchOptions, TrayModel};
use crate::state::AppState;

pub fn run() -> ExitCode {
    // Answered before anything starts: no window, no second-instance hand-over.
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    if arguments.iter().any(|a| a == "--version" || a == "-V") {
        println!("cells-sync {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if arguments.iter().any(|a| a == "--help" || a == "-h") {
        println!("{}", cells_auth::i18n::text("app-usage", &[]));
        return ExitCode::SUCCESS;
    }
    let options = LaunchOptions::from_env();
    // A start that shows the window opens WebKitGTK now, before GTK starts,
    // as the loader did when it was linked. Not on another thread: its
    // libraries' constructors open modules through GLib, whose lock GTK's
    // start holds while it waits for the loader's.
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    if !options.hidden {
        // A library that cannot be opened is said when the window is made.
        let _ = webkit_on_demand::load();
    }
    let gl_disabled_here = without_opengl();
    let app = tauri::Builder::default()
        // First, so that a second start hands its arguments (a link) to this one and exits.
        // A second start at login (`--hidden`) leaves the running app as it is.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            if !autostart::asks_hidden(&argv) {
                window::show(app);
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .manage(AppState::new(options))
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::set_language,
            commands::dismiss_outcome,
            commands::list_accounts,
            commands::validate_server,
            commands::start_sign_in,
            commands::cancel_sign_in,
            commands::open_browser_again,
            commands::paste_answer,
            commands::reauthenticate,
            commands::refresh_account,
            commands::sign_out,
            commands::tray_model,
            commands::diagnostics,
            commands::open_log_folder,
            commands::start_at_login,
            commands::set_start_at_login,
        ])
        .setup(move |app| {
            // GTK has opened the display: the browser we open must not inherit the setting.
            if gl_disabled_here {
                std::env::remove_var(GDK_GL);
            }
            let handle = app.handle().clone();
            let log_dir = log::start(&handle);
            if let Err(why) = &log_dir {
                eprintln!("cells-sync: {why}");
            }
            let _ = handle.state::<AppState>().log_dir.set(log_dir);
            // Before the first text: the tray's and the window's.
            handle.state::<AppState>().choose_language(settings::load(&handle).language);
            tray::create(&handle)?;
            // Started at login (hidden): no window, and no WebKit, until it is shown.
            if !handle.state::<AppState>().options.hidden {
                window::make(&handle, true)?;
            }
            deeplink::listen(&handle);
            if let Ok(manager) = handle.state::<AppState>().manager() {
                let state = handle.state::<AppState>();
                let (shown, language) = (state.window_shown.subscribe(), state.language_choice.subscribe());
                tauri::async_runtime::spawn(follow_accounts(handle.clone(), manager.clone(), shown, language));
                tauri::async_runtime::spawn(manager.clone().keep_fresh());
                // Connecting to the system bus waits on it: not on the way to the window.
                let watched = manager.clone();
                std::thread::spawn(move || power::watch(watched));
                serve_tokens(manager);
            }
            Ok(())
        })
        // Closing the window hides it: the tray keeps the tokens fresh. Quit is in the tray.
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                api.prevent_close();
                window::hide(window);
            }
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            app.run(|_, event| {
                // The window dropped while hidden is not the app ending: only Quit is.
                if let RunEvent::ExitRequested { code: None, api, .. } = event {
                    api.prevent_exit();
                }
            });
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("cells-sync: cannot start: {err}");
            ExitCode::FAILURE
        }
    }
}

const GDK_GL: &str = "GDK_GL";

/// GDK opens the OpenGL driver when it opens the display, to choose its GL
/// visuals: 30 MiB and more for the tray (Mesa's software driver loads
/// LLVM), where the window draws with cairo anyway (`window.rs`, software
/// rendering). True when this set it; a user's own `GDK_GL` is kept.
fn without_opengl() -> bool {
    if !cfg!(target_os = "linux") || std::env::var_os(GDK_GL).is_some() {
        return false;
    }
    // Before any thread is started.
    std::env::set_var(GDK_GL, "disable");
    true
}

/// Follows the account manager: each change, and each moment a text of the
/// views reads differently, goes to the window and the tray; an account
/// newly needing a sign-in is announced once. The window never polls.
async fn follow_accounts(
    app: AppHandle,
    manager: AccountManager,
    mut window_shown: watch::Receiver<bool>,
    mut language: watch::Receiver<Option<cells_auth::i18n::Language>>,
) {
    let mut changes = manager.subscribe();
    let mut shown = Shown::default();
    loop {
        let views = manager.accounts();
        shown.show(&app, &views);
        // The window's texts count minutes; hidden, nothing needs redrawing
        // until something changes (the refresh deadlines are the manager's).
        let now = chrono::Utc::now();
        let redraw = if *window_shown.borrow_and_update() {
            view::next_change(&views, now).and_then(|at| (at - now).to_std().ok())
        } else {
            None
        };
        tokio::select! {
            change = changes.recv() => {
                // A lagged receiver only missed intermediate states: the next round shows the current one.
                if let Err(RecvError::Closed) = change {
                    return;
                }
            }
            _ = window_shown.changed() => {}
            _ = language.changed() => {}
            _ = sleep_or_forever(redraw) => {}
        }
    }
}

async fn sleep_or_forever(duration: Option<std::time::Duration>) {
    match duration {
        Some(duration) => tokio::time::sleep(duration).await,
        None => std::future::pending().await,
    }
}

/// What the tray and the notifications showed last.
#[derive(Default)]
struct Shown {
    tray: Option<TrayModel>,
    needing_sign_in: HashSet<String>,
}

impl Shown {
    fn show(&mut self, app: &AppHandle, views: &[AccountView]) {
        events::accounts_changed(app, views);
        let tray = TrayModel::of(views);
        if self.tray.as_ref() != Some(&tray) {
            tray::render(app, &tray);
            self.tray = Some(tray);
        }
        let needing: HashSet<String> =
            views.iter().filter(|v| v.status == Status::NeedsReauth).map(|v| v.account.id.clone()).collect();
        for view in
            views.iter().filter(|v| needing.contains(&v.account.id) && !self.needing_sign_in.contains(&v.account.id))
        {
            notify(app, &view.sign_in_notice());
        }
        self.needing_sign_in = needing;
    }
}

fn notify(app: &AppHandle, body: &str) {
    use tauri_plugin_notification::NotificationExt;
    // No notification service (a bare session) is not worth failing for: the tray says it too.
    let _ = app.notification().builder().title("Cells Sync").body(body).show();
}

/// The token agent, inside the app: scripts' `cells-auth token` is answered
/// from the tokens the app keeps fresh. Another agent already running (a
/// `cells-auth agent`) answers instead.
fn serve_tokens(manager: &cells_auth::manager::AccountManager) {
    match cells_auth::agent::Agent::bind() {
        Ok(agent) => {
            tauri::async_runtime::spawn(agent.serve(manager.clone()));
        }
        Err(err) => tracing::info!(error = %err, "the app runs no token agent"),
    }
}
