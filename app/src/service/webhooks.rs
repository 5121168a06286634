//! Webhooks: telling an event's integrations what happened. [`emit`] is the
//! one way a notification enters the system: it writes one delivery per
//! subscribed webhook into the outbox (the `webhook_deliveries` table) and
//! wakes the background worker (`server/src/webhooks.rs`), which signs and
//! sends them with retries. Writing the outbox is all the triggering request
//! waits for, so a slow or failing receiver never slows or fails it; and a
//! failure to write the outbox is logged, never passed on (a webhook is a
//! side effect, not part of what the person asked for).
//!
//! The body of every delivery is `{id, type, created_at, event, data}`; the
//! helpers below ([`scan_recorded`], [`connection_created`],
//! [`member_joined`]) build `data` for each kind so call sites stay one line.

use crate::{
    domain::{EventId, ScanOutcome, UserId, WebhookKind},
    ports::{NewDelivery, ScanRecord, Store},
};
use serde_json::json;

/// Wakes the delivery worker(s) of this process when deliveries were
/// written; the worker also looks on its own every few seconds, so a missed
/// wake-up (or a delivery written by another instance) only waits that long.
pub static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Queues a `kind` notification with `data` for every webhook of `event`
/// that subscribes to it. Never fails: errors are logged. `data` is only
/// computed when some webhook subscribes (most events have none, and an
/// import of thousands of rows should not look up every name for nothing).
pub async fn emit(
    store: &dyn Store,
    event: EventId,
    kind: WebhookKind,
    data: impl std::future::Future<Output = serde_json::Value>,
) {
    if let Err(e) = try_emit(store, event, kind, data).await {
        tracing::error!(error = %e, %event, kind = kind.as_str(), "queueing webhook deliveries failed");
    }
}

async fn try_emit(
    store: &dyn Store,
    event: EventId,
    kind: WebhookKind,
    data: impl std::future::Future<Output = serde_json::Value>,
) -> Result<(), crate::ports::StoreError> {
    let hooks: Vec<_> = store
        .webhooks(event)
        .await?
        .into_iter()
        .filter(|h| h.kinds.contains(&kind))
        .collect();
    if hooks.is_empty() {
        return Ok(());
    }
    let Some(ev) = store.event_by_id(event).await? else {
        return Ok(());
    };
    let data = data.await;
    let created_at = crate::domain::now_utc();
    let deliveries: Vec<NewDelivery> = hooks
        .iter()
        .map(|h| {
            let id = uuid::Uuid::new_v4();
            let body = json!({
                "id": id,
                "type": kind.as_str(),
                "created_at": created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "event": { "id": event.0, "slug": ev.slug.as_str() },
                "data": data,
            });
            NewDelivery {
                id,
                webhook: h.id,
                event,
                kind,
                body: body.to_string(),
                created_at,
            }
        })
        .collect();
    store.enqueue_deliveries(&deliveries).await?;
    WAKE.notify_waiters();
    Ok(())
}

/// `{user_id, name}` of a person, as webhook data shows them (the event's
/// organizers may see every member's name).
async fn person(store: &dyn Store, user: UserId) -> serde_json::Value {
    let name = match store.user_by_id(user).await {
        Ok(Some(u)) => u.display_name,
        _ => String::new(),
    };
    json!({ "user_id": user.0, "name": name })
}

/// After a badge scan: a new connection (`connection.created`) or a
/// check-in (`checkin`); other outcomes notify nobody.
pub async fn scan_recorded(store: &dyn Store, scan: &ScanRecord) {
    let (Some(event), Some(scanner), Some(target)) = (scan.event, scan.scanner, scan.target) else {
        return;
    };
    match scan.outcome {
        ScanOutcome::Connected => {
            connection_created(store, event, scanner, target, scan.method.as_str()).await
        }
        ScanOutcome::CheckedIn => {
            let data = async {
                json!({
                    "member": person(store, target).await,
                    "checked_in_by": person(store, scanner).await,
                    "checked_in_at": scan.checked_in_at.unwrap_or(scan.recorded_at),
                })
            };
            emit(store, event, WebhookKind::Checkin, data).await
        }
        _ => {}
    }
}

/// Two people connected at `event`; `via` says how (a scan method such as
/// "camera" or "code", or "mutual", "approved").
pub async fn connection_created(
    store: &dyn Store,
    event: EventId,
    a: UserId,
    b: UserId,
    via: &str,
) {
    let data =
        async { json!({ "people": [person(store, a).await, person(store, b).await], "via": via }) };
    emit(store, event, WebhookKind::ConnectionCreated, data).await
}

/// `user` became a member of `event`; `via` says how ("join_code",
/// "invite_link", "badge_scan", "import").
pub async fn member_joined(store: &dyn Store, event: EventId, user: UserId, via: &str) {
    let data = async { json!({ "member": person(store, user).await, "via": via }) };
    emit(store, event, WebhookKind::MemberJoined, data).await
}
