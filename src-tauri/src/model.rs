//! What the app sends to the window (and the tray shows): plain data built
//! from the core's views, no logic of its own.

use cells_auth::certificates::CertificateProblem;
use cells_auth::i18n::{text, Arg, Language};
use cells_auth::sign_in::PendingSignIn;
use cells_auth::view::{needs_attention, AccountView, Status};
use serde::Serialize;

/// Read once at start from the command line and the environment.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LaunchOptions {
    /// `--dev-redirect` or `CELLS_SYNC_DEV_REDIRECT=1`: sign in through
    /// http://localhost:3000/servers/callback.
    pub dev_redirect: bool,
    /// `CELLS_SYNC_DEMO_SERVER`: pre-filled in the add-account field.
    pub demo_server: Option<String>,
    /// `CELLS_SYNC_DEMO_HINT`: shown beside it (the demo login).
    pub demo_hint: Option<String>,
    /// `--hidden` (a start at login): only the tray; the window opens from it.
    pub hidden: bool,
}

impl LaunchOptions {
    pub fn from_env() -> Self {
        let env = |key: &str| std::env::var(key).ok().filter(|v| !v.trim().is_empty());
        Self {
            dev_redirect: std::env::args().any(|a| a == "--dev-redirect")
                || env("CELLS_SYNC_DEV_REDIRECT").is_some_and(|v| v == "1"),
            demo_server: env("CELLS_SYNC_DEMO_SERVER"),
            demo_hint: env("CELLS_SYNC_DEMO_HINT"),
            hidden: crate::autostart::asks_hidden(std::env::args()),
        }
    }
}

/// The pending sign-in, as the window shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PendingView {
    pub id: u64,
    #[serde(flatten)]
    pub pending: PendingSignIn,
    /// Why the browser did not open, if it did not.
    pub browser_error: Option<String>,
}

/// How a sign-in ended, sent to the window as `sign-in-finished`.
#[derive(Debug, Clone, Serialize)]
pub struct SignInOutcome {
    pub id: u64,
    pub ok: bool,
    pub cancelled: bool,
    pub message: String,
    pub account_id: Option<String>,
    /// A refused certificate: the window asks whether to trust it.
    pub certificate: Option<CertificateProblem>,
    /// The refused sign-in's way back (a link rather than the loopback
    /// port), for the one started again once the certificate is trusted.
    pub custom_scheme: bool,
}

impl SignInOutcome {
    /// A sign-in that could not start (its id is 0: nothing was pending).
    pub fn not_started(message: String, certificate: Option<CertificateProblem>, custom_scheme: bool) -> Self {
        SignInOutcome { id: 0, ok: false, cancelled: false, message, account_id: None, certificate, custom_scheme }
    }
}

/// A server address as typed, checked.
#[derive(Serialize)]
pub struct ServerCheck {
    /// Normalised: `https://host/sub/path`.
    pub address: String,
    /// Plain http.
    pub insecure: bool,
}

/// What the window reads at start.
#[derive(Serialize)]
pub struct AppInfo {
    pub options: LaunchOptions,
    pub startup_error: Option<String>,
    pub pending: Option<PendingView>,
    /// The language of the texts (its BCP 47 tag), for the page's `lang`.
    pub language: &'static str,
    /// The window's own texts in that language, by catalog id.
    pub texts: std::collections::BTreeMap<String, String>,
    /// The language chosen in the window; `None` follows the system.
    pub language_choice: Option<Language>,
    /// The languages to choose from, each named in itself.
    pub languages: Vec<LanguageOption>,
    /// How the last sign-in ended, for a window made after it.
    pub outcome: Option<SignInOutcome>,
    /// The tray asked for a new account before this page was loaded.
    pub add_account: bool,
}

#[derive(Serialize)]
pub struct LanguageOption {
    pub tag: &'static str,
    pub name: &'static str,
}

impl LanguageOption {
    pub fn all() -> Vec<Self> {
        Language::ALL.into_iter().map(|l| Self { tag: l.tag(), name: l.name() }).collect()
    }
}

/// What the tray shows, every text of it in the current language; the
/// window tests read it through `tray_model`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrayModel {
    pub attention: bool,
    pub tooltip: String,
    pub lines: Vec<TrayLine>,
    pub add_account: String,
    pub show_window: String,
    pub quit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrayLine {
    pub account_id: String,
    pub user: String,
    pub text: String,
    /// The label of its Re-authenticate item.
    pub reauthenticate: String,
}

impl TrayModel {
    pub fn of(views: &[AccountView]) -> Self {
        let lines = views
            .iter()
            .map(|view| TrayLine {
                account_id: view.account.id.clone(),
                user: view.account.user.clone(),
                text: view.headline(),
                reauthenticate: text("tray-reauthenticate", &[("user", Arg::Text(&view.account.user))]),
            })
            .collect();
        let needing = views.iter().filter(|view| view.status == Status::NeedsReauth).count();
        let tooltip = match needing {
            0 => text("tray-tooltip", &[]),
            count => text("tray-attention", &[("count", Arg::Count(count as i64))]),
        };
        Self {
            attention: needs_attention(views),
            tooltip,
            lines,
            add_account: text("tray-add-account", &[]),
            show_window: text("tray-show-window", &[]),
            quit: text("tray-quit", &[]),
        }
    }
}
