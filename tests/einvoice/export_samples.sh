#!/usr/bin/env bash
# Writes into DIR the e-invoices of a billing run of the demo intercommunality, one per
# commune: the UBL 2.1 files (*.xml) that Chorus Pro accepts and the Factur-X PDFs (*.pdf,
# PDF/A-3 with the CII embedded as factur-x.xml), so that anyone can validate them
# independently of the test suite (for instance with ./validate.mjs and ./check_facturx.py,
# the European Commission's validator, or veraPDF for the PDF/A-3 part). Starts the server in embedded demo mode in a scratch directory,
# logs in as the demo DSI, downloads every invoice, stops the server.
#
#   tests/einvoice/export_samples.sh DIR
#
# MUTUALIS_BIN: the binary to run (default: built with cargo into CARGO_TARGET_DIR).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:?usage: export_samples.sh DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [ -z "${MUTUALIS_BIN:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/mutualis-target}"
  (cd "$root" && cargo build -q --locked -p api --bin mutualis)
  MUTUALIS_BIN="$CARGO_TARGET_DIR/debug/mutualis"
fi
scratch="$(mktemp -d)"
jar="$scratch/cookies"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
(
  cd "$scratch"
  exec env -u DATABASE_URL -u DATABASE_ADMIN_URL -u REDIS_URL -u MUTUALIS_CONFIG \
    -u OIDC_ISSUER_URL -u OIDC_CLIENT_ID -u OIDC_CLIENT_SECRET -u PUBLIC_URL \
    LISTEN_ADDR="127.0.0.1:$port" MUTUALIS_DATA_DIR="$scratch/data" MUTUALIS_DEMO=true \
    "$MUTUALIS_BIN" serve >"$scratch/server.log" 2>&1
) &
pid=$!
for _ in $(seq 1 240); do
  curl -fsS "$url/auth/session" 2>/dev/null | grep -q '"demo":true' && break
  kill -0 "$pid" 2>/dev/null || { cat "$scratch/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS -c "$jar" -o /dev/null -d "email=dsi@demo.mutualis.invalid" "$url/auth/demo"
csrf="$(curl -fsS -b "$jar" "$url/auth/session" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("csrfToken",""))')"
gql() {
  curl -fsS -b "$jar" -H "content-type: application/json" -H "x-csrf-token: $csrf" \
    --data "$1" "$url/graphql"
}
ids="$(gql '{"query":"{ invoices(first: 500) { id number } }"}' 2>/dev/null \
  || gql '{"query":"{ invoices { id number } }"}')"
n=0
while read -r id number; do
  [ -n "$id" ] || continue
  curl -fsS -b "$jar" -o "$out/facture-$number.xml" "$url/exports/billing/invoice?id=$id"
  curl -fsS -b "$jar" -o "$out/facture-$number.pdf" "$url/exports/billing/invoice?id=$id&syntax=facturx"
  n=$((n + 1))
done < <(printf '%s' "$ids" | python3 -c '
import json, sys
d = json.load(sys.stdin)["data"]["invoices"]
for i in (d["items"] if isinstance(d, dict) else d):
    print(i["id"], i["number"])')
[ "$n" -gt 0 ] || { echo "export_samples: no invoice in the demo" >&2; exit 1; }
echo "export_samples: $n UBL files and $n Factur-X PDFs in $out"
