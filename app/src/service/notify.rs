//! Live notifications sent when something happens to a person (a new
//! connection, a request, a meeting, an announcement) and the "dashboard
//! changed" hint for organizers, over the realtime channel
//! ([`LiveRooms`](crate::ports::LiveRooms)). The ones that matter when no
//! tab is open (connections, meetings) also go to the person's devices by
//! Web Push ([`push::live_notice`], which decides what is pushed).
//!
//! Every function here is fire and forget: it runs in its own task after
//! the change is committed, so a slow lookup never delays the request and a
//! failure (logged) never fails it. The notification is a hint; the
//! change itself is already stored and shows on the pages it links to.

use crate::{
    domain::{EventId, UserId},
    ports::{Event, LiveRooms},
    realtime::{Notice, NotificationKind},
    service::push,
    state::AppState,
};

/// The longest notification text; longer texts (announcements) are cut
/// with "…" and the link leads to the whole.
pub const MAX_TEXT: usize = 280;

/// Cuts `text` to [`MAX_TEXT`] characters.
fn short(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= MAX_TEXT {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_TEXT - 1).collect();
    cut.push('…');
    cut
}

fn notice(kind: NotificationKind, text: &str, link: &str, event: &Event) -> Notice {
    Notice {
        kind,
        text: short(text),
        link: Some(link.to_owned()),
        event: Some(event.slug.as_str().to_owned()),
    }
}

/// Runs `work` in the background, logging a failure.
fn spawn<F>(what: &'static str, work: F)
where
    F: std::future::Future<Output = Result<(), crate::ports::StoreError>> + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(e) = work.await {
            tracing::warn!(error = %e, what, "notification not sent");
        }
    });
}

/// The name people know `user` by ("Someone" after they left).
async fn name_of(state: &AppState, user: UserId) -> Result<String, crate::ports::StoreError> {
    Ok(state
        .store
        .user_by_id(user)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_else(|| "Someone".into()))
}

/// The event's dashboard numbers changed (a join, scan, connection, or a
/// step of the networking funnel).
pub fn dashboard(state: &AppState, event: &Event) {
    state.live.dashboard_changed(event.id, event.slug.as_str());
}

/// Like [`dashboard`], for callers that only hold the event's id.
pub fn dashboard_of(state: &AppState, event: EventId) {
    let s = state.clone();
    spawn("dashboard", async move {
        if let Some(e) = s.store.event_by_id(event).await? {
            dashboard(&s, &e);
        }
        Ok(())
    });
}

/// `by` did something that connects them with `to` (`kind`:
/// [`NotificationKind::Connection`] or
/// [`NotificationKind::ConnectionRequest`]); `to` is told, the dashboard
/// moves.
pub fn connection(
    state: &AppState,
    event: EventId,
    by: UserId,
    to: UserId,
    kind: NotificationKind,
) {
    let s = state.clone();
    spawn("connection", async move {
        let Some(event) = s.store.event_by_id(event).await? else {
            return Ok(());
        };
        let name = name_of(&s, by).await?;
        let text = match kind {
            NotificationKind::ConnectionRequest => {
                format!("{name} scanned your badge and asks to connect.")
            }
            _ => format!("You are now connected with {name}."),
        };
        let n = notice(kind, &text, "/connections", &event);
        push::live_notice(&s, &[to], Some(by), &n);
        s.live.notify(&[to], n);
        dashboard(&s, &event);
        Ok(())
    });
}

/// `a` and `b` both marked the other as interesting and are connected.
pub fn mutual(state: &AppState, event: &Event, a: UserId, b: UserId) {
    let (s, event) = (state.clone(), event.clone());
    spawn("mutual interest", async move {
        for (me, them) in [(a, b), (b, a)] {
            let text = format!(
                "You and {} both want to meet: you are connected now.",
                name_of(&s, them).await?
            );
            let n = notice(
                NotificationKind::MutualInterest,
                &text,
                "/connections",
                &event,
            );
            push::live_notice(&s, &[me], Some(them), &n);
            s.live.notify(&[me], n);
        }
        dashboard(&s, &event);
        Ok(())
    });
}

/// Something `by` did to a meeting that `to` should know: `what` finishes
/// the sentence "<name> …" ("asks to meet you.").
pub fn meeting(
    state: &AppState,
    event: &Event,
    by: UserId,
    to: UserId,
    kind: NotificationKind,
    what: &'static str,
) {
    let (s, event) = (state.clone(), event.clone());
    spawn("meeting", async move {
        let text = format!("{} {what}", name_of(&s, by).await?);
        let link = format!("/e/{}/agenda", event.slug.as_str());
        let n = notice(kind, &text, &link, &event);
        push::live_notice(&s, &[to], Some(by), &n);
        s.live.notify(&[to], n);
        dashboard(&s, &event);
        Ok(())
    });
}

/// `user` just joined `event`: each connection of theirs met at another
/// event who is here too is told, and so are they ("Alma, whom you met at
/// RustConf 2026, is here too.").
pub fn met_again(state: &AppState, event: &Event, user: UserId) {
    let (s, event) = (state.clone(), event.clone());
    spawn("meet again", async move {
        let again = s.store.met_before_here(event.id, user).await?;
        if again.is_empty() {
            return Ok(());
        }
        let name = name_of(&s, user).await?;
        let link = format!("/e/{}/meet", event.slug.as_str());
        let whom = |who: &str, place: &Option<String>| match place {
            Some(place) => format!("{who}, whom you met at {place}, is here too."),
            None => format!("{who}, whom you met before, is here too."),
        };
        for m in again {
            let (to_me, to_them) = (
                whom(&m.other_name, &m.met_at_event),
                whom(&name, &m.met_at_event),
            );
            let kind = NotificationKind::MetAgain;
            s.live.notify(&[user], notice(kind, &to_me, &link, &event));
            s.live
                .notify(&[m.other], notice(kind, &to_them, &link, &event));
        }
        Ok(())
    });
}

/// A reminder `owner` set on their note about `other` (called `name`) is
/// due.
pub fn reminder(state: &AppState, owner: UserId, other: UserId, name: &str, text: &str) {
    state.live.notify(
        &[owner],
        Notice {
            kind: NotificationKind::Reminder,
            text: short(&format!("Reminder about {name}: {text}")),
            link: Some(format!("/connections/{other}")),
            event: None,
        },
    );
}

/// The meeting schedule of `event` was published: each of `people` got
/// meetings, which their agenda shows.
pub fn schedule_published(state: &AppState, event: &Event, people: &[UserId]) {
    let link = format!("/e/{}/agenda", event.slug.as_str());
    let text = "The meeting schedule is out: your meetings are on your agenda.";
    let n = notice(NotificationKind::MeetingUpdate, text, &link, event);
    push::live_notice(state, people, None, &n);
    state.live.notify(people, n);
    dashboard(state, event);
}

/// The organizers announced `text` to everyone in the event.
pub fn announcement(state: &AppState, event: &Event, text: &str) {
    let link = format!("/e/{}", event.slug.as_str());
    state.live.notify_members(
        event.id,
        notice(NotificationKind::Announcement, text, &link, event),
    );
}

/// `from` (named `from_name`) sent `to` a direct message `text`: every
/// page of `to` shows a notification linking to the conversation (its own
/// page shows the message instead), and their devices get a push when
/// `push` is given (everywhere but the hub's own unit tests). Sent once,
/// for a new message only.
pub fn message(
    live: &dyn LiveRooms,
    push: Option<&push::PushPath>,
    to: UserId,
    from: UserId,
    from_name: &str,
    text: &str,
) {
    let link = format!("/messages/{from}");
    if let Some(path) = push {
        push::notify_message(path, from, from_name, to, text, &link);
    }
    live.notify(
        &[to],
        Notice {
            kind: NotificationKind::Message,
            text: short(&format!("{from_name}: {text}")),
            link: Some(link),
            event: None,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_to_the_limit_with_an_ellipsis() {
        assert_eq!(short("  Coffee is served.  "), "Coffee is served.");
        let long = "é".repeat(MAX_TEXT + 10);
        let cut = short(&long);
        assert_eq!(cut.chars().count(), MAX_TEXT);
        assert!(cut.ends_with('…'));
    }
}
