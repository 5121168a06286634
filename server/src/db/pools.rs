//! Which database a URL names ([`Backend`]) and the connection pools of the
//! configured one ([`Pools`]); `sqlite.rs` and `postgres.rs` open them. A
//! leaf, so the capability files and the statement helpers of
//! `support.rs` name the pools without importing `db/mod.rs`.

use std::path::Path;

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

/// The default SQLite URL: a file in the data directory.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("rapport.db").display())
}
