#!/usr/bin/env bash
# Run the Playwright suite against a real API and PostgreSQL, and clean up after.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
#   MYRELAY_API_BIN=target/debug/myrelay-api  web/scripts/e2e.sh [playwright args]
#
# DATABASE_URL names the PostgreSQL server; the script creates a fresh database beside the
# one it names (which it never touches) and drops it at the end. It then migrates, creates
# an admin, starts the API and `next start` on free ports of 127.0.0.1 (one hostname for
# both, so the API's SameSite=Lax cookie is sent), runs Playwright and always stops both.
#
# Optional: E2E_API_PORT, E2E_WEB_PORT (default: free ports), E2E_BUILD=always|never|auto
# (default auto: build when sources are newer than the last build), E2E_KEEP_DB=1,
# E2E_CHROMIUM (default /usr/bin/chromium), MYRELAY_STORAGE_URL (default: a temporary folder,
# removed at the end). Logs go to web/e2e-results/.
set -euo pipefail

web="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$web"

die() { echo "e2e: $*" >&2; exit 2; }
[[ -n "${DATABASE_URL:-}" ]] || die "set DATABASE_URL (a PostgreSQL server; a fresh database is created on it)"
[[ -n "${MYRELAY_API_BIN:-}" ]] || die "set MYRELAY_API_BIN to a built myrelay-api binary"
api_bin="$(cd "$(dirname "$MYRELAY_API_BIN")" && pwd)/$(basename "$MYRELAY_API_BIN")"
[[ -x "$api_bin" ]] || die "MYRELAY_API_BIN=$MYRELAY_API_BIN is not an executable"
command -v psql >/dev/null || die "psql is needed to create the test database"
[[ -x "${E2E_CHROMIUM:-/usr/bin/chromium}" ]] ||
  die "no Chromium at ${E2E_CHROMIUM:-/usr/bin/chromium} (apt-get install chromium, or set E2E_CHROMIUM)"

# postgres://user@host:port/db?params -> server part, query part
if [[ "$DATABASE_URL" =~ ^(postgres(ql)?://[^/?]+)(/[^?]*)?(\?.*)?$ ]]; then
  server="${BASH_REMATCH[1]}"
  query="${BASH_REMATCH[4]}"
else
  die "cannot parse DATABASE_URL (expected postgres://user@host:port/db)"
fi
db="myrelay_e2e_$(date +%s)_$$"
e2e_db_url="$server/$db$query"
maint_url="$server/postgres$query"

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
api_port="${E2E_API_PORT:-$(free_port)}"
web_port="${E2E_WEB_PORT:-$(free_port)}"
api_url="http://127.0.0.1:$api_port"
web_url="http://127.0.0.1:$web_port"
admin_email="${E2E_ADMIN_EMAIL:-e2e-admin@example.com}"
admin_password="${E2E_ADMIN_PASSWORD:-e2e-admin-password}"

results="$web/e2e-results"
mkdir -p "$results"
# Attachment bytes of this run: a folder of its own, removed with the database.
storage="$(mktemp -d "${TMPDIR:-/tmp}/myrelay-e2e-files.XXXXXX")"
api_pid=""
web_pid=""

stop() {
  local pid="$1"
  [[ -n "$pid" ]] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local code=$?
  stop "$web_pid"
  stop "$api_pid"
  if [[ "${E2E_KEEP_DB:-}" != 1 ]]; then
    psql "$maint_url" -qX -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$storage"
  else
    echo "e2e: kept database $db and attachments in $storage"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {
  local url="$1" name="$2" log="$3" pid="$4"
  for _ in $(seq 120); do
    if curl -fs -o /dev/null "$url"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "e2e: $name exited early; last lines of $log:" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "e2e: $name did not answer at $url within 60 s; last lines of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
}

echo "e2e: database $db"
psql "$maint_url" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db\"" >/dev/null

export DATABASE_URL="$e2e_db_url"
export MYRELAY_DEV=1 MYRELAY_RATE_LIMIT=off MYRELAY_BCRYPT_COST=4
export MYRELAY_ADDR="127.0.0.1:$api_port"
export MYRELAY_STORAGE_URL="${MYRELAY_STORAGE_URL:-file://$storage}"
export MYRELAY_CORS_ORIGINS="$web_url,http://localhost:$web_port,http://127.0.0.1:3000,http://localhost:3000"
export NEXT_TELEMETRY_DISABLED=1
export RUST_LOG="${RUST_LOG:-info}"
"$api_bin" migrate >"$results/api-migrate.log" 2>&1 || { cat "$results/api-migrate.log" >&2; exit 1; }
"$api_bin" create-admin --email "$admin_email" --password "$admin_password" --name "E2E Admin" \
  >"$results/api-admin.log" 2>&1 || { cat "$results/api-admin.log" >&2; exit 1; }

setsid "$api_bin" serve >"$results/api.log" 2>&1 &
api_pid=$!
wait_for "$api_url/health" "the API" "$results/api.log" "$api_pid"
echo "e2e: API on $api_url"

[[ -d node_modules ]] || npm ci --no-audit --no-fund
build="${E2E_BUILD:-auto}"
if [[ "$build" == always || ( "$build" == auto && ( ! -f .next/BUILD_ID ||
      -n "$(find app components lib public next.config.ts package-lock.json postcss.config.mjs \
              -newer .next/BUILD_ID -print -quit 2>/dev/null)" ) ) ]]; then
  echo "e2e: building the web app"
  npm run build >"$results/web-build.log" 2>&1 || { tail -n 40 "$results/web-build.log" >&2; exit 1; }
fi

# The API URL is read by the web server at request time (see lib/config.ts): no rebuild per port.
NEXT_PUBLIC_API_URL="$api_url" setsid node_modules/.bin/next start -H 127.0.0.1 -p "$web_port" \
  >"$results/web.log" 2>&1 &
web_pid=$!
wait_for "$web_url/" "the web app" "$results/web.log" "$web_pid"
echo "e2e: web on $web_url"

E2E_API_URL="$api_url" E2E_WEB_URL="$web_url" \
  E2E_ADMIN_EMAIL="$admin_email" E2E_ADMIN_PASSWORD="$admin_password" \
  node_modules/.bin/playwright test "$@"
