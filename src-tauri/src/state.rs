//! What the app holds: the account manager of the core, and the one sign-in
//! that may be pending. Every decision about tokens stays in `cells-auth`;
//! this only starts, cancels and reports sign-ins.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cells_auth::clock::SystemClock;
use cells_auth::discovery::ServerUrl;
use cells_auth::flow::{DeepLinkError, DeepLinkInbox, RedirectMode, SignIn};
use cells_auth::http::HttpClient;
use cells_auth::manager::AccountManager;
use cells_auth::store::Store;
use serde::Serialize;
use tauri::{AppHandle, Manager};
use tokio::sync::oneshot;

use crate::error::{Error, Result};
use crate::events;

/// How long a sign-in waits for the browser.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(10 * 60);

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
}

impl LaunchOptions {
    pub fn from_env() -> Self {
        let env = |key: &str| std::env::var(key).ok().filter(|v| !v.trim().is_empty());
        Self {
            dev_redirect: std::env::args().any(|a| a == "--dev-redirect")
                || env("CELLS_SYNC_DEV_REDIRECT").is_some_and(|v| v == "1"),
            demo_server: env("CELLS_SYNC_DEMO_SERVER"),
            demo_hint: env("CELLS_SYNC_DEMO_HINT"),
        }
    }
}

/// The pending sign-in, as the window shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PendingView {
    pub id: u64,
    pub server: String,
    pub authorization_url: String,
    /// The loopback port held, or none for a `cellsauth://` sign-in.
    pub port: Option<u16>,
    pub custom_scheme: bool,
    /// Why the browser did not open, if it did not.
    pub browser_error: Option<String>,
}

struct Pending {
    view: PendingView,
    cancel: Option<oneshot::Sender<()>>,
    /// Resolves when the sign-in has ended and its listener is closed.
    done: Option<oneshot::Receiver<()>>,
    inbox: Option<DeepLinkInbox>,
}

/// How a sign-in ended, sent to the window as `sign-in-finished`.
#[derive(Debug, Clone, Serialize)]
pub struct SignInOutcome {
    pub id: u64,
    pub ok: bool,
    pub cancelled: bool,
    pub message: String,
    pub account_id: Option<String>,
}

pub struct AppState {
    pub options: LaunchOptions,
    http: HttpClient,
    /// The store and manager, or why they could not be opened (a damaged
    /// account file, no config directory): shown in the window.
    accounts: std::result::Result<(Store, AccountManager), String>,
    pending: Mutex<Option<Pending>>,
    next_id: Mutex<u64>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    pub fn new(options: LaunchOptions) -> Self {
        let http = cells_auth::http::client();
        let accounts = Store::open_default().map_err(|e| e.to_string()).and_then(|store| {
            AccountManager::new(store.clone(), http.clone(), Arc::new(SystemClock))
                .map(|manager| (store, manager))
                .map_err(|e| e.to_string())
        });
        Self { options, http, accounts, pending: Mutex::new(None), next_id: Mutex::new(0) }
    }

    pub fn manager(&self) -> Result<&AccountManager> {
        self.accounts.as_ref().map(|(_, manager)| manager).map_err(Error::new)
    }

    pub fn startup_error(&self) -> Option<String> {
        self.accounts.as_ref().err().cloned()
    }

    fn store(&self) -> Result<&Store> {
        self.accounts.as_ref().map(|(store, _)| store).map_err(Error::new)
    }

    pub fn pending(&self) -> Option<PendingView> {
        lock(&self.pending).as_ref().map(|p| p.view.clone())
    }

    /// Starts a sign-in to `server` (replacing any pending one), opens the
    /// browser and finishes in the background; the outcome arrives as the
    /// `sign-in-finished` event.
    pub async fn start_sign_in(&self, app: &AppHandle, server: &str, custom_scheme: bool) -> Result<PendingView> {
        let server = ServerUrl::parse(server)?;
        self.cancel_sign_in().await;
        let mode = match (custom_scheme, self.options.dev_redirect) {
            (true, _) => RedirectMode::CustomScheme,
            (false, true) => RedirectMode::Development,
            (false, false) => RedirectMode::Loopback,
        };
        let store = self.store()?.clone();
        let sign_in = SignIn::start(&self.http, &store, server, mode).await?;
        let id = {
            let mut next = lock(&self.next_id);
            *next += 1;
            *next
        };
        let browser_error = open_browser(app, sign_in.authorization_url()).err();
        let view = PendingView {
            id,
            server: sign_in.server().to_string(),
            authorization_url: sign_in.authorization_url().to_string(),
            port: sign_in.port(),
            custom_scheme,
            browser_error,
        };
        let (cancel, cancelled) = oneshot::channel::<()>();
        let (finished, done) = oneshot::channel::<()>();
        *lock(&self.pending) = Some(Pending {
            view: view.clone(),
            cancel: Some(cancel),
            done: Some(done),
            inbox: sign_in.deep_link_inbox(),
        });
        events::pending_changed(app, Some(&view));

        let (app, http, manager) = (app.clone(), self.http.clone(), self.manager()?.clone());
        tauri::async_runtime::spawn(async move {
            let cancel = async {
                // A dropped sender (the app quitting) cancels too.
                let _ = cancelled.await;
            };
            let result = sign_in.finish(&http, &store, Arc::new(SystemClock), SIGN_IN_TIMEOUT, cancel).await;
            let outcome = match result {
                Ok(account) => {
                    let message = format!("Signed in as {} on {}", account.user, account.server_name());
                    let account_id = Some(account.id.clone());
                    manager.signed_in(account);
                    SignInOutcome { id, ok: true, cancelled: false, message, account_id }
                }
                Err(err) => {
                    let cancelled = matches!(err, cells_auth::flow::FlowError::Cancelled);
                    SignInOutcome { id, ok: false, cancelled, message: err.to_string(), account_id: None }
                }
            };
            let state = app.state::<AppState>();
            {
                let mut pending = lock(&state.pending);
                if pending.as_ref().is_some_and(|p| p.view.id == id) {
                    *pending = None;
                }
            }
            let _ = finished.send(());
            events::pending_changed(&app, state.pending().as_ref());
            events::sign_in_finished(&app, &outcome);
        });
        Ok(view)
    }

    /// Cancels the pending sign-in, if any, and returns once its listener is
    /// closed (the port is free again).
    pub async fn cancel_sign_in(&self) {
        let taken = lock(&self.pending).as_mut().map(|p| (p.cancel.take(), p.done.take()));
        if let Some((cancel, done)) = taken {
            if let Some(cancel) = cancel {
                let _ = cancel.send(());
            }
            if let Some(done) = done {
                let _ = tokio::time::timeout(Duration::from_secs(10), done).await;
            }
        }
    }

    /// Opens the pending sign-in's page again.
    pub fn reopen_browser(&self, app: &AppHandle) -> Result<()> {
        let url = self.pending().map(|p| p.authorization_url).ok_or_else(|| Error::new("no sign-in is waiting"))?;
        open_browser(app, &url).map_err(Error::new)
    }

    /// Hands a `cellsauth://callback` link to the pending sign-in.
    pub fn deliver_link(&self, link: &str) -> std::result::Result<(), DeepLinkError> {
        let inbox = lock(&self.pending).as_ref().and_then(|p| p.inbox.clone());
        match inbox {
            Some(inbox) => inbox.deliver(link),
            None => Err(DeepLinkError::NothingPending),
        }
    }
}

/// `BROWSER` when set, as in the CLI; otherwise the opener plugin.
fn open_browser(app: &AppHandle, url: &str) -> std::result::Result<(), String> {
    if std::env::var_os(cells_auth::browser::BROWSER_ENV).is_some_and(|v| !v.is_empty()) {
        return cells_auth::browser::open(url);
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener().open_url(url, None::<&str>).map_err(|e| format!("the browser could not be opened ({e})"))
}
