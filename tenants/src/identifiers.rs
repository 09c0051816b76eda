//! Identifiers that come from outside, parsed once at the edge ("parse, don't validate").
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("Un SIREN compte 9 chiffres : « {0} » n'en est pas un.")]
    SirenFormat(String),
    #[error("Le SIREN {0} est faux : sa clé de contrôle (Luhn) ne correspond pas.")]
    SirenChecksum(String),
    #[error("Un SIRET compte 14 chiffres : « {0} » n'en est pas un.")]
    SiretFormat(String),
    #[error("Le SIRET {0} est faux : sa clé de contrôle (Luhn) ne correspond pas.")]
    SiretChecksum(String),
    #[error(
        "Un code commune INSEE compte 5 caractères (2 chiffres, ou 2A/2B, puis 3 chiffres) : « {0} » n'en est pas un."
    )]
    InseeFormat(String),
    #[error("« {0} » n'est pas une adresse électronique valide.")]
    Email(String),
}

/// Luhn over a string of ASCII digits (the SIREN/SIRET key, INSEE's "clé de contrôle").
fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 {
                    d2 - 9
                } else {
                    d2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// SIREN of a legal person (9 digits, Luhn key). Spaces are tolerated on input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if !all_digits(&s, 9) {
            return Err(IdentifierError::SirenFormat(input.to_owned()));
        }
        if !luhn_ok(&s) {
            return Err(IdentifierError::SirenChecksum(s));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// SIRET of an establishment (SIREN + 5-digit NIC). INSEE's rule: Luhn over the 14 digits,
/// except La Poste (SIREN 356000000) whose establishments use "sum of digits is a multiple of 5".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

impl Siret {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if !all_digits(&s, 14) {
            return Err(IdentifierError::SiretFormat(input.to_owned()));
        }
        let ok = if s.starts_with("356000000") && s != "35600000000048" {
            s.bytes().map(|b| u32::from(b - b'0')).sum::<u32>() % 5 == 0
        } else {
            luhn_ok(&s)
        };
        if !ok {
            return Err(IdentifierError::SiretChecksum(s));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn siren(&self) -> &str {
        &self.0[..9]
    }
}

/// INSEE code of a commune (code officiel géographique): 2 digits or 2A/2B for Corsica, then 3
/// digits; overseas departments are 97x + 2 digits, which the same shape covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InseeCode(String);

impl InseeCode {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let ok = b.len() == 5
            && (b[..2].iter().all(u8::is_ascii_digit) || &s[..2] == "2A" || &s[..2] == "2B")
            && b[2..].iter().all(u8::is_ascii_digit)
            && &s[..2] != "00";
        if !ok {
            return Err(IdentifierError::InseeFormat(input.to_owned()));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, lower-cased. Deliberately permissive (one '@', a dot in the domain, no
/// spaces): the OpenID provider is the authority on addresses, this only catches typos.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let s = input.trim().to_lowercase();
        let valid = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && s.len() <= 254
                    && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !valid {
            return Err(IdentifierError::Email(input.to_owned()));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_newtype_impls {
    ($($t:ident),*) => {$(
        impl TryFrom<String> for $t {
            type Error = IdentifierError;
            fn try_from(s: String) -> Result<Self, Self::Error> { Self::parse(&s) }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String { v.0 }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(&self.0) }
        }
    )*};
}
string_newtype_impls!(Siren, Siret, InseeCode, Email);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_sirens_pass_and_typos_fail() {
        // CA de la Région de Compiègne, CU de Dunkerque, commune de Compiègne.
        for ok in ["200067965", "245900428", "216001586", "216 001 586"] {
            assert!(Siren::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            Siren::parse("216001587"),
            Err(IdentifierError::SirenChecksum("216001587".into()))
        );
        assert!(matches!(
            Siren::parse("21600158"),
            Err(IdentifierError::SirenFormat(_))
        ));
        assert!(matches!(
            Siren::parse("21600158a"),
            Err(IdentifierError::SirenFormat(_))
        ));
    }

    #[test]
    fn siret_luhn_and_la_poste_exception() {
        let s = Siret::parse("21600158600017").expect("Compiègne town hall");
        assert_eq!(s.siren(), "216001586");
        assert!(matches!(
            Siret::parse("21600158600014"),
            Err(IdentifierError::SiretChecksum(_))
        ));
        // La Poste establishments: digit sum multiple of 5, Luhn does not hold.
        assert!(Siret::parse("35600000000048").is_ok());
        assert!(Siret::parse("35600000049837").is_ok());
        assert!(Siret::parse("35600000049838").is_err());
    }

    #[test]
    fn insee_codes_cover_corsica_and_overseas() {
        for ok in ["60159", "2A004", "2b033", "97411", "01001"] {
            assert!(InseeCode::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(InseeCode::parse("2b033").map(|c| c.0), Ok("2B033".into()));
        for bad in ["6015", "2C004", "00123", "601599", "6O159"] {
            assert!(InseeCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse(" Alice.Martin@Compiegne.FR ").map(|e| e.0),
            Ok("alice.martin@compiegne.fr".into())
        );
        for bad in ["alice", "alice@", "@x.fr", "a b@x.fr", "a@x", "a@@x.fr"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
