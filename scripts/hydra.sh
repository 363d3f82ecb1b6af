#!/bin/sh
# Builds Ory Hydra, Cells' OpenID provider, for the end-to-end tests: the
# release pinned in tests/hydra/go.mod (a Go tool dependency, from the Go
# module proxy), with SQLite (its `sqlite` build tag, cgo). Built once per
# machine and version into the cache, outside the clone; does nothing when
# it is there. With --path, only prints where the binary is (or will be).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^[[:space:]]*github.com\/ory\/hydra\/v2 \(v[^ ]*\).*/\1/p' "$root/tests/hydra/go.mod" | head -n 1)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/cells-auth-hydra/$version"
if [ "${1:-}" = --path ]; then
    echo "$cache/hydra"
    exit 0
fi
if [ -x "$cache/hydra" ]; then
    exit 0
fi
if ! command -v go >/dev/null 2>&1; then
    echo "hydra: go is missing: install Go 1.26 or newer (the tests build Ory Hydra with it)" >&2
    exit 1
fi
echo "hydra: building Ory Hydra $version (once per machine, a few minutes)"
mkdir -p "$cache"
(cd "$root/tests/hydra" && CGO_ENABLED=1 go build -trimpath -tags sqlite -o "$cache/hydra.partial" github.com/ory/hydra/v2)
mv "$cache/hydra.partial" "$cache/hydra"
