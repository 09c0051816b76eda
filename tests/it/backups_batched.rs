//! Metering and compliance read all the policies of the scope at once (issue 23): for several
//! policies in two organisations, the same figures as one policy's own reads, no other
//! organisation's row, and as many statements for one tenant's policies as for all of them.
use chrono::{DateTime, Duration, Utc};
use integration_tests::per_policy::{samples_of, status_of};
use integration_tests::*;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use tenants::backups::{compliance, metering};
use tenants::entities::backup_policy;
use tenants::tenancy::{can, Can};
use uuid::Uuid;

async fn policy(app: &TestApp, caller: &Caller, tenant: Uuid, name: &str) -> Uuid {
    let r = app
        .gql(
            caller,
            &format!("mutation($t: UUID!, $name: String!, $host: String!, $repo: String!) {{ createBackupPolicy(tenantId: $t, input: {BACKUP_POLICY_INPUT}) {{ id }} }}"),
            json!({"t": tenant, "name": name, "host": name, "repo": format!("/srv/restic/{name}")}),
        )
        .await;
    data(&r)["createBackupPolicy"]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("policy in {r}"))
}

async fn sample(app: &TestApp, p: Uuid, at: DateTime<Utc>, bytes: i64) {
    app.admin_exec(&format!(
        "INSERT INTO backup_storage_sample (id, organisation_id, tenant_id, policy_id, measured_at, stored_bytes, source)
         SELECT gen_random_uuid(), organisation_id, tenant_id, id, '{}', {bytes}, 'webhook' FROM backup_policy WHERE id = '{p}'",
        at.to_rfc3339()
    ))
    .await;
}

async fn job(app: &TestApp, p: Uuid, at: DateTime<Utc>, status: &str) {
    app.admin_exec(&format!(
        "INSERT INTO backup_job (id, organisation_id, tenant_id, policy_id, source, external_id, status, finished_at, received_at)
         SELECT gen_random_uuid(), organisation_id, tenant_id, id, 'webhook', gen_random_uuid()::text, '{status}', '{}', now()
         FROM backup_policy WHERE id = '{p}'",
        at.to_rfc3339()
    ))
    .await;
}

async fn scope_of(app: &TestApp, email: &str) -> Can<can::ReadBackups> {
    let id: Uuid = app
        .admin
        .query_one(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!("SELECT id FROM app_user WHERE email = '{email}'"),
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get("", "id").ok())
        .expect("user");
    tenants::tenancy::resolve_user(&app.db, id)
        .await
        .expect("principal")
        .can::<can::ReadBackups>()
        .expect("scope")
}
/// Seven policies: three in A1, two in A2 (organisation A), two in B1 (organisation B), each
/// with its own history. Returns them with their tenant.
async fn stage(
    app: &TestApp,
    fx: &Fixture,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<(Uuid, Uuid)> {
    let mut out = vec![];
    for (caller, tenant, names) in [
        (&fx.org_admin_a, fx.tenant_a1, &["a1-x", "a1-y", "a1-z"][..]),
        (&fx.org_admin_a, fx.tenant_a2, &["a2-x", "a2-y"][..]),
        (&fx.org_admin_b, fx.tenant_b1, &["b1-x", "b1-y"][..]),
    ] {
        for n in names {
            out.push((policy(app, caller, tenant, n).await, tenant));
        }
    }
    let day = Duration::days(1);
    let gb = 1_000_000_000_i64;
    // Samples: an older one before the month (it must not count), the last before, several
    // inside, one after; one policy with nothing, one with only a sample before.
    for (i, (p, _)) in out.iter().enumerate() {
        let i = i as i64;
        match i {
            3 => {}
            5 => sample(app, *p, start - day * 2, 7 * gb).await,
            _ => {
                sample(app, *p, start - day * 40, 99 * gb).await;
                sample(app, *p, start - Duration::days(i + 1), (i + 1) * gb).await;
                sample(app, *p, start + Duration::days(i + 2), (i + 3) * gb).await;
                sample(
                    app,
                    *p,
                    start + day * 12 + Duration::hours(i),
                    (2 * i + 1) * gb,
                )
                .await;
                sample(app, *p, start + day * 45, 500 * gb).await;
            }
        }
    }
    // Jobs over a 30-day window: recent successes; only old ones (the last good and the last
    // one before the window are read); a failure now after an old success; never run.
    for (i, (p, _)) in out.iter().enumerate() {
        match i % 4 {
            0 => {
                job(app, *p, now - Duration::hours(3), "success").await;
                job(app, *p, now - day * 2, "warning").await;
            }
            1 => {
                job(app, *p, now - day * 40, "success").await;
                job(app, *p, now - day * 35, "failed").await;
                job(app, *p, now - day * 50, "success").await;
            }
            2 => {
                job(app, *p, now - Duration::hours(1), "failed").await;
                job(app, *p, now - day * 33, "success").await;
                job(app, *p, now - day * 45, "failed").await;
            }
            _ => {
                if i == 3 {
                    job(app, *p, now - day * 60, "failed").await;
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn backups_batched_metering_matches_each_policys_own_reads() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let period = tenants::calendar::Period::parse("2026-10").expect("period");
    let (start, end) = period.bounds();
    let now = Utc::now();
    let policies = stage(&app, &fx, start, now).await;
    let counted = Counted::connect(&app.testdb.app_url).await;
    for (email, org, foreign) in [
        ("dsi@agglo-compiegne.fr", fx.org_a, fx.tenant_b1),
        ("dsi@cud.fr", fx.org_b, fx.tenant_a1),
    ] {
        let scope = scope_of(&app, email).await;
        let (usage, all_statements, _) = counted
            .measure(metering::usage(&counted.db, &scope, period, None, now))
            .await;
        let usage = usage.expect("usage");
        assert!(usage.iter().all(|u| u.organisation_id == org), "{usage:?}");
        assert!(!usage.iter().any(|u| u.tenant_id == foreign));
        let mut seen = 0;
        for u in &usage {
            let mine: Vec<Uuid> = policies
                .iter()
                .filter(|(_, t)| *t == u.tenant_id)
                .map(|(p, _)| *p)
                .collect();
            let (mut bs, mut current) = (0_i128, 0_i64);
            for p in &mine {
                let s = samples_of(&app.admin, *p, start, end).await;
                bs += metering::byte_seconds(&s, start, end);
                current += s.last().map(|(_, b)| *b).unwrap_or(0);
            }
            let expected = metering::milli_gb_months(bs, (end - start).num_seconds());
            assert_eq!(
                (u.policies, u.milli_gb_months, u.current_bytes),
                (mine.len(), expected, current),
                "{u:?}"
            );
            seen += mine.len();
        }
        assert!(seen >= 2, "{usage:?}");
        // One tenant's policies or all of them: the same number of statements.
        let one = usage.iter().find(|u| u.policies > 0).map(|u| u.tenant_id);
        let (_, one_statements, _) = counted
            .measure(metering::usage(
                &counted.db,
                &scope,
                period,
                one.map(|t| vec![t]),
                now,
            ))
            .await;
        assert_eq!(one_statements, all_statements);
    }
}

#[tokio::test]
async fn backups_batched_statuses_match_each_policys_own_reads() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let now = Utc::now();
    let policies = stage(&app, &fx, now - Duration::days(60), now).await;
    let counted = Counted::connect(&app.testdb.app_url).await;
    for (email, org, foreign) in [
        ("dsi@agglo-compiegne.fr", fx.org_a, fx.tenant_b1),
        ("dsi@cud.fr", fx.org_b, fx.tenant_a1),
    ] {
        let scope = scope_of(&app, email).await;
        let (out, all_statements, _) = counted
            .measure(compliance::overview(&counted.db, &scope, None, now, 30))
            .await;
        let (states, statuses) = out.expect("overview");
        assert!(states
            .iter()
            .all(|t| t.organisation_id == org && t.tenant_id != foreign));
        let ours: Vec<Uuid> = policies
            .iter()
            .filter(|(_, t)| states.iter().any(|s| s.tenant_id == *t))
            .map(|(p, _)| *p)
            .collect();
        let mut got: Vec<Uuid> = statuses.iter().map(|s| s.policy.id).collect();
        got.sort();
        let mut want = ours.clone();
        want.sort();
        assert_eq!(
            got, want,
            "each policy of the organisation, none of the other"
        );
        for s in &statuses {
            assert_eq!(s, &status_of(&app.admin, s.policy.clone(), now, 30).await);
        }
        // Histories of each kind are there.
        let has = |st: compliance::RpoState| statuses.iter().any(|s| s.state == st);
        assert!(has(compliance::RpoState::Failing) && has(compliance::RpoState::Late));
        // The fallbacks for one policy or for all: the same number of statements.
        let one = scope
            .find::<backup_policy::Entity>()
            .filter(backup_policy::Column::Id.is_in(ours.clone()))
            .order_by_asc(backup_policy::Column::Id)
            .limit(1)
            .all(&app.admin)
            .await
            .expect("one");
        let (_, one_statements, _) = counted
            .measure(compliance::statuses(&counted.db, &scope, one, now, 30))
            .await;
        let all = backup_policy::Entity::find()
            .filter(backup_policy::Column::Id.is_in(ours))
            .all(&app.admin)
            .await
            .expect("all");
        let (_, many_statements, _) = counted
            .measure(compliance::statuses(&counted.db, &scope, all, now, 30))
            .await;
        // (Two more at most: the fallbacks, when the one policy needed neither.)
        assert!(
            many_statements <= one_statements + 2 && many_statements <= all_statements,
            "{one_statements} statements for one policy, {many_statements} for all"
        );
    }
}
