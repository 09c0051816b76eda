//! Legal calendar: public holidays by commune, and month periods counted as Regulation (EEC,
//! Euratom) No 1182/71 counts them (applies to the GDPR's "one month", Art. 12(3)).
//!
//! Holidays: Code du travail L3133-1 (the eleven national ones); Alsace-Moselle (Bas-Rhin 67,
//! Haut-Rhin 68, Moselle 57) also keeps Good Friday and 26 December (Code du travail L3134-13);
//! overseas departments keep the abolition of slavery (loi 83-550, décret 83-1003).
use chrono::{Datelike, Duration, NaiveDate, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calendar {
    /// Metropolitan France.
    National,
    /// Bas-Rhin, Haut-Rhin, Moselle.
    AlsaceMoselle,
    /// Overseas department, with its abolition-of-slavery day (month, day).
    Overseas { abolition: (u32, u32) },
}

impl Calendar {
    /// The calendar of a commune from its INSEE code.
    pub fn for_insee(code: &str) -> Self {
        match code.get(..3) {
            Some("971") => Calendar::Overseas { abolition: (5, 27) }, // Guadeloupe
            Some("972") => Calendar::Overseas { abolition: (5, 22) }, // Martinique
            Some("973") => Calendar::Overseas { abolition: (6, 10) }, // Guyane
            Some("974") => Calendar::Overseas {
                abolition: (12, 20),
            }, // La Réunion
            Some("976") => Calendar::Overseas { abolition: (4, 27) }, // Mayotte
            _ => match code.get(..2) {
                Some("57" | "67" | "68") => Calendar::AlsaceMoselle,
                _ => Calendar::National,
            },
        }
    }

    pub fn is_public_holiday(self, d: NaiveDate) -> bool {
        let (m, day) = (d.month(), d.day());
        let fixed = matches!(
            (m, day),
            (1, 1) | (5, 1) | (5, 8) | (7, 14) | (8, 15) | (11, 1) | (11, 11) | (12, 25)
        );
        let easter = easter_sunday(d.year());
        let movable = d == easter + Duration::days(1) // Easter Monday
            || d == easter + Duration::days(39) // Ascension
            || d == easter + Duration::days(50); // Whit Monday
        let local = match self {
            Calendar::National => false,
            Calendar::AlsaceMoselle => d == easter - Duration::days(2) || (m, day) == (12, 26),
            Calendar::Overseas { abolition } => (m, day) == abolition,
        };
        fixed || movable || local
    }

    pub fn is_working_day(self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_public_holiday(d)
    }

    /// The day itself if it is a working day, else the next working day (1182/71 Art. 3(4)).
    pub fn next_working_day(self, mut d: NaiveDate) -> NaiveDate {
        while !self.is_working_day(d) {
            d += Duration::days(1);
        }
        d
    }

    /// The last day of a period of `months` months from the event on `from` (1182/71 Art.
    /// 3(2)(c)): the same date `months` later, or that month's last day when the date does not
    /// exist; moved to the next working day when it falls on a weekend or a holiday.
    pub fn months_later(self, from: NaiveDate, months: u32) -> NaiveDate {
        self.next_working_day(add_months(from, months))
    }
}

/// Same day `months` later, clamped to the month's last day.
pub fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + months as i32;
    let (y, m0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    (1..=d.day())
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(y, m0 + 1, day))
        .unwrap_or(d)
}

/// Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn easter_dates_match_the_published_ones() {
        assert_eq!(easter_sunday(2024), d(2024, 3, 31));
        assert_eq!(easter_sunday(2025), d(2025, 4, 20));
        assert_eq!(easter_sunday(2026), d(2026, 4, 5));
        assert_eq!(easter_sunday(2027), d(2027, 3, 28));
        assert_eq!(easter_sunday(2038), d(2038, 4, 25));
    }

    #[test]
    fn thirty_first_of_january_ends_on_the_last_day_of_february() {
        // 2027: 28 February is a Sunday -> Monday 1 March.
        assert_eq!(add_months(d(2027, 1, 31), 1), d(2027, 2, 28));
        assert_eq!(
            Calendar::National.months_later(d(2027, 1, 31), 1),
            d(2027, 3, 1)
        );
        // 2028 is a leap year: 29 February 2028 is a Tuesday.
        assert_eq!(
            Calendar::National.months_later(d(2028, 1, 31), 1),
            d(2028, 2, 29)
        );
        // 2026: 28 February is a Saturday -> Monday 2 March.
        assert_eq!(
            Calendar::National.months_later(d(2026, 1, 31), 1),
            d(2026, 3, 2)
        );
        // The extension: three months from 30 November 2026 -> 28 February 2027 (Sunday) -> 1 March.
        assert_eq!(
            Calendar::National.months_later(d(2026, 11, 30), 3),
            d(2027, 3, 1)
        );
    }

    #[test]
    fn same_date_next_month_and_weekends() {
        assert_eq!(
            Calendar::National.months_later(d(2026, 9, 15), 1),
            d(2026, 10, 15)
        );
        // 14 November 2026 is a Saturday -> Monday 16.
        assert_eq!(
            Calendar::National.months_later(d(2026, 10, 14), 1),
            d(2026, 11, 16)
        );
        // 31 December -> 31 January.
        assert_eq!(add_months(d(2026, 12, 31), 1), d(2027, 1, 31));
    }

    #[test]
    fn movable_holidays_move_the_deadline() {
        // Received 14 April 2026 -> 14 May 2026, Ascension (Thursday) -> Friday 15 May.
        assert_eq!(
            Calendar::National.months_later(d(2026, 4, 14), 1),
            d(2026, 5, 15)
        );
        // Received 25 April 2026 -> Monday 25 May 2026 is Whit Monday -> Tuesday 26.
        assert_eq!(
            Calendar::National.months_later(d(2026, 4, 25), 1),
            d(2026, 5, 26)
        );
        // Received 6 March 2026 -> 6 April 2026 is Easter Monday -> Tuesday 7.
        assert_eq!(
            Calendar::National.months_later(d(2026, 3, 6), 1),
            d(2026, 4, 7)
        );
    }

    #[test]
    fn alsace_moselle_keeps_good_friday_and_saint_stephen() {
        let strasbourg = Calendar::for_insee("67482");
        assert_eq!(strasbourg, Calendar::AlsaceMoselle);
        assert_eq!(Calendar::for_insee("57463"), Calendar::AlsaceMoselle); // Metz
                                                                           // Received 3 March 2026 -> Good Friday 3 April 2026.
        assert_eq!(
            Calendar::National.months_later(d(2026, 3, 3), 1),
            d(2026, 4, 3)
        );
        // In Strasbourg: Good Friday, weekend, Easter Monday -> Tuesday 7 April.
        assert_eq!(strasbourg.months_later(d(2026, 3, 3), 1), d(2026, 4, 7));
        // Received 26 November 2026 -> Saturday 26 December... both move to Monday 28.
        assert_eq!(strasbourg.months_later(d(2026, 11, 26), 1), d(2026, 12, 28));
        // 26 December 2025 is a Friday: a working day in Compiègne, a holiday in Colmar.
        assert!(Calendar::for_insee("60159").is_working_day(d(2025, 12, 26)));
        assert!(!Calendar::for_insee("68066").is_working_day(d(2025, 12, 26)));
    }

    #[test]
    fn overseas_departments_keep_their_abolition_day() {
        let reunion = Calendar::for_insee("97411");
        assert!(!reunion.is_public_holiday(d(2026, 12, 21)));
        assert!(reunion.is_public_holiday(d(2026, 12, 20)));
        // Received 22 April 2026 in Martinique: 22 May 2026 (Friday) is a holiday there, then a
        // weekend, then Whit Monday -> Tuesday 26 May. In Compiègne it stays Friday 22.
        assert_eq!(
            Calendar::for_insee("97209").months_later(d(2026, 4, 22), 1),
            d(2026, 5, 26)
        );
        assert_eq!(
            Calendar::for_insee("60159").months_later(d(2026, 4, 22), 1),
            d(2026, 5, 22)
        );
    }
}
