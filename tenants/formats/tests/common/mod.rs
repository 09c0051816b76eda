//! A two-sheet French document exercising every cell type and the awkward characters.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use formats::{Cell, Column, Document, Sheet};

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("valid date-time")
        .with_timezone(&Utc)
}

pub const LONG_TEXT: &str =
    "Les données sont conservées pendant la durée de la scolarité de l'enfant, \
puis archivées cinq ans au service des affaires scolaires ; au-delà, elles sont détruites \
conformément à l'instruction DAF/DPACI/RES/2009/018 du 28 août 2009 relative au tri et à la \
conservation des archives produites par les communes (œuvre commune, coût 1 250 €).";

pub fn document() -> Document {
    let treatments = Sheet {
        name: "Traitements".into(),
        columns: vec![
            Column::new("ref", "N°"),
            Column::new("name", "Nom du traitement"),
            Column::new("purpose", "Finalité"),
            Column::new("legal_basis", "Base légale"),
            Column::new("created_on", "Créé le"),
            Column::new("updated_at", "Mis à jour le"),
            Column::new("sensitive", "Données sensibles"),
            Column::new("note", "Remarque"),
        ],
        rows: vec![
            vec![
                Cell::Int(1),
                Cell::text("Gestion de l'état civil"),
                Cell::text(
                    "Tenue des registres d'état civil ; délivrance d'actes « copie intégrale »",
                ),
                Cell::text("Obligation légale"),
                Cell::Date(date(2024, 1, 15)),
                Cell::DateTime(at("2025-03-14T09:30:00Z")),
                Cell::Bool(false),
                Cell::text("Œuvre sociale — 12 € / an"),
            ],
            vec![
                Cell::Int(2),
                Cell::text("Cantine scolaire \"Les Pâquerettes\""),
                Cell::text("Inscription ; facturation\nligne 2 avec œ et €"),
                Cell::text("Mission d'intérêt public"),
                Cell::Date(date(2023, 9, 1)),
                // 22:15 UTC in July is 00:15 the next day in Paris.
                Cell::DateTime(at("2025-07-01T22:15:00Z")),
                Cell::Bool(true),
                Cell::Empty,
            ],
            vec![
                Cell::Int(-3),
                Cell::text("=SUM(1)"),
                Cell::text("-10 € de remise"),
                Cell::text("@contact"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::text("Naïveté, cœur, façade"),
            ],
            vec![
                Cell::Int(4),
                Cell::text("Archives scolaires"),
                Cell::text(LONG_TEXT),
                Cell::text("Consentement"),
                Cell::Date(date(2020, 2, 29)),
                Cell::DateTime(at("2024-12-31T23:59:59Z")),
                Cell::Bool(true),
                Cell::text("  deux espaces  au début et\tune tabulation"),
            ],
        ],
    };
    let processors = Sheet {
        name: "Sous-traitants".into(),
        columns: vec![
            Column::new("siret", "SIRET"),
            Column::new("company", "Raison sociale"),
            Column::new("amount_cents", "Montant (centimes)"),
            Column::new("signed_on", "Date du contrat"),
            Column::new("active", "Actif"),
        ],
        rows: vec![
            vec![
                Cell::text("21690123100011"),
                Cell::text("Société d'Économie Mixte ; « Lyon »"),
                Cell::Int(1_234_567),
                Cell::Date(date(2022, 12, 31)),
                Cell::Bool(true),
            ],
            vec![
                Cell::text("+33 4 72 00 00 00"),
                Cell::text("Cœur de Ville SARL"),
                Cell::Int(0),
                Cell::Empty,
                Cell::Bool(false),
            ],
        ],
    };
    Document {
        title: "Registre des activités de traitement".into(),
        subtitle: Some("Commune de Saint-Étienne-de-Crossey — établi par le DPO mutualisé".into()),
        sheets: vec![treatments, processors],
        generated_at: at("2025-03-14T09:30:00Z"),
        charts: Vec::new(),
    }
}

/// The CSV/ODS/XLSX form of a text cell: formula starts get a leading quote.
pub fn neutralized(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{s}"),
        _ => s.to_owned(),
    }
}
