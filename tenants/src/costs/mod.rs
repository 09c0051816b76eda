//! Cost allocation: a service catalogue, communes' subscriptions, allocation keys, cost pools
//! allocated exactly to the cent by a method (usage, key, fixed percentages, weighted mix), and
//! immutable runs whose lines explain each commune's share.
pub mod allocate;
pub mod catalogue;
pub mod demo;
pub mod focus;
pub mod methods;
pub mod pools;
pub mod runs;

use crate::audit::AuditError;
use crate::tenancy::AccessError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum CostError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{field}: {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl crate::fault::Classify for CostError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            CostError::Access(e) => e.fault(),
            CostError::BadInput { field, message } => Fault::bad(field, message),
            CostError::Conflict(m) => Fault::conflict(m),
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(CostError);

pub(crate) use crate::fault::bad;

/// 1 January and 31 December of a calendar year from 1 to 9999: the years a date can be written
/// with (YYYY-MM-DD), all within PostgreSQL's range. `None` outside, where chrono would still
/// build a date that PostgreSQL refuses.
pub fn calendar_year(y: i32) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    if !(1..=9999).contains(&y) {
        return None;
    }
    Some((
        chrono::NaiveDate::from_ymd_opt(y, 1, 1)?,
        chrono::NaiveDate::from_ymd_opt(y, 12, 31)?,
    ))
}

/// Euros from cents, French style: `12 345,67 €` (narrow no-break space between thousands).
pub fn euros(cents: i64) -> String {
    formats::ValueFormat::Cents.print(cents)
}

/// Thousands separated by a narrow no-break space.
pub fn group(n: u64) -> String {
    formats::group_thousands(n)
}

/// A ratio as a French percentage with two decimals: `13,70 %`.
pub fn percent(num: u128, den: u128) -> String {
    if den == 0 {
        return "0,00 %".into();
    }
    let hundredths = (num * 10_000 * 2 + den) / (2 * den);
    format!("{},{:02} %", hundredths / 100, hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_french_amounts() {
        assert_eq!(euros(1_234_567), "12\u{202f}345,67 €");
        assert_eq!(euros(-5), "-0,05 €");
        assert_eq!(euros(100), "1,00 €");
        assert_eq!(percent(1, 3), "33,33 %");
        assert_eq!(percent(2, 3), "66,67 %");
        assert_eq!(group(1_000_000), "1\u{202f}000\u{202f}000");
    }
}
