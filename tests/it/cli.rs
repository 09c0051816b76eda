//! The real binary: bad configuration stops it with a message naming the setting;
//! verify-audit exits non-zero on a broken chain.
use integration_tests::*;
use sea_orm::ConnectionTrait;
use std::process::Command;

pub(crate) fn bin() -> Option<std::path::PathBuf> {
    let p = std::env::var_os("MUTUALIS_BIN").map(std::path::PathBuf::from)?;
    p.exists().then_some(p)
}

pub(crate) fn run(envs: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let exe = bin().expect("MUTUALIS_BIN (set by tests/run) points at the built binary");
    let dir = std::env::temp_dir().join(format!("mutualis-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let mut cmd = Command::new(exe);
    cmd.current_dir(&dir)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run mutualis");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_settings_stop_startup_naming_the_setting() {
    if bin().is_none() {
        panic!("MUTUALIS_BIN is not set: run the suite through tests/run");
    }
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("DATABASE_URL", "mysql://root@localhost/x")],
            "DATABASE_URL",
        ),
        (&[("LISTEN_ADDR", "partout")], "LISTEN_ADDR"),
        (&[("REDIS_URL", "127.0.0.1:6379")], "REDIS_URL"),
        (
            &[("OIDC_ISSUER_URL", "http://127.0.0.1:9400")],
            "OIDC_CLIENT_ID",
        ),
        (
            &[("DATABASE_URL", "postgres://u:topsecret@127.0.0.1:1/x")],
            "OIDC_ISSUER_URL",
        ),
        (
            &[("MUTUALIS_CONFIG", "/nonexistent/mutualis.toml")],
            "MUTUALIS_CONFIG",
        ),
    ];
    for (env, setting) in cases {
        let (code, _, err) = run(env, &["serve"]);
        assert_eq!(code, 1, "{env:?}: {err}");
        assert!(
            err.contains(setting),
            "{env:?} should name {setting}: {err}"
        );
        assert!(!err.contains("topsecret"), "password printed: {err}");
    }
    // The optional TOML file is validated the same way, and names the setting too.
    let file = std::env::temp_dir().join(format!("mutualis-{}.toml", uuid::Uuid::new_v4()));
    std::fs::write(&file, "redis_url = \"localhost\"\n").expect("write config");
    let (code, _, err) = run(&[], &["--config", file.to_str().expect("path"), "serve"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("REDIS_URL"), "{err}");
    let (code, _, err) = run(
        &[("MUTUALIS_CONFIG", file.to_str().expect("path"))],
        &["serve"],
    );
    assert!(code == 1 && err.contains("REDIS_URL"), "{err}");
    let (code, out, _) = run(&[], &["--help"]);
    assert_eq!(code, 0);
    for c in [
        "serve",
        "worker",
        "migrate",
        "import-referential",
        "create-organisation",
        "invite",
        "verify-audit",
    ] {
        assert!(out.contains(c), "--help lacks {c}: {out}");
    }
}

#[tokio::test]
async fn verify_audit_command_exits_non_zero_on_tampering() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    data(&app
        .gql(
            &fx.org_admin_a,
            "mutation($o: UUID!, $t: UUID!) { inviteUser(input: {email: \"a@compiegne.fr\", role: \"commune_editor\", organisationId: $o, tenantId: $t}) { id } }",
            serde_json::json!({"o": fx.org_a, "t": fx.tenant_a1}),
        )
        .await);
    let env: Vec<(&str, &str)> = vec![
        ("DATABASE_URL", app.testdb.app_url.as_str()),
        ("DATABASE_ADMIN_URL", app.testdb.admin_url.as_str()),
        ("OIDC_ISSUER_URL", "http://127.0.0.1:9/"),
        ("OIDC_CLIENT_ID", "x"),
        ("OIDC_CLIENT_SECRET", "y"),
    ];
    let (code, out, err) = run(&env, &["verify-audit"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("audit trail intact"), "{out}");
    app.admin
        .execute_unprepared(&format!(
            "UPDATE audit_log SET principal = 'user:someone-else' WHERE tenant_id = '{}'",
            fx.tenant_a1
        ))
        .await
        .expect("tamper");
    let (code, out, err) = run(&env, &["verify-audit"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("TAMPERED") && out.contains(&fx.tenant_a1.to_string()),
        "{out}"
    );
}

#[tokio::test]
async fn invite_command_gives_the_first_administrator_a_role_without_sql() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let env: Vec<(&str, &str)> = vec![
        ("DATABASE_URL", app.testdb.app_url.as_str()),
        ("DATABASE_ADMIN_URL", app.testdb.admin_url.as_str()),
        ("OIDC_ISSUER_URL", "http://127.0.0.1:9/"),
        ("OIDC_CLIENT_ID", "x"),
        ("OIDC_CLIENT_SECRET", "y"),
    ];
    let before = app.count("membership").await;
    // Refused with the reason, nothing written: an unknown organisation, a commune outside it,
    // a role the operator does not hand out this way.
    for (args, why) in [
        (vec!["--siren", "123456789"], "siren"),
        (vec!["--siren", ORG_A_SIREN, "--insee", "59183"], "insee"),
    ] {
        let mut a = vec!["invite", "--email", "dsi@agglo.fr", "--role", "org_admin"];
        a.extend(args);
        let (code, out, err) = run(&env, &a);
        assert_ne!(code, 0, "{out}{err}");
        assert!(err.contains(why), "{err}");
    }
    let (code, out, err) = run(
        &env,
        &[
            "invite",
            "--email",
            "x@agglo.fr",
            "--role",
            "platform_admin",
            "--siren",
            ORG_A_SIREN,
        ],
    );
    assert_ne!(code, 0, "{out}{err}");
    assert_eq!(app.count("membership").await, before);
    // The DSI of organisation A, then a commune administrator of Margny.
    let (code, out, err) = run(
        &env,
        &[
            "invite",
            "--email",
            "nouveau.dsi@agglo-compiegne.fr",
            "--role",
            "org_admin",
            "--siren",
            ORG_A_SIREN,
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(
        &env,
        &[
            "invite",
            "--email",
            "dgs@margny.fr",
            "--role",
            "commune_admin",
            "--siren",
            ORG_A_SIREN,
            "--insee",
            "60382",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        app.count_where(
            "membership m JOIN app_user u ON u.id = m.user_id",
            &format!(
                "(u.email = 'nouveau.dsi@agglo-compiegne.fr' AND m.role = 'org_admin' AND m.organisation_id = '{}' AND m.tenant_id IS NULL)
                 OR (u.email = 'dgs@margny.fr' AND m.role = 'commune_admin' AND m.tenant_id = '{}')",
                fx.org_a, fx.tenant_a2
            )
        )
        .await,
        2
    );
}

#[test]
fn verify_export_command_checks_a_bundle_offline() {
    let b = formats::bundle(
        vec![formats::RenderedFile {
            name: "registre.csv".into(),
            media_type: "text/csv",
            bytes: "Traitement;Finalités\r\n".as_bytes().to_vec(),
        }],
        formats::ManifestMeta {
            software_version: "t".into(),
            generated_at: chrono::Utc::now(),
            principal: "dpo@x.fr".into(),
            tenants: vec![],
            purpose: "test".into(),
        },
    )
    .expect("bundle");
    let dir = std::env::temp_dir().join(format!("mutualis-bundle-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let good = dir.join("ok.zip");
    std::fs::write(&good, &b.zip).expect("write");
    let (code, out, err) = run(&[], &["verify-export", good.to_str().expect("path")]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("bundle valid") && out.contains("registre.csv"),
        "{out}"
    );
    let mut bad = b.zip.clone();
    let i = bad.len() / 3;
    bad[i] ^= 0x55;
    let badp = dir.join("bad.zip");
    std::fs::write(&badp, &bad).expect("write");
    let (code, _, err) = run(&[], &["verify-export", badp.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(err.contains("NOT valid"), "{err}");
}

/// Issue 25: the first platform administrator without any SQL; a malformed e-mail is refused
/// and writes nothing; granting twice says so; `--revoke` takes the flag back.
#[tokio::test]
async fn grant_platform_admin_command_makes_the_first_operator_without_sql() {
    let app = spawn_app().await;
    let env: Vec<(&str, &str)> = vec![
        ("DATABASE_URL", app.testdb.app_url.as_str()),
        ("DATABASE_ADMIN_URL", app.testdb.admin_url.as_str()),
        ("OIDC_ISSUER_URL", "http://127.0.0.1:9/"),
        ("OIDC_CLIENT_ID", "x"),
        ("OIDC_CLIENT_SECRET", "y"),
    ];
    let users = app.count("app_user").await;
    let (code, out, err) = run(
        &env,
        &["grant-platform-admin", "--email", "pas-une-adresse"],
    );
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("--email"), "{err}");
    assert_eq!(app.count("app_user").await, users);
    let admins =
        || app.count("app_user WHERE email = 'exploitation@agglo-compiegne.fr' AND platform_admin");
    let (code, out, err) = run(
        &env,
        &[
            "grant-platform-admin",
            "--email",
            "Exploitation@Agglo-Compiegne.fr",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("is a platform administrator"), "{out}");
    assert_eq!(admins().await, 1);
    let (code, out, _) = run(
        &env,
        &[
            "grant-platform-admin",
            "--email",
            "exploitation@agglo-compiegne.fr",
        ],
    );
    assert_eq!(code, 0);
    assert!(out.contains("(already so)"), "{out}");
    assert_eq!(app.count("app_user").await, users + 1);
    let (code, out, _) = run(
        &env,
        &[
            "grant-platform-admin",
            "--email",
            "exploitation@agglo-compiegne.fr",
            "--revoke",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(admins().await, 0);
}

/// Issue 25: `mutualis migrate` needs the owner's database URL and nothing else — no
/// provider, no secret — and migrates an empty database.
#[tokio::test]
async fn migrate_needs_only_the_owner_database_url() {
    let name = format!("mt_migrate_{}", uuid::Uuid::new_v4().simple());
    let base = tenants::db::connect(&pg_url(), 1)
        .await
        .expect("PostgreSQL");
    base.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create");
    let url = with_db(&pg_url(), &name);
    let (code, out, err) = run(&[("DATABASE_ADMIN_URL", url.as_str())], &["migrate"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("migrations applied"), "{out}");
    let db = tenants::db::connect(&url, 1).await.expect("migrated");
    let applied = db
        .query_one(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT count(*) AS n FROM seaql_migrations",
        ))
        .await
        .expect("query")
        .expect("row")
        .try_get::<i64>("", "n")
        .expect("count");
    use migrations::MigratorTrait;
    assert_eq!(applied as usize, migrations::Migrator::migrations().len());
    db.close().await.ok();
    // Run again: nothing to do, still fine.
    let (code, _, err) = run(&[("DATABASE_ADMIN_URL", url.as_str())], &["migrate"]);
    assert_eq!(code, 0, "{err}");
    base.execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .await
        .ok();
}
