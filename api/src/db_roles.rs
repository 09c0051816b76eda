//! `mutualis database-roles`: the cluster-wide roles beside the owner, set up by a superuser
//! (only one may grant `BYPASSRLS`). `mutualis_app`, the server's role, gets its password;
//! `mutualis_backup` is what `pg_dump` runs as: row-level security is forced for the owner
//! too, so the owner's dump fails, and the backup role bypasses RLS but can only read.
//!
//! Passwords are read from files (never from the command line, which `ps` shows) and sent as
//! SCRAM-SHA-256 verifiers computed here, as psql's `\password` does: the clear password never
//! reaches the server, so never its logs.
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use migrations::{APP_ROLE, BACKUP_ROLE};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement, TransactionTrait};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum RolesError {
    #[error("DATABASE_SUPERUSER_URL: {0}")]
    Connect(DbErr),
    #[error("DATABASE_SUPERUSER_URL: role {0:?} is not a superuser (only a superuser may give BYPASSRLS to {BACKUP_ROLE})")]
    NotSuperuser(String),
    #[error("{0}")]
    Password(String),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

/// The SCRAM iteration count PostgreSQL uses by default.
const ITERATIONS: u32 = 4096;

/// A password file's content: its first line, at least 16 characters.
pub fn read_password(path: &std::path::Path) -> Result<String, RolesError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| RolesError::Password(format!("{}: {e}", path.display())))?;
    let pw = text.lines().next().unwrap_or_default().to_owned();
    if pw.chars().count() < 16 {
        return Err(RolesError::Password(format!(
            "{}: the password must hold at least 16 characters (openssl rand -hex 32)",
            path.display()
        )));
    }
    Ok(pw)
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length: the error case cannot happen.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    m.update(data);
    m.finalize().into_bytes().into()
}

/// RFC 5802's Hi(): PBKDF2 with HMAC-SHA-256, one block.
fn salted_password(password: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut first = salt.to_vec();
    first.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac(password.as_bytes(), &first);
    let mut out = u;
    for _ in 1..iterations {
        u = hmac(password.as_bytes(), &u);
        out.iter_mut().zip(u.iter()).for_each(|(o, x)| *o ^= x);
    }
    out
}

/// The keys a SCRAM verifier holds: (StoredKey, ServerKey).
fn scram_keys(password: &str, salt: &[u8], iterations: u32) -> ([u8; 32], [u8; 32]) {
    let salted = salted_password(password, salt, iterations);
    let client_key = hmac(&salted, b"Client Key");
    let stored: [u8; 32] = Sha256::digest(client_key).into();
    (stored, hmac(&salted, b"Server Key"))
}

/// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, as `pg_authid` keeps it.
pub fn scram_verifier(password: &str) -> String {
    let salt: [u8; 16] = rand::random();
    let (stored, server) = scram_keys(password, &salt, ITERATIONS);
    format!(
        "SCRAM-SHA-256${ITERATIONS}:{}${}:{}",
        B64.encode(salt),
        B64.encode(stored),
        B64.encode(server)
    )
}

/// A string literal for SQL (the verifier's alphabet is base64's, quoted anyway).
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Creates the roles when missing, (re)states their attributes, sets the passwords given; in
/// one transaction. Returns what it did, one line each.
pub async fn ensure(
    db: &DatabaseConnection,
    app_password: Option<&str>,
    backup_password: Option<&str>,
) -> Result<Vec<String>, RolesError> {
    let who = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT current_user::text AS name, rolsuper FROM pg_roles WHERE rolname = current_user",
        ))
        .await?
        .ok_or_else(|| RolesError::NotSuperuser("?".into()))?;
    let name: String = who.try_get("", "name")?;
    if !who.try_get::<bool>("", "rolsuper")? {
        return Err(RolesError::NotSuperuser(name));
    }
    let tx = db.begin().await?;
    let mut done = vec![];
    for (role, attributes, password) in [
        (
            APP_ROLE,
            "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION",
            app_password,
        ),
        (
            BACKUP_ROLE,
            "LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION",
            backup_password,
        ),
    ] {
        let exists = tx
            .query_one(Statement::from_sql_and_values(
                tx.get_database_backend(),
                "SELECT 1 AS one FROM pg_roles WHERE rolname = $1",
                [role.into()],
            ))
            .await?
            .is_some();
        let verb = if exists { "ALTER" } else { "CREATE" };
        tx.execute_unprepared(&format!("{verb} ROLE {role} {attributes}"))
            .await?;
        done.push(format!(
            "{role}: {} ({attributes})",
            if exists { "kept" } else { "created" }
        ));
        if let Some(pw) = password {
            tx.execute_unprepared(&format!(
                "ALTER ROLE {role} PASSWORD {}",
                literal(&scram_verifier(pw))
            ))
            .await?;
            done.push(format!("{role}: password set (SCRAM-SHA-256)"));
        }
    }
    // Reads everything, writes nothing: pg_read_all_data, and read-only transactions.
    tx.execute_unprepared(&format!(
        "GRANT pg_read_all_data TO {BACKUP_ROLE};
         ALTER ROLE {BACKUP_ROLE} SET default_transaction_read_only = on;"
    ))
    .await?;
    done.push(format!(
        "{BACKUP_ROLE}: member of pg_read_all_data, read-only transactions"
    ));
    tx.commit().await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677's exchange (user "user", password "pencil"): the ServerKey derived here signs
    /// its AuthMessage into the server signature the RFC gives, and the ClientKey recovered
    /// from its proof hashes to our StoredKey.
    #[test]
    fn verifier_keys_match_rfc_7677() {
        let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").expect("salt");
        let (stored, server) = scram_keys("pencil", &salt, 4096);
        let auth_message = "n=user,r=rOprNGfwEbeRWgbNEkqO,\
r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,\
c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        assert_eq!(
            B64.encode(hmac(&server, auth_message.as_bytes())),
            "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
        let proof = B64
            .decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
            .expect("proof");
        let signature = hmac(&stored, auth_message.as_bytes());
        let client_key: Vec<u8> = proof.iter().zip(signature).map(|(p, s)| p ^ s).collect();
        let rehashed: [u8; 32] = Sha256::digest(&client_key).into();
        assert_eq!(rehashed, stored);
    }

    #[test]
    fn a_verifier_has_postgresqls_shape_and_a_fresh_salt() {
        let a = scram_verifier("correct horse battery staple");
        let b = scram_verifier("correct horse battery staple");
        assert!(a.starts_with("SCRAM-SHA-256$4096:"), "{a}");
        assert_eq!(a.matches('$').count(), 2);
        assert_ne!(a, b, "a new salt each time");
    }

    #[test]
    fn short_or_missing_password_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("mutualis-pw-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let short = dir.join("short");
        std::fs::write(&short, "court\n").expect("write");
        assert!(matches!(read_password(&short), Err(RolesError::Password(m)) if m.contains("16")));
        assert!(read_password(&dir.join("absent")).is_err());
        let good = dir.join("good");
        std::fs::write(&good, "0123456789abcdef0123\n").expect("write");
        assert_eq!(read_password(&good).expect("read"), "0123456789abcdef0123");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
