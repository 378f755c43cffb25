#!/usr/bin/env bash
# Find or start what MyRelay needs: PostgreSQL (and, with --redis, Redis).
#
# With --moto, also moto's S3-compatible server (PyPI, into .data/venv-moto) for the
# attachment tests on S3; the tests start it themselves on a free port.
#
# PostgreSQL, in order: the server DATABASE_URL names if it answers; else a project-local
# cluster under .data/pg from the machine's PostgreSQL binaries (through `runuser -u postgres`
# when run as root, since initdb refuses root); else `docker compose up -d db`. Fails with a
# clear message when none can serve. Prints nothing on success but what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/myrelay}
want_redis=0 want_moto=0
for arg in "$@"; do
  case "$arg" in
    --redis) want_redis=1 ;;
    --moto) want_moto=1 ;;
    *) printf 'services: unknown option %s\n' "$arg" >&2; exit 2 ;;
  esac
done

say() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: ERROR: %s\n' "$*" >&2; exit 1; }

# host and port from the URL (postgres://user[:pw]@host:port/db)
hostport=${DATABASE_URL#*://}; hostport=${hostport#*@}; hostport=${hostport%%/*}
PGHOST_=${hostport%%:*}; PGPORT_=${hostport##*:}; [ "$PGPORT_" = "$hostport" ] && PGPORT_=5432
DBNAME=${DATABASE_URL##*/}; DBNAME=${DBNAME%%\?*}
admin_url="${DATABASE_URL%/*}/postgres"

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null && dirname "$(command -v initdb)"
}
PGBIN=$(pg_bin || true)
psql_cmd() { if command -v psql >/dev/null; then psql "$@"; elif [ -n "$PGBIN" ]; then "$PGBIN/psql" "$@"; else return 127; fi; }

pg_up() { psql_cmd "$admin_url" -tAc 'select 1' >/dev/null 2>&1; }

start_local_cluster() {
  [ -n "$PGBIN" ] || return 1
  local data="$ROOT/.data/pg" run=()
  mkdir -p "$ROOT/.data"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$ROOT/.data" postgres
    chown postgres "$ROOT/.data"
    chmod 755 "$ROOT/.data"
    run=(runuser -u postgres --)
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    say "initialising a project-local PostgreSQL cluster in .data/pg"
    (cd / && "${run[@]}" "$PGBIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null)
  fi
  say "starting the project-local PostgreSQL on port $PGPORT_"
  (cd / && "${run[@]}" "$PGBIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
     -o "-p $PGPORT_ -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null) || return 1
}

if ! pg_up; then
  # The machine's own cluster may just be stopped.
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1 && [ "$PGPORT_" = 5432 ]; then
    for v in $(ls /etc/postgresql); do pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true; done
    for _ in 1 2 3 4 5; do pg_up && break; sleep 1; done
  fi
fi
if ! pg_up; then
  case "$PGHOST_" in
    127.0.0.1|localhost) start_local_cluster || true ;;
  esac
fi
if ! pg_up && command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  say "starting PostgreSQL with docker compose (service db)"
  docker compose -f docker-compose.yml -f docker-compose.db-port.yml up -d db
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || die "no PostgreSQL at $PGHOST_:$PGPORT_, no PostgreSQL binaries to start one under .data/, and no Docker engine. Install PostgreSQL >= 14 (apt-get install postgresql) or set DATABASE_URL to a reachable server."

# The database itself.
exists=$(psql_cmd "$admin_url" -tAc "select 1 from pg_database where datname = '$DBNAME'" 2>/dev/null || true)
[ "$exists" = 1 ] || psql_cmd "$admin_url" -qc "create database \"$DBNAME\"" >/dev/null

if [ $want_redis = 1 ]; then
  REDIS_URL_=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
  rhp=${REDIS_URL_#redis://}; rhp=${rhp%%/*}; RPORT=${rhp##*:}
  redis_up() { (exec 3<>/dev/tcp/127.0.0.1/"$RPORT") 2>/dev/null; }
  if ! redis_up; then
    if ! command -v redis-server >/dev/null; then
      say "installing redis-server"
      (apt-get update -qq && apt-get install -y -qq redis-server) >/dev/null 2>&1 || die "Redis is not running and redis-server cannot be installed (needed for the multi-instance tests)"
    fi
    say "starting Redis on port $RPORT"
    mkdir -p "$ROOT/.data/redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$RPORT" --save "" --appendonly no \
      --dir "$ROOT/.data/redis" --logfile "$ROOT/.data/redis/redis.log" >/dev/null
    for _ in 1 2 3 4 5; do redis_up && break; sleep 1; done
    redis_up || die "Redis did not start on port $RPORT"
  fi
fi

if [ $want_moto = 1 ]; then
  # Pinned: the S3 tests expect this server's behaviour. Only the S3 service and the HTTP
  # server's own needs (Flask), not every AWS service moto[server] would pull in.
  MOTO_VERSION=5.2.5
  MOTO_VENV="$ROOT/.data/venv-moto"
  if ! "$MOTO_VENV/bin/python" -c "import moto, flask, flask_cors, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" >/dev/null 2>&1; then
    say "installing moto $MOTO_VERSION (S3 server for the attachment tests) into .data/venv-moto"
    mkdir -p "$ROOT/.data"
    # A venv without pip is half made (an interrupted run): make it again.
    [ -x "$MOTO_VENV/bin/pip" ] || python3 -m venv --clear "$MOTO_VENV" \
      || die "python3 -m venv failed (on Debian: apt-get install python3-venv); the S3 attachment tests need moto's server"
    "$MOTO_VENV/bin/pip" install -q --disable-pip-version-check "moto[s3]==$MOTO_VERSION" "flask!=2.2.0,!=2.2.1" flask-cors \
      || die "pip could not install moto[s3]==$MOTO_VERSION (the S3 attachment tests need moto_server)"
  fi
  [ -x "$MOTO_VENV/bin/moto_server" ] || die "no moto_server in .data/venv-moto after installing moto"
fi
