fn main() {
    // Only the commands named here can be granted to the window; each gets
    // an allow-/deny- permission, and capabilities/ grants them.
    let commands = &[
        "app_info",
        "set_language",
        "dismiss_outcome",
        "list_accounts",
        "validate_server",
        "start_sign_in",
        "cancel_sign_in",
        "open_browser_again",
        "paste_answer",
        "reauthenticate",
        "refresh_account",
        "sign_out",
        "tray_model",
        "diagnostics",
        "open_log_folder",
        "start_at_login",
        "set_start_at_login",
    ];
    let attributes = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(err) = tauri_build::try_build(attributes) {
        panic!("tauri build script: {err:#}");
    }
}
