//! The one pagination convention of the API: every list is a page `{ items, totalCount }`
//! read with `offset` and `first`. `totalCount` is counted in the same transaction and with
//! the same filters as `items`, so a client always knows whether there is more to read.
use super::alerts::Alert;
use super::backups::types::{BackupIngestEvent, BackupJob, BackupStorageSample, RestoreTest};
use super::billing::{BillingRun, Invoice, Job};
use super::documents::types::Document;
use super::gdpr::types::{Action, Activity, Breach, Dpia, Processor, RightsRequest};
use super::procurement::types::{Contract, CpvCode};
use super::types::{AuditRecord, Tenant};
use async_graphql::{OutputType, SimpleObject};
use tenants::paging::{PageReq, Paged};

/// The most items one page may hold (the bound of every `first` argument but `cpvSearch`'s).
pub const MAX_FIRST: u64 = 500;

/// One page of a list, and how many items the whole list has.
#[derive(SimpleObject)]
#[graphql(concrete(name = "TenantPage", params(Tenant)))]
#[graphql(concrete(name = "AuditRecordPage", params(AuditRecord)))]
#[graphql(concrete(name = "ActivityPage", params(Activity)))]
#[graphql(concrete(name = "ProcessorPage", params(Processor)))]
#[graphql(concrete(name = "ActionPage", params(Action)))]
#[graphql(concrete(name = "RightsRequestPage", params(RightsRequest)))]
#[graphql(concrete(name = "BreachPage", params(Breach)))]
#[graphql(concrete(name = "DpiaPage", params(Dpia)))]
#[graphql(concrete(name = "ContractPage", params(Contract)))]
#[graphql(concrete(name = "CpvCodePage", params(CpvCode)))]
#[graphql(concrete(name = "BillingRunPage", params(BillingRun)))]
#[graphql(concrete(name = "InvoicePage", params(Invoice)))]
#[graphql(concrete(name = "JobPage", params(Job)))]
#[graphql(concrete(name = "AlertPage", params(Alert)))]
#[graphql(concrete(name = "BackupJobPage", params(BackupJob)))]
#[graphql(concrete(name = "BackupStorageSamplePage", params(BackupStorageSample)))]
#[graphql(concrete(name = "RestoreTestPage", params(RestoreTest)))]
#[graphql(concrete(name = "BackupIngestEventPage", params(BackupIngestEvent)))]
#[graphql(concrete(name = "DocumentPage", params(Document)))]
pub struct Page<T: OutputType> {
    /// The items of this page, in the list's order.
    pub items: Vec<T>,
    /// How many items the whole list has with the same filters (every page together).
    pub total_count: i64,
}

impl<T: OutputType> Page<T> {
    /// A page of the domain's rows, each turned into its GraphQL type.
    pub fn of<M>(p: Paged<M>) -> Self
    where
        T: From<M>,
    {
        Self {
            total_count: i64::try_from(p.total).unwrap_or(i64::MAX),
            items: p.items.into_iter().map(T::from).collect(),
        }
    }
}

/// Runs a list's read counting its total only when the request selects this list's
/// `totalCount` (the `COUNT(*)` is a query of its own).
pub async fn counted<F: std::future::Future>(
    ctx: &async_graphql::Context<'_>,
    fut: F,
) -> F::Output {
    let wanted = ctx.look_ahead().field("totalCount").exists();
    tenants::paging::totals(wanted, fut).await
}

/// The slice `offset`, `first` asked for (both already bounded by the arguments' validators).
pub fn req(offset: u64, first: u64) -> PageReq {
    PageReq::new(offset, first)
}
