//! The two `Store` adapters: SQLite (embedded, the default) and PostgreSQL
//! (large events, several instances). All SQL of the project lives here.
//!
//! Both backends sit behind one [`Db`] value that holds either an SQLite or
//! a PostgreSQL pool. Most statements are the same text on both (the
//! portable subset: `$n` placeholders, `RETURNING`, `ON CONFLICT`), so each
//! capability file writes a statement once and `on_read!`/`on_write!`
//! (in `support.rs`) run it against whichever pool is configured; each arm
//! is type-checked against its own driver. Statements that differ between
//! dialects are written twice on purpose, as an explicit `match` on
//! [`Pools`]. The store contract suite (`server/tests/store_contract/`)
//! runs every method on both backends.
//!
//! This file declares the modules and the [`Db`] type with its life cycle
//! (connect, migrate, close). What the capability files share is in leaves
//! they import, never here: the pools (`pools.rs`), the statement helpers
//! (`support.rs`) and the directory search entry (`search.rs`).

mod accounts;
mod announcements;
mod attendance;
mod badges;
mod blocks;
mod claims;
pub mod cluster;
mod connections;
mod directory;
mod events;
mod follow_up;
mod imports;
mod integrations;
mod invitations;
pub mod live;
mod matching;
mod meetings;
mod membership;
mod messages;
mod people;
mod pools;
mod postgres;
pub mod presence;
pub(crate) mod profiles;
mod push;
pub mod rooms;
mod schedule;
mod search;
mod sessions;
mod sqlite;
mod stats;
mod support;

pub use pools::{default_sqlite_url, Backend, Pools};

use app::ports::{Store, StoreError};
use async_trait::async_trait;
use std::sync::Arc;
use support::{backend, on_read};

/// A database-backed [`Store`].
#[derive(Clone, Debug)]
pub struct Db {
    pub pools: Pools,
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

#[async_trait]
impl Store for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn ping(&self) -> Result<(), StoreError> {
        on_read!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map(|_| ())
        .map_err(backend)
    }
}
