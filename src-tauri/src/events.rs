//! Events to the window, and what follows an account's change: the tray is
//! rebuilt and a notification says when an account needs a new sign-in. The
//! window never polls.

use std::collections::HashSet;

use cells_auth::manager::{AccountManager, AccountView};
use cells_auth::store::AccountState;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::broadcast::error::RecvError;

use crate::state::{AppState, PendingView, SignInOutcome};
use crate::tray;

pub const ACCOUNTS_CHANGED: &str = "accounts-changed";
pub const PENDING_CHANGED: &str = "pending-changed";
pub const SIGN_IN_FINISHED: &str = "sign-in-finished";
/// The tray's "Add account..." asks the window to focus its server field.
pub const ADD_ACCOUNT: &str = "add-account";

/// An account as the window shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AccountItem {
    #[serde(flatten)]
    pub view: AccountView,
    /// The server's label, else its host.
    pub server_name: String,
    pub insecure: bool,
}

pub fn account_items(manager: &AccountManager) -> Vec<AccountItem> {
    manager
        .accounts()
        .into_iter()
        .map(|view| AccountItem {
            server_name: view.account.server_name(),
            insecure: view.account.server.starts_with("http://"),
            view,
        })
        .collect()
}

pub fn pending_changed(app: &AppHandle, pending: Option<&PendingView>) {
    let _ = app.emit(PENDING_CHANGED, pending);
}

pub fn sign_in_finished(app: &AppHandle, outcome: &SignInOutcome) {
    let _ = app.emit(SIGN_IN_FINISHED, outcome);
}

/// Follows the account manager: each change goes to the window and the tray.
pub fn forward(app: AppHandle) {
    let Ok(manager) = app.state::<AppState>().manager().cloned() else { return };
    tauri::async_runtime::spawn(async move {
        let mut changes = manager.subscribe();
        let mut needing_sign_in: HashSet<String> = HashSet::new();
        announce(&app, &manager, &mut needing_sign_in);
        // A lagged receiver only missed intermediate states: announce the current one.
        while let Ok(_) | Err(RecvError::Lagged(_)) = changes.recv().await {
            announce(&app, &manager, &mut needing_sign_in);
        }
    });
}

fn announce(app: &AppHandle, manager: &AccountManager, needing_sign_in: &mut HashSet<String>) {
    let items = account_items(manager);
    let _ = app.emit(ACCOUNTS_CHANGED, &items);
    tray::refresh(app, &items);
    let now_needing: HashSet<String> =
        items.iter().filter(|i| i.view.state == AccountState::NeedsReauth).map(|i| i.view.account.id.clone()).collect();
    for item in items
        .iter()
        .filter(|i| now_needing.contains(&i.view.account.id) && !needing_sign_in.contains(&i.view.account.id))
    {
        notify(app, &format!("{} on {} needs to sign in again", item.view.account.user, item.server_name));
    }
    *needing_sign_in = now_needing;
}

fn notify(app: &AppHandle, body: &str) {
    use tauri_plugin_notification::NotificationExt;
    // No notification service (a bare session) is not worth failing for: the tray says it too.
    let _ = app.notification().builder().title("Cells Sync").body(body).show();
}
