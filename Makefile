# make test: every test, unit and end-to-end, against the bundled OpenID
#            provider, in a private D-Bus session with a real gnome-keyring.
# make run:  sign in to the bundled demo provider through your browser.

CARGO ?= cargo

.PHONY: all setup build test run

all: build

setup:
	@scripts/setup.sh

build: setup
	$(CARGO) build --locked --workspace

test: setup
	$(CARGO) build --locked -p cells-auth
	scripts/with-keyring.sh $(CARGO) test --locked --workspace --no-fail-fast

run: build
	@scripts/demo.sh
