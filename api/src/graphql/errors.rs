//! Domain errors -> GraphQL errors with a stable `extensions.code` (and `extensions.field` for
//! input errors). Internal details are logged, never returned.
use async_graphql::{Error, ErrorExtensions};
use tenants::access::AccessGrantError;
use tenants::directory::DirectoryError;
use tenants::referential::ReferentialError;
use tenants::tenancy::AccessError;

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

pub fn internal(err: impl std::fmt::Display) -> Error {
    let id = uuid::Uuid::now_v7();
    tracing::error!(error_id = %id, error = %err, "internal error");
    coded(
        code::INTERNAL,
        format!("Erreur interne (référence {id}) : réessayez plus tard, et si elle persiste, transmettez cette référence au support."),
    )
}

pub trait IntoGql {
    fn into_gql(self) -> Error;
}

impl IntoGql for AccessError {
    fn into_gql(self) -> Error {
        match self {
            AccessError::Forbidden(_) => coded(code::FORBIDDEN, self.to_string()),
            AccessError::NotFound => coded(code::NOT_FOUND, self.to_string()),
        }
    }
}

impl IntoGql for sea_orm::DbErr {
    fn into_gql(self) -> Error {
        internal(self)
    }
}

impl IntoGql for DirectoryError {
    fn into_gql(self) -> Error {
        match self {
            DirectoryError::Access(a) => a.into_gql(),
            DirectoryError::BadInput { field, message } => bad_input(field, message),
            DirectoryError::Conflict(m) => coded(code::CONFLICT, m),
            DirectoryError::SelfGrant => coded(code::FORBIDDEN, self.to_string()),
            other => internal(other),
        }
    }
}

impl IntoGql for AccessGrantError {
    fn into_gql(self) -> Error {
        match self {
            AccessGrantError::Access(a) => a.into_gql(),
            AccessGrantError::BadInput { field, message } => bad_input(field, message),
            AccessGrantError::Conflict(m) => coded(code::CONFLICT, m),
            AccessGrantError::SelfGrant | AccessGrantError::TokenByToken => {
                coded(code::FORBIDDEN, self.to_string())
            }
            AccessGrantError::Directory(d) => d.into_gql(),
            other => internal(other),
        }
    }
}

impl IntoGql for ReferentialError {
    fn into_gql(self) -> Error {
        match self {
            ReferentialError::UnknownSiren(_) => coded(code::NOT_FOUND, self.to_string()),
            other => internal(other),
        }
    }
}

/// `?`-friendly conversion: `.gql()?`.
pub trait GqlResult<T> {
    fn gql(self) -> Result<T, Error>;
}

impl<T, E: IntoGql> GqlResult<T> for Result<T, E> {
    fn gql(self) -> Result<T, Error> {
        self.map_err(IntoGql::into_gql)
    }
}
