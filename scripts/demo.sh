#!/bin/sh
# Starts the bundled demo provider (tests/idp) and the desktop app with its
# address filled in. The provider stops when the app quits (tray > Quit).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
port=${CELLS_DEMO_PORT:-8123}
node "$root/tests/idp/server.mjs" --port "$port" >/dev/null &
idp=$!
trap 'kill "$idp" 2>/dev/null; wait "$idp" 2>/dev/null || true' EXIT INT TERM
tries=0
until node -e "fetch('http://127.0.0.1:$port/_test/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; do
    tries=$((tries + 1))
    [ "$tries" -lt 50 ] || { echo "demo: the provider did not start on port $port" >&2; exit 1; }
    sleep 0.1
done
echo "Demo Cells server: http://127.0.0.1:$port  (users: alice / alice-password, bob / bob-password)"
export CELLS_SYNC_DEMO_SERVER="http://127.0.0.1:$port"
export CELLS_SYNC_DEMO_HINT="Demo server: sign in as alice / alice-password (or bob / bob-password)"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "demo: no display; run this in a desktop session" >&2
    exit 1
fi
"$root/target/debug/cells-sync" "$@"
