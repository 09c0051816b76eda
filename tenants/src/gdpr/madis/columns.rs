//! The column headers of MADIS's CSV exports, as MADIS prints them in French (its
//! `messages.fr.yaml` translations, joined by its generators with " - "). See the module
//! documentation for the source files and commit they were read from.

// ---- Treatments export (`…-treatment.csv`) ----
pub const NAME: &str = "Nom";
pub const STRUCTURE_NAME: &str = "Structure - Nom";
pub const STRUCTURE_SIREN: &str = "Structure - SIREN";
pub const STRUCTURE_INSEE: &str = "Structure - Code INSEE";
pub const AUTHOR: &str = "En tant que";
pub const CONTROLLER: &str = "Coordonnées du responsable de traitement";
pub const GOAL: &str = "Finalités";
pub const MANAGER: &str = "Gestionnaire";
pub const ACTIVE: &str = "État";
pub const LEGAL_BASIS: &str = "Base légale";
pub const LEGAL_BASIS_JUSTIFICATION: &str = "Justification de la base légale";
pub const OBSERVATION: &str = "Observations";
pub const PUBLIC_REGISTER: &str = "Registre public";
pub const EXEMPT_DPIA: &str = "Est exempté d'AIPD";
pub const DPO_MESSAGE: &str = "Préconisations";
pub const DATA_CATEGORIES: &str = "Catégorie de données";
pub const DATA_CATEGORY_OTHER: &str = "Catégorie des données - Autres catégories";
pub const RECIPIENTS: &str = "Destination - Catégorie de destinataires";
pub const CONTRACTORS: &str = "Destination - Sous-traitants";
pub const CREATED_BY: &str = "Historique - Créé par";
pub const CREATED_AT: &str = "Historique - Date de création";
pub const UPDATED_AT: &str = "Historique - Date de modification";
/// The first of the 16 "Personnes concernées" columns (a Oui/Non column, then its comment, for
/// each category).
pub const CONCERNED_FIRST: &str = "Détails - Personnes concernées - Particuliers";
/// The categories in the order MADIS writes their VALUES. Its headers list Particuliers,
/// Internautes, Salariés, Élus, Professionnels, Partenaires, Usagers, Autres, but its
/// `initializeTreatmentDetails` writes usager third: from the fifth column on, each value sits
/// under the header of the category after it. Read by position, as written.
pub const CONCERNED_VALUE_ORDER: [&str; 8] = [
    "Particuliers",
    "Internautes",
    "Usagers",
    "Salariés",
    "Élus",
    "Professionnels",
    "Partenaires",
    "Autres",
];
pub const ESTIMATED_PEOPLE: &str = "Détails - Nombre de personnes concernées";
pub const SOFTWARE: &str = "Détails - Logiciels et supports";
pub const PAPER: &str = "Détails - Traitement papier";
pub const SHELF_DURATION: &str = "Détails - Délai de conservation - Durée";
pub const SHELF_NAME: &str = "Détails - Délai de conservation - Nom";
pub const SHELF_FATE: &str = "Détails - Délai de conservation - Sort final";
pub const DATA_ORIGIN: &str = "Détails - Origine des données";
pub const COLLECTING_METHOD: &str = "Détails - Moyens de la collecte";
pub const SECURITY_PREFIX: &str = "Mesures de sécurité et confidentialité - ";
/// Security measures with a Oui/Non column and a comment column.
pub const SECURITY_CHECKED: [&str; 5] = [
    "Contrôle d'accès",
    "Traçabilité",
    "Sauvegarde",
    "Mise à jour",
    "Autres",
];
/// Security statements with a Oui/Non column only.
pub const SECURITY_STATEMENTS: [&str; 3] = [
    "À tout moment il est possible de ressortir les personnes habilitées",
    "La personne ou la procédure qui permet d’ouvrir des comptes est clairement identifiée",
    "Les spécificités de sensibilisation liées à ce traitement sont délivrées",
];
pub const SPECIFIC_PREFIX: &str = "Traitement spécifique - ";
pub const PROOF_COUNT: &str = "Nb Preuves";
pub const CONFORMITY: &str = "Conformité du traitement";

// ---- Contractors export (`…-contractor.csv`) ----
pub const REFERENT: &str = "Agent référent";
pub const CLAUSES_VERIFIED: &str = "Clauses contractuelles vérifiées";
pub const SECURITY_FEATURES: &str = "Adopte les éléments de sécurité nécessaires";
pub const KEEPS_REGISTER: &str = "Tient à jour un registre des traitements";
pub const OUTSIDE_EU: &str = "Envoi des données hors UE";
pub const OTHER_INFORMATION: &str = "Autres informations";
pub const HAS_DPO: &str = "DPD - Le sous-traitant a désigné un DPD";
pub const DPO_CIVILITY: &str = "DPD - Civilité";
pub const DPO_FIRST_NAME: &str = "DPD - Prénom";
pub const DPO_LAST_NAME: &str = "DPD - Nom";
pub const DPO_JOB: &str = "DPD - Fonction";
pub const DPO_EMAIL: &str = "DPD - Email";
pub const DPO_PHONE: &str = "DPD - Téléphone";
pub const LEGAL_FIRST_NAME: &str = "Coordonnées - Prénom";
pub const LEGAL_LAST_NAME: &str = "Coordonnées - Nom";
pub const ADDRESS_LINE_ONE: &str = "Coordonnées - Adresse";
pub const ADDRESS_LINE_TWO: &str = "Coordonnées - Complément d'adresse";
pub const ZIP_CODE: &str = "Coordonnées - Code postal";
pub const CITY: &str = "Coordonnées - Ville";
pub const EMAIL: &str = "Coordonnées - Email";
pub const PHONE: &str = "Coordonnées - Téléphone";
pub const PROOFS: &str = "Preuves";
pub const TREATMENTS: &str = "Traitements";

/// Treatment columns with no equivalent in our register: the report lists them, and each row
/// says which of them held a value (they are not imported).
pub const TREATMENT_UNMAPPED: &[&str] = &[
    OBSERVATION,
    PUBLIC_REGISTER,
    EXEMPT_DPIA,
    DPO_MESSAGE,
    CREATED_BY,
    CREATED_AT,
    UPDATED_AT,
    PAPER,
    PROOF_COUNT,
];

/// Contractor columns with no equivalent in our processors.
pub const CONTRACTOR_UNMAPPED: &[&str] = &[
    REFERENT,
    CLAUSES_VERIFIED,
    SECURITY_FEATURES,
    KEEPS_REGISTER,
    OUTSIDE_EU,
    OTHER_INFORMATION,
    CREATED_BY,
    CREATED_AT,
    UPDATED_AT,
    PROOFS,
];

/// Columns whose value is history, always filled: listed as unmapped, not noted row by row.
pub const HISTORY: &[&str] = &[CREATED_BY, CREATED_AT, UPDATED_AT];
