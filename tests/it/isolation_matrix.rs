//! Layer 3 of isolation: every GraphQL operation, called as tenant A against the ids of another
//! tenant and of another organisation, is denied. The matrix is a mechanism: it reads the
//! schema, and fails when an operation has no case here.
use integration_tests::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// What a case must observe.
enum Expect {
    /// An error with one of these codes.
    Denied(&'static [&'static str]),
    /// Success with none of the foreign identifiers anywhere in the answer, or FORBIDDEN
    /// (the caller's role does not read this at all).
    NoForeignData,
}

struct Case {
    op: &'static str,
    caller: Caller,
    query: String,
    variables: Value,
    expect: Expect,
}

const DENIED: &[&str] = &["NOT_FOUND", "FORBIDDEN"];

async fn schema_operations() -> BTreeSet<String> {
    let resp = api::graphql::build_schema()
        .execute("{ __schema { queryType { fields { name } } mutationType { fields { name } } } }")
        .await;
    assert!(resp.errors.is_empty(), "{:?}", resp.errors);
    let v = resp.data.into_json().expect("introspection JSON");
    ["queryType", "mutationType"]
        .iter()
        .flat_map(|root| {
            v["__schema"][root]["fields"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn every_operation_is_denied_across_tenants_and_organisations() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let far = chrono::Utc::now() + chrono::Duration::days(30);

    // Foreign objects that exist: a token and an auditor grant in organisation B.
    let created = app
        .gql(
            &fx.org_admin_b,
            "mutation($o: UUID!, $t: [UUID!]!, $e: DateTime!) {
               createApiToken(input: {organisationId: $o, name: \"b-script\", role: \"org_admin\", expiresAt: $e}) { token { id } }
               grantAuditor(input: {email: \"crc@ccomptes.fr\", organisationId: $o, tenantIds: $t, expiresAt: $e, reason: \"contrôle CRC\"}) { id }
             }",
            json!({"o": fx.org_b, "t": [fx.tenant_b1], "e": far}),
        )
        .await;
    let d = data(&created);
    let token_b = d["createApiToken"]["token"]["id"]
        .as_str()
        .expect("token id")
        .to_owned();
    let grant_b = d["grantAuditor"]["id"]
        .as_str()
        .expect("grant id")
        .to_owned();

    let gdpr_b = app
        .gdpr_objects(&fx.org_admin_b, fx.org_b, fx.tenant_b1)
        .await;
    let gdpr_a2 = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a2)
        .await;

    // A DPIA of B1 and of A2, and a DPIA model of B.
    let (dpia_b, dpia_model_b) =
        dpia_objects(&app, &fx.org_admin_b, fx.org_b, &gdpr_b.activity).await;
    let (dpia_a2, _) = dpia_objects(&app, &fx.org_admin_a, fx.org_a, &gdpr_a2.activity).await;

    let proc_b = app
        .procurement_objects(&fx.org_admin_b, fx.tenant_b1, &[fx.tenant_b1])
        .await;
    let proc_a2 = app
        .procurement_objects(&fx.org_admin_a, fx.tenant_a2, &[fx.tenant_a2])
        .await;

    let bk_b = app
        .backup_objects(&fx.org_admin_b, fx.tenant_b1, "srv-dunkerque")
        .await;
    let bk_a2 = app
        .backup_objects(&fx.org_admin_a, fx.tenant_a2, "srv-margny")
        .await;

    let (cost_b, billing_b) = app
        .billing_objects(&fx.org_admin_b, fx.org_b, &[fx.tenant_b1])
        .await;
    let (cost_a, billing_a) = app
        .billing_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    let invoice_of = |caller: Caller, tenant: uuid::Uuid| {
        let app = &app;
        async move {
            let r = app
                .gql(
                    &caller,
                    "{ invoices { items { id tenantId }} jobs { items { id tenantId }} }",
                    json!({}),
                )
                .await;
            let d = data(&r).clone();
            let pick = |k: &str| {
                d[k]["items"]
                    .as_array()
                    .and_then(|v| v.iter().find(|x| x["tenantId"] == json!(tenant)))
                    .and_then(|x| x["id"].as_str())
                    .unwrap_or_else(|| panic!("{k} of {tenant} in {d}"))
                    .to_owned()
            };
            (pick("invoices"), pick("jobs"))
        }
    };
    let (invoice_b, job_b) = invoice_of(fx.org_admin_b.clone(), fx.tenant_b1).await;
    let (invoice_a2, job_a2) = invoice_of(fx.org_admin_a.clone(), fx.tenant_a2).await;
    // A dead job of B, so retryJob has something real to aim at.
    app.admin_exec(&format!(
        "UPDATE job SET status = 'dead' WHERE id = '{job_b}'"
    ))
    .await;

    let (questionnaire_b, assessment_b) = app
        .maturity_objects(&fx.org_admin_b, fx.org_b, fx.tenant_b1)
        .await;
    let (questionnaire_a, assessment_a2) = app
        .maturity_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a2)
        .await;

    // Evidence documents of B and of A2, one of A1's own, and a library resource of B.
    let doc_b = crate::gdpr_documents::upload_pdf(
        &app,
        &fx.org_admin_b,
        fx.tenant_b1,
        "Preuve de Dunkerque",
    )
    .await;
    let doc_a2 =
        crate::gdpr_documents::upload_pdf(&app, &fx.org_admin_a, fx.tenant_a2, "Preuve de Margny")
            .await;
    let doc_a1 = crate::gdpr_documents::upload_pdf(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Preuve de Compiègne",
    )
    .await;
    let (status, published) = crate::gdpr_documents::publish_resource(
        &app,
        &fx.org_admin_b,
        fx.org_b,
        "Guide de la CUD",
        Some(("guide.pdf", &crate::gdpr_documents::pdf("guide"))),
        None,
    )
    .await;
    assert_eq!(status, 201, "{published}");
    let resource_b = published["resource"]["id"]
        .as_str()
        .expect("resource")
        .to_owned();
    // GDPR actors (issue 19): one in B, one in A2.
    let actor_of = |caller: Caller, tenant: uuid::Uuid| {
        let app = &app;
        async move {
            let r = app
                .gql(
                    &caller,
                    "mutation($t: UUID!) { createGdprActor(tenantId: $t, input: {role: \"referent\", fullName: \"Référent étranger\"}) { id } }",
                    json!({"t": tenant}),
                )
                .await;
            data(&r)["createGdprActor"]["id"]
                .as_str()
                .expect("actor id")
                .to_owned()
        }
    };
    let actor_b = actor_of(fx.org_admin_b.clone(), fx.tenant_b1).await;
    let actor_a2 = actor_of(fx.org_admin_a.clone(), fx.tenant_a2).await;

    // Yearly bilans (issue 19): a run of B with B's commune's bilan, a run of A with A2's.
    let year = chrono::Datelike::year(&tenants::calendar::paris_today());
    let bilan_of = |caller: Caller, org: uuid::Uuid, tenant: uuid::Uuid| {
        let app = &app;
        async move {
            let r = app
                .gql(
                    &caller,
                    "mutation($o: UUID!, $y: Int!) { requestGdprBilans(organisationId: $o, year: $y) { id } }",
                    json!({"o": org, "y": year}),
                )
                .await;
            let run = data(&r)["requestGdprBilans"]["id"]
                .as_str()
                .expect("run id")
                .to_owned();
            tenants::gdpr::bilan::generate(&app.db, org, run.parse().expect("uuid"), tenant)
                .await
                .expect("bilan");
            let r = app
                .gql(
                    &caller,
                    "query($t: [UUID!]) { gdprBilans(tenantIds: $t) { id } }",
                    json!({"t": [tenant]}),
                )
                .await;
            let bilan = data(&r)["gdprBilans"][0]["id"]
                .as_str()
                .expect("bilan id")
                .to_owned();
            (run, bilan)
        }
    };
    let (run_b, bilan_b) = bilan_of(fx.org_admin_b.clone(), fx.org_b, fx.tenant_b1).await;
    let (run_a, bilan_a2) = bilan_of(fx.org_admin_a.clone(), fx.org_a, fx.tenant_a2).await;
    // A reversibility export of B (issue 21), listed to no one else.
    let rev_b = app
        .gql(
            &fx.org_admin_b,
            "mutation($o: UUID!) { requestReversibilityExport(organisationId: $o) { id } }",
            json!({"o": fx.org_b}),
        )
        .await;
    let rev_b = data(&rev_b)["requestReversibilityExport"]["id"]
        .as_str()
        .expect("B's reversibility export")
        .to_owned();

    let before: Vec<i64> = futures_counts(&app).await;

    // Everything that belongs to B (other organisation) or to A2 (other tenant of A).
    let foreign_org: Vec<String> = vec![
        fx.org_b.to_string(),
        fx.tenant_b1.to_string(),
        token_b.clone(),
        grant_b.clone(),
        "dsi@cud.fr".into(),
        "crc@ccomptes.fr".into(),
        proc_b.supplier.clone(),
        proc_b.contract.clone(),
        proc_b.joint_contract.clone(),
        bk_b.policy.clone(),
        bk_b.token.clone(),
        bk_b.restore_test.clone(),
        bk_b.job.clone(),
        "srv-dunkerque".into(),
        cost_b.service.clone(),
        cost_b.pool.clone(),
        cost_b.run.clone(),
        cost_b.subscriptions[0].clone(),
        cost_b.lines[0].clone(),
        billing_b.clone(),
        invoice_b.clone(),
        job_b.clone(),
        questionnaire_b.clone(),
        assessment_b.clone(),
        dpia_b.clone(),
        dpia_model_b.clone(),
        doc_b.clone(),
        resource_b.clone(),
        "Preuve de Dunkerque".into(),
        "Guide de la CUD".into(),
        actor_b.clone(),
        run_b.clone(),
        bilan_b.clone(),
        rev_b.clone(),
    ];
    // A2's suppliers are shared with A1 (organisation-wide), its contracts are not.
    let foreign_tenant: Vec<String> = vec![
        fx.tenant_a2.to_string(),
        "agent@mairie-margny.fr".into(),
        proc_a2.contract.clone(),
        proc_a2.joint_contract.clone(),
        bk_a2.policy.clone(),
        bk_a2.token.clone(),
        bk_a2.restore_test.clone(),
        bk_a2.job.clone(),
        "srv-margny".into(),
        // A1's own line names the pool and run it comes from; their contents stay out of
        // reach (costRuns, costPools: FORBIDDEN), A2's subscription and line too.
        cost_a.subscriptions[1].clone(),
        cost_a.lines[1].clone(),
        // (A1's own invoice names its billing run.)
        invoice_a2.clone(),
        job_a2.clone(),
        // (A's questionnaire is every member's to answer.)
        assessment_a2.clone(),
        dpia_a2.clone(),
        doc_a2.clone(),
        "Preuve de Margny".into(),
        actor_a2.clone(),
        bilan_a2.clone(),
    ];
    assert!(!billing_a.is_empty());

    let mut cases: Vec<Case> = vec![];
    // Two attackers: the DSI of A (reaches all of A, never B) and the commune admin of A1
    // (never A2, never B).
    for (
        caller,
        foreign_tenant_id,
        foreign_org_id,
        g,
        own_tenant,
        p,
        bk,
        co,
        foreign_job,
        foreign_dpia,
    ) in [
        (
            fx.org_admin_a.clone(),
            fx.tenant_b1,
            fx.org_b,
            gdpr_b.clone(),
            fx.tenant_a1,
            proc_b.clone(),
            bk_b.clone(),
            cost_b.clone(),
            job_b.clone(),
            dpia_b.clone(),
        ),
        (
            fx.commune_admin_a1.clone(),
            fx.tenant_a2,
            fx.org_b,
            gdpr_a2.clone(),
            fx.tenant_a1,
            proc_a2.clone(),
            bk_a2.clone(),
            cost_a.clone(),
            job_a2.clone(),
            dpia_a2.clone(),
        ),
    ] {
        let model_b = gdpr_b.model.clone();
        let today = chrono::Utc::now().date_naive();
        let now = chrono::Utc::now();
        let c = |op, query: &str, variables: Value, expect| Case {
            op,
            caller: caller.clone(),
            query: query.into(),
            variables,
            expect,
        };
        cases.extend([
            c("me", "{ me { displayName roles grants { organisationId tenantId role } } }", json!({}), Expect::NoForeignData),
            c("organisations", "{ organisations { id siren name } }", json!({}), Expect::NoForeignData),
            c("organisation", "query($id: UUID!) { organisation(id: $id) { id name } }", json!({"id": foreign_org_id}), Expect::Denied(DENIED)),
            c("tenants", "{ tenants(first: 500) { items { id name }} }", json!({}), Expect::NoForeignData),
            c("tenants", "query($o: UUID!) { tenants(organisationId: $o) { items { id name }} }", json!({"o": foreign_org_id}), Expect::NoForeignData),
            c("tenant", "query($id: UUID!) { tenant(id: $id) { id name } }", json!({"id": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("people", "{ people { id email memberships { tenantId tenant { id } } } }", json!({}), Expect::NoForeignData),
            c("people", "query($o: UUID!) { people(organisationId: $o) { id email } }", json!({"o": foreign_org_id}), Expect::NoForeignData),
            c("auditLog", "query($t: UUID!) { auditLog(tenantId: $t) { items { id }} }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("auditLog", "{ auditLog(first: 500) { items { tenantId organisationId after }} }", json!({}), Expect::NoForeignData),
            c(
                "inviteUser",
                "mutation($o: UUID!, $t: UUID!) { inviteUser(input: {email: \"intrus@x.fr\", role: \"commune_admin\", organisationId: $o, tenantId: $t}) { id } }",
                json!({"o": foreign_org_id, "t": foreign_tenant_id}),
                Expect::Denied(DENIED),
            ),
            c(
                "inviteUser",
                "mutation($o: UUID!) { inviteUser(input: {email: \"intrus@x.fr\", role: \"org_admin\", organisationId: $o}) { id } }",
                json!({"o": foreign_org_id}),
                Expect::Denied(DENIED),
            ),
            c(
                "grantAuditor",
                "mutation($o: UUID!, $t: [UUID!]!, $e: DateTime!) { grantAuditor(input: {email: \"x@x.fr\", organisationId: $o, tenantIds: $t, expiresAt: $e, reason: \"r\"}) { id } }",
                json!({"o": foreign_org_id, "t": [foreign_tenant_id], "e": far}),
                Expect::Denied(DENIED),
            ),
            c("revokeAuditor", "mutation($id: UUID!) { revokeAuditor(id: $id) { id } }", json!({"id": grant_b}), Expect::Denied(DENIED)),
            c(
                "createApiToken",
                "mutation($o: UUID!, $e: DateTime!) { createApiToken(input: {organisationId: $o, name: \"x\", role: \"org_admin\", expiresAt: $e}) { secret } }",
                json!({"o": foreign_org_id, "e": far}),
                Expect::Denied(DENIED),
            ),
            c("revokeApiToken", "mutation($id: UUID!) { revokeApiToken(id: $id) { id } }", json!({"id": token_b}), Expect::Denied(DENIED)),
            c("apiTokens", "{ apiTokens { id organisationId } }", json!({}), Expect::NoForeignData),
            c("auditorGrants", "{ auditorGrants { id email tenantIds } }", json!({}), Expect::NoForeignData),
            c("createOrganisation", "mutation { createOrganisation(siren: \"245900428\") { id } }", json!({}), Expect::Denied(DENIED)),
            // Backups
            c("backupPolicies", "{ backupPolicies(includeInactive: true) { id tenantId host jobs { items { id }} restoreTests { items { id }} storageSamples { items { storedBytes }} } }", json!({}), Expect::NoForeignData),
            c("backupPolicies", "query($t: [UUID!]) { backupPolicies(tenantIds: $t) { id } }", json!({"t": [foreign_tenant_id]}), Expect::NoForeignData),
            c("backupPolicy", "query($id: UUID!) { backupPolicy(id: $id) { id } }", json!({"id": bk.policy}), Expect::Denied(DENIED)),
            c("backupJobs", "query($id: UUID!) { backupJobs(policyId: $id) { items { id }} }", json!({"id": bk.policy}), Expect::Denied(DENIED)),
            c("backupPolicyStatuses", "{ backupPolicyStatuses { state policy { id host } } }", json!({}), Expect::NoForeignData),
            c("backupPolicyStatuses", "query($t: [UUID!]) { backupPolicyStatuses(tenantIds: $t) { policy { id } } }", json!({"t": [foreign_tenant_id]}), Expect::NoForeignData),
            c("backupTenantStates", "{ backupTenantStates { tenantId state } }", json!({}), Expect::NoForeignData),
            c("backupTenantStates", "query($t: [UUID!]) { backupTenantStates(tenantIds: $t) { tenantId } }", json!({"t": [foreign_tenant_id]}), Expect::NoForeignData),
            c("backupStorageUsage", "query($p: String!, $t: [UUID!]) { backupStorageUsage(period: $p, tenantIds: $t) { tenantId milliGbMonths } }", json!({"p": now.format("%Y-%m").to_string(), "t": [foreign_tenant_id, own_tenant]}), Expect::NoForeignData),
            c("backupRestoreTests", "query($p: UUID) { backupRestoreTests(policyId: $p) { items { id }} }", json!({"p": bk.policy}), Expect::NoForeignData),
            c("backupRestoreTests", "{ backupRestoreTests { items { id policyId }} }", json!({}), Expect::NoForeignData),
            c("backupIngestTokens", "{ backupIngestTokens { id tenantId } }", json!({}), Expect::NoForeignData),
            c("backupIngestEvents", "{ backupIngestEvents { items { id tenantId jobId }} }", json!({}), Expect::NoForeignData),
            c("createBackupPolicy", &format!("mutation($t: UUID!, $name: String!, $host: String!, $repo: String!) {{ createBackupPolicy(tenantId: $t, input: {BACKUP_POLICY_INPUT}) {{ id }} }}"), json!({"t": foreign_tenant_id, "name": "intrus", "host": "h", "repo": "/r"}), Expect::Denied(DENIED)),
            c("updateBackupPolicy", &format!("mutation($id: UUID!, $name: String!, $host: String!, $repo: String!) {{ updateBackupPolicy(id: $id, version: 1, input: {BACKUP_POLICY_INPUT}) {{ id }} }}"), json!({"id": bk.policy, "name": "intrus", "host": "h", "repo": "/r"}), Expect::Denied(DENIED)),
            c("recordRestoreTest", "mutation($p: UUID!, $at: DateTime!) { recordRestoreTest(input: {policyId: $p, performedAt: $at, performedBy: \"x\", restored: \"x\", durationSeconds: 1, result: \"success\"}) { id } }", json!({"p": bk.policy, "at": now}), Expect::Denied(DENIED)),
            c("createBackupIngestToken", "mutation($t: UUID!) { createBackupIngestToken(tenantId: $t, name: \"intrus\") { tokenId } }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("revokeBackupIngestToken", "mutation($id: UUID!) { revokeBackupIngestToken(id: $id) { id } }", json!({"id": bk.token}), Expect::Denied(DENIED)),
            // Costs (for the commune admin, the organisation's pools are out of reach).
            c("costServices", "{ costServices { id code } }", json!({}), Expect::NoForeignData),
            c("costSubscriptions", "{ costSubscriptions { id tenantId } }", json!({}), Expect::NoForeignData),
            c("costSubscriptions", "query($t: [UUID!]) { costSubscriptions(tenantIds: $t) { id } }", json!({"t": [foreign_tenant_id]}), Expect::NoForeignData),
            c("costKeyValues", "{ costKeyValues { tenantId key value } }", json!({}), Expect::NoForeignData),
            c("costPools", "{ costPools { id label } }", json!({}), Expect::NoForeignData),
            c("costPools", "query($o: UUID) { costPools(organisationId: $o) { id } }", json!({"o": foreign_org_id}), Expect::NoForeignData),
            c("costRuns", "query($p: UUID!) { costRuns(poolId: $p) { id } }", json!({"p": co.pool}), Expect::Denied(DENIED)),
            c("costLines", "{ costLines(includeSuperseded: true) { id tenantId runId poolId } }", json!({}), Expect::NoForeignData),
            c("costLines", "query($t: [UUID!], $r: UUID) { costLines(tenantIds: $t, runId: $r) { id } }", json!({"t": [foreign_tenant_id], "r": co.run}), Expect::NoForeignData),
            c("simulateAllocation", "query($p: UUID!) { simulateAllocation(poolId: $p, amountCents: 100) { lines { tenantId } } }", json!({"p": co.pool}), Expect::Denied(DENIED)),
            c("createCostService", "mutation($o: UUID!) { createCostService(organisationId: $o, code: \"intrus\", name: \"x\", unit: \"u\") { id } }", json!({"o": foreign_org_id}), Expect::Denied(DENIED)),
            c("subscribeToService", "mutation($t: UUID!, $s: UUID!) { subscribeToService(tenantId: $t, serviceId: $s, startsOn: \"2027-01-01\") { id } }", json!({"t": foreign_tenant_id, "s": co.service}), Expect::Denied(DENIED)),
            c("setCostServiceBudgetAccount", "mutation($s: UUID!) { setCostServiceBudgetAccount(serviceId: $s, budgetAccount: \"70848\") { id } }", json!({"s": co.service}), Expect::Denied(DENIED)),
            c("subscribeToService", "mutation($t: UUID!, $s: UUID!) { subscribeToService(tenantId: $t, serviceId: $s, startsOn: \"2027-01-01\") { id } }", json!({"t": own_tenant, "s": co.service}), Expect::Denied(DENIED)),
            c("endSubscription", "mutation($id: UUID!) { endSubscription(id: $id, endsOn: \"2026-06-30\") { id } }", json!({"id": co.subscriptions.last()}), Expect::Denied(DENIED)),
            c("setCostKey", "mutation($t: UUID!) { setCostKey(tenantId: $t, key: \"agents\", year: 2026, value: 1) { value } }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("createCostPool", &format!("mutation($o: UUID!, $s: UUID!, $amount: Int!) {{ createCostPool(organisationId: $o, input: {COST_POOL_INPUT}) {{ id }} }}"), json!({"o": foreign_org_id, "s": co.service, "amount": 1}), Expect::Denied(DENIED)),
            c("updateCostPool", &format!("mutation($id: UUID!, $s: UUID!, $amount: Int!) {{ updateCostPool(id: $id, version: 1, input: {COST_POOL_INPUT}) {{ id }} }}"), json!({"id": co.pool, "s": co.service, "amount": 1}), Expect::Denied(DENIED)),
            c("runAllocation", "mutation($p: UUID!) { runAllocation(poolId: $p) { id } }", json!({"p": co.pool}), Expect::Denied(DENIED)),
            c("runCorrection", "mutation($p: UUID!) { runCorrection(poolId: $p) { id } }", json!({"p": co.pool}), Expect::Denied(DENIED)),
            // Billing and jobs
            c("billingRuns", "{ billingRuns { items { id organisationId }} }", json!({}), Expect::NoForeignData),
            c("billingRuns", "query($o: UUID) { billingRuns(organisationId: $o) { items { id }} }", json!({"o": foreign_org_id}), Expect::NoForeignData),
            c("invoices", "{ invoices { items { id tenantId billingRunId stripeInvoiceId }} }", json!({}), Expect::NoForeignData),
            c("invoices", "query($t: [UUID!]) { invoices(tenantIds: $t) { items { id }} }", json!({"t": [foreign_tenant_id]}), Expect::NoForeignData),
            c("jobs", "{ jobs(first: 500) { items { id tenantId }} }", json!({}), Expect::NoForeignData),
            c("startBillingRun", "mutation($o: UUID!) { startBillingRun(organisationId: $o, periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", label: \"intrus\") { id } }", json!({"o": foreign_org_id}), Expect::Denied(DENIED)),
            c("retryJob", "mutation($id: UUID!) { retryJob(id: $id) { id } }", json!({"id": foreign_job}), Expect::Denied(DENIED)),
            c("billingIdentities", "{ billingIdentities { tenantId siren siret iban } }", json!({}), Expect::NoForeignData),
            c("billingIdentities", "query($o: UUID) { billingIdentities(organisationId: $o) { tenantId } }", json!({"o": foreign_org_id}), Expect::NoForeignData),
            c("setBillingIdentity", "mutation($t: UUID!) { setBillingIdentity(input: {tenantId: $t, channel: \"stripe\"}) { tenantId } }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            // Consolidated reports (organisation-wide roles only)
            c("consolidatedReports", "query($o: UUID!) { consolidatedReports(organisationId: $o) { period total { activities } communes { tenantId } } }", json!({"o": foreign_org_id}), Expect::Denied(DENIED)),
            c("communeSummary", "query($t: UUID!) { communeSummary(tenantId: $t) { tenantId name activities costsAllocatedCents } }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("refreshConsolidatedReport", "mutation($o: UUID!) { refreshConsolidatedReport(organisationId: $o) }", json!({"o": foreign_org_id}), Expect::Denied(DENIED)),
            // Maturity (questionnaires are shared with the organisation's communes)
            c("maturityQuestionnaires", "{ maturityQuestionnaires { id organisationId } }", json!({}), Expect::NoForeignData),
            c("maturityQuestionnaires", "query($o: UUID) { maturityQuestionnaires(organisationId: $o) { id } }", json!({"o": foreign_org_id}), Expect::NoForeignData),
            c("maturityAssessments", "{ maturityAssessments { id tenantId questionnaireId } }", json!({}), Expect::NoForeignData),
            c("maturityAssessments", "query($t: [UUID!]) { maturityAssessments(tenantIds: $t) { id } }", json!({"t": [foreign_tenant_id]}), Expect::NoForeignData),
            c("publishMaturityQuestionnaire", &format!("mutation($o: UUID!) {{ publishMaturityQuestionnaire(organisationId: $o, title: \"intrus\", questions: {MATURITY_QUESTIONS}) {{ id }} }}"), json!({"o": foreign_org_id}), Expect::Denied(DENIED)),
            c("recordMaturityAssessment", "mutation($t: UUID!, $q: UUID!, $d: Date!) { recordMaturityAssessment(input: {tenantId: $t, questionnaireId: $q, assessedOn: $d, answers: [{questionKey: \"registre\", option: 0}, {questionKey: \"dpd\", option: 0}, {questionKey: \"violations\", option: 0}]}) { id } }", json!({"t": foreign_tenant_id, "q": questionnaire_a, "d": today}), Expect::Denied(DENIED)),
            c("recordMaturityAssessment", "mutation($t: UUID!, $q: UUID!, $d: Date!) { recordMaturityAssessment(input: {tenantId: $t, questionnaireId: $q, assessedOn: $d, answers: [{questionKey: \"registre\", option: 0}, {questionKey: \"dpd\", option: 0}, {questionKey: \"violations\", option: 0}]}) { id } }", json!({"t": own_tenant, "q": questionnaire_b, "d": today}), Expect::Denied(DENIED)),
            // Alerts
            c("alerts", "{ alerts { items { id tenantId title }} }", json!({}), Expect::NoForeignData),
            c("alerts", "query($t: [UUID!]) { alerts(tenantIds: $t) { items { id }} }", json!({"t": [foreign_tenant_id]}), Expect::NoForeignData),
            c("setAlertDelivery", "mutation { setAlertDelivery(mode: \"digest\") }", json!({}), Expect::NoForeignData),
            // GDPR
            c("gdprVocabulary", "{ gdprVocabulary { legalBases { code } } }", json!({}), Expect::NoForeignData),
            c("activities", "{ activities(first: 500) { items { id tenantId }} }", json!({}), Expect::NoForeignData),
            c("activities", "query($t: UUID!) { activities(tenantIds: [$t]) { items { id }} }", json!({"t": foreign_tenant_id}), Expect::NoForeignData),
            c("activity", "query($id: UUID!) { activity(id: $id) { id } }", json!({"id": g.activity}), Expect::Denied(DENIED)),
            c("modelActivities", "{ modelActivities { id organisationId } }", json!({}), Expect::NoForeignData),
            c("processors", "{ processors { items { id tenantId }} }", json!({}), Expect::NoForeignData),
            c("gdprActions", "{ gdprActions { items { id tenantId }} }", json!({}), Expect::NoForeignData),
            c("rightsRequests", "{ rightsRequests(first: 500) { items { id tenantId }} }", json!({}), Expect::NoForeignData),
            c("rightsRequest", "query($id: UUID!) { rightsRequest(id: $id) { id } }", json!({"id": g.request}), Expect::Denied(DENIED)),
            c("breaches", "{ breaches(first: 500) { items { id tenantId }} }", json!({}), Expect::NoForeignData),
            c("breach", "query($id: UUID!) { breach(id: $id) { id } }", json!({"id": g.breach}), Expect::Denied(DENIED)),
            c("createActivity", &format!("mutation($t: UUID!) {{ createActivity(tenantId: $t, input: {ACTIVITY_INPUT}) {{ id }} }}"), json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("updateActivity", &format!("mutation($id: UUID!) {{ updateActivity(id: $id, version: 1, input: {ACTIVITY_INPUT}) {{ id }} }}"), json!({"id": g.activity}), Expect::Denied(DENIED)),
            c("setActivityStatus", "mutation($id: UUID!) { setActivityStatus(id: $id, status: \"validated\") { id } }", json!({"id": g.activity}), Expect::Denied(DENIED)),
            c("publishModelActivity", &format!("mutation($o: UUID!) {{ publishModelActivity(organisationId: $o, input: {ACTIVITY_INPUT}) {{ id }} }}"), json!({"o": foreign_org_id}), Expect::Denied(DENIED)),
            c("updateModelActivity", &format!("mutation($id: UUID!) {{ updateModelActivity(id: $id, version: 1, input: {ACTIVITY_INPUT}) {{ id }} }}"), json!({"id": model_b}), Expect::Denied(DENIED)),
            c("instantiateModel", "mutation($m: UUID!, $t: UUID!) { instantiateModel(modelId: $m, tenantId: $t) { id } }", json!({"m": model_b, "t": own_tenant}), Expect::Denied(DENIED)),
            c("instantiateModel", "mutation($m: UUID!, $t: UUID!) { instantiateModel(modelId: $m, tenantId: $t) { id } }", json!({"m": model_b, "t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("createProcessor", "mutation($t: UUID!) { createProcessor(input: {tenantId: $t, name: \"x\"}) { id } }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("importMadisRegister", "mutation($t: UUID!, $csv: String) { importMadisRegister(tenantId: $t, treatmentsCsv: $csv, dryRun: true) { written lines { name } } }", json!({"t": foreign_tenant_id, "csv": include_str!("fixtures/madis/madis-treatment.csv")}), Expect::Denied(DENIED)),
            c("processor", "query($id: UUID!) { processor(id: $id) { id } }", json!({"id": g.processor}), Expect::Denied(DENIED)),
            c("updateProcessor", "mutation($id: UUID!) { updateProcessor(id: $id, input: {name: \"x\"}) { id } }", json!({"id": g.processor}), Expect::Denied(DENIED)),
            c("linkProcessorToActivity", "mutation($p: UUID!, $a: UUID!) { linkProcessorToActivity(processorId: $p, activityId: $a) { id } }", json!({"p": g.processor, "a": g.activity}), Expect::Denied(DENIED)),
            c("unlinkProcessorFromActivity", "mutation($p: UUID!, $a: UUID!) { unlinkProcessorFromActivity(processorId: $p, activityId: $a) { id } }", json!({"p": g.processor, "a": g.activity}), Expect::Denied(DENIED)),
            c("archiveActivity", "mutation($id: UUID!) { archiveActivity(id: $id, version: 1) { id } }", json!({"id": g.activity}), Expect::Denied(DENIED)),
            c("deleteActivity", "mutation($id: UUID!) { deleteActivity(id: $id, version: 1) }", json!({"id": g.activity}), Expect::Denied(DENIED)),
            c("updateGdprAction", "mutation($id: UUID!, $d: Date!) { updateGdprAction(id: $id, title: \"x\", dueOn: $d) { id } }", json!({"id": g.action, "d": today}), Expect::Denied(DENIED)),
            // DPIAs (CNIL method) and their models
            c("dpias", "{ dpias(first: 500) { items { id tenantId activityId activityName risks { id } } totalCount } }", json!({}), Expect::NoForeignData),
            c("dpias", "query($t: UUID!) { dpias(tenantIds: [$t]) { items { id } } }", json!({"t": foreign_tenant_id}), Expect::NoForeignData),
            c("dpia", "query($id: UUID!) { dpia(id: $id) { id riskMap { cells } } }", json!({"id": foreign_dpia}), Expect::Denied(DENIED)),
            c("dpiaModels", "{ dpiaModels { id organisationId name } }", json!({}), Expect::NoForeignData),
            c("dpiaModels", "query($o: UUID!) { dpiaModels(organisationId: $o) { id } }", json!({"o": foreign_org_id}), Expect::NoForeignData),
            c("createDpia", "mutation($a: UUID!) { createDpia(activityId: $a) { id } }", json!({"a": g.activity}), Expect::Denied(DENIED)),
            c("updateDpia", "mutation($id: UUID!) { updateDpia(id: $id, input: {version: 1, context: {overview: \"intrus\"}, subjectsOpinion: {sought: false}, risks: [{kind: \"disappearance\", severity: 1, measures: [{title: \"x\", state: \"planned\", dueOn: \"2027-01-01\"}]}]}) { id } }", json!({"id": foreign_dpia}), Expect::Denied(DENIED)),
            c("submitDpia", "mutation($id: UUID!) { submitDpia(id: $id, version: 1) { id } }", json!({"id": foreign_dpia}), Expect::Denied(DENIED)),
            c("giveDpiaOpinion", "mutation($id: UUID!) { giveDpiaOpinion(id: $id, opinion: \"intrus\") { id } }", json!({"id": foreign_dpia}), Expect::Denied(DENIED)),
            c("decideDpia", "mutation($id: UUID!) { decideDpia(id: $id, decision: \"validated\", signatory: \"intrus\") { id } }", json!({"id": foreign_dpia}), Expect::Denied(DENIED)),
            c("publishDpiaModel", "mutation($o: UUID!, $d: UUID!) { publishDpiaModel(organisationId: $o, fromDpiaId: $d, name: \"intrus\") { id } }", json!({"o": foreign_org_id, "d": foreign_dpia}), Expect::Denied(DENIED)),
            c("publishDpiaModel", "mutation($o: UUID!, $d: UUID!) { publishDpiaModel(organisationId: $o, fromDpiaId: $d, name: \"intrus\") { id } }", json!({"o": fx.org_a, "d": foreign_dpia}), Expect::Denied(DENIED)),
            c("recordDpia", "mutation($a: UUID!) { recordDpia(activityId: $a, status: \"in_progress\") { id } }", json!({"a": g.activity}), Expect::Denied(DENIED)),
            c("createGdprAction", "mutation($t: UUID!, $d: Date!) { createGdprAction(tenantId: $t, title: \"x\", dueOn: $d) { id } }", json!({"t": foreign_tenant_id, "d": today}), Expect::Denied(DENIED)),
            c("completeGdprAction", "mutation($id: UUID!) { completeGdprAction(id: $id) { id } }", json!({"id": g.action}), Expect::Denied(DENIED)),
            c("createRightsRequest", "mutation($t: UUID!, $d: Date!) { createRightsRequest(input: {tenantId: $t, kind: \"access\", receivedOn: $d, requester: \"x\"}) { id } }", json!({"t": foreign_tenant_id, "d": today}), Expect::Denied(DENIED)),
            c("extendRightsRequest", "mutation($id: UUID!) { extendRightsRequest(id: $id, reason: \"complexe\") { id } }", json!({"id": g.request}), Expect::Denied(DENIED)),
            c("setRightsRequestStatus", "mutation($id: UUID!) { setRightsRequestStatus(id: $id, status: \"answered\", answer: \"fait\") { id } }", json!({"id": g.request}), Expect::Denied(DENIED)),
            c("createBreach", "mutation($t: UUID!, $a: DateTime!) { createBreach(input: {tenantId: $t, title: \"x\", awareAt: $a, natures: [\"integrity\"], severity: \"low\"}) { id } }", json!({"t": foreign_tenant_id, "a": now}), Expect::Denied(DENIED)),
            c("recordBreachNotification", "mutation($id: UUID!, $a: DateTime!) { recordBreachNotification(id: $id, notifiedAt: $a) { id } }", json!({"id": g.breach, "a": now}), Expect::Denied(DENIED)),
            c("publicRegisterSettings", "query($t: UUID!) { publicRegisterSettings(tenantId: $t) { published } }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("setPublicRegister", "mutation($t: UUID!) { setPublicRegister(tenantId: $t, published: false, fields: []) { published } }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("openDataPublication", "query($t: UUID!) { openDataPublication(tenantId: $t, dataset: \"decp\") { published } }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("setOpenDataPublication", "mutation($t: UUID!) { setOpenDataPublication(tenantId: $t, dataset: \"decp\", published: true) { published } }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("recordBreachNotNotified", "mutation($id: UUID!) { recordBreachNotNotified(id: $id, reason: \"pas de risque\") { id } }", json!({"id": g.breach}), Expect::Denied(DENIED)),
            // Procurement
            c("cpvSearch", "{ cpvSearch(query: \"cleaning\") { items { code label }} }", json!({}), Expect::NoForeignData),
            c("procurementRequirements", "query($d: Date!) { procurementRequirements(category: \"services\", amountCents: 5000000, date: $d) { procedure publicity } }", json!({"d": today}), Expect::NoForeignData),
            c("suppliers", "{ suppliers { id organisationId identifier contracts { items { id tenantId }} } }", json!({}), Expect::NoForeignData),
            c("contracts", "{ contracts(first: 500) { items { id tenantId organisationId supplierIds shares { tenantId contractId } }} }", json!({}), Expect::NoForeignData),
            c("contracts", "query($t: UUID!) { contracts(tenantIds: [$t]) { items { id }} }", json!({"t": foreign_tenant_id}), Expect::NoForeignData),
            c("contracts", "query($s: UUID!) { contracts(supplierId: $s) { items { id }} }", json!({"s": p.supplier}), Expect::NoForeignData),
            c("contract", "query($id: UUID!) { contract(id: $id) { id } }", json!({"id": p.contract}), Expect::Denied(DENIED)),
            c("contract", "query($id: UUID!) { contract(id: $id) { id } }", json!({"id": p.joint_contract}), Expect::Denied(DENIED)),
            c("contractsExpiring", "{ contractsExpiring(withinDays: 3660) { id tenantId } }", json!({}), Expect::NoForeignData),
            c("jointShares", "{ jointShares { contractId tenantId } }", json!({}), Expect::NoForeignData),
            c("jointShares", "query($t: UUID!) { jointShares(tenantIds: [$t]) { contractId tenantId } }", json!({"t": foreign_tenant_id}), Expect::NoForeignData),
            c("splittingAlerts", "{ splittingAlerts { tenantId contractIds } }", json!({}), Expect::NoForeignData),
            c("jointProcurementOpportunities", "query($o: UUID!) { jointProcurementOpportunities(organisationId: $o) { cpvClass tenants { tenantId } } }", json!({"o": foreign_org_id}), Expect::Denied(DENIED)),
            c("createSupplier", "mutation($t: UUID!) { createSupplier(input: {tenantId: $t, identifier: \"73282932000074\", name: \"x\"}) { id } }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("createContract", &format!("mutation($t: UUID!, $ref: String!, $n: Date!, $s: [UUID!]!) {{ createContract(tenantId: $t, input: {CONTRACT_INPUT}) {{ id }} }}"), json!({"t": foreign_tenant_id, "ref": "X-1", "n": today, "s": []}), Expect::Denied(DENIED)),
            // A joint procurement of one's own naming a foreign member.
            c("createContract", "mutation($t: UUID!, $ref: String!, $n: Date!, $s: [UUID!]!, $m: UUID!) { createContract(tenantId: $t, input: {reference: $ref, object: \"x\", category: \"services\", procedure: \"Procédure adaptée\", priceForm: \"Unitaire\", cpv: \"90910000\", estimatedCents: 100, awardedCents: 100, notifiedOn: $n, durationMonths: 1, placeCode: \"60\", supplierIds: $s, shares: [{tenantId: $m, amountCents: 100}]}) { id } }", json!({"t": own_tenant, "ref": "X-2", "n": today, "s": [], "m": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("decpExport", "{ decpExport { document xml exported skipped { contractId reference } } }", json!({}), Expect::NoForeignData),
            c("decpExport", "query($t: UUID!) { decpExport(tenantIds: [$t]) { document xml skipped { contractId } } }", json!({"t": foreign_tenant_id}), Expect::NoForeignData),
            c("decpExport", "query($o: UUID!) { decpExport(organisationId: $o) { exported } }", json!({"o": foreign_org_id}), Expect::Denied(DENIED)),
            c("importContracts", "mutation($t: UUID!, $csv: String!) { importContracts(tenantId: $t, csv: $csv) { imported contractIds } }", json!({"t": foreign_tenant_id, "csv": IMPORT_CSV}), Expect::Denied(DENIED)),
            c("importContractsXlsx", "mutation($t: UUID!, $x: String!) { importContractsXlsx(tenantId: $t, xlsx: $x) { imported contractIds } }", json!({"t": foreign_tenant_id, "x": crate::procurement_import::import_xlsx(44_306_184_100_047)}), Expect::Denied(DENIED)),
            c("amendContract", "mutation($c: UUID!, $d: Date!) { amendContract(contractId: $c, input: {signedOn: $d, awardedCents: 1}) { id } }", json!({"c": p.contract, "d": today}), Expect::Denied(DENIED)),
            c("updateContract", &format!("mutation($c: UUID!, $ref: String!, $n: Date!, $s: [UUID!]!) {{ updateContract(id: $c, version: 1, input: {CONTRACT_INPUT}) {{ id }} }}"), json!({"c": p.contract, "ref": "X-3", "n": today, "s": []}), Expect::Denied(DENIED)),
            c("addSubcontractingAct", "mutation($c: UUID!, $d: Date!) { addSubcontractingAct(contractId: $c, input: {subcontractorIdentifier: \"44306184100047\", amountCents: 100000, notifiedOn: $d, durationMonths: 6, priceVariation: \"Ferme\"}) { id } }", json!({"c": p.contract, "d": today}), Expect::Denied(DENIED)),
        ]);
    }
    // Evidence documents and the DPO's library (issue 19).
    for (caller, foreign_doc, foreign_tenant_id, foreign_activity) in [
        (
            fx.org_admin_a.clone(),
            doc_b.clone(),
            fx.tenant_b1,
            gdpr_b.activity.clone(),
        ),
        (
            fx.commune_admin_a1.clone(),
            doc_a2.clone(),
            fx.tenant_a2,
            gdpr_a2.activity.clone(),
        ),
    ] {
        let c = |op, query: &str, variables: Value, expect| Case {
            op,
            caller: caller.clone(),
            query: query.into(),
            variables,
            expect,
        };
        cases.extend([
            c("documentKinds", "{ documentKinds { code label } }", json!({}), Expect::NoForeignData),
            c("libraryCategories", "{ libraryCategories { code } }", json!({}), Expect::NoForeignData),
            c("documents", "{ documents(first: 500) { items { id tenantId title links { targetId } } } }", json!({}), Expect::NoForeignData),
            c("documents", "query($t: [UUID!]) { documents(tenantIds: $t) { items { id title } } }", json!({"t": [foreign_tenant_id]}), Expect::NoForeignData),
            c("documents", "query($a: UUID!) { documents(linkedKind: \"activity\", linkedId: $a) { items { id } } }", json!({"a": foreign_activity}), Expect::NoForeignData),
            c("document", "query($id: UUID!) { document(id: $id) { id title } }", json!({"id": foreign_doc}), Expect::Denied(DENIED)),
            c("deleteDocument", "mutation($id: UUID!) { deleteDocument(id: $id) }", json!({"id": foreign_doc}), Expect::Denied(DENIED)),
            c("linkDocument", "mutation($d: UUID!, $a: UUID!) { linkDocument(documentId: $d, targetKind: \"activity\", targetId: $a) { id } }", json!({"d": foreign_doc, "a": foreign_activity}), Expect::Denied(DENIED)),
            // One's own document linked to another commune's activity.
            c("linkDocument", "mutation($d: UUID!, $a: UUID!) { linkDocument(documentId: $d, targetKind: \"activity\", targetId: $a) { id } }", json!({"d": doc_a1, "a": foreign_activity}), Expect::Denied(DENIED)),
            c("unlinkDocument", "mutation($d: UUID!, $a: UUID!) { unlinkDocument(documentId: $d, targetKind: \"activity\", targetId: $a) { id } }", json!({"d": foreign_doc, "a": foreign_activity}), Expect::Denied(DENIED)),
            c("libraryResources", "{ libraryResources { id title versions { id sha256 } communes { tenantId tenantName readers { readerName } } } }", json!({}), Expect::NoForeignData),
            c("libraryResources", "query($o: UUID) { libraryResources(organisationId: $o) { id title } }", json!({"o": fx.org_b}), Expect::NoForeignData),
            c("libraryResource", "query($id: UUID!) { libraryResource(id: $id) { id title } }", json!({"id": resource_b}), Expect::Denied(DENIED)),
        ]);
    }
    // GDPR actors (issue 19): the DSI of A against B, Compiègne's administrator against
    // Margny and B.
    for (caller, foreign_tenant_id, foreign_org_id, foreign_actor, foreign_run, foreign_activity) in [
        (
            fx.org_admin_a.clone(),
            fx.tenant_b1,
            fx.org_b,
            actor_b.clone(),
            run_b.clone(),
            gdpr_b.activity.clone(),
        ),
        (
            fx.commune_admin_a1.clone(),
            fx.tenant_a2,
            fx.org_b,
            actor_a2.clone(),
            run_a.clone(),
            gdpr_a2.activity.clone(),
        ),
    ] {
        let c = |op: &'static str, q: &str, v: Value, e: Expect| Case {
            op,
            caller: caller.clone(),
            query: q.to_owned(),
            variables: v,
            expect: e,
        };
        cases.extend([
            c("gdprActorRoles", "{ gdprActorRoles { code } }", json!({}), Expect::NoForeignData),
            c("gdprActors", "{ gdprActors { id tenantId fullName } }", json!({}), Expect::NoForeignData),
            c("gdprActors", "query($t: [UUID!]) { gdprActors(tenantIds: $t) { id } }", json!({"t": [foreign_tenant_id]}), Expect::NoForeignData),
            c("gdprActorCoverage", "query($o: UUID!) { gdprActorCoverage(organisationId: $o) { tenantId } }", json!({"o": fx.org_a}), Expect::NoForeignData),
            c("gdprActorCoverage", "query($o: UUID!) { gdprActorCoverage(organisationId: $o) { tenantId } }", json!({"o": foreign_org_id}), Expect::Denied(DENIED)),
            c("createGdprActor", "mutation($t: UUID!) { createGdprActor(tenantId: $t, input: {role: \"it_referent\", fullName: \"Intrus\"}) { id } }", json!({"t": foreign_tenant_id}), Expect::Denied(DENIED)),
            c("updateGdprActor", "mutation($id: UUID!) { updateGdprActor(id: $id, version: 1, input: {role: \"referent\", fullName: \"Intrus\"}) { id } }", json!({"id": foreign_actor}), Expect::Denied(DENIED)),
            c("deleteGdprActor", "mutation($id: UUID!) { deleteGdprActor(id: $id) }", json!({"id": foreign_actor}), Expect::Denied(DENIED)),
            c("gdprBilanRuns", "query($o: UUID!) { gdprBilanRuns(organisationId: $o) { id } }", json!({"o": foreign_org_id}), Expect::Denied(DENIED)),
            c("gdprBilanRun", "query($id: UUID!) { gdprBilanRun(id: $id) { id bilans { id } } }", json!({"id": foreign_run}), Expect::Denied(DENIED)),
            c("gdprBilans", "{ gdprBilans { id runId tenantId } }", json!({}), Expect::NoForeignData),
            c("gdprBilans", "query($t: [UUID!]) { gdprBilans(tenantIds: $t) { id } }", json!({"t": [foreign_tenant_id]}), Expect::NoForeignData),
            c("gdprBilanFigures", "query($t: UUID!, $y: Int!) { gdprBilanFigures(tenantId: $t, year: $y) { activities } }", json!({"t": foreign_tenant_id, "y": year}), Expect::Denied(DENIED)),
            c("requestGdprBilans", "mutation($o: UUID!, $y: Int!) { requestGdprBilans(organisationId: $o, year: $y) { id } }", json!({"o": foreign_org_id, "y": year}), Expect::Denied(DENIED)),
            c("listColumnChoices", "{ listColumnChoices(list: \"activities\") { code label } }", json!({}), Expect::NoForeignData),
            c("listColumns", "{ listColumns(list: \"activities\") }", json!({}), Expect::NoForeignData),
            c("setListColumns", "mutation { setListColumns(list: \"activities\", columns: [\"name\", \"status\"]) }", json!({}), Expect::NoForeignData),
            c("archiveActivities", "mutation($id: UUID!) { archiveActivities(items: [{id: $id, version: 1}]) { archived ids } }", json!({"id": foreign_activity}), Expect::Denied(DENIED)),
        ]);
    }
    // The DSI of A also may not aim at a tenant of B while naming its own organisation.
    cases.push(Case {
        op: "grantAuditor",
        caller: fx.org_admin_a.clone(),
        query: "mutation($o: UUID!, $t: [UUID!]!, $e: DateTime!) { grantAuditor(input: {email: \"x@x.fr\", organisationId: $o, tenantIds: $t, expiresAt: $e, reason: \"r\"}) { id } }".into(),
        variables: json!({"o": fx.org_a, "t": [fx.tenant_b1], "e": far}),
        expect: Expect::Denied(DENIED),
    });
    // Nor name another organisation's supplier as a contractor.
    cases.push(Case {
        op: "createContract",
        caller: fx.org_admin_a.clone(),
        query: format!("mutation($t: UUID!, $ref: String!, $n: Date!, $s: [UUID!]!) {{ createContract(tenantId: $t, input: {CONTRACT_INPUT}) {{ id }} }}"),
        variables: json!({"t": fx.tenant_a1, "ref": "X-3", "n": chrono::Utc::now().date_naive(), "s": [proc_b.supplier]}),
        expect: Expect::Denied(&["BAD_USER_INPUT"]),
    });
    // Nor edit its own contract to name another organisation's supplier.
    cases.push(Case {
        op: "updateContract",
        caller: fx.org_admin_a.clone(),
        query: format!("mutation($c: UUID!, $ref: String!, $n: Date!, $s: [UUID!]!) {{ updateContract(id: $c, version: 2, input: {CONTRACT_INPUT}) {{ id }} }}"),
        variables: json!({"c": proc_a2.contract, "ref": "X-4", "n": chrono::Utc::now().date_naive(), "s": [proc_b.supplier]}),
        expect: Expect::Denied(&["BAD_USER_INPUT"]),
    });
    // A commune does not see what the other communes buy.
    cases.push(Case {
        op: "jointProcurementOpportunities",
        caller: fx.commune_admin_a1.clone(),
        query:
            "query($o: UUID!) { jointProcurementOpportunities(organisationId: $o) { cpvClass } }"
                .into(),
        variables: json!({"o": fx.org_a}),
        expect: Expect::Denied(DENIED),
    });

    // Reversibility (issue 21): no archive of another commune or organisation is asked for,
    // and the list shows none of theirs.
    for (caller, o, t) in [
        (fx.org_admin_a.clone(), fx.org_b, Some(fx.tenant_b1)),
        (fx.org_admin_a.clone(), fx.org_b, None),
        (fx.org_admin_a.clone(), fx.org_a, Some(fx.tenant_b1)),
        (fx.commune_admin_a1.clone(), fx.org_a, Some(fx.tenant_a2)),
        (fx.commune_admin_a1.clone(), fx.org_a, None),
        (fx.commune_admin_a1.clone(), fx.org_b, Some(fx.tenant_b1)),
    ] {
        cases.push(Case {
            op: "requestReversibilityExport",
            caller,
            query: "mutation($o: UUID!, $t: UUID) { requestReversibilityExport(organisationId: $o, tenantId: $t) { id } }".into(),
            variables: json!({"o": o, "t": t}),
            expect: Expect::Denied(DENIED),
        });
    }
    for (caller, o) in [
        (fx.org_admin_a.clone(), None),
        (fx.org_admin_a.clone(), Some(fx.org_b)),
        (fx.commune_admin_a1.clone(), None),
        (fx.commune_admin_a1.clone(), Some(fx.org_b)),
    ] {
        cases.push(Case {
            op: "reversibilityExports",
            caller,
            query: "query($o: UUID) { reversibilityExports(organisationId: $o) { id organisationId tenantId tenantName requestedBy } }".into(),
            variables: json!({"o": o}),
            expect: Expect::NoForeignData,
        });
    }

    let covered: BTreeSet<String> = cases.iter().map(|c| c.op.to_owned()).collect();
    let missing: Vec<_> = schema_operations()
        .await
        .difference(&covered)
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "operations with no cross-tenant case: {missing:?}"
    );

    for case in &cases {
        let resp = app
            .gql(&case.caller, &case.query, case.variables.clone())
            .await;
        let who = match &case.caller {
            Caller::Session { email, .. } => email.clone(),
            _ => "?".into(),
        };
        match case.expect {
            Expect::Denied(codes) => {
                let code = error_code(&resp);
                assert!(
                    code.as_deref().is_some_and(|c| codes.contains(&c)),
                    "{} as {who} was not denied: {resp}",
                    case.op
                );
            }
            Expect::NoForeignData if error_code(&resp).is_some() => {
                assert_eq!(
                    error_code(&resp).as_deref(),
                    Some("FORBIDDEN"),
                    "{} as {who}: {resp}",
                    case.op
                );
            }
            Expect::NoForeignData => {
                let text = data(&resp).to_string();
                let foreign = if who.contains("mairie-compiegne") {
                    foreign_org
                        .iter()
                        .chain(foreign_tenant.iter())
                        .collect::<Vec<_>>()
                } else {
                    foreign_org.iter().collect()
                };
                for f in foreign {
                    assert!(
                        !text.contains(f.as_str()),
                        "{} as {who} leaked {f}: {text}",
                        case.op
                    );
                }
            }
        }
    }

    // Denied mutations wrote nothing.
    assert_eq!(
        before,
        futures_counts(&app).await,
        "a denied mutation changed the database"
    );
    // And B's token and grant still work / stand.
    let grants = app
        .gql(
            &fx.org_admin_b,
            "{ auditorGrants { id active } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&grants)["auditorGrants"][0]["active"], json!(true));
}

/// A DPIA (with a planned measure, so it has an action plan item) on `activity`, and a DPIA
/// model of `org` published from it.
pub(crate) async fn dpia_objects(
    app: &TestApp,
    caller: &Caller,
    org: uuid::Uuid,
    activity: &str,
) -> (String, String) {
    let r = app
        .gql(
            caller,
            "mutation($a: UUID!) { createDpia(activityId: $a) { id } }",
            json!({"a": activity}),
        )
        .await;
    let id = data(&r)["createDpia"]["id"]
        .as_str()
        .expect("dpia id")
        .to_owned();
    let r = app
        .gql(
            caller,
            "mutation($id: UUID!, $o: UUID!) {
               updateDpia(id: $id, input: {version: 1, context: {overview: \"Vidéoprotection\"}, subjectsOpinion: {sought: false},
                 risks: [{kind: \"illegitimate_access\", severity: 3, likelihood: 3, residualSeverity: 2, residualLikelihood: 2,
                          measures: [{title: \"Chiffrer les enregistrements\", state: \"planned\", dueOn: \"2027-06-30\"}]}]}) { id }
               publishDpiaModel(organisationId: $o, fromDpiaId: $id, name: \"Modèle vidéoprotection\") { id }
             }",
            json!({"id": id, "o": org}),
        )
        .await;
    let model = data(&r)["publishDpiaModel"]["id"]
        .as_str()
        .expect("model id")
        .to_owned();
    (id, model)
}

async fn futures_counts(app: &TestApp) -> Vec<i64> {
    let mut v = vec![];
    for t in [
        "membership",
        "api_token",
        "auditor_grant",
        "app_user",
        "organisation",
        "tenant",
        "audit_log",
        "proc_supplier",
        "proc_contract",
        "proc_contract_supplier",
        "proc_amendment",
        "proc_share",
        "backup_policy",
        "backup_job",
        "backup_storage_sample",
        "backup_restore_test",
        "backup_ingest_token",
        "backup_ingest_event",
        "cost_service",
        "cost_subscription",
        "cost_key_value",
        "cost_pool",
        "cost_run",
        "cost_line",
        "job",
        "billing_run",
        "billing_invoice",
        "billing_customer",
        "report_snapshot",
        "alert",
        "alert_delivery",
        "maturity_questionnaire",
        "maturity_assessment",
        "gdpr_dpia",
        "gdpr_dpia_risk",
        "gdpr_dpia_measure",
        "gdpr_dpia_model",
        "gdpr_action",
        "gdpr_document",
        "gdpr_document_link",
        "gdpr_resource",
        "gdpr_resource_version",
        "gdpr_resource_read",
        "gdpr_actor",
        "gdpr_bilan_run",
        "gdpr_bilan",
        "reversibility_export",
    ] {
        v.push(app.count(t).await);
    }
    v
}

#[tokio::test]
async fn the_matrix_reads_every_operation_from_the_schema() {
    let ops = schema_operations().await;
    // Guard against a parser that silently finds nothing.
    for op in ["me", "tenants", "inviteUser", "createApiToken", "auditLog"] {
        assert!(ops.contains(op), "{op} not found in {ops:?}");
    }
    assert!(ops.len() >= 15, "{ops:?}");
}
