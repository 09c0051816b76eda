//! sea-orm entities. Tenant-owned entities are `pub(crate)` in spirit: outside this crate they
//! are reached through `tenancy::Scope`, never by a bare `find()`.
pub mod api_token;
pub mod app_user;
pub mod audit_log;
pub mod auditor_grant;
pub mod gdpr_action;
pub mod gdpr_activity;
pub mod gdpr_activity_processor;
pub mod gdpr_breach;
pub mod gdpr_dpia;
pub mod gdpr_processor;
pub mod gdpr_register_settings;
pub mod gdpr_request;
pub mod login_attempt;
pub mod membership;
pub mod organisation;
pub mod proc_amendment;
pub mod proc_contract;
pub mod proc_contract_supplier;
pub mod proc_lot;
pub mod proc_share;
pub mod proc_subcontracting_act;
pub mod proc_supplier;
pub mod ref_commune;
pub mod ref_epci;
pub mod session;
pub mod tenant;
