//! Export time of a register of 1,000 activities in each format (prints figures, asserts
//! nothing). `cargo run --release -p tenants --example register_export_bench`
use chrono::Utc;
use std::collections::HashMap;
use std::time::Instant;
use tenants::entities::{gdpr_activity, tenant};
use tenants::gdpr::activity::Activity;
use tenants::gdpr::demo::municipal_activities;
use tenants::gdpr::export::{cnil_document, register_document};
use uuid::Uuid;

fn main() {
    let org = Uuid::now_v7();
    let tenants: HashMap<Uuid, tenant::Model> = (0..20)
        .map(|i| {
            let id = Uuid::now_v7();
            (
                id,
                tenant::Model {
                    id,
                    organisation_id: org,
                    kind: "commune".into(),
                    insee_code: Some(format!("60{:03}", i)),
                    siren: format!("2160{:05}", i),
                    name: format!("Commune n° {i} — Saint-Étienne"),
                    population: 1000 + i,
                    audit_head_seq: 0,
                    audit_head_hash: String::new(),
                    created_at: Utc::now(),
                },
            )
        })
        .collect();
    let ids: Vec<Uuid> = tenants.keys().copied().collect();
    let models = municipal_activities();
    let activities: Vec<Activity> = (0..1000)
        .map(|i| {
            let mut fields = models[i % models.len()].clone();
            fields.name = format!("{} — traitement n° {i}", fields.name);
            let v = fields.to_json();
            let row = gdpr_activity::Model {
                id: Uuid::now_v7(),
                organisation_id: org,
                tenant_id: ids[i % ids.len()],
                role: "controller".into(),
                name: fields.name.clone(),
                purposes: fields.purposes.clone(),
                controller_name: None,
                legal_bases: v["legal_bases"].clone(),
                data_subjects: v["data_subjects"].clone(),
                data_categories: v["data_categories"].clone(),
                recipients: v["recipients"].clone(),
                transfers: v["transfers"].clone(),
                retention: v["retention"].clone(),
                security_measures: v["security_measures"].clone(),
                dpia_criteria: v["dpia_criteria"].clone(),
                origin: fields.origin.clone(),
                collection_method: fields.collection_method.clone(),
                information: fields.information.clone(),
                software: fields.software.clone(),
                department: fields.department.clone(),
                owner: fields.owner.clone(),
                status: "validated".into(),
                is_model: false,
                model_id: None,
                model_version: None,
                model_snapshot: None,
                version: 1,
                created_at: Utc::now(),
                updated_at: Utc::now(),
                archived_at: None,
            };
            Activity {
                row,
                fields,
                processor_ids: vec![],
            }
        })
        .collect();
    let now = Utc::now();
    let t = Instant::now();
    let doc = register_document(&tenants, &activities, &[], now);
    println!(
        "building the register table (1,000 activities, 23 columns): {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let mut all = vec![];
    for f in formats::Format::ALL {
        let t = Instant::now();
        let files = formats::render(&doc, f).expect("render");
        let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
        println!(
            "{:<5} {:>9.1} ms {:>10} bytes",
            f.extension(),
            t.elapsed().as_secs_f64() * 1e3,
            bytes
        );
        all.extend(files);
    }
    let t = Instant::now();
    let cnil = cnil_document(&tenants, &activities, now);
    let mut cnil_bytes = 0;
    for f in [formats::Format::Ods, formats::Format::Pdf] {
        let files = formats::render(&cnil, f).expect("render");
        cnil_bytes += files.iter().map(|f| f.bytes.len()).sum::<usize>();
        all.extend(files);
    }
    println!(
        "CNIL layout (1,000 record sheets, ODS + PDF): {:.1} ms, {cnil_bytes} bytes",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let b = formats::bundle(
        all,
        formats::ManifestMeta {
            software_version: "bench".into(),
            generated_at: now,
            principal: "bench".into(),
            tenants: vec![],
            purpose: "bench".into(),
        },
    )
    .expect("bundle");
    println!(
        "bundle with manifest: {:.1} ms, {} bytes",
        t.elapsed().as_secs_f64() * 1e3,
        b.zip.len()
    );
    let t = Instant::now();
    formats::verify(&b.zip).expect("verify");
    println!("verify: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
}
