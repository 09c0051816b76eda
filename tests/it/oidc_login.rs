//! OpenID Connect login end to end against the real provider process (tests/oidc/provider.mjs,
//! started by tests/services.sh): code flow, PKCE, state, nonce, ProConnect claims.
use integration_tests::*;
use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::{json, Value};

fn issuer() -> String {
    std::env::var("MUTUALIS_TEST_OIDC_ISSUER")
        .expect("MUTUALIS_TEST_OIDC_ISSUER (tests/services.sh starts the provider)")
}

fn location(resp: &reqwest::Response, base: &str) -> String {
    let loc = resp.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    url::Url::parse(base)
        .expect("base")
        .join(&loc)
        .expect("join")
        .to_string()
}

/// Drives the browser part: app login -> provider login form -> back to the app's callback.
/// Returns the callback response (not followed).
async fn browser_login(
    app: &TestApp,
    http: &reqwest::Client,
    login: &str,
) -> (reqwest::Response, String) {
    let start = http
        .get(format!("{}/auth/login?return_to=/tableau-de-bord", app.url))
        .send()
        .await
        .expect("login");
    assert_eq!(start.status(), 303, "{:?}", start.text().await);
    let authorize = location(&start, &app.url);
    assert!(authorize.starts_with(&issuer()), "{authorize}");
    for p in [
        "code_challenge=",
        "code_challenge_method=S256",
        "state=",
        "nonce=",
        "scope=openid",
    ] {
        assert!(
            authorize.contains(p),
            "authorize URL lacks {p}: {authorize}"
        );
    }
    let to_form = http.get(&authorize).send().await.expect("authorize");
    assert_eq!(to_form.status(), 303);
    let interaction = location(&to_form, &issuer());
    let submitted = http
        .post(&interaction)
        .form(&[("prompt", "login"), ("login", login), ("password", "x")])
        .send()
        .await
        .expect("login form");
    assert_eq!(submitted.status(), 303);
    let resume = location(&submitted, &issuer());
    let back = http.get(&resume).send().await.expect("resume");
    assert_eq!(back.status(), 303);
    let callback = location(&back, &issuer());
    assert!(
        callback.starts_with(&format!("{}/auth/callback?", app.url)),
        "{callback}"
    );
    (
        http.get(&callback).send().await.expect("callback"),
        callback,
    )
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client")
}

#[tokio::test]
async fn an_invited_agent_logs_in_through_the_provider() {
    let app = spawn_app_with(AppOptions {
        oidc: true,
        ..AppOptions::default()
    })
    .await;
    let fx = app.fixture().await;
    let email = "claire.dupont@mairie-compiegne.fr";
    data(&app
        .gql(
            &fx.org_admin_a,
            "mutation($o: UUID!, $t: UUID!, $m: String!) { inviteUser(input: {email: $m, role: \"commune_admin\", organisationId: $o, tenantId: $t}) { id } }",
            json!({"o": fx.org_a, "t": fx.tenant_a1, "m": email}),
        )
        .await);

    let http = client();
    let (done, callback) = browser_login(&app, &http, email).await;
    assert_eq!(done.status(), 303, "{:?}", done.text().await);
    assert_eq!(done.headers()[LOCATION], "/tableau-de-bord");
    let cookie = done.headers()[SET_COOKIE]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.starts_with("mutualis_session=ses_")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "no Secure flag on plain http");

    let session: Value = http
        .get(format!("{}/auth/session", app.url))
        .send()
        .await
        .expect("s")
        .json()
        .await
        .expect("json");
    assert_eq!(session["authenticated"], true);
    assert_eq!(session["email"], email);
    assert_eq!(session["displayName"], "Claire Dupont");
    let csrf = session["csrfToken"].as_str().expect("csrf");
    let me: Value = http
        .post(format!("{}/graphql", app.url))
        .header("x-csrf-token", csrf)
        .json(&json!({"query": "{ me { email roles } tenants { name } }"}))
        .send()
        .await
        .expect("gql")
        .json()
        .await
        .expect("json");
    assert_eq!(me["data"]["me"]["roles"], json!(["commune_admin"]));
    assert_eq!(me["data"]["tenants"], json!([{"name": "Compiègne"}]));

    // The ProConnect claims were recorded, and the subject linked to the invitation.
    let row = app
        .count(&format!(
            "app_user WHERE email = '{email}' AND usual_name = 'Dupont' AND siret IS NOT NULL AND oidc_subject = '{email}'"
        ))
        .await;
    assert_eq!(row, 1);

    // The callback URL cannot be replayed: its state was used.
    let replay = http.get(&callback).send().await.expect("replay");
    assert_eq!(replay.status(), 400);
    assert!(replay.text().await.expect("body").contains("expiré"));
}

#[tokio::test]
async fn a_person_without_an_invitation_gets_a_clear_refusal() {
    let app = spawn_app_with(AppOptions {
        oidc: true,
        ..AppOptions::default()
    })
    .await;
    let http = client();
    let (done, _) = browser_login(&app, &http, "inconnu@ailleurs.fr").await;
    assert_eq!(done.status(), 403);
    assert!(done.headers().get(SET_COOKIE).is_none());
    let page = done.text().await.expect("body");
    assert!(
        page.contains("Compte inconnu") && page.contains("inconnu@ailleurs.fr"),
        "{page}"
    );
    assert_eq!(app.count("session").await, 0);
}

#[tokio::test]
async fn a_forged_callback_is_refused() {
    let app = spawn_app_with(AppOptions {
        oidc: true,
        ..AppOptions::default()
    })
    .await;
    let http = client();
    let r = http
        .get(format!("{}/auth/callback?code=abc&state=forged", app.url))
        .send()
        .await
        .expect("callback");
    assert_eq!(r.status(), 400);
    let r = http
        .get(format!(
            "{}/auth/callback?error=access_denied&error_description=refus",
            app.url
        ))
        .send()
        .await
        .expect("callback");
    assert_eq!(r.status(), 400);
    // An open redirect through return_to is not possible.
    assert_eq!(
        api::http::oidc::safe_return_to(Some("//evil.example/x")),
        "/"
    );
    assert_eq!(
        api::http::oidc::safe_return_to(Some("https://evil.example")),
        "/"
    );
    assert_eq!(
        api::http::oidc::safe_return_to(Some("/registre")),
        "/registre"
    );
}

#[tokio::test]
async fn a_provider_that_is_down_gives_an_error_page_and_sessions_keep_working() {
    // oidc: false points the server at a closed port.
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = client()
        .get(format!("{}/auth/login", app.url))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 503);
    assert!(r.text().await.expect("body").contains("ne répond pas"));
    data(
        &app.gql(&fx.commune_admin_a1, "{ me { email } }", json!({}))
            .await,
    );
}
