#!/usr/bin/env bash
# Run the official socket.io-client (Node) against a real API on a fresh database.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
command -v node >/dev/null || { echo "interop: Node.js is required" >&2; exit 1; }
if [ ! -d tests/interop/node_modules ]; then
  if [ -f tests/interop/package-lock.json ]; then
    (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd tests/interop && npm install --no-audit --no-fund --loglevel=error)
  fi
fi
trap stop_api EXIT
start_api interop
cd tests/interop && API_URL="$API_URL" npm test --silent
