//! The window's commands: each one line over the core or the app state.

use serde::Serialize;
use tauri::{AppHandle, State};

use cells_auth::discovery::ServerUrl;
use cells_auth::manager::Revocation;

use crate::error::Result;
use crate::events::{account_items, AccountItem};
use crate::state::{AppState, LaunchOptions, PendingView};
use crate::tray::{self, TrayModel};

#[derive(Serialize)]
pub struct AppInfo {
    options: LaunchOptions,
    startup_error: Option<String>,
    pending: Option<PendingView>,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo { options: state.options.clone(), startup_error: state.startup_error(), pending: state.pending() }
}

#[tauri::command]
pub fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountItem>> {
    Ok(account_items(state.manager()?))
}

/// The normalised server address, or what is wrong with it.
#[tauri::command]
pub fn validate_server(input: String) -> Result<String> {
    Ok(ServerUrl::parse(&input)?.to_string())
}

#[tauri::command]
pub async fn start_sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    server: String,
    custom_scheme: bool,
) -> Result<PendingView> {
    state.start_sign_in(&app, &server, custom_scheme).await
}

#[tauri::command]
pub async fn cancel_sign_in(state: State<'_, AppState>) -> Result<()> {
    state.cancel_sign_in().await;
    Ok(())
}

#[tauri::command]
pub fn open_browser_again(app: AppHandle, state: State<'_, AppState>) -> Result<()> {
    state.reopen_browser(&app)
}

#[tauri::command]
pub async fn reauthenticate(app: AppHandle, state: State<'_, AppState>, account_id: String) -> Result<PendingView> {
    let server = state.manager()?.account(&account_id)?.account.server;
    state.start_sign_in(&app, &server, false).await
}

#[tauri::command]
pub async fn refresh_account(state: State<'_, AppState>, account_id: String) -> Result<()> {
    state.manager()?.refresh(&account_id).await?;
    Ok(())
}

/// Signs out; says what the server did, local secrets are gone in every case.
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>, account_id: String) -> Result<String> {
    let (account, revocation) = state.manager()?.logout(&account_id).await?;
    Ok(match revocation {
        Revocation::Revoked => format!("Signed out {}; the server revoked its session.", account.user),
        Revocation::NotOffered | Revocation::NothingToRevoke => format!("Signed out {}.", account.user),
        Revocation::Failed(reason) => {
            format!("Signed out {} on this computer, but the server could not be told: {reason}", account.user)
        }
    })
}

#[tauri::command]
pub fn tray_model(app: AppHandle) -> TrayModel {
    tray::current_model(&app)
}
