//! Opening the PostgreSQL pool.

use super::pools::Pools;
use sqlx::{migrate::MigrateDatabase, postgres::PgPoolOptions, Postgres};
use std::time::Duration;

/// Connects, creating the database first if the server has none of that
/// name (the role needs `CREATEDB` for that; otherwise create it by hand).
pub(super) async fn connect(url: &str) -> anyhow::Result<Pools> {
    if !Postgres::database_exists(url).await? {
        tracing::info!("creating the PostgreSQL database");
        Postgres::create_database(url).await?;
    }
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    Ok(Pools::Postgres(pool))
}
