//! The app's log: nobody sees a tray app's stderr, so the core's spans
//! (sign-in, refresh, sign-out) go to a daily file in the platform's log
//! directory, seven days kept. `CELLS_AUTH_LOG` sets the level (`RUST_LOG`
//! syntax, `info` by default); `CELLS_SYNC_LOG_DIR` moves the folder.

use std::path::PathBuf;

use cells_auth::i18n::Message;
use cells_auth::LOG_ENV;
use tauri::{AppHandle, Manager};

const DIR_ENV: &str = "CELLS_SYNC_LOG_DIR";

/// Starts writing the log; returns its folder, or why there is none.
pub fn start(app: &AppHandle) -> Result<PathBuf, Message> {
    let dir = match std::env::var_os(DIR_ENV).filter(|dir| !dir.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => app.path().app_log_dir().map_err(|e| Message::new("app-no-log-folder").with("reason", e))?,
    };
    let cannot = |e: std::io::Error| Message::new("app-log-not-opened").with("path", dir.display()).with("reason", e);
    std::fs::create_dir_all(&dir).map_err(cannot)?;
    let file = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("cells-sync")
        .filename_suffix("log")
        .max_log_files(7)
        .build(&dir)
        .map_err(|e| Message::new("app-log-not-opened").with("path", dir.display()).with("reason", e))?;
    let filter = std::env::var(LOG_ENV).unwrap_or_else(|_| "info".to_string());
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .map_err(|e| Message::new("app-log-filter").with("variable", LOG_ENV).with("reason", e))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(file)
        .with_ansi(false)
        .try_init()
        .map_err(Message::verbatim)?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "cells-sync started");
    Ok(dir)
}
