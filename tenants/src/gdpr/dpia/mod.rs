//! Full data protection impact assessments (Art. 35 GDPR) by the CNIL's method (« PIA – la
//! méthode », « Les bases de connaissances »): the context of the processing, its fundamental
//! principles (necessity and proportionality, rights of the data subjects), the three risks
//! (illegitimate access, unwanted modification, disappearance of data) weighed on the CNIL's
//! four-level scales of severity and likelihood before and after measures, the DPO's opinion
//! (Art. 35(2)), the data subjects' opinion (Art. 35(9)), the controller's decision, and the
//! prior consultation of the CNIL when a high residual risk remains (Art. 36(1)).
pub mod catalogue;
pub mod document;
pub mod models;
pub mod store;

use serde::{Deserialize, Serialize};

use super::vocab::vocab;
pub use super::vocab::VocabError;

vocab!(
    /// Where a DPIA is in its workflow.
    DpiaStage {
        Draft = "draft" / "Brouillon",
        InValidation = "in_validation" / "En validation",
        Validated = "validated" / "Validée",
        Refused = "refused" / "Refusée",
    }
);

vocab!(
    /// The three feared events of the CNIL's method.
    RiskKind {
        IllegitimateAccess = "illegitimate_access" / "Accès illégitime à des données",
        UnwantedModification = "unwanted_modification" / "Modification non désirée de données",
        Disappearance = "disappearance" / "Disparition de données",
    }
);

vocab!(
    /// The fundamental principles the CNIL's method has the controller justify.
    Principle {
        Purposes = "purposes" / "Finalités déterminées, explicites et légitimes",
        LegalBasis = "legal_basis" / "Fondement du traitement (licéité)",
        Minimisation = "minimisation" / "Minimisation des données",
        Accuracy = "accuracy" / "Qualité (exactitude) des données",
        Retention = "retention" / "Durées de conservation",
        Information = "information" / "Information des personnes",
        Consent = "consent" / "Recueil du consentement, le cas échéant",
        AccessPortability = "access_portability" / "Droits d'accès et à la portabilité",
        RectificationErasure = "rectification_erasure" / "Droits de rectification et d'effacement",
        RestrictionObjection = "restriction_objection" / "Droits de limitation et d'opposition",
        Processors = "processors" / "Sous-traitance (art. 28)",
        Transfers = "transfers" / "Transferts hors de l'Union européenne",
    }
);

vocab!(
    /// The DPO's evaluation of a principle (the CNIL's tool: acceptable, or to improve).
    Evaluation {
        Acceptable = "acceptable" / "Acceptable",
        Improvable = "improvable" / "Améliorable",
    }
);

vocab!(
    MeasureState {
        Existing = "existing" / "Existante",
        Planned = "planned" / "Prévue",
    }
);

vocab!(
    /// Supports of the data (« supports des données » of the CNIL's method).
    SupportKind {
        Hardware = "hardware" / "Matériels",
        Software = "software" / "Logiciels",
        Network = "network" / "Réseaux",
        People = "people" / "Personnes",
        Paper = "paper" / "Supports papier",
    }
);

vocab!(
    /// The controller's decision on a DPIA in validation.
    Decision {
        Validated = "validated" / "Validée",
        Refused = "refused" / "Refusée",
    }
);

/// A level on the CNIL's four-level scales of severity and likelihood.
pub fn level_label(level: i32) -> &'static str {
    match level {
        1 => "Négligeable",
        2 => "Limitée",
        3 => "Importante",
        4 => "Maximale",
        _ => "Non évaluée",
    }
}

/// Is a risk at this position high? The CNIL's method calls a risk high when it is at least
/// « importante » (3) on both axes, severity and likelihood; a DPIA whose measures leave such a
/// residual risk goes to the CNIL before the processing starts (prior consultation, Art. 36(1)
/// GDPR). The one definition of the rule: the console, the PDF and the figures read it here.
pub fn is_high(severity: i32, likelihood: i32) -> bool {
    severity >= 3 && likelihood >= 3
}

/// Prior consultation of the CNIL is required when one residual risk stays high. Residual
/// levels not evaluated yet flag nothing (a DPIA cannot be submitted without them).
pub fn requires_prior_consultation<'a>(
    residuals: impl IntoIterator<Item = (Option<i32>, Option<i32>)> + 'a,
) -> bool {
    residuals
        .into_iter()
        .any(|(s, l)| matches!((s, l), (Some(s), Some(l)) if is_high(s, l)))
}

/// The stage's counterpart in the vocabulary of the earlier DPIA record (`status`), which
/// figures and older clients read.
pub fn legacy_status(stage: DpiaStage) -> super::vocab::DpiaStatus {
    use super::vocab::DpiaStatus;
    match stage {
        DpiaStage::Draft | DpiaStage::Refused => DpiaStatus::InProgress,
        DpiaStage::InValidation => DpiaStatus::Completed,
        DpiaStage::Validated => DpiaStatus::Validated,
    }
}

/// The stage an earlier-style record (`recordDpia`) puts a DPIA in.
pub fn stage_of_legacy(status: super::vocab::DpiaStatus) -> DpiaStage {
    use super::vocab::DpiaStatus;
    match status {
        DpiaStatus::Planned | DpiaStatus::InProgress => DpiaStage::Draft,
        DpiaStatus::Completed => DpiaStage::InValidation,
        DpiaStatus::Validated => DpiaStage::Validated,
    }
}

/// One support of the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Support {
    pub kind: SupportKind,
    pub description: String,
}

/// The context of the processing (first part of the method).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Context {
    /// The processing, its purposes, its stakes.
    pub overview: String,
    /// The data processed: categories, recipients, retention.
    pub data_processed: String,
    pub supports: Vec<Support>,
    /// The life cycle of the data: collection, use, storage, deletion.
    pub lifecycle: String,
}

/// One fundamental principle: the controller's justification and the DPO's evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrincipleEntry {
    pub principle: Principle,
    #[serde(default)]
    pub justification: String,
    #[serde(default)]
    pub evaluation: Option<Evaluation>,
    #[serde(default)]
    pub dpo_comment: String,
}

/// The data subjects' opinion (Art. 35(9)): sought, and what it said, or why not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubjectsOpinion {
    pub sought: bool,
    pub summary: String,
    pub reason_not_sought: String,
}

/// A measure as written (in a DPIA or in a model).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureText {
    pub title: String,
    pub state: MeasureState,
}

/// One risk as written (in a model).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskText {
    pub kind: RiskKind,
    #[serde(default)]
    pub sources: String,
    #[serde(default)]
    pub threats: String,
    #[serde(default)]
    pub impacts: String,
    pub severity: Option<i32>,
    pub likelihood: Option<i32>,
    pub residual_severity: Option<i32>,
    pub residual_likelihood: Option<i32>,
    #[serde(default)]
    pub measures: Vec<MeasureText>,
}

/// The content of a DPIA model: what a commune's DPIA starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelContent {
    pub context: Context,
    pub principles: Vec<PrincipleEntry>,
    pub risks: Vec<RiskText>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_residual_risk_is_high_at_three_on_both_axes() {
        // Both sides of the rule.
        assert!(is_high(3, 3));
        assert!(is_high(4, 3));
        assert!(is_high(3, 4));
        assert!(!is_high(4, 2));
        assert!(!is_high(2, 4));
        assert!(!is_high(2, 2));
        assert!(requires_prior_consultation([
            (Some(1), Some(1)),
            (Some(3), Some(3))
        ]));
        assert!(!requires_prior_consultation([
            (Some(4), Some(2)),
            (Some(2), Some(4))
        ]));
        assert!(!requires_prior_consultation([
            (Some(4), None),
            (None, Some(4))
        ]));
    }

    #[test]
    fn stages_and_the_earlier_statuses_agree() {
        for s in DpiaStage::ALL {
            let back = stage_of_legacy(legacy_status(*s));
            // A refused DPIA reads "in progress" and comes back as a draft.
            if *s == DpiaStage::Refused {
                assert_eq!(back, DpiaStage::Draft);
            } else {
                assert_eq!(back, *s);
            }
        }
        assert_eq!(level_label(3), "Importante");
        assert_eq!(Principle::ALL.len(), 12);
    }
}
