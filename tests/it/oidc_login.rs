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
    browser_login_at(&app.url, &issuer(), http, login).await
}

/// The same against the server at `base` and the provider at `issuer`.
async fn browser_login_at(
    base: &str,
    issuer: &str,
    http: &reqwest::Client,
    login: &str,
) -> (reqwest::Response, String) {
    browser_login_returning(base, issuer, http, login, "/tableau-de-bord").await
}

/// The same with `return_to` (sent URL-encoded).
async fn browser_login_returning(
    base: &str,
    issuer: &str,
    http: &reqwest::Client,
    login: &str,
    return_to: &str,
) -> (reqwest::Response, String) {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("return_to", return_to)
        .finish();
    let start = http
        .get(format!("{base}/auth/login?{q}"))
        .send()
        .await
        .expect("login");
    assert_eq!(start.status(), 303, "{:?}", start.text().await);
    let authorize = location(&start, base);
    assert!(authorize.starts_with(issuer), "{authorize}");
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
    let interaction = location(&to_form, issuer);
    let submitted = http
        .post(&interaction)
        .form(&[("prompt", "login"), ("login", login), ("password", "x")])
        .send()
        .await
        .expect("login form");
    assert_eq!(submitted.status(), 303);
    let resume = location(&submitted, issuer);
    let back = http.get(&resume).send().await.expect("resume");
    assert_eq!(back.status(), 303);
    let callback = location(&back, issuer);
    assert!(
        callback.starts_with(&format!("{base}/auth/callback?")),
        "{callback}"
    );
    (
        http.get(&callback).send().await.expect("callback"),
        callback,
    )
}

/// `email` invited as Compiègne's administrator by organisation A's DSI.
async fn invite_to_a1(app: &TestApp, fx: &Fixture, email: &str) {
    data(&app
        .gql(
            &fx.org_admin_a,
            "mutation($o: UUID!, $t: UUID!, $m: String!) { inviteUser(input: {email: $m, role: \"commune_admin\", organisationId: $o, tenantId: $t}) { id } }",
            json!({"o": fx.org_a, "t": fx.tenant_a1, "m": email}),
        )
        .await);
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
    invite_to_a1(&app, &fx, email).await;

    // Issue 18, finding 4: `/<tab>/evil.example` came back as the Location, which browsers
    // follow to //evil.example. A path that is not plainly this site's means the home page.
    let (done, _) =
        browser_login_returning(&app.url, &issuer(), &client(), email, "/\t/evil.example").await;
    assert_eq!(done.status(), 303, "{:?}", done.text().await);
    assert_eq!(done.headers()[LOCATION], "/");

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
        .json(&json!({"query": "{ me { email roles } tenants { items { name }} }"}))
        .send()
        .await
        .expect("gql")
        .json()
        .await
        .expect("json");
    assert_eq!(me["data"]["me"]["roles"], json!(["commune_admin"]));
    assert_eq!(
        me["data"]["tenants"]["items"],
        json!([{"name": "Compiègne"}])
    );

    // The ProConnect claims were recorded, and the subject linked to the invitation.
    let row = app
        .count(&format!(
            "app_user WHERE email = '{email}' AND usual_name = 'Dupont' AND siret IS NOT NULL AND oidc_subject = '{email}'"
        ))
        .await;
    assert_eq!(row, 1);
    // And the login itself (issue 17: « Dernière connexion : jamais » for people who log in).
    let logged = app
        .count(&format!(
            "app_user WHERE email = '{email}' AND last_login_at IS NOT NULL"
        ))
        .await;
    assert_eq!(logged, 1);

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

/// A provider process of this test alone on `port` (the shared one stays up for the others).
fn start_provider(port: u16) -> std::process::Child {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::process::Command::new(node())
        .arg(dir.join("oidc/provider.mjs"))
        .current_dir(dir)
        .env("OIDC_PORT", port.to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("node runs tests/oidc/provider.mjs")
}

/// A real login through a real provider process, then the provider dies: the session opened
/// through it keeps working (reads and writes), a new login gets the error page, and the
/// login works again once the provider is back.
#[tokio::test]
async fn a_provider_that_is_down_gives_an_error_page_and_sessions_keep_working() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let email = "claire.dupont@mairie-compiegne.fr";
    invite_to_a1(&app, &fx, email).await;
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let discovery = format!("{issuer}/.well-known/openid-configuration");
    let up = || async {
        client()
            .get(&discovery)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    };
    let mut provider = Processes(vec![start_provider(port)]);
    wait_until(
        "the provider answers",
        std::time::Duration::from_secs(60),
        up,
    )
    .await;
    // The server as a process of its own, logging in through this provider.
    let (client_id, client_secret) = (
        std::env::var("MUTUALIS_TEST_OIDC_CLIENT_ID").unwrap_or_else(|_| "mutualis-test".into()),
        std::env::var("MUTUALIS_TEST_OIDC_CLIENT_SECRET")
            .unwrap_or_else(|_| "mutualis-test-secret".into()),
    );
    let listen = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{listen}");
    let _server = Processes(vec![app.start_binary(
        &["serve"],
        &[
            ("LISTEN_ADDR", &listen),
            ("OIDC_ISSUER_URL", &issuer),
            ("OIDC_CLIENT_ID", &client_id),
            ("OIDC_CLIENT_SECRET", &client_secret),
        ],
    )]);
    app.wait_ready(&base).await;

    let http = client();
    let (done, _) = browser_login_at(&base, &issuer, &http, email).await;
    assert_eq!(done.status(), 303, "{:?}", done.text().await);
    let session = |http: reqwest::Client| {
        let base = base.clone();
        async move {
            let s: Value = http
                .get(format!("{base}/auth/session"))
                .send()
                .await
                .expect("session")
                .json()
                .await
                .expect("json");
            s
        }
    };
    let s = session(http.clone()).await;
    assert_eq!(
        (s["authenticated"].clone(), s["email"].clone()),
        (json!(true), json!(email))
    );
    let csrf = s["csrfToken"].as_str().expect("csrf").to_owned();

    // The provider goes down.
    provider.0[0].kill().expect("SIGKILL the provider");
    provider.0[0].wait().expect("reaped");
    assert!(!up().await, "the provider is down");

    // The session opened through it keeps working: a read and a write.
    let s = session(http.clone()).await;
    assert_eq!(s["authenticated"], json!(true), "{s}");
    let r: Value = http
        .post(format!("{base}/graphql"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"query": "mutation($t: UUID!, $d: Date!) { createRightsRequest(input: {tenantId: $t, kind: \"access\", receivedOn: $d, requester: \"Pendant la panne\"}) { id } } ",
            "variables": {"t": fx.tenant_a1, "d": chrono::Utc::now().date_naive()}}))
        .send()
        .await
        .expect("gql")
        .json()
        .await
        .expect("json");
    assert!(data(&r)["createRightsRequest"]["id"].is_string(), "{r}");
    let r: Value = http
        .post(format!("{base}/graphql"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"query": "{ me { email } }"}))
        .send()
        .await
        .expect("gql")
        .json()
        .await
        .expect("json");
    assert_eq!(data(&r)["me"]["email"], json!(email));

    // A new login (another browser) gets the error page, not a redirect to a dead provider.
    let other = client();
    let r = other
        .get(format!("{base}/auth/login"))
        .send()
        .await
        .expect("login");
    let status = r.status();
    let location = r.headers().get(LOCATION).cloned();
    let page = r.text().await.expect("body");
    assert_eq!(status, 503, "{location:?} {page}");
    assert!(page.contains("ne répond pas"), "{page}");
    assert!(
        page.contains("Les sessions ouvertes restent valides"),
        "{page}"
    );

    // Back up: logins work again, without restarting the server.
    provider.0[0] = start_provider(port);
    wait_until(
        "the provider answers again",
        std::time::Duration::from_secs(60),
        up,
    )
    .await;
    let (done, _) = browser_login_at(&base, &issuer, &other, email).await;
    assert_eq!(done.status(), 303, "{:?}", done.text().await);
    let s = session(other).await;
    assert_eq!(s["authenticated"], json!(true), "{s}");
}

/// Issue 25: logging out ends the provider's session too (RP-initiated logout, as ProConnect
/// asks): the ID token, kept in its own HttpOnly cookie, goes back as `id_token_hint`; the
/// provider confirms and drops its session, and the browser returns to the console.
#[tokio::test]
async fn logout_ends_the_provider_session_too() {
    let app = spawn_app_with(AppOptions {
        oidc: true,
        ..AppOptions::default()
    })
    .await;
    let fx = app.fixture().await;
    let email = "remi.leroy@mairie-compiegne.fr";
    invite_to_a1(&app, &fx, email).await;
    let http = client();
    let (done, _) = browser_login(&app, &http, email).await;
    assert_eq!(done.status(), 303);
    let cookies: Vec<String> = done
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let idt = cookies
        .iter()
        .find(|c| c.starts_with("mutualis_idt="))
        .unwrap_or_else(|| panic!("no ID token cookie in {cookies:?}"));
    assert!(
        idt.contains("HttpOnly") && idt.contains("SameSite=Lax"),
        "{idt}"
    );
    let id_token = idt["mutualis_idt=".len()..]
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(id_token.split('.').count(), 3, "a JWT: {id_token}");

    let session: Value = http
        .get(format!("{}/auth/session", app.url))
        .send()
        .await
        .expect("s")
        .json()
        .await
        .expect("json");
    let csrf = session["csrfToken"].as_str().expect("csrf").to_owned();
    let out = http
        .post(format!("{}/auth/logout", app.url))
        .header("x-csrf-token", &csrf)
        .header("accept", "application/json")
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), 200);
    let cleared: Vec<String> = out
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("mutualis_idt=;") && c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    let body: Value = out.json().await.expect("json");
    let logout_url = body["logoutUrl"]
        .as_str()
        .expect("a provider logout")
        .to_owned();
    let parsed = url::Url::parse(&logout_url).expect("URL");
    assert!(logout_url.starts_with(&issuer()), "{logout_url}");
    let q: std::collections::HashMap<String, String> = parsed.query_pairs().into_owned().collect();
    assert_eq!(q.get("id_token_hint"), Some(&id_token));
    assert_eq!(
        q.get("post_logout_redirect_uri").map(String::as_str),
        Some(format!("{}/auth/logged-out", app.url.trim_end_matches('/')).as_str())
    );
    assert!(q.contains_key("state") && q.contains_key("client_id"));

    // The provider asks to confirm, then sends the browser back to the console.
    let page = http.get(&logout_url).send().await.expect("end session");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("form");
    let xsrf = html
        .split("name=\"xsrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no xsrf in {html}"))
        .to_owned();
    let confirmed = http
        .post(format!(
            "{}/session/end/confirm",
            issuer().trim_end_matches('/')
        ))
        .form(&[("xsrf", xsrf.as_str()), ("logout", "yes")])
        .send()
        .await
        .expect("confirm");
    assert_eq!(confirmed.status(), 303);
    // The provider dropped its session cookie.
    let provider_cookies: Vec<String> = confirmed
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    assert!(
        provider_cookies
            .iter()
            .any(|c| c.starts_with("oidc_op_session=;") && c.contains("expires=Thu, 01 Jan 1970")),
        "{provider_cookies:?}"
    );
    let back = location(&confirmed, &issuer());
    assert!(
        back.starts_with(&format!(
            "{}/auth/logged-out",
            app.url.trim_end_matches('/')
        )),
        "{back}"
    );
    let home = http.get(&back).send().await.expect("logged out");
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()[LOCATION], "/");

    // And a session of the demo login has no provider to tell.
    let demo_out = app
        .http
        .post(format!("{}/auth/logout", app.url))
        .header("accept", "application/json")
        .send()
        .await
        .expect("logout without session");
    assert_eq!(demo_out.status(), 403, "no session, no logout");
}
