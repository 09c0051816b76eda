//! Procurement reads.
use super::types::*;
use crate::graphql::context::{scope, scoped};
use crate::graphql::errors::{bad_input, GqlResult};
use crate::graphql::page::{self, Page};
use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, Object, Result};
use tenants::paging::Paged;
use tenants::procurement::contracts::{self, ContractFilter, ContractSort, Status};
use tenants::procurement::vocab::Category;
use tenants::procurement::{cpv, decp, splitting, suppliers, thresholds};
use tenants::tenancy::can;
use uuid::Uuid;

/// The columns a list of contracts is sorted by (on what the amendments made of them).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum ContractOrder {
    /// The buyer's reference (the default).
    #[default]
    Reference,
    Object,
    NotifiedOn,
    /// The last day, every renewal included.
    EndOn,
    AwardedCents,
    Status,
}

impl From<ContractOrder> for ContractSort {
    fn from(o: ContractOrder) -> Self {
        match o {
            ContractOrder::Reference => ContractSort::Reference,
            ContractOrder::Object => ContractSort::Object,
            ContractOrder::NotifiedOn => ContractSort::NotifiedOn,
            ContractOrder::EndOn => ContractSort::EndOn,
            ContractOrder::AwardedCents => ContractSort::AwardedCents,
            ContractOrder::Status => ContractSort::Status,
        }
    }
}

#[derive(Default)]
pub struct ProcurementQuery;

#[Object]
impl ProcurementQuery {
    /// CPV codes whose label holds every word (case and accents ignored), or whose code starts
    /// with the digits given; general codes first.
    async fn cpv_search(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(
            default = 20,
            validator(minimum = 1, maximum = 100),
            desc = "Items per page: 1 to 100 (default 20)."
        )]
        first: u64,
        #[graphql(
            default = 0,
            validator(maximum = 100000000),
            desc = "Items skipped before this page (default 0)."
        )]
        offset: u64,
    ) -> Result<Page<CpvCode>> {
        scope::<can::ReadProcurement>(ctx)?;
        Ok(Page::of(Paged::of_vec(
            cpv::search_all(&query),
            page::req(offset, first),
        )))
    }

    /// Which procedure and publicity a planned purchase requires, by the thresholds in force
    /// on `date` (Code de la commande publique R2122-8, R2123-1, R2124-1, R2131-12).
    async fn procurement_requirements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "travaux, fournitures, services")] category: String,
        amount_cents: i64,
        date: Date,
    ) -> Result<ProcurementRequirements> {
        scope::<can::ReadProcurement>(ctx)?;
        let c = Category::parse("category", &category).gql()?;
        if amount_cents < 0 {
            return Err(bad_input(
                "amountCents",
                "Le montant ne peut pas être négatif.",
            ));
        }
        Ok(thresholds::requirements(c, amount_cents, date.0).into())
    }

    /// Suppliers shared in your organisations.
    async fn suppliers(&self, ctx: &Context<'_>, search: Option<String>) -> Result<Vec<Supplier>> {
        let (db, s) = scoped::<can::ReadProcurement>(ctx)?;
        Ok(suppliers::list(db, &s, search)
            .await
            .gql()?
            .into_iter()
            .map(Supplier::from)
            .collect())
    }

    /// Contracts you can read, by reference unless `orderBy` says otherwise; `search`: words
    /// found in the reference, the object or the CPV code and label (case and accents ignored).
    #[allow(clippy::too_many_arguments)]
    async fn contracts(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(desc = "draft, active, expired")] status: Option<String>,
        #[graphql(desc = "a CPV class (4 digits) or any prefix")] cpv_prefix: Option<String>,
        supplier_id: Option<Uuid>,
        joint: Option<bool>,
        search: Option<String>,
        #[graphql(default)] order_by: ContractOrder,
        #[graphql(default)] descending: bool,
        #[graphql(
            default = 50,
            validator(minimum = 1, maximum = 500),
            desc = "Items per page: 1 to 500 (default 50)."
        )]
        first: u64,
        #[graphql(
            default = 0,
            validator(maximum = 100000000),
            desc = "Items skipped before this page (default 0)."
        )]
        offset: u64,
    ) -> Result<Page<Contract>> {
        let (db, s) = scoped::<can::ReadProcurement>(ctx)?;
        let status = status
            .map(|v| Status::parse("status", &v))
            .transpose()
            .gql()?;
        let f = ContractFilter {
            tenant_ids,
            status,
            cpv_prefix,
            supplier_id,
            joint,
            search,
            sort: order_by.into(),
            descending,
            offset,
            limit: first,
        };
        Ok(Page::of(
            crate::graphql::page::counted(
                ctx,
                contracts::page(db, &s, &f, tenants::calendar::paris_today()),
            )
            .await
            .gql()?,
        ))
    }

    async fn contract(&self, ctx: &Context<'_>, id: Uuid) -> Result<Contract> {
        let (db, s) = scoped::<can::ReadProcurement>(ctx)?;
        Ok(contracts::get(db, &s, id).await.gql()?.into())
    }

    /// Active contracts whose renewal notice deadline or end comes within `withinDays`.
    async fn contracts_expiring(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 90)] within_days: i64,
    ) -> Result<Vec<Contract>> {
        let (db, s) = scoped::<can::ReadProcurement>(ctx)?;
        Ok(
            contracts::expiring(db, &s, within_days, tenants::calendar::paris_today())
                .await
                .gql()?
                .into_iter()
                .map(Contract::from)
                .collect(),
        )
    }

    /// The communes' parts of joint procurements.
    async fn joint_shares(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
    ) -> Result<Vec<JointShare>> {
        let (db, s) = scoped::<can::ReadProcurement>(ctx)?;
        Ok(contracts::shares(db, &s, tenant_ids)
            .await
            .gql()?
            .into_iter()
            .map(JointShare::from)
            .collect())
    }

    /// Families (CPV class, category, year) whose total need reaches a threshold that each
    /// contract stays under (R2121-4, R2121-6, R2121-7).
    async fn splitting_alerts(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        year: Option<i32>,
    ) -> Result<Vec<SplittingAlert>> {
        let (db, s) = scoped::<can::ReadProcurement>(ctx)?;
        Ok(splitting::tenant_alerts(db, &s, tenant_ids, year)
            .await
            .gql()?
            .into_iter()
            .map(SplittingAlert::from)
            .collect())
    }

    /// Where could we save: families several communes of the organisation buy separately.
    async fn joint_procurement_opportunities(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
        year: Option<i32>,
    ) -> Result<Vec<JointOpportunity>> {
        let (db, s) = scoped::<can::ReadProcurement>(ctx)?;
        Ok(
            splitting::organisation_opportunities(db, &s, organisation_id, year)
                .await
                .gql()?
                .into_iter()
                .map(JointOpportunity::from)
                .collect(),
        )
    }

    /// The DECP 2.0.3 JSON of the contracts you can read (the essential data published on
    /// the buyer's profile), narrowed to some tenants or to one organisation.
    async fn decp_export(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        organisation_id: Option<Uuid>,
    ) -> Result<DecpExport> {
        let (db, s) = scoped::<can::ReadProcurement>(ctx)?;
        Ok(decp::export(
            db,
            &s,
            tenant_ids,
            organisation_id,
            tenants::calendar::paris_today(),
        )
        .await
        .gql()?
        .into())
    }
}
