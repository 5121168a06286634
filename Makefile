# Rapport's two commands:
#   make run    build and start Rapport with SQLite and a demo event
#   make test   run every test (unit, integration, store contract, end2end)
# Both install what is missing first and are quick when everything is there.

SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c
.PHONY: run test tools chromium e2e-deps e2e unit lint

CARGO_LEPTOS_VERSION := 0.3.10
BINARYEN_VERSION := 123.0.0
TOOLS := $(CURDIR)/target/tools
# cargo-leptos downloads wasm-opt from GitHub unless one is on PATH; ours comes from npm.
export PATH := $(TOOLS)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

run: tools
	cargo leptos build --release
	RAPPORT_DATA_DIR="$${RAPPORT_DATA_DIR:-./data}" ./target/release/rapport serve --demo

test: tools chromium e2e-deps
	cargo test --workspace
	$(MAKE) --no-print-directory e2e

# Unit, integration and store contract tests only (no browser).
unit:
	cargo test --workspace

e2e: tools
	cargo leptos build
	cd end2end && npx playwright test

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings

tools:
	rustup target list --installed | grep -x wasm32-unknown-unknown >/dev/null || rustup target add wasm32-unknown-unknown
	if ! cargo leptos --version 2>/dev/null | grep "$(CARGO_LEPTOS_VERSION)" >/dev/null; then
	  cargo install --locked cargo-leptos --version $(CARGO_LEPTOS_VERSION)
	fi
	# The wasm-bindgen CLI must match the library version in Cargo.lock exactly.
	wbg=$$(grep -A1 '^name = "wasm-bindgen"$$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
	if ! wasm-bindgen --version 2>/dev/null | grep " $$wbg$$" >/dev/null; then
	  cargo install wasm-bindgen-cli --version "$$wbg"
	fi
	# Debian's binaryen is too old for today's Rust output; npm's is current.
	if ! [ -x "$(TOOLS)/node_modules/.bin/wasm-opt" ]; then
	  mkdir -p "$(TOOLS)" && cd "$(TOOLS)"
	  [ -f package.json ] || echo '{"private":true}' > package.json
	  npm install --no-audit --no-fund --silent binaryen@$(BINARYEN_VERSION)
	fi

chromium:
	if ! [ -x /usr/bin/chromium ]; then
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium
	fi

e2e-deps:
	cd end2end
	if ! [ -d node_modules/@playwright/test ] || ! [ -d node_modules/@axe-core/playwright ]; then
	  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
	fi
