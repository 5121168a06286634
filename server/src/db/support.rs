//! What every capability file's SQL uses: running a statement on the pool
//! that serves reads or writes ([`on_read!`], [`on_write!`]), mapping driver
//! errors and bad stored values to [`StoreError`]s ([`backend`],
//! [`conflict_or_backend`], [`corrupt`]) and the
//! current time at the precision both databases keep ([`now`]). A leaf the
//! capability files import, so none of them imports `db/mod.rs` for these.

use app::ports::StoreError;

/// Runs `$body` with `$pool` bound to the pool that serves reads.
macro_rules! on_read {
    ($db:expr, |$pool:ident| $body:expr) => {
        match &$db.pools {
            $crate::db::pools::Pools::Sqlite { read: $pool, .. } => $body,
            $crate::db::pools::Pools::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$pool` bound to the pool that serves writes (the single
/// SQLite writer connection, or the PostgreSQL pool).
macro_rules! on_write {
    ($db:expr, |$pool:ident| $body:expr) => {
        match &$db.pools {
            $crate::db::pools::Pools::Sqlite { write: $pool, .. } => $body,
            $crate::db::pools::Pools::Postgres($pool) => $body,
        }
    };
}

pub(crate) use {on_read, on_write};

/// A stored value that no longer parses as its domain type (a row written
/// by hand or by an older version): a backend error, not the caller's.
pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("stored {what} is invalid").into())
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
