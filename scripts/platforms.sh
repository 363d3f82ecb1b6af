#!/bin/sh
# The other two desktops, from this Linux machine, with Debian's compiler
# and its standard library's source (rustc-web, cargo-web, rust-web-src):
#
#   scripts/platforms.sh check     type-check and lint (clippy, warnings denied)
#                                  the library, the command line and the app for
#                                  x86_64-pc-windows-gnu and aarch64-apple-darwin
#   scripts/platforms.sh windows   build cells-auth.exe (MinGW-w64 links it) and
#                                  the test-only bcryptprimitives.dll Wine lacks,
#                                  into target/windows/
#
# The standard libraries built for those targets, and their dependencies,
# are kept outside the clone, keyed by the compiler's version: a new clone
# on this machine starts from them.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

rustc=/usr/bin/rustc
cargo=/usr/bin/cargo
for tool in "$rustc" "$cargo" /usr/bin/cargo-clippy; do
    if [ ! -x "$tool" ]; then
        echo "platforms: $tool is missing: run make setup (it installs rustc-web, cargo-web, rust-web-src, rust-web-clippy)" >&2
        exit 1
    fi
done
version=$("$rustc" -vV | sed -n 's/^commit-hash: //p' | cut -c1-12)
cache="${CELLS_PLATFORMS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cells-auth-platforms}/rustc-$version"
mkdir -p "$cache"

# Debian's cargo finds Debian's cargo-clippy first on PATH; RUSTC_BOOTSTRAP
# lets its stable compiler build std (-Zbuild-std).
export PATH="/usr/bin:$PATH" RUSTC="$rustc" RUSTC_BOOTSTRAP=1
# ring's build script compiles C for Apple targets, which wants the macOS
# SDK's headers: a check links nothing, so stand-ins write empty objects.
export CC_aarch64_apple_darwin="$root/scripts/platforms/stand-in-cc"
export AR_aarch64_apple_darwin="$root/scripts/platforms/stand-in-ar"
# tauri-build reads the frontend and icons; the Windows resource needs icons/icon.ico.

check() {
    target=$1
    echo "platforms: clippy for $target"
    "$cargo" clippy --locked -Zbuild-std=std,panic_abort --target "$target" --target-dir "$cache/check" \
        -p cells-auth -p cells-sync-app --all-targets -- -D warnings
}

windows() {
    echo "platforms: cells-auth.exe"
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
        "$cargo" build --locked -Zbuild-std=std,panic_unwind --target x86_64-pc-windows-gnu \
        --target-dir "$cache/build" -p cells-auth --bin cells-auth
    mkdir -p target/windows
    cp "$cache/build/x86_64-pc-windows-gnu/debug/cells-auth.exe" target/windows/
    x86_64-w64-mingw32-gcc -O2 -shared -o target/windows/bcryptprimitives.dll \
        tests/wine/bcryptprimitives.c -ladvapi32
}

case "${1:-}" in
    check)
        check x86_64-pc-windows-gnu
        check aarch64-apple-darwin
        ;;
    windows) windows ;;
    *)
        echo "usage: scripts/platforms.sh check|windows" >&2
        exit 2
        ;;
esac
