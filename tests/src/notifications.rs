//! Desktop notifications as they travel on the session bus: `dbus-monitor`
//! watches the `Notify` calls that a notification service would receive,
//! without standing in for one.

use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Instant;

use crate::{lines_of, COMMAND_DEADLINE};

pub struct NotificationWatch {
    monitor: Child,
    lines: Receiver<String>,
    /// Where the current line stands in a `Notify` call: the index of its next argument.
    next_argument: Option<usize>,
    bodies: Vec<String>,
}

/// `Notify(app_name, replaces_id, app_icon, summary, body, ...)`: the body is the fifth.
const BODY_ARGUMENT: usize = 4;

impl NotificationWatch {
    /// Starts watching; returns once the monitor sees the bus.
    pub fn start() -> Self {
        let mut monitor = Command::new("dbus-monitor")
            .args(["--session", "type=method_call,interface=org.freedesktop.Notifications,member=Notify"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start dbus-monitor: {e}"));
        let lines = lines_of(monitor.stdout.take().expect("stdout"));
        let mut watch = Self { monitor, lines, next_argument: None, bodies: Vec::new() };
        // Becoming a monitor drops the connection's own name: from that line on, every call is seen.
        let deadline = Instant::now() + COMMAND_DEADLINE;
        while !watch.next_line(deadline, "dbus-monitor did not become a monitor").contains("member=NameLost") {}
        watch
    }

    /// Waits for a notification whose body contains `needle`; returns the body.
    pub fn wait_for_body(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + COMMAND_DEADLINE;
        loop {
            if let Some(body) = self.bodies.iter().find(|body| body.contains(needle)) {
                return body.clone();
            }
            self.next_line(deadline, &format!("no notification saying {needle:?}"));
        }
    }

    /// The bodies of all notifications sent so far.
    pub fn bodies(&mut self) -> Vec<String> {
        while let Ok(line) = self.lines.try_recv() {
            self.read(&line);
        }
        self.bodies.clone()
    }

    /// Reads the monitor's next line, panicking with `why` past the deadline.
    fn next_line(&mut self, deadline: Instant, why: &str) -> String {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = self.lines.recv_timeout(left) else {
            panic!("{why}; notifications seen: {:?}", self.bodies);
        };
        self.read(&line);
        line
    }

    fn read(&mut self, line: &str) {
        if line.starts_with("method call") {
            self.next_argument = line.contains("member=Notify").then_some(0);
            return;
        }
        let Some(index) = self.next_argument else { return };
        if !line.starts_with("   ") {
            return;
        }
        if index == BODY_ARGUMENT {
            let body = line.trim().trim_start_matches("string \"").trim_end_matches('"');
            self.bodies.push(body.to_string());
        }
        self.next_argument = Some(index + 1);
    }
}

impl Drop for NotificationWatch {
    fn drop(&mut self) {
        let _ = self.monitor.kill();
        let _ = self.monitor.wait();
    }
}
