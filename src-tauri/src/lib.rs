//! Cells Sync, the desktop shell over `cells-auth`: the accounts window, the
//! tray, and `cellsauth://` links. It holds no token logic of its own.

mod commands;
mod deeplink;
mod error;
mod events;
mod state;
mod tray;

use std::process::ExitCode;

use tauri::{Manager, WindowEvent};

use crate::state::{AppState, LaunchOptions};

pub fn run() -> ExitCode {
    let options = LaunchOptions::from_env();
    let app = tauri::Builder::default()
        // First, so that a second start hands its arguments (a link) to this one and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| tray::show_window(app)))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .manage(AppState::new(options))
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_accounts,
            commands::validate_server,
            commands::start_sign_in,
            commands::cancel_sign_in,
            commands::open_browser_again,
            commands::reauthenticate,
            commands::refresh_account,
            commands::sign_out,
            commands::tray_model,
        ])
        .setup(|app| {
            let handle = app.handle().clone();
            tray::create(&handle)?;
            deeplink::listen(&handle);
            events::forward(handle.clone());
            if let Ok(manager) = handle.state::<AppState>().manager() {
                tauri::async_runtime::spawn(manager.clone().keep_fresh());
            }
            Ok(())
        })
        // Closing the window hides it: the tray keeps the tokens fresh. Quit is in the tray.
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            app.run(|_, _| {});
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("cells-sync: cannot start: {err}");
            ExitCode::FAILURE
        }
    }
}
