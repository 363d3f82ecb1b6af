#!/bin/sh
# Installs what building and testing need and is missing, on Debian 12 (or a
# derivative): Debian packages, the test provider's npm packages. Uses sudo
# when not run as root. Safe to run again: it does nothing when all is there.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)

# Build: a C toolchain, D-Bus headers (keyring) and the Tauri/WebKitGTK stack.
# Tests: the real Secret Service (gnome-keyring on a private session bus),
# secret-tool to read it back, dbus-monitor to see notifications, Xvfb,
# WebKitWebDriver and Chromium; nginx (a TLS reverse proxy in front of the
# test provider) and tinyproxy (a corporate proxy), which the tests start on
# free ports of their own: the packages' system services are not used.
# hyperfine times whole processes for make bench. The package checks:
# dpkg-deb, desktop-file-validate and update-desktop-database, appstreamcli,
# systemd-analyze and systemd-socket-activate (the agent's user units), gio.
# The other desktops (scripts/platforms.sh): Debian's Rust with its standard
# library's source and clippy, to check for Windows and macOS; MinGW-w64 to
# link cells-auth.exe, and Wine to run it. Consumers of tokens: rclone (a
# WebDAV sync with a bearer token command) and oidc-agent's oidc-token (the
# yardstick of make bench).
packages="rustc-web cargo-web rust-web-src rust-web-clippy gcc-mingw-w64-x86-64 wine64
  build-essential pkg-config libdbus-1-dev dbus dbus-bin gnome-keyring libsecret-tools
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
  xvfb xauth webkit2gtk-driver chromium openssl time
  nginx tinyproxy hyperfine rclone oidc-agent-cli
  dpkg desktop-file-utils appstream systemd libglib2.0-bin"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=""
for package in $packages; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi
if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    as_root apt-get update -qq
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo is missing: install Rust 1.89 or newer with rustup (https://rustup.rs)" >&2
    exit 1
fi

# oidc-provider 9 needs Node.js 20.19 or newer.
node_version=$(node -p 'process.versions.node')
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "setup: Node.js $node_version is too old for the test provider: install Node.js 20.19 or newer" >&2
    exit 1
fi

# tauri-driver, the WebDriver bridge for the window tests, in a local tools folder.
if [ ! -x "$root/.tools/bin/tauri-driver" ]; then
    echo "setup: cargo install tauri-driver"
    cargo install tauri-driver --version '^2' --locked --root "$root/.tools" --quiet
fi

# The test provider's packages (and playwright-core, which drives Debian's Chromium), exactly as locked.
idp="$root/tests/idp"
if [ ! -f "$idp/node_modules/.package-lock.json" ] || [ "$idp/package-lock.json" -nt "$idp/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in tests/idp"
    (cd "$idp" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Ory Hydra, Cells' own OpenID provider, built from its release with Go (cached per version).
"$root/scripts/hydra.sh"
