//! Presence rows of the PostgreSQL scale-out: each instance rewrites who is
//! in its live rooms every few seconds and reads everyone else's, so the
//! people in a room are merged across instances, and the rows of an
//! instance that died stop counting once they are stale. PostgreSQL only:
//! SQLite runs one instance, whose hub knows everyone.

use sqlx::PgPool;
use uuid::Uuid;

/// Replaces this instance's rows with `present` (room, user, name) and
/// drops rows nobody refreshed for a long time (instances that died).
pub async fn heartbeat(
    pool: &PgPool,
    instance: Uuid,
    present: &[(Uuid, Uuid, String)],
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM room_presence WHERE instance_id = $1")
        .bind(instance)
        .execute(&mut *tx)
        .await?;
    if !present.is_empty() {
        let rooms: Vec<Uuid> = present.iter().map(|p| p.0).collect();
        let users: Vec<Uuid> = present.iter().map(|p| p.1).collect();
        let names: Vec<String> = present.iter().map(|p| p.2.clone()).collect();
        // Joined with users and rooms so a row of someone just deleted is
        // skipped instead of failing the whole heartbeat.
        sqlx::query(
            "INSERT INTO room_presence (instance_id, room_id, user_id, name, seen_at) \
             SELECT $1, t.r, t.u, t.n, now() \
             FROM UNNEST($2::uuid[], $3::uuid[], $4::text[]) AS t(r, u, n) \
             JOIN users ON users.id = t.u JOIN rooms ON rooms.id = t.r \
             ON CONFLICT DO NOTHING",
        )
        .bind(instance)
        .bind(&rooms)
        .bind(&users)
        .bind(&names)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM room_presence WHERE seen_at < now() - interval '60 seconds'")
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Who other instances have in `rooms`, from rows refreshed within
/// `fresh_secs` seconds: (room, user, name).
pub async fn remote(
    pool: &PgPool,
    instance: Uuid,
    rooms: &[Uuid],
    fresh_secs: f64,
) -> Result<Vec<(Uuid, Uuid, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT DISTINCT room_id, user_id, name FROM room_presence \
         WHERE instance_id <> $1 AND room_id = ANY($2) \
         AND seen_at > now() - make_interval(secs => $3)",
    )
    .bind(instance)
    .bind(rooms)
    .bind(fresh_secs)
    .fetch_all(pool)
    .await
}
