//! The Windows command line under Wine: `cells-auth.exe` (built by
//! `scripts/platforms.sh windows`, with the test-only `bcryptprimitives.dll`
//! beside it), run in a Wine prefix of its own, against the test provider
//! on the Linux side. Its secrets go to Wine's Credential Manager, which
//! Wine keeps in the prefix's registry.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{files_under, repo_root, run_command, spawn_command, Output, Running, TempDir};

const WINE: &str = "/usr/lib/wine/wine64";
const WINESERVER: &str = "/usr/lib/wine/wineserver";
/// Where Wine keeps Credential Manager: the user's registry hive.
pub const CREDENTIALS_KEY: &str = r"HKCU\Software\Wine\Credential Manager";

/// The Windows build of cells-auth, from `make test` (`scripts/platforms.sh windows`).
pub fn windows_exe() -> PathBuf {
    let exe = repo_root().join("target/windows/cells-auth.exe");
    assert!(
        exe.exists() && exe.with_file_name("bcryptprimitives.dll").exists(),
        "{} is missing: build it with scripts/platforms.sh windows (make test does)",
        exe.display()
    );
    exe
}

/// A Windows user's machine: a Wine prefix of its own. Every process of the
/// prefix, and its wineserver, is ended when dropped.
pub struct WinePrefix {
    prefix: TempDir,
    exe: PathBuf,
}

impl Default for WinePrefix {
    fn default() -> Self {
        Self::new()
    }
}

impl WinePrefix {
    pub fn new() -> Self {
        let prefix = TempDir::new("wine");
        let wine = Self { prefix, exe: windows_exe() };
        // The prefix is made by its first program; a plain one, so that the
        // first test command's output holds only its own lines.
        let made = run_command(wine.wine(&["cmd", "/c", "exit"]));
        assert_eq!(made.code, Some(0), "making the Wine prefix failed: {}", made.stderr);
        wine
    }

    pub fn path(&self) -> &Path {
        self.prefix.path()
    }

    /// Any Windows program of the prefix (`reg`, `cmd`) with `args`.
    pub fn wine(&self, args: &[&str]) -> Command {
        let mut command = Command::new(WINE);
        command.args(args);
        for (key, _) in std::env::vars() {
            let proxy = key.to_ascii_lowercase().ends_with("_proxy");
            if key.starts_with("CELLS_") || key == "BROWSER" || proxy {
                command.env_remove(key);
            }
        }
        command.env("WINEPREFIX", self.prefix.path()).env("WINEDEBUG", "-all").env_remove("DISPLAY");
        command
    }

    /// `cells-auth.exe` with `args`.
    pub fn command(&self, args: &[&str]) -> Command {
        let exe = self.exe.to_str().expect("a UTF-8 path");
        let mut all = vec![exe];
        all.extend_from_slice(args);
        self.wine(&all)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run_command(self.command(args))
    }

    pub fn spawn(&self, args: &[&str]) -> Running {
        spawn_command(self.command(args))
    }

    /// The names of the credentials Credential Manager holds, read with
    /// Windows' own `reg`.
    pub fn credentials(&self) -> Vec<String> {
        let out = run_command(self.wine(&["reg", "query", CREDENTIALS_KEY]));
        assert_eq!(out.code, Some(0), "reg query failed: {}", out.stderr);
        // reg lists the hive by its long name.
        let listed = format!("{}\\Generic: ", CREDENTIALS_KEY.replacen("HKCU", "HKEY_CURRENT_USER", 1));
        out.stdout.lines().filter_map(|line| line.trim().strip_prefix(&listed).map(str::to_string)).collect()
    }

    /// Every file of the prefix but Wine's registry hives (where Credential
    /// Manager is) that holds `secret`.
    pub fn files_holding(&self, secret: &str) -> Vec<PathBuf> {
        // The registry is written out by the wineserver: end it first.
        self.stop_all();
        files_under(self.prefix.path())
            .into_iter()
            .filter(|path| path.extension().is_none_or(|ext| ext != "reg"))
            .filter(|path| {
                std::fs::read(path)
                    .is_ok_and(|bytes| bytes.windows(secret.len()).any(|window| window == secret.as_bytes()))
            })
            .collect()
    }

    /// Ends every process of the prefix and its wineserver, and waits for it.
    pub fn stop_all(&self) {
        let mut kill = Command::new(WINESERVER);
        kill.arg("-k").env("WINEPREFIX", self.prefix.path());
        let _ = run_command(kill);
        let mut wait = Command::new(WINESERVER);
        wait.arg("-w").env("WINEPREFIX", self.prefix.path());
        let _ = run_command(wait);
    }
}

impl Drop for WinePrefix {
    fn drop(&mut self) {
        self.stop_all();
    }
}
