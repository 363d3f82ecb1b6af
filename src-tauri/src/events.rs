//! The events the window listens to. This module only emits.

use cells_auth::view::AccountView;
use tauri::{AppHandle, Emitter};

use crate::model::{PendingView, SignInOutcome};

pub const ACCOUNTS_CHANGED: &str = "accounts-changed";
pub const PENDING_CHANGED: &str = "pending-changed";
pub const SIGN_IN_FINISHED: &str = "sign-in-finished";
/// The tray's "Add account..." asks the window to focus its server field.
pub const ADD_ACCOUNT: &str = "add-account";

// A window that is gone cannot be told; nothing else to do then.

pub fn accounts_changed(app: &AppHandle, views: &[AccountView]) {
    let _ = app.emit(ACCOUNTS_CHANGED, views);
}

pub fn pending_changed(app: &AppHandle, pending: Option<&PendingView>) {
    let _ = app.emit(PENDING_CHANGED, pending);
}

pub fn sign_in_finished(app: &AppHandle, outcome: &SignInOutcome) {
    let _ = app.emit(SIGN_IN_FINISHED, outcome);
}

pub fn add_account(app: &AppHandle) {
    let _ = app.emit(ADD_ACCOUNT, ());
}
