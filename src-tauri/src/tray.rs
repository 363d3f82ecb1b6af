//! The tray: one line per account, a Re-authenticate item each, Add
//! account..., Show window, Quit; the attention icon while any account
//! needs a new sign-in. It renders a [`TrayModel`]; lib.rs decides when.

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

use crate::events;
use crate::model::{SignInOutcome, TrayModel};
use crate::state::AppState;
use crate::window;

const TRAY_ID: &str = "main";
const ICON: &[u8] = include_bytes!("../../icons/tray.png");
const ICON_ATTENTION: &[u8] = include_bytes!("../../icons/tray-attention.png");

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let model = TrayModel::of(&[]);
    let menu = build_menu(app, &model)?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(ICON)?)
        .tooltip(&model.tooltip)
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .build(app)?;
    Ok(())
}

/// Shows `model`: the menu, the icon and the tooltip.
pub fn render(app: &AppHandle, model: &TrayModel) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return };
    if let Ok(menu) = build_menu(app, model) {
        let _ = tray.set_menu(Some(menu));
    }
    let icon = if model.attention { ICON_ATTENTION } else { ICON };
    if let Ok(image) = Image::from_bytes(icon) {
        let _ = tray.set_icon(Some(image));
    }
    let _ = tray.set_tooltip(Some(&model.tooltip));
}

fn build_menu(app: &AppHandle, model: &TrayModel) -> tauri::Result<Menu<tauri::Wry>> {
    let menu = Menu::new(app)?;
    for line in &model.lines {
        menu.append(&MenuItem::with_id(app, format!("line:{}", line.account_id), &line.text, false, None::<&str>)?)?;
        let reauth = format!("reauth:{}", line.account_id);
        menu.append(&MenuItem::with_id(app, reauth, &line.reauthenticate, true, None::<&str>)?)?;
    }
    if !model.lines.is_empty() {
        menu.append(&PredefinedMenuItem::separator(app)?)?;
    }
    menu.append(&MenuItem::with_id(app, "add", &model.add_account, true, None::<&str>)?)?;
    menu.append(&MenuItem::with_id(app, "show", &model.show_window, true, None::<&str>)?)?;
    menu.append(&MenuItem::with_id(app, "quit", &model.quit, true, None::<&str>)?)?;
    Ok(menu)
}

fn on_menu(app: &AppHandle, id: &str) {
    match id {
        "quit" => app.exit(0),
        "show" => {
            window::show(app);
        }
        "add" => {
            // A window made now reads the request when its page loads.
            if window::show(app) {
                app.state::<AppState>().ask_for_an_account();
            } else {
                events::add_account(app);
            }
        }
        other => {
            if let Some(account_id) = other.strip_prefix("reauth:") {
                window::show(app);
                reauthenticate(app.clone(), account_id.to_string());
            }
        }
    }
}

/// The window's Re-authenticate, from the menu: the window shows it pending,
/// or says why it could not start.
fn reauthenticate(app: AppHandle, account_id: String) {
    tauri::async_runtime::spawn(async move {
        if let Err(err) = app.state::<AppState>().reauthenticate(&app, &account_id).await {
            let outcome = SignInOutcome::not_started(err.to_string(), err.certificate().cloned(), false);
            app.state::<AppState>().finished(&app, outcome);
        }
    });
}
