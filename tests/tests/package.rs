//! The packages as a user gets them: the .deb that `make package` built
//! (`make test` builds it first) looked at with Debian's own tools, then
//! unpacked into a throwaway tree and run from there.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

use cells_auth_e2e::{repo_root, run_command, TempDir};

const DESKTOP_ID: &str = "com.pydio.CellsSync.desktop";

/// `productName` and `version` of the bundler's configuration, which name the packages.
fn product() -> (String, String) {
    let text = std::fs::read_to_string(repo_root().join("src-tauri/tauri.conf.json")).expect("tauri.conf.json");
    let config: serde_json::Value = serde_json::from_str(&text).expect("tauri.conf.json is JSON");
    let field = |key: &str| config[key].as_str().unwrap_or_else(|| panic!("no {key} in tauri.conf.json")).to_string();
    (field("productName"), field("version"))
}

/// `target/release/bundle/<format>/<name>`, which `make package` builds.
fn bundle(format: &str, name: String) -> PathBuf {
    let path = repo_root().join("target/release/bundle").join(format).join(name);
    assert!(path.exists(), "{} is missing: run make package (make test does)", path.display());
    path
}

fn deb() -> PathBuf {
    let (name, version) = product();
    bundle("deb", format!("{name}_{version}_amd64.deb"))
}

fn command(program: impl AsRef<OsStr>, args: &[&OsStr]) -> Command {
    let mut command = Command::new(program);
    command.args(args);
    command
}

/// Runs `command`; its output when it succeeded, else the test fails with it.
fn succeeds(command: Command) -> String {
    let shown = format!("{command:?}");
    let out = run_command(command);
    assert_eq!(out.code, Some(0), "{shown} failed:\n{}\n{}", out.stdout, out.stderr);
    out.stdout
}

/// `dpkg-deb OPTION our.deb`: what it prints.
fn dpkg_deb(option: &str) -> String {
    succeeds(command("dpkg-deb", &[option.as_ref(), deb().as_os_str()]))
}

/// The .deb unpacked with `dpkg-deb -x` into a directory removed afterwards.
struct Unpacked(TempDir);

impl Unpacked {
    fn new() -> Self {
        let dir = TempDir::new("package");
        succeeds(command("dpkg-deb", &["-x".as_ref(), deb().as_os_str(), dir.path().as_os_str()]));
        Self(dir)
    }

    fn path(&self, inside: &str) -> PathBuf {
        self.0.path().join(inside.trim_start_matches('/'))
    }

    fn read(&self, inside: &str) -> String {
        std::fs::read_to_string(self.path(inside)).unwrap_or_else(|e| panic!("{inside} in the package: {e}"))
    }
}

#[test]
fn the_deb_holds_both_programs_their_man_pages_completions_the_agent_s_units_metainfo_and_desktop_file() {
    let listing = dpkg_deb("-c");
    // `-rwxr-xr-x 0/0 123 2026-12-02 00:00 usr/bin/cells-auth`: the mode, then the path after four more fields.
    let entries: Vec<(&str, &str)> = listing
        .lines()
        .filter_map(|line| {
            let mut rest = line;
            let mut mode = "";
            for field in 0..5 {
                rest = rest.trim_start();
                let end = rest.find(char::is_whitespace)?;
                if field == 0 {
                    mode = &rest[..end];
                }
                rest = &rest[end..];
            }
            Some((mode, rest.trim_start().trim_start_matches("./")))
        })
        .collect();
    let has = |wanted: &str| entries.iter().any(|(_, path)| *path == wanted);
    for wanted in [
        "usr/bin/cells-sync",
        "usr/bin/cells-auth",
        "usr/share/man/man1/cells-auth.1.gz",
        "usr/share/man/man1/cells-auth-login.1.gz",
        "usr/share/man/man1/cells-auth-token.1.gz",
        "usr/share/man/man1/cells-auth-agent.1.gz",
        "usr/share/bash-completion/completions/cells-auth",
        "usr/share/zsh/vendor-completions/_cells-auth",
        "usr/share/fish/vendor_completions.d/cells-auth.fish",
        "usr/lib/systemd/user/cells-auth-agent.socket",
        "usr/lib/systemd/user/cells-auth-agent.service",
        "usr/share/metainfo/com.pydio.CellsSync.metainfo.xml",
        "usr/share/applications/com.pydio.CellsSync.desktop",
        "usr/share/doc/com-pydio-cells-sync/copyright",
    ] {
        assert!(has(wanted), "{wanted} is not in the .deb:\n{listing}");
    }
    for program in ["usr/bin/cells-sync", "usr/bin/cells-auth"] {
        let (mode, _) = entries.iter().find(|(_, path)| *path == program).unwrap();
        assert!(mode.starts_with("-rwxr-xr-x"), "{program} is {mode}");
    }
    assert!(!entries.iter().any(|(_, path)| path.contains(' ')), "a path with a space:\n{listing}");
    assert!(!entries.iter().any(|(_, path)| path.contains("cells-auth-assets")), "the build tool is not shipped");
    // Icons only in the theme's size directories (NxN, not Tauri's NxN@2).
    let icons: Vec<&str> =
        entries.iter().map(|(_, path)| *path).filter(|path| path.ends_with("/apps/cells-sync.png")).collect();
    assert!(icons.len() >= 3, "{icons:?}");
    for icon in icons {
        let size = icon.trim_start_matches("usr/share/icons/hicolor/").split('/').next().unwrap();
        let (width, height) = size.split_once('x').unwrap_or_else(|| panic!("{icon}"));
        assert!(width == height && width.parse::<u32>().is_ok(), "{icon} is not in an icon size directory");
    }
}

#[test]
fn the_deb_says_what_it_is_where_it_comes_from_and_what_it_needs() {
    let fields = dpkg_deb("-f");
    let field = |name: &str| {
        fields
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in:\n{fields}"))
            .to_string()
    };
    assert!(field("Description").contains("Pydio Cells"), "{fields}");
    assert!(!fields.contains("(none)"), "{fields}");
    assert!(fields.lines().filter(|line| line.starts_with(' ')).count() >= 3, "a long description: {fields}");
    assert_eq!(field("Homepage"), "https://pydio.com");
    assert!(field("Maintainer").contains('<'), "a maintainer with an address: {fields}");
    let depends = field("Depends");
    for needed in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "gnome-keyring | keepassxc"] {
        assert!(depends.contains(needed), "{needed} not in Depends: {depends}");
    }
    let unpacked = Unpacked::new();
    assert!(unpacked.read("usr/share/doc/com-pydio-cells-sync/copyright").contains("License: MIT or Apache-2.0"));
}

#[test]
fn desktop_file_validate_accepts_the_desktop_file_which_opens_cellsauth_links() {
    let unpacked = Unpacked::new();
    let file = unpacked.path(&format!("usr/share/applications/{DESKTOP_ID}"));
    succeeds(command("desktop-file-validate", &[file.as_os_str()]));
    let entry = unpacked.read(&format!("usr/share/applications/{DESKTOP_ID}"));
    for line in ["Exec=cells-sync %u", "MimeType=x-scheme-handler/cellsauth;", "Icon=cells-sync", "Name=Cells Sync"] {
        assert!(entry.lines().any(|l| l == line), "{line} not in:\n{entry}");
    }
}

#[test]
fn appstreamcli_validate_accepts_the_metainfo() {
    let unpacked = Unpacked::new();
    let metainfo = unpacked.path("usr/share/metainfo/com.pydio.CellsSync.metainfo.xml");
    let out = succeeds(command("appstreamcli", &["validate".as_ref(), "--no-net".as_ref(), metainfo.as_os_str()]));
    assert!(out.contains("Validation was successful"), "{out}");
    let text = unpacked.read("usr/share/metainfo/com.pydio.CellsSync.metainfo.xml");
    assert!(text.contains(&format!("<launchable type=\"desktop-id\">{DESKTOP_ID}</launchable>")), "{text}");
}

#[test]
fn systemd_analyze_verifies_the_agent_s_user_units_which_listen_where_the_agent_does() {
    let unpacked = Unpacked::new();
    // The units as shipped, but their program where the throwaway tree has it
    // (systemd checks that it exists); man: links are looked up in the tree.
    let units = TempDir::new("units");
    let program = unpacked.path("usr/bin/cells-auth");
    let mut paths = Vec::new();
    for name in ["cells-auth-agent.socket", "cells-auth-agent.service"] {
        let text = unpacked.read(&format!("usr/lib/systemd/user/{name}"));
        let path = units.path().join(name);
        std::fs::write(&path, text.replace("/usr/bin/cells-auth", &program.to_string_lossy())).unwrap();
        paths.push(path);
    }
    let mut command = Command::new("systemd-analyze");
    command.args(["--user", "verify"]).args(&paths).env("MANPATH", unpacked.path("usr/share/man"));
    let out = run_command(command);
    assert_eq!(out.code, Some(0), "systemd-analyze --user verify:\n{}{}", out.stdout, out.stderr);
    assert!(out.stderr.trim().is_empty(), "no warning either: {}", out.stderr);

    let socket = unpacked.read("usr/lib/systemd/user/cells-auth-agent.socket");
    assert!(socket.lines().any(|l| l == "ListenStream=%t/cells-auth/agent.sock"), "{socket}");
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).expect("XDG_RUNTIME_DIR");
    assert_eq!(
        cells_auth::agent::address(),
        runtime.join("cells-auth/agent.sock").display().to_string(),
        "%t is the runtime directory"
    );
    assert!(socket.lines().any(|l| l == "DirectoryMode=0700"), "{socket}");
    let service = unpacked.read("usr/lib/systemd/user/cells-auth-agent.service");
    assert!(service.lines().any(|l| l == "ExecStart=/usr/bin/cells-auth agent"), "{service}");
}

#[test]
fn both_programs_run_from_the_unpacked_tree() {
    let unpacked = Unpacked::new();
    let (_, version) = product();
    for program in ["cells-auth", "cells-sync"] {
        let out = succeeds(command(unpacked.path(&format!("usr/bin/{program}")), &["--version".as_ref()]));
        assert_eq!(out.trim(), format!("{program} {version}"));
    }
}

#[test]
fn gio_names_our_desktop_file_for_cellsauth_links() {
    let unpacked = Unpacked::new();
    let applications = unpacked.path("usr/share/applications");
    succeeds(command("update-desktop-database", &[applications.as_os_str()]));
    // Only the tree: an empty home (no mimeapps.list, no user desktop files),
    // and the tree's programs on the PATH (GIO ignores an entry whose program it cannot find).
    let home = TempDir::new("gio-home");
    let path = format!("{}:{}", unpacked.path("usr/bin").display(), std::env::var("PATH").unwrap_or_default());
    let mut gio = command("gio", &["mime".as_ref(), "x-scheme-handler/cellsauth".as_ref()]);
    gio.env("XDG_DATA_DIRS", unpacked.path("usr/share"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("PATH", path);
    let out = succeeds(gio);
    let default = out.lines().next().unwrap_or_default();
    assert!(default.starts_with("Default application for") && default.ends_with(DESKTOP_ID), "{out}");
}

#[test]
fn the_man_pages_and_completions_are_cells_auth_s_own() {
    let unpacked = Unpacked::new();
    let page = |name: &str| {
        succeeds(command("zcat", &[unpacked.path(&format!("usr/share/man/man1/{name}.1.gz")).as_os_str()]))
    };
    let main = page("cells-auth");
    assert!(main.contains(".TH cells-auth 1"), "{main}");
    for command in ["login", "status", "token", "refresh", "logout", "agent"] {
        assert!(main.contains(&format!("cells\\-auth\\-{command}(1)")), "{command} not listed:\n{main}");
        assert!(page(&format!("cells-auth-{command}")).contains(".TH cells-auth-"), "cells-auth-{command}.1");
    }
    assert!(page("cells-auth-login").contains("trust\\-certificate"), "the options are documented");

    let bash = unpacked.path("usr/share/bash-completion/completions/cells-auth");
    succeeds(command("bash", &["-n".as_ref(), bash.as_os_str()]));
    let script = unpacked.read("usr/share/bash-completion/completions/cells-auth");
    assert!(script.contains("complete -F _cells__auth") && script.contains("login"), "{script}");
    assert!(unpacked.read("usr/share/zsh/vendor-completions/_cells-auth").starts_with("#compdef cells-auth"));
    assert!(unpacked.read("usr/share/fish/vendor_completions.d/cells-auth.fish").contains("complete -c cells-auth"));
}

#[test]
fn the_rpm_is_built_beside_it() {
    let (name, version) = product();
    let rpm = std::fs::read(bundle("rpm", format!("{name}-{version}-1.x86_64.rpm"))).unwrap();
    assert_eq!(&rpm[..4], &[0xed, 0xab, 0xee, 0xdb], "an RPM file (its lead's magic)");
    // The file list is in the header, uncompressed: the same programs and units.
    let has = |text: &str| rpm.windows(text.len()).any(|w| w == text.as_bytes());
    for name in ["cells-auth", "cells-auth-agent.socket", "com.pydio.CellsSync.desktop", "_cells-auth"] {
        assert!(has(name), "{name} not in the rpm");
    }
}
