#!/usr/bin/env bash
# End-to-end tests of the console against the real server, in a real browser.
#
#   web/e2e/run.sh                       # from anywhere
#   MUTUALIS_BIN=/path/to/mutualis web/e2e/run.sh
#   web/e2e/run.sh web/e2e/tests/dpo-alerts.test.mjs   # some test files only
#
# 1. installs the test tools (npm ci when node_modules is missing); the console itself is
#    embedded in the server binary (api/build.rs builds it), so the binary is what is tested;
# 2. starts the test OpenID Connect provider (tests/oidc/provider.mjs through
#    tests/services.sh) unless MUTUALIS_E2E_OIDC=0;
# 3. starts the server binary ($MUTUALIS_BIN, default the shared debug build) in embedded
#    mode (SQLite, demo data, demo login) in a scratch directory, on a free loopback port,
#    with the provider configured;
# 4. runs every e2e/tests/*.test.mjs with node's test runner, one file at a time: Debian's
#    chromium (installed with apt-get when missing and root) driven by playwright-core,
#    headless, no sandbox, no background networking; axe-core on every page visited;
#    screenshots into web/screenshots/;
# 5. stops what it started; exits non-zero on any failure.
set -euo pipefail

OLDPWD_CALLER="$(pwd)"
WEB="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(cd "$WEB/.." && pwd)"
BIN="${MUTUALIS_BIN:-/root/.cache/mutualis-target/debug/mutualis}"
log() { printf '[e2e] %s\n' "$*" >&2; }

if [ ! -x "$BIN" ]; then
  log "no server binary at $BIN: build it (cargo build -p api) or set MUTUALIS_BIN"
  exit 2
fi

# --- the browser
CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian's chromium"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
    CHROMIUM="$(command -v chromium)"
  else
    log "chromium is missing (apt-get install chromium) or set CHROMIUM"
    exit 2
  fi
fi
export CHROMIUM

# --- the test tools (playwright-core, axe-core)
cd "$WEB"
if [ ! -d node_modules ]; then
  log "npm ci"
  npm ci --no-audit --no-fund >&2
fi

# --- scratch directory, free port
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/mutualis-e2e.XXXXXX")"
SERVER_PID=""
OIDC_STARTED=""
cleanup() {
  local status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$OIDC_STARTED" ]; then stop_oidc_provider || true; fi
  if [ "$status" -ne 0 ] && [ -f "$SCRATCH/server.log" ]; then
    log "server log (last lines):"
    tail -n 40 "$SCRATCH/server.log" >&2 || true
  fi
  rm -rf "$SCRATCH"
  exit "$status"
}
trap cleanup EXIT INT TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
PORT="$(free_port)"
URL="http://127.0.0.1:$PORT"

# --- the OpenID Connect provider (tests/services.sh)
OIDC_ENV=()
if [ "${MUTUALIS_E2E_OIDC:-1}" != 0 ]; then
  # shellcheck source=../../tests/services.sh
  source "$REPO/tests/services.sh"
  if ensure_node_deps && start_oidc_provider; then
    OIDC_STARTED=1
    export MUTUALIS_OIDC_ISSUER="$MUTUALIS_TEST_OIDC_ISSUER"
    OIDC_ENV=(
      "OIDC_ISSUER_URL=$MUTUALIS_TEST_OIDC_ISSUER"
      "OIDC_CLIENT_ID=$MUTUALIS_TEST_OIDC_CLIENT_ID"
      "OIDC_CLIENT_SECRET=$MUTUALIS_TEST_OIDC_CLIENT_SECRET"
      "PUBLIC_URL=$URL"
    )
    log "OpenID Connect provider at $MUTUALIS_TEST_OIDC_ISSUER"
  elif [ "${MUTUALIS_E2E_OIDC:-1}" = require ]; then
    log "the OpenID Connect provider could not start"
    exit 1
  else
    log "the OpenID Connect provider could not start: its journey is skipped"
  fi
fi

# --- the server, embedded mode (its own copy of the binary: the shared one may be rebuilt;
# the console is inside it)
cp "$BIN" "$SCRATCH/mutualis"
log "server on $URL (scratch $SCRATCH)"
(
  cd "$SCRATCH"
  exec env -u DATABASE_URL -u DATABASE_ADMIN_URL -u REDIS_URL -u MUTUALIS_CONFIG \
    -u OIDC_ISSUER_URL -u OIDC_CLIENT_ID -u OIDC_CLIENT_SECRET -u PUBLIC_URL \
    LISTEN_ADDR="127.0.0.1:$PORT" MUTUALIS_DATA_DIR="$SCRATCH/data" MUTUALIS_DEMO=true \
    "${OIDC_ENV[@]}" ./mutualis serve >"$SCRATCH/server.log" 2>&1
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
curl -fsS "$URL/auth/session" >/dev/null

# --- the tests (paths given as arguments are read from the caller's directory)
cd "$OLDPWD_CALLER"
export MUTUALIS_URL="$URL"
export MUTUALIS_SCREENSHOTS="$WEB/screenshots"
mkdir -p "$MUTUALIS_SCREENSHOTS"
export MUTUALIS_AXE_LOG="$SCRATCH/axe.jsonl"
: >"$MUTUALIS_AXE_LOG"
log "running the tests"
set +e
if [ "$#" -gt 0 ]; then TESTS=("$@"); else TESTS=("$WEB"/e2e/tests/*.test.mjs); fi
node --test --test-concurrency=1 --test-reporter=spec "${TESTS[@]}"
status=$?
set -e
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse);
  const bad = lines.filter((l) => l.violations);
  console.log(`axe-core (wcag2a, wcag2aa, wcag21a, wcag21aa): ${lines.length} page states checked, ${bad.reduce((s, l) => s + l.violations, 0)} violation(s)`);
  for (const l of bad) console.log(`  ${l.violations} on ${l.label} (${l.url})`);
' "$MUTUALIS_AXE_LOG"
ls "$MUTUALIS_SCREENSHOTS"/*.png | sed "s|^$WEB/|screenshot: |"
exit "$status"
