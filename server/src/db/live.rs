//! The PostgreSQL channel that carries personal notifications, dashboard
//! changes and matching updates between `rapport` instances (see
//! `crate::realtime::bus`). PostgreSQL only: with SQLite one instance
//! delivers everything itself.

use sqlx::PgPool;

/// The `LISTEN` channel of the bus.
pub const LIVE_CHANNEL: &str = "rapport_live";

/// Largest payload PostgreSQL accepts for `NOTIFY` is 8,000 bytes; callers
/// keep their messages well below it.
pub const MAX_PAYLOAD: usize = 7_900;

/// Sends `payload` to every listening instance, this one included.
pub async fn publish(pool: &PgPool, payload: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(LIVE_CHANNEL)
        .bind(payload)
        .execute(pool)
        .await?;
    Ok(())
}
