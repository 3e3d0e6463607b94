# make run    serve the app on http://127.0.0.1:3000 (SQLite under ./data)
# make test   the whole suite: setup, fmt, clippy, Rust tests, build, Playwright
# make e2e    build, then the Playwright suite only
# make fmt    format the code;  make lint  clippy per crate with its features

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

.PHONY: help run test e2e fmt lint setup setup-dev fmt-check test-rust build playwright clean

help:
	@sed -n 's/^# \{0,1\}//p' Makefile | sed -n '1,4p'

run: setup-dev
	$(call stage,serve on http://127.0.0.1:3000)
	@mkdir -p data
	cargo leptos serve

test: setup fmt-check lint test-rust build playwright
	@printf '\n==> all stages passed\n'

e2e: setup build playwright

setup:
	$(call stage,setup)
	.ci/setup

setup-dev:
	$(call stage,setup (without browser and services))
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
	$(call stage,clippy: frontend (wasm32))
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

test-rust:
	$(call stage,cargo test: app (unit + doctests))
	cargo test -p app --features native-client
	$(call stage,cargo test: server (unit + integration))
	cargo test -p server

build:
	$(call stage,cargo leptos build)
	cargo leptos build

playwright:
	$(call stage,playwright (end2end))
	cd end2end && npx playwright test

clean:
	cargo clean
	rm -rf end2end/test-results end2end/playwright-report end2end/server.log
