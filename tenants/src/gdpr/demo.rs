//! Demo register content for the demo organisation: realistic municipal activities on several
//! communes, a model published by the agglomeration, rights requests in each state of their
//! workflow and breaches in each outcome of the 72-hour rule, so the DPO's screens and clocks
//! have something to show on the first start.
use super::activity::*;
use super::status_change::StatusChange;
use super::vocab::*;
use super::GdprError;
use crate::entities::tenant;
use crate::tenancy::{can, Can, Principal};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use uuid::Uuid;

fn lb(basis: LegalBasis, j: &str) -> LegalBasisEntry {
    LegalBasisEntry {
        basis,
        justification: j.into(),
    }
}
fn subj(c: &str, n: Option<i64>) -> DataSubjectEntry {
    DataSubjectEntry {
        category: c.into(),
        estimated_count: n,
    }
}
fn cat(c: &str, sensitive: bool) -> DataCategoryEntry {
    DataCategoryEntry {
        category: c.into(),
        sensitive,
        criminal: false,
    }
}
fn keep(d: &str, months: u32, from: &str, fate: FinalFate) -> RetentionEntry {
    RetentionEntry {
        data: d.into(),
        duration_months: months,
        starting_event: from.into(),
        final_fate: fate,
    }
}
fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

#[allow(clippy::too_many_arguments)]
fn activity(
    name: &str,
    purposes: &str,
    bases: Vec<LegalBasisEntry>,
    subjects: Vec<DataSubjectEntry>,
    cats: Vec<DataCategoryEntry>,
    recipients: &[&str],
    retention: Vec<RetentionEntry>,
    criteria: Vec<DpiaCriterion>,
    department: &str,
    software: &str,
) -> ActivityFields {
    ActivityFields {
        role: RegisterRole::Controller,
        name: name.into(),
        purposes: purposes.into(),
        controller_name: None,
        legal_bases: bases,
        data_subjects: subjects,
        data_categories: cats,
        recipients: s(recipients),
        transfers: vec![],
        retention,
        security_measures: s(&[
            "Habilitations nominatives",
            "Journalisation des accès",
            "Sauvegardes chiffrées",
        ]),
        dpia_criteria: criteria,
        origin: "Usagers".into(),
        collection_method: "Formulaire papier ou en ligne".into(),
        information: "Mention d'information sur les formulaires et le site de la commune".into(),
        software: software.into(),
        department: department.into(),
        owner: "Directeur général des services".into(),
    }
}

pub fn municipal_activities() -> Vec<ActivityFields> {
    use DpiaCriterion::*;
    use FinalFate::*;
    use LegalBasis::*;
    vec![
        activity("État civil", "Établissement et tenue des actes de naissance, mariage, décès ; délivrance de copies et extraits",
            vec![lb(LegalObligation, "Code civil, art. 34 à 101-2 ; décret 2017-890")],
            vec![subj("Administrés et leurs familles", Some(40_000))], vec![cat("État civil, filiation", false)],
            &["Procureur de la République", "INSEE"], vec![keep("Registres", 75 * 12, "la clôture du registre", Archiving)],
            vec![], "État civil", "Logiciel d'état civil"),
        activity("Listes électorales", "Inscription sur les listes électorales et gestion du répertoire électoral unique",
            vec![lb(LegalObligation, "Code électoral, art. L11 et suivants")],
            vec![subj("Électeurs", Some(25_000))], vec![cat("Identité, adresse", false)],
            &["INSEE (REU)", "Candidats sur demande (art. L37)"], vec![keep("Dossiers d'inscription", 12, "la radiation", Destruction)],
            vec![LargeScale], "Élections", "Logiciel élections"),
        activity("Restauration scolaire", "Inscription, réservation et facturation des repas ; prise en compte des allergies (PAI)",
            vec![lb(PublicTask, "Code de l'éducation, L212-4"), lb(Contract, "Règlement de la restauration scolaire")],
            vec![subj("Enfants scolarisés", Some(1_200)), subj("Responsables légaux", Some(2_000))],
            vec![cat("Identité", false), cat("Santé : allergies et PAI", true), cat("Quotient familial", false)],
            &["Service enfance", "Prestataire de restauration"], vec![keep("Dossiers d'inscription", 24, "la fin de la scolarité en élémentaire", Destruction)],
            vec![VulnerablePeople], "Enfance-jeunesse", "Portail famille"),
        activity("Vidéoprotection de la voie publique", "Prévention des atteintes aux personnes et aux biens sur la voie publique",
            vec![lb(PublicTask, "Code de la sécurité intérieure, L251-2 ; arrêté préfectoral d'autorisation")],
            vec![subj("Passants, usagers de la voie publique", None)], vec![cat("Images", false)],
            &["Police municipale", "Officiers de police judiciaire sur réquisition"], vec![keep("Enregistrements", 1, "enregistrement", Destruction)],
            vec![SystematicMonitoring, LargeScale], "Police municipale", "Système de vidéoprotection"),
        activity("Paie et gestion des carrières", "Rémunération des agents, déclarations sociales, gestion des carrières",
            vec![lb(LegalObligation, "Code général de la fonction publique ; Code de la sécurité sociale")],
            vec![subj("Agents", Some(450))], vec![cat("Identité, NIR", false), cat("Arrêts maladie", true), cat("Rémunération", false)],
            &["Trésorerie", "URSSAF", "CNRACL"], vec![keep("Bulletins de paie", 50 * 12, "la fin de carrière", Archiving)],
            vec![SensitiveData, LargeScale], "Ressources humaines", "Logiciel RH"),
        activity("Prêts de la médiathèque", "Inscription des lecteurs et gestion des prêts",
            vec![lb(PublicTask, "Code du patrimoine ; délibération fixant les tarifs")],
            vec![subj("Lecteurs", Some(6_000))], vec![cat("Identité, coordonnées, historique des prêts", false)],
            &["Médiathèque"], vec![keep("Historique des prêts", 4, "le retour du document", Destruction)],
            vec![], "Culture", "SIGB"),
        activity("Autorisations d'urbanisme", "Instruction des permis de construire, déclarations préalables, certificats d'urbanisme",
            vec![lb(LegalObligation, "Code de l'urbanisme, L421-1 et suivants")],
            vec![subj("Pétitionnaires", Some(600))], vec![cat("Identité, cadastre, projet", false)],
            &["Service instructeur de l'agglomération", "DDT"], vec![keep("Dossiers", 10 * 12, "achèvement des travaux", Archiving)],
            vec![], "Urbanisme", "Logiciel ADS"),
        activity("Aide sociale facultative (CCAS)", "Instruction et versement des aides facultatives du CCAS",
            vec![lb(PublicTask, "Code de l'action sociale et des familles, L123-5")],
            vec![subj("Demandeurs et leur foyer", Some(900))],
            vec![cat("Ressources, situation familiale", false), cat("Santé et handicap", true)],
            &["Commission d'attribution"], vec![keep("Dossiers", 5 * 12, "la dernière aide versée", Destruction)],
            vec![VulnerablePeople, SensitiveData], "CCAS", "Logiciel d'action sociale"),
    ]
}

/// Seeds the demo register when the demo organisation has none.
/// `dpo` checks some entries: only a DPO may, even in a demo.
pub async fn seed(
    db: &DatabaseConnection,
    organisation_id: Uuid,
    dpo: &Principal,
) -> Result<bool, GdprError> {
    let op = Principal::operator();
    let edit = op.can::<can::EditGdpr>()?;
    let txn = edit.begin(db).await?;
    let tenants: Vec<tenant::Model> = edit
        .find::<tenant::Entity>()
        .filter(tenant::Column::OrganisationId.eq(organisation_id))
        .filter(tenant::Column::InseeCode.is_in(["60159", "60382", "60665"]))
        .all(&txn)
        .await?;
    txn.commit().await?;
    let existing = list(
        db,
        &edit,
        &ActivityFilter {
            tenant_ids: Some(tenants.iter().map(|t| t.id).collect()),
            limit: 1,
            ..Default::default()
        },
    )
    .await?;
    if !existing.is_empty() || tenants.is_empty() {
        return Ok(false);
    }
    let publish = op.can::<can::PublishModels>()?;
    let validate = StatusChange::ask(&op, ActivityStatus::Validated)?;
    let check = StatusChange::ask(dpo, ActivityStatus::Checked)?;
    let all = municipal_activities();
    super::models::publish(db, &publish, organisation_id, all[2].clone()).await?;
    super::models::publish(db, &publish, organisation_id, all[5].clone()).await?;
    for (i, t) in tenants.iter().enumerate() {
        // Compiègne gets the full register; the smaller communes part of it.
        let take = if t.insee_code.as_deref() == Some("60159") {
            all.len()
        } else {
            4 + i
        };
        for (j, f) in all.iter().take(take).enumerate() {
            let a = create(db, &edit, t.id, f.clone(), vec![]).await?;
            if j % 3 == 0 {
                set_status(db, &validate, a.row.id).await?;
            }
            if j % 4 == 0 {
                set_status(db, &check, a.row.id).await?;
            }
        }
    }
    requests_and_breaches(db, &edit, &tenants).await?;
    if let Some(c) = tenants
        .iter()
        .find(|t| t.insee_code.as_deref() == Some("60159"))
    {
        super::register::set(
            db,
            &edit,
            c.id,
            true,
            vec![
                "purposes".into(),
                "legal_bases".into(),
                "retention".into(),
                "recipients".into(),
            ],
        )
        .await?;
    }
    Ok(true)
}

/// One demo rights request and where it stands.
struct DemoRequest {
    insee: &'static str,
    kind: RequestKind,
    days_ago: i64,
    requester: &'static str,
    details: &'static str,
    then: Outcome,
}

enum Outcome {
    Received,
    InProgress,
    /// Extended by two months with this reason (Art. 12(3)), still being handled.
    Extended(&'static str),
    /// Closed with this answer, given this many days ago.
    Answered(&'static str, i64),
    Refused(&'static str, i64),
}

/// Requests in every state a DPO meets (one overdue, one extended with its reason, answered,
/// refused) and breaches in every outcome (notified in time, notified late with the reasons,
/// documented and not notified, one whose 72-hour clock is running), on three communes.
async fn requests_and_breaches(
    db: &DatabaseConnection,
    edit: &Can<can::EditGdpr>,
    tenants: &[tenant::Model],
) -> Result<(), GdprError> {
    use super::breaches::{self, Notification};
    use super::requests;
    let today = crate::calendar::paris_today();
    let requests_seed = [
        DemoRequest {
            insee: "60159",
            kind: RequestKind::Access,
            days_ago: 40,
            requester: "M. Durand",
            details: "Copie de son dossier de demande de logement social",
            then: Outcome::Received,
        },
        DemoRequest {
            insee: "60159",
            kind: RequestKind::Erasure,
            days_ago: 10,
            requester: "Mme Petit",
            details: "Suppression de son compte du portail famille",
            then: Outcome::InProgress,
        },
        DemoRequest {
            insee: "60159",
            kind: RequestKind::Rectification,
            days_ago: 2,
            requester: "M. Moreau",
            details: "Adresse erronée sur la liste électorale",
            then: Outcome::Received,
        },
        DemoRequest {
            insee: "60159",
            kind: RequestKind::Access,
            days_ago: 24,
            requester: "Mme Lefèvre",
            details: "Toutes les données la concernant détenues par le CCAS depuis 2012",
            then: Outcome::Extended(
                "Demande complexe : douze années de dossiers d'aide sociale, dont des archives \
                 papier à consulter ; la demandeuse en a été informée (art. 12(3) du RGPD).",
            ),
        },
        DemoRequest {
            insee: "60382",
            kind: RequestKind::Objection,
            days_ago: 50,
            requester: "M. Garnier",
            details: "Ne plus recevoir la lettre d'information municipale",
            then: Outcome::Answered(
                "Adresse retirée de la liste de diffusion ; confirmation envoyée par courriel.",
                22,
            ),
        },
        DemoRequest {
            insee: "60382",
            kind: RequestKind::Erasure,
            days_ago: 35,
            requester: "Mme Roux",
            details: "Effacement de son acte de naissance",
            then: Outcome::Refused(
                "Refus motivé : les actes d'état civil sont conservés en application d'une \
                 obligation légale (art. 17(3)(b) du RGPD) ; information sur le droit de saisir \
                 la CNIL et d'exercer un recours.",
                12,
            ),
        },
        DemoRequest {
            insee: "60665",
            kind: RequestKind::Access,
            days_ago: 15,
            requester: "M. Fontaine",
            details: "Son dossier d'inscription à la restauration scolaire",
            then: Outcome::InProgress,
        },
    ];
    let by_insee = |code: &str| {
        tenants
            .iter()
            .find(|t| t.insee_code.as_deref() == Some(code))
    };
    for r in requests_seed {
        let Some(t) = by_insee(r.insee) else {
            continue;
        };
        let row = requests::create(
            db,
            edit,
            requests::NewRequest {
                tenant_id: t.id,
                kind: r.kind,
                received_on: today - Duration::days(r.days_ago),
                requester: r.requester.into(),
                contact: "Courrier postal".into(),
                details: r.details.into(),
            },
        )
        .await?;
        let ago = |days: i64| Some(today - Duration::days(days));
        match r.then {
            Outcome::Received => {}
            Outcome::InProgress => {
                requests::set_status(db, edit, row.id, RequestStatus::InProgress, None, None)
                    .await?;
            }
            Outcome::Extended(reason) => {
                requests::set_status(db, edit, row.id, RequestStatus::InProgress, None, None)
                    .await?;
                requests::extend(db, edit, row.id, reason, today).await?;
            }
            Outcome::Answered(answer, days) => {
                requests::set_status(
                    db,
                    edit,
                    row.id,
                    RequestStatus::Answered,
                    Some(answer.into()),
                    ago(days),
                )
                .await?;
            }
            Outcome::Refused(answer, days) => {
                requests::set_status(
                    db,
                    edit,
                    row.id,
                    RequestStatus::Rejected,
                    Some(answer.into()),
                    ago(days),
                )
                .await?;
            }
        }
    }

    let now = Utc::now();
    let breach = |tenant_id: Uuid,
                  title: &str,
                  aware_hours_ago: i64,
                  natures: Vec<BreachNature>,
                  data: &str,
                  people: i64,
                  consequences: &str,
                  measures: &str,
                  severity: Severity| breaches::NewBreach {
        tenant_id,
        title: title.into(),
        aware_at: now - Duration::hours(aware_hours_ago),
        occurred_at: Some(now - Duration::hours(aware_hours_ago + 4)),
        natures,
        data_categories: data.into(),
        people_count: Some(people),
        records_count: Some(people),
        consequences: consequences.into(),
        measures: measures.into(),
        severity,
    };
    if let Some(c) = by_insee("60159") {
        // The 72-hour clock still running.
        breaches::create(
            db,
            edit,
            breach(
                c.id,
                "Envoi d'un courriel groupé sans copie cachée",
                30,
                vec![BreachNature::Confidentiality],
                "Adresses électroniques des parents d'élèves",
                240,
                "Divulgation des adresses électroniques entre destinataires",
                "Message de rappel demandant la suppression ; formation des agents",
                Severity::Low,
            ),
        )
        .await?;
        // Notified five days after awareness: the reasons for the delay go with it.
        let late = breaches::create(
            db,
            edit,
            breach(
                c.id,
                "Dossiers d'inscription scolaire envoyés à une autre famille",
                20 * 24,
                vec![BreachNature::Confidentiality],
                "Identité, adresse, quotient familial et informations de santé (PAI) d'enfants",
                3,
                "Données de santé d'enfants portées à la connaissance d'un tiers",
                "Documents récupérés auprès du destinataire ; familles informées ; double \
                 vérification des envois du service enfance",
                Severity::Medium,
            ),
        )
        .await?;
        breaches::record_notification(
            db,
            edit,
            late.id,
            Notification::Notified {
                at: late.aware_at + Duration::hours(5 * 24),
                late_reasons: Some(
                    "Le service enfance n'a signalé l'erreur au DPO que quatre jours après sa \
                     découverte ; la procédure interne de remontée des incidents a été rappelée \
                     aux agents."
                        .into(),
                ),
            },
        )
        .await?;
    }
    if let Some(m) = by_insee("60382") {
        // Notified to the CNIL within 72 hours.
        let ransom = breaches::create(
            db,
            edit,
            breach(
                m.id,
                "Rançongiciel sur le poste de l'accueil de la mairie",
                75 * 24,
                vec![BreachNature::Availability, BreachNature::Confidentiality],
                "Pièces d'identité et justificatifs de domicile numérisés à l'accueil",
                1_300,
                "Poste indisponible deux jours ; exfiltration possible des pièces numérisées",
                "Poste isolé et réinstallé, mots de passe changés, plainte déposée, \
                 sauvegarde de la veille restaurée",
                Severity::High,
            ),
        )
        .await?;
        breaches::record_notification(
            db,
            edit,
            ransom.id,
            Notification::Notified {
                at: ransom.aware_at + Duration::hours(40),
                late_reasons: None,
            },
        )
        .await?;
    }
    if let Some(v) = by_insee("60665") {
        // Documented, and not notified: the decision and its reasoning are kept.
        let key = breaches::create(
            db,
            edit,
            breach(
                v.id,
                "Perte d'une clé USB chiffrée contenant la liste électorale",
                12 * 24,
                vec![BreachNature::Confidentiality, BreachNature::Availability],
                "Identité et adresse des électeurs",
                2_100,
                "Aucune : données chiffrées et copie disponible dans le logiciel élections",
                "Rappel de l'interdiction des supports amovibles non chiffrés",
                Severity::Low,
            ),
        )
        .await?;
        breaches::record_notification(
            db,
            edit,
            key.id,
            Notification::NotNotified {
                reason: "Clé chiffrée (mot de passe robuste, non compromis) : la violation n'est \
                         pas susceptible d'engendrer un risque pour les droits et libertés des \
                         personnes (art. 33(1)) ; elle est documentée (art. 33(5))."
                    .into(),
            },
        )
        .await?;
    }
    Ok(())
}
