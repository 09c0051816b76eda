//! Evidence documents and the DPO's library (issue 19): content sniffing and size limits at
//! upload, who may download what, the S3 backend against a real S3 server (s3s-fs), the
//! documents in the auditor's register bundle, library versions and read receipts.
use integration_tests::*;
use serde_json::{json, Value};
use std::io::{Cursor, Read};
use uuid::Uuid;

const BOUNDARY: &str = "----mutualis-test-7f3a9c";

/// A small file every sniffer takes for a PDF.
pub fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}

/// `multipart/form-data` by hand (text fields, then at most one file named `file`).
pub fn multipart(fields: &[(&str, String)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

/// POSTs a form as `caller`: (status, JSON answer).
pub async fn post_form(app: &TestApp, caller: &Caller, path: &str, body: Vec<u8>) -> (u16, Value) {
    let mut req = app
        .http
        .post(format!("{}{path}", app.url))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body);
    req = match caller {
        Caller::Session { secret, csrf, .. } => req
            .header("cookie", format!("mutualis_session={secret}"))
            .header("x-csrf-token", csrf),
        Caller::Token(t) => req.bearer_auth(t),
        Caller::Anonymous => req,
    };
    let r = req.send().await.expect("POST form");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Uploads a document: (status, JSON answer).
pub async fn upload(
    app: &TestApp,
    caller: &Caller,
    tenant: Uuid,
    title: &str,
    links: &[String],
    file: (&str, &[u8]),
) -> (u16, Value) {
    let mut fields = vec![
        ("tenantId", tenant.to_string()),
        ("kind", "contract".to_owned()),
        ("title", title.to_owned()),
        ("documentDate", "2026-03-02".to_owned()),
    ];
    fields.extend(links.iter().map(|l| ("links", l.clone())));
    post_form(app, caller, "/documents", multipart(&fields, Some(file))).await
}

/// Uploads a PDF and answers its id.
pub async fn upload_pdf(app: &TestApp, caller: &Caller, tenant: Uuid, title: &str) -> String {
    let (status, v) = upload(app, caller, tenant, title, &[], ("preuve.pdf", &pdf(title))).await;
    assert_eq!(status, 201, "{v}");
    v["document"]["id"].as_str().expect("id").to_owned()
}

/// Publishes a library resource as `caller`: (status, answer).
pub async fn publish_resource(
    app: &TestApp,
    caller: &Caller,
    org: Uuid,
    title: &str,
    file: Option<(&str, &[u8])>,
    url: Option<&str>,
) -> (u16, Value) {
    let mut fields = vec![
        ("organisationId", org.to_string()),
        ("title", title.to_owned()),
        ("description", "Modèle à adapter".to_owned()),
        ("category", "template".to_owned()),
        ("note", "Première version".to_owned()),
    ];
    if let Some(u) = url {
        fields.push(("url", u.to_owned()));
    }
    post_form(app, caller, "/library/resources", multipart(&fields, file)).await
}

async fn auditor_of(
    app: &TestApp,
    granter: &Caller,
    org: Uuid,
    tenant: Uuid,
    email: &str,
) -> Caller {
    let g = app
        .gql(
            granter,
            "mutation($o: UUID!, $t: [UUID!]!, $e: DateTime!, $m: String!) { grantAuditor(input: {email: $m, organisationId: $o, tenantIds: $t, expiresAt: $e, reason: \"contrôle des preuves\"}) { id } }",
            json!({"o": org, "t": [tenant], "e": chrono::Utc::now() + chrono::Duration::days(10), "m": email}),
        )
        .await;
    data(&g);
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let uid = tenants::entities::app_user::Entity::find()
        .filter(tenants::entities::app_user::Column::Email.eq(email))
        .one(&app.db)
        .await
        .expect("query")
        .expect("user")
        .id;
    app.session_for(uid, email).await
}

fn files_dir(app: &TestApp) -> std::path::PathBuf {
    match &app.config.storage {
        tenants::storage::StorageSettings::FileSystem { root } => root.clone(),
        other => panic!("file system storage expected, got {other:?}"),
    }
}

fn count_files(dir: &std::path::Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                count_files(&p)
            } else {
                1
            }
        })
        .sum()
}

#[tokio::test]
async fn a_program_renamed_pdf_is_refused_by_its_content_and_nothing_is_written() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let before = app.count("audit_log").await;
    // A Windows program renamed « contrat.pdf ».
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
    exe.extend_from_slice(&[0u8; 200]);
    let (status, v) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Contrat",
        &[],
        ("contrat.pdf", &exe),
    )
    .await;
    assert_eq!(status, 415, "{v}");
    assert_eq!(v["error"]["code"], "UNSUPPORTED_FILE_TYPE", "{v}");
    assert_eq!(v["error"]["field"], "file");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("programme Windows"), "{message}");
    assert_french(message);
    // A ZIP of anything renamed .docx, and a text file.
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    z.start_file("payload.js", zip::write::SimpleFileOptions::default())
        .expect("entry");
    std::io::Write::write_all(&mut z, b"alert(1)").expect("write");
    let fake_docx = z.finish().expect("zip").into_inner();
    let (status, v) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Politique",
        &[],
        ("politique.docx", &fake_docx),
    )
    .await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (415, Some("UNSUPPORTED_FILE_TYPE")),
        "{v}"
    );
    let (status, _) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Note",
        &[],
        ("note.pdf", b"<html>"),
    )
    .await;
    assert_eq!(status, 415);
    assert_eq!(app.count("gdpr_document").await, 0);
    assert_eq!(
        app.count("audit_log").await,
        before,
        "a refusal is not recorded as an upload"
    );
    assert_eq!(count_files(&files_dir(&app)), 0, "no file was stored");

    // A real PDF sent as « .docx » is accepted as the PDF it is.
    let body = pdf("délibération");
    let (status, v) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Délibération",
        &[],
        ("deliberation.docx", &body),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let d = &v["document"];
    assert_eq!(d["mediaType"], "application/pdf");
    assert_eq!(d["fileName"], "deliberation.pdf");
    use sha2::Digest;
    assert_eq!(d["sha256"], hex::encode(sha2::Sha256::digest(&body)));
    assert_eq!(d["bytes"], body.len());
    assert_eq!(count_files(&files_dir(&app)), 1);
    // Missing or bad fields: a 400 naming the field, nothing written.
    let (status, v) = post_form(
        &app,
        &fx.commune_admin_a1,
        "/documents",
        multipart(
            &[
                ("tenantId", fx.tenant_a1.to_string()),
                ("kind", "virus".into()),
            ],
            Some(("a.pdf", &body)),
        ),
    )
    .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (400, Some("kind")),
        "{v}"
    );
    let (status, v) = post_form(
        &app,
        &fx.commune_admin_a1,
        "/documents",
        multipart(
            &[
                ("tenantId", fx.tenant_a1.to_string()),
                ("kind", "policy".into()),
                ("title", "x".into()),
                ("documentDate", "2099-01-01".into()),
            ],
            Some(("a.pdf", &body)),
        ),
    )
    .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (400, Some("documentDate")),
        "{v}"
    );
    assert_eq!(app.count("gdpr_document").await, 1);
}

#[tokio::test]
async fn files_past_the_size_limit_are_refused_in_french() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let max = app.config.document_max_bytes as usize;
    assert_eq!(max, 20 * 1024 * 1024);
    // One byte over the limit (within the form's allowance: refused while reading the file).
    let mut big = pdf("gros");
    big.resize(max + 1, b' ');
    let (status, v) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Gros",
        &[],
        ("gros.pdf", &big),
    )
    .await;
    assert_eq!(status, 413, "{v}");
    assert_eq!(v["error"]["code"], "FILE_TOO_LARGE");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("20 Mio"), "{message}");
    // Far over (past the body limit): the same answer.
    big.resize(max + 5 * 1024 * 1024, b' ');
    let (status, v) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Très gros",
        &[],
        ("gros.pdf", &big),
    )
    .await;
    assert_eq!(status, 413, "{v}");
    assert_eq!(v["error"]["code"], "FILE_TOO_LARGE", "{v}");
    // Exactly at the limit: accepted.
    big.truncate(max);
    let (status, v) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Juste",
        &[],
        ("juste.pdf", &big),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(app.count("gdpr_document").await, 1);
}

#[tokio::test]
async fn a_document_is_downloaded_by_its_commune_the_dpo_and_granted_auditors_only() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let g1 = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    let r = app
        .gql(
            &fx.editor_a2,
            "mutation($t: UUID!, $a: DateTime!) { createBreach(input: {tenantId: $t, title: \"Courriel mal adressé\", awareAt: $a, natures: [\"confidentiality\"], severity: \"low\"}) { id } }",
            json!({"t": fx.tenant_a2, "a": chrono::Utc::now() - chrono::Duration::hours(1)}),
        )
        .await;
    let breach_a2 = data(&r)["createBreach"]["id"]
        .as_str()
        .expect("breach")
        .to_owned();
    let body = pdf("contrat de sous-traitance signé");
    let (status, v) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Contrat de sous-traitance",
        &[
            format!("activity:{}", g1.activity),
            format!("processor:{}", g1.processor),
        ],
        ("Contrat signé.pdf", &body),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let id = v["document"]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        v["document"]["links"].as_array().map(Vec::len),
        Some(2),
        "{v}"
    );
    let path = format!("/documents/{id}/file");

    // The commune's own people: an attachment, never sniffed.
    let r = app
        .http
        .get(format!("{}{path}", app.url))
        .header(
            "cookie",
            match &fx.commune_admin_a1 {
                Caller::Session { secret, .. } => format!("mutualis_session={secret}"),
                _ => unreachable!(),
            },
        )
        .send()
        .await
        .expect("download");
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    let cd = h
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cd.starts_with("attachment;"), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''Contrat%20sign%C3%A9.pdf"),
        "{cd}"
    );
    assert_eq!(
        h.get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    assert_eq!(
        h.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), body);

    // The organisation's DPO; an auditor with a grant on this commune.
    assert_eq!(
        app.get_bytes_as(&fx.dpo_a, &path, "").await,
        (200, body.clone())
    );
    let auditor = auditor_of(&app, &fx.dpo_a, fx.org_a, fx.tenant_a1, "cnil@cnil.fr").await;
    assert_eq!(app.get_bytes_as(&auditor, &path, "").await.0, 200);
    // Never another commune, another organisation, an auditor of another commune, nobody.
    let other_auditor =
        auditor_of(&app, &fx.dpo_a, fx.org_a, fx.tenant_a2, "crc@ccomptes.fr").await;
    for (who, caller) in [
        ("editor of A2", &fx.editor_a2),
        ("DSI of B", &fx.org_admin_b),
        ("auditor of A2", &other_auditor),
    ] {
        let (status, text) = app.get_as(caller, &path, "").await;
        assert_eq!(status, 404, "{who}: {text}");
        assert!(!text.contains("PDF"), "{who}");
    }
    assert_eq!(app.get_as(&Caller::Anonymous, &path, "").await.0, 401);
    assert_eq!(
        app.get_as(&fx.dpo_a, "/documents/not-a-uuid/file", "")
            .await
            .0,
        404
    );

    // Uploads: another commune's people cannot write into A1, nor link A2's register to it.
    let (status, v) = upload(
        &app,
        &fx.editor_a2,
        fx.tenant_a1,
        "Intrus",
        &[],
        ("x.pdf", &body),
    )
    .await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "{v}"
    );
    let (status, v) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Lien",
        &[format!("breach:{breach_a2}")],
        ("x.pdf", &body),
    )
    .await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "{v}"
    );
    // The DPO reaches both communes: the link across them is a bad input that says so.
    let (status, v) = upload(
        &app,
        &fx.dpo_a,
        fx.tenant_a1,
        "Lien",
        &[format!("breach:{breach_a2}")],
        ("x.pdf", &body),
    )
    .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (400, Some("links")),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("autre commune"),
        "{v}"
    );
    // An auditor reads, never writes.
    let (status, v) = upload(&app, &auditor, fx.tenant_a1, "Audit", &[], ("x.pdf", &body)).await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (403, Some("FORBIDDEN")),
        "{v}"
    );
    assert_eq!(app.count("gdpr_document").await, 1);

    // The activity's page finds it; another commune's people delete nothing.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "query($a: UUID!) { documents(linkedKind: \"activity\", linkedId: $a) { totalCount items { id title sha256 links { target { code } targetId } } } }",
            json!({"a": g1.activity}),
        )
        .await;
    assert_eq!(data(&r)["documents"]["totalCount"], 1, "{r}");
    assert_eq!(data(&r)["documents"]["items"][0]["id"], json!(id));
    let r = app
        .gql(
            &fx.editor_a2,
            "mutation($id: UUID!) { deleteDocument(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    assert_eq!(count_files(&files_dir(&app)), 1);
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "mutation($id: UUID!) { deleteDocument(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data(&r)["deleteDocument"], json!(id), "{r}");
    assert_eq!(app.count("gdpr_document").await, 0);
    assert_eq!(app.count("gdpr_document_link").await, 0);
    assert_eq!(
        count_files(&files_dir(&app)),
        0,
        "the file went with its document"
    );
    assert_eq!(app.get_as(&fx.dpo_a, &path, "").await.0, 404);
    // Every step is in the commune's audit trail, the deletion with what was deleted.
    for op in ["uploadDocument", "downloadDocument", "deleteDocument"] {
        assert!(
            app.count(&format!(
                "audit_log WHERE operation = '{op}' AND tenant_id = '{}'",
                fx.tenant_a1
            ))
            .await
                >= 1,
            "{op} not audited"
        );
    }
    assert_eq!(
        app.count(&format!(
            "audit_log WHERE operation = 'deleteDocument' AND before->>'sha256' = '{}'",
            {
                use sha2::Digest;
                hex::encode(sha2::Sha256::digest(&body))
            }
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn documents_are_listed_by_page_searched_and_linked() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let g1 = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    let a = upload_pdf(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Attestation de formation RGPD",
    )
    .await;
    let _b = upload_pdf(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Politique de sécurité",
    )
    .await;
    let _c = upload_pdf(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Procédure d'exercice des droits",
    )
    .await;
    let _d = upload_pdf(
        &app,
        &fx.editor_a2,
        fx.tenant_a2,
        "Registre signé de Margny",
    )
    .await;
    let page = |caller: Caller, q: &'static str, v: Value| {
        let app = &app;
        async move { app.gql(&caller, q, v).await }
    };
    let r = page(
        fx.commune_admin_a1.clone(),
        "{ documents(first: 2) { totalCount items { tenantId title } } }",
        json!({}),
    )
    .await;
    assert_eq!(data(&r)["documents"]["totalCount"], 3, "{r}");
    assert_eq!(
        data(&r)["documents"]["items"].as_array().map(Vec::len),
        Some(2)
    );
    let r = page(
        fx.commune_admin_a1.clone(),
        "{ documents(first: 2, offset: 2) { totalCount items { title } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        data(&r)["documents"]["items"].as_array().map(Vec::len),
        Some(1),
        "{r}"
    );
    // The DPO sees both communes; a search ignores case and accents.
    let r = page(fx.dpo_a.clone(), "{ documents { totalCount } }", json!({})).await;
    assert_eq!(data(&r)["documents"]["totalCount"], 4, "{r}");
    let r = page(
        fx.dpo_a.clone(),
        "{ documents(search: \"SECURITE\") { items { title } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        data(&r)["documents"]["items"][0]["title"],
        "Politique de sécurité",
        "{r}"
    );
    let r = page(
        fx.dpo_a.clone(),
        "{ documents(kind: \"exe\") { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"));
    // Links: added, refused twice, listed on the request, removed.
    let link = "mutation($d: UUID!, $t: UUID!) { linkDocument(documentId: $d, targetKind: \"request\", targetId: $t) { links { target { code label } targetId } } }";
    let r = page(
        fx.commune_admin_a1.clone(),
        link,
        json!({"d": a, "t": g1.request}),
    )
    .await;
    assert_eq!(
        data(&r)["linkDocument"]["links"][0]["target"]["label"],
        "Demande de droits",
        "{r}"
    );
    let r = page(
        fx.commune_admin_a1.clone(),
        link,
        json!({"d": a, "t": g1.request}),
    )
    .await;
    assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
    let r = page(
        fx.commune_admin_a1.clone(),
        "query($t: UUID!) { documents(linkedKind: \"request\", linkedId: $t) { items { id } } }",
        json!({"t": g1.request}),
    )
    .await;
    assert_eq!(data(&r)["documents"]["items"][0]["id"], json!(a), "{r}");
    let r = page(
        fx.commune_admin_a1.clone(),
        "mutation($d: UUID!, $t: UUID!) { unlinkDocument(documentId: $d, targetKind: \"request\", targetId: $t) { links { targetId } } }",
        json!({"d": a, "t": g1.request}),
    )
    .await;
    assert_eq!(data(&r)["unlinkDocument"]["links"], json!([]), "{r}");
    let r = page(
        fx.commune_admin_a1.clone(),
        "{ documentKinds { code label } }",
        json!({}),
    )
    .await;
    assert!(
        data(&r)["documentKinds"]
            .to_string()
            .contains("Attestation de formation"),
        "{r}"
    );
}

/// The S3 backend against a real S3 server process (s3s-fs, started by tests/services.sh).
fn s3_settings() -> tenants::storage::StorageSettings {
    let var = |k: &str| {
        std::env::var(k).unwrap_or_else(|_| {
            panic!("{k}: run the tests with tests/services.sh started (it starts s3s-fs)")
        })
    };
    tenants::storage::StorageSettings::S3 {
        endpoint: Some(var("MUTUALIS_TEST_S3_ENDPOINT")),
        bucket: var("MUTUALIS_TEST_S3_BUCKET"),
        region: "us-east-1".into(),
        access_key_id: var("MUTUALIS_TEST_S3_ACCESS_KEY"),
        secret_access_key: var("MUTUALIS_TEST_S3_SECRET_KEY"),
        allow_http: true,
    }
}

#[tokio::test]
async fn the_s3_backend_keeps_documents_in_a_real_s3_server() {
    let settings = s3_settings();
    let dir = std::path::PathBuf::from(std::env::var("MUTUALIS_TEST_S3_DIR").expect("s3 dir"))
        .join(std::env::var("MUTUALIS_TEST_S3_BUCKET").expect("bucket"));
    // The interface itself: put, read back, bounded read, delete, missing.
    let s = tenants::storage::Storage::open(&settings).expect("open");
    assert_eq!(s.backend(), "s3");
    let key = format!("tests/{}", Uuid::now_v7());
    s.put(&key, b"%PDF-1.7 s3".to_vec()).await.expect("put");
    assert_eq!(s.get(&key, 1000).await.expect("get"), b"%PDF-1.7 s3");
    assert!(matches!(
        s.get(&key, 3).await,
        Err(tenants::storage::StorageError::TooLarge { .. })
    ));
    assert!(
        dir.join(&key).is_file(),
        "s3s-fs keeps the object as {}",
        dir.join(&key).display()
    );
    s.delete(&key).await.expect("delete");
    assert!(!s.exists(&key).await.expect("head"));
    assert!(matches!(
        s.get(&key, 1000).await,
        Err(tenants::storage::StorageError::Missing(_))
    ));
    // Wrong keys are refused by the server, and the upload says so without writing.
    let tenants::storage::StorageSettings::S3 {
        endpoint,
        bucket,
        region,
        access_key_id,
        ..
    } = settings.clone()
    else {
        unreachable!()
    };
    let wrong = tenants::storage::Storage::open(&tenants::storage::StorageSettings::S3 {
        endpoint,
        bucket,
        region,
        access_key_id,
        secret_access_key: "wrong-secret".into(),
        allow_http: true,
    })
    .expect("open");
    assert!(wrong.put("tests/refused", b"x".to_vec()).await.is_err());

    // The server with S3 storage: upload, download, delete go through the bucket.
    let app = spawn_app_with(AppOptions {
        storage: Some(settings),
        ..AppOptions::default()
    })
    .await;
    let fx = app.fixture().await;
    let body = pdf("stocké dans S3");
    let (status, v) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Dans S3",
        &[],
        ("s3.pdf", &body),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let id = v["document"]["id"].as_str().expect("id").to_owned();
    let object = dir.join(format!("documents/{}/{}/{id}", fx.org_a, fx.tenant_a1));
    assert_eq!(std::fs::read(&object).expect("object in the bucket"), body);
    let path = format!("/documents/{id}/file");
    assert_eq!(
        app.get_bytes_as(&fx.dpo_a, &path, "").await,
        (200, body.clone())
    );
    assert_eq!(app.get_as(&fx.org_admin_b, &path, "").await.0, 404);
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "mutation($id: UUID!) { deleteDocument(id: $id) }",
            json!({"id": id}),
        )
        .await;
    data(&r);
    assert!(!object.exists(), "the object left the bucket");
    let audit = app
        .count("audit_log WHERE operation = 'uploadDocument' AND after->>'storage' = 's3'")
        .await;
    assert_eq!(audit, 1);
}

#[tokio::test]
async fn the_register_bundle_lists_the_documents_with_their_hashes_and_packs_their_files() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let g1 = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    let one = pdf("attestation");
    let two = pdf("registre signé");
    let (s1, v1) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Attestation de présence",
        &[format!("activity:{}", g1.activity)],
        ("attestation.pdf", &one),
    )
    .await;
    let (s2, v2) = upload(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        "Registre signé",
        &[],
        ("Registre signé.pdf", &two),
    )
    .await;
    assert_eq!((s1, s2), (201, 201), "{v1} {v2}");
    let _other = upload_pdf(&app, &fx.editor_a2, fx.tenant_a2, "Document de Margny").await;
    let r = app
        .http
        .post(format!(
            "{}{}?tenant={}&format=csv",
            app.url,
            api::http::exports::REGISTER_EXPORT,
            fx.tenant_a1
        ))
        .header(
            "cookie",
            match &fx.dpo_a {
                Caller::Session { secret, .. } => format!("mutualis_session={secret}"),
                _ => unreachable!(),
            },
        )
        .header(
            "x-csrf-token",
            match &fx.dpo_a {
                Caller::Session { csrf, .. } => csrf.clone(),
                _ => unreachable!(),
            },
        )
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 200);
    let zip_bytes = r.bytes().await.expect("zip").to_vec();
    let manifest = formats::verify(&zip_bytes).expect("the bundle verifies");
    let mut archive = zip::ZipArchive::new(Cursor::new(&zip_bytes[..])).expect("zip");
    let list_name = manifest
        .files
        .iter()
        .map(|f| f.name.clone())
        .find(|n| n.starts_with("pieces-justificatives") && n.ends_with(".csv"))
        .unwrap_or_else(|| panic!("no documents list in {:?}", manifest.files));
    let mut list = String::new();
    archive
        .by_name(&list_name)
        .expect("list")
        .read_to_string(&mut list)
        .expect("utf-8");
    for v in [&v1, &v2] {
        let sha = v["document"]["sha256"].as_str().expect("sha");
        assert!(list.contains(sha), "{sha} not in {list}");
        // The file itself is packed, under a name the list gives, and the manifest hashes it.
        let packed = manifest
            .files
            .iter()
            .find(|f| f.sha256 == sha && f.name.starts_with("piece-"))
            .unwrap_or_else(|| panic!("{sha} not packed: {:?}", manifest.files));
        assert!(list.contains(&packed.name), "{} not in {list}", packed.name);
        assert_eq!(packed.media_type, "application/pdf");
    }
    assert!(list.contains("Attestation de présence"));
    assert!(
        list.contains(&g1.activity),
        "the list names what the document proves"
    );
    assert!(
        !list.contains("Document de Margny"),
        "another commune's document leaked: {list}"
    );
    assert_eq!(
        manifest
            .files
            .iter()
            .filter(|f| f.name.starts_with("piece-"))
            .count(),
        2
    );
    // The bundle verifies against the audit trail, which counted the documents.
    let resp = app
        .http
        .post(format!("{}{}", app.url, api::http::exports::VERIFY_BUNDLE))
        .header(
            "cookie",
            match &fx.dpo_a {
                Caller::Session { secret, .. } => format!("mutualis_session={secret}"),
                _ => unreachable!(),
            },
        )
        .header(
            "x-csrf-token",
            match &fx.dpo_a {
                Caller::Session { csrf, .. } => csrf.clone(),
                _ => unreachable!(),
            },
        )
        .body(zip_bytes)
        .send()
        .await
        .expect("verify");
    let v: Value = resp.json().await.expect("json");
    assert_eq!(
        (v["valid"].as_bool(), v["recorded"].as_bool()),
        (Some(true), Some(true)),
        "{v}"
    );
    assert_eq!(
        app.count(&format!("audit_log WHERE operation = 'exportRegister' AND tenant_id = '{}' AND (after->'documents'->>'packed')::int = 2", fx.tenant_a1)).await,
        1
    );
}

const LIBRARY: &str = "query($o: UUID) { libraryResources(organisationId: $o) { id title currentVersion readByMe communesRead communesTotal
    current { id version sha256 openUrl } versions { id version kind url }
    communes { tenantId tenantName readCurrent lastVersionRead readers { readerName version } } } }";

#[tokio::test]
async fn the_library_keeps_every_version_and_who_read_the_current_one() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let v1_bytes = pdf("modèle de mention d'information, version 1");
    let (status, v) = publish_resource(
        &app,
        &fx.dpo_a,
        fx.org_a,
        "Modèle de mention d'information",
        Some(("mention.pdf", &v1_bytes)),
        None,
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let resource = v["resource"]["id"].as_str().expect("id").to_owned();
    let v1 = v["version"]["id"].as_str().expect("version").to_owned();
    // Nobody else publishes: a commune's administrator, another organisation's DSI.
    let (status, v) = publish_resource(
        &app,
        &fx.commune_admin_a1,
        fx.org_a,
        "Intrus",
        Some(("x.pdf", &v1_bytes)),
        None,
    )
    .await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (403, Some("FORBIDDEN")),
        "{v}"
    );
    let (status, _) = publish_resource(
        &app,
        &fx.org_admin_b,
        fx.org_a,
        "Intrus",
        Some(("x.pdf", &v1_bytes)),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, v) = publish_resource(
        &app,
        &fx.dpo_a,
        fx.org_a,
        "Programme",
        Some(("guide.pdf", b"MZ\x90\x00")),
        None,
    )
    .await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (415, Some("UNSUPPORTED_FILE_TYPE")),
        "{v}"
    );

    // Compiègne's administrator opens version 1: one receipt, however many times.
    let open = |caller: Caller, version: String, tenant: Uuid| {
        let app = &app;
        async move {
            app.get_bytes_as(
                &caller,
                &format!("/library/versions/{version}/file"),
                &format!("tenant={tenant}"),
            )
            .await
        }
    };
    assert_eq!(
        open(fx.commune_admin_a1.clone(), v1.clone(), fx.tenant_a1).await,
        (200, v1_bytes.clone())
    );
    assert_eq!(
        open(fx.commune_admin_a1.clone(), v1.clone(), fx.tenant_a1)
            .await
            .0,
        200
    );
    assert_eq!(app.count("gdpr_resource_read").await, 1);
    // The DPO opening it leaves no receipt (not a reader the DPO follows).
    assert_eq!(
        open(fx.dpo_a.clone(), v1.clone(), fx.tenant_a1).await.0,
        200
    );
    assert_eq!(app.count("gdpr_resource_read").await, 1);
    let r = app.gql(&fx.dpo_a, LIBRARY, json!({"o": fx.org_a})).await;
    let res = &data(&r)["libraryResources"][0];
    assert_eq!(res["currentVersion"], 1, "{r}");
    assert_eq!(res["communesRead"], 1, "{r}");
    let communes = res["communes"].as_array().expect("communes");
    assert_eq!(res["communesTotal"], json!(communes.len()));
    assert!(communes.len() >= 2, "{r}");
    let status_of = |res: &Value, t: Uuid| {
        res["communes"]
            .as_array()
            .and_then(|c| c.iter().find(|x| x["tenantId"] == json!(t)).cloned())
            .unwrap_or_else(|| panic!("{t} not in {res}"))
    };
    assert_eq!(status_of(res, fx.tenant_a1)["readCurrent"], true);
    assert!(status_of(res, fx.tenant_a1)["readers"][0]["readerName"]
        .as_str()
        .is_some());
    assert_eq!(status_of(res, fx.tenant_a2)["readCurrent"], false);

    // Version 2: the old one stays readable, the receipts of version 1 no longer count.
    let v2_bytes = pdf("modèle de mention d'information, version 2");
    let (status, v) = post_form(
        &app,
        &fx.dpo_a,
        &format!("/library/resources/{resource}/versions"),
        multipart(
            &[("note", "Mise à jour après la délibération".into())],
            Some(("mention-v2.pdf", &v2_bytes)),
        ),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let v2 = v["version"]["id"].as_str().expect("v2").to_owned();
    assert_eq!(v["resource"]["currentVersion"], 2);
    assert_eq!(
        open(fx.editor_a2.clone(), v2.clone(), fx.tenant_a2).await,
        (200, v2_bytes.clone())
    );
    assert_eq!(
        open(fx.editor_a2.clone(), v1.clone(), fx.tenant_a2).await,
        (200, v1_bytes.clone()),
        "version 1 kept"
    );
    let r = app.gql(&fx.dpo_a, LIBRARY, json!({"o": fx.org_a})).await;
    let res = &data(&r)["libraryResources"][0];
    assert_eq!(res["versions"].as_array().map(Vec::len), Some(2), "{r}");
    assert_eq!(res["current"]["id"], json!(v2));
    assert_eq!(res["communesRead"], 1, "{r}");
    assert_eq!(status_of(res, fx.tenant_a1)["readCurrent"], false);
    assert_eq!(status_of(res, fx.tenant_a1)["lastVersionRead"], 1);
    assert_eq!(status_of(res, fx.tenant_a2)["readCurrent"], true);
    // A commune sees the library and its own reading only.
    let r = app.gql(&fx.commune_admin_a1, LIBRARY, json!({})).await;
    let res = &data(&r)["libraryResources"][0];
    assert_eq!(res["communes"].as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(res["readByMe"], false);
    assert!(!r.to_string().contains(&fx.tenant_a2.to_string()), "{r}");
    // Another organisation sees nothing of it, and opens nothing.
    let r = app.gql(&fx.org_admin_b, LIBRARY, json!({})).await;
    assert_eq!(data(&r)["libraryResources"], json!([]), "{r}");
    assert_eq!(
        open(fx.org_admin_b.clone(), v2.clone(), fx.tenant_b1)
            .await
            .0,
        404
    );
    let (status, _) = post_form(
        &app,
        &fx.org_admin_b,
        &format!("/library/resources/{resource}/versions"),
        multipart(&[], Some(("x.pdf", &v2_bytes))),
    )
    .await;
    assert_eq!(status, 404);

    // A link: opening it redirects there, with a receipt.
    let (status, v) = publish_resource(
        &app,
        &fx.dpo_a,
        fx.org_a,
        "Guide CNIL des collectivités",
        None,
        Some("https://www.cnil.fr/fr/collectivites"),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let link_version = v["version"]["id"].as_str().expect("id").to_owned();
    let (status, _) = publish_resource(
        &app,
        &fx.dpo_a,
        fx.org_a,
        "Mauvais lien",
        None,
        Some("javascript:alert(1)"),
    )
    .await;
    assert_eq!(status, 400);
    let r = app
        .http
        .get(format!(
            "{}/library/versions/{link_version}/file?tenant={}",
            app.url, fx.tenant_a1
        ))
        .header(
            "cookie",
            match &fx.commune_admin_a1 {
                Caller::Session { secret, .. } => format!("mutualis_session={secret}"),
                _ => unreachable!(),
            },
        )
        .send()
        .await
        .expect("open link");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("https://www.cnil.fr/fr/collectivites")
    );
    assert_eq!(app.count("gdpr_resource_read").await, 4);
    assert_eq!(app.count("gdpr_resource_version").await, 3);
    for op in ["publishResource", "addResourceVersion"] {
        assert!(
            app.count(&format!("audit_log WHERE operation = '{op}'"))
                .await
                >= 1,
            "{op}"
        );
    }
}

/// The console's « Documents » page shares its address with the upload route: opened by a
/// link or a reload (GET), it is the console, not a 405 (found by the phone-width journey).
#[tokio::test]
async fn the_documents_page_opens_by_its_address() {
    let app = spawn_app().await;
    let r = app
        .http
        .get(format!("{}/documents", app.url))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/html"));
    assert!(r.text().await.expect("body").contains("<div id=\"root\""));
}
