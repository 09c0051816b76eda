//! Random secrets and their hashes. Secrets are shown once; only SHA-256 digests are stored.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

/// 32 random bytes, URL-safe base64, with a readable prefix (`mut_`, `ses_`...).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A session's CSRF token: derived from the cookie's secret (HMAC-SHA256 keyed with it), so
/// nothing of it is stored: the database holds the secret's SHA-256 only, from which the token
/// cannot be computed, and the server recomputes it from the cookie of each request.
pub fn session_csrf(secret: &str) -> String {
    use hmac::{Hmac, Mac};
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(b"mutualis session csrf v1");
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        // HMAC takes a key of any length: not reached.
        Err(_) => sha256_hex(&format!("csrf:{secret}")),
    }
}

/// A secret setting (a client secret, an API key): `Debug` and `Display` print `***`, so a
/// configuration printed whole, or a value in an error message, never shows it. The clear
/// value is read through `expose`, where it is handed to the library that needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Constant-time comparison for CSRF tokens and signatures.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        let s = Secret::new("sk_live_abcdefgh12345678");
        assert_eq!(format!("{s:?} {s}"), "Secret(***) ***");
        assert_eq!(s.expose(), "sk_live_abcdefgh12345678");
    }

    #[test]
    fn secrets_are_unique_and_prefixed() {
        let (a, b) = (new_secret("mut_"), new_secret("mut_"));
        assert!(a.starts_with("mut_") && a.len() == 4 + 43);
        assert_ne!(a, b);
        assert_ne!(sha256_hex(&a), sha256_hex(&b));
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
        // The CSRF token follows from the secret, not from its stored hash.
        assert_eq!(session_csrf(&a), session_csrf(&a));
        assert_ne!(session_csrf(&a), session_csrf(&b));
        assert_ne!(session_csrf(&a), sha256_hex(&a));
        assert_eq!(session_csrf(&a).len(), 43);
    }
}
