//! CPV (Common Procurement Vocabulary, Regulation (EC) No 213/2008): the official list is
//! embedded with its French labels (`data/cpv2008_fr.csv`, the EU's CPV 2008 list; source and
//! checks in `data/README.md`).
//! A code is 8 digits, optionally followed by `-` and its check digit.
use crate::collation::fold;
use std::collections::HashMap;
use std::sync::OnceLock;

const CSV: &str = include_str!("../../data/cpv2008_fr.csv");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpvError {
    #[error(
        "« {0} » n'est pas un code CPV : 8 chiffres, suivis éventuellement d'un tiret et de la clé de contrôle (72000000-5 par exemple)."
    )]
    Format(String),
    #[error("La clé de contrôle du code CPV {code} est fausse : la bonne clé est {expected}.")]
    CheckDigit { code: String, expected: u8 },
    #[error("Le code {0} ne figure pas dans la nomenclature CPV 2008.")]
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpvEntry {
    pub code: &'static str,
    pub label: &'static str,
}

impl CpvEntry {
    /// The code with its check digit, as notices print it.
    pub fn display(&self) -> String {
        format!("{}-{}", self.code, check_digit(self.code))
    }
}

struct List {
    entries: Vec<CpvEntry>,
    by_code: HashMap<&'static str, usize>,
    folded: Vec<String>,
}

fn list() -> &'static List {
    static LIST: OnceLock<List> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut entries = vec![];
        for line in CSV.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let (code, label) = line.split_once(',').expect("code,label");
            let label = label.trim_end_matches('\r');
            let label = label
                .strip_prefix('"')
                .and_then(|l| l.strip_suffix('"'))
                .unwrap_or(label);
            // Labels only double their quotes inside quoted fields; none of the list's do, and
            // the test below checks that every label is clean.
            entries.push(CpvEntry { code, label });
        }
        let by_code = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.code, i))
            .collect();
        let folded = entries.iter().map(|e| fold(e.label)).collect();
        List {
            entries,
            by_code,
            folded,
        }
    })
}

/// The CPV check digit: digits weighted 3, 7, 1, 3, 7, 1, 3, 7, sum modulo 10. Checked against
/// published codes in the tests (the embedded list carries no check digits).
pub fn check_digit(code8: &str) -> u8 {
    let sum: u32 = code8
        .bytes()
        .zip([3u32, 7, 1, 3, 7, 1, 3, 7])
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    (sum % 10) as u8
}

/// Parses "72000000", "72000000-5" or "72000000 - 5" and checks the code is in the list.
pub fn parse(input: &str) -> Result<&'static CpvEntry, CpvError> {
    let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let (code, check) = match s.split_once('-') {
        Some((c, d)) => (c.to_owned(), Some(d.to_owned())),
        None => (s.clone(), None),
    };
    if code.len() != 8 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CpvError::Format(input.to_owned()));
    }
    if let Some(d) = check {
        if d.len() != 1 || !d.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CpvError::Format(input.to_owned()));
        }
        let expected = check_digit(&code);
        if d.as_bytes()[0] - b'0' != expected {
            return Err(CpvError::CheckDigit { code, expected });
        }
    }
    lookup(&code).ok_or(CpvError::Unknown(code))
}

pub fn lookup(code8: &str) -> Option<&'static CpvEntry> {
    let l = list();
    l.by_code.get(code8).map(|i| &l.entries[*i])
}

/// The homogeneous family used for anti-splitting: the CPV class (first four digits).
pub fn class(code8: &str) -> &str {
    &code8[..4.min(code8.len())]
}

/// The label of a CPV class (`9091` -> « Services de nettoyage »): the label of its code
/// completed with zeros, which the list always has.
pub fn class_label(class: &str) -> Option<&'static str> {
    if class.len() > 8 {
        return None;
    }
    lookup(&format!("{class:0<8}")).map(|e| e.label)
}

/// Search by label, case- and accent-insensitive; every word must occur. Codes also match by
/// prefix. Shorter (more general) codes first.
pub fn search(query: &str, first: usize) -> Vec<&'static CpvEntry> {
    search_all(query).into_iter().take(first).collect()
}

/// Every code [`search`] finds, in its order.
pub fn search_all(query: &str) -> Vec<&'static CpvEntry> {
    let l = list();
    let q = fold(query);
    let words: Vec<&str> = q.split_whitespace().collect();
    if words.is_empty() {
        return vec![];
    }
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let by_code = words.len() == 1 && !digits.is_empty() && digits.len() == words[0].len();
    let mut hits: Vec<(usize, usize)> = l
        .entries
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            if by_code {
                e.code.starts_with(&digits)
            } else {
                words.iter().all(|w| l.folded[*i].contains(w))
            }
        })
        .map(|(i, e)| (e.code.trim_end_matches('0').len(), i))
        .collect();
    hits.sort();
    hits.into_iter().map(|(_, i)| &l.entries[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_is_whole_and_clean() {
        let l = list();
        // The EU's list has 9,454 codes (the English file embedded before had one more, a
        // conversion artefact `00000004` labelled "34113100-3").
        assert_eq!(l.entries.len(), 9454);
        assert!(lookup("00000004").is_none());
        for e in &l.entries {
            assert!(e.code.len() == 8 && e.code.bytes().all(|b| b.is_ascii_digit()));
            assert!(!e.label.is_empty() && !e.label.contains('"'), "{e:?}");
            // Every code of the list parses, with and without its check digit.
            assert_eq!(parse(e.code).expect("test data"), e);
            assert_eq!(parse(&e.display()).expect("test data"), e);
        }
        assert_eq!(
            lookup("03000000").expect("test data").label,
            "Produits agricoles, de l'élevage, de la pêche, de la sylviculture et produits connexes"
        );
        assert_eq!(
            lookup("66516000").expect("test data").label,
            "Services d'assurance responsabilité civile"
        );
        assert_eq!(
            lookup("72000000").expect("test data").label,
            "Services de technologies de l'information, conseil, développement de logiciels, internet et appui"
        );
    }

    #[test]
    fn check_digits_match_published_codes() {
        for c in [
            "03000000-1",
            "45000000-7",
            "72000000-5",
            "30000000-9",
            "79000000-4",
            "90910000-9",
            "55524000-9",
            "45233140-2",
            "66510000-8",
            "30232110-8",
            "50312000-5",
            "72267000-4",
        ] {
            assert!(parse(c).is_ok(), "{c}");
        }
        assert_eq!(
            parse("72000000-4"),
            Err(CpvError::CheckDigit {
                code: "72000000".into(),
                expected: 5
            })
        );
    }

    #[test]
    fn bad_and_unknown_codes_are_refused() {
        assert!(matches!(parse("7200000"), Err(CpvError::Format(_))));
        assert!(matches!(parse("7200000x"), Err(CpvError::Format(_))));
        assert!(matches!(parse("72000000-55"), Err(CpvError::Format(_))));
        assert_eq!(parse("99999999"), Err(CpvError::Unknown("99999999".into())));
    }

    #[test]
    fn search_ignores_case_and_accents() {
        // « Service traiteur pour écoles » (55524000), whatever the case and accents.
        let hits = search("TRAITEUR ecoles", 10);
        assert!(hits.iter().any(|e| e.code == "55524000"), "{hits:?}");
        assert_eq!(hits, search("traîteur ÉCOLES", 10));
        // « equipement » finds « Équipement … »; « oeufs » finds « Œufs ».
        let equipment = search("equipement", 50);
        assert!(
            equipment.iter().any(|e| e.label.starts_with("Équipement")),
            "{equipment:?}"
        );
        assert_eq!(equipment, search("ÉQUIPEMENT", 50));
        assert!(search("oeufs", 5).iter().any(|e| e.label == "Œufs"));
        // Words in any order, each required.
        let liability = search("civile assurance responsabilité", 5);
        assert_eq!(liability[0].code, "66516000", "{liability:?}");
        assert!(search("assurance zzz", 5).is_empty());
        assert_eq!(search("7200", 1)[0].code, "72000000");
        assert!(search("  ", 5).is_empty());
        assert_eq!(class("72267000"), "7226");
    }

    #[test]
    fn a_class_reads_with_its_label() {
        assert_eq!(class_label("9091"), Some("Services de nettoyage"));
        assert_eq!(class_label("7226"), lookup("72260000").map(|e| e.label));
        assert_eq!(class_label("0000"), None);
        assert_eq!(class_label("123456789"), None);
    }
}
