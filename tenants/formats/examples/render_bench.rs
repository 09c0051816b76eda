//! Renders a 1,000-row, 20-column French document in every format (and bundles the lot),
//! printing the time and size of each. Measures only; asserts nothing.
//!
//! `cargo run --release -p formats --example render_bench [-- OUT_DIR]` (with a directory, the
//! files and the bundle are also written there, to look at).

use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use formats::{bundle, render, Cell, Column, Document, Format, ManifestMeta, Sheet, TenantRef};

const COMMUNES: [&str; 8] = [
    "Saint-Étienne-de-Crossey",
    "Voiron",
    "Coublevie",
    "La Buisse",
    "Saint-Jean-de-Moirans",
    "Montferrat",
    "Chirens",
    "Saint-Aupre",
];
const TREATMENTS: [&str; 6] = [
    "Gestion de l'état civil",
    "Inscriptions à la cantine scolaire",
    "Listes électorales",
    "Vidéoprotection de l'espace public",
    "Gestion des ressources humaines (paie, carrière)",
    "Urbanisme : instruction des permis de construire",
];
const PURPOSES: [&str; 4] = [
    "Tenue des registres, délivrance d'actes et mise à jour des mentions marginales ; conservation définitive.",
    "Facturation des repas, suivi des régimes alimentaires (allergies déclarées par les familles) et pointage.",
    "Prévention des atteintes aux biens et aux personnes ; images conservées 30 jours au plus, accès tracé.",
    "Calcul de la rémunération, gestion des absences et des formations ; échanges avec le centre de gestion « CDG 38 ».",
];
const BASES: [&str; 4] = [
    "Obligation légale",
    "Mission d'intérêt public",
    "Contrat",
    "Consentement",
];

fn document() -> Document {
    let labels = [
        ("ref", "N°"),
        ("commune", "Commune"),
        ("name", "Nom du traitement"),
        ("purpose", "Finalité"),
        ("legal_basis", "Base légale"),
        ("subjects", "Personnes concernées"),
        ("data", "Catégories de données"),
        ("sensitive", "Données sensibles"),
        ("recipients", "Destinataires"),
        ("processor", "Sous-traitant"),
        ("transfer", "Transfert hors UE"),
        ("retention", "Durée de conservation"),
        ("security", "Mesures de sécurité"),
        ("dpia", "AIPD requise"),
        ("status", "Statut"),
        ("owner", "Responsable"),
        ("created_on", "Créé le"),
        ("updated_at", "Mis à jour le"),
        ("amount_cents", "Coût annuel (centimes)"),
        ("note", "Remarque"),
    ];
    let columns: Vec<Column> = labels.iter().map(|(k, l)| Column::new(*k, *l)).collect();
    let start = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default();
    let t0: DateTime<Utc> = DateTime::parse_from_rfc3339("2025-01-06T08:00:00Z")
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_default();
    let rows = (0..1000i64)
        .map(|i| {
            let u = i as usize;
            vec![
                Cell::Int(i + 1),
                Cell::text(COMMUNES[u % COMMUNES.len()]),
                Cell::text(TREATMENTS[u % TREATMENTS.len()]),
                Cell::text(PURPOSES[u % PURPOSES.len()]),
                Cell::text(BASES[u % BASES.len()]),
                Cell::text("Administrés, agents communaux, élus"),
                Cell::text("État civil, coordonnées, NIR ; situation familiale"),
                Cell::Bool(i % 7 == 0),
                Cell::text("Services municipaux, préfecture, trésorerie"),
                if i % 3 == 0 { Cell::Empty } else { Cell::text("Société d'Économie Mixte « Numérique 38 »") },
                Cell::Bool(false),
                Cell::text("Durée de la relation + 5 ans, puis archivage (sort final : tri)"),
                Cell::text("Habilitations nominatives, journalisation, chiffrement des sauvegardes, PRA testé"),
                Cell::Bool(i % 5 == 0),
                Cell::text(["brouillon", "validé", "vérifié par le DPO"][u % 3]),
                Cell::text(["Mme Lefèvre", "M. Gaël Núñez", "Mme Chloé d'Arcy"][u % 3]),
                Cell::Date(start + Duration::days(i * 2)),
                Cell::DateTime(t0 + Duration::minutes(i * 97)),
                Cell::Int(125_000 + i * 1_337),
                if i % 4 == 0 { Cell::text("=À revoir : cœur du dispositif, coût en € à confirmer") } else { Cell::Empty },
            ]
        })
        .collect();
    Document {
        title: "Registre des activités de traitement — Pays Voironnais".into(),
        subtitle: Some("Export consolidé des communes membres (benchmark)".into()),
        sheets: vec![Sheet {
            name: "Traitements".into(),
            columns,
            rows,
        }],
        generated_at: t0,
        charts: Vec::new(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).map(std::path::PathBuf::from);
    let doc = document();
    println!(
        "1,000 rows x 20 columns, {} mode",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let mut all = Vec::new();
    for format in Format::ALL {
        // Warm-up, then the best of three.
        let mut files = render(&doc, format)?;
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            files = render(&doc, format)?;
            best = best.min(t.elapsed().as_secs_f64());
        }
        let size: usize = files.iter().map(|f| f.bytes.len()).sum();
        println!(
            "{:>5}: {:>8.1} ms  {:>9} bytes  ({} file(s))",
            format.extension(),
            best * 1000.0,
            size,
            files.len()
        );
        if let Some(dir) = &out {
            std::fs::create_dir_all(dir)?;
            for file in &files {
                std::fs::write(dir.join(&file.name), &file.bytes)?;
            }
        }
        all.extend(files);
    }
    let meta = ManifestMeta {
        software_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: doc.generated_at,
        principal: "dpo@exemple.fr".into(),
        tenants: vec![TenantRef {
            id: "t1".into(),
            name: "Voiron".into(),
        }],
        purpose: "benchmark".into(),
    };
    let t = Instant::now();
    let packed = bundle(all, meta)?;
    let pack_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    formats::verify(&packed.zip)?;
    let verify_ms = t.elapsed().as_secs_f64() * 1000.0;
    if let Some(dir) = &out {
        std::fs::write(dir.join("bundle.zip"), &packed.zip)?;
    }
    println!(
        "bundle: {pack_ms:>7.1} ms  {:>9} bytes  (verify {verify_ms:.1} ms)",
        packed.zip.len()
    );
    Ok(())
}
