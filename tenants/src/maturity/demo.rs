//! The demo's maturity index: a questionnaire the shared DPO of an intercommunality could really
//! put to its communes (governance, register, rights, security and backups, awareness), and
//! assessments of six communes, Compiègne twice so its progress shows. Scores come from the
//! domain's own scoring; only the answers are written here.
use super::assessment::{self, NewAssessment};
use super::questionnaire::{self, AnswerOption, Question};
use super::MaturityError;
use crate::entities::tenant;
use crate::tenancy::{can, Principal};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use uuid::Uuid;

pub const TITLE: &str = "Indice de maturité RGPD et sécurité des communes";

/// `label:score` options; a score of `-1` is the "not applicable" answer.
fn q(key: &str, theme: &str, weight: u8, text: &str, options: &[(&str, i8)]) -> Question {
    Question {
        key: key.into(),
        theme: theme.into(),
        text: text.into(),
        weight,
        options: options
            .iter()
            .map(|(label, score)| AnswerOption {
                label: (*label).into(),
                score: u8::try_from(*score).unwrap_or(0),
                not_applicable: *score < 0,
            })
            .collect(),
    }
}

const GOV: &str = "Gouvernance RGPD";
const REG: &str = "Registre et conformité";
const RIGHTS: &str = "Droits des personnes";
const SEC: &str = "Sécurité et sauvegardes";
const AWARE: &str = "Sensibilisation";

pub fn questions() -> Vec<Question> {
    vec![
        q("dpo_designe", GOV, 5,
          "Un délégué à la protection des données est-il désigné pour la commune et sa désignation notifiée à la CNIL ?",
          &[("Oui, désigné et notifié à la CNIL", 100), ("Désigné, notification en cours", 50), ("Non", 0)]),
        q("referent", GOV, 3,
          "La commune a-t-elle un référent RGPD interne, interlocuteur du DPO mutualisé ?",
          &[("Oui, avec une lettre de mission", 100), ("Oui, de manière informelle", 50), ("Non", 0)]),
        q("bilan_annuel", GOV, 2,
          "Le maire ou la direction générale examinent-ils chaque année un bilan de la conformité ?",
          &[("Oui, chaque année", 100), ("Occasionnellement", 50), ("Jamais", 0)]),
        q("registre", REG, 5,
          "Le registre des activités de traitement (article 30 du RGPD) est-il tenu à jour ?",
          &[("Complet et revu depuis moins d'un an", 100), ("Commencé mais incomplet", 40), ("Inexistant", 0)]),
        q("sous_traitants", REG, 3,
          "Les contrats des sous-traitants (éditeurs, hébergeurs, prestataires) comportent-ils les clauses de l'article 28 ?",
          &[("Tous", 100), ("Une partie", 50), ("Aucun, ou on ne sait pas", 0)]),
        q("aipd", REG, 3,
          "Les traitements à risque élevé (vidéoprotection, aide sociale…) ont-ils fait l'objet d'une analyse d'impact (AIPD) ?",
          &[("Oui, toutes réalisées", 100), ("En cours", 50), ("Non", 0), ("Sans objet : aucun traitement à risque élevé", -1)]),
        q("mentions", REG, 2,
          "Les formulaires et le site de la commune portent-ils les mentions d'information (articles 13 et 14) ?",
          &[("Partout", 100), ("Sur une partie", 50), ("Non", 0)]),
        q("procedure_droits", RIGHTS, 4,
          "Une procédure permet-elle de répondre aux demandes d'exercice des droits dans le délai d'un mois ?",
          &[("Oui, écrite et connue des services", 100), ("Oui, informelle", 50), ("Non", 0)]),
        q("suivi_demandes", RIGHTS, 2,
          "Les demandes reçues et les réponses apportées sont-elles tracées ?",
          &[("Oui, dans un outil de suivi", 100), ("En partie", 50), ("Non", 0)]),
        q("videoprotection", RIGHTS, 2,
          "Les personnes filmées par la vidéoprotection sont-elles informées (panneaux, accès aux images) ?",
          &[("Oui", 100), ("En partie", 50), ("Non", 0), ("Sans objet : pas de vidéoprotection", -1)]),
        q("sauvegardes", SEC, 5,
          "Les données de la mairie sont-elles sauvegardées automatiquement, avec une copie hors du bâtiment ?",
          &[("Chaque nuit, avec une copie externalisée", 100), ("Automatiquement, sans copie externalisée", 50),
            ("À la main, irrégulièrement", 20), ("Non", 0)]),
        q("test_restauration", SEC, 3,
          "Une restauration de sauvegarde a-t-elle été testée au cours des douze derniers mois ?",
          &[("Oui, et le test est documenté", 100), ("Oui, sans trace écrite", 50), ("Non", 0)]),
        q("habilitations", SEC, 3,
          "Les accès aux logiciels métiers sont-ils nominatifs et retirés au départ des agents ?",
          &[("Oui, revus au moins une fois par an", 100), ("Nominatifs, rarement revus", 50), ("Comptes partagés", 0)]),
        q("authentification", SEC, 2,
          "Les mots de passe suivent-ils une politique, avec une double authentification pour les accès à distance ?",
          &[("Oui, double authentification comprise", 100), ("Politique de mots de passe seule", 60), ("Non", 0)]),
        q("violations", SEC, 4,
          "Une procédure permet-elle de documenter les violations de données et de les notifier à la CNIL sous 72 heures ?",
          &[("Oui, connue des agents", 100), ("Écrite mais peu connue", 50), ("Non", 0)]),
        q("formation_agents", AWARE, 3,
          "Les agents ont-ils été sensibilisés à la protection des données au cours des deux dernières années ?",
          &[("Tous les agents", 100), ("Une partie des agents", 50), ("Aucun", 0)]),
        q("formation_elus", AWARE, 2,
          "Les élus ont-ils été sensibilisés à leurs obligations (RGPD, sécurité informatique) ?",
          &[("Oui", 100), ("Non", 0)]),
        q("charte", AWARE, 2,
          "Une charte informatique est-elle signée par les agents ?",
          &[("Oui, annexée au règlement intérieur", 100), ("En préparation", 30), ("Non", 0)]),
    ]
}

/// One commune's answers (option index per question, in the questionnaire's order), how many
/// days ago, and the DPO's note.
struct Answers {
    insee: &'static str,
    days_ago: i64,
    options: [usize; 18],
    notes: &'static str,
}

const ASSESSMENTS: &[Answers] = &[
    Answers {
        insee: "60159",
        days_ago: 300,
        options: [0, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 1],
        notes: "Premier état des lieux avec la DGS : registre à compléter, pas de test de restauration.",
    },
    Answers {
        insee: "60159",
        days_ago: 25,
        options: [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0],
        notes: "Registre revu, AIPD de la vidéoprotection validée, restauration testée en juillet.",
    },
    Answers {
        insee: "60382",
        days_ago: 60,
        options: [0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 2, 1, 1, 1, 1, 1, 2],
        notes: "Sauvegardes du partage à fiabiliser ; référent RGPD à désigner par arrêté.",
    },
    Answers {
        insee: "60665",
        days_ago: 45,
        options: [0, 2, 2, 1, 2, 3, 2, 2, 2, 3, 1, 2, 2, 2, 2, 2, 1, 2],
        notes: "Petite équipe, pas de vidéoprotection. Priorité : registre et mentions d'information.",
    },
    Answers {
        insee: "60338",
        days_ago: 90,
        options: [0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0],
        notes: "Bon niveau général ; AIPD de la vidéoprotection en cours.",
    },
    Answers {
        insee: "60667",
        days_ago: 120,
        options: [1, 2, 2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 1, 2, 2, 2, 1, 2],
        notes: "Démarrage : désignation du DPO mutualisé en cours de notification.",
    },
    Answers {
        insee: "60151",
        days_ago: 150,
        options: [0, 1, 1, 1, 1, 2, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1],
        notes: "Analyse d'impact de la vidéoprotection à lancer.",
    },
];

/// Publishes the questionnaire and records the assessments once (nothing when the
/// organisation already has a questionnaire). `dpo` publishes and assesses, as in real life.
pub async fn seed(
    db: &DatabaseConnection,
    organisation_id: Uuid,
    dpo: &Principal,
) -> Result<bool, MaturityError> {
    let publish = dpo.can::<can::PublishModels>()?;
    if !questionnaire::list(db, &publish, Some(organisation_id))
        .await?
        .is_empty()
    {
        return Ok(false);
    }
    let edit = dpo.can::<can::AssessMaturity>()?;
    let txn = edit.begin(db).await?;
    let tenants: Vec<tenant::Model> = edit
        .find::<tenant::Entity>()
        .filter(tenant::Column::OrganisationId.eq(organisation_id))
        .all(&txn)
        .await?;
    txn.commit().await?;
    let now = Utc::now();
    let questions = questions();
    let published =
        questionnaire::publish(db, &publish, organisation_id, TITLE, questions.clone(), now)
            .await?;
    let today = crate::calendar::paris_today();
    for a in ASSESSMENTS {
        let Some(t) = tenants
            .iter()
            .find(|t| t.insee_code.as_deref() == Some(a.insee))
        else {
            continue;
        };
        assessment::record(
            db,
            &edit,
            NewAssessment {
                tenant_id: t.id,
                questionnaire_id: published.row.id,
                assessed_on: today - Duration::days(a.days_ago),
                answers: questions
                    .iter()
                    .zip(a.options)
                    .map(|(q, o)| (q.key.clone(), o))
                    .collect(),
                notes: a.notes.into(),
            },
            now,
        )
        .await?;
    }
    Ok(true)
}
