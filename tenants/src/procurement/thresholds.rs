//! Procurement thresholds as dated data. Code never compares an amount to a literal: it asks
//! which rows of `THRESHOLDS` are in force on a date, for a purchase category.
//!
//! Sources:
//! - R2122-8 Code de la commande publique (CCP): no publicity nor competition below the
//!   threshold ("valeur estimée inférieure à"): 40 000 EUR HT since 2020-01-01 (décret
//!   2019-1344); raised by the décret of December 2025 to 100 000 EUR HT for works from
//!   2026-01-01 and to 60 000 EUR HT for supplies and services from 2026-04-01.
//! - R2123-1 CCP: adapted procedure (procédure adaptée) below the European thresholds.
//! - R2124-1 CCP: formal procedure when the value is equal to or above the European thresholds
//!   (avis annexé au code, Commission delegated regulations): for local authorities
//!   221 000 / 5 538 000 EUR HT in 2024-2025, 216 000 / 5 404 000 EUR HT in 2026-2027.
//! - R2131-12 CCP: between 90 000 EUR HT and the European thresholds, a notice in the BOAMP or
//!   a legal-announcements journal (JAL); R2131-16: above them, BOAMP and JOUE.
//!   (Whether the December 2025 decree moved the 90 000 EUR HT step was not verified here; it
//!   is data, so a correction is one row.)
use super::vocab::Category;
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ThresholdKind {
    /// Below: no publicity nor competition required (R2122-8).
    NoPublicity,
    /// From: a notice in the BOAMP or a JAL (R2131-12).
    NationalNotice,
    /// From: formal procedure, BOAMP and JOUE (R2124-1, R2131-16).
    European,
}

impl ThresholdKind {
    pub fn code(self) -> &'static str {
        match self {
            ThresholdKind::NoPublicity => "no_publicity",
            ThresholdKind::NationalNotice => "national_notice",
            ThresholdKind::European => "european",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub kind: ThresholdKind,
    pub categories: &'static [Category],
    pub amount_cents: i64,
    pub valid_from: NaiveDate,
    /// Inclusive; `None` while in force.
    pub valid_to: Option<NaiveDate>,
    pub source: &'static str,
}

const fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, day) {
        Some(x) => x,
        None => panic!("bad date"),
    }
}

use Category::*;
const ALL: &[Category] = &[Works, Supplies, Services];
const WORKS: &[Category] = &[Works];
const SUPPLIES_SERVICES: &[Category] = &[Supplies, Services];

pub const THRESHOLDS: &[Threshold] = &[
    Threshold {
        kind: ThresholdKind::NoPublicity,
        categories: WORKS,
        amount_cents: 40_000 * 100,
        valid_from: d(2020, 1, 1),
        valid_to: Some(d(2025, 12, 31)),
        source: "R2122-8 CCP (décret 2019-1344)",
    },
    Threshold {
        kind: ThresholdKind::NoPublicity,
        categories: SUPPLIES_SERVICES,
        amount_cents: 40_000 * 100,
        valid_from: d(2020, 1, 1),
        valid_to: Some(d(2026, 3, 31)),
        source: "R2122-8 CCP (décret 2019-1344)",
    },
    Threshold {
        kind: ThresholdKind::NoPublicity,
        categories: WORKS,
        amount_cents: 100_000 * 100,
        valid_from: d(2026, 1, 1),
        valid_to: None,
        source: "R2122-8 CCP (décret de décembre 2025)",
    },
    Threshold {
        kind: ThresholdKind::NoPublicity,
        categories: SUPPLIES_SERVICES,
        amount_cents: 60_000 * 100,
        valid_from: d(2026, 4, 1),
        valid_to: None,
        source: "R2122-8 CCP (décret de décembre 2025)",
    },
    Threshold {
        kind: ThresholdKind::NationalNotice,
        categories: ALL,
        amount_cents: 90_000 * 100,
        valid_from: d(2019, 4, 1),
        valid_to: None,
        source: "R2131-12 CCP",
    },
    Threshold {
        kind: ThresholdKind::European,
        categories: SUPPLIES_SERVICES,
        amount_cents: 221_000 * 100,
        valid_from: d(2024, 1, 1),
        valid_to: Some(d(2025, 12, 31)),
        source: "R2124-1 CCP, avis annexé (règlement délégué (UE) 2023/2497)",
    },
    Threshold {
        kind: ThresholdKind::European,
        categories: WORKS,
        amount_cents: 5_538_000 * 100,
        valid_from: d(2024, 1, 1),
        valid_to: Some(d(2025, 12, 31)),
        source: "R2124-1 CCP, avis annexé (règlement délégué (UE) 2023/2497)",
    },
    Threshold {
        kind: ThresholdKind::European,
        categories: SUPPLIES_SERVICES,
        amount_cents: 216_000 * 100,
        valid_from: d(2026, 1, 1),
        valid_to: Some(d(2027, 12, 31)),
        source: "R2124-1 CCP, avis annexé (seuils européens 2026-2027)",
    },
    Threshold {
        kind: ThresholdKind::European,
        categories: WORKS,
        amount_cents: 5_404_000 * 100,
        valid_from: d(2026, 1, 1),
        valid_to: Some(d(2027, 12, 31)),
        source: "R2124-1 CCP, avis annexé (seuils européens 2026-2027)",
    },
];

impl Threshold {
    pub fn in_force(&self, category: Category, on: NaiveDate) -> bool {
        self.categories.contains(&category)
            && self.valid_from <= on
            && self.valid_to.is_none_or(|t| on <= t)
    }
}

/// The thresholds in force for a category on a date, lowest first.
pub fn in_force(category: Category, on: NaiveDate) -> Vec<&'static Threshold> {
    let mut v: Vec<_> = THRESHOLDS
        .iter()
        .filter(|t| t.in_force(category, on))
        .collect();
    v.sort_by_key(|t| (t.amount_cents, t.kind));
    v
}

pub fn threshold(
    category: Category,
    on: NaiveDate,
    kind: ThresholdKind,
) -> Option<&'static Threshold> {
    in_force(category, on).into_iter().find(|t| t.kind == kind)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirements {
    /// The DECP procedure name the purchase falls under by default.
    pub procedure: &'static str,
    /// "none", "adapted" (free form, proportionate), "boamp_or_jal", "boamp_and_joue".
    pub publicity: &'static str,
    pub thresholds: Vec<&'static Threshold>,
    /// No European threshold is recorded for that date: the answer is not complete.
    pub unknown_european_threshold: bool,
}

/// What a planned purchase of this category and estimated value (cents HT) requires on `on`.
pub fn requirements(category: Category, amount_cents: i64, on: NaiveDate) -> Requirements {
    let ts = in_force(category, on);
    let amount_of = |k| ts.iter().find(|t| t.kind == k).map(|t| t.amount_cents);
    let below_free = amount_of(ThresholdKind::NoPublicity).is_some_and(|a| amount_cents < a);
    let european = amount_of(ThresholdKind::European);
    let formal = european.is_some_and(|a| amount_cents >= a);
    let national = amount_of(ThresholdKind::NationalNotice).is_some_and(|a| amount_cents >= a);
    let (procedure, publicity) = if formal {
        ("Appel d'offres ouvert", "boamp_and_joue")
    } else if below_free {
        (
            "Marché passé sans publicité ni mise en concurrence préalable",
            "none",
        )
    } else if national {
        ("Procédure adaptée", "boamp_or_jal")
    } else {
        ("Procédure adaptée", "adapted")
    };
    Requirements {
        procedure,
        publicity,
        thresholds: ts,
        unknown_european_threshold: european.is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(c: Category, euros: i64, on: NaiveDate) -> (&'static str, &'static str) {
        let r = requirements(c, euros * 100, on);
        (r.procedure, r.publicity)
    }
    const NONE: (&str, &str) = (
        "Marché passé sans publicité ni mise en concurrence préalable",
        "none",
    );
    const MAPA: (&str, &str) = ("Procédure adaptée", "adapted");
    const MAPA_NOTICE: (&str, &str) = ("Procédure adaptée", "boamp_or_jal");
    const FORMAL: (&str, &str) = ("Appel d'offres ouvert", "boamp_and_joue");

    #[test]
    fn supplies_and_services_no_publicity_rises_on_2026_04_01() {
        for c in [Supplies, Services] {
            let before = d(2026, 3, 31);
            let after = d(2026, 4, 1);
            assert_eq!(req(c, 39_999, before), NONE);
            assert_eq!(req(c, 40_000, before), MAPA);
            assert_eq!(req(c, 59_999, before), MAPA);
            assert_eq!(req(c, 40_000, after), NONE);
            assert_eq!(req(c, 59_999, after), NONE);
            assert_eq!(req(c, 60_000, after), MAPA);
            // One cent matters.
            assert_eq!(requirements(c, 60_000 * 100 - 1, after).publicity, "none");
            assert_eq!(requirements(c, 60_000 * 100, after).publicity, "adapted");
        }
    }

    #[test]
    fn works_no_publicity_rises_on_2026_01_01() {
        let before = d(2025, 12, 31);
        let after = d(2026, 1, 1);
        assert_eq!(req(Works, 39_999, before), NONE);
        assert_eq!(req(Works, 40_000, before), MAPA);
        assert_eq!(req(Works, 99_999, before), MAPA_NOTICE);
        assert_eq!(req(Works, 99_999, after), NONE);
        assert_eq!(req(Works, 100_000, after), MAPA_NOTICE);
        // Supplies on 2026-01-01 still at 40 000.
        assert_eq!(req(Supplies, 40_000, after), MAPA);
    }

    #[test]
    fn national_notice_from_90_000() {
        let on = d(2025, 6, 1);
        assert_eq!(req(Services, 89_999, on), MAPA);
        assert_eq!(req(Services, 90_000, on), MAPA_NOTICE);
    }

    #[test]
    fn european_thresholds_2024_2025_then_2026_2027() {
        let (y24, y25, y26, y27) = (
            d(2024, 1, 1),
            d(2025, 12, 31),
            d(2026, 1, 1),
            d(2027, 12, 31),
        );
        for on in [y24, y25] {
            assert_eq!(req(Services, 220_999, on), MAPA_NOTICE);
            assert_eq!(req(Services, 221_000, on), FORMAL);
            assert_eq!(req(Works, 5_537_999, on), MAPA_NOTICE);
            assert_eq!(req(Works, 5_538_000, on), FORMAL);
        }
        for on in [y26, y27] {
            assert_eq!(req(Supplies, 215_999, on), MAPA_NOTICE);
            assert_eq!(req(Supplies, 216_000, on), FORMAL);
            assert_eq!(req(Supplies, 220_000, on), FORMAL);
            assert_eq!(req(Works, 5_403_999, on), MAPA_NOTICE);
            assert_eq!(req(Works, 5_404_000, on), FORMAL);
        }
        // 216 000 is below the 2025 threshold.
        assert_eq!(req(Supplies, 216_000, y25), MAPA_NOTICE);
        // Outside the recorded periods the answer says it does not know the EU threshold.
        assert!(requirements(Works, 1, d(2023, 12, 31)).unknown_european_threshold);
        assert!(requirements(Works, 1, d(2028, 1, 1)).unknown_european_threshold);
        assert!(!requirements(Works, 1, y27).unknown_european_threshold);
    }

    #[test]
    fn periods_of_one_kind_never_overlap() {
        for c in Category::ALL {
            let mut day = d(2019, 1, 1);
            while day < d(2029, 1, 1) {
                let ts = in_force(c, day);
                for k in [
                    ThresholdKind::NoPublicity,
                    ThresholdKind::NationalNotice,
                    ThresholdKind::European,
                ] {
                    assert!(
                        ts.iter().filter(|t| t.kind == k).count() <= 1,
                        "{c:?} {day}"
                    );
                }
                day = day.succ_opt().expect("test data");
            }
        }
    }
}
