# make run    serve the app on http://127.0.0.1:3000 (SQLite under ./data)
# make test   the whole suite: setup, fmt, clippy, Rust tests, build, Playwright
# make e2e    build, then the Playwright suite only
# make fmt    format the code;  make lint  clippy per crate with its features
# make bench  release build, then every benchmark against ours and the Node peer (~11 min; ~27 from scratch)
# make floor  the yardstick: a bare Leptos page's WASM size and pages per second

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

.PHONY: help run test e2e fmt lint setup setup-dev fmt-check test-rust build playwright bench-smoke bench setup-bench floor clean

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
	cargo clippy -p app --all-targets --features ssr -- -D warnings
	$(call stage,clippy: server)
	cargo clippy -p server --all-targets -- -D warnings
	$(call stage,clippy: bench)
	cargo clippy -p bench --all-targets -- -D warnings
	$(call stage,clippy: frontend (wasm32))
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
	$(call stage,clippy: floor (wasm32 and server))
	cargo clippy -p floor --features hydrate --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p floor --features ssr --all-targets -- -D warnings

test-rust:
	$(call stage,cargo test: app (unit + doctests))
	cargo test -p app --features native-client
	$(call stage,cargo test: app (unit, server rendering))
	cargo test -p app --features ssr --lib
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

# The yardstick of two figures (README, Performance): a bare Leptos page of our kind
# (bench/floor), built as the app is. chatty-bench sizes its WASM (the wasm-release
# profile, wasm-bindgen, wasm-opt -Oz) as it sizes the app's, and requests its pages
# (the server, release, pinned to core 0) as it requests ours.
FLOOR := target/floor
floor: setup-bench
	$(call stage,floor: a bare Leptos page, release builds)
	# The cdylib alone: a crate built as cdylib and rlib at once silently skips LTO.
	cargo rustc -p floor --features hydrate --lib --crate-type cdylib \
	  --target wasm32-unknown-unknown --profile wasm-release
	cargo build -p floor --features ssr --bin floor-server --release
	cargo build --profile loadgen -p bench
	rm -rf $(FLOOR) && mkdir -p $(FLOOR)
	wasm-bindgen --target web --no-typescript --out-dir $(FLOOR) \
	  target/wasm32-unknown-unknown/wasm-release/floor.wasm
	bench/node/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
	  $(FLOOR)/floor_bg.wasm -o $(FLOOR)/floor_bg.wasm
	$(call stage,floor: size)
	target/loadgen/chatty-bench --wasm $(FLOOR)
	$(call stage,floor: page serving (server on core 0, load on core 1))
	@taskset -c 0 target/release/floor-server 127.0.0.1:0 > $(FLOOR)/server.out & pid=$$!; \
	  trap 'kill $$pid 2>/dev/null' EXIT; \
	  for _ in $$(seq 100); do grep -q listening $(FLOOR)/server.out && break; sleep 0.1; done; \
	  url=$$(sed -n 's/^listening on //p' $(FLOOR)/server.out); \
	  test -n "$$url" || { echo "floor-server did not start" >&2; exit 1; }; \
	  taskset -c 1 target/loadgen/chatty-bench --page "$$url"

clean:
	cargo clean
	rm -rf end2end/test-results end2end/playwright-report end2end/server.log
