//! Cells' own sign-in engine: Ory Hydra v2.3.0 (fosite), built from its
//! source release by `scripts/hydra.sh`, configured as Cells configures it
//! and served behind nginx under `<server>/oidc/`, with the login and
//! consent app of `tests/hydra/login.mjs` playing Cells' login page.
//!
//! What Hydra did is read from its own request log: token responses,
//! refusals, revocations, and the refresh tokens it saw spent twice.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::tls::{free_port, path_str, spawn_nginx, stop, wait_for_port};
use crate::{http_exchange, listening_port, repo_root, TempDir, COMMAND_DEADLINE};

/// The Hydra release the tests build and run.
pub const HYDRA_VERSION: &str = "v2.3.0";

/// The Hydra binary `scripts/hydra.sh` built: `CELLS_HYDRA`, else the cache.
pub fn hydra_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("CELLS_HYDRA") {
        return PathBuf::from(path);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .expect("HOME is set");
    cache.join("cells-auth-hydra").join(HYDRA_VERSION).join("hydra")
}

/// How a Hydra of the tests is set up.
#[derive(Clone, Debug)]
pub struct HydraOptions {
    /// Where Cells is mounted on the server: "" (`/oidc/`) or "/cells" (`/cells/oidc/`).
    pub base_path: &'static str,
    /// The access tokens' lifetime, in Hydra's words ("10m", "5s").
    pub access_token_lifetime: &'static str,
    /// A WebDAV server nginx serves under `/dav/` to bearers of an active access token.
    pub dav_upstream: Option<u16>,
}

impl Default for HydraOptions {
    fn default() -> Self {
        Self { base_path: "", access_token_lifetime: "10m", dav_upstream: None }
    }
}

/// What Hydra logged of one request it answered.
#[derive(Clone, Debug)]
pub struct Served {
    pub method: String,
    /// The path Hydra saw (nginx took off `/oidc`).
    pub path: String,
    pub status: u16,
}

/// Hydra, its login app and nginx in front: stopped by pid on drop, in
/// that order.
pub struct Hydra {
    nginx: Child,
    hydra: Child,
    login: Child,
    _dir: TempDir,
    pub port: u16,
    admin_port: u16,
    options: HydraOptions,
    served: Arc<Mutex<Vec<Served>>>,
    errors: Arc<Mutex<Vec<String>>>,
    _login_lifeline: std::process::ChildStdin,
}

impl Hydra {
    pub fn start() -> Self {
        Self::start_with(HydraOptions::default())
    }

    pub fn start_with(options: HydraOptions) -> Self {
        let bin = hydra_bin();
        assert!(bin.exists(), "no Hydra at {}: run scripts/hydra.sh (make test does)", bin.display());
        let dir = TempDir::new("hydra");
        let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let (port, public_port, admin_port) = (free_port(localhost), free_port(localhost), free_port(localhost));
        let (login, login_port, lifeline) = start_login_app(admin_port);
        let base = options.base_path;
        let server = format!("http://127.0.0.1:{port}{base}");
        let dsn = format!("sqlite://{}/hydra.sqlite?_fk=true", dir.path().display());
        // As Cells configures it: the issuer with its trailing slash, opaque
        // access tokens, refresh tokens rotating with no grace period.
        let config = format!(
            r#"dsn: "{dsn}"
serve:
  public: {{ host: 127.0.0.1, port: {public_port} }}
  admin: {{ host: 127.0.0.1, port: {admin_port} }}
urls:
  self: {{ issuer: "{server}/oidc/", public: "{server}/oidc/" }}
  login: "{server}/login"
  consent: "{server}/consent"
  logout: "{server}/logout"
secrets: {{ system: ["{secret}"] }}
strategies: {{ access_token: opaque }}
ttl: {{ access_token: {ttl}, id_token: 1h, refresh_token: 1440h }}
oauth2:
  grant: {{ refresh_token: {{ rotation_grace_period: 0s }} }}
log: {{ level: debug, format: json }}
"#,
            secret = random_hex(32),
            ttl = options.access_token_lifetime,
        );
        let config_path = dir.path().join("hydra.yml");
        std::fs::write(&config_path, config).expect("hydra.yml");
        let migrated = Command::new(&bin)
            .args(["migrate", "sql", "up", "--read-from-env", "--yes"])
            .env("DSN", &dsn)
            .output()
            .expect("run hydra migrate");
        assert!(migrated.status.success(), "hydra migrate: {}", String::from_utf8_lossy(&migrated.stderr));
        let mut hydra = Command::new(&bin)
            // --dev: an http issuer, as the tests' servers are on loopback.
            .args(["serve", "all", "--dev", "--config", path_str(&config_path)])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hydra");
        let served = Arc::new(Mutex::new(Vec::new()));
        let errors = Arc::new(Mutex::new(Vec::new()));
        for output in [
            Box::new(hydra.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(hydra.stderr.take().expect("stderr")),
        ] {
            let (served, errors) = (served.clone(), errors.clone());
            std::thread::spawn(move || read_log(output, &served, &errors));
        }
        wait_for_port(SocketAddr::new(localhost, admin_port), "hydra", &mut hydra);
        wait_for_port(SocketAddr::new(localhost, public_port), "hydra", &mut hydra);
        let nginx_dir = dir.path().join("nginx");
        let mut nginx = start_nginx(&nginx_dir, port, public_port, login_port, &options);
        wait_for_port(SocketAddr::new(localhost, port), "nginx", &mut nginx);
        let hydra = Self {
            nginx,
            hydra,
            login,
            _dir: dir,
            port,
            admin_port,
            options,
            served,
            errors,
            _login_lifeline: lifeline,
        };
        hydra.create_clients();
        hydra
    }

    /// The server address a user types.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.options.base_path)
    }

    pub fn issuer(&self) -> String {
        format!("{}/oidc/", self.url())
    }

    /// The three clients of a Cells server, as `../shared/cells-reference.md`
    /// lists them.
    fn create_clients(&self) {
        let public = |id: &str, redirect_uris: Vec<String>| {
            json!({
                "client_id": id,
                "client_name": id,
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "scope": "openid email profile pydio offline",
                "redirect_uris": redirect_uris,
            })
        };
        let development = "http://localhost:3000/servers/callback".to_string();
        let mut loopback: Vec<String> =
            (3636..=3666).map(|port| format!("http://localhost:{port}/servers/callback")).collect();
        loopback.push(development.clone());
        for client in [
            public("cells-sync", loopback),
            public("cells-client", vec![development, format!("{}/oauth2/oob", self.url())]),
            public("cells-mobile", vec!["cellsauth://callback".to_string()]),
        ] {
            let (status, body) = self.admin("POST", "/admin/clients", &client.to_string(), "application/json");
            assert_eq!(status, 201, "create client: {body}");
        }
    }

    fn admin(&self, method: &str, path: &str, body: &str, content_type: &str) -> (u16, String) {
        http_exchange(self.admin_port, method, path, &[("content-type", content_type)], body)
    }

    /// Hydra's introspection of a token: is it an active access token?
    pub fn is_active(&self, access_token: &str) -> bool {
        let form = url::form_urlencoded::Serializer::new(String::new()).append_pair("token", access_token).finish();
        let (status, body) = self.admin("POST", "/admin/oauth2/introspect", &form, "application/x-www-form-urlencoded");
        assert_eq!(status, 200, "introspection: {body}");
        let answer: Value = serde_json::from_str(&body).expect("introspection JSON");
        answer["active"] == true && answer["token_use"] == "access_token"
    }

    /// The same question asked at the public userinfo endpoint, through
    /// nginx, as a consumer's request would be: its status.
    pub fn userinfo_status(&self, access_token: &str) -> u16 {
        let bearer = format!("Bearer {access_token}");
        let path = format!("{}/oidc/userinfo", self.options.base_path);
        http_exchange(self.port, "GET", &path, &[("authorization", &bearer)], "").0
    }

    /// Spends a refresh token at the token endpoint as a client would: (status, body).
    pub fn try_refresh(&self, refresh_token: &str) -> (u16, Value) {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", "cells-sync"),
            ])
            .finish();
        let path = format!("{}/oidc/oauth2/token", self.options.base_path);
        let (status, body) =
            http_exchange(self.port, "POST", &path, &[("content-type", "application/x-www-form-urlencoded")], &form);
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// Revokes a refresh token at Hydra's public endpoint, as the client
    /// would: the HTTP status.
    pub fn revoke(&self, token: &str) -> u16 {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("token", token), ("client_id", "cells-sync")])
            .finish();
        let path = format!("{}/oidc/oauth2/revoke", self.options.base_path);
        http_exchange(self.port, "POST", &path, &[("content-type", "application/x-www-form-urlencoded")], &form).0
    }

    /// Every request Hydra logged it answered, in order.
    pub fn served(&self) -> Vec<Served> {
        self.served.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The statuses of the token endpoint's answers (code exchanges and
    /// refreshes), from Hydra's log.
    pub fn token_statuses(&self) -> Vec<u16> {
        self.served()
            .into_iter()
            .filter(|s| s.method == "POST" && s.path == "/oauth2/token")
            .map(|s| s.status)
            .collect()
    }

    /// Token requests Hydra granted.
    pub fn tokens_granted(&self) -> usize {
        self.token_statuses().into_iter().filter(|status| *status == 200).count()
    }

    /// Refreshes Hydra granted: the token endpoint's grants less the code
    /// exchanges, one per consent accepted.
    pub fn refreshes(&self) -> usize {
        let consents = self
            .served()
            .into_iter()
            .filter(|s| s.method == "PUT" && s.path == "/admin/oauth2/auth/requests/consent/accept" && s.status == 200)
            .count();
        self.tokens_granted().saturating_sub(consents)
    }

    /// Token requests Hydra refused.
    pub fn tokens_refused(&self) -> usize {
        self.token_statuses().into_iter().filter(|status| *status >= 400).count()
    }

    /// Revocation requests Hydra answered.
    pub fn revocations(&self) -> usize {
        self.served().into_iter().filter(|s| s.method == "POST" && s.path == "/oauth2/revoke").count()
    }

    /// Refresh tokens Hydra saw spent a second time (fosite then revokes the chain).
    pub fn replays(&self) -> usize {
        self.errors().iter().filter(|e| is_replay(e)).count()
    }

    /// The errors Hydra logged (debug level), as JSON text.
    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits (bounded) until Hydra has logged `count` answers of the token endpoint.
    pub fn wait_for_token_answers(&self, count: usize) {
        let start = Instant::now();
        while self.token_statuses().len() < count {
            assert!(start.elapsed() < COMMAND_DEADLINE, "Hydra logged {:?}", self.token_statuses());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Hydra {
    fn drop(&mut self) {
        stop(&mut self.nginx);
        stop(&mut self.hydra);
        stop(&mut self.login);
    }
}

/// fosite's words, logged at debug level, for a refresh token used again.
fn is_replay(error: &str) -> bool {
    error.contains("Refresh token re-use was detected")
}

fn read_log(output: impl std::io::Read, served: &Mutex<Vec<Served>>, errors: &Mutex<Vec<String>>) {
    for line in BufReader::new(output).lines().map_while(Result::ok) {
        let Ok(entry) = serde_json::from_str::<Value>(&line) else { continue };
        if std::env::var_os("CELLS_TEST_HYDRA_LOG").is_some() {
            eprintln!("[hydra] {line}");
        }
        if entry["msg"] == "completed handling request" {
            let request = &entry["http_request"];
            served.lock().unwrap_or_else(|e| e.into_inner()).push(Served {
                method: request["method"].as_str().unwrap_or_default().to_string(),
                path: request["path"].as_str().unwrap_or_default().to_string(),
                status: entry["http_response"]["status"].as_u64().unwrap_or(0) as u16,
            });
        } else if entry.get("error").is_some() {
            errors.lock().unwrap_or_else(|e| e.into_inner()).push(entry["error"].to_string());
        }
    }
}

fn start_login_app(admin_port: u16) -> (Child, u16, std::process::ChildStdin) {
    let mut child = Command::new("node")
        .arg(repo_root().join("tests/hydra/login.mjs"))
        .args(["--admin", &format!("http://127.0.0.1:{admin_port}"), "--exit-with-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start node tests/hydra/login.mjs");
    let lifeline = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let port = listening_port(&mut child, stdout, "the login app");
    (child, port, lifeline)
}

/// nginx on `port`: `<base>/oidc/` to Hydra's public port, the login pages
/// to the login app, and `/dav/` to a WebDAV server for active bearers.
fn start_nginx(dir: &std::path::Path, port: u16, public_port: u16, login_port: u16, options: &HydraOptions) -> Child {
    let base = options.base_path;
    let dav = options
        .dav_upstream
        .map(|upstream| {
            format!(
                r#"
        location /dav/ {{
            auth_request /_introspect;
            proxy_pass http://127.0.0.1:{upstream}/;
            client_max_body_size 0;
        }}
        location = /_introspect {{
            internal;
            proxy_pass http://127.0.0.1:{login_port}/_introspect;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }}"#
            )
        })
        .unwrap_or_default();
    let server = format!(
        r#"server {{
        listen 127.0.0.1:{port};
        location {base}/oidc/ {{
            proxy_pass http://127.0.0.1:{public_port}/;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
        location ~ ^{base}/(login|consent|logout)$ {{
            proxy_pass http://127.0.0.1:{login_port};
            proxy_set_header Host $http_host;
        }}{dav}
    }}"#
    );
    spawn_nginx(dir, &server)
}

fn random_hex(bytes: usize) -> String {
    let mut data = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut data))
        .expect("/dev/urandom");
    data.iter().map(|b| format!("{b:02x}")).collect()
}
