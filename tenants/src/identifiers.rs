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
    #[error("« {0} » n'est pas un IBAN : 2 lettres de pays, 2 chiffres de clé, puis 11 à 30 lettres ou chiffres.")]
    IbanFormat(String),
    #[error("L'IBAN {0} est faux : sa clé de contrôle (modulo 97) ne correspond pas.")]
    IbanChecksum(String),
    #[error("« {0} » n'est pas un BIC : 8 ou 11 caractères (banque, pays, place, agence).")]
    Bic(String),
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

/// IBAN (ISO 13616): country, 2 check digits, then the national account number; the check is
/// ISO 7064 MOD 97-10 over the rearranged string. Spaces are tolerated on input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iban(String);

impl Iban {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let b = s.as_bytes();
        let shape = (15..=34).contains(&b.len())
            && b[..2].iter().all(u8::is_ascii_uppercase)
            && b[2..4].iter().all(u8::is_ascii_digit)
            && b[4..].iter().all(u8::is_ascii_alphanumeric);
        if !shape {
            return Err(IdentifierError::IbanFormat(input.to_owned()));
        }
        if iban_mod97(&s) != 1 {
            return Err(IdentifierError::IbanChecksum(s));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The remainder of an IBAN-shaped string (country and key moved to the end, letters as
/// 10..35) divided by 97, digit by digit so no big integer is needed.
fn iban_mod97(s: &str) -> u32 {
    let rearranged = s[4..].bytes().chain(s[..4].bytes());
    rearranged.fold(0u32, |acc, c| {
        if c.is_ascii_digit() {
            (acc * 10 + u32::from(c - b'0')) % 97
        } else {
            (acc * 100 + u32::from(c - b'A') + 10) % 97
        }
    })
}

/// The IBAN with its check digits computed, from a country and a national account number (the
/// demo's accounts; a test's).
pub fn iban_with_key(country: &str, bban: &str) -> String {
    let r = iban_mod97(&format!("{country}00{bban}"));
    format!("{country}{:02}{bban}", 98 - r)
}

/// A SIRET of `siren` whose NIC starts with `nic4`, its last digit chosen so the Luhn key holds
/// (the demo's establishments; a test's).
pub fn siret_with_key(siren: &str, nic4: &str) -> String {
    (0..10)
        .map(|d| format!("{siren}{nic4}{d}"))
        .find(|s| Siret::parse(s).is_ok())
        .unwrap_or_default()
}

/// BIC (ISO 9362): 4 letters (bank), 2 (country), 2 letters or digits (place), optionally 3
/// more (branch).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bic(String);

impl Bic {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let ok = matches!(b.len(), 8 | 11)
            && b[..6].iter().all(u8::is_ascii_uppercase)
            && b[6..].iter().all(u8::is_ascii_alphanumeric);
        if !ok {
            return Err(IdentifierError::Bic(input.to_owned()));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
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
string_newtype_impls!(Siren, Siret, InseeCode, Email, Iban, Bic);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_by_their_key_and_bics_by_their_shape() {
        // The examples of the ECBS register (France, Germany) and one computed here.
        for ok in [
            "FR14 2004 1010 0505 0001 3M02 606",
            "DE89370400440532013000",
            "fr7630001007941234567890185",
        ] {
            assert!(Iban::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            Iban::parse("FR15 2004 1010 0505 0001 3M02 606"),
            Err(IdentifierError::IbanChecksum(
                "FR1520041010050500013M02606".into()
            ))
        );
        assert!(matches!(
            Iban::parse("1234"),
            Err(IdentifierError::IbanFormat(_))
        ));
        let made = iban_with_key("FR", "30001007941234567890185");
        assert_eq!(made, "FR7630001007941234567890185");
        let siret = siret_with_key("216001594", "0001");
        assert_eq!(
            Siret::parse(&siret).map(|s| s.siren().to_owned()),
            Ok("216001594".into())
        );
        assert!(Iban::parse(&made).is_ok());
        assert_eq!(Bic::parse("bdfefrpp").map(|b| b.0), Ok("BDFEFRPP".into()));
        assert!(Bic::parse("BDFEFRPPCCT").is_ok());
        assert!(Bic::parse("BDFE12PP").is_err());
        assert!(Bic::parse("BDFEFRP").is_err());
    }

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
