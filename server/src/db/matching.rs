//! Matching: the members an event's matching index is built from, the
//! attendee's "not now" and "interested" answers (a mutual "interested"
//! connects the two in the same transaction), and the networking funnel.

use super::{
    connections::pair,
    support::{backend, conflict_or_backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::{ConnectionMethod, EventId, FunnelStage, UserId},
    ports::{MatchMember, MatchStore, StoreError, StoreResult},
};
use async_trait::async_trait;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: Uuid,
    company: String,
    tags_public: bool,
    opted_out: bool,
    checked_in: bool,
}

const MEMBER_SELECT: &str = "SELECT m.user_id, u.company, u.tags_public, m.opted_out, \
     (m.checked_in_at IS NOT NULL) AS checked_in \
     FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.event_id = $1";

impl Db {
    async fn with_tags(&self, rows: Vec<MemberRow>) -> StoreResult<Vec<MatchMember>> {
        let mut tags = self
            .tags_of_many(rows.iter().map(|r| r.user_id).collect())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| MatchMember {
                user: UserId(r.user_id),
                tags: tags.remove(&r.user_id).unwrap_or_default(),
                company: r.company,
                tags_public: r.tags_public,
                opted_out: r.opted_out,
                checked_in: r.checked_in,
            })
            .collect())
    }

    async fn ids(&self, sql: &str, event: EventId, user: UserId) -> StoreResult<Vec<UserId>> {
        let ids: Vec<Uuid> = on_read!(self, |pool| sqlx::query_scalar(sql)
            .bind(event.0)
            .bind(user.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        Ok(ids.into_iter().map(UserId).collect())
    }
}

#[async_trait]
impl MatchStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn match_members(&self, event: EventId) -> StoreResult<Vec<MatchMember>> {
        let rows: Vec<MemberRow> = on_read!(self, |pool| sqlx::query_as(MEMBER_SELECT)
            .bind(event.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        self.with_tags(rows).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn match_member(&self, event: EventId, user: UserId) -> StoreResult<Option<MatchMember>> {
        let sql = format!("{MEMBER_SELECT} AND m.user_id = $2");
        let rows: Vec<MemberRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(event.0)
            .bind(user.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        Ok(self.with_tags(rows).await?.pop())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn blocked_with(&self, user: UserId) -> StoreResult<Vec<UserId>> {
        let ids: Vec<Uuid> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT blocked_id FROM blocks WHERE blocker_id = $1 \
             UNION SELECT blocker_id FROM blocks WHERE blocked_id = $1"
        )
        .bind(user.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn dismiss(&self, event: EventId, user: UserId, other: UserId) -> StoreResult<()> {
        on_write!(self, |pool| sqlx::query(
            "INSERT INTO match_dismissals (event_id, user_id, other_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (event_id, user_id, other_id) DO NOTHING"
        )
        .bind(event.0)
        .bind(user.0)
        .bind(other.0)
        .bind(now())
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(|e| conflict_or_backend(e, &[]))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn dismissed(&self, event: EventId, user: UserId) -> StoreResult<Vec<UserId>> {
        self.ids(
            "SELECT other_id FROM match_dismissals WHERE event_id = $1 AND user_id = $2",
            event,
            user,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn mark_interested(
        &self,
        event: EventId,
        user: UserId,
        other: UserId,
    ) -> StoreResult<bool> {
        let now = now();
        let (low, high) = pair(user, other);
        let funnel = "INSERT INTO match_funnel (event_id, user_id, other_id, stage, created_at) \
                      VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id, stage, user_id, other_id) DO NOTHING";
        let mutual = on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            sqlx::query(
                "INSERT INTO match_interests (event_id, user_id, other_id, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (event_id, user_id, other_id) DO NOTHING",
            )
            .bind(event.0)
            .bind(user.0)
            .bind(other.0)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or_backend(e, &[]))?;
            sqlx::query(funnel)
                .bind(event.0)
                .bind(user.0)
                .bind(other.0)
                .bind(FunnelStage::Interested.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let theirs: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM match_interests WHERE event_id = $1 AND user_id = $2 AND other_id = $3",
            )
            .bind(event.0)
            .bind(other.0)
            .bind(user.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            let mutual = theirs > 0;
            if mutual {
                sqlx::query(
                    "INSERT INTO connections (user_a, user_b, event_id, created_at, method) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_a, user_b) DO NOTHING",
                )
                .bind(low)
                .bind(high)
                .bind(event.0)
                .bind(now)
                .bind(ConnectionMethod::Mutual.as_str())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                for (a, b) in [(user, other), (other, user)] {
                    sqlx::query(funnel)
                        .bind(event.0)
                        .bind(a.0)
                        .bind(b.0)
                        .bind(FunnelStage::Mutual.as_str())
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
            }
            tx.commit().await.map_err(backend)?;
            mutual
        });
        Ok(mutual)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn interested_in(&self, event: EventId, user: UserId) -> StoreResult<Vec<UserId>> {
        self.ids(
            "SELECT other_id FROM match_interests WHERE event_id = $1 AND user_id = $2",
            event,
            user,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn record_funnel(
        &self,
        event: EventId,
        user: UserId,
        others: &[UserId],
        stage: FunnelStage,
    ) -> StoreResult<()> {
        if others.is_empty() {
            return Ok(());
        }
        let now = now();
        on_write!(self, |pool| {
            let mut b = sqlx::QueryBuilder::new(
                "INSERT INTO match_funnel (event_id, user_id, other_id, stage, created_at) ",
            );
            b.push_values(others, |mut row, other| {
                row.push_bind(event.0)
                    .push_bind(user.0)
                    .push_bind(other.0)
                    .push_bind(stage.as_str())
                    .push_bind(now);
            });
            b.push(" ON CONFLICT (event_id, stage, user_id, other_id) DO NOTHING");
            b.build()
                .execute(pool)
                .await
                .map(|_| ())
                .map_err(|e| conflict_or_backend(e, &[]))
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn funnel_counts(&self, event: EventId) -> StoreResult<Vec<(FunnelStage, u64)>> {
        let rows: Vec<(String, i64)> = on_read!(self, |pool| sqlx::query_as(
            "SELECT stage, COUNT(*) FROM match_funnel WHERE event_id = $1 GROUP BY stage"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        let mut counts: Vec<(FunnelStage, u64)> = rows
            .into_iter()
            .map(|(s, n)| {
                FunnelStage::parse(&s)
                    .map(|s| (s, u64::try_from(n).unwrap_or_default()))
                    .map_err(|_| StoreError::Backend("stored funnel stage is invalid".into()))
            })
            .collect::<StoreResult<_>>()?;
        counts.sort();
        Ok(counts)
    }
}
