//! The tables under row-level security now, by module: the one live list. Each migration keeps
//! its own frozen list of what it protected (never edited once released); this one is what a
//! migrated database holds, read by the RLS tests (the zero-rows test: nothing visible without a
//! scope) and checked against the catalog both ways by `tests/it/rls_backstop.rs`. A migration
//! that adds a table with `organisation_id` adds it here too, or that test fails.
pub const RLS_TABLES: &[&str] = &[
    // The platform (own predicates, `rls::TENANT_TABLES`)
    "tenant",
    "organisation",
    "membership",
    "auditor_grant",
    "api_token",
    "audit_log",
    // GDPR register
    "gdpr_activity",
    "gdpr_processor",
    "gdpr_activity_processor",
    "gdpr_dpia",
    "gdpr_action",
    "gdpr_request",
    "gdpr_breach",
    "gdpr_register_settings",
    "gdpr_request_event",
    "gdpr_dpia_risk",
    "gdpr_dpia_measure",
    "gdpr_dpia_model",
    "gdpr_document",
    "gdpr_document_link",
    "gdpr_resource",
    "gdpr_resource_version",
    "gdpr_resource_read",
    "gdpr_actor",
    "gdpr_bilan_run",
    "gdpr_bilan",
    // A person's own list preferences (own predicate)
    "user_list_preference",
    // Procurement
    "proc_supplier",
    "proc_contract",
    "proc_contract_supplier",
    "proc_amendment",
    "proc_share",
    "proc_lot",
    "proc_subcontracting_act",
    // Backups
    "backup_policy",
    "backup_job",
    "backup_storage_sample",
    "backup_restore_test",
    "backup_ingest_token",
    "backup_ingest_event",
    // Costs, jobs and billing
    "cost_service",
    "cost_subscription",
    "cost_key_value",
    "cost_pool",
    "cost_run",
    "cost_line",
    "job",
    "billing_run",
    "billing_invoice",
    "billing_customer",
    "billing_identity",
    // Reporting, alerts, maturity, reversibility, open data
    "report_snapshot",
    "alert",
    "alert_delivery",
    "maturity_questionnaire",
    "maturity_assessment",
    "reversibility_export",
    "reversibility_archive",
    "opendata_publication",
];
