//! A profile's directory search entry: the words fellow members may search
//! for ([`search_doc`]), the per-backend statements that replace the entry
//! ([`SearchSql`]), and [`refresh_search!`], which recomputes it inside
//! each write of a profile (accounts and profiles both write them). Also
//! the stored tag rows ([`TagRow`], [`tag_set`], [`Db::tags_of_many`]).

use super::{
    pools::Pools,
    support::{backend, corrupt, on_read},
    Db,
};
use app::{
    domain::{search_document, Intent, ProfileField, Tag, TagSet},
    ports::{StoreResult, User},
};
use std::collections::HashMap;
use uuid::Uuid;

/// One stored tag of a profile.
#[derive(sqlx::FromRow)]
pub(crate) struct TagRow {
    tag: String,
    intent: String,
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

/// The two statements that replace a profile's directory search entry:
/// SQLite keeps it in an FTS5 table, PostgreSQL in a `tsvector` column.
#[derive(Clone, Copy)]
pub(crate) struct SearchSql {
    /// Removes the entry of user `$1`.
    pub delete: &'static str,
    /// Writes the words `$2` for user `$1`.
    pub insert: &'static str,
}

impl Db {
    /// Statement writing a profile's search entry: FTS5 takes the words as
    /// they are, PostgreSQL turns them into a `tsvector` ('simple' config:
    /// no stemming, like FTS5's unicode61).
    /// How this backend writes a profile's search entry (see [`SearchSql`]).
    pub(crate) fn search_sql(&self) -> SearchSql {
        match self.pools {
            // The FTS5 row shares the user's rowid, so both directions use an index.
            Pools::Sqlite { .. } => SearchSql {
                delete: "DELETE FROM profile_search WHERE rowid = (SELECT rowid FROM users WHERE id = $1)",
                insert: "INSERT INTO profile_search (rowid, doc) VALUES ((SELECT rowid FROM users WHERE id = $1), $2)",
            },
            // 'simple': no stemming, like FTS5's unicode61 tokenizer.
            Pools::Postgres(_) => SearchSql {
                delete: "DELETE FROM profile_search WHERE user_id = $1",
                insert: "INSERT INTO profile_search (user_id, doc) VALUES ($1, to_tsvector('simple', $2))",
            },
        }
    }
}

/// Inside a write transaction `$tx`: recomputes the directory search entry
/// of `$user` (a `User` as just written) from its event-visible fields and
/// tags, so the search index never disagrees with the profile.
macro_rules! refresh_search {
    ($tx:ident, $sql:expr, $user:expr) => {{
        let user: &app::ports::User = $user;
        let tags: Vec<$crate::db::search::TagRow> = sqlx::query_as(
            "SELECT tag, intent FROM user_tags WHERE user_id = $1 ORDER BY intent, position",
        )
        .bind(user.id.0)
        .fetch_all(&mut *$tx)
        .await
        .map_err($crate::db::support::backend)?;
        let doc = $crate::db::search::search_doc(user, $crate::db::search::tag_set(tags)?);
        sqlx::query($sql.delete)
            .bind(user.id.0)
            .execute(&mut *$tx)
            .await
            .map_err($crate::db::support::backend)?;
        sqlx::query($sql.insert)
            .bind(user.id.0)
            .bind(doc)
            .execute(&mut *$tx)
            .await
            .map_err($crate::db::support::backend)?;
    }};
}

pub(crate) use refresh_search;

#[derive(sqlx::FromRow)]
struct UserTagRow {
    user_id: Uuid,
    tag: String,
    intent: String,
}

impl Db {
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
