//! The app's own settings, in its configuration folder: the language chosen
//! in the window (none: the system's). Read once at start; written whole,
//! through a temporary file, so that a crash leaves the old or the new one.

use std::path::PathBuf;

use cells_auth::i18n::Language;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};

use crate::error::{Error, Result};

const FILE: &str = "settings.json";

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// The window's language; `None` follows the system.
    #[serde(default)]
    pub language: Option<Language>,
}

fn path(app: &AppHandle) -> Option<PathBuf> {
    app.path().app_config_dir().ok().map(|dir| dir.join(FILE))
}

/// The saved settings; the defaults when there are none. A damaged file is
/// logged and read as the defaults: a language is not worth a refusal to start.
pub fn load(app: &AppHandle) -> Settings {
    let Some(path) = path(app) else { return Settings::default() };
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|err| {
            tracing::warn!(path = %path.display(), error = %err, "the settings are damaged; the defaults are used");
            Settings::default()
        }),
        Err(_) => Settings::default(),
    }
}

pub fn save(app: &AppHandle, settings: &Settings) -> Result<()> {
    let path = path(app).ok_or_else(|| Error::new("no configuration folder on this system"))?;
    let cannot = |err: std::io::Error| Error::new(format!("cannot save the settings in {} ({err})", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(cannot)?;
    }
    let json = serde_json::to_vec_pretty(settings).map_err(|err| Error::new(err.to_string()))?;
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, json).map_err(cannot)?;
    std::fs::rename(&partial, &path).map_err(cannot)
}
