//! The window's commands: each one line over the core or the app state.

use cells_auth::certificates::{Fingerprint, ServerTrust};
use cells_auth::discovery::ServerUrl;
use cells_auth::i18n::{text, Arg, Language, Message};
use cells_auth::manager::Revocation;
use cells_auth::view::AccountView;
use tauri::{AppHandle, State};

use crate::error::{Error, Result};
use crate::model::{AppInfo, LanguageOption, PendingView, ServerCheck, TrayModel};
use crate::settings::{self, Settings};
use crate::state::AppState;

/// What the page reads when it loads, with the tray's "Add account..." if it
/// was asked before the page could hear it (answered once).
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    info(&state, state.take_account_asked())
}

fn info(state: &AppState, add_account: bool) -> AppInfo {
    let language = cells_auth::i18n::current();
    AppInfo {
        options: state.options.clone(),
        startup_error: state.startup_error(),
        pending: state.pending(),
        language: language.tag(),
        texts: cells_auth::i18n::window_texts(language),
        language_choice: *state.language_choice.borrow(),
        languages: LanguageOption::all(),
        outcome: state.last_outcome(),
        add_account,
    }
}

/// The last outcome was answered (the certificate question) or seen.
#[tauri::command]
pub fn dismiss_outcome(state: State<'_, AppState>) {
    state.dismiss_outcome();
}

/// The window's language choice (`None`: the system's): remembered, and
/// spoken at once by the window (from the info returned), the tray and
/// the notifications.
#[tauri::command]
pub fn set_language(app: AppHandle, state: State<'_, AppState>, language: Option<String>) -> Result<AppInfo> {
    let choice = match language.as_deref() {
        None => None,
        Some(tag) => Some(
            Language::from_tag(tag).ok_or_else(|| Error::new(Message::new("app-unknown-language").with("tag", tag)))?,
        ),
    };
    settings::save(&app, &Settings { language: choice })?;
    state.choose_language(choice);
    // The tray's "Add account..." waits for a page that is loading, not for this answer.
    Ok(info(&state, false))
}

#[tauri::command]
pub fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountView>> {
    Ok(state.manager()?.accounts())
}

/// The normalised server address, or what is wrong with it.
#[tauri::command]
pub fn validate_server(input: String) -> Result<ServerCheck> {
    let server = ServerUrl::parse(&input)?;
    Ok(ServerCheck { address: server.to_string(), insecure: server.is_insecure() })
}

#[tauri::command]
pub async fn start_sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    server: String,
    custom_scheme: bool,
    trust_certificate: Option<String>,
) -> Result<PendingView> {
    // Pinned when the user pressed "Trust this certificate" in the dialog.
    let trust = trust_certificate.map(|fp| Fingerprint::parse(&fp).map(|sha256| ServerTrust::Pinned { sha256 }));
    let started = state.start_sign_in(&app, &server, custom_scheme, trust.transpose()?).await;
    started.inspect_err(|err| state.certificate_refused(err, custom_scheme))
}

#[tauri::command]
pub async fn cancel_sign_in(state: State<'_, AppState>) -> Result<()> {
    state.cancel_sign_in().await;
    Ok(())
}

#[tauri::command]
pub fn open_browser_again(state: State<'_, AppState>) -> Result<()> {
    state.reopen_browser()
}

/// The address the browser ended on, pasted when it could not reach this machine.
#[tauri::command]
pub fn paste_answer(state: State<'_, AppState>, address: String) -> Result<()> {
    state.deliver_address(&address)
}

#[tauri::command]
pub async fn reauthenticate(app: AppHandle, state: State<'_, AppState>, account_id: String) -> Result<PendingView> {
    state.reauthenticate(&app, &account_id).await.inspect_err(|err| state.certificate_refused(err, false))
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
        Revocation::Revoked => text("app-signed-out-revoked", &[("user", Arg::Text(&account.user))]),
        Revocation::NotOffered | Revocation::NothingToRevoke => {
            text("app-signed-out", &[("user", Arg::Text(&account.user))])
        }
        Revocation::Failed(reason) => text(
            "app-signed-out-not-told",
            &[("user", Arg::Text(&account.user)), ("reason", Arg::Text(&reason.to_string()))],
        ),
    })
}

/// A report for a bug report; nothing in it is a secret.
#[tauri::command]
pub async fn diagnostics(state: State<'_, AppState>) -> Result<String> {
    state.diagnostics().await
}

/// Opens the folder the log is written to.
#[tauri::command]
pub fn open_log_folder(app: AppHandle, state: State<'_, AppState>) -> Result<()> {
    use tauri_plugin_opener::OpenerExt;
    match state.log_dir.get() {
        Some(Ok(dir)) => app
            .opener()
            .open_path(dir.to_string_lossy(), None::<&str>)
            .map_err(|e| Error::new(Message::new("app-log-folder-not-opened").with("reason", e))),
        Some(Err(why)) => Err(Error::new(why.clone())),
        None => Err(Error::new(Message::new("app-log-not-started"))),
    }
}

#[tauri::command]
pub fn tray_model(state: State<'_, AppState>) -> Result<TrayModel> {
    Ok(TrayModel::of(&state.manager()?.accounts()))
}

/// Whether the app starts at login (the window's switch).
#[tauri::command]
pub fn start_at_login(app: AppHandle) -> bool {
    crate::autostart::is_on(&app)
}

/// Turns starting at login on or off; answers whether it is now on.
#[tauri::command]
pub fn set_start_at_login(app: AppHandle, on: bool) -> Result<bool> {
    crate::autostart::set(&app, on)
}
