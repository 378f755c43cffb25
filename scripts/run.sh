#!/usr/bin/env bash
# `make run`: PostgreSQL (found or started), migrations, demo data, the API on :8080 and the
# web app (production build) on :3000. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .env ]; then set -a; . ./.env; set +a; fi
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/myrelay}
export MYRELAY_ADDR=${MYRELAY_ADDR:-127.0.0.1:8080}
if [ -z "${MYRELAY_JWT_SECRET:-}" ]; then export MYRELAY_DEV=${MYRELAY_DEV:-1}; fi

bash scripts/services.sh
echo "run: building the API (release)"
cargo build --release -q -p myrelay-api
BIN=$PWD/target/release/myrelay-api
"$BIN" migrate
"$BIN" seed-demo

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$BIN" serve &
pids+=($!)

if [ -f web/package.json ]; then
  WEB_SKIP_BROWSER=1 bash scripts/web-install.sh
  api_port=${MYRELAY_ADDR##*:}
  export NEXT_PUBLIC_API_URL=${NEXT_PUBLIC_API_URL:-http://localhost:$api_port}
  # No "Next.js collects anonymous telemetry" notice and no telemetry from `next build`/`next start`.
  export NEXT_TELEMETRY_DISABLED=1
  echo "run: building the web app for $NEXT_PUBLIC_API_URL"
  (cd web && npm run build --silent)
  (cd web && npm run start --silent -- -p "${WEB_PORT:-3000}") &
  pids+=($!)
  echo "run: web app on http://localhost:${WEB_PORT:-3000}"
fi
echo "run: API on http://$MYRELAY_ADDR (Swagger UI: http://$MYRELAY_ADDR/docs). Ctrl-C to stop."
wait -n
