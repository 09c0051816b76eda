#!/usr/bin/env bash
# The read-path benchmark's three lists on Citus next to single-node PostgreSQL (issue 24):
#   tests/citus/read_path.sh [seconds per run=10] [clients=50]
# A coordinator and two workers (tests/citus/cluster.sh), the migrations on the coordinator, the
# runbook's steps 2 and 3; then tests/examples/read_path.rs fills the largest intercommunality
# (158 communes) into the coordinator's still local tables and measures the three lists there
# (the API, PostGraphile, pgbench: single-node PostgreSQL, Citus loaded but unused), runs the
# runbook's step 4 on the filled tables (a single-node deployment moving to Citus, its data
# moved to the shards) and measures the API and pgbench again: same data, same clients, same
# machine. Prints the example's lines; its last line is
#   read_path on Citus: min ratio vs single node X.XX, max p99 Z ms
# Exits non-zero when an answer is wrong or a step fails, never on speed.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=tests/services.sh
source "$ROOT/tests/services.sh"
# The PostgreSQL packages (binaries, psql, pgbench), Redis for the API, the referential (npm).
ensure_postgres
ensure_redis
ensure_node_deps
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/mutualis-target}"
cargo build --release --locked -q -p api --bin mutualis -p integration-tests --example read_path
if [ ! -d "$ROOT/tests/bench/postgraphile/node_modules" ]; then
  (cd "$ROOT/tests/bench/postgraphile" && npm ci --no-audit --no-fund --silent)
fi
export MUTUALIS_BIN="$CARGO_TARGET_DIR/release/mutualis"

# shellcheck source=tests/citus/cluster.sh
source "$ROOT/tests/citus/cluster.sh"

ADMIN_URL="postgres://postgres@127.0.0.1:${PORT[coordinator]}/$DB?sslmode=disable"
log "mutualis migrate on the coordinator"
env -i PATH=/usr/bin:/bin DATABASE_URL="postgres://$APP_ROLE@127.0.0.1:${PORT[coordinator]}/$DB?sslmode=disable" \
  DATABASE_ADMIN_URL="$ADMIN_URL" OIDC_ISSUER_URL=http://127.0.0.1:9/ OIDC_CLIENT_ID=bench \
  OIDC_CLIENT_SECRET=bench RUST_LOG=warn "$BIN" migrate >"$WORK/migrate.log" 2>&1 \
  || { cat "$WORK/migrate.log" >&2; die "migrate"; }
runbook_steps_2_3

# Step 4, run by the example between its two rounds.
doc_sql '### 4. The tables' >"$WORK/citus.sql"
[ -s "$WORK/citus.sql" ] || die "deploy/citus.md: no SQL block under step 4"
step4="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p ${PORT[coordinator]} -U postgres -d $DB"
step4="$step4 -f $WORK/citus.sql >$WORK/citus-sql.log 2>&1 || { tail -20 $WORK/citus-sql.log >&2; exit 1; }"

MUTUALIS_BENCH_ADMIN_URL="$ADMIN_URL" READ_PATH_THEN="$step4" \
  "$CARGO_TARGET_DIR/release/examples/read_path" "${1:-10}" "${2:-50}"
