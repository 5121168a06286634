//! What the instances sharing one database must agree on, kept in the
//! database: for now the fingerprint of the session-cookie key
//! (`cluster_key`, one row). The first start records it; every start
//! compares its own. Only the fingerprint is stored (see
//! `crate::secret::SecretKey::fingerprint`), never the key.

use super::{
    support::{on_read, on_write},
    Db,
};
use chrono::{DateTime, Utc};

/// How this instance's key fingerprint compares with the database's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyCheck {
    /// None was recorded: this one is now (first start on this database).
    Recorded,
    /// The same key as the one recorded.
    Same,
    /// Another key's fingerprint was recorded at this time.
    Different { recorded_at: DateTime<Utc> },
}

/// Records `fingerprint` if none is recorded yet, and says how it compares
/// with the one that is. Two instances starting at once on an empty
/// database both insert "if absent": one wins, and the other compares
/// with the winner's.
pub async fn check_key(db: &Db, fingerprint: &str, now: DateTime<Utc>) -> anyhow::Result<KeyCheck> {
    let inserted = on_write!(db, |pool| {
        sqlx::query(
            "INSERT INTO cluster_key (id, fingerprint, recorded_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(fingerprint)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
    });
    if inserted == 1 {
        return Ok(KeyCheck::Recorded);
    }
    let (stored, recorded_at): (String, DateTime<Utc>) = on_read!(db, |pool| {
        sqlx::query_as("SELECT fingerprint, recorded_at FROM cluster_key WHERE id = 1")
            .fetch_one(pool)
            .await?
    });
    Ok(if stored == fingerprint {
        KeyCheck::Same
    } else {
        KeyCheck::Different { recorded_at }
    })
}

/// Replaces the recorded fingerprint (the key was changed on purpose).
pub async fn replace_key(db: &Db, fingerprint: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
    on_write!(db, |pool| {
        sqlx::query(
            "INSERT INTO cluster_key (id, fingerprint, recorded_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, \
             recorded_at = excluded.recorded_at",
        )
        .bind(fingerprint)
        .bind(now)
        .execute(pool)
        .await?;
    });
    Ok(())
}
