//! Demo contracts for the demo organisation: IT maintenance carried by the agglomeration for
//! its communes (joint procurement), school catering, cleaning (split into small contracts, so
//! the splitting alert and the "where could we save" view have something to show), cleaning
//! divided into two lots with an act of subcontracting, printers, road works and insurance. Suppliers are fictional, with valid SIRET keys.
use super::contracts::{
    self, ContractFields, ContractFilter, LotInput, ShareInput, SubcontractingActInput,
};
use super::suppliers::{self, NewSupplier};
use super::ProcurementError;
use crate::entities::tenant;
use crate::identifiers::Siret;
use crate::tenancy::{can, Principal};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use uuid::Uuid;

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

/// A SIRET of one of the buyer's establishments (its SIREN, the first NIC with a valid key).
fn buyer_siret(t: &tenant::Model) -> Option<String> {
    (10..100)
        .map(|nic| format!("{}000{nic:02}", t.siren))
        .find(|s| Siret::parse(s).is_ok())
}

#[allow(clippy::too_many_arguments)]
fn contract(
    reference: &str,
    object: &str,
    category: &str,
    procedure: &str,
    cpv: &str,
    estimated_euros: i64,
    awarded_euros: i64,
    notified_on: Option<NaiveDate>,
    duration_months: i32,
    place: &str,
) -> ContractFields {
    ContractFields {
        reference: reference.into(),
        object: object.into(),
        nature: "Marché".into(),
        category: category.into(),
        procedure: procedure.into(),
        techniques: vec!["Sans objet".into()],
        execution_modalities: vec!["Sans objet".into()],
        ccag: "Fournitures courantes et services".into(),
        price_form: "Forfaitaire".into(),
        price_types: vec!["Définitif révisable".into()],
        cpv: cpv.into(),
        estimated_cents: estimated_euros * 100,
        awarded_cents: Some(awarded_euros * 100),
        lots: vec![],
        notified_on,
        duration_months,
        renewals: 0,
        renewal_months: 0,
        notice_days: 0,
        place_code: place.into(),
        place_type: "Code commune".into(),
        social_considerations: vec!["Pas de considération sociale".into()],
        environmental_considerations: vec!["Pas de considération environnementale".into()],
        subcontracting: false,
        supplier_ids: vec![],
        shares: vec![],
        buyer_siret: None,
        offers_received: Some(3),
        innovative: false,
        advance_paid: false,
        operator_grouping: "Pas de groupement".into(),
    }
}

/// Seeds once (nothing when the organisation already has contracts).
pub async fn seed(
    db: &DatabaseConnection,
    organisation_id: Uuid,
) -> Result<bool, ProcurementError> {
    let op = Principal::operator();
    let edit = op.can::<can::EditProcurement>()?;
    let txn = edit.begin(db).await?;
    let tenants: Vec<tenant::Model> = edit
        .find::<tenant::Entity>()
        .filter(tenant::Column::OrganisationId.eq(organisation_id))
        .all(&txn)
        .await?;
    txn.commit().await?;
    let by_insee = |code: &str| {
        tenants
            .iter()
            .find(|t| t.insee_code.as_deref() == Some(code))
            .cloned()
    };
    let (Some(org), Some(compiegne), Some(margny)) = (
        tenants.iter().find(|t| t.kind == "organisation").cloned(),
        by_insee("60159"),
        by_insee("60382"),
    ) else {
        return Ok(false);
    };
    let third = by_insee("60665");
    let existing = contracts::list(
        db,
        &edit,
        &ContractFilter {
            tenant_ids: Some(tenants.iter().map(|t| t.id).collect()),
            limit: 1,
            ..Default::default()
        },
        crate::calendar::paris_today(),
    )
    .await?;
    if !existing.is_empty() {
        return Ok(false);
    }
    let supplier = |tenant_id: Uuid, siret: &'static str, name: &'static str| {
        let edit = edit.clone();
        async move {
            suppliers::create(
                db,
                &edit,
                NewSupplier {
                    tenant_id,
                    id_type: "SIRET".into(),
                    identifier: siret.into(),
                    name: name.into(),
                },
            )
            .await
            .map(|(s, _)| s.id)
        }
    };
    let it = supplier(org.id, "81234567600017", "Picardie Numérique SAS (démo)").await?;
    let catering = supplier(
        compiegne.id,
        "81345678700015",
        "Restauration de l'Oise (démo)",
    )
    .await?;
    let cleaning = supplier(compiegne.id, "81456789700016", "Net'Oise Propreté (démo)").await?;
    let printers = supplier(margny.id, "81567890900012", "Copie Services Nord (démo)").await?;
    let roads = supplier(
        margny.id,
        "81678901000013",
        "Routes et Réseaux de Picardie (démo)",
    )
    .await?;
    let insurance = supplier(org.id, "81789012200010", "Mutuelle des Territoires (démo)").await?;

    // IT maintenance: carried by the agglomeration for its communes, one share each.
    let mut members = vec![&compiegne, &margny];
    if let Some(t) = &third {
        members.push(t);
    }
    let total: i64 = 180_000 * 100;
    let weights: Vec<i64> = (0..members.len() as i64).map(|i| 3 - i.min(2)).collect();
    let sum_w: i64 = weights.iter().sum();
    let mut shares: Vec<ShareInput> = members
        .iter()
        .zip(&weights)
        .map(|(t, w)| ShareInput {
            tenant_id: t.id,
            amount_cents: total * w / sum_w,
        })
        .collect();
    let rest = total - shares.iter().map(|s| s.amount_cents).sum::<i64>();
    shares[0].amount_cents += rest;
    let mut f = contract(
        "AGG-2024-INFO",
        "Maintenance mutualisée des postes, serveurs et logiciels des communes membres",
        "services",
        "Procédure adaptée",
        "72267000",
        190_000,
        180_000,
        d(2024, 3, 1),
        12,
        "60159",
    );
    f.ccag = "Techniques de l'information et de la communication".into();
    f.renewals = 3;
    f.renewal_months = 12;
    f.notice_days = 90;
    f.supplier_ids = vec![it];
    f.shares = shares;
    f.buyer_siret = buyer_siret(&org);
    contracts::create(db, &edit, org.id, f).await?;

    // School catering, Compiègne: a formal procedure, framework with purchase orders.
    let mut f = contract(
        "CMP-2023-REST",
        "Fourniture et livraison de repas pour la restauration scolaire",
        "services",
        "Appel d'offres ouvert",
        "55524000",
        1_200_000,
        1_150_000,
        d(2023, 9, 1),
        12,
        "60159",
    );
    f.techniques = vec!["Accord-cadre".into()];
    f.execution_modalities = vec!["Bons de commande".into()];
    f.price_form = "Unitaire".into();
    f.renewals = 3;
    f.renewal_months = 12;
    f.notice_days = 120;
    f.social_considerations = vec!["Clause sociale".into()];
    f.environmental_considerations = vec!["Critère environnemental".into()];
    f.supplier_ids = vec![catering];
    f.buyer_siret = buyer_siret(&compiegne);
    f.offers_received = Some(4);
    contracts::create(db, &edit, compiegne.id, f).await?;

    // Cleaning, Compiègne: three small contracts the same year (a splitting alert).
    for (i, (obj, euros, date)) in [
        ("Nettoyage de l'hôtel de ville", 28_000, d(2025, 2, 3)),
        ("Nettoyage des écoles maternelles", 31_000, d(2025, 5, 12)),
        ("Nettoyage des équipements sportifs", 24_000, d(2025, 9, 1)),
    ]
    .into_iter()
    .enumerate()
    {
        let mut f = contract(
            &format!("CMP-2025-NET{}", i + 1),
            obj,
            "services",
            "Marché passé sans publicité ni mise en concurrence préalable",
            "90911200",
            euros,
            euros,
            date,
            12,
            "60159",
        );
        f.supplier_ids = vec![cleaning];
        f.buyer_siret = buyer_siret(&compiegne);
        f.offers_received = Some(1);
        contracts::create(db, &edit, compiegne.id, f).await?;
    }
    // Margny's previous cleaning contract, divided into two lots (one DECP `marche` each), the
    // schools' lot partly subcontracted (window cleaning). Expired in 2025: one contract of its
    // family that year, so no splitting alert.
    let mut f = contract(
        "MRG-2024-NET",
        "Nettoyage des bâtiments communaux",
        "services",
        "Procédure adaptée",
        "90911200",
        52_000,
        49_500,
        d(2024, 4, 1),
        12,
        "60382",
    );
    f.supplier_ids = vec![cleaning];
    f.buyer_siret = buyer_siret(&margny);
    f.offers_received = Some(2);
    f.subcontracting = true;
    f.lots = vec![
        LotInput {
            number: 1,
            object: "Écoles et restaurant scolaire".into(),
            cpv: None,
            estimated_cents: 30_000 * 100,
            awarded_cents: Some(28_700 * 100),
            supplier_ids: vec![cleaning],
            duration_months: None,
        },
        LotInput {
            number: 2,
            object: "Mairie et salles municipales".into(),
            cpv: Some("90919200".into()),
            estimated_cents: 22_000 * 100,
            awarded_cents: Some(20_800 * 100),
            supplier_ids: vec![cleaning],
            duration_months: None,
        },
    ];
    let lotted = contracts::create(db, &edit, margny.id, f).await?;
    contracts::add_subcontracting_act(
        db,
        &edit,
        lotted.row.id,
        SubcontractingActInput {
            id_type: "SIRET".into(),
            identifier: "81890123300010".into(),
            lot: Some(1),
            amount_cents: 4_200 * 100,
            notified_on: NaiveDate::from_ymd_opt(2024, 5, 6).unwrap_or_default(),
            duration_months: 11,
            price_variation: "Ferme".into(),
        },
    )
    .await?;

    // Margny cleans too: together, a joint procurement would reach volume.
    let mut f = contract(
        "MRG-2025-NET",
        "Nettoyage des locaux municipaux",
        "services",
        "Procédure adaptée",
        "90919200",
        45_000,
        43_800,
        d(2025, 4, 1),
        24,
        "60382",
    );
    f.supplier_ids = vec![cleaning];
    f.buyer_siret = buyer_siret(&margny);
    contracts::create(db, &edit, margny.id, f).await?;

    // Printers, Margny: rental and maintenance of copiers.
    let mut f = contract(
        "MRG-2024-COPIE",
        "Location et maintenance de copieurs multifonctions",
        "fournitures",
        "Procédure adaptée",
        "30120000",
        38_000,
        36_500,
        d(2024, 1, 15),
        48,
        "60382",
    );
    f.price_form = "Mixte".into();
    f.supplier_ids = vec![printers];
    f.buyer_siret = buyer_siret(&margny);
    contracts::create(db, &edit, margny.id, f).await?;

    // Road works, Margny.
    let mut f = contract(
        "MRG-2025-VOIRIE",
        "Réfection de la voirie de la rue de Compiègne",
        "travaux",
        "Procédure adaptée",
        "45233140",
        260_000,
        248_900,
        d(2025, 6, 16),
        6,
        "60382",
    );
    f.ccag = "Travaux".into();
    f.price_form = "Unitaire".into();
    f.supplier_ids = vec![roads];
    f.buyer_siret = buyer_siret(&margny);
    f.offers_received = Some(5);
    f.subcontracting = true;
    contracts::create(db, &edit, margny.id, f).await?;

    // Insurance, the agglomeration: liability, with renewals and a notice period.
    let mut f = contract(
        "AGG-2022-ASSUR",
        "Assurance responsabilité civile et risques annexes",
        "services",
        "Appel d'offres ouvert",
        "66516000",
        240_000,
        226_000,
        d(2022, 1, 1),
        12,
        "60159",
    );
    f.renewals = 4;
    f.renewal_months = 12;
    f.notice_days = 180;
    f.supplier_ids = vec![insurance];
    f.buyer_siret = buyer_siret(&org);
    contracts::create(db, &edit, org.id, f).await?;
    Ok(true)
}
