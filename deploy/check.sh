#!/usr/bin/env bash
# Static checks of deploy/ (no container engine, no cluster): YAML, Kubernetes schemas, the
# compose-spec schema, systemd units, the Dockerfile's essentials, shellcheck, and cross-checks
# against the application (configuration variables, CLI commands, probes, secrets by reference).
#
#   deploy/check.sh            # exit 0 when everything holds, 1 otherwise
#
# Installs what it needs: a virtualenv under ~/.cache/mutualis-deploy-venv (PyPI:
# kubernetes-validate, which bundles the Kubernetes JSON schemas, check-jsonschema, which
# bundles the compose-spec schema, PyYAML), and shellcheck from Debian when run as root.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPLOY="$ROOT/deploy"
VENV="${MUTUALIS_DEPLOY_VENV:-${HOME:-/root}/.cache/mutualis-deploy-venv}"
# Pinned: the schemas they bundle are part of what is checked.
PY_PACKAGES=(kubernetes-validate==1.37.0 check-jsonschema==0.39.0 PyYAML==6.0.3)
K8S_VERSION="${MUTUALIS_K8S_VERSION:-1.32.0}"

failures=0
passes=0
step() { printf '== %s\n' "$*"; }
run() { # run NAME CMD...: one check, its output indented
  local name="$1" out status
  shift
  out="$("$@" 2>&1)"
  status=$?
  [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/   /'
  if [ "$status" -eq 0 ]; then
    passes=$((passes + 1))
    printf '  PASS %s\n' "$name"
  else
    failures=$((failures + 1))
    printf '  FAIL %s (exit %s)\n' "$name" "$status"
  fi
}
start=$(date +%s)

# ---------------------------------------------------------------- tools
step "tools"
stamp="$VENV/.mutualis-$(printf '%s ' "${PY_PACKAGES[@]}" | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  python3 -m venv "$VENV" || { echo "check.sh: cannot create $VENV" >&2; exit 1; }
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}" \
    || { echo "check.sh: pip install failed" >&2; exit 1; }
  touch "$stamp"
fi
PY="$VENV/bin/python"
if ! command -v shellcheck >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  { apt-get install -y -qq shellcheck || { apt-get update -qq && apt-get install -y -qq shellcheck; }; } >/dev/null 2>&1
fi
printf '  %s\n' "python $("$PY" -c 'import sys; print(sys.version.split()[0])')" \
  "kubernetes-validate $("$VENV/bin/kubernetes-validate" --version 2>&1 | tail -n1) (schemas of Kubernetes $K8S_VERSION, strict)" \
  "check-jsonschema $("$VENV/bin/check-jsonschema" --version 2>&1 | awk '{print $NF}') (vendor.compose-spec)" \
  "systemd-analyze: $(systemd-analyze --version 2>/dev/null | head -n1 || echo 'absent: INI parse instead')" \
  "shellcheck: $(shellcheck --version 2>/dev/null | sed -n 's/^version: //p' || true)" \
  "kubectl (kustomize): $(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p' || true)" \
  "docker compose: $(docker compose version 2>/dev/null || echo 'absent: schema validation only')"

# ---------------------------------------------------------------- YAML
step "YAML: every file parses"
run "yaml" "$PY" "$DEPLOY/checks/static_checks.py" "$ROOT" yaml

# ---------------------------------------------------------------- Kubernetes
step "Kubernetes: manifests against the JSON schemas of $K8S_VERSION (offline, strict)"
mapfile -t manifests < <(find "$DEPLOY/kubernetes" -maxdepth 1 -name '*.yaml' ! -name kustomization.yaml | sort)
run "kubernetes-validate" "$VENV/bin/kubernetes-validate" --strict --kubernetes-version "$K8S_VERSION" "${manifests[@]}"
run "kustomization resources" "$PY" "$DEPLOY/checks/static_checks.py" "$ROOT" kustomization
if command -v kubectl >/dev/null 2>&1; then
  rendered="$(mktemp)"
  trap 'rm -f "$rendered"' EXIT
  render_and_validate() {
    kubectl kustomize "$DEPLOY/kubernetes" >"$rendered" \
      && "$VENV/bin/kubernetes-validate" --strict --quiet --kubernetes-version "$K8S_VERSION" "$rendered" \
      && echo "$(grep -c '^kind:' "$rendered") objects rendered by kustomize, all valid"
  }
  run "kubectl kustomize + schemas" render_and_validate
fi

# ---------------------------------------------------------------- compose
step "compose: deploy/compose.yaml against the compose-spec schema"
run "compose-spec schema" "$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$DEPLOY/compose.yaml"
if docker compose version >/dev/null 2>&1; then
  run "docker compose config" docker compose -f "$DEPLOY/compose.yaml" --env-file "$DEPLOY/.env.example" config -q
fi

# ---------------------------------------------------------------- systemd
step "systemd units"
if command -v systemd-analyze >/dev/null 2>&1; then
  verify_units() {
    # The binary is not installed here: a stub stands in for /opt/mutualis/bin/mutualis.
    # systemd-analyze exits 0 on unknown keys and bad values; any message is a failure.
    local dir out n=0
    dir="$(mktemp -d)"
    printf '#!/bin/sh\nexit 0\n' >"$dir/mutualis" && chmod +x "$dir/mutualis"
    for u in "$DEPLOY"/systemd/*.service; do
      sed "s|/opt/mutualis/bin/mutualis|$dir/mutualis|g" "$u" >"$dir/$(basename "$u")"
      n=$((n + 1))
    done
    out="$(cd "$dir" && systemd-analyze verify --man=no ./*.service 2>&1)"
    local status=$?
    rm -rf "$dir"
    [ -n "$out" ] && printf '%s\n' "$out"
    [ "$status" -eq 0 ] && [ -z "$out" ] && echo "$n units verified"
  }
  run "systemd-analyze verify" verify_units
else
  run "systemd units parse" "$PY" "$DEPLOY/checks/static_checks.py" "$ROOT" systemd-parse
fi

# ---------------------------------------------------------------- Dockerfile
step "Dockerfile: multi-stage, non-root, no secrets, what the server needs"
run "Dockerfile" "$PY" "$DEPLOY/checks/static_checks.py" "$ROOT" dockerfile

# ---------------------------------------------------------------- shell
step "shellcheck"
if command -v shellcheck >/dev/null 2>&1; then
  mapfile -t scripts < <(find "$DEPLOY" -name '*.sh' | sort)
  run "shellcheck ${#scripts[@]} script(s)" shellcheck -x "${scripts[@]}"
else
  echo "  skipped: shellcheck not installed (not root: apt-get install shellcheck)"
fi

# ---------------------------------------------------------------- cross-checks
step "cross-checks with the application (README, config/, cli.rs, server.rs)"
run "cross-checks" "$PY" "$DEPLOY/checks/static_checks.py" "$ROOT" cross

printf '== deploy/check.sh: %s passed, %s failed (%ss)\n' "$passes" "$failures" "$(($(date +%s) - start))"
[ "$failures" -eq 0 ]
