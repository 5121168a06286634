//! The two `Store` adapters: SQLite (embedded, the default) and PostgreSQL
//! (large events, several instances). All SQL of the project lives here.
//!
//! Both backends sit behind one [`Db`] value that holds either an SQLite or
//! a PostgreSQL pool. Most statements are the same text on both (the
//! portable subset: `$n` placeholders, `RETURNING`, `ON CONFLICT`), so each
//! capability file writes a statement once and [`on_read!`]/[`on_write!`]
//! run it against whichever pool is configured; each arm is type-checked
//! against its own driver. Statements that differ between dialects are
//! written twice on purpose, as an explicit `match` on [`Pools`]. The store
//! contract suite (`server/tests/store_contract.rs`) runs every method on
//! both backends.

mod accounts;
mod announcements;
mod badges;
mod claims;
mod connections;
mod events;
mod imports;
mod integrations;
mod invitations;
pub mod live;
mod matching;
mod meetings;
mod postgres;
pub mod presence;
pub(crate) mod profiles;
pub mod rooms;
mod sessions;
mod sqlite;
mod stats;

use app::ports::{Store, StoreError};
use async_trait::async_trait;
use std::{path::Path, sync::Arc};

/// The connection pools of the configured backend.
#[derive(Clone, Debug)]
pub enum Pools {
    /// SQLite in WAL mode: many readers, and exactly one writer connection so
    /// concurrent writes queue in the pool instead of failing with
    /// "database is locked".
    Sqlite {
        read: sqlx::SqlitePool,
        write: sqlx::SqlitePool,
    },
    /// PostgreSQL handles concurrent writers itself.
    Postgres(sqlx::PgPool),
}

/// The two statements that replace a profile's directory search entry:
/// SQLite keeps it in an FTS5 table, PostgreSQL in a `tsvector` column.
#[derive(Clone, Copy)]
pub(crate) struct SearchSql {
    /// Removes the entry of user `$1`.
    pub delete: &'static str,
    /// Writes the words `$2` for user `$1`.
    pub insert: &'static str,
}

/// A database-backed [`Store`].
#[derive(Clone, Debug)]
pub struct Db {
    pub pools: Pools,
}

/// Runs `$body` with `$pool` bound to the pool that serves reads.
macro_rules! on_read {
    ($db:expr, |$pool:ident| $body:expr) => {
        match &$db.pools {
            $crate::db::Pools::Sqlite { read: $pool, .. } => $body,
            $crate::db::Pools::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$pool` bound to the pool that serves writes (the single
/// SQLite writer connection, or the PostgreSQL pool).
macro_rules! on_write {
    ($db:expr, |$pool:ident| $body:expr) => {
        match &$db.pools {
            $crate::db::Pools::Sqlite { write: $pool, .. } => $body,
            $crate::db::Pools::Postgres($pool) => $body,
        }
    };
}

/// Inside a write transaction `$tx`: recomputes the directory search entry
/// of `$user` (a `User` as just written) from its event-visible fields and
/// tags, so the search index never disagrees with the profile.
macro_rules! refresh_search {
    ($tx:ident, $sql:expr, $user:expr) => {{
        let user: &app::ports::User = $user;
        let tags: Vec<$crate::db::profiles::TagRow> = sqlx::query_as(
            "SELECT tag, intent FROM user_tags WHERE user_id = $1 ORDER BY intent, position",
        )
        .bind(user.id.0)
        .fetch_all(&mut *$tx)
        .await
        .map_err($crate::db::backend)?;
        let doc = $crate::db::profiles::search_doc(user, $crate::db::profiles::tag_set(tags)?);
        sqlx::query($sql.delete)
            .bind(user.id.0)
            .execute(&mut *$tx)
            .await
            .map_err($crate::db::backend)?;
        sqlx::query($sql.insert)
            .bind(user.id.0)
            .bind(doc)
            .execute(&mut *$tx)
            .await
            .map_err($crate::db::backend)?;
    }};
}

pub(crate) use {on_read, on_write, refresh_search};

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://")
        }
    }
}

impl Db {
    /// Connects to the database `url` names, creating an SQLite file (and its
    /// folder) if missing. Does not migrate; see [`Db::migrate`].
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let pools = match Backend::of(url)? {
            Backend::Sqlite => sqlite::connect(url).await?,
            Backend::Postgres => postgres::connect(url).await?,
        };
        Ok(Self { pools })
    }

    /// Applies every migration not applied yet (embedded in the binary).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => {
                sqlx::migrate!("../migrations/sqlite").run(write).await?
            }
            Pools::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Closes every pool (graceful shutdown).
    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }

    /// Statement writing a profile's search entry: FTS5 takes the words as
    /// they are, PostgreSQL turns them into a `tsvector` ('simple' config:
    /// no stemming, like FTS5's unicode61).
    /// How this backend writes a profile's search entry (see [`SearchSql`]).
    pub(crate) fn search_sql(&self) -> SearchSql {
        match self.pools {
            // The FTS5 row shares the user's rowid, so both directions use an index.
            Pools::Sqlite { .. } => SearchSql {
                delete: "DELETE FROM profile_search WHERE rowid = (SELECT rowid FROM users WHERE id = $1)",
                insert: "INSERT INTO profile_search (rowid, doc) VALUES ((SELECT rowid FROM users WHERE id = $1), $2)",
            },
            // 'simple': no stemming, like FTS5's unicode61 tokenizer.
            Pools::Postgres(_) => SearchSql {
                delete: "DELETE FROM profile_search WHERE user_id = $1",
                insert: "INSERT INTO profile_search (user_id, doc) VALUES ($1, to_tsvector('simple', $2))",
            },
        }
    }

    pub fn into_store(self) -> Arc<dyn Store> {
        Arc::new(self)
    }
}

/// The default SQLite URL: a file in the data directory.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("rapport.db").display())
}

#[async_trait]
impl Store for Db {
    async fn ping(&self) -> Result<(), StoreError> {
        on_read!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map(|_| ())
        .map_err(backend)
    }
}

/// A driver error that is not an expected outcome.
pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

/// Maps a unique-constraint violation to `Conflict(what)` by constraint name
/// (PostgreSQL reports the name; SQLite reports `table.column` in its
/// message), and anything else to [`backend`]. `names` pairs a constraint
/// name or column with what to call it.
pub(crate) fn conflict_or_backend(e: sqlx::Error, names: &[(&str, &'static str)]) -> StoreError {
    if let Some(db) = e.as_database_error() {
        if db.is_unique_violation() {
            let hint = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned());
            let what = names
                .iter()
                .find(|(needle, _)| hint.contains(needle))
                .map(|(_, what)| *what)
                .unwrap_or("value");
            return StoreError::Conflict(what);
        }
        if db.is_foreign_key_violation() {
            return StoreError::NotFound;
        }
    }
    backend(e)
}

/// The current time at the precision both databases keep (microseconds;
/// PostgreSQL drops nanoseconds), so what a method returns equals what a
/// later read gives back on either backend.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
