//! What the app holds: the account manager of the core, and the one sign-in
//! that may be pending. Every decision about tokens and sign-ins stays in
//! `cells-auth`; this starts them, keeps their handle and reports them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cells_auth::browser::Opener;
use cells_auth::certificates::ServerTrust;
use cells_auth::clock::SystemClock;
use cells_auth::discovery::ServerUrl;
use cells_auth::i18n::{text, Arg, Language, Message, Said};
use cells_auth::manager::AccountManager;
use cells_auth::sign_in::{AnswerError, RedirectMode, SignIn, SignInControl, SignInError, SignInOptions};
use cells_auth::store::Store;
use tauri::{AppHandle, Manager};

use crate::error::{Error, Result};
use crate::events;
use crate::model::{LaunchOptions, PendingView, SignInOutcome};

/// How long a sign-in waits for the browser.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(10 * 60);

struct Pending {
    view: PendingView,
    control: SignInControl,
}

pub struct AppState {
    pub options: LaunchOptions,
    /// The manager, or why it could not be opened (a damaged account file,
    /// no config directory): shown in the window.
    accounts: std::result::Result<AccountManager, Message>,
    pending: Mutex<Option<Pending>>,
    /// How the last sign-in ended, until another starts: a window made
    /// later shows it too (the certificate question among them).
    last_outcome: Mutex<Option<SignInOutcome>>,
    /// The tray's "Add account..." for a window whose page has not loaded yet.
    account_asked: std::sync::atomic::AtomicBool,
    next_id: Mutex<u64>,
    /// Where the log is written, or why it is not (set once at start).
    pub log_dir: std::sync::OnceLock<std::result::Result<std::path::PathBuf, Message>>,
    /// Whether the window is on screen: its countdown texts are redrawn only then.
    pub window_shown: tokio::sync::watch::Sender<bool>,
    /// The language chosen in the window (`None`: the system's); a change
    /// redraws the tray and the accounts at once.
    pub language_choice: tokio::sync::watch::Sender<Option<Language>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    pub fn new(options: LaunchOptions) -> Self {
        let accounts = Store::open_default()
            .map_err(|e| e.message())
            .and_then(|store| AccountManager::open(store, Arc::new(SystemClock)).map_err(|e| e.message()));
        let shown = !options.hidden;
        Self {
            options,
            accounts,
            pending: Mutex::new(None),
            last_outcome: Mutex::new(None),
            account_asked: Default::default(),
            next_id: Mutex::new(0),
            log_dir: Default::default(),
            window_shown: tokio::sync::watch::Sender::new(shown),
            language_choice: tokio::sync::watch::Sender::new(None),
        }
    }

    pub fn manager(&self) -> Result<&AccountManager> {
        self.accounts.as_ref().map_err(|why| Error::new(why.clone()))
    }

    /// The report behind "Copy diagnostics": the core's, and where the log
    /// is; in English, for whoever reads the bug report.
    pub async fn diagnostics(&self) -> Result<String> {
        let mut report = format!("cells-sync {}\n", env!("CARGO_PKG_VERSION"));
        report.push_str(&match self.log_dir.get() {
            Some(Ok(dir)) => format!("log folder: {}\n", dir.display()),
            Some(Err(why)) => format!("no log: {}\n", why.say(Language::English)),
            None => "no log yet\n".to_string(),
        });
        report.push_str(&self.manager()?.diagnostics().await);
        Ok(report)
    }

    /// Why the accounts cannot be shown, in the app's language.
    pub fn startup_error(&self) -> Option<String> {
        self.accounts.as_ref().err().map(|why| why.to_string())
    }

    /// Speaks `choice` (`None`: the system's language) from now on, and
    /// redraws the tray and the accounts in it.
    pub fn choose_language(&self, choice: Option<Language>) {
        cells_auth::i18n::set_current(choice);
        self.language_choice.send_replace(choice);
    }

    /// A sign-in ended: kept for a window made later, and told to the one there is.
    pub fn finished(&self, app: &AppHandle, outcome: SignInOutcome) {
        events::sign_in_finished(app, &outcome);
        *lock(&self.last_outcome) = Some(outcome);
    }

    /// A sign-in that did not start because the server's certificate is not
    /// trusted: the window that started it asks from the error it got, and
    /// a window made later (the question left open when it was closed)
    /// asks from here, until the question is answered.
    pub fn certificate_refused(&self, err: &Error, custom_scheme: bool) {
        let Some(problem) = err.certificate() else { return };
        *lock(&self.last_outcome) =
            Some(SignInOutcome::not_started(err.to_string(), Some(problem.clone()), custom_scheme));
    }

    /// The last outcome, once answered or seen through, is not shown again.
    pub fn dismiss_outcome(&self) {
        *lock(&self.last_outcome) = None;
    }

    pub fn last_outcome(&self) -> Option<SignInOutcome> {
        lock(&self.last_outcome).clone()
    }

    pub fn ask_for_an_account(&self) {
        self.account_asked.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether the tray asked for an account before the page could hear it (once).
    pub fn take_account_asked(&self) -> bool {
        self.account_asked.swap(false, std::sync::atomic::Ordering::SeqCst)
    }

    pub fn pending(&self) -> Option<PendingView> {
        lock(&self.pending).as_ref().map(|p| p.view.clone())
    }

    /// Starts a sign-in to `server` (replacing any pending one), opens the
    /// browser and finishes in the background; the outcome arrives as the
    /// `sign-in-finished` event.
    pub async fn start_sign_in(
        &self,
        app: &AppHandle,
        server: &str,
        custom_scheme: bool,
        trust: Option<ServerTrust>,
    ) -> Result<PendingView> {
        let server = ServerUrl::parse(server)?;
        self.cancel_sign_in().await;
        self.dismiss_outcome();
        let redirect = match (custom_scheme, self.options.dev_redirect) {
            (true, _) => RedirectMode::CustomScheme,
            (false, true) => RedirectMode::Development,
            (false, false) => RedirectMode::Loopback,
        };
        let options = SignInOptions { redirect, timeout: SIGN_IN_TIMEOUT, opener: Some(opener(app)), trust };
        let sign_in = SignIn::start(self.manager()?, server, options).await?;
        let control = sign_in.control();
        let id = {
            let mut next = lock(&self.next_id);
            *next += 1;
            *next
        };
        let view = PendingView { id, pending: control.pending().clone(), browser_error: control.open_browser().err() };
        *lock(&self.pending) = Some(Pending { view: view.clone(), control });
        events::pending_changed(app, Some(&view));

        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let outcome = match sign_in.account().await {
                Ok(account) => SignInOutcome {
                    id,
                    ok: true,
                    cancelled: false,
                    message: text(
                        "app-signed-in",
                        &[
                            ("user", Arg::Text(&account.user)),
                            ("server", Arg::Text(&cells_auth::view::server_name(&account))),
                        ],
                    ),
                    account_id: Some(account.id),
                    certificate: None,
                    custom_scheme: false,
                },
                Err(err) => SignInOutcome {
                    id,
                    ok: false,
                    cancelled: matches!(err, SignInError::Cancelled),
                    message: err.to_string(),
                    account_id: None,
                    certificate: None,
                    custom_scheme: false,
                },
            };
            let state = app.state::<AppState>();
            {
                let mut pending = lock(&state.pending);
                if pending.as_ref().is_some_and(|p| p.view.id == id) {
                    *pending = None;
                }
            }
            events::pending_changed(&app, state.pending().as_ref());
            state.finished(&app, outcome);
        });
        Ok(view)
    }

    /// A new sign-in to the server of an account (from the window or the tray).
    pub async fn reauthenticate(&self, app: &AppHandle, account_id: &str) -> Result<PendingView> {
        let server = self.manager()?.account(account_id)?.account.server;
        self.start_sign_in(app, &server, false, None).await
    }

    /// Cancels the pending sign-in, if any, and returns once its port is free.
    pub async fn cancel_sign_in(&self) {
        if let Some(control) = self.pending_control() {
            control.cancel().await;
        }
    }

    /// Opens the pending sign-in's page again.
    pub fn reopen_browser(&self) -> Result<()> {
        self.waiting_control()?.open_browser().map_err(|why| Error::new(Message::verbatim(why)))
    }

    /// Hands the address a browser elsewhere ended on to the pending sign-in.
    pub fn deliver_address(&self, address: &str) -> Result<()> {
        Ok(self.waiting_control()?.deliver_address(address)?)
    }

    /// Hands a `cellsauth://callback` link to the pending sign-in.
    pub fn deliver_link(&self, link: &str) -> std::result::Result<(), AnswerError> {
        self.pending_control().ok_or(AnswerError::NothingPending)?.deliver_link(link)
    }

    /// The pending sign-in's control, if one is pending.
    fn pending_control(&self) -> Option<SignInControl> {
        lock(&self.pending).as_ref().map(|p| p.control.clone())
    }

    fn waiting_control(&self) -> Result<SignInControl> {
        self.pending_control().ok_or_else(|| Error::new(Message::new("app-no-sign-in-waiting")))
    }
}

/// `BROWSER` when set, as in the CLI; otherwise the opener plugin.
fn opener(app: &AppHandle) -> Opener {
    let app = app.clone();
    Arc::new(move |url: &str| {
        cells_auth::browser::open_with(url, |url| {
            use tauri_plugin_opener::OpenerExt;
            app.opener()
                .open_url(url, None::<&str>)
                .map_err(|e| text("app-browser-not-opened", &[("reason", Arg::Text(&e.to_string()))]))
        })
    })
}
