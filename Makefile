# make test: every test, unit and end-to-end, against the bundled OpenID
#            provider, in a private D-Bus session with a real gnome-keyring.
# make run:  sign in to the bundled demo provider through your browser.

CARGO ?= cargo

.PHONY: all setup build test run bench

all: build

setup:
	@scripts/setup.sh

build: setup
	$(CARGO) build --locked --workspace

# The binary under test can stop at failpoints (crash-safety tests).
test: setup
	$(CARGO) build --locked -p cells-auth --features failpoints
	scripts/with-keyring.sh $(CARGO) test --locked --workspace --no-fail-fast

run: build
	@scripts/demo.sh

# Token requests made by 10,000 concurrent access_token() calls across an
# expiry, and the cost of access_token() on a cached valid token.
bench: setup
	$(CARGO) bench --locked -p cells-auth --bench access_token
