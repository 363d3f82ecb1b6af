#!/bin/sh
# Runs a command in a private D-Bus session with an unlocked gnome-keyring
# (the real Secret Service), in a throwaway HOME, and stops both afterwards.
#
#   scripts/with-keyring.sh cargo test
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ "${CELLS_KEYRING_INNER:-}" != 1 ]; then
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/cells-keyring.XXXXXX")
    # A desktop portal may have mounted its document store in the runtime dir.
    # (Under set -e a failing command in the trap would become the exit status.)
    trap 'fusermount -u "$scratch/runtime/doc" 2>/dev/null || true; rm -rf "$scratch" 2>/dev/null || true' EXIT INT TERM
    mkdir -m 700 "$scratch/home" "$scratch/runtime"
    # cargo and rustup live under the real HOME; keep them there.
    export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
    export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
    # Go's build and module caches, and Ory Hydra built once per machine, stay in the real HOME.
    if command -v go >/dev/null 2>&1; then
        GOCACHE="${GOCACHE:-$(go env GOCACHE)}" GOMODCACHE="${GOMODCACHE:-$(go env GOMODCACHE)}"
        export GOCACHE GOMODCACHE
    fi
    CELLS_HYDRA="${CELLS_HYDRA:-$("$here/hydra.sh" --path)}"
    export CELLS_HYDRA
    export HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/runtime"
    export XDG_CONFIG_HOME="$scratch/home/.config" XDG_DATA_HOME="$scratch/home/.local/share"
    export CELLS_KEYRING_INNER=1
    status=0
    dbus-run-session -- "$here/with-keyring.sh" "$@" || status=$?
    exit "$status"
fi

# Inside the session bus: start the keyring in the foreground so that its pid
# is ours to stop, unlocked with a throwaway password.
printf 'throwaway' | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
keyring_pid=$!
trap 'kill "$keyring_pid" 2>/dev/null || true; wait "$keyring_pid" 2>/dev/null || true' EXIT INT TERM
# Wait until it owns org.freedesktop.secrets on the bus (a few ms usually).
tries=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ] || ! kill -0 "$keyring_pid" 2>/dev/null; then
        echo "with-keyring: gnome-keyring-daemon did not start its Secret Service" >&2
        exit 1
    fi
    sleep 0.1
done
# Tests that stall the keyring (SIGSTOP) find it by this pid.
export CELLS_KEYRING_PID="$keyring_pid"
status=0
"$@" || status=$?
exit "$status"
