//! macOS: the user's login Keychain (Security framework generic passwords).

use crate::store::error::StoreError;

pub(super) use super::native::Keyring;

/// A Keychain item has no practical limit.
pub(super) const ENTRY_LIMIT: Option<usize> = None;

pub(super) fn prepare() {}

/// How to unlock the keyring, for a locked or refused one.
pub(super) const UNLOCK: &str = "keyring-unlock-macos";

/// Security framework errors: `errSecInteractionNotAllowed` (-25308) is a
/// locked Keychain that may not prompt; `errSecAuthFailed` (-25293) a
/// refused prompt.
pub(super) fn failed(detail: &str) -> StoreError {
    let lowered = detail.to_ascii_lowercase();
    if lowered.contains("-25308")
        || lowered.contains("-25293")
        || lowered.contains("interaction")
        || lowered.contains("locked")
    {
        StoreError::KeyringLocked(UNLOCK)
    } else {
        StoreError::Keyring(format!("the Keychain: {detail}"))
    }
}
