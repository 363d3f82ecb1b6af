//! The tray: one line per account, a Re-authenticate item each, Add
//! account..., Show window, Quit; the attention icon while any account
//! needs a new sign-in. Rebuilt on every state change.

use cells_auth::store::AccountState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager};

use crate::events::{account_items, AccountItem, ADD_ACCOUNT};
use crate::state::AppState;

const TRAY_ID: &str = "main";
const ICON: &[u8] = include_bytes!("../../icons/tray.png");
const ICON_ATTENTION: &[u8] = include_bytes!("../../icons/tray-attention.png");

/// What the tray shows; the window tests read it through `tray_model`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrayModel {
    pub attention: bool,
    pub lines: Vec<TrayLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrayLine {
    pub account_id: String,
    pub user: String,
    pub text: String,
}

pub fn model(items: &[AccountItem], now: DateTime<Utc>) -> TrayModel {
    let lines: Vec<TrayLine> = items
        .iter()
        .map(|item| {
            let account = &item.view.account;
            let state = match item.view.state {
                AccountState::NeedsReauth => "needs sign-in".to_string(),
                _ if item.view.refreshing => "refreshing".to_string(),
                _ if account.last_error.is_some() => "retrying".to_string(),
                AccountState::Expired => "signed in, token expired".to_string(),
                AccountState::SignedIn => {
                    let minutes = (account.access_token_expires_at - now).num_minutes().max(0);
                    format!("signed in, expires in {minutes} min")
                }
            };
            TrayLine {
                account_id: account.id.clone(),
                user: account.user.clone(),
                text: format!("{} @ {}: {state}", account.user, item.server_name),
            }
        })
        .collect();
    let attention = items.iter().any(|i| i.view.state == AccountState::NeedsReauth);
    TrayModel { attention, lines }
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let menu = build_menu(app, &TrayModel { attention: false, lines: vec![] })?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(ICON)?)
        .tooltip("Cells Sync")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .build(app)?;
    Ok(())
}

/// Rebuilds the menu and the icon from the accounts.
pub fn refresh(app: &AppHandle, items: &[AccountItem]) {
    let model = model(items, Utc::now());
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return };
    if let Ok(menu) = build_menu(app, &model) {
        let _ = tray.set_menu(Some(menu));
    }
    let icon = if model.attention { ICON_ATTENTION } else { ICON };
    if let Ok(image) = Image::from_bytes(icon) {
        let _ = tray.set_icon(Some(image));
    }
    let tooltip = if model.attention { "Cells Sync: an account needs sign-in" } else { "Cells Sync" };
    let _ = tray.set_tooltip(Some(tooltip));
}

fn build_menu(app: &AppHandle, model: &TrayModel) -> tauri::Result<Menu<tauri::Wry>> {
    let menu = Menu::new(app)?;
    for line in &model.lines {
        menu.append(&MenuItem::with_id(app, format!("line:{}", line.account_id), &line.text, false, None::<&str>)?)?;
        let label = format!("Re-authenticate {}", line.user);
        menu.append(&MenuItem::with_id(app, format!("reauth:{}", line.account_id), label, true, None::<&str>)?)?;
    }
    if !model.lines.is_empty() {
        menu.append(&PredefinedMenuItem::separator(app)?)?;
    }
    menu.append(&MenuItem::with_id(app, "add", "Add account...", true, None::<&str>)?)?;
    menu.append(&MenuItem::with_id(app, "show", "Show window", true, None::<&str>)?)?;
    menu.append(&MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?)?;
    Ok(menu)
}

pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

fn on_menu(app: &AppHandle, id: &str) {
    match id {
        "quit" => app.exit(0),
        "show" => show_window(app),
        "add" => {
            show_window(app);
            let _ = app.emit(ADD_ACCOUNT, ());
        }
        other => {
            if let Some(account_id) = other.strip_prefix("reauth:") {
                show_window(app);
                reauthenticate(app.clone(), account_id.to_string());
            }
        }
    }
}

/// Starts a new sign-in to the account's server; the window shows it pending.
pub fn reauthenticate(app: AppHandle, account_id: String) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let server = state.manager().and_then(|m| Ok(m.account(&account_id)?.account.server));
        let result = match server {
            Ok(server) => state.start_sign_in(&app, &server, false).await.map(|_| ()),
            Err(err) => Err(err),
        };
        if let Err(err) = result {
            let outcome = crate::state::SignInOutcome {
                id: 0,
                ok: false,
                cancelled: false,
                message: err.to_string(),
                account_id: None,
            };
            crate::events::sign_in_finished(&app, &outcome);
        }
    });
}

/// The model for the current accounts (for the `tray_model` command).
pub fn current_model(app: &AppHandle) -> TrayModel {
    let items = app.state::<AppState>().manager().map(account_items).unwrap_or_default();
    model(&items, Utc::now())
}
