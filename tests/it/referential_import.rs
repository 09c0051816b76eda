//! Referential import: idempotent provisioning, unknown SIREN, and the embedded demo extract
//! checked against the real package data.
use integration_tests::*;
use tenants::identifiers::Siren;
use tenants::referential::{self, Referential, ReferentialError};
use tenants::tenancy::{can, Principal};

#[tokio::test]
async fn provisioning_twice_changes_nothing() {
    let app = spawn_app().await;
    let scope = Principal::operator()
        .can::<can::ManageUsers>()
        .expect("operator");
    let r = fixture_referential();
    referential::load(&app.db, &r, &indicatif_hidden())
        .await
        .expect("load");
    let siren = Siren::parse(ORG_A_SIREN).expect("siren");
    let first = referential::provision(&app.db, &scope, &siren)
        .await
        .expect("first");
    assert!(first.organisation_created);
    assert_eq!(
        first.tenants_created, 23,
        "22 communes and the organisation itself"
    );
    let counts = (
        app.count("tenant").await,
        app.count("organisation").await,
        app.count("audit_log").await,
    );
    referential::load(&app.db, &r, &indicatif_hidden())
        .await
        .expect("load again");
    let second = referential::provision(&app.db, &scope, &siren)
        .await
        .expect("second");
    assert!(!second.changed(), "{second:?}");
    assert_eq!(second.tenants_unchanged, 23);
    assert_eq!(
        counts,
        (
            app.count("tenant").await,
            app.count("organisation").await,
            app.count("audit_log").await
        )
    );

    // A new population figure is an update, not a new tenant.
    let mut r2 = r.clone();
    if let Some(c) = r2.communes.iter_mut().find(|c| c.insee_code == "60159") {
        c.population += 1;
    }
    referential::load(&app.db, &r2, &indicatif_hidden())
        .await
        .expect("load");
    let third = referential::provision(&app.db, &scope, &siren)
        .await
        .expect("third");
    assert_eq!((third.tenants_updated, third.tenants_created), (1, 0));
    assert_eq!(app.count("tenant").await, counts.0);

    let unknown =
        referential::provision(&app.db, &scope, &Siren::parse("216001586").expect("siren")).await;
    assert!(
        matches!(unknown, Err(ReferentialError::UnknownSiren(_))),
        "{unknown:?}"
    );
}

fn package_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("MUTUALIS_TEST_REFERENTIAL_DIR")
        .map(std::path::PathBuf::from)
        .filter(|p| p.join("communes.json").exists())
}

#[tokio::test]
async fn the_demo_extract_matches_the_official_package() {
    let dir = package_dir().expect("MUTUALIS_TEST_REFERENTIAL_DIR (set by tests/services.sh)");
    let full = Referential::read_dir(&dir).expect("package data parses");
    assert!(full.communes.len() > 34_000, "{}", full.communes.len());
    assert!(full.epcis.len() > 1_200);
    let dunkerque: Vec<_> = full
        .communes
        .iter()
        .filter(|c| c.epci_siren.as_deref() == Some(ORG_B_SIREN))
        .collect();
    assert_eq!(dunkerque.len(), 17, "the CU de Dunkerque has 17 communes");
    let demo = Referential::demo().expect("demo");
    for c in &demo.communes {
        let official = full
            .communes
            .iter()
            .find(|o| o.insee_code == c.insee_code)
            .expect("commune in package");
        assert_eq!(
            official, c,
            "demo extract differs from the package for {}",
            c.insee_code
        );
    }
    assert_eq!(
        full.communes
            .iter()
            .filter(|c| c.epci_siren.as_deref() == Some(ORG_A_SIREN))
            .count(),
        demo.communes.len()
    );
}

#[tokio::test]
async fn the_import_command_provisions_from_the_package_and_is_idempotent() {
    let dir = package_dir().expect("MUTUALIS_TEST_REFERENTIAL_DIR");
    let app = spawn_app().await;
    let exe = std::env::var("MUTUALIS_BIN").expect("MUTUALIS_BIN (set by tests/run)");
    let run = || {
        std::process::Command::new(&exe)
            .args(["import-referential", "--data-dir"])
            .arg(&dir)
            .args(["--siren", ORG_B_SIREN])
            .env_clear()
            .env("DATABASE_URL", &app.testdb.app_url)
            .env("DATABASE_ADMIN_URL", &app.testdb.admin_url)
            .env("OIDC_ISSUER_URL", "http://127.0.0.1:9/")
            .env("OIDC_CLIENT_ID", "x")
            .env("OIDC_CLIENT_SECRET", "y")
            .output()
            .expect("run import")
    };
    let first = run();
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(out.contains("tenants: 18 created"), "{out}");
    let second = run();
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(
        out.contains("tenants: 0 created, 0 updated, 18 unchanged"),
        "{out}"
    );
    assert_eq!(app.count("tenant").await, 18);
    assert!(app.count("ref_commune").await > 34_000);

    let bad = std::process::Command::new(&exe)
        .args(["import-referential", "--data-dir"])
        .arg(&dir)
        .args(["--siren", "123456789"])
        .env_clear()
        .env("DATABASE_URL", &app.testdb.app_url)
        .env("DATABASE_ADMIN_URL", &app.testdb.admin_url)
        .env("OIDC_ISSUER_URL", "http://127.0.0.1:9/")
        .env("OIDC_CLIENT_ID", "x")
        .env("OIDC_CLIENT_SECRET", "y")
        .output()
        .expect("run");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("SIREN"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
