//! The demo's past: an earlier event ("Rapport Demo Meetup", two months
//! ago) where the named accounts and a few generated attendees met, with
//! the scans, a meeting, notes and a reminder that make a history, so
//! the demo conference shows "meet again" (they are all there too), each
//! connection's timeline, "keep in touch", and direct messages (the named
//! attendees who met there have a short conversation, one message of it
//! still unread). Created once, with the earlier event; a later run leaves
//! it as it is.

use app::{
    domain::{
        ClientMessageId, ClientNonce, ConnectionMethod, ConnectionNoteText, EventDates, EventName,
        JoinCode, Labels, MessageText, Pair, Rating, ReminderText, Role, ScanMode, ScanOutcome,
        Slug, TimeZoneName, UserId,
    },
    ports::{
        ConnectionNote, MeetingChange, NewEvent, NewMeeting, NewScan, Store, StoreError, User,
    },
};
use chrono::{DateTime, Days, Duration, NaiveTime, Utc};
use uuid::Uuid;

/// Address of the earlier demo event: `/e/demo-meetup`.
pub const EARLIER_SLUG: &str = "demo-meetup";
/// How many days before today the earlier event was.
const DAYS_AGO: u64 = 60;

/// A scan at the earlier event that connected `scanner` with `target`.
fn met(event: app::domain::EventId, scanner: UserId, target: UserId, at: DateTime<Utc>) -> NewScan {
    NewScan {
        id: Uuid::new_v4(),
        event: Some(event),
        scanner,
        target: Some(target),
        method: ConnectionMethod::Scanner,
        mode: ScanMode::Connect,
        outcome: ScanOutcome::Connected,
        nonce: None::<ClientNonce>,
        scanned_at: at,
        today_from: at - Duration::hours(10),
    }
}

/// Creates the earlier event and its history, unless it exists.
/// `named` are the named accounts (organizer first), `attendees` the
/// generated ones.
pub(super) async fn seed_history(
    store: &dyn Store,
    named: &[User],
    attendees: &[UserId],
) -> anyhow::Result<()> {
    let slug = Slug::parse(EARLIER_SLUG)?;
    if store.event_by_slug(&slug).await?.is_some() {
        return Ok(());
    }
    let day = Utc::now().date_naive() - Days::new(DAYS_AGO);
    let event = store
        .create_event(
            NewEvent {
                slug,
                name: EventName::parse("name", "Rapport Demo Meetup")?,
                description: "An earlier demo event, where the demo people first met.".into(),
                venue: "The old hall".into(),
                dates: EventDates::new(day, day)?,
                time_zone: TimeZoneName::parse("UTC")?,
                invite_token: app::service::tokens::invite_token(),
                join_code: JoinCode::parse("PASTMEET")?,
            },
            named[0].id,
        )
        .await?;
    let guests: Vec<UserId> = attendees.iter().take(6).copied().collect();
    for user in named[1..]
        .iter()
        .map(|u| u.id)
        .chain(guests.iter().copied())
    {
        match store.add_member(event.id, user, Role::Attendee).await {
            Ok(()) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let at = |hour: u32, minute: u32| {
        day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN))
            .and_utc()
    };
    // Each named person met two generated attendees, and the named
    // attendees met each other.
    let mut minute = 0;
    for (i, person) in named.iter().enumerate() {
        for guest in guests.iter().skip(i % 3 * 2).take(2) {
            store
                .record_scan(&met(event.id, person.id, *guest, at(10, minute)))
                .await?;
            minute += 7;
        }
    }
    for pair in named[1..].windows(2) {
        store
            .record_scan(&met(event.id, pair[0].id, pair[1].id, at(15, minute % 60)))
            .await?;
        minute += 11;
    }
    // The last two named people met over coffee, and one keeps a note
    // with a reminder about the other.
    if let [.., a, b] = named {
        let meeting = store
            .request_meeting(&NewMeeting {
                id: Uuid::new_v4(),
                event: event.id,
                requester: a.id,
                invitee: b.id,
                starts_at: at(16, 0),
                ends_at: at(16, 30),
                spot: None,
                place: "Coffee bar".into(),
                message: "Coffee after the talks?".into(),
            })
            .await?;
        store
            .change_meeting(meeting.id, &MeetingChange::Accept)
            .await?;
        store
            .set_connection_note(
                a.id,
                b.id,
                &ConnectionNote {
                    note: ConnectionNoteText::parse(
                        "note",
                        "Talked about embedded Rust. Promised the link to the probe-rs talk.",
                    )?,
                    rating: Rating::parse("4")?,
                    labels: Labels::parse("follow up")?,
                },
            )
            .await?;
        store
            .add_reminder(
                a.id,
                b.id,
                &ReminderText::parse("text", "Send the probe-rs talk link")?,
                Utc::now(),
            )
            .await?;
        conversation(
            store,
            "demo-dm-ab",
            &[
                (a, "Great chatting about embedded Rust at the coffee bar!"),
                (b, "Likewise. Do you have the link to that probe-rs talk?"),
                (a, "Yes, I'll send it over. See you at the conference?"),
                (b, "Definitely, I'll be there both days."),
            ],
        )
        .await?;
    }
    // The first two named attendees: one message still unread.
    if let [_, first, second, ..] = named {
        conversation(
            store,
            "demo-dm-bc",
            &[
                (
                    first,
                    "Thanks for the scan! Shall we meet again at the conference?",
                ),
                (second, "Sure, let's find a slot on the first day."),
                (first, "I booked us a table for 15:00."),
            ],
        )
        .await?;
    }
    Ok(())
}

/// A short direct conversation, sent in order; `tag` makes the client ids
/// (a rerun stores nothing twice).
async fn conversation(store: &dyn Store, tag: &str, lines: &[(&User, &str)]) -> anyhow::Result<()> {
    let Some(((a, _), rest)) = lines.split_first() else {
        return Ok(());
    };
    let Some(b) = rest.iter().map(|(u, _)| *u).find(|u| u.id != a.id) else {
        return Ok(());
    };
    let c = store.open_conversation(Pair::new(a.id, b.id)?).await?;
    for (i, (who, text)) in lines.iter().enumerate() {
        store
            .send_direct(
                c.id,
                who.id,
                &ClientMessageId::parse(&format!("{tag}-{i:04}"))?,
                &MessageText::parse("text", text)?,
            )
            .await?;
    }
    Ok(())
}
