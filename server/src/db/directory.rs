//! The event directory: one page of the members a viewer may see, filtered
//! by words, tags and role, in (sort name, id) order with a cursor
//! ([`ProfileStore::search_directory`](app::ports::ProfileStore::search_directory),
//! to which `db/profiles.rs` delegates). The words are matched against the
//! search entry that `search.rs` keeps.

use super::{
    pools::Pools,
    support::{backend, corrupt, on_read},
    Db,
};
use app::{
    domain::{EventId, Role, UserId},
    ports::{DirectoryCursor, DirectoryEntry, DirectoryPage, DirectoryQuery, StoreResult},
};
use uuid::Uuid;

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

/// Members of `event` visible to `viewer`: not opted out, not blocked
/// either way, not the viewer, one page after `q.after`.
pub(super) async fn search_directory(
    db: &Db,
    event: EventId,
    viewer: UserId,
    q: &DirectoryQuery,
) -> StoreResult<DirectoryPage> {
    let sqlite = matches!(db.pools, Pools::Sqlite { .. });
    // Byte-wise order on both backends (PostgreSQL's default collation differs).
    let collate = if sqlite { "" } else { r#" COLLATE "C""# };
    let limit = q.limit.clamp(1, 100);
    let rows: Vec<DirectoryRow> = on_read!(db, |pool| {
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
        if let Some(only) = &q.only {
            if only.is_empty() {
                b.push(" AND 1 = 0");
            } else {
                b.push(" AND u.id IN (");
                let mut ids = b.separated(", ");
                for id in only {
                    ids.push_bind(id.0);
                }
                b.push(")");
            }
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
    let mut tags = db.tags_of_many(rows.iter().map(|r| r.id).collect()).await?;
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
