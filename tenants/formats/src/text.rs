//! Text helpers shared by the renderers: ISO 8601 formatting, formula-injection guard, names.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

use crate::DISPLAY_TZ;

/// `YYYY-MM-DD`.
pub(crate) fn iso_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// RFC 3339 / ISO 8601 in UTC with `Z`; sub-second digits only when present.
pub(crate) fn iso_datetime(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Wall-clock time in [`DISPLAY_TZ`].
pub(crate) fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&DISPLAY_TZ).naive_local()
}

pub(crate) fn yes_no(value: bool) -> &'static str {
    if value {
        "oui"
    } else {
        "non"
    }
}

/// OWASP CSV-injection guard: a text that a spreadsheet could read as a formula gets a leading
/// single quote. Covers `= + - @`, tab, CR, LF and the full-width `＝ ＋ － ＠`. The one guard
/// of every spreadsheet-readable writer (CSV, ODS, XLSX here; the FOCUS CSV of the costs).
pub fn neutralize(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some(
            '=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}'
            | '\u{FF20}',
        ) => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// Lowercase ASCII words joined by `-`, accents folded; `fallback` when nothing is left.
pub(crate) fn slug(value: &str, fallback: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in value.chars() {
        let folded = fold(c);
        if folded.is_empty() {
            pending_dash = !out.is_empty();
            continue;
        }
        if pending_dash {
            out.push('-');
            pending_dash = false;
        }
        out.push_str(folded);
        if out.len() >= 80 {
            break;
        }
    }
    if out.is_empty() {
        fallback.to_owned()
    } else {
        out
    }
}

/// ASCII lowercase form of a Latin letter or digit, "" for anything else.
fn fold(c: char) -> &'static str {
    const ASCII: &str = "0123456789abcdefghijklmnopqrstuvwxyz";
    if c.is_ascii_alphanumeric() {
        let lower = c.to_ascii_lowercase();
        let i = ASCII.find(lower).unwrap_or(0);
        return &ASCII[i..i + 1];
    }
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        'ß' => "ss",
        _ => "",
    }
}

/// Sheet names that spreadsheets accept: no `[]:*?/\`, no leading/trailing apostrophe, not
/// empty, at most `max_chars`, unique (case-insensitively) within the document.
pub(crate) fn sheet_names(
    names: impl IntoIterator<Item = impl AsRef<str>>,
    max_chars: usize,
) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, name) in names.into_iter().enumerate() {
        let cleaned: String = name
            .as_ref()
            .chars()
            .map(|c| {
                if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let cleaned = cleaned.trim().trim_matches('\'').trim();
        let base = if cleaned.is_empty() {
            format!("Feuille {}", i + 1)
        } else {
            cleaned.to_owned()
        };
        let mut candidate: String = base.chars().take(max_chars).collect();
        let mut n = 2;
        while !seen.insert(candidate.to_lowercase()) {
            let suffix = format!(" ({n})");
            let keep = max_chars.saturating_sub(suffix.chars().count());
            candidate = base.chars().take(keep).collect::<String>() + &suffix;
            n += 1;
        }
        out.push(candidate);
    }
    out
}

/// XML 1.0 cannot carry most C0 controls: they become U+FFFD.
pub(crate) fn xml_char_ok(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || !(c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}')
}

/// Escape text for an XML attribute or element.
pub(crate) fn xml_escape(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if !xml_char_ok(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralizes_formula_starts_only() {
        assert_eq!(neutralize("=SUM(1)"), "'=SUM(1)");
        assert_eq!(neutralize("+33 1 23"), "'+33 1 23");
        assert_eq!(neutralize("-1"), "'-1");
        assert_eq!(neutralize("@cmd"), "'@cmd");
        assert_eq!(neutralize("\tx"), "'\tx");
        assert_eq!(neutralize("\rx"), "'\rx");
        assert_eq!(neutralize("＝1"), "'＝1");
        assert_eq!(neutralize("a=b"), "a=b");
        assert_eq!(neutralize(""), "");
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Registre des activités de traitement", "x"),
            "registre-des-activites-de-traitement"
        );
        assert_eq!(
            slug("  Œuvres — Sous-traitants (2025) ", "x"),
            "oeuvres-sous-traitants-2025"
        );
        assert_eq!(slug("!!!", "doc"), "doc");
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let names = sheet_names(
            [
                "Traitements",
                "traitements",
                "a/b:c",
                "",
                "'x'",
                &"é".repeat(40),
            ],
            31,
        );
        assert_eq!(names[0], "Traitements");
        assert_eq!(names[1], "traitements (2)");
        assert_eq!(names[2], "a b c");
        assert_eq!(names[3], "Feuille 4");
        assert_eq!(names[4], "x");
        assert_eq!(names[5].chars().count(), 31);
    }

    #[test]
    fn iso_formats() {
        let at = DateTime::parse_from_rfc3339("2025-03-30T01:30:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(iso_datetime(at), "2025-03-30T01:30:00Z");
        // 01:30 UTC on the spring-forward day is 03:30 in Paris.
        assert_eq!(local(at).format("%H:%M").to_string(), "03:30");
    }
}
