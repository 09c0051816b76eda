//! Procurement thresholds as dated data. Code never compares an amount to a literal: it asks
//! which rows of `THRESHOLDS` are in force on a date, for a purchase category.
//!
//! Sources (each row below names its text; dates are inclusive, in force from the day after
//! publication in the Journal officiel unless the text says otherwise):
//! - R2122-8 Code de la commande publique (CCP): no publicity nor competition below the
//!   threshold ("valeur estimée inférieure à"): 25 000 EUR HT from 2016-04-01 (décret 2016-360,
//!   art. 30, then R2122-8 from 2019-04-01), 40 000 EUR HT from 2020-01-01 (décret 2019-1344);
//!   raised by the décret of December 2025 to 100 000 EUR HT for works from 2026-01-01 (made
//!   permanent) and to 60 000 EUR HT for supplies and services from 2026-04-01.
//! - Works below 100 000 EUR HT without publicity nor competition, continuously since
//!   2020-12-08: loi 2020-1525 (ASAP) art. 142, published 2020-12-08, in force until
//!   2022-12-31; extended by décret 2022-1683 to 2024-12-31, then by décret 2024-1217 to
//!   2025-12-31; permanent from 2026-01-01 (above).
//! - R2123-1 CCP: adapted procedure (procédure adaptée) below the European thresholds.
//! - R2124-1 CCP: formal procedure when the value is equal to or above the European thresholds
//!   (avis annexé au code, Commission delegated regulations), for local authorities:
//!   214 000 / 5 350 000 EUR HT in 2020-2021 (règlements délégués (UE) 2019/1828 and 2019/1829),
//!   215 000 / 5 382 000 in 2022-2023 (2021/1952, 2021/1953), 221 000 / 5 538 000 in 2024-2025
//!   (2023/2497, 2023/2495), 216 000 / 5 404 000 in 2026-2027.
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
        categories: ALL,
        amount_cents: 25_000 * 100,
        valid_from: d(2016, 4, 1),
        valid_to: Some(d(2019, 12, 31)),
        source: "art. 30 décret 2016-360, puis R2122-8 CCP",
    },
    Threshold {
        kind: ThresholdKind::NoPublicity,
        categories: WORKS,
        amount_cents: 40_000 * 100,
        valid_from: d(2020, 1, 1),
        valid_to: Some(d(2020, 12, 7)),
        source: "R2122-8 CCP (décret 2019-1344)",
    },
    Threshold {
        kind: ThresholdKind::NoPublicity,
        categories: WORKS,
        amount_cents: 100_000 * 100,
        valid_from: d(2020, 12, 8),
        valid_to: Some(d(2022, 12, 31)),
        source: "loi 2020-1525 (ASAP), art. 142",
    },
    Threshold {
        kind: ThresholdKind::NoPublicity,
        categories: WORKS,
        amount_cents: 100_000 * 100,
        valid_from: d(2023, 1, 1),
        valid_to: Some(d(2024, 12, 31)),
        source: "loi 2020-1525 (ASAP), art. 142, prolongé par le décret 2022-1683",
    },
    Threshold {
        kind: ThresholdKind::NoPublicity,
        categories: WORKS,
        amount_cents: 100_000 * 100,
        valid_from: d(2025, 1, 1),
        valid_to: Some(d(2025, 12, 31)),
        source: "loi 2020-1525 (ASAP), art. 142, prolongé par le décret 2024-1217",
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
        valid_from: d(2016, 4, 1),
        valid_to: None,
        source: "art. 34 décret 2016-360, puis R2131-12 CCP",
    },
    Threshold {
        kind: ThresholdKind::European,
        categories: SUPPLIES_SERVICES,
        amount_cents: 214_000 * 100,
        valid_from: d(2020, 1, 1),
        valid_to: Some(d(2021, 12, 31)),
        source: "R2124-1 CCP, avis annexé (règlements délégués (UE) 2019/1828 et 2019/1829)",
    },
    Threshold {
        kind: ThresholdKind::European,
        categories: WORKS,
        amount_cents: 5_350_000 * 100,
        valid_from: d(2020, 1, 1),
        valid_to: Some(d(2021, 12, 31)),
        source: "R2124-1 CCP, avis annexé (règlements délégués (UE) 2019/1828 et 2019/1829)",
    },
    Threshold {
        kind: ThresholdKind::European,
        categories: SUPPLIES_SERVICES,
        amount_cents: 215_000 * 100,
        valid_from: d(2022, 1, 1),
        valid_to: Some(d(2023, 12, 31)),
        source: "R2124-1 CCP, avis annexé (règlements délégués (UE) 2021/1952 et 2021/1953)",
    },
    Threshold {
        kind: ThresholdKind::European,
        categories: WORKS,
        amount_cents: 5_382_000 * 100,
        valid_from: d(2022, 1, 1),
        valid_to: Some(d(2023, 12, 31)),
        source: "R2124-1 CCP, avis annexé (règlements délégués (UE) 2021/1952 et 2021/1953)",
    },
    Threshold {
        kind: ThresholdKind::European,
        categories: SUPPLIES_SERVICES,
        amount_cents: 221_000 * 100,
        valid_from: d(2024, 1, 1),
        valid_to: Some(d(2025, 12, 31)),
        source: "R2124-1 CCP, avis annexé (règlements délégués (UE) 2023/2497 et 2023/2495)",
    },
    Threshold {
        kind: ThresholdKind::European,
        categories: WORKS,
        amount_cents: 5_538_000 * 100,
        valid_from: d(2024, 1, 1),
        valid_to: Some(d(2025, 12, 31)),
        source: "R2124-1 CCP, avis annexé (règlements délégués (UE) 2023/2497 et 2023/2495)",
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

    /// Both sides of every date boundary of the works threshold: 25 000 until 2019, 40 000 in
    /// 2020, 100 000 from 2020-12-08 (loi ASAP) through its two extensions, then for good.
    #[test]
    fn works_no_publicity_follows_asap_and_its_extensions() {
        assert_eq!(req(Works, 24_999, d(2019, 12, 31)), NONE);
        assert_eq!(req(Works, 25_000, d(2019, 12, 31)), MAPA);
        assert_eq!(req(Works, 39_999, d(2020, 1, 1)), NONE);
        assert_eq!(req(Works, 40_000, d(2020, 12, 7)), MAPA);
        assert_eq!(req(Works, 99_999, d(2020, 12, 7)), MAPA_NOTICE);
        assert_eq!(req(Works, 99_999, d(2020, 12, 8)), NONE);
        assert_eq!(req(Works, 100_000, d(2020, 12, 8)), MAPA_NOTICE);
        for day in [
            d(2022, 12, 31),
            d(2023, 1, 1),
            d(2024, 12, 31),
            d(2025, 1, 1),
            d(2025, 12, 31),
            d(2026, 1, 1),
            d(2030, 6, 1),
        ] {
            assert_eq!(req(Works, 99_999, day), NONE, "{day}");
            assert_eq!(req(Works, 100_000, day), MAPA_NOTICE, "{day}");
            assert_eq!(
                requirements(Works, 100_000 * 100 - 1, day).publicity,
                "none",
                "{day}"
            );
        }
        // Each period names its own text.
        let source = |day| {
            threshold(Works, day, ThresholdKind::NoPublicity)
                .map(|t| t.source)
                .unwrap_or_default()
        };
        assert!(source(d(2022, 12, 31)).contains("ASAP"));
        assert!(source(d(2023, 1, 1)).contains("2022-1683"));
        assert!(source(d(2025, 1, 1)).contains("2024-1217"));
        assert!(source(d(2026, 1, 1)).contains("décembre 2025"));
        // Supplies on 2026-01-01 still at 40 000, 25 000 before 2020.
        assert_eq!(req(Supplies, 40_000, d(2026, 1, 1)), MAPA);
        assert_eq!(req(Supplies, 39_999, d(2020, 1, 1)), NONE);
        assert_eq!(req(Supplies, 25_000, d(2019, 12, 31)), MAPA);
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
        // 2020-2021 and 2022-2023, both sides of their boundaries.
        for (on, s, w) in [
            (d(2021, 12, 31), 214_000, 5_350_000),
            (d(2022, 1, 1), 215_000, 5_382_000),
            (d(2023, 12, 31), 215_000, 5_382_000),
            (d(2020, 1, 1), 214_000, 5_350_000),
        ] {
            assert_eq!(req(Services, s - 1, on), MAPA_NOTICE, "{on}");
            assert_eq!(req(Services, s, on), FORMAL, "{on}");
            assert_eq!(req(Works, w - 1, on), MAPA_NOTICE, "{on}");
            assert_eq!(req(Works, w, on), FORMAL, "{on}");
        }
        // Outside the recorded periods the answer says it does not know the EU threshold.
        assert!(requirements(Works, 1, d(2019, 12, 31)).unknown_european_threshold);
        assert!(requirements(Works, 1, d(2028, 1, 1)).unknown_european_threshold);
        assert!(!requirements(Works, 1, y27).unknown_european_threshold);
    }

    #[test]
    fn periods_of_one_kind_never_overlap() {
        for c in Category::ALL {
            let mut day = d(2016, 1, 1);
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
