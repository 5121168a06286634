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
mod events;
mod postgres;
mod sessions;
mod sqlite;

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

pub(crate) use {on_read, on_write};

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
