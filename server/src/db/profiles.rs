//! Profiles beyond the basics: tags, visibility, per-event settings,
//! photos, a person's messages for their data export, account deletion;
//! and the one implementation of [`ProfileStore`] for [`Db`], whose
//! blocking, connection and directory methods delegate to `blocks.rs`,
//! `connections.rs` and `directory.rs`.

use super::{
    accounts::{UserRow, USER_COLUMNS},
    blocks, connections, directory,
    search::{refresh_search, tag_set, TagRow},
    support::{backend, conflict_or_backend, corrupt, now, on_read, on_write},
    Db,
};
use app::{
    domain::{EventId, ProfileField, Role, TagSet, UserId, Visibility, VisibilitySettings},
    ports::{
        DirectoryPage, DirectoryQuery, Membership, MyMessage, Photo, ProfileStore, StoreError,
        StoreResult, User,
    },
};
use async_trait::async_trait;

fn user_query() -> String {
    format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")
}

const MEMBERSHIP_SELECT: &str =
    "SELECT role, event_line, opted_out, approve_scans, checked_in_at, exhibitor FROM memberships \
     WHERE event_id = $1 AND user_id = $2";

#[derive(sqlx::FromRow)]
struct MembershipRow {
    role: String,
    event_line: String,
    opted_out: bool,
    approve_scans: bool,
    checked_in_at: Option<chrono::DateTime<chrono::Utc>>,
    exhibitor: bool,
}

#[derive(sqlx::FromRow)]
struct PhotoRow {
    content_type: String,
    bytes: Vec<u8>,
    etag: String,
}

#[async_trait]
impl ProfileStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_tags(&self, user: UserId, tags: &TagSet) -> StoreResult<()> {
        let search = self.search_sql();
        let select = user_query();
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let row: Option<UserRow> = sqlx::query_as(&select)
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            let user_row = User::try_from(row.ok_or(StoreError::NotFound)?)?;
            sqlx::query("DELETE FROM user_tags WHERE user_id = $1")
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            for (position, (tag, intent)) in tags.iter().enumerate() {
                sqlx::query("INSERT INTO user_tags (user_id, tag, intent, position) VALUES ($1, $2, $3, $4)")
                    .bind(user.0)
                    .bind(tag.as_str())
                    .bind(intent.as_str())
                    .bind(position as i32)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
            refresh_search!(tx, search, &user_row);
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn tags_of(&self, user: UserId) -> StoreResult<TagSet> {
        let rows: Vec<TagRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT tag, intent FROM user_tags WHERE user_id = $1 ORDER BY intent, position"
        )
        .bind(user.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        tag_set(rows)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_visibility(
        &self,
        user: UserId,
        visibility: &VisibilitySettings,
    ) -> StoreResult<()> {
        let search = self.search_sql();
        let json = serde_json::to_string(visibility).map_err(|e| StoreError::Backend(e.into()))?;
        let tags_public = visibility.get(ProfileField::Tags) == Visibility::Event;
        let sql = format!("UPDATE users SET visibility = $2, tags_public = $3 WHERE id = $1 RETURNING {USER_COLUMNS}");
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let row: Option<UserRow> = sqlx::query_as(&sql)
                .bind(user.0)
                .bind(&json)
                .bind(tags_public)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            let user_row = User::try_from(row.ok_or(StoreError::NotFound)?)?;
            refresh_search!(tx, search, &user_row);
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn membership(&self, event: EventId, user: UserId) -> StoreResult<Option<Membership>> {
        let row: Option<MembershipRow> = on_read!(self, |pool| sqlx::query_as(MEMBERSHIP_SELECT)
            .bind(event.0)
            .bind(user.0)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(|r| {
            Ok(Membership {
                role: Role::parse(&r.role).map_err(|_| corrupt("role"))?,
                event_line: r.event_line,
                opted_out: r.opted_out,
                approve_scans: r.approve_scans,
                checked_in_at: r.checked_in_at,
                exhibitor: r.exhibitor,
            })
        })
        .transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_membership_prefs(
        &self,
        event: EventId,
        user: UserId,
        event_line: &str,
        opted_out: bool,
    ) -> StoreResult<()> {
        let changed = on_write!(self, |pool| sqlx::query(
            "UPDATE memberships SET event_line = $3, opted_out = $4 WHERE event_id = $1 AND user_id = $2"
        )
        .bind(event.0)
        .bind(user.0)
        .bind(event_line)
        .bind(opted_out)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn block(&self, blocker: UserId, blocked: UserId) -> StoreResult<()> {
        blocks::block(self, blocker, blocked).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn unblock(&self, blocker: UserId, blocked: UserId) -> StoreResult<()> {
        blocks::unblock(self, blocker, blocked).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn blocked_either_way(&self, a: UserId, b: UserId) -> StoreResult<bool> {
        blocks::blocked_either_way(self, a, b).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn blocked_by(&self, user: UserId) -> StoreResult<Vec<(UserId, String)>> {
        blocks::blocked_by(self, user).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn connect(&self, a: UserId, b: UserId, event: Option<EventId>) -> StoreResult<bool> {
        connections::connect(self, a, b, event).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn are_connected(&self, a: UserId, b: UserId) -> StoreResult<bool> {
        connections::are_connected(self, a, b).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn connections_of(&self, user: UserId) -> StoreResult<Vec<(UserId, String)>> {
        connections::connections_of(self, user).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn share_an_event(&self, a: UserId, b: UserId) -> StoreResult<bool> {
        self.any_for_pair(
            "SELECT COUNT(*) FROM memberships m1 JOIN memberships m2 ON m2.event_id = m1.event_id \
             WHERE m1.user_id = $1 AND m2.user_id = $2",
            a.0,
            b.0,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn search_directory(
        &self,
        event: EventId,
        viewer: UserId,
        q: &DirectoryQuery,
    ) -> StoreResult<DirectoryPage> {
        directory::search_directory(self, event, viewer, q).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_photo(&self, user: UserId, photo: &Photo) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "INSERT INTO user_photos (user_id, content_type, bytes, etag, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id) DO UPDATE SET content_type = excluded.content_type, bytes = excluded.bytes, \
             etag = excluded.etag, updated_at = excluded.updated_at"
        )
        .bind(user.0)
        .bind(&photo.content_type)
        .bind(&photo.bytes)
        .bind(&photo.etag)
        .bind(now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| conflict_or_backend(e, &[]))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn photo(&self, user: UserId) -> StoreResult<Option<Photo>> {
        let row: Option<PhotoRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT content_type, bytes, etag FROM user_photos WHERE user_id = $1"
        )
        .bind(user.0)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(row.map(|r| Photo {
            content_type: r.content_type,
            bytes: r.bytes,
            etag: r.etag,
        }))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn delete_photo(&self, user: UserId) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "DELETE FROM user_photos WHERE user_id = $1"
        )
        .bind(user.0)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn messages_by(&self, user: UserId) -> StoreResult<Vec<MyMessage>> {
        let rows: Vec<(
            String,
            String,
            i64,
            String,
            chrono::DateTime<chrono::Utc>,
            bool,
        )> = on_read!(self, |pool| sqlx::query_as(
            "SELECT e.name, r.title, m.seq, m.body, m.created_at, m.deleted \
                 FROM room_messages m JOIN rooms r ON r.id = m.room_id \
                 JOIN events e ON e.id = r.event_id \
                 WHERE m.author_id = $1 ORDER BY m.created_at, r.id, m.seq"
        )
        .bind(user.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(rows
            .into_iter()
            .map(
                |(event_name, room_title, seq, text, sent_at, removed)| MyMessage {
                    event_name,
                    room_title,
                    seq,
                    text,
                    sent_at,
                    removed,
                },
            )
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn delete_user(&self, user: UserId) -> StoreResult<()> {
        let search = self.search_sql();
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            // The search entry first: on SQLite it is found through the user's rowid.
            sqlx::query(search.delete)
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            // Foreign keys cascade to memberships, tags, sessions, photo, blocks
            // and connections.
            let gone = sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?
                .rows_affected();
            if gone == 0 {
                return Err(StoreError::NotFound);
            }
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }
}
