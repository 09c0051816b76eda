//! One error vocabulary. Every module keeps its own `thiserror` enum (its variants say what
//! went wrong there), and says through `Classify` which of the few kinds of failure each one
//! is: bad input on a field, not found, forbidden, a conflict, a missing setting, a file too
//! large or refused, or an internal fault. The API maps these kinds once to GraphQL and once
//! to HTTP; the messages of the first six are French and shown as they are, an internal
//! fault's details are logged, never shown.
use crate::tenancy::AccessError;
use uuid::Uuid;

/// What kind of failure an error is, with what the caller may be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The input field `field` is wrong: `message` says how.
    BadInput {
        field: &'static str,
        message: String,
    },
    NotFound(String),
    Forbidden(String),
    /// The change collides with the current state (a newer version, a duplicate); `existing`
    /// names the row already there when there is one to open.
    Conflict {
        message: String,
        existing: Option<Uuid>,
    },
    /// The server lacks a setting this operation needs.
    NotConfigured(String),
    /// An uploaded file refused as a whole: `code` is `FILE_TOO_LARGE` or `UNSUPPORTED_FILE_TYPE`.
    File {
        code: &'static str,
        message: String,
    },
    /// Anything else: a bug, the database, a service down. Logged, never shown.
    Internal,
}

/// A module error that knows which kind of failure it is.
pub trait Classify: std::error::Error {
    fn fault(&self) -> Fault;
}

/// Module errors with a `BadInput { field, message }` variant: one `bad(field, message)` for
/// them all.
pub trait FromBadInput {
    fn bad_input(field: &'static str, message: String) -> Self;
}

/// Bad input on `field`, in the error type the caller returns.
pub fn bad<E: FromBadInput>(field: &'static str, message: impl Into<String>) -> E {
    E::bad_input(field, message.into())
}

/// `FromBadInput` for module enums with a `BadInput { field, message }` variant (each module
/// says it next to its enum: this kernel module imports none of them).
macro_rules! bad_input_variant {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::fault::FromBadInput for $ty {
            fn bad_input(field: &'static str, message: String) -> Self {
                Self::BadInput { field, message }
            }
        }
    )*};
}
pub(crate) use bad_input_variant;

/// The shared shapes, for the `Classify` impls of the modules.
impl Fault {
    pub fn bad(field: &'static str, message: &str) -> Fault {
        Fault::BadInput {
            field,
            message: message.to_owned(),
        }
    }

    pub fn conflict(message: &str) -> Fault {
        Fault::Conflict {
            message: message.to_owned(),
            existing: None,
        }
    }
}

impl Classify for AccessError {
    fn fault(&self) -> Fault {
        match self {
            AccessError::Forbidden(_) => Fault::Forbidden(self.to_string()),
            AccessError::NotFound => Fault::NotFound(self.to_string()),
        }
    }
}

impl Classify for sea_orm::DbErr {
    fn fault(&self) -> Fault {
        Fault::Internal
    }
}
