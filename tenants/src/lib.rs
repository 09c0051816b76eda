//! Mutualis domain library: tenancy and isolation, and the business modules. No HTTP here.
pub mod access;
pub mod alerts;
pub mod audit;
pub mod backups;
pub mod billing;
pub mod blocking;
pub mod calendar;
pub mod collation;
pub mod costs;
pub mod db;
pub mod demo;
pub mod directory;
pub mod entities;
pub mod fault;
pub mod fr;
/// The fuzz targets' checks (`tests/fuzz`), replayed by the unit tests.
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod gdpr;
pub mod identifiers;
pub mod jobs;
pub mod maturity;
pub mod opendata;
pub mod paging;
pub mod procurement;
pub mod referential;
pub mod reporting;
pub mod reversibility;
pub mod secrets;
pub mod storage;
pub mod tenancy;

pub use sea_orm;
