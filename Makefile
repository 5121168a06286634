# Rapport's two commands:
#   make run    build and start Rapport with SQLite and a demo event
#   make test   run every test (unit, integration, store contract, end2end)
# Both install what is missing first and are quick when everything is there.

SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c
.PHONY: run test tools chromium e2e-deps e2e unit lint site size

BINARYEN_VERSION := 123.0.0
TOOLS := $(CURDIR)/target/tools
SITE := $(CURDIR)/target/site
WASM_TARGET := wasm32-unknown-unknown
# wasm-opt comes from npm's binaryen (Debian's is too old for today's Rust output).
export PATH := $(TOOLS)/bin:$(TOOLS)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

run: tools
	cargo build --release -p server --bin rapport
	$(MAKE) --no-print-directory site WASM_PROFILE=wasm-release
	RAPPORT_DATA_DIR="$${RAPPORT_DATA_DIR:-./data}" ./target/release/rapport serve --demo

test: tools chromium e2e-deps
	cargo test --workspace
	$(MAKE) --no-print-directory size
	$(MAKE) --no-print-directory e2e

# The size budget of the WebAssembly app a phone downloads first
# (scripts/bundle-size.mjs), checked on a release site of its own so the
# debug site of the end2end tests stays.
size: tools
	$(MAKE) --no-print-directory site WASM_PROFILE=wasm-release SITE=$(CURDIR)/target/site-release
	node scripts/bundle-size.mjs target/site-release

# Unit, integration and store contract tests only (no browser).
unit:
	cargo test --workspace

# The end2end suite drives the debug server that `cargo test --workspace`
# builds (`--no-run` is a no-op right after the tests ran; it also keeps the
# one feature set, so the server is never compiled a second time).
e2e: tools
	cargo test --workspace --no-run
	$(MAKE) --no-print-directory site
	cd end2end && npx playwright test

# The browser half of the app: the `app` crate compiled to WebAssembly with
# `hydrate` (linked with `--emit-relocs`, which the splitter needs; passed
# to the app crate alone through `cargo rustc`, so the dependencies keep the
# build they share with clippy), split by tools/wasm-split into the main
# module and the chunks of its lazy pages and functions (Leptos's `#[lazy]`,
# `#[lazy_route]`; the order of cargo-leptos's `--split`: split, then
# wasm-bindgen on the main module with the linker's exports kept, then
# wasm-opt on every module), bound by wasm-bindgen, into $(SITE)/pkg as
# rapport.js and rapport.wasm, the chunks and their loader, with the
# stylesheet and the static assets beside it. Then
# scripts/site-assets.mjs gives the script, module and stylesheet
# content-hashed names (listed in pkg/assets.json for the server, filled into
# sw.js) and writes brotli and gzip copies of every text file, which the
# server sends as they are (server/src/assets.rs): quick levels for the debug
# site, the maximum for a release.
# WASM_PROFILE=wasm-release (used by `make run`) builds small and runs wasm-opt.
WASM_PROFILE ?= dev
# The pages whose first load matters (the badge, scanner and people pages,
# app/src/pages/lazy.rs), by the start of the name Leptos gives their lazy
# view: the splitter groups shared code by which of them it serves
# (tools/wasm-split), and scripts/bundle-size.mjs checks their first load.
# Then the lazy functions that run on those pages (the scanner's camera, QR
# decoder, sending of a scan and view of its outcome, the offline scans'
# sync, and what every page runs once hydrated: the live link's socket and
# the reading of the offline scan queue): code none of the
# pages needs is grouped by which of them it serves, so that loading one
# never loads the chunk of all the other pages' code.
HOT_SPLITS := __my_badge_route_view_ __scanner_route_view_ __directory_route_view_
HOT_FUNCTIONS := start_camera_ decode_qr_ send_scan_ send_queued_scans_ scan_outcome_ open_socket_ \
  refresh_scan_queue_
site: tools
	cargo rustc -p app --lib --target $(WASM_TARGET) --no-default-features --features hydrate --profile $(WASM_PROFILE) \
	  -- -C link-arg=--emit-relocs -C link-arg=-zstack-size=8388608
	out=target/$(WASM_TARGET)/$$([ "$(WASM_PROFILE)" = dev ] && echo debug || echo "$(WASM_PROFILE)")
	rm -rf "$(SITE)" && mkdir -p "$(SITE)/pkg"
	rapport-wasm-split "$$out/app.wasm" "$(SITE)/pkg" "$$out/app_split.wasm" "$(SITE)/pkg/split.json" \
	  $(HOT_SPLITS) -- $(HOT_FUNCTIONS)
	wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
	  --out-dir "$(SITE)/pkg" --out-name rapport "$$out/app_split.wasm"
	mv "$(SITE)/pkg/rapport_bg.wasm" "$(SITE)/pkg/rapport.wasm"
	if [ "$(WASM_PROFILE)" != dev ]; then
	  # The features Rust enables by default for this target; wasm-opt must not
	  # assume fewer (it would refuse) or more (browsers might lack them).
	  for module in "$(SITE)"/pkg/*.wasm; do
	    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
	      --enable-mutable-globals --enable-reference-types --enable-multivalue \
	      "$$module" -o "$$module"
	  done
	fi
	cp style/main.css "$(SITE)/pkg/rapport.css"
	cp -R app/public/. "$(SITE)/"
	node scripts/site-assets.mjs "$(SITE)" $$([ "$(WASM_PROFILE)" = dev ] && echo quick || echo max)

lint: tools
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p app --features hydrate --target $(WASM_TARGET) -- -D warnings

tools:
	rustup target list --installed | grep -x $(WASM_TARGET) >/dev/null || rustup target add $(WASM_TARGET)
	# The wasm-bindgen CLI must match the library version in Cargo.lock exactly.
	wbg=$$(grep -A1 '^name = "wasm-bindgen"$$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
	if ! wasm-bindgen --version 2>/dev/null | grep " $$wbg$$" >/dev/null; then
	  cargo install wasm-bindgen-cli --version "$$wbg"
	fi
	# The splitter (tools/wasm-split, our patch of wasm_split_cli_support in
	# its vendor/ folder): built when missing or older than any of its source.
	if ! [ -x "$(TOOLS)/bin/rapport-wasm-split" ] || \
	   [ -n "$$(find tools/wasm-split -path '*/target' -prune -o -type f -newer "$(TOOLS)/bin/rapport-wasm-split" -print -quit)" ]; then
	  cargo install --locked --force --path tools/wasm-split --root "$(TOOLS)" --target-dir "$(TOOLS)/wasm-split-build"
	fi
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
