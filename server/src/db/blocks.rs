//! Blocking: who blocked whom ([`ProfileStore`](app::ports::ProfileStore)'s
//! block methods, to which `db/profiles.rs` delegates). What a block hides
//! is decided by the services; the rooms and the directory read the
//! `blocks` table in their own statements.

use super::{
    support::{backend, conflict_or_backend, now, on_write},
    Db,
};
use app::{domain::UserId, ports::StoreResult};

/// Blocks `blocked` for `blocker` (idempotent).
pub(super) async fn block(db: &Db, blocker: UserId, blocked: UserId) -> StoreResult<()> {
    on_write!(db, |pool| sqlx::query(
        "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (blocker_id, blocked_id) DO NOTHING"
    )
    .bind(blocker.0)
    .bind(blocked.0)
    .bind(now())
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| conflict_or_backend(e, &[]))?;
    Ok(())
}

/// Lifts `blocker`'s block of `blocked`.
pub(super) async fn unblock(db: &Db, blocker: UserId, blocked: UserId) -> StoreResult<()> {
    on_write!(db, |pool| sqlx::query(
        "DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2"
    )
    .bind(blocker.0)
    .bind(blocked.0)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))
    .map_err(backend)?;
    Ok(())
}

/// Whether either of the two has blocked the other.
pub(super) async fn blocked_either_way(db: &Db, a: UserId, b: UserId) -> StoreResult<bool> {
    db.any_for_pair(
        "SELECT COUNT(*) FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) \
         OR (blocker_id = $2 AND blocked_id = $1)",
        a.0,
        b.0,
    )
    .await
}

/// The people `user` has blocked, by name.
pub(super) async fn blocked_by(db: &Db, user: UserId) -> StoreResult<Vec<(UserId, String)>> {
    db.people_for(
        "SELECT u.id, u.display_name FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = $1",
        user,
    )
    .await
}
