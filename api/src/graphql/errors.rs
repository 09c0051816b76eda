//! Domain errors -> GraphQL errors with a stable `extensions.code` (and `extensions.field` for
//! input errors). Internal details are logged, never returned.
use async_graphql::{Error, ErrorExtensions};
use tenants::fault::{Classify, Fault};

pub mod code {
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const CONFLICT: &str = "CONFLICT";
    /// The server lacks a setting this operation needs (e.g. the ingest secret).
    pub const NOT_CONFIGURED: &str = "NOT_CONFIGURED";
    pub const INTERNAL: &str = "INTERNAL_SERVER_ERROR";
    /// The HTTP request is not a GraphQL request (no or wrong Content-Type, malformed JSON, a
    /// mutation over GET).
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    /// Parse, validation and limit errors raised by the GraphQL engine itself.
    pub const VALIDATION: &str = "GRAPHQL_VALIDATION_FAILED";
}

pub fn coded(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, e| e.set("code", code))
}

pub fn bad_input(field: &'static str, message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, e| {
        e.set("code", code::BAD_USER_INPUT);
        e.set("field", field);
    })
}

/// An internal fault: logged with its details and where the API met it (the resolver's
/// `.gql()` line, through `#[track_caller]`, as svix records its traces), answered with a
/// reference only.
#[track_caller]
pub fn internal(err: impl std::fmt::Display) -> Error {
    let id = uuid::Uuid::now_v7();
    let at = std::panic::Location::caller();
    tracing::error!(error_id = %id, error = %err, at = %at, "internal error");
    coded(
        code::INTERNAL,
        format!("Erreur interne (référence {id}) : réessayez plus tard, et si elle persiste, transmettez cette référence au support."),
    )
}

pub trait IntoGql {
    fn into_gql(self) -> Error;
}

/// Every module error, mapped once by the kind of failure it is (`tenants::fault`).
impl<E: Classify> IntoGql for E {
    #[track_caller]
    fn into_gql(self) -> Error {
        match self.fault() {
            Fault::BadInput { field, message } => bad_input(field, message),
            Fault::NotFound(m) => coded(code::NOT_FOUND, m),
            Fault::Forbidden(m) => coded(code::FORBIDDEN, m),
            Fault::Conflict { message, existing } => Error::new(message).extend_with(|_, e| {
                e.set("code", code::CONFLICT);
                if let Some(id) = existing {
                    e.set("existingId", id.to_string());
                }
            }),
            Fault::NotConfigured(m) => coded(code::NOT_CONFIGURED, m),
            Fault::File { code, message } => Error::new(message).extend_with(|_, e| {
                e.set("code", code);
                e.set("field", "file");
            }),
            Fault::Internal => internal(self),
        }
    }
}

/// `?`-friendly conversion: `.gql()?`.
pub trait GqlResult<T> {
    fn gql(self) -> Result<T, Error>;
}

impl<T, E: IntoGql> GqlResult<T> for Result<T, E> {
    #[track_caller]
    fn gql(self) -> Result<T, Error> {
        // A match, not `map_err`: a closure would hide the caller's location.
        match self {
            Ok(v) => Ok(v),
            Err(e) => Err(e.into_gql()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenants::gdpr::documents::DocumentError;
    use tenants::gdpr::madis::MadisError;
    use tenants::gdpr::GdprError;
    use tenants::tenancy::{AccessError, Permission};

    fn ext(e: &Error, key: &str) -> Option<String> {
        e.extensions
            .as_ref()
            .and_then(|x| x.get(key))
            .map(|v| v.to_string().trim_matches('"').to_owned())
    }

    /// Each kind of failure keeps the code and extensions the console and the DSI's scripts
    /// read, whichever module it comes from.
    #[test]
    fn every_module_error_maps_through_its_kind() {
        let id = uuid::Uuid::from_u128(9);
        // The error, its code, and one extension it must carry.
        type Case = (Error, &'static str, Option<(&'static str, String)>);
        let cases: Vec<Case> = vec![
            (
                GdprError::BadInput {
                    field: "name",
                    message: "Le nom est obligatoire.".into(),
                }
                .into_gql(),
                code::BAD_USER_INPUT,
                Some(("field", "name".into())),
            ),
            (
                GdprError::AlreadyInstantiated {
                    message: "Déjà dans le registre.".into(),
                    existing_id: id,
                }
                .into_gql(),
                code::CONFLICT,
                Some(("existingId", id.to_string())),
            ),
            (
                AccessError::Forbidden(Permission::EditGdpr).into_gql(),
                code::FORBIDDEN,
                None,
            ),
            (
                GdprError::Access(AccessError::NotFound).into_gql(),
                code::NOT_FOUND,
                None,
            ),
            (
                MadisError::NoFile.into_gql(),
                code::BAD_USER_INPUT,
                Some(("field", tenants::gdpr::madis::TREATMENTS_FILE.into())),
            ),
            (
                DocumentError::TooLarge { max: 1024 }.into_gql(),
                "FILE_TOO_LARGE",
                Some(("field", "file".into())),
            ),
            (
                tenants::backups::BackupError::NotConfigured("Pas de secret.".into()).into_gql(),
                code::NOT_CONFIGURED,
                None,
            ),
            (
                GdprError::Db(sea_orm::DbErr::Custom("connection reset".into())).into_gql(),
                code::INTERNAL,
                None,
            ),
        ];
        for (e, want, extra) in cases {
            assert_eq!(ext(&e, "code").as_deref(), Some(want), "{}", e.message);
            if let Some((k, v)) = extra {
                assert_eq!(ext(&e, k), Some(v), "{}", e.message);
            }
        }
        let hidden = GdprError::Db(sea_orm::DbErr::Custom("connection reset".into())).into_gql();
        assert!(
            !hidden.message.contains("connection reset"),
            "{}",
            hidden.message
        );
        assert!(hidden.message.starts_with("Erreur interne (référence "));
    }
}
