//! The demo's evidence documents and library: the DPO's information notice template in two
//! versions (Compiègne read the first, not yet the second), a link to the CNIL's guide for
//! local authorities, and Compiègne's training attendance certificate linked to its register.
//! Seeded once: a start that finds the library already holds resources changes nothing.
use super::library::{self, Content, NewResource, ResourceCategory};
use super::{check_file, evidence, DocumentError, DocumentKind, DEFAULT_MAX_BYTES};
use crate::entities::{app_user, gdpr_activity, gdpr_resource};
use crate::storage::Storage;
use crate::tenancy::{can, Principal};
use chrono::Utc;
use formats::{Cell, Column, Document, Format, Sheet};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

async fn person(db: &DatabaseConnection, email: &str) -> Result<Option<Principal>, DocumentError> {
    let Some(u) = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(crate::tenancy::resolve_user(db, u.id).await.ok())
}

/// A small real PDF (rendered by the formats crate, on the blocking pool).
async fn pdf(title: &str, rows: &[(&str, &str)]) -> Result<Vec<u8>, DocumentError> {
    let doc = Document {
        title: title.to_owned(),
        subtitle: Some("Document de démonstration".into()),
        sheets: vec![Sheet {
            name: "Contenu".into(),
            columns: vec![
                Column::new("rubrique", "Rubrique"),
                Column::new("texte", "Texte"),
            ],
            rows: rows
                .iter()
                .map(|(a, b)| vec![Cell::text(*a), Cell::text(*b)])
                .collect(),
        }],
        generated_at: Utc::now(),
        charts: Vec::new(),
    };
    crate::blocking::run(move || formats::render(&doc, Format::Pdf))
        .await
        .map_err(|e| DocumentError::Busy(e.to_string()))?
        .map_err(|e| DocumentError::Busy(e.to_string()))?
        .into_iter()
        .next()
        .map(|f| f.bytes)
        .ok_or_else(|| DocumentError::Busy("empty PDF".into()))
}

/// Seeds the demo organisation's library and one document; false when already there.
pub async fn seed(db: &DatabaseConnection, storage: &Storage) -> Result<bool, DocumentError> {
    let (Some(dpo), Some(mayor)) = (
        person(db, "dpo@demo.mutualis.invalid").await?,
        person(db, "mairie-compiegne@demo.mutualis.invalid").await?,
    ) else {
        return Ok(false);
    };
    let Some(org) = dpo.grants.iter().map(|g| g.organisation_id).next() else {
        return Ok(false);
    };
    let publish = dpo.can::<can::PublishModels>()?;
    let already = {
        let txn = publish.begin(db).await?;
        let n = gdpr_resource::Entity::find()
            .filter(gdpr_resource::Column::OrganisationId.eq(org))
            .one(&txn)
            .await?;
        txn.commit().await?;
        n.is_some()
    };
    if already {
        return Ok(false);
    }
    let notice = |v: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![
            ("Responsable du traitement", "La commune, représentée par son maire"),
            ("Finalité", "Instruire votre demande et vous répondre"),
            ("Base légale", "Mission d'intérêt public (article 6.1.e du RGPD)"),
            ("Durée de conservation", v),
            ("Vos droits", "Accès, rectification, effacement, limitation, opposition : écrivez au DPO de l'intercommunalité"),
        ]
    };
    let v1 = pdf(
        "Modèle de mention d'information",
        &notice("Un an après la clôture de la demande"),
    )
    .await?;
    let (resource, first) = library::publish(
        db,
        storage,
        &publish,
        NewResource {
            organisation_id: org,
            title: "Modèle de mention d'information (formulaires papier)".into(),
            description:
                "À reproduire au pied de chaque formulaire qui recueille des données personnelles."
                    .into(),
            category: ResourceCategory::Template,
            note: "Première version".into(),
            content: Content::File(
                check_file("mention-information.pdf", v1, DEFAULT_MAX_BYTES).await?,
            ),
        },
    )
    .await?;
    // Compiègne read the first version.
    if let Some(t) = mayor.grants.iter().find_map(|g| g.tenant_id) {
        let read = mayor.can::<can::ReadGdpr>()?;
        library::open_version(db, storage, &read, first.id, Some(t)).await?;
        let edit = mayor.can::<can::EditGdpr>()?;
        let activity = {
            let txn = edit.begin(db).await?;
            let a = edit
                .find::<gdpr_activity::Entity>()
                .filter(gdpr_activity::Column::TenantId.eq(t))
                .filter(gdpr_activity::Column::IsModel.eq(false))
                .one(&txn)
                .await?;
            txn.commit().await?;
            a
        };
        let bytes = pdf(
            "Attestation de formation RGPD",
            &[
                ("Session", "Sensibilisation au RGPD des agents d'accueil"),
                ("Durée", "3 heures"),
                ("Participants", "12 agents"),
            ],
        )
        .await?;
        evidence::upload(
            db,
            storage,
            &edit,
            evidence::NewDocument {
                tenant_id: t,
                kind: DocumentKind::TrainingAttendance,
                title: "Attestation de formation RGPD des agents d'accueil".into(),
                document_date: crate::calendar::paris_today(),
                file: check_file("attestation-formation.pdf", bytes, DEFAULT_MAX_BYTES).await?,
                links: activity
                    .map(|a| vec![(super::LinkTarget::Activity, a.id)])
                    .unwrap_or_default(),
            },
        )
        .await?;
    }
    let v2 = pdf(
        "Modèle de mention d'information",
        &notice("Six mois après la clôture de la demande"),
    )
    .await?;
    library::add_version(
        db,
        storage,
        &publish,
        resource.id,
        "Durée de conservation ramenée à six mois",
        Content::File(check_file("mention-information-v2.pdf", v2, DEFAULT_MAX_BYTES).await?),
    )
    .await?;
    library::publish(
        db,
        storage,
        &publish,
        NewResource {
            organisation_id: org,
            title: "Guide de la CNIL pour les collectivités territoriales".into(),
            description: "Les fiches pratiques de la CNIL pour les communes et leurs groupements."
                .into(),
            category: ResourceCategory::Guide,
            note: String::new(),
            content: Content::Link("https://www.cnil.fr/fr/collectivites-territoriales".into()),
        },
    )
    .await?;
    Ok(true)
}
