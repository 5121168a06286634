//! Badges and scans: issuing and reissuing badge secrets, looking a scanned
//! token or typed code up, and recording each scan attempt together with
//! its effect (a connection, a request, a check-in or check-out) in one
//! transaction.

use super::{
    attendance::move_person,
    connections::pair,
    support::{backend, conflict_or_backend, corrupt, now, on_read, on_write},
    Db,
};
use app::{
    domain::{
        AttendanceSource, BadgeCode, BadgeToken, ConnectionMethod, EventId, Movement, Role,
        ScanMode, ScanOutcome, UserId,
    },
    ports::{
        Badge, BadgeHolder, BadgeLookup, BadgeStore, NewMovement, NewScan, ScanCounts, ScanRecord,
        StoreError, StoreResult,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct BadgeRow {
    event_id: Uuid,
    user_id: Uuid,
    token: String,
    code: String,
    issued_at: DateTime<Utc>,
}

impl TryFrom<BadgeRow> for Badge {
    type Error = StoreError;
    fn try_from(r: BadgeRow) -> StoreResult<Self> {
        Ok(Badge {
            event: EventId(r.event_id),
            user: UserId(r.user_id),
            token: BadgeToken::parse(&r.token).map_err(|_| corrupt("badge token"))?,
            code: BadgeCode::parse(&r.code).map_err(|_| corrupt("badge code"))?,
            issued_at: r.issued_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RevokedRow {
    event_id: Uuid,
    user_id: Uuid,
}

#[derive(sqlx::FromRow)]
struct HolderRow {
    event_id: Uuid,
    user_id: Uuid,
    token: String,
    code: String,
    issued_at: DateTime<Utc>,
    role: String,
    display_name: String,
    pronouns: String,
    headline: String,
    company: String,
    visibility: String,
}

#[derive(sqlx::FromRow)]
struct ScanRow {
    id: Uuid,
    event_id: Option<Uuid>,
    scanner_id: Option<Uuid>,
    target_id: Option<Uuid>,
    method: String,
    mode: String,
    outcome: String,
    scanned_at: DateTime<Utc>,
    recorded_at: DateTime<Utc>,
    checked_in_at: Option<DateTime<Utc>>,
}

impl TryFrom<ScanRow> for ScanRecord {
    type Error = StoreError;
    fn try_from(r: ScanRow) -> StoreResult<Self> {
        let outcome = ScanOutcome::parse(&r.outcome).map_err(|_| corrupt("scan outcome"))?;
        let check_in = matches!(
            outcome,
            ScanOutcome::CheckedIn | ScanOutcome::AlreadyCheckedIn
        );
        Ok(ScanRecord {
            id: r.id,
            event: r.event_id.map(EventId),
            scanner: r.scanner_id.map(UserId),
            target: r.target_id.map(UserId),
            method: ConnectionMethod::parse(&r.method).map_err(|_| corrupt("scan method"))?,
            mode: ScanMode::parse(&r.mode).map_err(|_| corrupt("scan mode"))?,
            outcome,
            scanned_at: r.scanned_at,
            recorded_at: r.recorded_at,
            checked_in_at: if check_in { r.checked_in_at } else { None },
        })
    }
}

/// A scan with the check-in time of its target in its event: since when
/// they are here, or (once they left) their first check-in.
const SCAN_SELECT: &str =
    "SELECT s.id, s.event_id, s.scanner_id, s.target_id, s.method, s.mode, s.outcome, \
     s.scanned_at, s.recorded_at, COALESCE(m.here_since, m.checked_in_at) AS checked_in_at \
     FROM scans s LEFT JOIN memberships m ON m.event_id = s.event_id AND m.user_id = s.target_id";

const BADGE_COLUMNS: &str = "event_id, user_id, token, code, issued_at";

const BADGE_UNIQUES: &[(&str, &str)] = &[("token", "badge token"), ("code", "badge code")];

#[async_trait]
impl BadgeStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn badge(&self, event: EventId, user: UserId) -> StoreResult<Option<Badge>> {
        let sql =
            format!("SELECT {BADGE_COLUMNS} FROM badges WHERE event_id = $1 AND user_id = $2");
        let row: Option<BadgeRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(event.0)
            .bind(user.0)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(Badge::try_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn issue_badge(
        &self,
        event: EventId,
        user: UserId,
        token: &BadgeToken,
        code: &BadgeCode,
    ) -> StoreResult<Badge> {
        let now = now();
        let current =
            format!("SELECT {BADGE_COLUMNS} FROM badges WHERE event_id = $1 AND user_id = $2");
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let old: Option<BadgeRow> = sqlx::query_as(&current)
                .bind(event.0)
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            // A token once used stays retired: it still answers "replaced".
            let retired: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM revoked_badges WHERE token = $1")
                    .bind(token.as_str())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend)?;
            if retired > 0 {
                return Err(StoreError::Conflict("badge token"));
            }
            if let Some(old) = old {
                sqlx::query(
                    "INSERT INTO revoked_badges (token, event_id, user_id, code, revoked_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&old.token)
                .bind(event.0)
                .bind(user.0)
                .bind(&old.code)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                sqlx::query(
                    "UPDATE badges SET token = $3, code = $4, issued_at = $5 \
                     WHERE event_id = $1 AND user_id = $2",
                )
                .bind(event.0)
                .bind(user.0)
                .bind(token.as_str())
                .bind(code.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or_backend(e, BADGE_UNIQUES))?;
            } else {
                sqlx::query(
                    "INSERT INTO badges (event_id, user_id, token, code, issued_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(event.0)
                .bind(user.0)
                .bind(token.as_str())
                .bind(code.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or_backend(e, BADGE_UNIQUES))?;
            }
            tx.commit().await.map_err(backend)?;
        });
        Ok(Badge {
            event,
            user,
            token: token.clone(),
            code: code.clone(),
            issued_at: now,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn badge_by_token(&self, token: &BadgeToken) -> StoreResult<Option<BadgeLookup>> {
        let current = format!("SELECT {BADGE_COLUMNS} FROM badges WHERE token = $1");
        let row: Option<BadgeRow> = on_read!(self, |pool| sqlx::query_as(&current)
            .bind(token.as_str())
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        if let Some(row) = row {
            return Ok(Some(BadgeLookup::Current(row.try_into()?)));
        }
        let revoked: Option<RevokedRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT event_id, user_id FROM revoked_badges WHERE token = $1"
        )
        .bind(token.as_str())
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(revoked.map(|r| BadgeLookup::Revoked {
            event: EventId(r.event_id),
            user: UserId(r.user_id),
        }))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn badge_by_code(
        &self,
        event: EventId,
        code: &BadgeCode,
    ) -> StoreResult<Option<BadgeLookup>> {
        let current =
            format!("SELECT {BADGE_COLUMNS} FROM badges WHERE event_id = $1 AND code = $2");
        let row: Option<BadgeRow> = on_read!(self, |pool| sqlx::query_as(&current)
            .bind(event.0)
            .bind(code.as_str())
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        if let Some(row) = row {
            return Ok(Some(BadgeLookup::Current(row.try_into()?)));
        }
        let revoked: Option<RevokedRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT event_id, user_id FROM revoked_badges WHERE event_id = $1 AND code = $2 \
             ORDER BY revoked_at DESC LIMIT 1"
        )
        .bind(event.0)
        .bind(code.as_str())
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        Ok(revoked.map(|r| BadgeLookup::Revoked {
            event: EventId(r.event_id),
            user: UserId(r.user_id),
        }))
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn members_without_badge(&self, event: EventId) -> StoreResult<Vec<UserId>> {
        let ids: Vec<Uuid> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT m.user_id FROM memberships m \
             LEFT JOIN badges b ON b.event_id = m.event_id AND b.user_id = m.user_id \
             WHERE m.event_id = $1 AND b.token IS NULL"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn badge_holders(
        &self,
        event: EventId,
        role: Option<Role>,
    ) -> StoreResult<Vec<BadgeHolder>> {
        let rows: Vec<HolderRow> = on_read!(self, |pool| sqlx::query_as(
            "SELECT b.event_id, b.user_id, b.token, b.code, b.issued_at, m.role, \
             u.display_name, u.pronouns, u.headline, u.company, u.visibility \
             FROM badges b JOIN memberships m ON m.event_id = b.event_id AND m.user_id = b.user_id \
             JOIN users u ON u.id = b.user_id \
             WHERE b.event_id = $1 AND ($2 IS NULL OR m.role = $2) \
             ORDER BY u.sort_name, u.id"
        )
        .bind(event.0)
        .bind(role.map(Role::as_str))
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        let mut tags = self
            .tags_of_many(rows.iter().map(|r| r.user_id).collect())
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(BadgeHolder {
                    tags: tags.remove(&r.user_id).unwrap_or_default(),
                    role: Role::parse(&r.role).map_err(|_| corrupt("role"))?,
                    visibility: serde_json::from_str(&r.visibility)
                        .map_err(|_| corrupt("visibility"))?,
                    badge: BadgeRow {
                        event_id: r.event_id,
                        user_id: r.user_id,
                        token: r.token,
                        code: r.code,
                        issued_at: r.issued_at,
                    }
                    .try_into()?,
                    display_name: r.display_name,
                    pronouns: r.pronouns,
                    headline: r.headline,
                    company: r.company,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn record_scan(&self, scan: &NewScan) -> StoreResult<ScanRecord> {
        let by_nonce = format!("{SCAN_SELECT} WHERE s.scanner_id = $1 AND s.client_nonce = $2");
        let by_id = format!("{SCAN_SELECT} WHERE s.id = $1");
        let recorded_at = now();
        let nonce = scan.nonce.as_ref().map(|n| n.as_str().to_owned());
        let missing =
            || StoreError::Backend("a scan with an effect needs a target and an event".into());
        let inserted = on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            if let Some(nonce) = &nonce {
                let seen: Option<ScanRow> = sqlx::query_as(&by_nonce)
                    .bind(scan.scanner.0)
                    .bind(nonce)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
                if let Some(seen) = seen {
                    return seen.try_into();
                }
            }
            let mut outcome = scan.outcome;
            match outcome {
                ScanOutcome::Connected => {
                    let (target, event) = scan.target.zip(scan.event).ok_or_else(missing)?;
                    let (low, high) = pair(scan.scanner, target);
                    let added = sqlx::query(
                        "INSERT INTO connections (user_a, user_b, event_id, created_at, method) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_a, user_b) DO NOTHING",
                    )
                    .bind(low)
                    .bind(high)
                    .bind(event.0)
                    .bind(scan.scanned_at)
                    .bind(scan.method.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| conflict_or_backend(e, &[]))?
                    .rows_affected();
                    if added == 0 {
                        outcome = ScanOutcome::AlreadyConnected;
                    }
                    // Connected now: any request between the two is settled.
                    sqlx::query(
                        "DELETE FROM connection_requests WHERE (from_id = $1 AND to_id = $2) \
                         OR (from_id = $2 AND to_id = $1)",
                    )
                    .bind(scan.scanner.0)
                    .bind(target.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                }
                ScanOutcome::Requested => {
                    let (target, event) = scan.target.zip(scan.event).ok_or_else(missing)?;
                    sqlx::query(
                        "INSERT INTO connection_requests (event_id, from_id, to_id, method, created_at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (from_id, to_id, event_id) DO NOTHING",
                    )
                    .bind(event.0)
                    .bind(scan.scanner.0)
                    .bind(target.0)
                    .bind(scan.method.as_str())
                    .bind(scan.scanned_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| conflict_or_backend(e, &[]))?;
                }
                ScanOutcome::CheckedIn
                | ScanOutcome::AlreadyCheckedIn
                | ScanOutcome::CheckedOut
                | ScanOutcome::NotCheckedIn => {
                    let (target, event) = scan.target.zip(scan.event).ok_or_else(missing)?;
                    let leaving = scan.mode == ScanMode::CheckOut;
                    let movement = NewMovement {
                        event,
                        user: target,
                        movement: if leaving { Movement::Out } else { Movement::In },
                        source: AttendanceSource::Staff,
                        by: scan.scanner,
                        at: scan.scanned_at,
                        today_from: scan.today_from,
                    };
                    let changed = move_person!(tx, &movement).await.map_err(backend)?;
                    outcome = match (leaving, changed) {
                        (false, true) => ScanOutcome::CheckedIn,
                        (false, false) => ScanOutcome::AlreadyCheckedIn,
                        (true, true) => ScanOutcome::CheckedOut,
                        (true, false) => ScanOutcome::NotCheckedIn,
                    };
                }
                _ => {}
            }
            let result = sqlx::query(
                "INSERT INTO scans (id, event_id, scanner_id, target_id, method, mode, outcome, \
                 client_nonce, scanned_at, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(scan.id)
            .bind(scan.event.map(|e| e.0))
            .bind(scan.scanner.0)
            .bind(scan.target.map(|t| t.0))
            .bind(scan.method.as_str())
            .bind(scan.mode.as_str())
            .bind(outcome.as_str())
            .bind(&nonce)
            .bind(scan.scanned_at)
            .bind(recorded_at)
            .execute(&mut *tx)
            .await;
            match result {
                Ok(_) => {
                    tx.commit().await.map_err(backend)?;
                    true
                }
                // The same nonce committed by a concurrent request: undo our
                // effect and answer with the first record.
                Err(e)
                    if nonce.is_some()
                        && e.as_database_error()
                            .is_some_and(|d| d.is_unique_violation()) =>
                {
                    tx.rollback().await.map_err(backend)?;
                    false
                }
                // Without a nonce the only clash is the scan id itself.
                Err(e)
                    if e.as_database_error()
                        .is_some_and(|d| d.is_unique_violation()) =>
                {
                    return Err(StoreError::Conflict("scan"));
                }
                Err(e) => return Err(backend(e)),
            }
        });
        let row: Option<ScanRow> = if inserted {
            on_write!(self, |pool| sqlx::query_as(&by_id)
                .bind(scan.id)
                .fetch_optional(pool)
                .await)
        } else {
            on_write!(self, |pool| sqlx::query_as(&by_nonce)
                .bind(scan.scanner.0)
                .bind(&nonce)
                .fetch_optional(pool)
                .await)
        }
        .map_err(backend)?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn scan(&self, id: Uuid) -> StoreResult<Option<ScanRecord>> {
        let sql = format!("{SCAN_SELECT} WHERE s.id = $1");
        let row: Option<ScanRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(ScanRecord::try_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn scan_counts(&self, event: EventId) -> StoreResult<ScanCounts> {
        let rows: Vec<(String, i64)> = on_read!(self, |pool| sqlx::query_as(
            "SELECT outcome, COUNT(*) FROM scans WHERE event_id = $1 GROUP BY outcome ORDER BY outcome"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        rows.into_iter()
            .map(|(o, n)| {
                Ok((
                    ScanOutcome::parse(&o).map_err(|_| corrupt("scan outcome"))?,
                    u64::try_from(n).unwrap_or_default(),
                ))
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_approve_scans(&self, event: EventId, user: UserId, on: bool) -> StoreResult<()> {
        let changed = on_write!(self, |pool| sqlx::query(
            "UPDATE memberships SET approve_scans = $3 WHERE event_id = $1 AND user_id = $2"
        )
        .bind(event.0)
        .bind(user.0)
        .bind(on)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
