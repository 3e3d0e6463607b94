# make run    serve the app on http://127.0.0.1:3000 (SQLite under ./data)
# make test   the whole suite: setup, fmt, clippy, Rust tests, build, Playwright
# make e2e    build, then the Playwright suite only
# make fmt    format the code;  make lint  clippy per crate with its features
# make bench  release build, then every benchmark against ours and the Node peer (~11 min)
# make wasm-floor  the WASM size of a bare Leptos page, the yardstick of ours

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# Stages run one after the other, in the order listed, stopping at the first failure.
.NOTPARALLEL:

export PATH := $(HOME)/.cargo/bin:$(PATH)
# The server tests read these; set one to empty to leave that service out.
export TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export TEST_REDIS_URL ?= redis://127.0.0.1:6379

stage = @printf '\n==> %s\n' '$(1)'

.PHONY: help run test e2e fmt lint setup setup-dev fmt-check test-rust build playwright bench-smoke bench setup-bench wasm-floor clean

help:
	@sed -n 's/^# \{0,1\}//p' Makefile | sed -n '1,6p'

run: setup-dev
	$(call stage,serve on http://127.0.0.1:3000)
	@mkdir -p data
	cargo leptos serve --split

test: setup fmt-check lint test-rust build playwright bench-smoke
	@printf '\n==> all stages passed\n'

e2e: setup build playwright

setup:
	$(call stage,setup)
	.ci/setup

setup-dev:
	$(call stage,setup (without browser and services))
	.ci/setup --no-e2e --no-services --no-bench

setup-bench:
	$(call stage,setup (Rust tools and the npm packages of bench/node))
	.ci/setup --no-e2e --no-services

fmt:
	cargo fmt --all

fmt-check:
	$(call stage,cargo fmt --check)
	cargo fmt --all -- --check

# Per crate, because --workspace would unify the ssr and hydrate features.
lint:
	$(call stage,clippy: app)
	cargo clippy -p app --all-targets --features native-client -- -D warnings
	$(call stage,clippy: server)
	cargo clippy -p server --all-targets -- -D warnings
	$(call stage,clippy: bench)
	cargo clippy -p bench --all-targets -- -D warnings
	$(call stage,clippy: frontend (wasm32))
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
	$(call stage,clippy: wasm-floor (wasm32))
	cargo clippy -p wasm-floor --target wasm32-unknown-unknown -- -D warnings

test-rust:
	$(call stage,cargo test: app (unit + doctests))
	cargo test -p app --features native-client
	$(call stage,cargo test: server (unit + integration))
	cargo test -p server
	$(call stage,cargo test: bench (unit))
	cargo test -p bench

# --split: every page but the feed is a lazy route in a WASM chunk of its own; a build
# without it would not load those pages.
build:
	$(call stage,cargo leptos build --split)
	cargo leptos build --split

playwright:
	$(call stage,playwright (end2end))
	cd end2end && npx playwright test

# A few hundred clients for seconds against both servers (debug build), so the harness
# cannot rot; it checks that every event arrived, never how fast.
bench-smoke:
	$(call stage,benchmark smoke run (ours and node))
	ulimit -n "$$(ulimit -Hn)" 2>/dev/null || true; cargo run -q -p bench -- --smoke --rounds 1 \
	  --ours target/debug/server --server-cpu none --out target/bench/smoke.json

# The figures of the README's Performance section: release builds (wasm-opt from npm's
# binaryen), the server pinned to core 0 and the load generator to core 1. The release
# site has a root of its own, so `make e2e` never serves its files to a debug server.
BENCH_SITE := target/bench-site
# cargo-leptos redoes wasm-bindgen and wasm-opt (2.5 min here) on every build, changed
# or not; so the release build runs only when a file it is built from is newer.
BENCH_BUILD_INPUTS := $(shell find app frontend server style -type f 2>/dev/null) \
  Cargo.toml Cargo.lock .cargo/config.toml

$(BENCH_SITE)/.built: $(BENCH_BUILD_INPUTS)
	$(call stage,release build: server and WASM)
	PATH="$(CURDIR)/bench/node/node_modules/.bin:$$PATH" LEPTOS_SITE_ROOT=$(BENCH_SITE) \
	  cargo leptos build --release --split
	touch $@

bench: setup-bench $(BENCH_SITE)/.built
	$(call stage,load generator)
	cargo build --profile loadgen -p bench
	$(call stage,benchmark: ours and node alternating)
	ulimit -n "$$(ulimit -Hn)" 2>/dev/null || true; taskset -c 1 target/loadgen/chatty-bench \
	  --ours target/release/server --site $(BENCH_SITE) --server-cpu 0 --readme README.md \
	  --out bench/results.json

# The yardstick of the WASM figure (README, Performance): a bare Leptos page built as the
# app's browser build is (the wasm-release profile, wasm-bindgen, wasm-opt -Oz), its
# size printed raw and gzipped (level 9, as the bench measures the app's).
WASM_FLOOR := target/wasm-floor
wasm-floor: setup-bench
	$(call stage,wasm floor: a bare Leptos page, release build)
	cargo build -p wasm-floor --target wasm32-unknown-unknown --profile wasm-release
	rm -rf $(WASM_FLOOR) && mkdir -p $(WASM_FLOOR)
	wasm-bindgen --target web --no-typescript --out-dir $(WASM_FLOOR) \
	  target/wasm32-unknown-unknown/wasm-release/wasm_floor.wasm
	bench/node/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
	  $(WASM_FLOOR)/wasm_floor_bg.wasm -o $(WASM_FLOOR)/wasm_floor_bg.wasm
	@total=0; for f in $(WASM_FLOOR)/wasm_floor_bg.wasm $(WASM_FLOOR)/wasm_floor.js; do \
	  raw=$$(wc -c < "$$f"); gz=$$(gzip -9 -c "$$f" | wc -c); total=$$((total + gz)); \
	  printf '%-40s %8d bytes, %7d gzipped\n' "$$f" "$$raw" "$$gz"; done; \
	  printf 'WASM + JS of a bare Leptos page, gzipped: %d KiB\n' $$((total / 1024))

clean:
	cargo clean
	rm -rf end2end/test-results end2end/playwright-report end2end/server.log
