#!/usr/bin/env bash
# Mixed tenant traffic at a fixed rate against a separate release API process (issue 10):
#   tests/load/run.sh [rate=500] [seconds=60]
# Starts the test services, installs the test Node packages (autocannon), builds the release
# binary, then runs tests/examples/mixed_load.rs, which prints every figure and exits non-zero
# on any error, refusal or cross-tenant row.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=tests/services.sh
source "$ROOT/tests/services.sh"
trap stop_services EXIT
start_services
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/mutualis-target}"
cargo build --release --locked -p api --bin mutualis
MUTUALIS_BIN="$CARGO_TARGET_DIR/release/mutualis" \
  cargo run --release --locked -p integration-tests --example mixed_load -- "${1:-500}" "${2:-60}"
