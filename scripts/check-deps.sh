#!/usr/bin/env bash
# No crate declares a dependency it does not use (cargo-machete, installed once if missing).
#
#   scripts/check-deps.sh              check the workspace
#   scripts/check-deps.sh --self-test  prove the check fails on a crate with an unused dependency
set -euo pipefail
cd "$(dirname "$0")/.."
MACHETE_VERSION=0.9.2

if ! cargo machete --version 2>/dev/null | grep -q "$MACHETE_VERSION"; then
  echo "check-deps: installing cargo-machete $MACHETE_VERSION (one time)"
  cargo install cargo-machete --locked --version "$MACHETE_VERSION" >/dev/null 2>&1 || {
    echo "check-deps: could not install cargo-machete from crates.io" >&2; exit 1; }
fi

if [ "${1:-}" = "--self-test" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/src"
  printf '[package]\nname = "unused-dep"\nversion = "0.1.0"\nedition = "2024"\n\n[dependencies]\nserde_json = "1"\n' > "$tmp/Cargo.toml"
  echo 'pub fn f() {}' > "$tmp/src/lib.rs"
  if (cd "$tmp" && cargo machete >/dev/null 2>&1); then
    echo "check-deps self-test: a crate with an unused dependency passed" >&2; exit 1
  fi
  echo "check-deps self-test: an unused dependency is refused"
  exit 0
fi
cargo machete
