//! The accounts window: made when it is shown, and dropped a while after it
//! is hidden, so that no WebKit process runs while the app sits in the tray.
//! What the window shows lives in the app state (the accounts, the pending
//! sign-in, the last outcome), and comes back with it.

use std::time::Duration;

use tauri::{AppHandle, Manager, WebviewWindow, Window};

use crate::state::AppState;

const MAIN: &str = "main";

/// How long a hidden window is kept before its webview is dropped: showing
/// it again soon after is instant. Tests and make bench shorten it.
fn kept_hidden_for() -> Duration {
    let seconds = std::env::var("CELLS_SYNC_KEEP_HIDDEN_WINDOW_SECS").ok().and_then(|s| s.parse().ok());
    Duration::from_secs(seconds.unwrap_or(30))
}

/// Shows the window, making it first if it was dropped. True when it was
/// made now: its page has not loaded yet, and reads the state when it does.
pub fn show(app: &AppHandle) -> bool {
    let (window, made) = match app.get_webview_window(MAIN) {
        Some(window) => (window, false),
        None => match make(app, true) {
            Ok(Some(window)) => (window, true),
            Ok(None) => return false,
            Err(err) => {
                eprintln!("cells-sync: cannot make the window: {err}");
                return false;
            }
        },
    };
    let _ = window.show();
    let _ = window.unminimize();
    let _ = window.set_focus();
    app.state::<AppState>().window_shown.send_replace(true);
    made
}

/// Makes the window from the configuration. Not by Tauri at start, so that
/// a start at login makes none at all, and loads no WebKit.
pub fn make(app: &AppHandle, visible: bool) -> Result<Option<WebviewWindow>, String> {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    crate::webkit_on_demand::load()?;
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == MAIN) else { return Ok(None) };
    let window = tauri::WebviewWindowBuilder::from_config(app, config)
        .and_then(|builder| builder.visible(visible).build())
        .map_err(|err| err.to_string())?;
    software_rendering(&window);
    Ok(Some(window))
}

/// Closing the window hides it (the tray keeps the tokens fresh), and its
/// webview is dropped if it is still hidden a while later.
pub fn hide(window: &Window) {
    let _ = window.hide();
    let app = window.app_handle().clone();
    let state = app.state::<AppState>();
    state.window_shown.send_replace(false);
    let mut shown = state.window_shown.subscribe();
    tauri::async_runtime::spawn(async move {
        let shown_again = tokio::select! {
            () = tokio::time::sleep(kept_hidden_for()) => false,
            _ = shown.wait_for(|shown| *shown) => true,
        };
        if !shown_again && !*shown.borrow() {
            if let Some(window) = app.get_webview_window(MAIN) {
                let _ = window.destroy();
                end_network_process();
            }
        }
    });
}

/// WebKitGTK keeps its network process once the last webview is gone, and
/// Tauri keeps its web context for the app's life so that a new one does
/// not start another: the one there is is ended, and WebKit starts it again
/// for the next window (it does so after a crash too).
#[cfg(target_os = "linux")]
fn end_network_process() {
    // A WebDriver session (tauri-driver) lives in that process.
    if std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some_and(|on| on == "true") {
        return;
    }
    let ours = std::process::id().to_string();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let dir = entry.path();
        let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else { continue };
        // `pid (comm) state ppid ...`: the name may hold spaces, the fields after it do not.
        let Some((name, rest)) = stat.rsplit_once(')') else { continue };
        let parent = rest.split_whitespace().nth(1);
        if parent == Some(ours.as_str()) && name.ends_with("(WebKitNetworkPr") {
            if let Some(pid) = entry.file_name().to_str().and_then(|p| p.parse::<i32>().ok()) {
                // SAFETY: a signal to our own child process.
                unsafe {
                    libc::kill(pid, libc::SIGTERM);
                }
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn end_network_process() {}

/// Draws the page without WebKit's accelerated compositing: a window of
/// text and buttons gains nothing from it, and it costs the web process
/// about 60 MiB and wakes it while idle. Set on the view, not through
/// `WEBKIT_DISABLE_COMPOSITING_MODE`, which the browser we open would inherit.
fn software_rendering(window: &WebviewWindow) {
    #[cfg(target_os = "linux")]
    let _ = window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt as _, WebViewExt as _};
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}
