#!/usr/bin/env python3
"""Static checks of deploy/ that need no container engine nor cluster (run by deploy/check.sh).

    python3 static_checks.py ROOT yaml|dockerfile|systemd-parse|kustomization|cross

Each subcommand prints what it checked and exits 1 on the first list of problems.
"""
import configparser
import glob
import os
import re
import sys

import yaml

ROOT = os.path.abspath(sys.argv[1])
DEPLOY = os.path.join(ROOT, "deploy")
K8S = os.path.join(DEPLOY, "kubernetes")
problems: list[str] = []
checked: list[str] = []


def fail(msg: str) -> None:
    problems.append(msg)


def ok(msg: str) -> None:
    checked.append(msg)


def rel(p: str) -> str:
    return os.path.relpath(p, ROOT)


def read(p: str) -> str:
    with open(p, encoding="utf-8") as f:
        return f.read()


def yaml_docs(p: str) -> list:
    with open(p, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def yaml_files() -> list[str]:
    out = []
    for pat in ("**/*.yaml", "**/*.yml"):
        out += glob.glob(os.path.join(DEPLOY, pat), recursive=True)
    return sorted(set(out))


def k8s_manifests() -> list[str]:
    return sorted(
        p for p in glob.glob(os.path.join(K8S, "*.yaml")) if os.path.basename(p) != "kustomization.yaml"
    )


def k8s_objects() -> list[tuple[str, dict]]:
    out = []
    for p in k8s_manifests():
        for d in yaml_docs(p):
            out.append((os.path.basename(p), d))
    return out


# ------------------------------------------------------------------ the application's facts

def cli_commands() -> set[str]:
    """Subcommands of `mutualis`, from the clap enum (CamelCase -> kebab-case)."""
    src = read(os.path.join(ROOT, "api/src/cli.rs"))
    body = src[src.index("pub enum Command"):]
    body = body[: body.index("\n}\n")]
    names = re.findall(r"^    ([A-Z][A-Za-z]+)\s*[,{]", body, re.M)
    return {re.sub(r"(?<!^)([A-Z])", r"-\1", n).lower() for n in names}


def config_source() -> str:
    """The configuration's code: every file of api/src/config/."""
    d = os.path.join(ROOT, "api/src/config")
    return "\n".join(read(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith(".rs"))


def config_code_vars() -> set[str]:
    """Variables config/ reads: the raw keys, the MUTUALIS_ prefixed ones, MUTUALIS_CONFIG."""
    src = config_source()
    keys = re.search(r"let keys = \[(.*?)\];", src, re.S)
    names = set(re.findall(r'"([A-Z][A-Z0-9_]*)"', keys.group(1))) if keys else set()
    pref = re.search(r'Env::prefixed\("MUTUALIS_"\)\.only\(&\[(.*?)\]\)', src, re.S)
    if pref:
        names |= {"MUTUALIS_" + n for n in re.findall(r'"([A-Z][A-Z0-9_]*)"', pref.group(1))}
    if "MUTUALIS_CONFIG" in src:
        names.add("MUTUALIS_CONFIG")
    return names


def readme_vars() -> set[str]:
    """Variables named in README's "Production configuration" section (table and text)."""
    src = read(os.path.join(ROOT, "README.md"))
    m = re.search(r"^## Production configuration\n(.*?)(?=^## )", src, re.S | re.M)
    if not m:
        fail("README.md: no '## Production configuration' section")
        return set()
    return set(re.findall(r"`([A-Z][A-Z0-9_]+(?:<NAME>)?)`", m.group(1)))


# Not Mutualis settings, but read by what it runs: the log filter and restic's cache.
OTHER_ALLOWED = {"RUST_LOG", "XDG_CACHE_HOME"}


def build_vars() -> set[str]:
    """Build-time variables the server's build script reads (MUTUALIS_CONSOLE_DIST)."""
    src = read(os.path.join(ROOT, "api/build.rs"))
    return set(re.findall(r'env::var\("([A-Z][A-Z0-9_]+)"\)', src)) - {"CARGO_MANIFEST_DIR", "OUT_DIR"}


def allowed_var(name: str, documented: set[str]) -> bool:
    if name in documented or name in OTHER_ALLOWED or name in build_vars():
        return True
    return bool(re.fullmatch(r"MUTUALIS_RESTIC_PASSWORD_[A-Z0-9_]+", name)) and (
        "MUTUALIS_RESTIC_PASSWORD_<NAME>" in documented
    )


SECRET_NAME = re.compile(r"(SECRET|PASSWORD|_KEY$|DATABASE_URL|DATABASE_ADMIN_URL|SMTP_URL)")


# ------------------------------------------------------------------ subcommands

def check_yaml() -> None:
    for p in yaml_files():
        try:
            n = len(yaml_docs(p))
            ok(f"{rel(p)}: {n} YAML document(s)")
        except yaml.YAMLError as e:
            fail(f"{rel(p)}: YAML does not parse: {e}")


def check_dockerfile() -> None:
    p = os.path.join(DEPLOY, "Dockerfile")
    src = read(p)
    # Join continuation lines, drop comments.
    lines = []
    cur = ""
    for raw in src.splitlines():
        s = raw.rstrip()
        if not cur and s.lstrip().startswith("#"):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        cur += s
        if cur.strip():
            lines.append(cur.strip())
        cur = ""
    instr = [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if " " in l else "") for l in lines]
    froms = [a for i, a in instr if i == "FROM"]
    if len(froms) < 3:
        fail(f"Dockerfile: {len(froms)} FROM, expected a multi-stage build (rust, console, runtime)")
    else:
        ok(f"Dockerfile: {len(froms)} stages")
    last_from = max(k for k, (i, _) in enumerate(instr) if i == "FROM")
    final = instr[last_from:]
    users = [a for i, a in final if i == "USER"]
    if not users:
        fail("Dockerfile: the runtime stage sets no USER (would run as root)")
    else:
        u = users[-1].split(":")[0]
        if u in ("0", "root") or not u.isdigit():
            fail(f"Dockerfile: USER {users[-1]!r}: expected a fixed non-root numeric UID")
        else:
            ok(f"Dockerfile: runtime USER {users[-1]} (numeric, non-root)")
    for i, a in instr:
        if i in ("ENV", "ARG"):
            for name in re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)", a):
                if SECRET_NAME.search(name.upper()) or re.search(r"TOKEN|PASSW|SECRET", name.upper()):
                    fail(f"Dockerfile: {i} {name}: secrets never go into the image")
    ok("Dockerfile: no secret-like ENV/ARG")
    runs = " ".join(a for i, a in instr if i == "RUN")
    for needle in ("cargo build --release --locked -p api --bin mutualis", "npm ci", "npm run build"):
        if needle not in runs:
            fail(f"Dockerfile: no RUN with {needle!r}")
    # The console is embedded in the binary: the rust stage must be given the console's build
    # (MUTUALIS_CONSOLE_DIST, from the console stage) and build after receiving it.
    stages, cur = [], []
    for i, a in instr:
        if i == "FROM" and cur:
            stages.append(cur)
            cur = []
        cur.append((i, a))
    stages.append(cur)
    rust = next((st for st in stages if any(i == "RUN" and "cargo build" in a for i, a in st)), [])
    env_at = next((k for k, (i, a) in enumerate(rust) if i == "ENV" and "MUTUALIS_CONSOLE_DIST=" in a), None)
    copy_at = next((k for k, (i, a) in enumerate(rust) if i == "COPY" and "--from=console" in a and "dist" in a), None)
    build_at = next((k for k, (i, a) in enumerate(rust) if i == "RUN" and "cargo build" in a), None)
    if env_at is None or copy_at is None or build_at is None or max(env_at, copy_at) > build_at:
        fail("Dockerfile: the rust stage does not receive the console's build (COPY --from=console ... dist, ENV MUTUALIS_CONSOLE_DIST) before cargo build")
    else:
        ok("Dockerfile: console built in its own stage, embedded by cargo build (MUTUALIS_CONSOLE_DIST)")
    if any(i == "COPY" and "web/dist" in a for i, a in final):
        fail("Dockerfile: the runtime stage copies web/dist, which the server no longer reads (the console is in the binary)")
    if not any(i == "EXPOSE" and "8080" in a for i, a in final):
        fail("Dockerfile: no EXPOSE 8080")
    if not any(i == "ENV" and "LISTEN_ADDR=0.0.0.0:8080" in a for i, a in final):
        fail("Dockerfile: ENV LISTEN_ADDR=0.0.0.0:8080 missing (default is loopback)")
    if not any(i == "HEALTHCHECK" and "/healthz" in a for i, a in final):
        fail("Dockerfile: no HEALTHCHECK on /healthz")
    if not any(i == "ENTRYPOINT" and "mutualis" in a for i, a in final):
        fail("Dockerfile: ENTRYPOINT is not mutualis")
    final_runs = " ".join(a for i, a in final if i == "RUN")
    for pkg in ("ca-certificates", "restic"):
        if pkg not in final_runs:
            fail(f"Dockerfile: runtime stage does not install {pkg}")
    ok("Dockerfile: build commands, EXPOSE, LISTEN_ADDR, HEALTHCHECK, ENTRYPOINT, packages")
    # Toolchain and referential versions against the repository.
    cargo = read(os.path.join(ROOT, "Cargo.toml"))
    need = re.search(r'rust-version\s*=\s*"([\d.]+)"', cargo)
    have = re.search(r"ARG RUST_VERSION=([\d.]+)", src)
    if need and have:
        v = lambda s: tuple(int(x) for x in s.split("."))
        if v(have.group(1)) < v(need.group(1))[: len(v(have.group(1)))]:
            fail(f"Dockerfile: RUST_VERSION {have.group(1)} < workspace rust-version {need.group(1)}")
        else:
            ok(f"Dockerfile: RUST_VERSION {have.group(1)} >= rust-version {need.group(1)}")
    lock = os.path.join(ROOT, "tests/package-lock.json")
    ref = re.search(r"ARG REFERENTIAL_VERSION=(\S+)", src)
    if ref and os.path.exists(lock):
        import json

        locked = json.loads(read(lock))["packages"].get("node_modules/@etalab/decoupage-administratif", {})
        if locked.get("version") != ref.group(1):
            fail(f"Dockerfile: REFERENTIAL_VERSION {ref.group(1)} != tests/package-lock.json {locked.get('version')}")
        else:
            ok(f"Dockerfile: referential {ref.group(1)} = tests/package-lock.json")
    # Sources copied from the context exist, and the ignore file does not drop them.
    ign = os.path.join(DEPLOY, "Dockerfile.dockerignore")
    if not os.path.exists(ign):
        fail("deploy/Dockerfile.dockerignore missing")
    for i, a in instr:
        if i == "COPY" and "--from=" not in a:
            for s in a.split()[:-1]:
                if s.startswith("--"):
                    continue
                if not glob.glob(os.path.join(ROOT, s)):
                    fail(f"Dockerfile: COPY {s}: not in the repository")
    bins = read(os.path.join(ROOT, "api/Cargo.toml"))
    if not re.search(r'name\s*=\s*"mutualis"', bins):
        fail("api/Cargo.toml: no binary named mutualis")
    ok("Dockerfile: COPY sources exist; api builds a binary named mutualis")


def check_systemd_parse() -> None:
    """Fallback when systemd-analyze is not installed: an INI parse and the essentials."""
    for p in sorted(glob.glob(os.path.join(DEPLOY, "systemd/*.service"))):
        cp = configparser.ConfigParser(strict=False, interpolation=None, allow_no_value=True)
        cp.optionxform = str
        try:
            cp.read_string(read(p))
        except configparser.Error as e:
            fail(f"{rel(p)}: does not parse: {e}")
            continue
        for sec in ("Unit", "Service"):
            if sec not in cp:
                fail(f"{rel(p)}: no [{sec}]")
        ok(f"{rel(p)}: parses")


def check_kustomization() -> None:
    k = yaml_docs(os.path.join(K8S, "kustomization.yaml"))[0]
    listed = k.get("resources", [])
    for r in listed:
        if not os.path.exists(os.path.join(K8S, r)):
            fail(f"kustomization.yaml: resource {r} does not exist")
    for p in k8s_manifests():
        b = os.path.basename(p)
        if b == "secret.example.yaml":
            if b in listed:
                fail("kustomization.yaml lists secret.example.yaml (placeholders would be applied)")
            continue
        if b not in listed:
            fail(f"kustomization.yaml does not list {b}")
    ok(f"kustomization.yaml: {len(listed)} resources, all present, every manifest listed")


def containers(obj: dict) -> list[dict]:
    spec = obj.get("spec", {})
    if obj.get("kind") in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
        tpl = spec.get("template", {}).get("spec", {})
        return tpl.get("containers", []) + tpl.get("initContainers", [])
    return []


def pod_spec(obj: dict) -> dict:
    return obj.get("spec", {}).get("template", {}).get("spec", {})


def check_cross() -> None:
    documented = readme_vars()
    code = config_code_vars()
    commands = cli_commands()
    ok(f"README documents {len(documented)} variables; config/ reads {len(code)}; CLI: {', '.join(sorted(commands))}")
    for v in sorted(documented):
        if v.endswith("<NAME>"):
            if "MUTUALIS_RESTIC_PASSWORD_" not in config_source():
                fail(f"README documents {v}, config/ does not read it")
        elif v not in code:
            fail(f"README documents {v}, config/ does not read it")
    for v in sorted(code - documented):
        fail(f"config/ reads {v}, README's configuration does not document it")

    def env_ok(where: str, name: str) -> None:
        if not allowed_var(name, documented):
            fail(f"{where}: sets {name}, which README's configuration does not know")

    # ---- Kubernetes
    objs = k8s_objects()
    by_kind: dict[str, list[dict]] = {}
    for _, o in objs:
        by_kind.setdefault(o["kind"], []).append(o)
    secret_keys = {}
    for o in by_kind.get("Secret", []):
        secret_keys[o["metadata"]["name"]] = set((o.get("stringData") or {}) | (o.get("data") or {}))
    cms = {o["metadata"]["name"]: o.get("data", {}) for o in by_kind.get("ConfigMap", [])}
    for name, data in cms.items():
        for k, v in data.items():
            env_ok(f"ConfigMap {name}", k)
            if SECRET_NAME.search(k):
                fail(f"ConfigMap {name}: {k} is a secret, reference it from a Secret")
    n_refs = 0
    for f, o in objs:
        for c in containers(o):
            where = f"{f} {o['kind']}/{o['metadata']['name']} container {c['name']}"
            args = c.get("args") or c.get("command") or []
            if args and args[0] not in commands:
                fail(f"{where}: `mutualis {args[0]}` is not a CLI command")
            for ef in c.get("envFrom", []):
                ref = (ef.get("configMapRef") or {}).get("name") or (ef.get("secretRef") or {}).get("name")
                if "configMapRef" in ef and ref not in cms:
                    fail(f"{where}: envFrom ConfigMap {ref} is not defined")
            for e in c.get("env", []):
                env_ok(where, e["name"])
                vf = e.get("valueFrom", {})
                if "value" in e and SECRET_NAME.search(e["name"]) and not str(e["value"]).startswith("file:"):
                    fail(f"{where}: {e['name']} given as a literal value; use a secretKeyRef")
                sk = vf.get("secretKeyRef")
                if sk:
                    n_refs += 1
                    if sk["key"] not in secret_keys.get(sk["name"], set()):
                        fail(f"{where}: secretKeyRef {sk['name']}/{sk['key']} has no key in secret.example.yaml")
            res = c.get("resources", {})
            if not res.get("requests") or not res.get("limits"):
                fail(f"{where}: resources requests and limits are required")
            sc = c.get("securityContext", {})
            if not sc.get("readOnlyRootFilesystem") or sc.get("allowPrivilegeEscalation", True):
                fail(f"{where}: readOnlyRootFilesystem and allowPrivilegeEscalation: false required")
            if not any(m.get("mountPath") == "/tmp" for m in c.get("volumeMounts", [])):
                fail(f"{where}: no writable /tmp (emptyDir) under a read-only root filesystem")
        if containers(o):
            psc = pod_spec(o).get("securityContext", {})
            if not psc.get("runAsNonRoot"):
                fail(f"{f} {o['kind']}/{o['metadata']['name']}: pod securityContext.runAsNonRoot missing")
    ok(f"Kubernetes: {n_refs} secretKeyRefs resolve in secret.example.yaml; env names known; securityContext, resources")

    deployments = {o["metadata"]["name"]: o for o in by_kind.get("Deployment", [])}
    for name, d in deployments.items():
        sel = d["spec"]["selector"]["matchLabels"]
        labels = d["spec"]["template"]["metadata"]["labels"]
        if any(labels.get(k) != v for k, v in sel.items()):
            fail(f"Deployment {name}: selector does not match the pod labels")
    api = [d for d in deployments.values() if any(c.get("args", [None])[0] == "serve" for c in containers(d))]
    if len(api) != 1:
        fail(f"Kubernetes: expected one Deployment running `serve`, found {len(api)}")
    else:
        a = api[0]
        if a["spec"].get("replicas", 1) < 2:
            fail("API Deployment: fewer than 2 replicas")
        c = containers(a)[0]
        ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            hg = (c.get(probe) or {}).get("httpGet", {})
            if hg.get("path") != path:
                fail(f"API Deployment: {probe} path {hg.get('path')!r}, expected {path}")
            port = ports.get(hg.get("port"), hg.get("port"))
            if port != 8080:
                fail(f"API Deployment: {probe} port {hg.get('port')} is not the container's 8080")
        server = read(os.path.join(ROOT, "api/src/server.rs"))
        for path in ("/healthz", "/readyz"):
            if f'.route("{path}"' not in server:
                fail(f"api/src/server.rs has no route {path} (probes would fail)")
        listen = next((cm.get("LISTEN_ADDR") for cm in cms.values() if "LISTEN_ADDR" in cm), None)
        if listen is None or not listen.endswith(":8080") or listen.startswith("127."):
            fail(f"ConfigMap LISTEN_ADDR {listen!r}: expected 0.0.0.0:8080 (probes and Service)")
        ok("API: ≥2 replicas, liveness /healthz and readiness /readyz on 8080, routes exist, LISTEN_ADDR")
        api_labels = a["spec"]["template"]["metadata"]["labels"]
        for s in by_kind.get("Service", []):
            sel = s["spec"].get("selector", {})
            if s["metadata"]["name"] == "mutualis-api" and any(api_labels.get(k) != v for k, v in sel.items()):
                fail("Service mutualis-api: selector does not match the API pods")
    workers = [d for d in deployments.values() if any(c.get("args", [None])[0] == "worker" for c in containers(d))]
    if not workers:
        fail("Kubernetes: no Deployment runs `worker`")
    for w in workers:
        c = containers(w)[0]
        ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        ops = env.get("MUTUALIS_OPS_LISTEN_ADDR") or ""
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            hg = (c.get(probe) or {}).get("httpGet", {})
            port = ports.get(hg.get("port"), hg.get("port"))
            if hg.get("path") != path or not ops.endswith(f":{port}"):
                fail(f"worker Deployment: {probe} {hg} does not reach {path} on the ops port {ops!r}")
        ok("worker: liveness /healthz and readiness /readyz on its ops port (MUTUALIS_OPS_LISTEN_ADDR)")
    ops_src = read(os.path.join(ROOT, "api/src/http/ops_port.rs"))
    for path in ("/healthz", "/readyz", "/metrics"):
        if f'.route("{path}"' not in ops_src:
            fail(f"api/src/http/ops_port.rs has no route {path}")
    # Alert rules name only metrics the code records (a renamed metric silences its alert).
    rules = yaml_docs(os.path.join(DEPLOY, "prometheus/alerts.yaml"))[0]
    code = "".join(read(f) for f in glob.glob(os.path.join(ROOT, "worker/src/*.rs")) + glob.glob(os.path.join(ROOT, "api/src/*.rs")) + glob.glob(os.path.join(ROOT, "api/src/http/*.rs")))
    count = 0
    for g in rules["groups"]:
        for r in g["rules"]:
            count += 1
            for m in re.findall(r"\b(mutualis_[a-z_]+)", r["expr"]):
                if f'"{m}"' not in code:
                    fail(f"deploy/prometheus/alerts.yaml: {r['alert']} uses {m}, which no code records")
            if not r.get("annotations", {}).get("description"):
                fail(f"deploy/prometheus/alerts.yaml: {r['alert']} has no description")
    ok(f"{count} alert rules name recorded metrics")
    if not any(any(c.get("args", [None])[0] == "migrate" for c in containers(j)) for j in by_kind.get("Job", [])):
        fail("Kubernetes: no Job runs `migrate`")
    services = {s["metadata"]["name"] for s in by_kind.get("Service", [])}
    for ing in by_kind.get("Ingress", []):
        for r in ing["spec"].get("rules", []):
            for pth in r.get("http", {}).get("paths", []):
                svc = pth["backend"]["service"]["name"]
                if svc not in services:
                    fail(f"Ingress {ing['metadata']['name']}: backend Service {svc} is not defined")
    for h in by_kind.get("HorizontalPodAutoscaler", []):
        t = h["spec"]["scaleTargetRef"]
        if t["kind"] != "Deployment" or t["name"] not in deployments:
            fail(f"HPA {h['metadata']['name']}: target {t['kind']}/{t['name']} is not defined")
        if h["spec"].get("minReplicas", 1) < 2:
            fail(f"HPA {h['metadata']['name']}: minReplicas below 2")
    for pdb in by_kind.get("PodDisruptionBudget", []):
        sel = pdb["spec"]["selector"]["matchLabels"]
        if not any(all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in sel.items()) for d in deployments.values()):
            fail(f"PDB {pdb['metadata']['name']}: selects no Deployment's pods")
    ok("Kubernetes: selectors, Service, Ingress backends, HPA target, PDBs consistent")

    # ---- compose
    cpath = os.path.join(DEPLOY, "compose.yaml")
    compose = yaml_docs(cpath)[0]
    svcs = compose.get("services", {})
    image = (compose.get("x-mutualis-image") or {}).get("image")
    env_example = os.path.join(DEPLOY, ".env.example")
    example_keys = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", read(env_example), re.M)) if os.path.exists(env_example) else set()
    required = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):\?", read(cpath)))
    for v in sorted(required - example_keys):
        fail(f"compose.yaml requires ${{{v}}}, deploy/.env.example does not set it")
    for name, s in svcs.items():
        for dep, cond in (s.get("depends_on") or {}).items():
            if dep not in svcs:
                fail(f"compose {name}: depends_on unknown service {dep}")
            c = cond.get("condition") if isinstance(cond, dict) else None
            if c not in ("service_healthy", "service_completed_successfully"):
                fail(f"compose {name}: depends_on {dep} without a healthy/completed condition")
            if c == "service_healthy" and (svcs.get(dep, {}).get("healthcheck") or {}).get("disable"):
                fail(f"compose {name}: waits for {dep} healthy, which has no healthcheck")
        nm = s.get("network_mode", "")
        if nm.startswith("service:") and nm.split(":", 1)[1] not in svcs:
            fail(f"compose {name}: network_mode {nm}: no such service")
        if s.get("image") != image:
            continue
        cmd = s.get("command") or ["serve"]
        if cmd[0] not in commands:
            fail(f"compose {name}: `mutualis {cmd[0]}` is not a CLI command")
        env = s.get("environment") or {}
        if isinstance(env, list):
            env = dict(x.split("=", 1) for x in env)
        for k, v in env.items():
            env_ok(f"compose {name}", k)
            if SECRET_NAME.search(k) and v and "${" not in str(v):
                fail(f"compose {name}: {k} is a literal; take it from deploy/.env")
    for want in ("postgres", "redis", "migrate", "api", "worker", "oidc"):
        if want not in svcs:
            fail(f"compose: no service {want}")
    api = svcs.get("api", {})
    if "/readyz" not in str(api.get("healthcheck", {}).get("test", "")):
        fail("compose api: healthcheck is not on /readyz")
    ok(f"compose: {len(svcs)} services, depends_on conditions, env names known, required variables in .env.example")

    # ---- systemd
    for p in sorted(glob.glob(os.path.join(DEPLOY, "systemd/*.service"))):
        src = read(p)
        b = os.path.basename(p)
        for k in re.findall(r"^Environment=([A-Z_][A-Z0-9_]*)=", src, re.M):
            env_ok(b, k)
        m = re.search(r"^ExecStart=\S*mutualis (\S+)", src, re.M)
        if not m or m.group(1) not in commands:
            fail(f"{b}: ExecStart does not run a mutualis command")
        for need in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "EnvironmentFile=/etc/mutualis/mutualis.env", "WorkingDirectory=/opt/mutualis"):
            if need not in src:
                fail(f"{b}: missing {need}")
        if "DynamicUser=yes" not in src and not re.search(r"^User=", src, re.M):
            fail(f"{b}: runs as root (no DynamicUser= nor User=)")
        if b == "mutualis-migrate.service":
            if "Type=oneshot" not in src:
                fail(f"{b}: not Type=oneshot")
        else:
            if "Restart=on-failure" not in src:
                fail(f"{b}: no Restart=on-failure")
            if not re.search(r"^Requires=.*mutualis-migrate\.service", src, re.M) or not re.search(r"^After=.*mutualis-migrate\.service", src, re.M):
                fail(f"{b}: not ordered after mutualis-migrate.service (Requires= and After=)")
    for p in glob.glob(os.path.join(DEPLOY, "systemd/*.env.example")):
        for k in re.findall(r"^#?([A-Z][A-Z0-9_]*)=", read(p), re.M):
            env_ok(os.path.basename(p), k)
    ok("systemd: commands, hardening, ordering, environment names")

    # ---- Dockerfile ENV
    for k in re.findall(r"^\s+([A-Z][A-Z0-9_]*)=|^ENV ([A-Z][A-Z0-9_]*)=", read(os.path.join(DEPLOY, "Dockerfile")), re.M):
        name = k[0] or k[1]
        env_ok("Dockerfile", name)

    # ---- documentation links
    docs = [os.path.join(DEPLOY, "README.md")] + glob.glob(os.path.join(DEPLOY, "runbooks/*.md"))
    for want in ("install", "upgrade", "database-backup-restore", "rotate-secrets", "add-organisation"):
        if not os.path.exists(os.path.join(DEPLOY, f"runbooks/{want}.md")):
            fail(f"runbooks/{want}.md missing")
    for p in docs:
        for link in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", read(p)):
            if re.match(r"[a-z]+:", link):
                continue
            if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(p), link))):
                fail(f"{rel(p)}: broken link {link}")
    ok(f"runbooks present; links of {len(docs)} documents resolve")


def main() -> None:
    what = sys.argv[2]
    {
        "yaml": check_yaml,
        "dockerfile": check_dockerfile,
        "systemd-parse": check_systemd_parse,
        "kustomization": check_kustomization,
        "cross": check_cross,
    }[what]()
    for c in checked:
        print(f"  ok   {c}")
    for p in problems:
        print(f"  FAIL {p}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
