//! A bare Tauri 2 window with an empty page: what the desktop app is
//! measured against in `make bench`. Nothing else.

fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("the bare window runs");
}
