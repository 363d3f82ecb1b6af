#!/bin/sh
# Starts the bundled demo provider (tests/idp) and signs in to it through the
# system browser with cells-auth. The provider stops when the sign-in ends.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
port=${CELLS_DEMO_PORT:-8123}
node "$root/tests/idp/server.mjs" --port "$port" >/dev/null &
idp=$!
trap 'kill "$idp" 2>/dev/null; wait "$idp" 2>/dev/null || true' EXIT INT TERM
# Wait for the provider to answer.
tries=0
until node -e "fetch('http://127.0.0.1:$port/_test/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; do
    tries=$((tries + 1))
    [ "$tries" -lt 50 ] || { echo "demo: the provider did not start on port $port" >&2; exit 1; }
    sleep 0.1
done
echo "Demo Cells server: http://127.0.0.1:$port  (users: alice / alice-password, bob / bob-password)"
"$root/target/debug/cells-auth" login "http://127.0.0.1:$port" "$@"
"$root/target/debug/cells-auth" status
