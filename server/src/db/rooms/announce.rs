//! How committed room changes reach every instance on PostgreSQL: the
//! channel they are announced on ([`ROOMS_CHANNEL`]) and [`notify!`],
//! which queues an announcement inside the writing transaction. SQLite
//! runs one instance and announces nothing. A leaf both the messages and
//! the moderation statements use.

use super::super::{pools::Pools, Db};

/// The PostgreSQL channel on which committed room changes are announced to
/// every instance (see `server/src/realtime/pg.rs`).
pub const ROOMS_CHANNEL: &str = "rapport_rooms";

/// Inside a write transaction `$tx`, on PostgreSQL only (`$on`): queues a
/// notification on [`ROOMS_CHANNEL`]. PostgreSQL delivers it when the
/// transaction commits, and not at all if it rolls back, so listeners hear
/// only of committed changes.
macro_rules! notify {
    ($on:expr, $tx:ident, $payload:expr) => {
        if $on {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind($crate::db::rooms::announce::ROOMS_CHANNEL)
                .bind($payload)
                .execute(&mut *$tx)
                .await
                .map_err(backend)?;
        }
    };
}

pub(super) use notify;

impl Db {
    /// Whether changes are announced to other instances (PostgreSQL).
    pub(super) fn announces(&self) -> bool {
        matches!(self.pools, Pools::Postgres(_))
    }
}
