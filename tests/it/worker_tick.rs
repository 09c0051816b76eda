//! The worker's periodic pass removes expired sessions and login attempts, and nothing else.
use integration_tests::*;
use sea_orm::ConnectionTrait;

#[tokio::test]
async fn a_tick_purges_expired_sessions_only() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let before = app.count("session").await;
    assert_eq!(before, 5, "one session per fixture person");
    let Caller::Session { secret, .. } = &fx.org_admin_a else {
        unreachable!()
    };
    let keep = tenants::secrets::sha256_hex(secret);
    tenants::access::store_login_attempt(&app.db, "state-old", "v", "n", "/")
        .await
        .expect("attempt");
    app.admin
        .execute_unprepared(&format!(
            "UPDATE session SET expires_at = now() - interval '1 minute' WHERE id_hash <> '{keep}'"
        ))
        .await
        .expect("expire four");
    app.admin
        .execute_unprepared("UPDATE login_attempt SET expires_at = now() - interval '1 minute'")
        .await
        .expect("expire attempt");
    let r = worker::tick(&app.db).await.expect("tick");
    assert_eq!(
        r.expired_sessions_removed, 5,
        "four sessions and one login attempt"
    );
    assert_eq!(app.count("session").await, 1);
    assert_eq!(app.count("login_attempt").await, 0);
    assert_eq!(
        worker::tick(&app.db)
            .await
            .expect("tick")
            .expired_sessions_removed,
        0
    );
    // The live session still works; an expired one is refused.
    data(
        &app.gql(&fx.org_admin_a, "{ me { email } }", serde_json::json!({}))
            .await,
    );
    let gone = app
        .gql(&fx.dpo_a, "{ me { email } }", serde_json::json!({}))
        .await;
    assert_eq!(error_code(&gone).as_deref(), Some("UNAUTHENTICATED"));
}
