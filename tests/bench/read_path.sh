#!/usr/bin/env bash
# The read path in under five minutes (issue 23):
#   tests/bench/read_path.sh [seconds per run=10] [clients=50]
# Fills the largest intercommunality (158 communes, scale_bench's volumes), then a commune
# administrator's three lists (activities, rightsRequests, contracts) through the release API,
# PostGraphile 4 and pgbench on the same SQL: same database, role and RLS settings. Prints one
# line per list, then as its last line
#   read_path: min ratio vs PostGraphile X.XX, min ratio vs pgbench Y.YY, max p99 Z ms
# Exits non-zero when an answer is wrong (an error, another commune's rows), never on speed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=tests/services.sh
source "$ROOT/tests/services.sh"
# PostgreSQL, Redis and the referential (npm) only: nothing else is read.
ensure_postgres
ensure_redis
ensure_node_deps
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/mutualis-target}"
# One invocation: the binary and the example share one build of the workspace's crates.
cargo build --release --locked -q -p api --bin mutualis -p integration-tests --example read_path
if [ ! -d tests/bench/postgraphile/node_modules ]; then
  (cd tests/bench/postgraphile && npm ci --no-audit --no-fund --silent)
fi
MUTUALIS_BIN="$CARGO_TARGET_DIR/release/mutualis" \
  "$CARGO_TARGET_DIR/release/examples/read_path" "${1:-10}" "${2:-50}"
