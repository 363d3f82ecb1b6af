//! Windows: Credential Manager (generic credentials of this user).

use crate::store::error::StoreError;

pub(super) use super::native::Keyring;

/// `CRED_MAX_CREDENTIAL_BLOB_SIZE` is 2,560 bytes, and a password is kept
/// as UTF-16: 1,280 characters. An ID token can be longer; it is stored in
/// parts (`parts.rs`).
pub(super) const ENTRY_LIMIT: Option<usize> = Some(1280);

pub(super) fn prepare() {}

/// How to unlock the keyring, for a locked or refused one.
pub(super) const UNLOCK: &str = "keyring-unlock-windows";

/// `ERROR_NO_SUCH_LOGON_SESSION` (1312): no credentials in this logon session.
pub(super) fn failed(detail: &str) -> StoreError {
    let lowered = detail.to_ascii_lowercase();
    if lowered.contains("1312") || lowered.contains("logon session") {
        StoreError::KeyringLocked(UNLOCK)
    } else {
        StoreError::Keyring(format!("Credential Manager: {detail}"))
    }
}
