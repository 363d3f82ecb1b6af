//! The app's own files (its settings, a start-at-login entry): written
//! whole through a temporary twin, so that a crash never leaves half of one.

use std::path::Path;

use cells_auth::i18n::Message;

use crate::error::{Error, Result};

pub fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let fail =
        |e: std::io::Error| Error::new(Message::new("app-cannot-write").with("path", path.display()).with("reason", e));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".part");
    std::fs::write(&temporary, text).map_err(fail)?;
    std::fs::rename(&temporary, path).map_err(fail)
}

/// Removes a file; one already gone is not an error.
pub fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(Error::new(Message::new("app-cannot-remove").with("path", path.display()).with("reason", err))),
    }
}
