# Shared by scripts that start a real API: fresh database, free port, wait for /health.
# Usage: source scripts/lib.sh; start_api NAME [ENV=VALUE...]  → sets API_URL, API_PID, API_DB_URL

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

fresh_db() { # NAME → prints the URL of a new, empty database
  local name="$1_$(date +%s)_$$_$RANDOM"
  local base=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/myrelay_test}
  local admin="${base%/*}/postgres"
  psql "$admin" -qc "create database \"$name\"" >/dev/null
  echo "${base%/*}/$name"
}

drop_db() { # URL
  local url=$1 name=${1##*/}
  psql "${url%/*}/postgres" -qc "drop database if exists \"$name\" with (force)" >/dev/null 2>&1 || true
}

start_api() { # NAME [ENV=VALUE ...]
  local name=$1; shift
  API_BIN=${MYRELAY_API_BIN:-$PWD/target/debug/myrelay-api}
  [ -x "$API_BIN" ] || { echo "start_api: $API_BIN is not built (cargo build -p myrelay-api)" >&2; return 1; }
  start_api_on "$(fresh_db "$name")" "$name" "$@"
}

start_api_on() { # DB_URL NAME [ENV=VALUE ...] — serve an existing database (a restart keeps its data)
  API_DB_URL=$1; local name=$2; shift 2
  API_BIN=${MYRELAY_API_BIN:-$PWD/target/debug/myrelay-api}
  [ -x "$API_BIN" ] || { echo "start_api: $API_BIN is not built (cargo build -p myrelay-api)" >&2; return 1; }
  local port; port=$(free_port)
  API_URL="http://127.0.0.1:$port"
  API_LOG=$(mktemp "/tmp/myrelay-$name-XXXX.log")
  env DATABASE_URL="$API_DB_URL" MYRELAY_ADDR="127.0.0.1:$port" MYRELAY_DEV=1 MYRELAY_BCRYPT_COST=4 \
      MYRELAY_RATE_LIMIT=off RUST_LOG=warn "$@" "$API_BIN" serve >"$API_LOG" 2>&1 &
  API_PID=$!
  for _ in $(seq 1 ${API_START_TRIES:-100}); do
    curl -fsS "$API_URL/health" >/dev/null 2>&1 && return 0
    kill -0 "$API_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "start_api: the API did not come up; log:" >&2; cat "$API_LOG" >&2; return 1
}

halt_api() { # stop the server, keep its database
  [ -n "${API_PID:-}" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null
  API_PID=
}

stop_api() {
  halt_api
  [ -n "${API_DB_URL:-}" ] && drop_db "$API_DB_URL"
  API_PID=
}
