# shellcheck shell=bash
# A Citus cluster for the tests (issue 24), sourced by tests/citus/run.sh and
# tests/citus/read_path.sh: Citus built from tests/citus/vendor when missing, PostgreSQL 15
# clusters in a temporary directory on free ports of 127.0.0.1 (`new_node`), psql helpers, the
# SQL blocks of deploy/citus.md (`doc_sql`: the runbook is what is tested), and a cleanup on exit
# that stops every process listed in PIDS and every cluster started.
# Sets: ROOT VENDOR DOC PG_BIN TARGET BIN DB APP_ROLE WORK PORT PIDS; calls set -euo pipefail.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENDOR="$ROOT/tests/citus/vendor"
DOC="$ROOT/deploy/citus.md"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
TARGET="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/mutualis-target}"
BIN="${MUTUALIS_BIN:-$TARGET/debug/mutualis}"
DB=mutualis
APP_ROLE=mutualis_app

log() { printf '[citus] %s\n' "$*" >&2; }
die() { printf '[citus] ERROR: %s\n' "$*" >&2; exit 1; }

[ -x "$BIN" ] || die "no mutualis binary at $BIN (cargo build --locked -p api --bin mutualis, or set MUTUALIS_BIN)"
for tool in psql curl jq openssl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is needed"
done

# ------------------------------------------------------------------ Citus itself

if [ ! -f "$("$PG_BIN/pg_config" --pkglibdir)/citus.so" ]; then
  log "building Citus 13.2.2 from $VENDOR (about 2 minutes of CPU)"
  if [ "$(id -u)" -eq 0 ]; then
    "$VENDOR/build.sh" >&2
  else
    sudo "$VENDOR/build.sh" >&2
  fi
fi

# ------------------------------------------------------------------ processes

WORK="$(mktemp -d /tmp/mutualis-citus.XXXXXX)"
NODES=(coordinator worker1 worker2)
declare -A PORT=()
PIDS=()
STARTED_PG=()

# PostgreSQL refuses to run as root: the clusters belong to the postgres user then.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cleanup() {
  local status=$?
  local pid node
  # The load of the rebalance check, when that check stopped half-way.
  if [ -f "$WORK/loader.pid" ]; then
    PIDS+=("$(cat "$WORK/loader.pid")")
  fi
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for node in "${STARTED_PG[@]}"; do
    as_pg "$PG_BIN/pg_ctl" -D "$WORK/$node" -m immediate stop >/dev/null 2>&1 || true
  done
  if [ "$status" -ne 0 ] || [ "${CITUS_KEEP:-0}" = 1 ]; then
    log "logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free port at or after $1 that no earlier call returned.
TAKEN=" "
free_port() {
  local p
  for p in $(seq "$1" $(($1 + 500))); do
    if ! port_open "$p" && [[ "$TAKEN" != *" $p "* ]]; then
      TAKEN="$TAKEN$p "
      echo "$p"
      return 0
    fi
  done
  die "no free port after $1"
}

if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$WORK"
fi
chmod 755 "$WORK"

# ------------------------------------------------------------------ the three clusters

# A PostgreSQL 15 cluster with Citus preloaded, started on a free port (in this shell, so that
# cleanup knows it).
new_node() {
  local node="$1"
  PORT[$node]="$(free_port 57432)"
  as_pg "$PG_BIN/initdb" -D "$WORK/$node" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$WORK/initdb-$node.log" 2>&1 \
    || { cat "$WORK/initdb-$node.log" >&2; die "initdb $node"; }
  cat >>"$WORK/$node/postgresql.conf" <<CONF
port = ${PORT[$node]}
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
shared_preload_libraries = 'citus,auto_explain'
max_connections = 300
max_prepared_transactions = 300
wal_level = logical
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 64MB
log_line_prefix = '%m [%p] %u '
auto_explain.log_min_duration = -1
auto_explain.log_nested_statements = off
CONF
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/$node" -l "$WORK/$node.log" -w -t 60 start >/dev/null \
    || { tail -20 "$WORK/$node.log" >&2; die "PostgreSQL $node did not start"; }
  STARTED_PG+=("$node")
}
for node in "${NODES[@]}"; do
  new_node "$node"
done
log "coordinator on ${PORT[coordinator]}, workers on ${PORT[worker1]} and ${PORT[worker2]}"

# psql NODE [DATABASE] [psql args]: as postgres (the owner), stops at the first error.
sql() {
  local node="$1" db="$2"
  shift 2
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${PORT[$node]}" -U postgres -d "$db" "$@"
}
# One value from the coordinator.
value() { sql coordinator "$DB" -Atc "$1"; }

# The first ```sql block after the line of deploy/citus.md starting with $1.
doc_sql() {
  awk -v heading="$1" '
    index($0, heading) == 1 { found = 1; next }
    found && /^```sql$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }
  ' "$DOC"
}

# A single-node deployment first: the database and the application role on every node (the
# owner is the clusters' superuser here, as in tests/it), Citus preloaded but not yet created.
for node in "${NODES[@]}"; do
  sql "$node" postgres -c "CREATE DATABASE $DB"
  sql "$node" "$DB" -c "CREATE ROLE $APP_ROLE LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
done

# Runbook step 2 (the extension on every node) and step 3 (the cluster, with this machine's
# hosts and ports).
runbook_steps_2_3() {
  local step2 step3 node
  step2="$(doc_sql '### 2. Database, roles and extension on every worker')"
  [ -n "$step2" ] || die "deploy/citus.md: no SQL block under step 2"
  for node in "${NODES[@]}"; do
    sql "$node" "$DB" -c "$step2"
  done
  step3="$(doc_sql '### 3. The cluster (on the coordinator)')"
  [ -n "$step3" ] || die "deploy/citus.md: no SQL block under step 3"
  step3="${step3//\'db-coordinator.internal\', 5432/\'127.0.0.1\', ${PORT[coordinator]}}"
  step3="${step3//\'db-worker-1.internal\', 5432/\'127.0.0.1\', ${PORT[worker1]}}"
  step3="${step3//\'db-worker-2.internal\', 5432/\'127.0.0.1\', ${PORT[worker2]}}"
  sql coordinator "$DB" -c "$step3" >/dev/null
  [ "$(value 'SELECT count(*) FROM citus_get_active_worker_nodes()')" = 2 ] || die "two active workers expected"
}

# Runbook step 4, citus.sql word for word: the tables distributed, existing rows moved to the
# shards.
runbook_step_4() {
  log "deploy/citus.md step 4: distributing the tables"
  doc_sql '### 4. The tables' >"$WORK/citus.sql"
  [ -s "$WORK/citus.sql" ] || die "deploy/citus.md: no SQL block under step 4"
  sql coordinator "$DB" -f "$WORK/citus.sql" >"$WORK/citus-sql.log" 2>&1 \
    || { tail -20 "$WORK/citus-sql.log" >&2; die "deploy/citus.md step 4 failed"; }
}
