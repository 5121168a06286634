//! Opening the PostgreSQL pool.

use super::Pools;
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

pub(super) async fn connect(url: &str) -> anyhow::Result<Pools> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    Ok(Pools::Postgres(pool))
}
