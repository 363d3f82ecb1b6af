//! The desktop app measured as a user's machine sees it, for `make bench`:
//! how long until its window is mapped on the X server (an X event, not a
//! poll), the proportional memory (PSS, from `smaps_rollup`) of its whole
//! process tree (the app and WebKit's processes), and the CPU that tree
//! uses while idle, shown and hidden. The same for the bare Tauri window
//! of `tests/bare-window`, built with the same tauri features.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use x11_dl::xlib;

use crate::x11::Display;
use crate::{repo_root, Sandbox};

/// How long idle CPU is counted, each time.
pub const IDLE_WINDOW: Duration = Duration::from_secs(60);
/// After the window is mapped, the page loads and the app settles: memory is read after this.
const SETTLE: Duration = Duration::from_secs(5);

pub fn app_release_bin() -> PathBuf {
    repo_root().join("target/release/cells-sync")
}

pub fn bare_window_bin() -> PathBuf {
    repo_root().join("target/release/bare-window")
}

/// What one start of a desktop program measured.
#[derive(Debug, Clone, Copy)]
pub struct AppRun {
    /// Total PSS of the process tree, KiB, once settled.
    pub pss_kib: u64,
    /// Percent of one core over [`IDLE_WINDOW`], window shown.
    pub cpu_shown: f64,
    /// The same, the window closed (hidden, for the app); `None` for a program that quits instead.
    pub cpu_hidden: Option<f64>,
}

/// The process tree of `root`: it and every descendant, from /proc.
pub(crate) fn tree(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        if let Some(ppid) = stat_fields(pid).and_then(|f| f.get(1).and_then(|p| p.parse::<u32>().ok())) {
            parents.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(parents.iter().filter(|(_, ppid)| *ppid == parent).map(|(pid, _)| *pid));
        i += 1;
    }
    found
}

/// WebKit's processes (web, network) under `root`.
pub fn webkit_processes(root: u32) -> Vec<u32> {
    tree(root).into_iter().filter(|pid| process_name(*pid).starts_with("WebKit")).collect()
}

/// Waits until `done` holds, at most `timeout`; says `what` did not happen otherwise.
/// (A process ending or a file appearing sends no event a test can wait on.)
pub fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {timeout:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The name process `pid` runs under (its program's, cut at 15 bytes); empty once it is gone.
pub fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_string()
}

/// /proc/PID/stat after the command name: state, ppid, ...
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &text[text.rfind(')')? + 2..];
    Some(after.split_whitespace().map(str::to_string).collect())
}

/// Nanoseconds `pid` has run on a CPU, all its threads (schedstat: finer than ticks).
fn cpu_nanos(pid: u32) -> u64 {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten();
    tasks
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|text| text.split_whitespace().next().and_then(|ns| ns.parse::<u64>().ok()))
        .sum()
}

fn pss_kib(pid: u32) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    text.lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Percent of one core the tree of `root` uses over [`IDLE_WINDOW`].
/// Each process's share is printed, to see where an idle tree spends.
fn idle_cpu(root: u32) -> f64 {
    let pids = tree(root);
    let before: Vec<u64> = pids.iter().map(|p| cpu_nanos(*p)).collect();
    std::thread::sleep(IDLE_WINDOW);
    let spent: Vec<u64> = pids.iter().zip(before).map(|(p, b)| cpu_nanos(*p).saturating_sub(b)).collect();
    let percent = |nanos: u64| nanos as f64 / IDLE_WINDOW.as_nanos() as f64 * 100.0;
    let shares: Vec<String> =
        pids.iter().zip(&spent).map(|(pid, nanos)| format!("{} {:.3}%", process_name(*pid), percent(*nanos))).collect();
    eprintln!("bench: idle CPU by process: {}", shares.join(", "));
    percent(spent.iter().sum())
}

/// The program, killed with its tree when dropped.
struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        for pid in tree(self.0.id()).into_iter().rev() {
            // SAFETY: signals to our child and its descendants.
            unsafe {
                libc::kill(pid as i32, libc::SIGTERM);
            }
        }
        let _ = self.0.wait();
    }
}

/// A desktop program started, its window mapped.
struct Shown {
    display: Display,
    started: Started,
    window: xlib::Window,
    /// Seconds from spawn to the window mapped.
    after: f64,
}

impl Shown {
    fn start(sandbox: &Sandbox, program: &Path) -> Self {
        assert!(program.exists(), "{} is missing: make bench builds it", program.display());
        let display = Display::open();
        let mut command = sandbox.program(program, &[]);
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        let started_at = Instant::now();
        let started = Started(command.spawn().expect("start the desktop program"));
        let window = display.wait_for(xlib::MapNotify, Duration::from_secs(60)).expect("a window within 60 s");
        let after = started_at.elapsed().as_secs_f64();
        Shown { display, started, window, after }
    }

    fn pid(&self) -> u32 {
        self.started.0.id()
    }
}

impl AppRun {
    /// Starts `program` in `sandbox` and measures it once it has settled;
    /// `hides`: closing its window hides it (the app) rather than quitting
    /// (the bare window).
    pub fn measure(sandbox: &Sandbox, program: &Path, hides: bool) -> Self {
        let shown = Shown::start(sandbox, program);
        // Memory and CPU once the page is loaded and the start's work done:
        // no event says when a process is idle.
        std::thread::sleep(SETTLE);
        let pss_kib = tree(shown.pid()).into_iter().map(pss_kib).sum();
        let cpu_shown = idle_cpu(shown.pid());
        let cpu_hidden = hides.then(|| {
            shown.display.close(shown.window);
            shown.display.wait_for(xlib::UnmapNotify, Duration::from_secs(10)).expect("the window hidden");
            // Idle once the hidden window is dropped (`CELLS_SYNC_KEEP_HIDDEN_WINDOW_SECS`).
            wait_until("the hidden window's WebKit processes ending", Duration::from_secs(90), || {
                webkit_processes(shown.pid()).is_empty()
            });
            idle_cpu(shown.pid())
        });
        AppRun { pss_kib, cpu_shown, cpu_hidden }
    }

    /// Seconds from spawn until `program`'s window is mapped; then it is stopped.
    pub fn time_to_window(sandbox: &Sandbox, program: &Path) -> f64 {
        Shown::start(sandbox, program).after
    }
}

/// The app started at login (hidden), measured once settled: the memory of
/// each of its processes, its idle CPU, and the time from the tray's "Show
/// window" to the window on the screen.
#[derive(Debug, Clone)]
pub struct HiddenRun {
    /// (process name, PSS KiB) of each process of the tree.
    pub pss_by_process: Vec<(String, u64)>,
    /// Percent of one core over [`IDLE_WINDOW`].
    pub cpu: f64,
    /// Seconds from the menu item clicked to the window mapped.
    pub show: f64,
}

impl HiddenRun {
    pub fn pss_kib(&self) -> u64 {
        self.pss_by_process.iter().map(|(_, kib)| kib).sum()
    }

    pub fn measure(sandbox: &Sandbox, program: &Path) -> Self {
        assert!(program.exists(), "{} is missing: make bench builds it", program.display());
        let display = Display::open();
        let mut command = sandbox.program(program, &["--hidden"]);
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        let started = Started(command.spawn().expect("start the app"));
        let pid = started.0.id();
        // Its token agent listens once the start is done.
        let agent = sandbox.runtime_dir().join("cells-auth/agent.sock");
        wait_until("the app's token agent", Duration::from_secs(60), || agent.exists());
        std::thread::sleep(SETTLE);
        let pss_by_process = tree(pid).into_iter().map(|p| (process_name(p), pss_kib(p))).collect();
        let cpu = idle_cpu(pid);
        let show_window = TrayItem::find(pid, "Show window");
        let clicked = Instant::now();
        show_window.click();
        display.wait_for(xlib::MapNotify, Duration::from_secs(60)).expect("the window shown from the tray");
        let show = clicked.elapsed().as_secs_f64();
        HiddenRun { pss_by_process, cpu, show }
    }
}

/// One method call on the session bus by `gdbus`, its reply as gdbus prints
/// it. With a timeout: some of a process's connections never answer.
fn bus_call(dest: &str, path: &str, method: &str, args: &[&str]) -> String {
    let mut command = std::process::Command::new("gdbus");
    command.args(["call", "--session", "--timeout", "2", "--dest", dest, "--object-path", path, "--method", method]);
    let out = command.args(args).output().expect("run gdbus");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A method of the bus itself.
fn bus_daemon_call(method: &str, args: &[&str]) -> String {
    bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus", &format!("org.freedesktop.DBus.{method}"), args)
}

/// An item of the tray menu of a process, clicked as a tray host does:
/// through the menu the app exports on the session bus (com.canonical.dbusmenu).
pub struct TrayItem {
    owner: String,
    menu: String,
    id: String,
}

impl TrayItem {
    /// The item labelled `label` in the tray menu of process `pid`.
    pub fn find(pid: u32, label: &str) -> Self {
        let names = bus_daemon_call("ListNames", &[]);
        // The process holds several connections; one of them exports the menu.
        let owners: Vec<&str> = names
            .split('\'')
            .filter(|name| name.starts_with(':'))
            .filter(|name| bus_daemon_call("GetConnectionUnixProcessID", &[name]).trim() == format!("(uint32 {pid},)"))
            .collect();
        let (owner, menu) = owners
            .iter()
            .find_map(|owner| menu_path(owner, "/").map(|menu| (owner.to_string(), menu)))
            .unwrap_or_else(|| panic!("no tray menu exported by process {pid} (its connections: {owners:?})"));
        let layout = bus_call(&owner, &menu, "com.canonical.dbusmenu.GetLayout", &["int32 0", "int32 -1", "@as []"]);
        let marker = format!("'label': <'{label}'>");
        let at = layout.find(&marker).unwrap_or_else(|| panic!("no {label:?} in the tray menu: {layout}"));
        // The item is `(ID, {... 'label': <...> ...}, [...])`: its id is the number after the last `(` before the label.
        let before = &layout[..at];
        let id: String =
            before[before.rfind('(').expect("an item") + 1..].chars().take_while(char::is_ascii_digit).collect();
        TrayItem { owner, menu, id }
    }

    pub fn click(&self) {
        let id = format!("int32 {}", self.id);
        bus_call(&self.owner, &self.menu, "com.canonical.dbusmenu.Event", &[&id, "clicked", "<int32 0>", "uint32 0"]);
    }
}

/// The object path under `path` of `owner` that implements com.canonical.dbusmenu.
fn menu_path(owner: &str, path: &str) -> Option<String> {
    let xml = bus_call(owner, path, "org.freedesktop.DBus.Introspectable.Introspect", &[]);
    if xml.contains("interface name=\"com.canonical.dbusmenu\"") {
        return Some(path.to_string());
    }
    xml.split("<node name=\"").skip(1).filter_map(|rest| rest.split('"').next()).find_map(|child| {
        let below = if path == "/" { format!("/{child}") } else { format!("{path}/{child}") };
        menu_path(owner, &below)
    })
}
