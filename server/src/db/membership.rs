//! Removals that stick and memberships that wait for consent: the
//! `event_removals` and `membership_offers` tables (see their migration,
//! `20261130000001_join_consent.sql`).
//!
//! The removal itself is written by `change_member` (in `events.rs`), in
//! the transaction that deletes the membership, and `add_member` refuses a
//! removed person in the statement that inserts; this file lists, lifts and
//! checks removals, and keeps the offers an organizer's import makes until
//! their person accepts or declines.

use super::events::{parse_role, EventRow, EVENT_COLUMNS};
use super::{
    support::{backend, conflict_or_backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::{EventId, Role, UserId},
    ports::{Event, MembershipOffer, MembershipStore, RemovedMember, StoreError, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct OfferRow {
    token: String,
    event_id: Uuid,
    user_id: Uuid,
    role: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<OfferRow> for MembershipOffer {
    type Error = StoreError;

    fn try_from(r: OfferRow) -> Result<Self, Self::Error> {
        Ok(MembershipOffer {
            role: parse_role(&r.role)?,
            token: r.token,
            event: EventId(r.event_id),
            user: UserId(r.user_id),
            created_at: r.created_at,
        })
    }
}

/// An event and my offer in it; the offer's columns renamed, since both
/// tables have a `created_at`.
#[derive(sqlx::FromRow)]
struct EventWithOffer {
    #[sqlx(flatten)]
    event: EventRow,
    offer_token: String,
    offer_role: String,
    offered_at: DateTime<Utc>,
}

const OFFER_COLUMNS: &str = "token, event_id, user_id, role, created_at";

#[async_trait]
impl MembershipStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn was_removed(&self, event: EventId, user: UserId) -> StoreResult<bool> {
        let found: Option<i32> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT 1 FROM event_removals WHERE event_id = $1 AND user_id = $2"
        )
        .bind(event.0)
        .bind(user.0)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(found.is_some())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn removed_members(&self, event: EventId) -> StoreResult<Vec<RemovedMember>> {
        let rows: Vec<(Uuid, String, DateTime<Utc>)> = on_read!(self, |pool| sqlx::query_as(
            "SELECT u.id, u.display_name, r.removed_at FROM event_removals r \
             JOIN users u ON u.id = r.user_id WHERE r.event_id = $1"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        let mut removed: Vec<RemovedMember> = rows
            .into_iter()
            .map(|(id, display_name, removed_at)| RemovedMember {
                user_id: UserId(id),
                display_name,
                removed_at,
            })
            .collect();
        // Sorted here so both backends agree (collations differ).
        removed.sort_by_cached_key(|r| (r.display_name.to_lowercase(), r.user_id.0));
        Ok(removed)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn readmit(&self, event: EventId, user: UserId) -> StoreResult<()> {
        self.delete_for_pair(
            "DELETE FROM event_removals WHERE event_id = $1 AND user_id = $2",
            event.0,
            user.0,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn offer_membership(
        &self,
        token: &str,
        event: EventId,
        user: UserId,
        role: Role,
    ) -> StoreResult<MembershipOffer> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let removed: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM event_removals WHERE event_id = $1 AND user_id = $2",
            )
            .bind(event.0)
            .bind(user.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            if removed.is_some() {
                return Err(StoreError::Conflict("removed"));
            }
            let current: Option<String> = sqlx::query_scalar(
                "SELECT role FROM memberships WHERE event_id = $1 AND user_id = $2",
            )
            .bind(event.0)
            .bind(user.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            if current.as_deref() == Some(role.as_str()) {
                return Err(StoreError::Conflict("membership"));
            }
            // A second offer changes the role, not the link already sent.
            let sql = format!(
                "INSERT INTO membership_offers (token, event_id, user_id, role, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id, user_id) \
                 DO UPDATE SET role = excluded.role RETURNING {OFFER_COLUMNS}"
            );
            let row: OfferRow = sqlx::query_as(&sql)
                .bind(token)
                .bind(event.0)
                .bind(user.0)
                .bind(role.as_str())
                .bind(now())
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| {
                    conflict_or_backend(
                        e,
                        &[
                            ("membership_offers_pkey", "offer token"),
                            ("token", "offer token"),
                        ],
                    )
                })?;
            tx.commit().await.map_err(backend)?;
            row.try_into()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn offer_by_token(&self, token: &str) -> StoreResult<Option<MembershipOffer>> {
        let sql = format!("SELECT {OFFER_COLUMNS} FROM membership_offers WHERE token = $1");
        let row: Option<OfferRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(token)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(MembershipOffer::try_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn pending_offers(&self, user: UserId) -> StoreResult<Vec<(Event, MembershipOffer)>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS}, o.token AS offer_token, o.role AS offer_role, \
             o.created_at AS offered_at FROM membership_offers o \
             JOIN events e ON e.id = o.event_id WHERE o.user_id = $1"
        );
        let rows: Vec<EventWithOffer> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(user.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        let mut offers = rows
            .into_iter()
            .map(|r| {
                let event = Event::try_from(r.event)?;
                let offer = MembershipOffer {
                    token: r.offer_token,
                    event: event.id,
                    user,
                    role: parse_role(&r.offer_role)?,
                    created_at: r.offered_at,
                };
                Ok((event, offer))
            })
            .collect::<StoreResult<Vec<(Event, MembershipOffer)>>>()?;
        offers.sort_by_cached_key(|(e, _)| (e.dates.starts_on(), e.name.to_lowercase(), e.id.0));
        Ok(offers)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn offers_to_members(&self, event: EventId) -> StoreResult<Vec<MembershipOffer>> {
        let sql = "SELECT o.token, o.event_id, o.user_id, o.role, o.created_at \
                   FROM membership_offers o JOIN memberships m \
                   ON m.event_id = o.event_id AND m.user_id = o.user_id WHERE o.event_id = $1";
        let rows: Vec<OfferRow> = on_read!(self, |pool| sqlx::query_as(sql)
            .bind(event.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        rows.into_iter().map(MembershipOffer::try_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn answer_offer(
        &self,
        event: EventId,
        user: UserId,
        accept: bool,
    ) -> StoreResult<Option<Role>> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let role: Option<String> = sqlx::query_scalar(
                "DELETE FROM membership_offers WHERE event_id = $1 AND user_id = $2 RETURNING role",
            )
            .bind(event.0)
            .bind(user.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            let role = parse_role(&role.ok_or(StoreError::NotFound)?)?;
            if !accept {
                tx.commit().await.map_err(backend)?;
                return Ok(None);
            }
            // Removed since the offer was made: nothing changes (dropping
            // the transaction puts the offer back).
            let removed: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM event_removals WHERE event_id = $1 AND user_id = $2",
            )
            .bind(event.0)
            .bind(user.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            if removed.is_some() {
                return Err(StoreError::Conflict("removed"));
            }
            // A member already (an imported attendee offered a higher role)
            // gets exactly the offered role; anyone else joins with it,
            // starting with the event's default for approving scans.
            sqlx::query(
                "INSERT INTO memberships (event_id, user_id, role, joined_at, approve_scans) \
                 SELECT $1, $2, $3, $4, approve_scans_default FROM events WHERE id = $1 \
                 ON CONFLICT (event_id, user_id) DO UPDATE SET role = excluded.role",
            )
            .bind(event.0)
            .bind(user.0)
            .bind(role.as_str())
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(Some(role))
        })
    }
}
