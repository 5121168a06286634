//! Accounts: the stored user without its password, what sign-up stores,
//! the (redacted) password hash and what login checks ([`AccountStore`]).

use super::error::StoreResult;
use crate::domain::{Email, PersonName, ProfileInput, UserId, VisibilitySettings};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// An account as stored, without its password hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    pub pronouns: String,
    pub headline: String,
    pub company: String,
    pub job_title: String,
    pub bio: String,
    /// One link per entry, already validated when saved.
    pub links: Vec<String>,
    pub location: String,
    pub languages: String,
    pub ask_me_about: String,
    pub phone: String,
    /// Who may see which field.
    pub visibility: VisibilitySettings,
    pub created_at: DateTime<Utc>,
}

/// What sign-up stores. The hash is a PHC string (Argon2id).
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: Email,
    pub display_name: PersonName,
    pub password_hash: PasswordHash,
}

/// A PHC-format password hash. `Debug` is redacted: a hash is still a secret.
#[derive(Clone)]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash([redacted])")
    }
}

/// What login needs to check a password.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user_id: UserId,
    pub password_hash: PasswordHash,
}

/// Accounts and their global profile.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account. `Conflict("email")` if the email is taken.
    async fn create_user(&self, new: NewUser) -> StoreResult<User>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<User>>;
    async fn credentials(&self, email: &Email) -> StoreResult<Option<Credentials>>;
    /// Replaces the editable profile fields. `NotFound` if the account is gone.
    async fn update_profile(&self, id: UserId, profile: &ProfileInput) -> StoreResult<User>;
}
