//! Linux: the Secret Service (gnome-keyring, KeePassXC, KWallet), through
//! the libdbus linked into this program.

use crate::store::error::StoreError;

/// A Secret Service entry has no practical limit.
pub(super) const ENTRY_LIMIT: Option<usize> = None;

/// The libdbus linked in (`vendored`) falls back to autolaunching a new bus
/// when `DBUS_SESSION_BUS_ADDRESS` is unset, where the system's goes to the
/// user's bus in `$XDG_RUNTIME_DIR/bus` (systemd's), which is where the
/// keyring is: name that one, as the system's library would. Called when the
/// store is opened, at the start of a process.
pub(super) fn prepare() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return;
    }
    let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR") else { return };
    let bus = std::path::Path::new(&runtime).join("bus");
    if std::fs::symlink_metadata(&bus).is_ok_and(|meta| std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type())) {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", bus.display()));
    }
}

/// How to unlock the keyring, for a locked or refused one.
pub(super) const UNLOCK: &str = "keyring-unlock-linux";

/// The keyring failed: locked, missing, or something else.
pub(super) fn failed(detail: &str) -> StoreError {
    let lowered = detail.to_ascii_lowercase();
    if lowered.contains("locked") {
        StoreError::KeyringLocked(UNLOCK)
    } else if lowered.contains("dbus")
        || lowered.contains("d-bus")
        || lowered.contains("secrets")
        || lowered.contains("service")
    {
        StoreError::NoSecretService(detail.to_string())
    } else {
        StoreError::Keyring(detail.to_string())
    }
}
