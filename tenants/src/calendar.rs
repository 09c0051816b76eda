//! The calendar every module keeps: today in Paris (where legal deadlines are counted) and the
//! calendar month (`Period`) that metering, cost allocation, billing and the consolidated
//! reports are computed for. Times are stored in UTC; these turn them into Paris dates.
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Paris;

/// Today's date in Paris, where the legal calendar is kept.
pub fn paris_today() -> NaiveDate {
    Utc::now().with_timezone(&Paris).date_naive()
}

/// A month that is not `AAAA-MM` (2000 to 2100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Indiquez un mois au format AAAA-MM.")]
pub struct BadPeriod;

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    pub month: u32,
}

impl Period {
    pub fn parse(s: &str) -> Result<Self, BadPeriod> {
        let err = || BadPeriod;
        let (y, m) = s.trim().split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u32 = m.parse().map_err(|_| err())?;
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
            return Err(err());
        }
        Ok(Period { year, month })
    }

    fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("validated month")
    }

    /// The month in French words: `octobre 2026`.
    pub fn french(self) -> String {
        format!("{} {}", crate::fr::month(self.month), self.year)
    }

    /// [start, end) in UTC, from midnight Paris time.
    pub fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let next = self
            .first_day()
            .checked_add_months(chrono::Months::new(1))
            .expect("month in range");
        let at = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_local_timezone(Paris)
                .earliest()
                .expect("midnight exists in Paris")
                .with_timezone(&Utc)
        };
        (at(self.first_day()), at(next))
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Stored and sent as `YYYY-MM` (a job's payload, a GraphQL argument).
impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).map_err(|_| serde::de::Error::custom(format!("not a month: {s:?}")))
    }
}

/// The month of `now` in Paris.
pub fn current_period(now: DateTime<Utc>) -> Period {
    let d = now.with_timezone(&Paris);
    Period {
        year: d.year(),
        month: d.month(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn calendar_period_bounds_follow_paris_time() {
        let p = Period::parse("2026-03").expect("period");
        let (s, e) = p.bounds();
        // 1 March 00:00 CET = 23:00 UTC the day before; 1 April 00:00 CEST = 22:00 UTC.
        assert_eq!(
            s,
            Utc.with_ymd_and_hms(2026, 2, 28, 23, 0, 0)
                .single()
                .expect("date")
        );
        assert_eq!(
            e,
            Utc.with_ymd_and_hms(2026, 3, 31, 22, 0, 0)
                .single()
                .expect("date")
        );
        for bad in ["2026-3", "2026-13", "26-03", "march", "2026-00"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn calendar_the_current_period_is_the_paris_month() {
        // 31 December 23:30 UTC is already January in Paris.
        let at = Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 30, 0)
            .single()
            .expect("date");
        assert_eq!(
            current_period(at),
            Period {
                year: 2027,
                month: 1
            }
        );
        assert_eq!(current_period(at).to_string(), "2027-01");
    }
}
