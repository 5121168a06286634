//! Accounts and the global profile.

use super::{
    search::refresh_search,
    support::{backend, conflict_or_backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::{Email, ProfileInput, UserId},
    ports::{AccountStore, Credentials, NewUser, PasswordHash, StoreError, StoreResult, User},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub(super) const USER_COLUMNS: &str =
    "id, email, display_name, pronouns, headline, company, job_title, bio, \
     links, location, languages, ask_me_about, phone, visibility, created_at";

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    pronouns: String,
    headline: String,
    company: String,
    job_title: String,
    bio: String,
    links: String,
    location: String,
    languages: String,
    ask_me_about: String,
    phone: String,
    visibility: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(r: UserRow) -> Result<Self, Self::Error> {
        // Values were validated on the way in; failing here means the row was
        // edited behind our back, which is an internal error, not user input.
        let corrupt = |what: &str| {
            StoreError::Backend(format!("stored {what} of user {} is invalid", r.id).into())
        };
        Ok(User {
            id: UserId(r.id),
            email: Email::from_stored(r.email),
            display_name: r.display_name,
            pronouns: r.pronouns,
            headline: r.headline,
            company: r.company,
            job_title: r.job_title,
            bio: r.bio,
            links: serde_json::from_str(&r.links).map_err(|_| corrupt("links"))?,
            visibility: serde_json::from_str(&r.visibility).map_err(|_| corrupt("visibility"))?,
            location: r.location,
            languages: r.languages,
            ask_me_about: r.ask_me_about,
            phone: r.phone,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    id: Uuid,
    password_hash: String,
}

const EMAIL_TAKEN: &[(&str, &str)] = &[("email", "email")];

#[async_trait]
impl AccountStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn create_user(&self, new: NewUser) -> StoreResult<User> {
        let now = now();
        let sql = format!(
            "INSERT INTO users (id, email, password_hash, display_name, sort_name, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {USER_COLUMNS}"
        );
        let search = self.search_sql();
        let user = on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let row: UserRow = sqlx::query_as(&sql)
                .bind(Uuid::new_v4())
                .bind(new.email.as_str())
                .bind(&new.password_hash.0)
                .bind(new.display_name.as_str())
                .bind(sort_name(new.display_name.as_str()))
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_or_backend(e, EMAIL_TAKEN))?;
            let user = User::try_from(row)?;
            refresh_search!(tx, search, &user);
            tx.commit().await.map_err(backend)?;
            user
        });
        Ok(user)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(User::try_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        let row: Option<UserRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(email.as_str())
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(User::try_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn credentials(&self, email: &Email) -> StoreResult<Option<Credentials>> {
        let row: Option<CredentialsRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT id, password_hash FROM users WHERE email = $1"
        )
        .bind(email.as_str())
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(row.map(|r| Credentials {
            user_id: UserId(r.id),
            password_hash: PasswordHash(r.password_hash),
        }))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn update_profile(&self, id: UserId, p: &ProfileInput) -> StoreResult<User> {
        let links: Vec<&str> = p.links.iter().map(|l| l.as_str()).collect();
        let links = serde_json::to_string(&links).map_err(|e| StoreError::Backend(e.into()))?;
        let sql = format!(
            "UPDATE users SET display_name = $2, pronouns = $3, headline = $4, company = $5, \
             job_title = $6, bio = $7, links = $8, location = $9, languages = $10, \
             ask_me_about = $11, phone = $12, sort_name = $13, updated_at = $14 \
             WHERE id = $1 RETURNING {USER_COLUMNS}"
        );
        let search = self.search_sql();
        let user = on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let row: Option<UserRow> = sqlx::query_as(&sql)
                .bind(id.0)
                .bind(p.display_name.as_str())
                .bind(p.pronouns.as_str())
                .bind(p.headline.as_str())
                .bind(p.company.as_str())
                .bind(p.job_title.as_str())
                .bind(p.bio.as_str())
                .bind(&links)
                .bind(p.location.as_str())
                .bind(p.languages.as_str())
                .bind(p.ask_me_about.as_str())
                .bind(p.phone.as_str())
                .bind(sort_name(p.display_name.as_str()))
                .bind(now())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            let user = User::try_from(row.ok_or(StoreError::NotFound)?)?;
            refresh_search!(tx, search, &user);
            tx.commit().await.map_err(backend)?;
            user
        });
        Ok(user)
    }
}

/// The key the directory sorts by: the name in lower case, compared byte
/// by byte on both backends.
pub(super) fn sort_name(display_name: &str) -> String {
    display_name.to_lowercase()
}
