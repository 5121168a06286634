//! Shapes of statement several capability files use about pairs of ids and
//! people: "is there a row for these two ids" ([`Db::any_for_pair`]), "delete
//! the one row these two ids name" ([`Db::delete_for_pair`], an id and the
//! event or owner it must belong to), and "who is joined to this person, by
//! name" ([`Db::people_for`]). A leaf, so none of them imports another for
//! these.

use super::{
    support::{backend, on_read, on_write},
    Db,
};
use app::{
    domain::UserId,
    ports::{StoreError, StoreResult},
};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct NamedRow {
    id: Uuid,
    display_name: String,
}

fn named(rows: Vec<NamedRow>) -> Vec<(UserId, String)> {
    let mut people: Vec<_> = rows
        .into_iter()
        .map(|r| (UserId(r.id), r.display_name))
        .collect();
    people.sort_by_cached_key(|(id, name)| (name.to_lowercase(), id.0));
    people
}

impl Db {
    /// Whether `sql`, a `SELECT COUNT(*)` over two ids, counts anything.
    pub(super) async fn any_for_pair(&self, sql: &str, a: Uuid, b: Uuid) -> StoreResult<bool> {
        let n: i64 = on_read!(self, |pool| sqlx::query_scalar(sql)
            .bind(a)
            .bind(b)
            .fetch_one(pool)
            .await)
        .map_err(backend)?;
        Ok(n > 0)
    }

    /// Runs `sql`, a `DELETE` of one row named by two ids (`$1`, `$2`:
    /// typically the row's id and the event or person it must belong to, so
    /// a row of someone else's is never touched); `NotFound` when no row
    /// matched.
    pub(super) async fn delete_for_pair(&self, sql: &str, a: Uuid, b: Uuid) -> StoreResult<()> {
        let gone = on_write!(self, |pool| sqlx::query(sql)
            .bind(a)
            .bind(b)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(backend)?;
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// People joined to `user` through `sql` (one `$1` parameter), sorted by name.
    pub(super) async fn people_for(
        &self,
        sql: &str,
        user: UserId,
    ) -> StoreResult<Vec<(UserId, String)>> {
        let rows: Vec<NamedRow> = on_read!(self, |pool| sqlx::query_as(sql)
            .bind(user.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        Ok(named(rows))
    }
}
