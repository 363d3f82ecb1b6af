# make test: every test, unit and end-to-end, against the bundled OpenID
#            provider, in a private D-Bus session with a real gnome-keyring.
# make run:  the desktop app, signed in to the bundled demo provider through your browser.
# make bench, make package: see below.

CARGO ?= cargo

.PHONY: all setup build test run bench package check-platforms

all: build

setup:
	@scripts/setup.sh

build: setup
	$(CARGO) build --locked --workspace --exclude bare-window

# The CLI under test can stop at failpoints (crash-safety tests); the window
# tests need a display (Xvfb), the session bus and the keyring; the Windows
# command line runs under Wine (tests/tests/windows.rs).
test: setup package check-platforms
	$(CARGO) build --locked -p cells-auth --features failpoints
	$(CARGO) build --locked -p cells-sync-app
	scripts/platforms.sh windows
	xvfb-run -a -s "-screen 0 1280x900x24" scripts/with-keyring.sh $(CARGO) test --locked --workspace --exclude bare-window --no-fail-fast

# Windows and macOS: the library, the command line and the app type-checked
# and linted (clippy, warnings denied) with Debian's compiler, which builds
# those targets' standard libraries (kept outside the clone, by version).
check-platforms: setup
	scripts/platforms.sh check

# The desktop app on the bundled demo provider.
run: build
	@scripts/demo.sh

# The .deb and the .rpm, by Tauri's bundler: both programs, cells-auth's man
# pages and shell completions (written from its clap definition), the
# agent's systemd user units, the desktop file, icons and AppStream metainfo.
# The release binaries are built once, here; make test checks the .deb.
package: setup
	# npm ci refuses a lock without the other platforms' optional CLI binaries; the version is pinned exactly.
	npm install --no-audit --no-fund --loglevel=error
	$(CARGO) build --locked --release -p cells-auth --bins
	rm -rf target/package
	target/release/cells-auth-assets target/package
	gzip -9n target/package/man/*.1
	npx tauri build --bundles deb,rpm -- --locked
	@ls target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm

# One table, printed and written to target/bench/summary.md: each figure
# beside its floor measured in the same run (README, "Speed"). In process
# (criterion): access_token() on a cached token, 10,000 callers across an
# expiry. Whole processes (hyperfine, release builds): token, refresh,
# login, status; the desktop app beside a bare Tauri window.
bench: setup
	CRITERION_HOME=$(CURDIR)/target/criterion $(CARGO) bench --locked -p cells-auth --bench access_token
	$(CARGO) build --locked --release -p cells-auth -p cells-sync-app -p bare-window
	xvfb-run -a -s "-screen 0 1280x900x24" scripts/with-keyring.sh $(CARGO) bench --locked -p cells-auth-e2e --bench summary
