//! API tokens (scope, expiry, revocation) and auditor grants (expiry, revocation).
use integration_tests::*;
use sea_orm::ConnectionTrait;
use serde_json::json;

const CREATE_TOKEN: &str = "mutation($o: UUID!, $r: String!, $t: [UUID!], $e: DateTime!) {
  createApiToken(input: {organisationId: $o, name: \"export nocturne\", role: $r, tenantIds: $t, expiresAt: $e}) {
    secret token { id prefix role tenantIds } } }";

#[tokio::test]
async fn a_token_reaches_only_its_tenants_and_role_and_dies_when_revoked_or_expired() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let far = chrono::Utc::now() + chrono::Duration::days(90);
    let r = app
        .gql(
            &fx.org_admin_a,
            CREATE_TOKEN,
            json!({"o": fx.org_a, "r": "commune_editor", "t": [fx.tenant_a1], "e": far}),
        )
        .await;
    let created = &data(&r)["createApiToken"];
    let secret = created["secret"].as_str().expect("secret").to_owned();
    let token_id = created["token"]["id"].as_str().expect("id").to_owned();
    assert!(secret.starts_with("mut_"));
    assert_eq!(created["token"]["prefix"].as_str(), Some(&secret[..10]));
    // Only the hash is stored.
    let stored = app
        .count(&format!(
            "api_token WHERE secret_hash = '{}'",
            tenants::secrets::sha256_hex(&secret)
        ))
        .await;
    assert_eq!(stored, 1);
    assert_eq!(
        app.count(&format!("api_token WHERE secret_hash = '{secret}'"))
            .await,
        0
    );

    let token = Caller::Token(secret.clone());
    let t = app
        .gql(
            &token,
            "{ tenants { items { id }} me { kind roles } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&t)["tenants"]["items"],
        json!([{"id": fx.tenant_a1.to_string()}])
    );
    assert_eq!(data(&t)["me"]["kind"], "token");
    assert_eq!(data(&t)["me"]["roles"], json!(["commune_editor"]));
    // An editor token may not invite anyone, even on its own tenant.
    let inv = app
        .gql(
            &token,
            "mutation($o: UUID!, $t: UUID!) { inviteUser(input: {email: \"x@y.fr\", role: \"commune_editor\", organisationId: $o, tenantId: $t}) { id } }",
            json!({"o": fx.org_a, "t": fx.tenant_a1}),
        )
        .await;
    assert_eq!(error_code(&inv).as_deref(), Some("FORBIDDEN"), "{inv}");

    // Expiry, checked on every request.
    app.admin
        .execute_unprepared(&format!(
            "UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = '{token_id}'"
        ))
        .await
        .expect("expire");
    // Changed by hand in SQL: the version moves as an operator's change must make it.
    tenants::tenancy::version::bump(&app.db)
        .await
        .expect("version");
    let expired = app
        .gql(&token, "{ tenants { items { id }} }", json!({}))
        .await;
    assert_eq!(error_code(&expired).as_deref(), Some("UNAUTHENTICATED"));
    assert!(
        expired["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("expiré"),
        "{expired}"
    );
    app.admin
        .execute_unprepared(&format!(
            "UPDATE api_token SET expires_at = now() + interval '1 day' WHERE id = '{token_id}'"
        ))
        .await
        .expect("revive");
    // Changed by hand in SQL: the version moves as an operator's change must make it.
    tenants::tenancy::version::bump(&app.db)
        .await
        .expect("version");
    data(
        &app.gql(&token, "{ tenants { items { id }} }", json!({}))
            .await,
    );

    // Revocation.
    let rev = app
        .gql(
            &fx.org_admin_a,
            "mutation($id: UUID!) { revokeApiToken(id: $id) { revokedAt } }",
            json!({"id": token_id}),
        )
        .await;
    assert!(data(&rev)["revokeApiToken"]["revokedAt"].is_string());
    let after = app
        .gql(&token, "{ tenants { items { id }} }", json!({}))
        .await;
    assert_eq!(error_code(&after).as_deref(), Some("UNAUTHENTICATED"));
    let twice = app
        .gql(
            &fx.org_admin_a,
            "mutation($id: UUID!) { revokeApiToken(id: $id) { revokedAt } }",
            json!({"id": token_id}),
        )
        .await;
    assert_eq!(error_code(&twice).as_deref(), Some("CONFLICT"));
    // A made-up token.
    let bogus = app
        .gql(
            &Caller::Token("mut_nope".into()),
            "{ me { kind } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&bogus).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn token_input_is_validated_and_nothing_is_written_on_error() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let far = chrono::Utc::now() + chrono::Duration::days(30);
    let before = app.count("api_token").await;
    let cases = [
        (
            json!({"o": fx.org_a, "r": "org_admin", "t": [fx.tenant_a1], "e": far}),
            "tenantIds",
        ),
        (
            json!({"o": fx.org_a, "r": "commune_admin", "t": null, "e": far}),
            "tenantIds",
        ),
        (
            json!({"o": fx.org_a, "r": "superuser", "t": null, "e": far}),
            "role",
        ),
        (
            json!({"o": fx.org_a, "r": "platform_admin", "t": null, "e": far}),
            "role",
        ),
        (
            json!({"o": fx.org_a, "r": "org_admin", "t": null, "e": chrono::Utc::now() - chrono::Duration::days(1)}),
            "expiresAt",
        ),
        (
            json!({"o": fx.org_a, "r": "org_admin", "t": null, "e": chrono::Utc::now() + chrono::Duration::days(800)}),
            "expiresAt",
        ),
    ];
    for (vars, field) in cases {
        let r = app.gql(&fx.org_admin_a, CREATE_TOKEN, vars.clone()).await;
        assert_eq!(
            error_code(&r).as_deref(),
            Some("BAD_USER_INPUT"),
            "{vars}: {r}"
        );
        assert_eq!(r["errors"][0]["extensions"]["field"], field, "{vars}: {r}");
    }
    // A commune admin does not manage tokens at all.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            CREATE_TOKEN,
            json!({"o": fx.org_a, "r": "commune_editor", "t": [fx.tenant_a1], "e": far}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"));
    assert_eq!(app.count("api_token").await, before);
}

#[tokio::test]
async fn an_auditor_reads_named_tenants_until_the_grant_expires_or_is_revoked() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let far = chrono::Utc::now() + chrono::Duration::days(15);
    let r = app
        .gql(
            &fx.dpo_a,
            "mutation($o: UUID!, $t: [UUID!]!, $e: DateTime!) { grantAuditor(input: {email: \"Inspecteur@CNIL.fr\", organisationId: $o, tenantIds: $t, expiresAt: $e, reason: \"contrôle CNIL\"}) { id email active } }",
            json!({"o": fx.org_a, "t": [fx.tenant_a1], "e": far}),
        )
        .await;
    let grant = &data(&r)["grantAuditor"];
    assert_eq!(grant["email"], "inspecteur@cnil.fr");
    assert_eq!(grant["active"], true);
    let grant_id = grant["id"].as_str().expect("id").to_owned();
    let user_id: uuid::Uuid = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        tenants::entities::app_user::Entity::find()
            .filter(tenants::entities::app_user::Column::Email.eq("inspecteur@cnil.fr"))
            .one(&app.db)
            .await
            .expect("query")
            .expect("user")
            .id
    };
    let auditor = app.session_for(user_id, "inspecteur@cnil.fr").await;
    let seen = app
        .gql(
            &auditor,
            "{ tenants { items { id }} me { roles } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&seen)["tenants"]["items"],
        json!([{"id": fx.tenant_a1.to_string()}])
    );
    assert_eq!(data(&seen)["me"]["roles"], json!(["auditor"]));
    // The auditor reads the audit trail of that tenant but manages nothing.
    data(
        &app.gql(
            &auditor,
            "query($t: UUID!) { auditLog(tenantId: $t) { items { seq }} }",
            json!({"t": fx.tenant_a1}),
        )
        .await,
    );
    let denied = app
        .gql(&auditor, "{ auditorGrants { id } }", json!({}))
        .await;
    assert_eq!(error_code(&denied).as_deref(), Some("FORBIDDEN"));

    // Expired: no access at all.
    app.admin
        .execute_unprepared(&format!("UPDATE auditor_grant SET expires_at = now() - interval '1 minute' WHERE id = '{grant_id}'"))
        .await
        .expect("expire");
    // Changed by hand in SQL: the version moves as an operator's change must make it.
    tenants::tenancy::version::bump(&app.db)
        .await
        .expect("version");
    let gone = app
        .gql(&auditor, "{ tenants { items { id }} }", json!({}))
        .await;
    assert_eq!(error_code(&gone).as_deref(), Some("FORBIDDEN"), "{gone}");
    let list = app
        .gql(&fx.dpo_a, "{ auditorGrants { id active } }", json!({}))
        .await;
    assert_eq!(data(&list)["auditorGrants"][0]["active"], false);

    // Revoked (after being revived): no access either.
    app.admin
        .execute_unprepared(&format!("UPDATE auditor_grant SET expires_at = now() + interval '1 day' WHERE id = '{grant_id}'"))
        .await
        .expect("revive");
    // Changed by hand in SQL: the version moves as an operator's change must make it.
    tenants::tenancy::version::bump(&app.db)
        .await
        .expect("version");
    data(
        &app.gql(&auditor, "{ tenants { items { id }} }", json!({}))
            .await,
    );
    data(
        &app.gql(
            &fx.dpo_a,
            "mutation($id: UUID!) { revokeAuditor(id: $id) { id } }",
            json!({"id": grant_id}),
        )
        .await,
    );
    let revoked = app
        .gql(&auditor, "{ tenants { items { id }} }", json!({}))
        .await;
    assert_eq!(error_code(&revoked).as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn invitations_follow_the_role_rules() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let invite = "mutation($o: UUID!, $t: UUID, $r: String!, $m: String!) { inviteUser(input: {email: $m, role: $r, organisationId: $o, tenantId: $t}) { id role tenant { name } } }";
    // A commune admin invites an editor on their own commune.
    let ok = app
        .gql(&fx.commune_admin_a1, invite, json!({"o": fx.org_a, "t": fx.tenant_a1, "r": "commune_editor", "m": "secretariat@mairie-compiegne.fr"}))
        .await;
    assert_eq!(data(&ok)["inviteUser"]["tenant"]["name"], "Compiègne");
    // ...but not an organisation-wide role.
    let up = app
        .gql(
            &fx.commune_admin_a1,
            invite,
            json!({"o": fx.org_a, "t": null, "r": "org_admin", "m": "x@x.fr"}),
        )
        .await;
    assert!(
        matches!(error_code(&up).as_deref(), Some("NOT_FOUND" | "FORBIDDEN")),
        "{up}"
    );
    // The same invitation twice is a conflict.
    let dup = app
        .gql(&fx.commune_admin_a1, invite, json!({"o": fx.org_a, "t": fx.tenant_a1, "r": "commune_editor", "m": "Secretariat@mairie-compiegne.fr"}))
        .await;
    assert_eq!(error_code(&dup).as_deref(), Some("CONFLICT"));
    // Bad e-mail and unknown role are input errors naming their field.
    let bad = app
        .gql(
            &fx.org_admin_a,
            invite,
            json!({"o": fx.org_a, "t": fx.tenant_a2, "r": "commune_editor", "m": "pas-un-email"}),
        )
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "email");
    let bad = app
        .gql(
            &fx.org_admin_a,
            invite,
            json!({"o": fx.org_a, "t": fx.tenant_a2, "r": "maire", "m": "a@b.fr"}),
        )
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "role");
    // Every successful invitation is in the audit trail of its tenant.
    let log = app
        .gql(
            &fx.org_admin_a,
            "query($t: UUID!) { auditLog(tenantId: $t) { items { operation principal after }} }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    let ops: Vec<&str> = data(&log)["auditLog"]["items"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["operation"].as_str())
        .collect();
    assert!(ops.contains(&"inviteUser"), "{log}");
    assert!(data(&log)["auditLog"]["items"][0]["after"]
        .to_string()
        .contains("secretariat@mairie-compiegne.fr"));
}

const GRANT: &str = "mutation($o: UUID!, $t: [UUID!]!, $e: DateTime!, $m: String!) { grantAuditor(input: {email: $m, organisationId: $o, tenantIds: $t, expiresAt: $e, reason: \"contrôle\"}) { id } }";

/// Issue 18, finding 3: the DPO granted themselves auditor access and read contracts.
#[tokio::test]
async fn nobody_grants_themselves_access_and_a_grant_carries_no_more_than_its_granter_holds() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let far = chrono::Utc::now() + chrono::Duration::days(15);
    let both = json!([fx.tenant_a1, fx.tenant_a2]);
    // The DPO, their own address (any case): refused, and nothing written.
    let grants = app.count("auditor_grant").await;
    for email in ["dpo@agglo-compiegne.fr", "DPO@Agglo-Compiegne.fr"] {
        let r = app
            .gql(
                &fx.dpo_a,
                GRANT,
                json!({"o": fx.org_a, "t": both, "e": far, "m": email}),
            )
            .await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    }
    assert_eq!(app.count("auditor_grant").await, grants);
    let own = app
        .gql(
            &fx.dpo_a,
            "query($t: UUID!) { contracts(tenantIds: [$t]) { items { id }} }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    assert_eq!(error_code(&own).as_deref(), Some("FORBIDDEN"), "{own}");

    // A grant by the DPO reads registers, never contracts or costs (which the DPO cannot).
    app.procurement_objects(&fx.org_admin_a, fx.tenant_a1, &[fx.tenant_a1])
        .await;
    data(
        &app.gql(
            &fx.dpo_a,
            GRANT,
            json!({"o": fx.org_a, "t": both, "e": far, "m": "inspecteur@cnil.fr"}),
        )
        .await,
    );
    let user = |email: &'static str| {
        let app = &app;
        async move {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            tenants::entities::app_user::Entity::find()
                .filter(tenants::entities::app_user::Column::Email.eq(email))
                .one(&app.db)
                .await
                .expect("query")
                .expect("user")
                .id
        }
    };
    let inspector = app
        .session_for(user("inspecteur@cnil.fr").await, "inspecteur@cnil.fr")
        .await;
    let q =
        "query($t: UUID!) { activities(tenantIds: [$t]) { items { id }} contracts(tenantIds: [$t]) { items { id }} }";
    let r = app.gql(&inspector, q, json!({"t": fx.tenant_a1})).await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    let r = app
        .gql(
            &inspector,
            "query($t: UUID!) { activities(tenantIds: [$t]) { items { id }} }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    data(&r);
    // The DSI's grant carries every auditor permission.
    data(
        &app.gql(
            &fx.org_admin_a,
            GRANT,
            json!({"o": fx.org_a, "t": both, "e": far, "m": "magistrat@crc.fr"}),
        )
        .await,
    );
    let magistrate = app
        .session_for(user("magistrat@crc.fr").await, "magistrat@crc.fr")
        .await;
    let r = app.gql(&magistrate, q, json!({"t": fx.tenant_a1})).await;
    assert!(
        data(&r)["contracts"]["items"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "{r}"
    );
    // Nor does the DSI invite themselves.
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($o: UUID!) { inviteUser(input: {email: \"dsi@agglo-compiegne.fr\", role: \"dpo\", organisationId: $o}) { id } }",
            json!({"o": fx.org_a}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");

    // An org_admin token creates no token (a leaked one cannot outlive its revocation).
    let r = app
        .gql(
            &fx.org_admin_a,
            CREATE_TOKEN,
            json!({"o": fx.org_a, "r": "org_admin", "t": null, "e": far}),
        )
        .await;
    let token = Caller::Token(
        data(&r)["createApiToken"]["secret"]
            .as_str()
            .expect("secret")
            .to_owned(),
    );
    let tokens = app.count("api_token").await;
    let r = app
        .gql(
            &token,
            CREATE_TOKEN,
            json!({"o": fx.org_a, "r": "org_admin", "t": null, "e": far}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    assert_eq!(app.count("api_token").await, tokens);
}
