//! Profiles beyond the basics: tags, visibility, per-event settings,
//! blocking, connections, photos, the directory search, account deletion.

use super::{
    accounts::{UserRow, USER_COLUMNS},
    backend, conflict_or_backend, on_read, on_write, refresh_search, Db, Pools,
};
use app::{
    domain::{
        search_document, EventId, Intent, ProfileField, Role, Tag, TagSet, UserId, Visibility,
        VisibilitySettings,
    },
    ports::{
        DirectoryCursor, DirectoryEntry, DirectoryPage, DirectoryQuery, Membership, MyMessage,
        Photo, ProfileStore, StoreError, StoreResult, User,
    },
};
use async_trait::async_trait;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct TagRow {
    tag: String,
    intent: String,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("stored {what} is invalid").into())
}

/// Stored tag rows as a [`TagSet`].
pub(crate) fn tag_set(rows: Vec<TagRow>) -> StoreResult<TagSet> {
    rows.into_iter()
        .map(|r| {
            Ok((
                Tag::parse(&r.tag).map_err(|_| corrupt("tag"))?,
                Intent::parse(&r.intent).map_err(|_| corrupt("intent"))?,
            ))
        })
        .collect::<StoreResult<Vec<_>>>()
        .map(TagSet::from_pairs)
}

/// The words of `user` that fellow members may search for.
pub(crate) fn search_doc(user: &User, tags: TagSet) -> String {
    search_document(
        &user.display_name,
        &[
            (ProfileField::Headline, user.headline.as_str()),
            (ProfileField::Company, user.company.as_str()),
            (ProfileField::JobTitle, user.job_title.as_str()),
            (ProfileField::Bio, user.bio.as_str()),
            (ProfileField::Location, user.location.as_str()),
            (ProfileField::Languages, user.languages.as_str()),
            (ProfileField::AskMeAbout, user.ask_me_about.as_str()),
        ],
        &tags,
        &user.visibility,
    )
}

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

#[derive(sqlx::FromRow)]
struct PhotoRow {
    content_type: String,
    bytes: Vec<u8>,
    etag: String,
}

#[derive(sqlx::FromRow)]
struct DirectoryRow {
    id: Uuid,
    display_name: String,
    pronouns: String,
    headline: String,
    company: String,
    job_title: String,
    visibility: String,
    sort_name: String,
    role: String,
    event_line: String,
    photo_etag: Option<String>,
}

#[derive(sqlx::FromRow)]
struct UserTagRow {
    user_id: Uuid,
    tag: String,
    intent: String,
}

/// Orders a pair so it is stored as one row (`user_a < user_b`).
pub(super) fn pair(a: UserId, b: UserId) -> (Uuid, Uuid) {
    if a.0 < b.0 {
        (a.0, b.0)
    } else {
        (b.0, a.0)
    }
}

#[async_trait]
impl ProfileStore for Db {
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

    async fn block(&self, blocker: UserId, blocked: UserId) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (blocker_id, blocked_id) DO NOTHING"
        )
        .bind(blocker.0)
        .bind(blocked.0)
        .bind(super::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| conflict_or_backend(e, &[]))?;
        Ok(())
    }

    async fn unblock(&self, blocker: UserId, blocked: UserId) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
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

    async fn blocked_either_way(&self, a: UserId, b: UserId) -> StoreResult<bool> {
        self.any_for_pair(
            "SELECT COUNT(*) FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) \
             OR (blocker_id = $2 AND blocked_id = $1)",
            a.0,
            b.0,
        )
        .await
    }

    async fn blocked_by(&self, user: UserId) -> StoreResult<Vec<(UserId, String)>> {
        self.people_for(
            "SELECT u.id, u.display_name FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = $1",
            user,
        )
        .await
    }

    async fn connect(&self, a: UserId, b: UserId, event: Option<EventId>) -> StoreResult<bool> {
        let (low, high) = pair(a, b);
        let added = on_write!(self, |pool| sqlx::query(
            "INSERT INTO connections (user_a, user_b, event_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_a, user_b) DO NOTHING"
        )
        .bind(low)
        .bind(high)
        .bind(event.map(|e| e.0))
        .bind(super::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| conflict_or_backend(e, &[]))?;
        Ok(added == 1)
    }

    async fn are_connected(&self, a: UserId, b: UserId) -> StoreResult<bool> {
        let (low, high) = pair(a, b);
        self.any_for_pair(
            "SELECT COUNT(*) FROM connections WHERE user_a = $1 AND user_b = $2",
            low,
            high,
        )
        .await
    }

    async fn connections_of(&self, user: UserId) -> StoreResult<Vec<(UserId, String)>> {
        self.people_for(
            "SELECT u.id, u.display_name FROM connections c \
             JOIN users u ON u.id = (CASE WHEN c.user_a = $1 THEN c.user_b ELSE c.user_a END) \
             WHERE c.user_a = $1 OR c.user_b = $1",
            user,
        )
        .await
    }

    async fn share_an_event(&self, a: UserId, b: UserId) -> StoreResult<bool> {
        self.any_for_pair(
            "SELECT COUNT(*) FROM memberships m1 JOIN memberships m2 ON m2.event_id = m1.event_id \
             WHERE m1.user_id = $1 AND m2.user_id = $2",
            a.0,
            b.0,
        )
        .await
    }

    async fn search_directory(
        &self,
        event: EventId,
        viewer: UserId,
        q: &DirectoryQuery,
    ) -> StoreResult<DirectoryPage> {
        let sqlite = matches!(self.pools, Pools::Sqlite { .. });
        // Byte-wise order on both backends (PostgreSQL's default collation differs).
        let collate = if sqlite { "" } else { r#" COLLATE "C""# };
        let limit = q.limit.clamp(1, 100);
        let rows: Vec<DirectoryRow> = on_read!(self, |pool| {
            let mut b = sqlx::QueryBuilder::new(
                "SELECT u.id, u.display_name, u.pronouns, u.headline, u.company, u.job_title, u.visibility, \
                 u.sort_name, m.role, m.event_line, p.etag AS photo_etag \
                 FROM memberships m JOIN users u ON u.id = m.user_id \
                 LEFT JOIN user_photos p ON p.user_id = u.id \
                 WHERE m.opted_out = FALSE AND m.event_id = ",
            );
            b.push_bind(event.0);
            b.push(" AND u.id <> ").push_bind(viewer.0);
            b.push(" AND NOT EXISTS (SELECT 1 FROM blocks x WHERE (x.blocker_id = ")
                .push_bind(viewer.0)
                .push(" AND x.blocked_id = u.id) OR (x.blocked_id = ")
                .push_bind(viewer.0)
                .push(" AND x.blocker_id = u.id))");
            if !q.words.is_empty() {
                if sqlite {
                    let fts = q.words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" AND ");
                    b.push(" AND u.rowid IN (SELECT rowid FROM profile_search WHERE profile_search MATCH ")
                        .push_bind(fts)
                        .push(")");
                } else {
                    let ts = q.words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ");
                    b.push(" AND u.id IN (SELECT user_id FROM profile_search WHERE doc @@ to_tsquery('simple', ")
                        .push_bind(ts)
                        .push("))");
                }
            }
            for (tag, intent) in &q.tags {
                // `IN (…)` rather than a correlated `EXISTS`: SQLite then starts
                // from the tag index instead of probing every member
                // (29–55 ms → 2 ms at 10,000 members, docs/benchmarks.md).
                b.push(" AND u.tags_public = TRUE AND u.id IN (SELECT t.user_id FROM user_tags t WHERE t.tag = ")
                    .push_bind(tag.as_str().to_owned());
                if let Some(intent) = intent {
                    b.push(" AND t.intent = ").push_bind(intent.as_str());
                }
                b.push(")");
            }
            if let Some(role) = q.role {
                b.push(" AND m.role = ").push_bind(role.as_str());
            }
            if let Some(after) = &q.after {
                b.push(format!(" AND (u.sort_name{collate} > "))
                    .push_bind(after.sort_name.clone())
                    .push(" OR (u.sort_name = ")
                    .push_bind(after.sort_name.clone())
                    .push(" AND u.id > ")
                    .push_bind(after.user_id.0)
                    .push("))");
            }
            b.push(format!(" ORDER BY u.sort_name{collate}, u.id LIMIT "))
                .push_bind(i64::from(limit) + 1);
            b.build_query_as().fetch_all(pool).await
        })
        .map_err(backend)?;

        let has_more = rows.len() > limit as usize;
        let rows: Vec<DirectoryRow> = rows.into_iter().take(limit as usize).collect();
        let mut tags = self
            .tags_of_many(rows.iter().map(|r| r.id).collect())
            .await?;
        let next = if has_more {
            rows.last().map(|r| DirectoryCursor {
                sort_name: r.sort_name.clone(),
                user_id: UserId(r.id),
            })
        } else {
            None
        };
        let entries = rows
            .into_iter()
            .map(|r| {
                Ok(DirectoryEntry {
                    user_id: UserId(r.id),
                    tags: tags.remove(&r.id).unwrap_or_default(),
                    visibility: serde_json::from_str(&r.visibility)
                        .map_err(|_| corrupt("visibility"))?,
                    role: Role::parse(&r.role).map_err(|_| corrupt("role"))?,
                    display_name: r.display_name,
                    pronouns: r.pronouns,
                    headline: r.headline,
                    company: r.company,
                    job_title: r.job_title,
                    event_line: r.event_line,
                    photo_etag: r.photo_etag,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(DirectoryPage { entries, next })
    }

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
        .bind(super::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| conflict_or_backend(e, &[]))?;
        Ok(())
    }

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

impl Db {
    /// Whether `sql`, a `SELECT COUNT(*)` over two ids, counts anything.
    async fn any_for_pair(&self, sql: &str, a: Uuid, b: Uuid) -> StoreResult<bool> {
        let n: i64 = on_read!(self, |pool| sqlx::query_scalar(sql)
            .bind(a)
            .bind(b)
            .fetch_one(pool)
            .await)
        .map_err(backend)?;
        Ok(n > 0)
    }

    /// People joined to `user` through `sql` (one `$1` parameter), sorted by name.
    async fn people_for(&self, sql: &str, user: UserId) -> StoreResult<Vec<(UserId, String)>> {
        let rows: Vec<NamedRow> = on_read!(self, |pool| sqlx::query_as(sql)
            .bind(user.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        Ok(named(rows))
    }

    /// The tags of several profiles at once (one query for a directory page).
    pub(super) async fn tags_of_many(
        &self,
        users: Vec<Uuid>,
    ) -> StoreResult<HashMap<Uuid, TagSet>> {
        if users.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<UserTagRow> = on_read!(self, |pool| {
            let mut b = sqlx::QueryBuilder::new(
                "SELECT user_id, tag, intent FROM user_tags WHERE user_id IN (",
            );
            let mut list = b.separated(", ");
            for id in &users {
                list.push_bind(*id);
            }
            b.push(") ORDER BY user_id, intent, position");
            b.build_query_as().fetch_all(pool).await
        })
        .map_err(backend)?;
        let mut grouped: HashMap<Uuid, Vec<TagRow>> = HashMap::new();
        for r in rows {
            grouped.entry(r.user_id).or_default().push(TagRow {
                tag: r.tag,
                intent: r.intent,
            });
        }
        grouped
            .into_iter()
            .map(|(id, rows)| Ok((id, tag_set(rows)?)))
            .collect()
    }
}
