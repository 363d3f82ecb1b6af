//! Linux: an XDG autostart entry, `$XDG_CONFIG_HOME/autostart/com.pydio.CellsSync.desktop`,
//! named like the installed desktop file so that desktops show the two as one app.

use std::path::{Path, PathBuf};

use cells_auth::i18n::Message;
use tauri::{AppHandle, Manager};

use super::HIDDEN;
use crate::error::{Error, Result};
use crate::files::{remove, write_atomically};

const ENTRY: &str = "com.pydio.CellsSync.desktop";

/// `$XDG_CONFIG_HOME/autostart/com.pydio.CellsSync.desktop`.
fn entry_path(app: &AppHandle) -> Result<PathBuf> {
    let config =
        app.path().config_dir().map_err(|e| Error::new(Message::new("app-no-config-dir").with("reason", e)))?;
    Ok(config.join("autostart").join(ENTRY))
}

/// Whether the app starts at login: the entry is there and not switched off
/// (`Hidden=true`, which desktops' own startup settings write).
pub fn is_on(app: &AppHandle) -> bool {
    let Ok(path) = entry_path(app) else { return false };
    std::fs::read_to_string(path).is_ok_and(|text| !text.lines().any(|line| line.trim() == "Hidden=true"))
}

/// Writes or removes the entry; returns whether the app now starts at login.
pub fn set(app: &AppHandle, on: bool) -> Result<bool> {
    let path = entry_path(app)?;
    if on {
        // An AppImage runs from a temporary mount: the entry names the image.
        let program = match app.env().appimage {
            Some(image) => PathBuf::from(image),
            None => super::this_program()?,
        };
        write_atomically(&path, &entry(&program))?;
    } else {
        remove(&path)?;
    }
    Ok(is_on(app))
}

fn entry(program: &Path) -> String {
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Cells Sync\n\
         Comment=Keeps the Cells sync client's tokens fresh, from the tray\n\
         Exec={} {HIDDEN}\n\
         Icon=cells-sync\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n",
        exec_argument(&program.to_string_lossy())
    )
}

/// One argument of an `Exec` line (Desktop Entry Specification, "The Exec
/// key"): quoted when it holds a reserved character, with `"`, `` ` ``, `$`
/// and `\` escaped inside the quotes, and every `\` doubled again by the
/// string escaping that applies before the quoting.
fn exec_argument(argument: &str) -> String {
    const RESERVED: &[char] =
        &[' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(', ')', '`', '%'];
    if !argument.contains(RESERVED) {
        return argument.to_string();
    }
    let mut quoted = String::from("\"");
    for c in argument.chars() {
        match c {
            '"' | '`' | '$' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '\\' => quoted.push_str("\\\\\\\\"),
            '%' => quoted.push_str("%%"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_path_is_left_as_it_is() {
        assert_eq!(exec_argument("/usr/bin/cells-sync"), "/usr/bin/cells-sync");
    }

    #[test]
    fn a_path_with_spaces_quotes_and_backslashes_is_quoted_as_the_specification_says() {
        assert_eq!(exec_argument("/opt/Cells Sync/cells-sync"), "\"/opt/Cells Sync/cells-sync\"");
        assert_eq!(exec_argument("/home/a$b/\"x\"\\y"), "\"/home/a\\$b/\\\"x\\\"\\\\\\\\y\"");
        assert_eq!(exec_argument("/tmp/100%/app"), "\"/tmp/100%%/app\"");
    }

    #[test]
    fn the_entry_starts_the_program_hidden() {
        let text = entry(Path::new("/usr/bin/cells-sync"));
        assert!(text.lines().any(|line| line == "Exec=/usr/bin/cells-sync --hidden"), "{text}");
        assert!(text.starts_with("[Desktop Entry]\n"));
    }
}
