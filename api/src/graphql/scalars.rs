//! Scalars with the names an API user expects.
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date, ISO 8601 (`2026-03-02`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_date(s).map(Date).ok_or_else(|| {
                InputValueError::custom(format!(
                    "« {s} » n'est pas une date au format AAAA-MM-JJ (YYYY-MM-DD)."
                ))
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// `YYYY-MM-DD` with a four-digit year, 0001 to 9999. chrono's `%Y` also reads signed years of
/// any length (`-10000-01-01`, `+200000-12-31`), which PostgreSQL cannot store: refused here.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| chrono::Datelike::year(d) >= 1)
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_are_four_digit_years_from_0001_to_9999() {
        assert_eq!(
            parse_date("2026-03-02"),
            chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
        );
        assert!(parse_date("0001-01-01").is_some());
        assert!(parse_date("9999-12-31").is_some());
        for bad in [
            "-10000-01-01",
            "+200000-12-31",
            "+2026-03-02",
            "0000-01-01",
            "2026-3-2",
            "2026-02-30",
            "2026-03-02T00:00:00Z",
            " 2026-03-02",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
