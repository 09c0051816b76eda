//! The catalogue's content, read without login: the communes' published datasets, with the
//! dates of their last change. The list of what is published is read across every
//! organisation (by construction it holds published flags only); each dataset's data is then
//! read with a scope of that one commune.
use super::{Dataset, OpenDataError};
use crate::entities::{
    gdpr_activity, gdpr_register_settings, opendata_publication as publication, organisation,
    proc_contract, tenant,
};
use crate::gdpr::vocab::ActivityStatus;
use crate::procurement::decp::{self, DecpExport};
use crate::tenancy::{Permission, Scope};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// At most this many datasets in one catalogue (a harvester pages nothing: far above France's
/// number of communes times two).
pub const MAX_DATASETS: u64 = 100_000;

/// One published dataset of one commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub tenant_id: Uuid,
    pub commune: String,
    pub insee_code: Option<String>,
    pub organisation: String,
    pub siren: String,
    pub dataset: Dataset,
    /// First publication (`dct:issued`), when known.
    pub issued: Option<DateTime<Utc>>,
    /// Last change of the data or of what is published (`dct:modified`).
    pub modified: DateTime<Utc>,
}

/// Every published dataset, communes by name.
pub async fn entries(db: &DatabaseConnection) -> Result<Vec<Entry>, OpenDataError> {
    let all = Scope::worker(Permission::ReadDirectory);
    let txn = all.begin(db).await?;
    let registers = all
        .find::<gdpr_register_settings::Entity>()
        .filter(gdpr_register_settings::Column::Published.eq(true))
        .limit(MAX_DATASETS)
        .all(&txn)
        .await?;
    let decps = all
        .find::<publication::Entity>()
        .filter(publication::Column::Dataset.eq(Dataset::Decp.code()))
        .filter(publication::Column::Published.eq(true))
        .limit(MAX_DATASETS)
        .all(&txn)
        .await?;
    let mut ids: Vec<Uuid> = registers
        .iter()
        .map(|r| r.tenant_id)
        .chain(decps.iter().map(|d| d.tenant_id))
        .collect();
    ids.sort();
    ids.dedup();
    let tenants: HashMap<Uuid, tenant::Model> = all
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(ids.clone()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut org_ids: Vec<Uuid> = tenants.values().map(|t| t.organisation_id).collect();
    org_ids.sort();
    org_ids.dedup();
    let orgs: HashMap<Uuid, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    // The data's last change: the newest published activity, the newest contract.
    let activity_changes = newest::<gdpr_activity::Entity, _>(
        &txn,
        &all,
        gdpr_activity::Column::TenantId,
        gdpr_activity::Column::UpdatedAt,
        gdpr_activity::Column::Status.is_in([
            ActivityStatus::Validated.code(),
            ActivityStatus::Checked.code(),
        ]),
        &ids,
    )
    .await?;
    let contract_changes = newest::<proc_contract::Entity, _>(
        &txn,
        &all,
        proc_contract::Column::TenantId,
        proc_contract::Column::UpdatedAt,
        proc_contract::Column::NotifiedOn.is_not_null(),
        &ids,
    )
    .await?;
    txn.commit().await?;

    let mut out = Vec::new();
    let mut push = |tenant_id: Uuid,
                    dataset: Dataset,
                    issued: Option<DateTime<Utc>>,
                    settings_changed: DateTime<Utc>,
                    data_changed: Option<&DateTime<Utc>>| {
        let (Some(t), modified) = (
            tenants.get(&tenant_id),
            data_changed
                .copied()
                .map_or(settings_changed, |d| d.max(settings_changed)),
        ) else {
            return;
        };
        let Some(o) = orgs.get(&t.organisation_id) else {
            return;
        };
        out.push(Entry {
            tenant_id,
            commune: t.name.clone(),
            insee_code: t.insee_code.clone(),
            organisation: o.name.clone(),
            siren: o.siren.clone(),
            dataset,
            issued,
            modified,
        });
    };
    for r in &registers {
        push(
            r.tenant_id,
            Dataset::Register,
            None,
            r.updated_at,
            activity_changes.get(&r.tenant_id),
        );
    }
    for d in &decps {
        push(
            d.tenant_id,
            Dataset::Decp,
            d.first_published_at,
            d.updated_at,
            contract_changes.get(&d.tenant_id),
        );
    }
    out.sort_by(|a, b| {
        crate::collation::french_cmp(&a.commune, &b.commune)
            .then(a.tenant_id.cmp(&b.tenant_id))
            .then(a.dataset.code().cmp(b.dataset.code()))
    });
    Ok(out)
}

/// The newest `changed` per tenant among rows matching `filter`.
async fn newest<E, C>(
    txn: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    tenant_col: C,
    changed: C,
    filter: impl sea_orm::sea_query::IntoCondition,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, DateTime<Utc>>, OpenDataError>
where
    E: crate::tenancy::Scoped,
    C: ColumnTrait,
{
    let rows: Vec<(Uuid, Option<DateTime<Utc>>)> = scope
        .find::<E>()
        .select_only()
        .column(tenant_col)
        .column_as(changed.max(), "changed")
        .filter(tenant_col.is_in(ids.to_vec()))
        .filter(filter)
        .group_by(tenant_col)
        .order_by_asc(tenant_col)
        .into_tuple()
        .all(txn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(t, d)| d.map(|d| (t, d)))
        .collect())
}

/// Whether a commune publishes `dataset`, read as the public reads it.
async fn published(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_id: Uuid,
    dataset: Dataset,
) -> Result<Option<tenant::Model>, OpenDataError> {
    let txn = scope.begin(db).await?;
    let t = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.eq(tenant_id))
        .one(&txn)
        .await?;
    let on = scope
        .find::<publication::Entity>()
        .filter(publication::Column::TenantId.eq(tenant_id))
        .filter(publication::Column::Dataset.eq(dataset.code()))
        .filter(publication::Column::Published.eq(true))
        .one(&txn)
        .await?
        .is_some();
    txn.commit().await?;
    Ok(t.filter(|_| on))
}

/// A commune's DECP document when it publishes it (`None`: not published, or no such commune).
pub async fn decp_of(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    published_on: NaiveDate,
) -> Result<Option<DecpExport>, OpenDataError> {
    // First the tenant and its organisation, with a scope of that tenant alone.
    let probe = Scope::public_register(tenant_id);
    let Some(t) = published(db, &probe, tenant_id, Dataset::Decp).await? else {
        return Ok(None);
    };
    let scope = Scope::public_dataset(Permission::ReadProcurement, t.organisation_id, tenant_id);
    Ok(Some(
        decp::export(db, &scope, Some(vec![tenant_id]), None, published_on).await?,
    ))
}
