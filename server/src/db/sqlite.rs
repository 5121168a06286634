//! Opening the SQLite database: WAL, `synchronous=NORMAL`, foreign keys on,
//! a busy timeout, a read pool and a single writer connection.

use super::pools::Pools;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::{str::FromStr, time::Duration};

/// Readers run concurrently in WAL mode; a handful covers two cores.
const READERS: u32 = 4;

pub(super) async fn connect(url: &str) -> anyhow::Result<Pools> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    if let Some(dir) = options.get_filename().parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    // The writer is opened first so the file exists (and is in WAL mode)
    // before the readers connect. No ping before each use
    // (`test_before_acquire`): a connection to a local file cannot go stale
    // the way a network one can, and the ping is one more round trip to the
    // connection's thread on every query (the live rooms' post and fan-out
    // paths were waiting on it under load; docs/benchmarks.md).
    let write = SqlitePoolOptions::new()
        .test_before_acquire(false)
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options.clone())
        .await?;
    let read = SqlitePoolOptions::new()
        .test_before_acquire(false)
        .max_connections(READERS)
        .connect_with(options.read_only(true))
        .await?;
    Ok(Pools::Sqlite { read, write })
}
