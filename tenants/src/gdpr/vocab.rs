//! The GDPR vocabulary: closed lists with stable codes (API, storage) and French labels
//! (console, exports).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Valeur inconnue « {value} » ; valeurs possibles : {expected}.")]
pub struct VocabError {
    pub value: String,
    pub expected: String,
}

macro_rules! vocab {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn parse(s: &str) -> Result<Self, VocabError> {
                match s { $($code => Ok($name::$variant),)+ _ => Err(VocabError {
                    value: s.to_owned(),
                    expected: [$($code),+].join(", "),
                }) }
            }
        }
        impl TryFrom<String> for $name {
            type Error = VocabError;
            fn try_from(s: String) -> Result<Self, VocabError> { Self::parse(&s) }
        }
        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str { v.code() }
        }
    };
}
pub(crate) use vocab;

vocab!(
    /// Art. 30(1) register of a controller, or 30(2) of a processor.
    RegisterRole {
        Controller = "controller" / "Responsable de traitement",
        Processor = "processor" / "Sous-traitant",
    }
);

vocab!(
    /// Art. 6(1) lawful bases.
    LegalBasis {
        Consent = "consent" / "Consentement",
        Contract = "contract" / "Contrat",
        LegalObligation = "legal_obligation" / "Obligation légale",
        PublicTask = "public_task" / "Mission d'intérêt public",
        VitalInterest = "vital_interest" / "Intérêts vitaux",
        LegitimateInterest = "legitimate_interest" / "Intérêt légitime",
    }
);

vocab!(
    /// What happens to data at the end of its retention period.
    FinalFate {
        Destruction = "destruction" / "Destruction",
        Archiving = "archiving" / "Archivage définitif",
        Anonymisation = "anonymisation" / "Anonymisation",
    }
);

vocab!(
    /// Chapter V safeguards for transfers outside the EU.
    Safeguard {
        Adequacy = "adequacy" / "Décision d'adéquation",
        StandardClauses = "standard_clauses" / "Clauses contractuelles types",
        BindingRules = "binding_rules" / "Règles d'entreprise contraignantes",
        Derogation = "derogation" / "Dérogation (art. 49)",
        Other = "other" / "Autre garantie",
    }
);

vocab!(
    /// The nine criteria of the CNIL / EDPB (WP248 rev.01) list.
    DpiaCriterion {
        Scoring = "scoring" / "Évaluation ou notation",
        AutomatedDecision = "automated_decision" / "Décision automatisée avec effet juridique",
        SystematicMonitoring = "systematic_monitoring" / "Surveillance systématique",
        SensitiveData = "sensitive_data" / "Données sensibles ou à caractère hautement personnel",
        LargeScale = "large_scale" / "Traitement à grande échelle",
        DatasetMatching = "dataset_matching" / "Croisement ou combinaison de données",
        VulnerablePeople = "vulnerable_people" / "Personnes vulnérables",
        InnovativeUse = "innovative_use" / "Usage innovant ou nouvelle technologie",
        RightsExclusion = "rights_exclusion" / "Exclusion du bénéfice d'un droit ou d'un contrat",
    }
);

vocab!(
    ActivityStatus {
        Draft = "draft" / "Brouillon",
        Validated = "validated" / "Validé",
        Checked = "checked" / "Contrôlé par le DPO",
    }
);

impl ActivityStatus {
    /// The one definition of "validated" in every figure (reports, dashboards, council
    /// summaries, exports): validated by the commune or checked by the DPO. A checked activity
    /// counts once, as validated, and again only in the "checked by the DPO" figure, which is a
    /// part of it.
    pub fn counts_as_validated(self) -> bool {
        matches!(self, ActivityStatus::Validated | ActivityStatus::Checked)
    }
}

vocab!(
    DpaStatus {
        None = "none" / "Aucun",
        Requested = "requested" / "Demandé",
        Signed = "signed" / "Signé",
    }
);

vocab!(
    DpiaStatus {
        Planned = "planned" / "Prévue",
        InProgress = "in_progress" / "En cours",
        Completed = "completed" / "Réalisée",
        Validated = "validated" / "Validée par le DPO",
    }
);

vocab!(
    ActionStatus {
        Open = "open" / "À faire",
        Done = "done" / "Fait",
    }
);

vocab!(
    /// Rights of the data subject, Art. 15-22 and 7(3).
    RequestKind {
        Access = "access" / "Accès",
        Rectification = "rectification" / "Rectification",
        Erasure = "erasure" / "Effacement",
        Restriction = "restriction" / "Limitation",
        Portability = "portability" / "Portabilité",
        Objection = "objection" / "Opposition",
        ConsentWithdrawal = "consent_withdrawal" / "Retrait du consentement",
    }
);

vocab!(
    RequestStatus {
        Received = "received" / "Reçue",
        InProgress = "in_progress" / "En cours",
        Answered = "answered" / "Répondue",
        Rejected = "rejected" / "Refusée",
        Withdrawn = "withdrawn" / "Retirée",
    }
);

impl RequestStatus {
    pub fn is_open(self) -> bool {
        matches!(self, RequestStatus::Received | RequestStatus::InProgress)
    }
}

vocab!(
    /// Confidentiality, integrity, availability (EDPB guidelines 9/2022).
    BreachNature {
        Confidentiality = "confidentiality" / "Confidentialité",
        Integrity = "integrity" / "Intégrité",
        Availability = "availability" / "Disponibilité",
    }
);

vocab!(
    Severity {
        Low = "low" / "Faible",
        Medium = "medium" / "Moyenne",
        High = "high" / "Élevée",
    }
);

vocab!(
    /// Who carries the commune's GDPR (CNIL guide for local authorities: the référent is the
    /// DPO's relay in the commune; the controller is the commune, represented by its mayor or
    /// a delegate; the comité Informatique et Libertés follows the register).
    ActorRole {
        Referent = "referent" / "Référent RGPD",
        Representative = "representative" / "Représentant du responsable de traitement",
        ItReferent = "it_referent" / "Référent informatique",
        CommitteeMember = "committee_member" / "Membre du comité Informatique et Libertés",
    }
);

impl ActorRole {
    /// One person at a time holds it (the committee has several members).
    pub fn is_single(self) -> bool {
        self != ActorRole::CommitteeMember
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_values_list_the_expected_ones() {
        for b in LegalBasis::ALL {
            assert_eq!(LegalBasis::parse(b.code()), Ok(*b));
        }
        let err = LegalBasis::parse("whim").expect_err("unknown");
        assert!(err.expected.contains("public_task"), "{err}");
        assert_eq!(DpiaCriterion::ALL.len(), 9);
        assert_eq!(RequestKind::ALL.len(), 7);
        let json: Vec<DpiaCriterion> =
            serde_json::from_str(r#"["scoring","large_scale"]"#).expect("json");
        assert_eq!(
            json,
            vec![DpiaCriterion::Scoring, DpiaCriterion::LargeScale]
        );
        assert!(serde_json::from_str::<Vec<DpiaCriterion>>(r#"["nope"]"#).is_err());
    }
}
