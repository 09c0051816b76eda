//! French wording shared by the messages and documents people read: dates in words (« 1er
//! janvier 2026 ») and plurals (« 1 commune », « 2 communes »), so no message needs "(s)".
use chrono::{Datelike, NaiveDate};

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// The month's name, 1 to 12 (empty outside).
pub fn month(m: u32) -> &'static str {
    MONTHS
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("")
}

/// `1er janvier 2026`, `30 novembre 2026`: the first of the month is an ordinal in French.
pub fn date(d: NaiveDate) -> String {
    let day = if d.day() == 1 {
        "1er".to_owned()
    } else {
        d.day().to_string()
    };
    format!("{day} {} {}", month(d.month()), d.year())
}

/// `30 novembre 2026 à 14:05`: an instant as a day and an hour in Paris (the console's way).
pub fn date_time(t: chrono::DateTime<chrono::Utc>) -> String {
    let local = t.with_timezone(&chrono_tz::Europe::Paris);
    format!("{} à {}", date(local.date_naive()), local.format("%H:%M"))
}

/// `1 commune`, `0 commune`, `2 communes`: French puts 0 and 1 in the singular.
pub fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n.abs() < 2 { one } else { many })
}

/// « à compter de » joined to a free-text event with French elision and contraction: «
/// achèvement des travaux » gives « à compter de l'achèvement des travaux », « le départ »
/// « à compter du départ », « la fin du contrat » stays « à compter de la fin du contrat ». An
/// event starting with a consonant and no article is kept as typed (« à compter de clôture »):
/// its gender is unknown, so no article is invented.
pub fn a_compter_de(event: &str) -> String {
    let e = event.trim();
    let lower = e.to_lowercase();
    let rest = |n: usize| e.get(n..).unwrap_or_default();
    if lower.starts_with("le ") {
        format!("à compter du {}", rest(3))
    } else if lower.starts_with("les ") {
        format!("à compter des {}", rest(4))
    } else if ["la ", "l'", "l’"].iter().any(|a| lower.starts_with(a)) {
        format!("à compter de {e}")
    } else if ["du ", "des ", "de ", "d'", "d’"]
        .iter()
        .any(|a| lower.starts_with(a))
    {
        format!("à compter {e}")
    } else if lower
        .chars()
        .next()
        .is_some_and(|c| "aàâeéèêëiîïoôuùûy".contains(c))
    {
        format!("à compter de l'{e}")
    } else {
        format!("à compter de {e}")
    }
}

/// A size as a person reads it: « 20 Mio », « 1,5 Mio », « 512 Kio », « 900 octets ».
pub fn bytes_fr(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    let tenths = |unit: u64| {
        let t = (n * 10 + unit / 2) / unit;
        if t.is_multiple_of(10) {
            format!("{}", t / 10)
        } else {
            format!("{},{}", t / 10, t % 10)
        }
    };
    if n >= MIB {
        format!("{} Mio", tenths(MIB))
    } else if n >= KIB {
        format!("{} Kio", tenths(KIB))
    } else {
        plural(n as i64, "octet", "octets")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_of_the_month_is_1er_and_plurals_agree() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(date(d(2026, 1, 1)), "1er janvier 2026");
        assert_eq!(date(d(2026, 11, 30)), "30 novembre 2026");
        assert_eq!(date(d(2026, 8, 11)), "11 août 2026");
        assert_eq!(plural(1, "commune", "communes"), "1 commune");
        assert_eq!(plural(0, "commune", "communes"), "0 commune");
        assert_eq!(plural(2, "commune", "communes"), "2 communes");
        assert_eq!(month(13), "");
        assert_eq!(
            a_compter_de("achèvement des travaux"),
            "à compter de l'achèvement des travaux"
        );
        assert_eq!(a_compter_de("le départ"), "à compter du départ");
        assert_eq!(a_compter_de("les élections"), "à compter des élections");
        assert_eq!(
            a_compter_de("la fin du contrat"),
            "à compter de la fin du contrat"
        );
        assert_eq!(
            a_compter_de("Échéance du marché"),
            "à compter de l'Échéance du marché"
        );
        assert_eq!(a_compter_de("clôture"), "à compter de clôture");
    }

    #[test]
    fn sizes_read_in_french_units() {
        assert_eq!(super::bytes_fr(20 * 1024 * 1024), "20 Mio");
        assert_eq!(super::bytes_fr(1536 * 1024), "1,5 Mio");
        assert_eq!(super::bytes_fr(2048), "2 Kio");
        assert_eq!(super::bytes_fr(1), "1 octet");
    }
}
