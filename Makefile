# MyRelay — the two commands are `make run` and `make test` (see README.md).
.PHONY: run test build lint fmt openapi bench bench-smoke clean-data
SHELL := /bin/bash

## The whole stack: PostgreSQL, migrations, demo data, API on :8080, web app on :3000.
run:
	@bash scripts/run.sh

## Every test suite against real PostgreSQL and Redis, with a summary line.
test:
	@bash scripts/test.sh

build:
	cargo build --release -p myrelay-api

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cd web && npm run lint

fmt:
	cargo fmt --all

## Regenerate openapi.json and the web app's typed client from the code.
openapi:
	cargo run -q -p myrelay-api -- openapi > openapi.json
	cd web && npm run gen:api

## Benchmarks (a few minutes): writes docs/BENCHMARKS.md and docs/benchmarks.json.
bench:
	@bash scripts/bench.sh

bench-smoke:
	@bash scripts/bench.sh --smoke

clean-data:
	rm -rf .data

include mk/docker.mk
