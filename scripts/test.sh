#!/usr/bin/env bash
# `make test`: every suite, each a step; a failing step does not hide the others.
# Ends with a summary line `steps: N passed, N failed` and a non-zero exit on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/myrelay_test}
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

bash scripts/services.sh --redis --moto || { echo "steps: 0 passed, 1 failed"; exit 1; }

passed=0; failed=0; failures=()
step() {
  local name=$1; shift
  printf '\n==> %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); printf '<== %s: ok (%ss)\n' "$name" $((SECONDS - start))
  else
    failed=$((failed + 1)); failures+=("$name"); printf '<== %s: FAILED (%ss)\n' "$name" $((SECONDS - start))
  fi
}

rust_tests() {
  if ! cargo nextest --version >/dev/null 2>&1; then
    echo "cargo-nextest not found; installing it (one time)"
    cargo install cargo-nextest --locked >/dev/null 2>&1 || {
      echo "cargo-nextest could not be installed; falling back to cargo test (one test at a time)"
      cargo test --workspace -- --test-threads=1
      return
    }
  fi
  cargo nextest run --workspace --no-fail-fast
}

step "tree: no large files, caches or profiler output tracked" bash -c 'bash scripts/check-tree.sh && bash scripts/check-tree.sh --self-test'
step "rust: no unused dependencies (cargo-machete)" bash -c 'bash scripts/check-deps.sh && bash scripts/check-deps.sh --self-test'
step "rust: format" cargo fmt --all -- --check
step "rust: clippy" cargo clippy --workspace --all-targets -- -D warnings
step "rust: build api binary" cargo build -p myrelay-api
step "rust: unit and integration tests" rust_tests
step "compose: schema and env contract" bash scripts/check-compose.sh
[ -f tests/interop/package.json ] && step "socket.io-client (Node) interoperability" bash scripts/interop.sh
step "API fuzzing (schemathesis, every role, all checks)" bash scripts/fuzz.sh
if [ -f web/package.json ]; then
  step "web: install" bash scripts/web-install.sh
  step "web: lint" bash -c 'cd web && npm run lint'
  step "web: type check" bash -c 'cd web && npm run typecheck'
  step "web: generated client is current" bash -c 'cd web && npm run check:api'
  [ -f web/scripts/e2e.sh ] && step "web: end-to-end in Chromium" env MYRELAY_API_BIN="$PWD/target/debug/myrelay-api" bash web/scripts/e2e.sh
fi
[ -f scripts/bench.sh ] && step "bench: smoke run" bash scripts/bench.sh --smoke

echo
[ ${#failures[@]} -gt 0 ] && printf 'failed steps: %s\n' "$(IFS=';'; echo "${failures[*]}")"
echo "steps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
