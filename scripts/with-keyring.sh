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
# is ours to stop, unlocked with a throwaway password. Should it ever exit, it
# is said on stderr with its last words and started again, unlocked, on the same
# keyring files: a keyring that D-Bus would start in its place is locked and
# prompts, which would turn one lost daemon into every later test failing.
keyring_dir="$XDG_RUNTIME_DIR/keyring-daemon"
mkdir -p "$keyring_dir"
keyring_log="$keyring_dir/log" pid_file="$keyring_dir/pid" stopping="$keyring_dir/stopping"
(
    while :; do
        printf 'throwaway' | gnome-keyring-daemon --replace --foreground --unlock --components=secrets >"$keyring_log" 2>&1 &
        echo $! >"$pid_file"
        status=0
        wait $! || status=$?
        [ -e "$stopping" ] && exit 0
        echo "with-keyring: gnome-keyring-daemon exited with status $status; starting it again. Its last lines:" >&2
        tail -n 20 "$keyring_log" >&2 || true
    done
) &
supervisor_pid=$!
trap 'touch "$stopping"; kill "$(cat "$pid_file")" 2>/dev/null || true; wait "$supervisor_pid" 2>/dev/null || true' EXIT INT TERM
# Wait until it owns org.freedesktop.secrets on the bus (a few ms usually).
tries=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ] || ! kill -0 "$supervisor_pid" 2>/dev/null; then
        echo "with-keyring: gnome-keyring-daemon did not start its Secret Service" >&2
        cat "$keyring_log" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 0.1
done
# Tests that stall the keyring (SIGSTOP) read its current pid from this file.
export CELLS_KEYRING_PID_FILE="$pid_file"
status=0
"$@" || status=$?
exit "$status"
