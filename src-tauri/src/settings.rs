//! The app's own settings, in its configuration folder: the language chosen
//! in the window (none: the system's). Read once at start; written whole.

use std::path::PathBuf;

use cells_auth::i18n::{Language, Message};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};

use crate::error::{Error, Result};
use crate::files::write_atomically;

const FILE: &str = "settings.json";

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// The window's language; `None` follows the system.
    #[serde(default)]
    pub language: Option<Language>,
}

fn path(app: &AppHandle) -> Result<PathBuf> {
    let dir = app.path().app_config_dir();
    Ok(dir.map_err(|e| Error::new(Message::new("app-no-config-dir").with("reason", e)))?.join(FILE))
}

/// The saved settings; the defaults when there are none. A damaged file is
/// logged and read as the defaults: a language is not worth a refusal to start.
pub fn load(app: &AppHandle) -> Settings {
    let Ok(path) = path(app) else { return Settings::default() };
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|err| {
            tracing::warn!(path = %path.display(), error = %err, "the settings are damaged; the defaults are used");
            Settings::default()
        }),
        Err(_) => Settings::default(),
    }
}

pub fn save(app: &AppHandle, settings: &Settings) -> Result<()> {
    let path = path(app)?;
    let json = serde_json::to_string_pretty(settings).map_err(|e| Error::new(Message::verbatim(e)))?;
    write_atomically(&path, &json)
}
