//! Passwords (Argon2id, hashed off the async runtime), session tokens and the cookie.

use crate::error::{Error, Result};
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::SaltString,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const COOKIE_NAME: &str = "sid";

fn hasher() -> Argon2<'static> {
    // OWASP's recommended Argon2id parameters: 19 MiB, 2 iterations, 1 lane.
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password on the blocking pool.
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await
    .map_err(|e| Error::Other(anyhow::anyhow!("hashing task failed: {e}")))?
    .map_err(Error::Other)
}

/// Checks a password against a stored hash on the blocking pool.
pub async fn verify_password(password: String, hash: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed =
            PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        Ok::<_, anyhow::Error>(
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await
    .map_err(|e| Error::Other(anyhow::anyhow!("verify task failed: {e}")))?
    .map_err(Error::Other)
}

/// A fresh session token: 256 random bits, hex-encoded. Only its hash is stored.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored session id for a token: its SHA-256, so a leaked table grants nothing.
pub fn session_id(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Finds our session token in a `Cookie` request header.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE_NAME && !value.is_empty())
        .map(|(_, value)| value)
}

/// The `Set-Cookie` value that stores `token` (or, with `None`, clears the cookie).
pub fn set_cookie(token: Option<&str>, max_age_secs: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => format!(
            "{COOKIE_NAME}={t}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
        ),
        None => format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64, "256 bits in hex");
        assert_ne!(a, b);
        assert_ne!(session_id(&a), a);
        assert_eq!(session_id(&a), session_id(&a));
    }

    #[test]
    fn cookie_header_parsing() {
        assert_eq!(token_from_cookie_header("a=1; sid=abc; b=2"), Some("abc"));
        assert_eq!(token_from_cookie_header("sid="), None);
        assert_eq!(token_from_cookie_header("xsid=abc"), None);
        assert_eq!(token_from_cookie_header(""), None);
    }

    #[test]
    fn cookie_flags() {
        let c = set_cookie(Some("t"), 60, true);
        for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Max-Age=60", "Path=/"] {
            assert!(c.contains(flag), "{c}");
        }
        assert!(!set_cookie(Some("t"), 60, false).contains("Secure"));
        assert!(set_cookie(None, 60, false).contains("Max-Age=0"));
    }

    #[tokio::test]
    async fn argon2id_round_trip() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            verify_password("correct horse".into(), hash.clone())
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong horse".into(), hash).await.unwrap());
    }
}
