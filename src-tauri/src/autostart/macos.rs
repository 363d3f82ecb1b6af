//! macOS: a LaunchAgent, `~/Library/LaunchAgents/com.pydio.CellsSync.plist`,
//! which launchd runs at login (`RunAtLoad`).

use std::path::{Path, PathBuf};

use cells_auth::i18n::Message;
use tauri::{AppHandle, Manager};

use super::{HIDDEN, NAME};
use crate::error::{Error, Result};
use crate::files::{remove, write_atomically};

fn agent_path(app: &AppHandle) -> Result<PathBuf> {
    let home = app.path().home_dir().map_err(|e| Error::new(Message::new("app-no-home").with("reason", e)))?;
    Ok(home.join("Library/LaunchAgents").join(format!("{NAME}.plist")))
}

pub fn is_on(app: &AppHandle) -> bool {
    agent_path(app).is_ok_and(|path| path.exists())
}

pub fn set(app: &AppHandle, on: bool) -> Result<bool> {
    let path = agent_path(app)?;
    if on {
        write_atomically(&path, &launch_agent(&super::this_program()?))?;
    } else {
        remove(&path)?;
    }
    Ok(is_on(app))
}

fn launch_agent(program: &Path) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n\
         <dict>\n\
         \t<key>Label</key>\n\t<string>{NAME}</string>\n\
         \t<key>ProgramArguments</key>\n\t<array>\n\t\t<string>{}</string>\n\t\t<string>{HIDDEN}</string>\n\t</array>\n\
         \t<key>RunAtLoad</key>\n\t<true/>\n\
         \t<key>ProcessType</key>\n\t<string>Interactive</string>\n\
         </dict>\n\
         </plist>\n",
        xml_text(&program.to_string_lossy())
    )
}

fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launch_agent_starts_the_program_hidden_at_login() {
        let plist = launch_agent(Path::new("/Applications/Cells Sync & Co.app/Contents/MacOS/cells-sync"));
        assert!(plist.contains("<string>/Applications/Cells Sync &amp; Co.app/Contents/MacOS/cells-sync</string>\n\t\t<string>--hidden</string>"), "{plist}");
        assert!(plist.contains("<key>RunAtLoad</key>\n\t<true/>"), "{plist}");
        assert!(plist.contains("<string>com.pydio.CellsSync</string>"), "{plist}");
    }
}
