//! Closed lists, spelled exactly as the DECP 2.0.3 schema spells them
//! (`tenants/data/decp/schema_decp_v2.0.3.json`, definitions/marche), so the export copies
//! them as they are.
use super::{bad, ProcurementError};

pub const NATURES: &[&str] = &[
    "Marché",
    "Marché de partenariat",
    "Marché de défense ou de sécurité",
];
pub const PROCEDURES: &[&str] = &[
    "Procédure adaptée",
    "Appel d'offres ouvert",
    "Appel d'offres restreint",
    "Procédure avec négociation",
    "Marché passé sans publicité ni mise en concurrence préalable",
    "Dialogue compétitif",
];
pub const TECHNIQUES: &[&str] = &[
    "Accord-cadre",
    "Concours",
    "Système de qualification",
    "Système d'acquisition dynamique",
    "Catalogue électronique",
    "Enchère électronique",
    "Sans objet",
];
pub const EXECUTION_MODALITIES: &[&str] = &[
    "Tranches",
    "Bons de commande",
    "Marchés subséquents",
    "Sans objet",
];
pub const CCAGS: &[&str] = &[
    "Travaux",
    "Maitrise d'œuvre",
    "Fournitures courantes et services",
    "Marchés industriels",
    "Prestations intellectuelles",
    "Techniques de l'information et de la communication",
    "Pas de CCAG",
];
pub const PRICE_FORMS: &[&str] = &["Unitaire", "Forfaitaire", "Mixte"];
pub const PRICE_TYPES: &[&str] = &[
    "Définitif ferme",
    "Définitif actualisable",
    "Définitif révisable",
    "Provisoire",
];
pub const PLACE_TYPES: &[&str] = &[
    "Code postal",
    "Code commune",
    "Code arrondissement",
    "Code canton",
    "Code département",
    "Code région",
    "Code pays",
];
pub const SOCIAL: &[&str] = &[
    "Clause sociale",
    "Critère social",
    "Marché réservé",
    "Pas de considération sociale",
];
pub const ENVIRONMENTAL: &[&str] = &[
    "Clause environnementale",
    "Critère environnemental",
    "Pas de considération environnementale",
];
pub const OPERATOR_GROUPINGS: &[&str] = &["Conjoint", "Solidaire", "Pas de groupement"];
/// DECP `variationPrix` of a special act of subcontracting.
pub const PRICE_VARIATIONS: &[&str] = &["Ferme", "Actualisable", "Révisable"];
pub const ID_TYPES: &[&str] = &["SIRET", "TVA", "TAHITI", "RIDET", "FRWF", "IREP", "HORS-UE"];

/// The purchase category the thresholds depend on (travaux / fournitures / services).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Works,
    Supplies,
    Services,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Works, Category::Supplies, Category::Services];
    pub fn code(self) -> &'static str {
        match self {
            Category::Works => "travaux",
            Category::Supplies => "fournitures",
            Category::Services => "services",
        }
    }
    pub fn parse(field: &'static str, s: &str) -> Result<Self, ProcurementError> {
        Category::ALL
            .into_iter()
            .find(|c| c.code() == s.trim())
            .ok_or_else(|| {
                bad(
                    field,
                    format!(
                        "Catégorie inconnue « {s} » ; catégories possibles : travaux, fournitures, services."
                    ),
                )
            })
    }
}

/// `value` must be one of `allowed`, exactly as spelled.
pub fn one_of(
    field: &'static str,
    value: &str,
    allowed: &[&'static str],
) -> Result<&'static str, ProcurementError> {
    allowed
        .iter()
        .find(|a| **a == value.trim())
        .copied()
        .ok_or_else(|| {
            bad(
                field,
                format!(
                    "Valeur inconnue « {value} » ; valeurs possibles : {}.",
                    allowed.join(", ")
                ),
            )
        })
}

/// A non-empty list of distinct values of `allowed`.
pub fn list_of(
    field: &'static str,
    values: &[String],
    allowed: &[&'static str],
) -> Result<Vec<&'static str>, ProcurementError> {
    if values.is_empty() {
        return Err(bad(field, "Indiquez au moins une valeur."));
    }
    let mut out = vec![];
    for v in values {
        let a = one_of(field, v, allowed)?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    Ok(out)
}
