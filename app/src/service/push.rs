//! Web Push rules: who may subscribe which device, which notices are
//! pushed and to whom, and what a push service's answer means.
//!
//! Having a subscription is opting in: nothing is pushed to a person who
//! never pressed "Turn on" on a device, and turning it off there (or
//! deleting the account) removes the device. A notice is pushed to every
//! device of the person, in the background through the [`Pusher`] port (so
//! the request that caused it never waits for a push service), and never
//! when the person and whoever caused it have blocked each other.
//!
//! A person with a tab open gets the push too: the service worker skips
//! showing it when one of the site's tabs is visible and focused (the live
//! notice already showed there). Deciding in the worker is exact (the
//! server cannot know whether the open tab is on screen) and costs one
//! small push.
//!
//! What is pushed: new connections and connection requests, mutual
//! interest, meeting requests and changes (accepted, declined, moved,
//! cancelled, the published schedule) and, through [`notify_message`],
//! direct messages. Announcements, "met again" and reminders stay in the
//! app: they are not worth waking a phone for.
//!
//! [`Pusher`]: crate::ports::Pusher

use crate::{
    domain::{endpoint_host, PushAuth, PushEndpoint, PushKey, PushNotice, UserId},
    error::AppError,
    ports::{NewPushSubscription, PushOutcome, PushUrgency, Pusher, Store, StoreError},
    realtime::{Notice, NotificationKind},
    state::AppState,
};
use std::sync::Arc;

/// What sending pushes needs: the store (devices, blocks) and the pusher.
/// Cheap to clone; the realtime hub keeps one, since direct messages sent
/// over a socket are pushed too and the hub has no [`AppState`].
#[derive(Clone)]
pub struct PushPath {
    /// Where devices and blocks are read, and gone devices forgotten.
    pub store: Arc<dyn Store>,
    /// Encrypts, signs and sends; runs the background deliveries.
    pub pusher: Arc<dyn Pusher>,
}

impl PushPath {
    /// The push path of the application's state.
    pub fn of(state: &AppState) -> Self {
        Self {
            store: state.store.clone(),
            pusher: state.push.clone(),
        }
    }
}

/// Devices per person. Past it, the least recently used device is dropped
/// (a person who changed phones five times should not be stuck).
pub const MAX_DEVICES: usize = 10;

/// People whose devices are pushed to at once by one [`send`].
const CONCURRENT: usize = 16;

/// How long a push service keeps trying to reach an offline device: a
/// notice older than half a day is stale (the app shows it anyway).
pub const TTL_SECS: u32 = 12 * 3600;

/// Subscribes `me`'s device: the endpoint and keys the browser's
/// `pushManager.subscribe` gave. The same device again (or someone else's
/// device that `me` now uses) is updated, not doubled.
pub async fn subscribe(
    state: &AppState,
    me: UserId,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
) -> Result<(), AppError> {
    state.limits.push(me)?;
    let sub = NewPushSubscription {
        endpoint: PushEndpoint::parse(endpoint, state.push.allow_loopback())?,
        p256dh: PushKey::parse(p256dh)?,
        auth: PushAuth::parse(auth)?,
    };
    state
        .store
        .save_push_subscription(me, &sub, MAX_DEVICES)
        .await?;
    tracing::info!(user = %me, host = %endpoint_host(sub.endpoint.as_str()), "push device subscribed");
    Ok(())
}

/// Turns notifications off for `me`'s device `endpoint`. Another person's
/// device is "not found" (and stays subscribed).
pub async fn unsubscribe(state: &AppState, me: UserId, endpoint: &str) -> Result<(), AppError> {
    state.limits.push(me)?;
    match state
        .store
        .delete_push_subscription(me, endpoint.trim())
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::NotFound) => Err(AppError::NotFound(
            "This device does not get notifications from your account.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The hosts of `me`'s devices' push services, oldest device first (what
/// "download my data" and the account page show: never the secret path).
pub async fn devices(state: &AppState, me: UserId) -> Result<Vec<String>, AppError> {
    Ok(state
        .store
        .push_subscriptions(me)
        .await?
        .iter()
        .map(|s| endpoint_host(&s.endpoint))
        .collect())
}

/// The title a device shows for a live notice of `kind`; `None` for the
/// kinds that are not pushed (see the module).
fn title(kind: NotificationKind) -> Option<&'static str> {
    Some(match kind {
        NotificationKind::Connection => "New connection",
        NotificationKind::ConnectionRequest => "Connection request",
        NotificationKind::MutualInterest => "You both want to meet",
        NotificationKind::MeetingRequest => "Meeting request",
        NotificationKind::MeetingUpdate => "Meeting update",
        // Announcements, "met again", reminders, and any kind added later
        // until someone decides it is worth a push.
        _ => return None,
    })
}

/// The push for a live notice, if its kind is pushed.
pub fn from_live(notice: &Notice) -> Option<(PushNotice, PushUrgency)> {
    let title = title(notice.kind)?;
    let urgency = match notice.kind {
        NotificationKind::MeetingRequest | NotificationKind::ConnectionRequest => PushUrgency::High,
        _ => PushUrgency::Normal,
    };
    let tag = match notice.kind {
        NotificationKind::Connection | NotificationKind::MutualInterest => "connection",
        NotificationKind::ConnectionRequest => "connection-request",
        _ => "meeting",
    };
    Some((
        PushNotice {
            title: title.to_owned(),
            body: notice.text.clone(),
            url: same_origin_path(notice.link.as_deref()),
            tag: tag.to_owned(),
        },
        urgency,
    ))
}

/// `link` when it is a path on this server, else the home page: a click on
/// a notification never leaves the site.
fn same_origin_path(link: Option<&str>) -> String {
    match link {
        Some(l) if l.starts_with('/') && !l.starts_with("//") && !l.contains('\\') => l.to_owned(),
        _ => "/".to_owned(),
    }
}

/// Pushes the live notice `notice` (raised for `to`, caused by `by`) to
/// their devices, when its kind is pushed. Returns at once.
pub fn live_notice(state: &AppState, to: &[UserId], by: Option<UserId>, notice: &Notice) {
    if let Some((push, urgency)) = from_live(notice) {
        send(&PushPath::of(state), to, by, push, urgency);
    }
}

/// For direct messages: `from` (called `from_name`) wrote to `to`; `preview`
/// is the message's start, `link` the conversation's path. Call it after
/// the message is stored; it returns at once.
pub fn notify_message(
    path: &PushPath,
    from: UserId,
    from_name: &str,
    to: UserId,
    preview: &str,
    link: &str,
) {
    let body: String = preview.trim().chars().take(140).collect();
    let notice = PushNotice {
        title: format!("Message from {}", from_name.trim()),
        body,
        url: same_origin_path(Some(link)),
        tag: format!("message-{from}"),
    };
    send(path, &[to], Some(from), notice, PushUrgency::High);
}

/// Sends `notice` to every device of each of `to` in the background,
/// skipping anyone who blocked `by` or whom `by` blocked. Failures are
/// logged; a device its push service calls gone is forgotten.
pub fn send(
    path: &PushPath,
    to: &[UserId],
    by: Option<UserId>,
    notice: PushNotice,
    urgency: PushUrgency,
) {
    if to.is_empty() {
        return;
    }
    let (s, to) = (path.clone(), to.to_vec());
    path.pusher.spawn(Box::pin(async move {
        let payload = match serde_json::to_vec(&notice) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "push payload not serialisable");
                return;
            }
        };
        // A published schedule reaches hundreds at once: several people's
        // devices in parallel, each push bounded by the sender's timeout.
        use futures_util::StreamExt;
        futures_util::stream::iter(to)
            .for_each_concurrent(CONCURRENT, |user| {
                let (s, payload) = (&s, &payload);
                async move {
                    if let Err(e) = deliver(s, user, by, payload, urgency).await {
                        tracing::warn!(error = %e, %user, "push not sent");
                    }
                }
            })
            .await;
    }));
}

/// Pushes `payload` to each device of `user`.
async fn deliver(
    path: &PushPath,
    user: UserId,
    by: Option<UserId>,
    payload: &[u8],
    urgency: PushUrgency,
) -> Result<(), StoreError> {
    if let Some(by) = by.filter(|b| *b != user) {
        if path.store.blocked_either_way(by, user).await? {
            return Ok(());
        }
    }
    for sub in path.store.push_subscriptions(user).await? {
        let host = endpoint_host(&sub.endpoint);
        match path.pusher.send(&sub, payload, TTL_SECS, urgency).await {
            PushOutcome::Delivered => {
                path.store
                    .push_delivered(sub.id, crate::domain::now_utc())
                    .await?
            }
            PushOutcome::Gone => {
                tracing::info!(%user, %host, "push device gone; forgotten");
                path.store.forget_push_endpoint(&sub.endpoint).await?;
            }
            PushOutcome::Failed(error) => {
                tracing::info!(%user, %host, %error, "push not accepted");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(kind: NotificationKind, link: &str) -> Notice {
        Notice {
            kind,
            text: "<b>Ada</b> connected with you.".into(),
            link: Some(link.into()),
            event: None,
        }
    }

    #[test]
    fn connections_and_meetings_are_pushed_announcements_are_not() {
        let (p, u) = from_live(&live(NotificationKind::Connection, "/connections")).unwrap();
        assert_eq!(p.title, "New connection");
        assert_eq!(p.body, "<b>Ada</b> connected with you.", "text stays text");
        assert_eq!(p.url, "/connections");
        assert_eq!(u, PushUrgency::Normal);
        let (p, u) = from_live(&live(NotificationKind::MeetingRequest, "/e/x/agenda")).unwrap();
        assert_eq!((p.tag.as_str(), u), ("meeting", PushUrgency::High));
        for quiet in [
            NotificationKind::Announcement,
            NotificationKind::MetAgain,
            NotificationKind::Reminder,
        ] {
            assert!(from_live(&live(quiet, "/")).is_none(), "{quiet:?}");
        }
    }

    #[test]
    fn a_push_never_links_off_the_site() {
        for off in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:x",
        ] {
            assert_eq!(same_origin_path(Some(off)), "/", "{off}");
        }
        assert_eq!(same_origin_path(None), "/");
        assert_eq!(same_origin_path(Some("/e/conf/agenda")), "/e/conf/agenda");
    }
}
