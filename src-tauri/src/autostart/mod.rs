//! Start at login: the app starts with only its tray (`--hidden`), so that
//! the tokens stay fresh from the moment the user logs in. Off until the
//! user turns it on in the window; the same switch on every system, one
//! file each:
//!
//! | system | where |
//! |---|---|
//! | Linux (`linux.rs`) | an XDG autostart entry |
//! | Windows (`windows.rs`) | a value of the user's `Run` registry key |
//! | macOS (`macos.rs`) | a LaunchAgent in `~/Library/LaunchAgents` |

use std::path::PathBuf;

use cells_auth::i18n::Message;
use tauri::AppHandle;

use crate::error::{Error, Result};

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as system;

// Plain files and text: built everywhere, so that its tests run here too.
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
mod macos;
#[cfg(target_os = "macos")]
use macos as system;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as system;

/// Started with this, the app shows only its tray; the window opens from it.
const HIDDEN: &str = "--hidden";
/// The name the entry goes by on every system: the application's ID.
#[cfg_attr(target_os = "linux", allow(dead_code))]
const NAME: &str = "com.pydio.CellsSync";

/// Whether a command line (this start's, or a second start's handed over) is a start at login.
pub fn asks_hidden<S: AsRef<str>>(arguments: impl IntoIterator<Item = S>) -> bool {
    arguments.into_iter().any(|argument| argument.as_ref() == HIDDEN)
}

/// Whether the app starts at login.
pub fn is_on(app: &AppHandle) -> bool {
    system::is_on(app)
}

/// Turns starting at login on or off; returns whether the app now starts at login.
pub fn set(app: &AppHandle, on: bool) -> Result<bool> {
    system::set(app, on)
}

fn this_program() -> Result<PathBuf> {
    std::env::current_exe().map_err(|e| Error::new(Message::new("app-no-program-path").with("reason", e)))
}
