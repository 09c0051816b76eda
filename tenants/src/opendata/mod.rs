//! Open data (issue 21): the datasets a commune chooses to publish — its public register of
//! processing activities and the essential data of its public contracts (DECP 2.0.3) — listed
//! in one DCAT-AP catalogue the platform serves (`/opendata/catalog.jsonld`) with stable
//! addresses, the Licence Ouverte 2.0, their publication and update dates and, for the DECP,
//! the format of schema.data.gouv.fr. Nothing unpublished is listed nor served.
pub mod catalog;
pub mod dcat;
pub mod publication;

use crate::tenancy::AccessError;

#[derive(Debug, thiserror::Error)]
pub enum OpenDataError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{field} : {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Procurement(#[from] crate::procurement::ProcurementError),
    #[error(transparent)]
    Gdpr(#[from] crate::gdpr::GdprError),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl crate::fault::Classify for OpenDataError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            OpenDataError::Access(e) => e.fault(),
            OpenDataError::Procurement(e) => e.fault(),
            OpenDataError::Gdpr(e) => e.fault(),
            OpenDataError::BadInput { field, message } => Fault::bad(field, message),
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(OpenDataError);

/// A dataset a commune may publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataset {
    /// Its public register of processing activities (settings: `setPublicRegister`).
    Register,
    /// The essential data of its public contracts, DECP 2.0.3.
    Decp,
}

impl Dataset {
    pub const ALL: [Dataset; 2] = [Dataset::Register, Dataset::Decp];

    pub fn code(self) -> &'static str {
        match self {
            Dataset::Register => "register",
            Dataset::Decp => "decp",
        }
    }

    pub fn parse(code: &str) -> Result<Dataset, OpenDataError> {
        Dataset::ALL
            .into_iter()
            .find(|d| d.code() == code)
            .ok_or_else(|| OpenDataError::BadInput {
                field: "dataset",
                message: format!("jeu de données inconnu « {code} » (register ou decp)"),
            })
    }

    /// Its title in the catalogue, for one commune.
    pub fn title(self, commune: &str) -> String {
        match self {
            Dataset::Register => format!("Registre des activités de traitement — {commune}"),
            Dataset::Decp => {
                format!("Données essentielles des marchés publics (DECP) — {commune}")
            }
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Dataset::Register => "Registre public des traitements",
            Dataset::Decp => "Données essentielles des marchés publics (DECP)",
        }
    }
}
