//! The French order of names, in one place: letters compared first without accents, case,
//! spaces, hyphens or apostrophes ("Béthisy-Saint-Martin" before "Bienville", "Élincourt"
//! among the E, "Le Meux" between "Lataule" and "Longueil", "Saintines" before
//! "Saint-Jean"), then with accents, then lower case before upper case, then as written, so
//! that the order is total.
//!
//! Lists sorted by name in the database use the collation `mutualis_fr`: an ICU collation on
//! PostgreSQL (`fr-u-ka-shifted`: punctuation and spaces ignored; migration 000014), and
//! [`french_cmp`] registered under the same name on every SQLite connection (`db::connect`).
//! Lists sorted in memory call [`french_cmp`] directly.
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, Order, QueryOrder};
use std::cmp::Ordering;

/// The collation's name in both databases.
pub const COLLATION: &str = "mutualis_fr";

/// Letters and digits without accents, in lower case; ligatures spelled out.
fn primary(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(|c| {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let folded: &[char] = match lower {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => &['a'],
            'ç' => &['c'],
            'é' | 'è' | 'ê' | 'ë' => &['e'],
            'î' | 'ï' | 'í' | 'ì' => &['i'],
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' | 'ø' => &['o'],
            'ù' | 'û' | 'ü' | 'ú' => &['u'],
            'ÿ' | 'ý' => &['y'],
            'ñ' => &['n'],
            'œ' => &['o', 'e'],
            'æ' => &['a', 'e'],
            'ß' => &['s', 's'],
            _ => return vec![lower],
        };
        folded.to_vec()
    })
}

/// Letters and digits in lower case, accents kept.
fn secondary(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_lowercase().next().unwrap_or(c))
}

/// Case of each letter, lower case first (as ICU's default tertiary order).
fn tertiary(s: &str) -> impl Iterator<Item = bool> + '_ {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .map(char::is_uppercase)
}

/// Compares two names the French way (see the module's comment).
pub fn french_cmp(a: &str, b: &str) -> Ordering {
    primary(a)
        .cmp(primary(b))
        .then_with(|| secondary(a).cmp(secondary(b)))
        .then_with(|| tertiary(a).cmp(tertiary(b)))
        .then_with(|| a.cmp(b))
}

/// `"table"."column" COLLATE mutualis_fr`, for an `ORDER BY`. Written out: sea-query has no
/// COLLATE expression, and its `$1` substitution is not a placeholder on SQLite.
pub fn collated(column: impl ColumnTrait) -> SimpleExpr {
    Expr::cust(format!(
        "\"{}\".\"{}\" COLLATE {COLLATION}",
        column.entity_name().to_string(),
        column.as_str()
    ))
}

/// `ORDER BY name` the French way, on any select.
pub trait OrderByName: QueryOrder + Sized {
    fn order_by_name(self, column: impl ColumnTrait) -> Self {
        self.order_by(collated(column), Order::Asc)
    }
}

impl<Q: QueryOrder> OrderByName for Q {}

/// The words of a search, folded as [`fold`] folds what they are looked for in (none for an
/// absent or blank search).
pub fn search_words(query: Option<&str>) -> Vec<String> {
    query
        .map(fold)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// Lower case without diacritics, ligatures spelt out (« Œufs » is found as « oeufs »);
/// anything else than a letter or a digit (apostrophes, hyphens) separates words.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' => out.push('a'),
            'ç' => out.push('c'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'î' | 'ï' | 'í' | 'ì' => out.push('i'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => out.push('o'),
            'ù' | 'û' | 'ü' | 'ú' => out.push('u'),
            'ÿ' => out.push('y'),
            'ñ' => out.push('n'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            c if c.is_alphanumeric() => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::french_cmp;

    /// The order a French reader expects, including the demo's own communes.
    const EXPECTED: &[&str] = &[
        "Armancourt",
        "Béthisy-Saint-Martin",
        "Béthisy-Saint-Pierre",
        "Bienville",
        "Choisy-au-Bac",
        "Compiègne",
        "coté",
        "côte",
        "Côte",
        "Élincourt-Sainte-Marguerite",
        "Estrées-Saint-Denis",
        "Lacroix-Saint-Ouen",
        "Lataule",
        "Le Meux",
        "L'Haÿ-les-Roses",
        "Longueil-Annel",
        "Margny-lès-Compiègne",
        "Néry",
        "Nœux-les-Mines",
        "Noyon",
        "Saintines",
        "Saint-Jean-aux-Bois",
        "Saint-Sauveur",
        "Vieux-Moulin",
    ];

    #[test]
    fn names_sort_the_french_way() {
        let mut names: Vec<&str> = EXPECTED.iter().rev().copied().collect();
        names.sort_by(|a, b| french_cmp(a, b));
        assert_eq!(names, EXPECTED);
    }

    #[test]
    fn equal_only_when_written_the_same() {
        assert_eq!(french_cmp("Néry", "Néry"), std::cmp::Ordering::Equal);
        assert_ne!(french_cmp("Nery", "Néry"), std::cmp::Ordering::Equal);
        assert_ne!(french_cmp("néry", "Néry"), std::cmp::Ordering::Equal);
    }
}
