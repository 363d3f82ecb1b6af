//! Where Cells servers really live: the test provider behind a real nginx
//! that terminates TLS and serves it under `/cells/`, certificates made with
//! openssl (self-signed, or signed by a test CA), and a real tinyproxy in
//! front. Every process is started on free ports and stopped by pid.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Idp, TempDir, COMMAND_DEADLINE};

/// A certificate and its key, in PEM files.
pub struct Certificate {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// Its SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` prints it.
    pub sha256: String,
    /// The SHA-256 of its public key, base64: what Chromium's
    /// `--ignore-certificate-errors-spki-list` takes.
    pub spki_sha256: String,
}

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl").args(args).stdin(Stdio::null()).output().expect("run openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

fn san_for(host: &str) -> String {
    match host.parse::<IpAddr>() {
        Ok(_) => format!("subjectAltName=IP:{host}"),
        Err(_) => format!("subjectAltName=DNS:{host}"),
    }
}

impl Certificate {
    fn described(cert: PathBuf, key: PathBuf) -> Self {
        let line = openssl(&["x509", "-in", path_str(&cert), "-noout", "-fingerprint", "-sha256"]);
        let sha256 = line.trim().rsplit('=').next().expect("a fingerprint").to_string();
        let spki_der = Command::new("sh")
            .arg("-c")
            .arg("openssl x509 -in \"$1\" -noout -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | openssl base64 -A")
            .arg("sh")
            .arg(&cert)
            .output()
            .expect("spki hash");
        let spki_sha256 = String::from_utf8_lossy(&spki_der.stdout).trim().to_string();
        Self { cert, key, sha256, spki_sha256 }
    }

    /// `openssl req -x509`: a new key and a certificate signed with it.
    fn make_self_signed(cert: &Path, key: &Path, subject: &str, extensions: &[&str]) {
        let mut args = vec!["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", subject];
        for extension in extensions {
            args.extend(["-addext", extension]);
        }
        args.extend(["-keyout", path_str(key), "-out", path_str(cert)]);
        openssl(&args);
    }

    /// A self-signed certificate for `host`, as a small server's admin makes one.
    pub fn self_signed(dir: &Path, name: &str, host: &str) -> Self {
        let (cert, key) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.key")));
        Self::make_self_signed(&cert, &key, &format!("/CN={host}/O=Cells Test {name}"), &[&san_for(host)]);
        Self::described(cert, key)
    }

    /// A private CA, as a company runs one.
    pub fn authority(dir: &Path) -> Self {
        let (cert, key) = (dir.join("test-ca.pem"), dir.join("test-ca.key"));
        let extensions = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"];
        Self::make_self_signed(&cert, &key, "/CN=Cells Test Private CA/O=Cells Test", &extensions);
        Self::described(cert, key)
    }

    /// A server certificate for `host` signed by `ca`.
    pub fn signed_by(ca: &Certificate, dir: &Path, name: &str, host: &str) -> Self {
        let (cert, key, csr, ext) = (
            dir.join(format!("{name}.pem")),
            dir.join(format!("{name}.key")),
            dir.join(format!("{name}.csr")),
            dir.join(format!("{name}.ext")),
        );
        openssl(&[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            &format!("/CN={host}/O=Cells Test"),
            "-keyout",
            path_str(&key),
            "-out",
            path_str(&csr),
        ]);
        std::fs::write(&ext, format!("{}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n", san_for(host)))
            .expect("extensions file");
        openssl(&[
            "x509",
            "-req",
            "-in",
            path_str(&csr),
            "-CA",
            path_str(&ca.cert),
            "-CAkey",
            path_str(&ca.key),
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            path_str(&ext),
            "-out",
            path_str(&cert),
        ]);
        Self::described(cert, key)
    }
}

/// A port free right now on `ip`.
pub fn free_port(ip: IpAddr) -> u16 {
    TcpListener::bind((ip, 0)).and_then(|l| l.local_addr()).expect("a free port").port()
}

/// Waits until `addr` accepts connections, or panics after the deadline.
pub fn wait_for_port(addr: std::net::SocketAddr, what: &str, child: &mut Child) {
    let start = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before listening on {addr}: {status}");
        }
        assert!(start.elapsed() < COMMAND_DEADLINE, "{what} is not listening on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn sbin(name: &str) -> PathBuf {
    ["/usr/sbin", "/usr/bin", "/sbin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from(name))
}

pub(crate) fn stop(child: &mut Child) {
    // SAFETY: a signal to our own child, by its pid.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let start = Instant::now();
    while matches!(child.try_wait(), Ok(None)) {
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.wait();
}

/// nginx, unprivileged, in the foreground, with everything it writes in
/// `dir`, serving the `server { }` blocks given. Stopped by pid with [`stop`].
pub(crate) fn spawn_nginx(dir: &Path, servers: &str) -> Child {
    let d = dir.display();
    std::fs::create_dir_all(dir.join("tmp")).expect("nginx temp dir");
    // Running as root, nginx's workers would switch to nobody; keep them ours.
    // SAFETY: geteuid has no preconditions.
    let user = if unsafe { libc::geteuid() } == 0 { "user root root;" } else { "" };
    let conf = format!(
        r#"{user}
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    {servers}
}}
"#
    );
    let conf_path = dir.join("nginx.conf");
    std::fs::write(&conf_path, conf).expect("nginx.conf");
    Command::new(sbin("nginx"))
        .args(["-p", path_str(dir), "-e", &format!("{d}/error.log"), "-c", path_str(&conf_path)])
        .args(["-g", "daemon off;"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start nginx")
}

/// nginx in front of the test provider: TLS on `host:port`, `/cells/`
/// forwarded to the provider with the headers a Cells deployment sets.
pub struct Nginx {
    child: Child,
    dir: TempDir,
    pub addr: std::net::SocketAddr,
    upstream: u16,
}

impl Nginx {
    pub fn start(addr: std::net::SocketAddr, upstream: u16, certificate: &Certificate) -> Self {
        let dir = TempDir::new("nginx");
        let mut nginx = Self { child: Self::spawn(&dir, addr, upstream, certificate), dir, addr, upstream };
        wait_for_port(addr, "nginx", &mut nginx.child);
        nginx
    }

    fn spawn(dir: &TempDir, addr: std::net::SocketAddr, upstream: u16, certificate: &Certificate) -> Child {
        let server = format!(
            r#"server {{
        listen {addr} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location /cells/ {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
    }}"#,
            cert = certificate.cert.display(),
            key = certificate.key.display(),
        );
        spawn_nginx(dir.path(), &server)
    }

    /// Replaces the server's certificate, as an admin renewing it would:
    /// nginx restarts on the same address with the new one.
    pub fn replace_certificate(&mut self, certificate: &Certificate) {
        stop(&mut self.child);
        self.child = Self::spawn(&self.dir, self.addr, self.upstream, certificate);
        wait_for_port(self.addr, "nginx", &mut self.child);
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// The test provider behind nginx, with TLS, at `https://HOST:PORT/cells`.
/// Fields drop in order: nginx, then the provider, then the certificates.
pub struct TlsServer {
    pub nginx: Nginx,
    pub idp: Idp,
    pub dir: TempDir,
    /// The address a user types.
    pub url: String,
    /// The certificate nginx presents.
    pub certificate: Certificate,
    /// The CA that signed it, when one did.
    pub ca: Option<Certificate>,
}

/// Who signs the server's certificate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    Itself,
    PrivateCa,
}

impl TlsServer {
    /// On 127.0.0.1.
    pub fn start(signer: Signer) -> Self {
        Self::start_on("127.0.0.1", IpAddr::V4(Ipv4Addr::LOCALHOST), signer)
    }

    /// On this machine's own name, which proxies are used for (loopback
    /// addresses never are): the name and the address it resolves to.
    pub fn start_on_host_name(signer: Signer) -> Self {
        let name = host_name();
        let ip = (name.as_str(), 0)
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.find(|a| a.is_ipv4()))
            .unwrap_or_else(|| panic!("this machine's name {name} does not resolve"))
            .ip();
        Self::start_on(&name, ip, signer)
    }

    fn start_on(host: &str, ip: IpAddr, signer: Signer) -> Self {
        let dir = TempDir::new("tls");
        let (certificate, ca) = match signer {
            Signer::Itself => (Certificate::self_signed(dir.path(), "server", host), None),
            Signer::PrivateCa => {
                let ca = Certificate::authority(dir.path());
                (Certificate::signed_by(&ca, dir.path(), "server", host), Some(ca))
            }
        };
        let port = free_port(ip);
        let url = format!("https://{host}:{port}/cells");
        let idp = Idp::start_with(&["--public-url", &url]);
        let nginx = Nginx::start(std::net::SocketAddr::new(ip, port), idp.port, &certificate);
        Self { nginx, idp, dir, url, certificate, ca }
    }

    /// The host name the server is reached by.
    pub fn host(&self) -> &str {
        self.url.trim_start_matches("https://").split(':').next().expect("a host")
    }

    /// The PEM file a browser of the tests trusts: the CA, or the
    /// self-signed certificate itself.
    pub fn browser_trust(&self) -> &Path {
        self.ca.as_ref().map_or(&self.certificate.cert, |ca| &ca.cert)
    }

    /// A new self-signed certificate for the same host, not yet in use.
    pub fn new_certificate(&self, name: &str) -> Certificate {
        Certificate::self_signed(self.dir.path(), name, self.host())
    }
}

/// This machine's name.
pub fn host_name() -> String {
    let out = Command::new("hostname").output().expect("hostname");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A real forward proxy (tinyproxy) on loopback; every request it handles
/// is in its log.
pub struct Proxy {
    child: Child,
    dir: TempDir,
    pub port: u16,
}

impl Proxy {
    /// Allows CONNECT to `connect_port` only; with `credentials`, asks for
    /// them (407) first.
    pub fn start(connect_port: u16, credentials: Option<(&str, &str)>) -> Self {
        let dir = TempDir::new("proxy");
        let port = free_port(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let log = dir.path().join("tinyproxy.log");
        let auth = credentials.map(|(user, password)| format!("BasicAuth {user} {password}\n")).unwrap_or_default();
        // Running as root, tinyproxy would drop to nobody, who cannot write its log here.
        let user = if unsafe { libc::geteuid() } == 0 { "User root\nGroup root\n" } else { "" };
        let conf = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 60\nAllow 127.0.0.1\nConnectPort {connect_port}\n\
             LogFile \"{}\"\nLogLevel Info\nMaxClients 20\nDisableViaHeader Yes\n{auth}{user}",
            log.display()
        );
        let conf_path = dir.path().join("tinyproxy.conf");
        std::fs::write(&conf_path, conf).expect("tinyproxy.conf");
        let mut command = Command::new(sbin("tinyproxy"));
        command.args(["-d", "-c", path_str(&conf_path)]);
        let mut child =
            command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("start tinyproxy");
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    eprintln!("[tinyproxy] {line}");
                }
            });
        }
        wait_for_port(std::net::SocketAddr::from((Ipv4Addr::LOCALHOST, port)), "tinyproxy", &mut child);
        Self { child, dir, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("tinyproxy.log")).unwrap_or_default()
    }

    /// The CONNECT requests it received for `target` (`host:port`).
    pub fn connects_to(&self, target: &str) -> usize {
        self.log().lines().filter(|line| line.contains("CONNECT") && line.contains(target)).count()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}
