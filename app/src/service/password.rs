//! Password hashing with Argon2id, always off the async runtime: a hash takes
//! tens of milliseconds of CPU and would otherwise stall every request
//! sharing the worker thread.

use crate::{domain::Password, error::AppError, ports::PasswordHash};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use std::sync::OnceLock;

/// Hashes a new password (Argon2id, the crate's OWASP-level defaults).
pub async fn hash(password: Password) -> Result<PasswordHash, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "hashing task failed");
            AppError::Internal
        })?
}

/// Hashes on the current thread; for the CLI and seeding.
pub fn hash_blocking(password: &Password) -> Result<PasswordHash, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| PasswordHash(h.to_string()))
        .map_err(|e| {
            tracing::error!(error = %e, "hashing failed");
            AppError::Internal
        })
}

/// Checks `password` against `stored`. With no stored hash (unknown email)
/// it still verifies against a dummy hash, so the response time does not
/// reveal whether an account exists.
pub async fn verify(password: Password, stored: Option<PasswordHash>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored
            .map(|h| h.0)
            .unwrap_or_else(|| dummy_hash().to_owned());
        let Ok(parsed) = argon2::PasswordHash::new(&phc) else {
            tracing::error!("stored password hash is not a PHC string");
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok();
        ok && known
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "verify task failed");
        AppError::Internal
    })
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let pw = Password::parse("dummy password never used").expect("valid");
        hash_blocking(&pw).map(|h| h.0).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_right_password_verifies_and_a_wrong_one_does_not() {
        let pw = Password::parse("correct horse battery").unwrap();
        let stored = hash(pw.clone()).await.unwrap();
        assert!(stored.0.starts_with("$argon2id$"));
        assert!(verify(pw, Some(stored.clone())).await.unwrap());
        let wrong = Password::parse("incorrect horse battery").unwrap();
        assert!(!verify(wrong, Some(stored)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        let pw = Password::parse("dummy password never used").unwrap();
        assert!(!verify(pw, None).await.unwrap());
    }
}
