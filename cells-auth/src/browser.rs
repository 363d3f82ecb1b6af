//! Opening the authorization page in the user's browser.
//!
//! `BROWSER`, when set, is a command run with the URL as its last argument
//! (or in place of `%s`), the convention of gh, rclone and Python's
//! webbrowser. Otherwise the system opener is used.

use std::process::{Command, Stdio};
use std::sync::Arc;

pub const BROWSER_ENV: &str = "BROWSER";

/// Opens a URL in a browser; the error says what could not be started.
pub type Opener = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// Starts the browser on `url` without waiting for it to exit. An error says
/// what could not be started; the caller has printed the URL already.
pub fn open(url: &str) -> Result<(), String> {
    open_with(url, |url| {
        open::that_detached(url).map_err(|err| {
            crate::i18n::text("browser-not-started", &[("reason", crate::i18n::Arg::Text(&err.to_string()))])
        })
    })
}

/// `BROWSER` when set, else `system` (the desktop app's own opener).
pub fn open_with(url: &str, system: impl FnOnce(&str) -> Result<(), String>) -> Result<(), String> {
    match std::env::var(BROWSER_ENV) {
        Ok(command) if !command.trim().is_empty() => run_browser_command(&command, url),
        _ => system(url),
    }
}

/// [`open`] as an [`Opener`].
pub fn system_opener() -> Opener {
    Arc::new(open)
}

fn run_browser_command(command: &str, url: &str) -> Result<(), String> {
    let argv =
        browser_argv(command, url).map_err(|err| format!("{BROWSER_ENV} is not a valid command line ({err})"))?;
    let (program, args) = argv.split_first().ok_or_else(|| format!("{BROWSER_ENV} is empty"))?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        // Keep our stdout for our own result; a browser's chatter goes to stderr.
        .stdout(Stdio::null())
        .spawn()
        .map_err(|err| format!("{BROWSER_ENV} command '{program}' could not be started ({err})"))?;
    // Reap it whenever it ends, without making anyone wait.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

fn browser_argv(command: &str, url: &str) -> Result<Vec<String>, shell_words::ParseError> {
    let mut argv = shell_words::split(command)?;
    if argv.iter().any(|arg| arg.contains("%s")) {
        for arg in &mut argv {
            *arg = arg.replace("%s", url);
        }
    } else {
        argv.push(url.to_string());
    }
    Ok(argv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_the_url_or_fills_the_placeholder() {
        assert_eq!(
            browser_argv("firefox --new-tab", "http://x/?a=1&b=2").unwrap(),
            ["firefox", "--new-tab", "http://x/?a=1&b=2"]
        );
        assert_eq!(
            browser_argv("'my browser' --url=%s --flag", "http://x").unwrap(),
            ["my browser", "--url=http://x", "--flag"]
        );
        assert!(browser_argv("unterminated 'quote", "http://x").is_err());
    }

    #[test]
    fn a_missing_program_is_reported() {
        let err = run_browser_command("/nonexistent/browser-program", "http://x").unwrap_err();
        assert!(err.contains("/nonexistent/browser-program"), "{err}");
    }
}
