//! Sleep, wake and the network. Timers stand still while a laptop sleeps;
//! when it resumes, or the network comes back, the account manager retries
//! at once and refreshes what fell due meanwhile. One file per system:
//!
//! | system | resume | network back |
//! |---|---|---|
//! | Linux (`linux.rs`) | logind's `PrepareForSleep(false)` (D-Bus) | NetworkManager's `StateChanged(70)` |
//! | Windows (`windows.rs`) | `PBT_APMRESUMEAUTOMATIC` (the `WM_POWERBROADCAST` event, by callback) | `NotifyIpInterfaceChange` |
//! | macOS (`macos.rs`) | `NSWorkspaceDidWakeNotification` | (the wake covers it; failed refreshes back off and retry) |
//!
//! Each calls [`resumed`]; the wall-clock timers of the core catch up even
//! where no signal comes.

use cells_auth::manager::AccountManager;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as system;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as system;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as system;

/// Starts watching; returns at once (the watching is the system's or a thread's).
pub fn watch(manager: AccountManager) {
    system::watch(manager);
}

/// The machine is back: retry and refresh now.
fn resumed(manager: &AccountManager) {
    let manager = manager.clone();
    tauri::async_runtime::spawn(async move { manager.resumed().await });
}
