//! Demo register content for the demo organisation: realistic municipal activities on several
//! communes, a model published by the agglomeration, requests and a breach.
use super::activity::*;
use super::vocab::*;
use super::GdprError;
use crate::entities::tenant;
use crate::tenancy::{Permission, Principal};
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
    let edit = op.scope(Permission::EditGdpr)?;
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
    let publish = op.scope(Permission::PublishModels)?;
    let check = dpo.scope(Permission::CheckGdpr)?;
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
                set_status(db, &edit, a.row.id, ActivityStatus::Validated).await?;
            }
            if j % 4 == 0 {
                set_status(db, &check, a.row.id, ActivityStatus::Checked).await?;
            }
        }
    }
    if let Some(c) = tenants
        .iter()
        .find(|t| t.insee_code.as_deref() == Some("60159"))
    {
        let today = super::paris_today();
        for (kind, days, who) in [
            (RequestKind::Access, 40, "M. Durand"),
            (RequestKind::Erasure, 10, "Mme Petit"),
            (RequestKind::Rectification, 2, "M. Moreau"),
        ] {
            super::requests::create(
                db,
                &edit,
                super::requests::NewRequest {
                    tenant_id: c.id,
                    kind,
                    received_on: today - Duration::days(days),
                    requester: who.into(),
                    contact: String::new(),
                    details: String::new(),
                },
            )
            .await?;
        }
        super::breaches::create(
            db,
            &edit,
            super::breaches::NewBreach {
                tenant_id: c.id,
                title: "Envoi d'un courriel groupé sans copie cachée".into(),
                aware_at: Utc::now() - Duration::hours(30),
                occurred_at: Some(Utc::now() - Duration::hours(34)),
                natures: vec![BreachNature::Confidentiality],
                data_categories: "Adresses électroniques des parents d'élèves".into(),
                people_count: Some(240),
                records_count: Some(240),
                consequences: "Divulgation des adresses électroniques entre destinataires".into(),
                measures: "Message de rappel demandant la suppression ; formation des agents"
                    .into(),
                severity: Severity::Low,
            },
        )
        .await?;
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
