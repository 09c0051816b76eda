#!/usr/bin/env bash
# Third-party suites against /graphql of the real binary on PostgreSQL (see README.md here):
#
#   tests/hardening/run.sh            # full: >= 10,000 generated operations
#   tests/hardening/run.sh --quick    # reduced schemathesis count, for tests/run (CI)
#
# 1. builds the binary (or uses $MUTUALIS_BIN), starts PostgreSQL (tests/services.sh);
# 2. creates a throwaway database, `mutualis migrate`, starts `mutualis serve` on a free loopback
#    port with the demo organisation and demo login (MUTUALIS_DEMO=true);
# 3. logs in every demo role (login.mjs: session cookie + CSRF token, and an API token);
# 4. the graphql-http audit suite (graphql_http_audit.mjs): every MUST passes, every SHOULD as
#    decided;
# 5. schemathesis (PyPI, pinned in requirements.txt, virtualenv ~/.cache/mutualis-hardening-venv)
#    in GraphQL mode, once per role (DSI, DPO, commune admin, editor, auditor, anonymous), checks
#    not_a_server_error, response_schema_conformance and mutualis_graphql_contract
#    (mutualis_checks.py);
# 6. fails on any failure, on fewer operations than asked, and on `panicked` in the server log;
#    stops the server and drops the database.
#
# Environment: MUTUALIS_BIN (binary), MUTUALIS_HARDENING_SEED (schemathesis seed; fixed by
# default in --quick, random otherwise), MUTUALIS_HARDENING_EXAMPLES (examples per operation),
# MUTUALIS_HARDENING_KEEP=1 (keep the scratch directory and database).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h | --help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
  esac
done
log() { printf '[hardening] %s\n' "$*" >&2; }
T0=$SECONDS

# Per role and operation (schemathesis --max-examples). The schema has about 100 root fields and
# six roles: full mode generates about 15,000 operations, quick mode about 3,000 (well under three
# minutes with the server's start).
if [ "$QUICK" = 1 ]; then
  EXAMPLES="${MUTUALIS_HARDENING_EXAMPLES:-5}"
  MIN_TOTAL=2500
  SEED="${MUTUALIS_HARDENING_SEED:-20261124}"
else
  EXAMPLES="${MUTUALIS_HARDENING_EXAMPLES:-25}"
  MIN_TOTAL=10000
  SEED="${MUTUALIS_HARDENING_SEED:-$((RANDOM * 32768 + RANDOM))}"
fi
# Least privileged first: what an administrator's mutations remove (a grant, a token) is gone
# for the roles after it.
ROLES=(anonymous auditor editor commune_admin dpo dsi)

# --- the binary
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/mutualis-target}"
if [ -z "${MUTUALIS_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --locked -q -p api --bin mutualis)
  MUTUALIS_BIN="$CARGO_TARGET_DIR/debug/mutualis"
fi

# --- services: PostgreSQL and Node (tests/services.sh)
# shellcheck source=tests/services.sh
source "$ROOT/tests/services.sh"
ensure_postgres
ensure_node_deps
NODE="$MUTUALIS_NODE"

# --- the suites' own dependencies
if [ ! -f "$HERE/node_modules/.package-lock.json" ] \
  || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
  log "npm ci in tests/hardening"
  (cd "$HERE" && npm ci --no-audit --no-fund >&2)
fi
VENV="${MUTUALIS_HARDENING_VENV:-$HOME/.cache/mutualis-hardening-venv}"
if ! cmp -s "$HERE/requirements.txt" "$VENV/.requirements.txt" 2>/dev/null; then
  log "installing schemathesis into $VENV"
  py="$(command -v python3)" || { _svc_apt_install python3 python3-venv; py="$(command -v python3)"; }
  if [ ! -x "$VENV/bin/python" ]; then
    "$py" -m venv "$VENV" 2>/dev/null || { _svc_apt_install python3-venv; "$py" -m venv "$VENV"; }
  fi
  "$VENV/bin/pip" install -q -r "$HERE/requirements.txt"
  cp "$HERE/requirements.txt" "$VENV/.requirements.txt"
fi

# --- scratch, database, server
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/mutualis-hardening.XXXXXX")"
DB="mutualis_hardening_$$"
# The owner's URL of PostgreSQL (tests/services.sh), on this run's database; the server itself
# connects as mutualis_app (created by the migrations, row-level security applies).
db_url() {
  "$NODE" -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2];
    if (process.argv[3]) { u.username = process.argv[3]; u.password = ""; }
    console.log(u.toString())' "$MUTUALIS_TEST_PG_URL" "$1" "${2:-}"
}
PG_SERVER_DB="$(db_url postgres)"
SERVER_PID=""
psql_admin() {
  local db="$PG_SERVER_DB"
  if [ "${1:-}" = -d ]; then db="$(db_url "$2")"; shift 2; fi
  psql -w -X -q -v ON_ERROR_STOP=1 "$db" "$@"
}
cleanup() {
  local status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  [ -z "${MUTUALIS_HARDENING_DEBUG:-}" ] || log "server stopped at ${SECONDS}s"
  if [ "${MUTUALIS_HARDENING_KEEP:-0}" = 1 ]; then
    log "kept $SCRATCH and database $DB"
  else
    psql_admin -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
    [ -z "${MUTUALIS_HARDENING_DEBUG:-}" ] || log "database dropped at ${SECONDS}s"
    rm -rf "$SCRATCH"
    [ -z "${MUTUALIS_HARDENING_DEBUG:-}" ] || log "scratch removed at ${SECONDS}s"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Databases of earlier runs whose process is gone.
for old in $(psql_admin -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'mutualis\\_hardening\\_%'"); do
  pid="${old#mutualis_hardening_}"
  if ! [ -d "/proc/$pid" ]; then psql_admin -c "DROP DATABASE IF EXISTS \"$old\" WITH (FORCE)" >/dev/null; fi
done
psql_admin -c "CREATE DATABASE \"$DB\"" >/dev/null

PORT="$("$NODE" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
URL="http://127.0.0.1:$PORT"
cp "$MUTUALIS_BIN" "$SCRATCH/mutualis" # the shared binary may be rebuilt meanwhile
SERVER_ENV=(
  "DATABASE_URL=$(db_url "$DB" mutualis_app)"
  "DATABASE_ADMIN_URL=$(db_url "$DB")"
  # A PostgreSQL deployment needs a provider; nothing here logs in through it (closed port).
  "OIDC_ISSUER_URL=http://127.0.0.1:9/"
  "OIDC_CLIENT_ID=mutualis-hardening"
  "OIDC_CLIENT_SECRET=mutualis-hardening-secret"
  "LISTEN_ADDR=127.0.0.1:$PORT"
  "MUTUALIS_DEMO=true"
  "MUTUALIS_DATA_DIR=$SCRATCH/data"
  "MUTUALIS_INGEST_SECRET=hardening-ingest-secret-0123456789abcdef"
  # The suites send thousands of requests per minute as one principal: the per-principal rate
  # limit (default 1200/min, burst 200) is raised so that they test the API, not the limiter.
  "MUTUALIS_RATE_LIMIT_PER_MINUTE=6000000"
  "MUTUALIS_RATE_LIMIT_BURST=1000000"
  "RUST_LOG=info,sqlx=warn,sea_orm=warn"
)
log "migrating database $DB"
(cd "$SCRATCH" && env -u REDIS_URL -u MUTUALIS_CONFIG "${SERVER_ENV[@]}" ./mutualis migrate >"$SCRATCH/migrate.log" 2>&1) || {
  cat "$SCRATCH/migrate.log" >&2
  exit 1
}
log "server on $URL (PostgreSQL database $DB, log $SCRATCH/server.log)"
(
  cd "$SCRATCH"
  exec env -u REDIS_URL -u MUTUALIS_CONFIG "${SERVER_ENV[@]}" ./mutualis serve >"$SCRATCH/server.log" 2>&1
) &
SERVER_PID=$!
for _ in $(seq 1 240); do
  if curl -fsS "$URL/auth/session" 2>/dev/null | grep -q '"demo":true'; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    log "the server stopped:"
    cat "$SCRATCH/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
curl -fsS "$URL/auth/session" | grep -q '"demo":true'

"$NODE" "$HERE/login.mjs" "$URL" "$SCRATCH/credentials.json"
# Ids of every object of the demo data, for the UUID arguments (mutualis_checks.py).
psql_admin -d "$DB" -At >"$SCRATCH/ids.txt" <<'SQL'
SELECT format('SELECT id::text FROM %I.%I ORDER BY random() LIMIT 25', table_schema, table_name)
  FROM information_schema.columns
 WHERE table_schema = 'public' AND column_name = 'id' AND data_type = 'uuid'
\gexec
SQL
log "$(wc -l <"$SCRATCH/ids.txt") object ids for the UUID arguments"
jq_role() { "$NODE" -e 'const c=require(process.argv[1]);const r=c.roles[process.argv[2]];process.stdout.write(r?r[process.argv[3]]:"")' "$SCRATCH/credentials.json" "$1" "$2"; }

status=0

# --- graphql-http audits
T_AUDIT=$SECONDS
(cd "$HERE" && "$NODE" graphql_http_audit.mjs "$URL" "$SCRATCH/credentials.json") || status=1
T_AUDIT=$((SECONDS - T_AUDIT))

# --- schemathesis, one run per role
log "schemathesis $("$VENV/bin/schemathesis" --version | awk '{print $NF}'), $EXAMPLES example(s) per operation, seed $SEED"
SUMMARY="$SCRATCH/summary.tsv"
: >"$SUMMARY"
for role in "${ROLES[@]}"; do
  headers=()
  if [ "$role" != anonymous ]; then
    headers=(-H "Cookie: $(jq_role "$role" cookie)" -H "X-CSRF-Token: $(jq_role "$role" csrf)")
  fi
  t=$SECONDS
  rc=0
  # From the scratch directory: schemathesis leaves a .schemathesis/ folder where it runs.
  (cd "$SCRATCH" && SCHEMATHESIS_HOOKS=mutualis_checks PYTHONPATH="$HERE" PYTHONDONTWRITEBYTECODE=1 \
    MUTUALIS_HARDENING_STATS="$SCRATCH/stats-$role.json" MUTUALIS_HARDENING_IDS="$SCRATCH/ids.txt" \
    "$VENV/bin/schemathesis" run "$URL/graphql" "${headers[@]}" \
    --checks not_a_server_error,response_schema_conformance,mutualis_graphql_contract \
    --phases examples,coverage,fuzzing \
    --max-examples "$EXAMPLES" --seed "$SEED" --workers 2 \
    --generation-database none --suppress-health-check all --no-shrink \
    --request-timeout 30 --no-color --output-truncate true \
    --report json --report-json-path "$SCRATCH/report-$role.json") \
    >"$SCRATCH/schemathesis-$role.log" 2>&1 || rc=$?
  elapsed=$((SECONDS - t))
  "$NODE" -e '
    const fs = require("fs");
    const [report, stats, role, rc, elapsed] = process.argv.slice(1);
    let r = {}, s = {};
    try { r = JSON.parse(fs.readFileSync(report, "utf8")); } catch {}
    try { s = JSON.parse(fs.readFileSync(stats, "utf8")); } catch {}
    const tc = r.test_cases || {};
    const st = s.statuses || {};
    const fivexx = Object.entries(st).filter(([k]) => k >= "500").reduce((a, [, v]) => a + v, 0);
    const failures = (r.failures || []).reduce((a, f) => a + f.count, 0) + (r.errors || []).reduce((a, e) => a + e.count, 0);
    const answered = (s.error_codes || {})["(none: data)"] ?? 0;
    console.log([role, tc.generated ?? 0, s.responses ?? 0, answered, st["429"] ?? 0, fivexx, failures, rc, elapsed].join("\t"));
  ' "$SCRATCH/report-$role.json" "$SCRATCH/stats-$role.json" "$role" "$rc" "$elapsed" >>"$SUMMARY"
  if [ "$rc" != 0 ]; then
    status=1
    log "schemathesis as $role failed (exit $rc):"
    { sed -n '/FAILURES\|ERRORS/,$p' "$SCRATCH/schemathesis-$role.log" | head -n 150 >&2; } || true
  fi
done

# --- panics
if grep -n 'panicked' "$SCRATCH/server.log" >&2; then
  log "the server panicked (lines above)"
  status=1
fi
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  log "the server is gone"
  status=1
fi

# --- figures
"$NODE" -e '
  const fs = require("fs");
  const [file, min, audit, total, quick] = process.argv.slice(1);
  const rows = fs.readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => l.split("\t"));
  const pad = (s, n) => String(s).padStart(n);
  console.log(`== schemathesis (${quick === "1" ? "quick" : "full"})`);
  console.log("  role            operations  responses  with data   429   5xx  failures  exit   time");
  let ops = 0, resp = 0, ok = 0, r429 = 0, e5 = 0, fail = 0, time = 0;
  for (const [role, g, r, d, l, f5, f, rc, t] of rows) {
    console.log(`  ${role.padEnd(14)}${pad(g, 12)}${pad(r, 11)}${pad(d, 11)}${pad(l, 6)}${pad(f5, 6)}${pad(f, 10)}${pad(rc, 6)}${pad(t + "s", 7)}`);
    ops += +g; resp += +r; ok += +d; r429 += +l; e5 += +f5; fail += +f; time += +t;
  }
  console.log(`  ${"total".padEnd(14)}${pad(ops, 12)}${pad(resp, 11)}${pad(ok, 11)}${pad(r429, 6)}${pad(e5, 6)}${pad(fail, 10)}${pad("", 6)}${pad(time + "s", 7)}`);
  console.log("  (operations: generated by schemathesis; responses: seen by the checks; with data: answered without any error)");
  console.log(`== graphql-http audits ${audit}s; hardening total ${total}s`);
  if (ops < +min) { console.log(`schemathesis generated ${ops} operations, fewer than ${min}`); process.exit(1); }
' "$SUMMARY" "$MIN_TOTAL" "$T_AUDIT" "$((SECONDS - T0))" "$QUICK" || status=1

if [ "$status" = 0 ]; then
  echo "hardening: ok"
else
  echo "hardening: FAILED (logs in $SCRATCH when MUTUALIS_HARDENING_KEEP=1)"
fi
exit "$status"
