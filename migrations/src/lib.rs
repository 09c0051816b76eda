//! Schema migrations. They run as the database owner (`DATABASE_ADMIN_URL`); the server then
//! connects as `mutualis_app`, which owns nothing and cannot bypass row-level security.
pub use sea_orm_migration::prelude::*;

mod ddl;
mod m20261123_000001_platform;
mod m20261124_000002_gdpr;
mod m20261124_000003_procurement;
mod m20261124_000004_procurement_lots;
mod m20261124_000005_procurement_lot_amendments;
mod m20261124_000006_backups;
mod m20261124_000007_costs;
mod m20261124_000008_jobs_billing;
mod m20261124_000009_reporting;
mod m20261124_000010_alerts;
mod m20261124_000011_maturity;
mod m20261124_000012_list_indexes;
mod m20261124_000013_distribution_keys;
mod m20261207_000014_french_collation;
mod m20261207_000015_auditor_grant_permissions;
mod m20261207_000016_session_secrets;
mod m20261207_000026_billing_identity;
mod m20261208_000023_alert_due_day;
mod m20261214_000017_request_events;
mod m20261214_000018_activity_archive;
mod m20261214_000020_contract_version;
mod m20261215_000019_dpia_method;
mod m20261215_000022_gdpr_documents;
mod m20261215_000024_gdpr_library;
mod m20261215_000025_gdpr_actors;
mod m20261215_000027_gdpr_bilans;
mod m20261215_000028_service_budget_account;
mod m20261215_000029_reversibility_export;
mod m20261216_000031_organisation_policy;
mod m20261216_000039_opendata;
mod m20261217_000040_auth_version;
mod rls;
mod tables;

pub use rls::{APP_ROLE, BACKUP_ROLE, TENANT_PREDICATE, TENANT_TABLES};
pub use tables::RLS_TABLES;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_platform::Migration),
            Box::new(m20261124_000002_gdpr::Migration),
            Box::new(m20261124_000003_procurement::Migration),
            Box::new(m20261124_000004_procurement_lots::Migration),
            Box::new(m20261124_000005_procurement_lot_amendments::Migration),
            Box::new(m20261124_000006_backups::Migration),
            Box::new(m20261124_000007_costs::Migration),
            Box::new(m20261124_000008_jobs_billing::Migration),
            Box::new(m20261124_000009_reporting::Migration),
            Box::new(m20261124_000010_alerts::Migration),
            Box::new(m20261124_000011_maturity::Migration),
            Box::new(m20261124_000012_list_indexes::Migration),
            Box::new(m20261124_000013_distribution_keys::Migration),
            Box::new(m20261207_000014_french_collation::Migration),
            Box::new(m20261207_000015_auditor_grant_permissions::Migration),
            Box::new(m20261207_000016_session_secrets::Migration),
            Box::new(m20261214_000017_request_events::Migration),
            Box::new(m20261214_000018_activity_archive::Migration),
            Box::new(m20261214_000020_contract_version::Migration),
            Box::new(m20261208_000023_alert_due_day::Migration),
            Box::new(m20261207_000026_billing_identity::Migration),
            Box::new(m20261215_000028_service_budget_account::Migration),
            Box::new(m20261215_000019_dpia_method::Migration),
            Box::new(m20261215_000022_gdpr_documents::Migration),
            Box::new(m20261215_000024_gdpr_library::Migration),
            Box::new(m20261215_000025_gdpr_actors::Migration),
            Box::new(m20261215_000027_gdpr_bilans::Migration),
            Box::new(m20261215_000029_reversibility_export::Migration),
            Box::new(m20261216_000031_organisation_policy::Migration),
            Box::new(m20261216_000039_opendata::Migration),
            Box::new(m20261217_000040_auth_version::Migration),
        ]
    }
}
