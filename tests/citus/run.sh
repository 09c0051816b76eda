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

# shellcheck source=tests/citus/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

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

runbook_steps_2_3
runbook_step_4

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
