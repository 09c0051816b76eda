# shellcheck shell=bash
# The checks of tests/citus/run.sh, sourced by it once the cluster, the API and the two workers
# run. Each `check NAME FUNCTION` counts one test; a function fails with a message.
# Uses from run.sh: sql, value, gql, person, mutualis, expect, check, PORT, DB, APP_ROLE, WORK.

ORG_A="$(value "SELECT id FROM organisation WHERE siren = '$ORG_A_SIREN'")"
ORG_B="$(value "SELECT id FROM organisation WHERE siren = '$ORG_B_SIREN'")"
tenant_of() { value "SELECT id FROM tenant WHERE insee_code = '$1'"; }
A1="$(tenant_of 60159)"  # Compiègne (organisation A)
A2="$(tenant_of 60382)"  # Margny-lès-Compiègne (organisation A)
B1="$(tenant_of 59183)"  # Dunkerque (organisation B)
if [ -z "$ORG_A" ] || [ -z "$ORG_B" ] || [ -z "$A1" ] || [ -z "$A2" ] || [ -z "$B1" ]; then
  die "the provisioned organisations are missing"
fi

person dsi_a dsi@agglo-compiegne.fr org_admin "$ORG_A_SIREN"
person dpo_a dpo@agglo-compiegne.fr dpo "$ORG_A_SIREN"
person mayor_a1 dgs@mairie-compiegne.fr commune_admin "$ORG_A_SIREN" 60159
person agent_a2 agent@mairie-margny.fr commune_editor "$ORG_A_SIREN" 60382
person dsi_b dsi@cud.fr org_admin "$ORG_B_SIREN"

# The response's data at a jq path, failing on GraphQL errors.
data() {
  local body="$1" path="$2"
  if [ "$(jq '.errors | length' <<<"$body")" != 0 ]; then
    printf 'GraphQL errors: %s\n' "$(jq -c .errors <<<"$body")"
    return 1
  fi
  jq -r ".data$path" <<<"$body"
}
# The first error's code (NOT_FOUND, FORBIDDEN…), empty when none.
error_code() { jq -r '.errors[0].extensions.code // empty' <<<"$1"; }

# ------------------------------------------------------------------ the cluster

cluster_layout() {
  local with_org without_org hash reference groups
  with_org="$(value "SELECT count(DISTINCT c.oid) FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attname = 'organisation_id'
      AND NOT a.attisdropped")"
  without_org="$(value "SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
    AND c.relkind = 'r' AND c.relname <> 'seaql_migrations' AND NOT EXISTS (SELECT 1 FROM pg_attribute a
      WHERE a.attrelid = c.oid AND a.attname = 'organisation_id' AND NOT a.attisdropped)")"
  hash="$(value "SELECT count(*) FROM pg_dist_partition WHERE partmethod = 'h'")"
  reference="$(value "SELECT count(*) FROM pg_dist_partition WHERE partmethod = 'n' AND repmodel = 't'")"
  groups="$(value "SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE partmethod = 'h'")"
  expect "distributed tables" "$hash" "$with_org" || return 1
  expect "reference tables" "$reference" "$without_org" || return 1
  expect "colocation groups" "$groups" 1 || return 1
  expect "active workers" "$(value 'SELECT count(*) FROM citus_get_active_worker_nodes()')" 2
}
check "cluster: every table with organisation_id distributed on it in one colocation group, the others reference tables" cluster_layout

shards_enforce_rls() {
  local out
  out="$(value "SELECT string_agg(result, ',' ORDER BY nodeport) FROM run_command_on_workers(
    \$\$SELECT count(*) FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid
      WHERE c.relforcerowsecurity AND c.relname ~ '^(tenant|job|gdpr_activity|proc_contract|cost_line)_[0-9]+\$'\$\$)")"
  [[ "$out" =~ ^[1-9][0-9]*,[1-9][0-9]*$ ]] || { echo "forced RLS with policies on the shards of each worker: $out"; return 1; }
}
check "RLS on the shards: forced, with the policies, on both workers" shards_enforce_rls

# ------------------------------------------------------------------ RLS as mutualis_app

# psql as the application role on the coordinator.
app_sql() {
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${PORT[coordinator]}" -U "$APP_ROLE" -d "$DB" -At "$@"
}

# Every table under row-level security (those without it hold no organisation's data: README,
# "Isolation"), all of them distributed or reference tables.
rls_zero_rows() {
  local t n seen=0 total=0
  expect "tenants seen by the owner" "$([ "$(value 'SELECT count(*) FROM tenant')" -gt 0 ] && echo some)" some || return 1
  for t in $(value "SELECT c.relname FROM pg_class c JOIN pg_dist_partition p ON p.logicalrelid = c.oid
                    WHERE c.relrowsecurity AND c.relforcerowsecurity ORDER BY 1"); do
    n="$(app_sql -c "SELECT count(*) FROM $t")"
    total=$((total + 1))
    if [ "$n" != 0 ]; then
      echo "$t: $n rows without a scope"
      seen=$((seen + 1))
    fi
  done
  if [ "$seen" != 0 ] || [ "$total" -le 40 ]; then
    echo "$seen of $total tables leak"
    return 1
  fi
}
check "RLS zero rows: mutualis_app without a scope reads nothing from any table" rls_zero_rows

set_config_fails_closed() {
  local n
  n="$(app_sql -c "BEGIN" -c "SELECT set_config('app.platform', 'on', true)" -c "SELECT count(*) FROM tenant" -c "COMMIT" | sed -n 2p)"
  expect "tenants read with set_config('app.platform', 'on', true)" "$n" 0
}
check "set_config() does not reach the workers: the old way reads nothing (fails closed)" set_config_fails_closed

set_local_scope() {
  local mine theirs expected
  expected="$(value "SELECT count(*) FROM tenant WHERE organisation_id = '$ORG_A'")"
  mine="$(app_sql -c "BEGIN; SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL app.org_ids = '{$ORG_A}';" \
    -c "SELECT count(*) FROM tenant" -c "COMMIT")"
  theirs="$(app_sql -c "BEGIN; SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL app.org_ids = '{$ORG_A}';" \
    -c "SELECT count(*) FROM tenant WHERE organisation_id = '$ORG_B'" -c "COMMIT")"
  expect "organisation A's tenants under its scope" "$mine" "$expected" || return 1
  expect "organisation B's tenants under A's scope" "$theirs" 0
}
check "SET LOCAL scope reaches the workers: A's tenants all visible, B's none" set_local_scope

# ------------------------------------------------------------------ GDPR

ACTIVITY='{name: "Cantine scolaire", purposes: "Inscription et facturation de la restauration scolaire",
  legalBases: [{basis: "public_task", justification: "CGCT L2121-29"}],
  dataSubjects: [{category: "Enfants", estimatedCount: 800}, {category: "Parents"}],
  dataCategories: [{category: "Identité"}, {category: "Allergies (PAI)", sensitive: true}],
  recipients: ["Service enfance"], retention: [{data: "Dossiers", durationMonths: 24, startingEvent: "fin de scolarité", finalFate: "destruction"}],
  securityMeasures: ["Habilitations"], dpiaCriteria: ["vulnerable_people"], department: "Enfance", owner: "DGS", software: "Portail famille"}'
ACTIVITY_ID=""

gdpr_scenario() {
  local r
  r="$(gql mayor_a1 "mutation(\$t: UUID!) { createActivity(tenantId: \$t, input: $ACTIVITY) { id name } }" "{\"t\": \"$A1\"}")"
  ACTIVITY_ID="$(data "$r" .createActivity.id)" || return 1
  r="$(gql dpo_a '{ activities(first: 100) { totalCount items { id tenantId } } }')"
  expect "the DPO sees the commune's activity" \
    "$(data "$r" ".activities.items | map(select(.id == \"$ACTIVITY_ID\")) | length")" 1 || return 1
  r="$(gql mayor_a1 '{ activities { totalCount items { tenantId } } }')"
  expect "the commune's list" "$(data "$r" '.activities.items | map(.tenantId) | unique | join(",")')" "$A1" || return 1
  r="$(gql agent_a2 '{ activities { totalCount } }')"
  expect "another commune of the organisation" "$(data "$r" .activities.totalCount)" 0 || return 1
  r="$(gql dsi_b '{ activities { totalCount } }')"
  expect "another organisation" "$(data "$r" .activities.totalCount)" 0 || return 1
  r="$(gql dsi_b "{ activity(id: \"$ACTIVITY_ID\") { id } }")"
  expect "another organisation reading the activity by id" "$(error_code "$r")" NOT_FOUND
}
check "GDPR: a commune's register entry, read by its DPO, by no other commune or organisation" gdpr_scenario

cross_tenant_writes() {
  local r before after
  before="$(value 'SELECT count(*) FROM gdpr_activity')"
  r="$(gql dsi_b "mutation(\$t: UUID!) { createActivity(tenantId: \$t, input: $ACTIVITY) { id } }" "{\"t\": \"$A1\"}")"
  [ -n "$(error_code "$r")" ] || { echo "organisation B wrote into A's commune: $r"; return 1; }
  r="$(gql agent_a2 "mutation(\$t: UUID!) { createActivity(tenantId: \$t, input: $ACTIVITY) { id } }" "{\"t\": \"$A1\"}")"
  [ -n "$(error_code "$r")" ] || { echo "commune A2 wrote into A1: $r"; return 1; }
  r="$(gql dsi_b "mutation(\$i: UUID!) { archiveActivity(id: \$i, version: 1) { id } }" "{\"i\": \"$ACTIVITY_ID\"}")"
  [ -n "$(error_code "$r")" ] || { echo "organisation B archived A's activity: $r"; return 1; }
  after="$(value 'SELECT count(*) FROM gdpr_activity')"
  expect "activities after refused writes" "$after" "$before"
}
check "isolation: writes into another organisation's or commune's data are refused, nothing written" cross_tenant_writes

# ------------------------------------------------------------------ procurement

CONTRACT='{reference: "2026-CITUS-01", object: "Nettoyage des locaux", category: "services",
  procedure: "Procédure adaptée", priceForm: "Forfaitaire", cpv: "90910000-9",
  estimatedCents: 2500000, awardedCents: 2400000, durationMonths: 12, placeCode: "60159"}'

procurement_scenario() {
  local r id
  r="$(gql dsi_a "mutation(\$t: UUID!) { createContract(tenantId: \$t, input: $CONTRACT) { id tenantId } }" "{\"t\": \"$A1\"}")"
  id="$(data "$r" .createContract.id)" || return 1
  r="$(gql mayor_a1 '{ contracts { totalCount items { id } } }')"
  expect "the commune's contracts" "$(data "$r" '.contracts.items | map(.id) | join(",")')" "$id" || return 1
  r="$(gql agent_a2 '{ contracts { totalCount } }')"
  expect "another commune's contracts" "$(data "$r" .contracts.totalCount)" 0 || return 1
  r="$(gql dsi_b '{ contracts { totalCount } }')"
  expect "another organisation's contracts" "$(data "$r" .contracts.totalCount)" 0 || return 1
  r="$(gql dsi_b "{ contract(id: \"$id\") { id } }")"
  expect "another organisation reading the contract by id" "$(error_code "$r")" NOT_FOUND || return 1
  r="$(gql dsi_a "mutation(\$t: UUID!) { createContract(tenantId: \$t, input: $CONTRACT) { id } }" "{\"t\": \"$A1\"}")"
  expect "the same reference twice in a commune" "$(error_code "$r")" CONFLICT
}
check "procurement: a contract of a commune, listed for it alone, its reference unique" procurement_scenario

# ------------------------------------------------------------------ costs

costs_scenario() {
  local r service pool run t v=40
  r="$(gql dsi_a "mutation(\$o: UUID!) { createCostService(organisationId: \$o, code: \"bureautique\", name: \"Licences bureautiques\", unit: \"poste\") { id } }" "{\"o\": \"$ORG_A\"}")"
  service="$(data "$r" .createCostService.id)" || return 1
  for t in "$A1" "$A2"; do
    r="$(gql dsi_a "mutation(\$t: UUID!, \$s: UUID!, \$v: Int!) {
        sub: subscribeToService(tenantId: \$t, serviceId: \$s, startsOn: \"2026-01-01\") { id }
        key: setCostKey(tenantId: \$t, key: \"agents\", year: 2026, value: \$v) { value } }" \
      "{\"t\": \"$t\", \"s\": \"$service\", \"v\": $v}")"
    data "$r" .sub.id >/dev/null || return 1
    v=$((v + 25))
  done
  r="$(gql dsi_a "mutation(\$o: UUID!, \$s: UUID!) { createCostPool(organisationId: \$o, input: {serviceId: \$s,
      label: \"Licences bureautiques 2026\", periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", amountCents: 1234567,
      method: {kind: \"mix\", parts: [{key: \"population\", weight: 60}, {key: \"agents\", weight: 40}]}}) { id } }" \
    "{\"o\": \"$ORG_A\", \"s\": \"$service\"}")"
  pool="$(data "$r" .createCostPool.id)" || return 1
  r="$(gql dsi_a "mutation(\$p: UUID!) { runAllocation(poolId: \$p) { id } }" "{\"p\": \"$pool\"}")"
  run="$(data "$r" .runAllocation.id)" || return 1
  r="$(gql dsi_a "query(\$r: UUID!) { costLines(runId: \$r) { tenantId amountCents } }" "{\"r\": \"$run\"}")"
  expect "the lines sum to the pool" "$(data "$r" '.costLines | map(.amountCents) | add')" 1234567 || return 1
  expect "one line per subscribed commune" "$(data "$r" '.costLines | length')" 2 || return 1
  r="$(gql mayor_a1 '{ costLines { tenantId } }')"
  expect "the commune's own line only" "$(data "$r" '.costLines | map(.tenantId) | join(",")')" "$A1" || return 1
  r="$(gql dsi_b '{ costLines { tenantId } }')"
  expect "another organisation's lines" "$(data "$r" '.costLines | length')" 0
}
check "costs: an allocation run, shares summing to the pool, each commune reading its own line" costs_scenario

# ------------------------------------------------------------------ reporting (the workers)

reporting_scenario() {
  local r n=""
  r="$(gql dsi_a "mutation(\$o: UUID!) { refreshConsolidatedReport(organisationId: \$o) }" "{\"o\": \"$ORG_A\"}")"
  data "$r" .refreshConsolidatedReport >/dev/null || return 1
  for _ in $(seq 1 120); do
    r="$(gql dsi_a "query(\$o: UUID!) { consolidatedReports(organisationId: \$o) { period communes { tenantId } } }" "{\"o\": \"$ORG_A\"}")"
    n="$(data "$r" '.consolidatedReports | length')" || return 1
    [ "$n" -gt 0 ] && break
    sleep 0.5
  done
  [ "$n" -gt 0 ] || { echo "no consolidated report computed by the workers in 60 s"; return 1; }
  r="$(gql dsi_b "query(\$o: UUID!) { consolidatedReports(organisationId: \$o) { period } }" "{\"o\": \"$ORG_A\"}")"
  expect "another organisation reading A's reports" "$(error_code "$r")" NOT_FOUND
}
check "reporting: the workers compute A's consolidated report, B cannot read it" reporting_scenario

# ------------------------------------------------------------------ the job queue, two workers

job_queue() {
  local left="" finished workers dead org
  for org in "$ORG_A" "$ORG_B"; do
    sql coordinator "$DB" -c "INSERT INTO job (id, organisation_id, tenant_id, kind, payload, dedup_key, status,
        attempts, max_attempts, run_at, created_at)
      SELECT gen_random_uuid(), '$org', t.id, 'reporting.snapshot',
        jsonb_build_object('organisationId', '$org', 'period', to_char(date '2024-01-01' + (g || ' months')::interval, 'YYYY-MM')),
        'citus-queue:' || g, 'pending', 0, 8, now(), now()
      FROM tenant t, generate_series(0, 29) g WHERE t.organisation_id = '$org' AND t.kind = 'organisation'" >/dev/null || return 1
  done
  for _ in $(seq 1 240); do
    left="$(value "SELECT count(*) FROM job WHERE dedup_key LIKE 'citus-queue:%' AND status <> 'done'")"
    [ "$left" = 0 ] && break
    sleep 0.5
  done
  finished="$(value "SELECT count(*) FROM job WHERE dedup_key LIKE 'citus-queue:%' AND status = 'done' AND attempts = 1")"
  workers="$(value "SELECT count(DISTINCT locked_by) FROM job WHERE dedup_key LIKE 'citus-queue:%'")"
  dead="$(value "SELECT count(*) FROM job WHERE status = 'dead'")"
  expect "queued jobs done once each" "$finished" 60 || { value "SELECT status, attempts, last_error FROM job WHERE dedup_key LIKE 'citus-queue:%' AND status <> 'done' LIMIT 3"; return 1; }
  expect "workers that claimed them" "$workers" 2 \
    || { value "SELECT locked_by, count(*), min(attempts), max(attempts) FROM job WHERE dedup_key LIKE 'citus-queue:%' GROUP BY 1"; return 1; }
  expect "dead jobs" "$dead" 0
}
check "job queue: 60 jobs of two organisations, each run once, claimed by both workers" job_queue

audit_chains() {
  mutualis verify-audit
}
check "audit: every tenant's hash chain verifies (mutualis verify-audit)" audit_chains

# ------------------------------------------------------------------ a third worker, under load

# Reads and writes through the API until $1 exists, one line per call in $2.
load_loop() {
  local stop="$1" out="$2" i=0 r
  while [ ! -e "$stop" ]; do
    i=$((i + 1))
    r="$(gql mayor_a1 '{ activities { totalCount } }')" || r="curl failed"
    if [ "$(jq -r '.data.activities.totalCount // "none"' <<<"$r" 2>/dev/null)" = 1 ]; then
      echo read-ok
    else
      echo "read-error $r"
    fi >>"$out"
    r="$(gql dsi_a "mutation(\$t: UUID!, \$v: Int!) { setCostKey(tenantId: \$t, key: \"agents\", year: 2026, value: \$v) { value } }" \
      "{\"t\": \"$A1\", \"v\": $i}")" || r="curl failed"
    if [ "$(jq -r '.data.setCostKey.value // "none"' <<<"$r" 2>/dev/null)" = "$i" ]; then
      echo write-ok
    else
      echo "write-error $r"
    fi >>"$out"
  done
}

# deploy/citus.md step 5 while the API serves: shards move to the new worker, no call fails.
# Read by run.sh's last line, which describes the two-worker cluster.
# shellcheck disable=SC2034
SHARDS_WORKER1="$(shards worker1)"
# shellcheck disable=SC2034
SHARDS_WORKER2="$(shards worker2)"
# The new node, as step 5 says: the database, the roles and the extension of step 2.
new_node worker3
sql worker3 postgres -c "CREATE DATABASE $DB"
sql worker3 "$DB" -c "CREATE ROLE $APP_ROLE LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
sql worker3 "$DB" -c "$(doc_sql '### 2. Database, roles and extension on every worker')"
rebalance_under_load() {
  local stop="$WORK/load.stop" out="$WORK/load.out" loader step5 reads writes errors moved
  step5="$(doc_sql '### 5. Adding a worker (on the coordinator)')"
  [ -n "$step5" ] || { echo "deploy/citus.md: no SQL block under step 5"; return 1; }
  step5="${step5//\'db-worker-3.internal\', 5432/\'127.0.0.1\', ${PORT[worker3]}}"
  # Moves by COPY with writes blocked for the move (the default, logical replication, took
  # minutes per shard group on the 2-core test machine: ten groups move here).
  step5="${step5//citus_rebalance_start()/citus_rebalance_start(shard_transfer_mode => \'block_writes\')}"
  rm -f "$stop"
  : >"$out"
  load_loop "$stop" "$out" &
  loader=$!
  echo "$loader" >"$WORK/loader.pid"
  sleep 2
  # A file, statement by statement: `citus_rebalance_wait()` in the transaction of the
  # `citus_rebalance_start()` that schedules the moves would wait forever.
  printf '%s\n' "$step5" >"$WORK/step5.sql"
  PGOPTIONS='-c statement_timeout=300s' sql coordinator "$DB" -f "$WORK/step5.sql" >"$WORK/rebalance.log" 2>&1 \
    || { touch "$stop"; cat "$WORK/rebalance.log"; return 1; }
  sleep 2
  touch "$stop"
  wait "$loader" || true
  reads="$(grep -c '^read-ok' "$out" || true)"
  writes="$(grep -c '^write-ok' "$out" || true)"
  errors="$(grep -c -- '-error' "$out" || true)"
  moved="$(shards worker3)"
  echo "rebalance: $moved shards moved to the third worker ($(shards worker1)/$(shards worker2)/$moved), $reads reads and $writes writes through the API meanwhile, $errors errors" >"$WORK/rebalance.summary"
  expect "API errors during the rebalance" "$errors" 0 || { grep -m3 -- '-error' "$out"; return 1; }
  if [ "$reads" -eq 0 ] || [ "$writes" -eq 0 ]; then
    echo "no call made during the rebalance"
    return 1
  fi
  [ "$moved" -gt 0 ] || { echo "no shard on the third worker"; return 1; }
  expect "shards left to move" "$(value "SELECT count(*) FROM get_rebalance_table_shards_plan()")" 0
}
check "a third worker: deploy/citus.md step 5 rebalances while the API reads and writes, without an error" rebalance_under_load
[ -f "$WORK/rebalance.summary" ] && log "$(cat "$WORK/rebalance.summary")"

clean_logs() {
  local bad
  bad="$(grep -h -i -E 'could not run distributed query|cannot (execute|run|create|push)|not supported' \
    "$WORK/api.log" "$WORK/worker-a.log" "$WORK/worker-b.log" "$WORK/coordinator.log" || true)"
  [ -z "$bad" ] || { printf '%s\n' "$bad" | head -5; return 1; }
}
check "no Citus refusal in the API's, the workers' or the coordinator's logs" clean_logs

# ------------------------------------------------------------------ measured: Task Count

# The three lists of a commune (the read-path benchmark's: register activities, contracts, cost
# lines) as its administrator calls them, each query's plan logged by auto_explain on the
# coordinator: "Task Count: 1" is one shard, more is a fan-out. Reported, not checked.
task_counts() {
  local from
  sql coordinator "$DB" -c "ALTER SYSTEM SET auto_explain.log_min_duration = 0" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 1
  from=$(($(wc -l <"$WORK/coordinator.log") + 1))
  gql mayor_a1 '{ activities(first: 50) { totalCount items { id name } } }' >/dev/null
  gql mayor_a1 '{ contracts(first: 50) { totalCount items { id reference } } }' >/dev/null
  gql mayor_a1 '{ costLines { id amountCents } }' >/dev/null
  sleep 1
  sql coordinator "$DB" -c "ALTER SYSTEM RESET auto_explain.log_min_duration" -c "SELECT pg_reload_conf()" >/dev/null
  # "tasks<TAB>first table<TAB>query": the first quoted table of each logged query.
  tail -n +"$from" "$WORK/coordinator.log" | awk '
    function flush() { if (text != "" && tasks != "") print tasks "\t" table "\t" substr(text, 1, 200); text = ""; tasks = "" }
    / LOG:  duration: .* plan:$/ { flush(); inplan = 1; next }
    /^[0-9]{4}-/ { flush(); inplan = 0; next }
    inplan && /Query Text:/ {
      sub(/.*Query Text: /, ""); text = $0; table = ""
      if (match(text, /"[a-z_]+"\./)) table = substr(text, RSTART + 1, RLENGTH - 3)
      next
    }
    inplan && /Task Count:/ && tasks == "" { sub(/.*Task Count: /, ""); tasks = $0 }
    END { flush() }
  ' >"$WORK/task-counts.txt" || true
  local list table counts
  for list in "gdpr_activity:register activities" "proc_contract:procurement contracts" "cost_line:cost lines"; do
    table="${list%%:*}"
    counts="$(awk -F '\t' -v t="$table" '$2 == t { print $1 }' "$WORK/task-counts.txt" | sort -n | uniq -c \
      | awk '{ printf "%s%s %s with Task Count %s", sep, $1, ($1 == 1 ? "query" : "queries"), $2; sep = ", " }')"
    log "measured, a commune's ${list#*:} (${table}): ${counts:-no query logged}"
  done
}
task_counts
