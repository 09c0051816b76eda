#!/usr/bin/env bash
# Mutualis on a Citus cluster (issue 24): one coordinator and two workers, each a PostgreSQL 15
# cluster of its own (initdb into a temporary directory, free ports on 127.0.0.1), Citus built
# from tests/citus/vendor when missing. The migrations run on the coordinator, then the SQL
# blocks of deploy/citus.md (read from the file: the runbook is what is tested), then
# `mutualis serve` and two `mutualis worker` run against the coordinator, and the checks below
# call them as a browser would (GraphQL with a session cookie) or read the cluster with psql.
#
#   tests/citus/run.sh            # MUTUALIS_BIN or $CARGO_TARGET_DIR/debug/mutualis is used
#   CITUS_KEEP=1 tests/citus/run.sh   # leave the clusters' directory (logs) behind
#
# Last line: `citus: N tests passed on 1 coordinator + 2 workers, shards per worker A/B`.
# Exits non-zero when a step or a check fails. Stops every process it started.
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

# ------------------------------------------------------------------ the application's database

# Citus turns SSL on with a self-signed certificate of its own: loopback connections here skip it.
ADMIN_URL="postgres://postgres@127.0.0.1:${PORT[coordinator]}/$DB?sslmode=disable"
APP_URL="postgres://$APP_ROLE@127.0.0.1:${PORT[coordinator]}/$DB?sslmode=disable"
API_PORT="$(free_port 58080)"
API="http://127.0.0.1:$API_PORT"
REDIS="${MUTUALIS_TEST_REDIS_URL:-redis://127.0.0.1:6379}"

MUTUALIS_ENV=(
  PATH=/usr/bin:/bin HOME="$WORK"
  DATABASE_URL="$APP_URL" DATABASE_ADMIN_URL="$ADMIN_URL"
  OIDC_ISSUER_URL=http://127.0.0.1:9/ OIDC_CLIENT_ID=citus OIDC_CLIENT_SECRET=citus
  MUTUALIS_INGEST_SECRET=citus-run-ingest-secret-0123456789abcdef
  MUTUALIS_REDIS_PREFIX="citus-$$" REDIS_URL="$REDIS"
  MUTUALIS_STORAGE_DIR="$WORK/files" LISTEN_ADDR="127.0.0.1:$API_PORT"
  MUTUALIS_COLLECT_INTERVAL_SECS=86400 MUTUALIS_ALERT_SCAN_SECS=86400
  RUST_LOG="${RUST_LOG:-warn}"
)
mutualis() { env -i "${MUTUALIS_ENV[@]}" "$BIN" "$@"; }

log "mutualis migrate and the referential (the coordinator as a single-node deployment)"
mutualis migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; die "migrate"; }

# Existing data, as on a single-node deployment about to move: the referential extract of the
# demo (CA de la Région de Compiègne, 22 communes) and the CU de Dunkerque's two communes.
ORG_A_SIREN=200067965
ORG_B_SIREN=245900428
mkdir -p "$WORK/referential"
jq '. + [{"code":"59183","nom":"Dunkerque","type":"commune-actuelle","siren":"215901836","departement":"59","population":86279},
         {"code":"59155","nom":"Coudekerque-Branche","type":"commune-actuelle","siren":"215901554","departement":"59","population":20831}]' \
  "$ROOT/tenants/data/demo-communes.json" >"$WORK/referential/communes.json"
jq '. + [{"code":"245900428","nom":"CU de Dunkerque","type":"CU","populationMunicipale":193000,
          "membres":[{"code":"59183","siren":"215901836"},{"code":"59155","siren":"215901554"}]}]' \
  "$ROOT/tenants/data/demo-epci.json" >"$WORK/referential/epci.json"
mutualis import-referential --data-dir "$WORK/referential" --siren "$ORG_A_SIREN" --siren "$ORG_B_SIREN" \
  >"$WORK/referential.log" 2>&1 || { cat "$WORK/referential.log" >&2; die "import-referential"; }

# Runbook step 2: the extension on every node.
step2="$(doc_sql '### 2. Database, roles and extension on every worker')"
[ -n "$step2" ] || die "deploy/citus.md: no SQL block under step 2"
for node in "${NODES[@]}"; do
  sql "$node" "$DB" -c "$step2"
done

# Runbook step 3, with this machine's hosts and ports.
step3="$(doc_sql '### 3. The cluster (on the coordinator)')"
[ -n "$step3" ] || die "deploy/citus.md: no SQL block under step 3"
step3="${step3//\'db-coordinator.internal\', 5432/\'127.0.0.1\', ${PORT[coordinator]}}"
step3="${step3//\'db-worker-1.internal\', 5432/\'127.0.0.1\', ${PORT[worker1]}}"
step3="${step3//\'db-worker-2.internal\', 5432/\'127.0.0.1\', ${PORT[worker2]}}"
sql coordinator "$DB" -c "$step3" >/dev/null
[ "$(value 'SELECT count(*) FROM citus_get_active_worker_nodes()')" = 2 ] || die "two active workers expected"

# Runbook step 4: citus.sql, word for word.
log "deploy/citus.md step 4: distributing the tables"
doc_sql '### 4. The tables' >"$WORK/citus.sql"
[ -s "$WORK/citus.sql" ] || die "deploy/citus.md: no SQL block under step 4"
sql coordinator "$DB" -f "$WORK/citus.sql" >"$WORK/citus-sql.log" 2>&1 \
  || { tail -20 "$WORK/citus-sql.log" >&2; die "deploy/citus.md step 4 failed"; }

# ------------------------------------------------------------------ the API and two workers

# In the background, `env` execs the binary: $! is the server's own process, which cleanup stops.
start() {
  local name="$1"
  shift
  env -i "${MUTUALIS_ENV[@]}" "$BIN" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
}
start api serve
start worker-a worker
start worker-b worker
for _ in $(seq 1 150); do
  curl -fsS -o /dev/null "$API/readyz" 2>/dev/null && break
  kill -0 "${PIDS[0]}" 2>/dev/null || { cat "$WORK/api.log" >&2; die "mutualis serve exited"; }
  sleep 0.2
done
curl -fsS -o /dev/null "$API/readyz" || { tail -20 "$WORK/api.log" >&2; die "the API never became ready"; }
log "API on $API, two workers"

# ------------------------------------------------------------------ callers

# A person in a role (mutualis invite), with a session opened as the login does.
declare -A SECRET=() CSRF=()
person() {
  local who="$1" email="$2" role="$3" siren="$4" insee="${5:-}"
  local args=(invite --email "$email" --role "$role" --siren "$siren")
  [ -n "$insee" ] && args+=(--insee "$insee")
  mutualis "${args[@]}" >>"$WORK/invite.log" 2>&1 || { cat "$WORK/invite.log" >&2; die "invite $email"; }
  local secret hash user
  secret="ses_citus_$(openssl rand -hex 24)"
  hash="$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)"
  user="$(value "SELECT id FROM app_user WHERE email = '$email'")"
  sql coordinator "$DB" -c "INSERT INTO session (id_hash, user_id, method, created_at, expires_at)
    VALUES ('$hash', '$user', 'citus', now(), now() + interval '8 hours')" >/dev/null
  SECRET[$who]="$secret"
  CSRF[$who]="$(printf '%s' 'mutualis session csrf v1' \
    | openssl dgst -sha256 -mac HMAC -macopt "key:$secret" -binary | base64 | tr '+/' '-_' | tr -d '=\n')"
}

# gql WHO QUERY [VARIABLES]: the response body.
gql() {
  local who="$1" query="$2" vars="${3:-{\}}"
  jq -nc --arg q "$query" --argjson v "$vars" '{query: $q, variables: $v}' \
    | curl -sS -X POST "$API/graphql" -H 'content-type: application/json' \
      -H "cookie: mutualis_session=${SECRET[$who]}" -H "x-csrf-token: ${CSRF[$who]}" --data-binary @-
}

# ------------------------------------------------------------------ checks

PASSED=0
FAILED=()
check() {
  local name="$1"
  shift
  local out
  if out="$("$@" 2>&1)"; then
    PASSED=$((PASSED + 1))
    log "ok   $name"
  else
    FAILED+=("$name")
    log "FAIL $name"
    printf '%s\n' "$out" | tail -20 | sed 's/^/       /' >&2
  fi
}
# expect WHAT ACTUAL EXPECTED
expect() {
  if [ "$2" != "$3" ]; then
    printf '%s: got %s, expected %s\n' "$1" "$2" "$3"
    return 1
  fi
}

# Shards (placements of the distributed tables) on a node.
shards() {
  value "SELECT count(*) FROM pg_dist_shard_placement p JOIN pg_dist_shard s USING (shardid)
         JOIN pg_dist_partition d USING (logicalrelid)
         WHERE d.partmethod = 'h' AND p.nodeport = ${PORT[$1]}"
}

# shellcheck source=tests/citus/checks.sh
source "$ROOT/tests/citus/checks.sh"

# ------------------------------------------------------------------ summary

# Counted by checks.sh before a third worker joins; counted now if it did not get that far.
A="${SHARDS_WORKER1:-$(shards worker1)}"
B="${SHARDS_WORKER2:-$(shards worker2)}"
if [ "${#FAILED[@]}" -gt 0 ]; then
  log "failed: ${FAILED[*]}"
  echo "citus: ${#FAILED[@]} of $((PASSED + ${#FAILED[@]})) tests FAILED on 1 coordinator + 2 workers, shards per worker $A/$B"
  exit 1
fi
echo "citus: $PASSED tests passed on 1 coordinator + 2 workers, shards per worker $A/$B"
