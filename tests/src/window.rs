//! The desktop app in a real window: `tauri-driver` (started in its own
//! process group and stopped with SIGTERM to the group, so that
//! WebKitWebDriver and the app end with it) driven through WebDriver by
//! fantoccini. `make test` runs everything under Xvfb.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::x11::Display;
use crate::{repo_root, Sandbox};

/// The app binary of this build (`make test` builds it), or `$CELLS_SYNC_BIN`.
pub fn app_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("CELLS_SYNC_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("the test executable");
    let bin = exe.parent().and_then(|p| p.parent()).expect("target dir").join("cells-sync");
    assert!(bin.exists(), "{} is missing: build it first (cargo build -p cells-sync-app)", bin.display());
    bin
}

fn tauri_driver() -> PathBuf {
    if let Some(bin) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(bin);
    }
    let bin = repo_root().join(".tools/bin/tauri-driver");
    assert!(bin.exists(), "{} is missing: run scripts/setup.sh (make test does)", bin.display());
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// The name a running app holds on the session bus (tauri-plugin-single-instance).
const SINGLE_INSTANCE_NAME: &str = "com.pydio.cells-sync-auth.SingleInstance";

fn app_instance_running() -> bool {
    let asked = std::process::Command::new("dbus-send")
        .args(["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
        .args(["org.freedesktop.DBus.NameHasOwner", &format!("string:{SINGLE_INSTANCE_NAME}")])
        .output()
        .expect("run dbus-send");
    String::from_utf8_lossy(&asked.stdout).contains("boolean true")
}

/// Which browser the app opens.
pub enum Browser {
    /// Debian's Chromium, headless, through the provider's login form.
    Chromium,
    /// The scripted fetch browser (`browser.mjs`), for cellsauth:// links.
    Scripted,
    /// None opens: the sign-in stays pending.
    Nothing,
}

/// tauri-driver's process group, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM to the group: SIGKILL would leave WebKitWebDriver and the app running.
        // SAFETY: a signal to the process group we created for the driver.
        unsafe {
            libc::kill(-(self.0.id() as i32), libc::SIGTERM);
        }
        let _ = self.0.wait();
    }
}

/// A running app window and its driver.
pub struct Window {
    pub client: Client,
    name: String,
    // Dropped last: the session ends before the driver.
    driver: Driver,
}

impl Window {
    /// Starts the app for `sandbox` with `browser` through tauri-driver.
    pub async fn open(sandbox: &Sandbox, browser: Browser, name: &str) -> Self {
        Self::open_with(sandbox, browser, name, &[]).await
    }

    /// The same, the app started with `args` on its command line.
    pub async fn open_with(sandbox: &Sandbox, browser: Browser, name: &str, args: &[&str]) -> Self {
        let (port, native_port) = (free_port(), free_port());
        let mut driver =
            sandbox.program(tauri_driver(), &["--port", &port.to_string(), "--native-port", &native_port.to_string()]);
        let browser = match browser {
            Browser::Chromium => format!("node {}", repo_root().join("tests/idp/chromium.mjs").display()),
            Browser::Scripted => format!("node {}", repo_root().join("tests/idp/browser.mjs").display()),
            Browser::Nothing => "true".to_string(),
        };
        driver.env("BROWSER", browser);
        driver.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::inherit()).process_group(0);
        let driver = Driver(driver.spawn().expect("start tauri-driver"));
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert("tauri:options".into(), json!({ "application": app_bin(), "args": args }));
        let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(caps);
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match builder.connect(&url).await {
                Ok(client) => break client,
                Err(err) if Instant::now() > deadline => panic!("tauri-driver did not start a session: {err}"),
                // The driver needs a moment to listen; no event tells when.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        let window = Self { client, name: name.to_string(), driver };
        window.wait_for("body[data-ready=true]").await;
        window
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css} in the window: {e}"))
    }

    /// Waits until no element matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.client.find_all(Locator::Css(css)).await.unwrap_or_default().is_empty() {
            assert!(Instant::now() < deadline, "{css} is still in the window");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.unwrap_or_default()
    }

    /// Waits until the text of `css` is `expected`.
    pub async fn wait_text(&self, css: &str, expected: &str) {
        self.wait_text_where(css, &format!("{expected:?}"), |text| text == expected).await;
    }

    /// Waits until the text of `css` contains `part`.
    pub async fn wait_text_containing(&self, css: &str, part: &str) {
        self.wait_text_where(css, &format!("something with {part:?}"), |text| text.contains(part)).await;
    }

    async fn wait_text_where(&self, css: &str, wanted: &str, matches: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.text(css).await;
            if matches(&text) {
                return;
            }
            assert!(Instant::now() < deadline, "{css} says {text:?}, not {wanted}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    pub async fn is_hidden(&self, css: &str) -> bool {
        let element = self.wait_for(css).await;
        element.attr("hidden").await.ok().flatten().is_some()
    }

    /// Calls one of the app's commands from the page, as its buttons do; an error comes back as `{"error": ...}`.
    /// A command's answer, or `{error, code}`: its message and catalog id.
    pub async fn invoke(&self, command: &str, args: Value) -> Value {
        let script = "const done = arguments[arguments.length - 1];\
            window.__TAURI__.core.invoke(arguments[0], arguments[1]).then(done, \
              (e) => done({ error: typeof e === 'string' ? e : e.message, code: e.code }));";
        self.client.execute_async(script, vec![json!(command), args]).await.expect("invoke")
    }

    /// The app's process, under tauri-driver and WebKitWebDriver.
    pub fn app_pid(&self) -> u32 {
        crate::desktop::tree(self.driver.0.id())
            .into_iter()
            .find(|pid| crate::desktop::process_name(*pid) == "cells-sync")
            .expect("the app's process under tauri-driver")
    }

    /// Whether the app's window is on the screen (mapped and viewable on the X server).
    pub fn on_screen(&self) -> bool {
        Display::open().top_level_of(self.app_pid()).is_some()
    }

    /// WebKit's processes of the app: none while its window is dropped.
    pub fn webkit_processes(&self) -> Vec<u32> {
        crate::desktop::webkit_processes(self.app_pid())
    }

    /// Closes the window as its title bar's button does, and returns once it is off the screen.
    pub fn close_from_title_bar(&self) {
        let display = Display::open();
        let window = display.top_level_of(self.app_pid()).expect("the window on the screen");
        display.close(window);
        display.wait_for(x11_dl::xlib::UnmapNotify, Duration::from_secs(10)).expect("the window hidden");
    }

    /// Closes the window as its title bar's button does, and returns once the
    /// app has dropped it: its web process has ended. (Its network process
    /// too, but not under WebDriver, whose session lives in it.)
    pub fn close_and_wait_until_dropped(&self) {
        self.close_from_title_bar();
        crate::desktop::wait_until("the window's web process ending", Duration::from_secs(30), || {
            self.webkit_processes().into_iter().all(|p| crate::desktop::process_name(p) != "WebKitWebProces")
        });
    }

    /// Talks to the window made anew once the app dropped the hidden one's
    /// webview, when its page has loaded.
    pub async fn follow_new_window(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let handles = self.client.windows().await.unwrap_or_default();
            if let Some(handle) = handles.last() {
                if self.client.switch_to_window(handle.clone()).await.is_ok()
                    && self.client.find(Locator::Css("body[data-ready=true]")).await.is_ok()
                {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "no new window's page loaded");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a picture of the window, as the X server shows it, under
    /// target/screenshots/. (WebKitGTK answers no WebDriver screenshot for a
    /// page drawn without accelerated compositing, which is how the app draws.)
    pub async fn screenshot(&self, state: &str) -> PathBuf {
        // Two animation frames: the last DOM change is painted.
        let painted = "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        let _ = self.client.execute_async(painted, vec![]).await;
        let png = Display::open().capture_png(self.app_pid()).expect("the app's window on the X server");
        let dir = repo_root().join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{}-{state}.png", self.name));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Ends the session (the app quits), then the driver's process group.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    /// Ends the app and returns once it has let go of its single-instance
    /// name on the session bus, so that the next start is a new app rather
    /// than a hand-over to the one ending.
    pub async fn quit(self) {
        self.close().await;
        let deadline = Instant::now() + Duration::from_secs(30);
        while app_instance_running() {
            assert!(Instant::now() < deadline, "the app did not end within 30 s of its window's session");
            // The bus tells the name's release to monitors only; asking again is simpler.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
