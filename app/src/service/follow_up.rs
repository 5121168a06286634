//! Following up on connections, across events: the one place that decides
//! what a connection's timeline holds ([`timeline`]: only my own
//! connections, only my own notes and reminders), who is "out of touch"
//! ([`keep_in_touch`]), which reminders may be set ([`add_reminder`]:
//! only on a connection of mine, on today or a later day, a bounded
//! number) and when they go out ([`send_due_reminders`], run by the
//! server's background task and the `rapport follow-up` command), and who
//! to meet again at an event ([`met_before_here`]).

use crate::{
    domain::{
        parse_due_day, ConnectionCard, KeepInTouchItem, KeepInTouchView, ReminderText,
        ReminderView, TimelineItem, TimelineKind, TimelineView, UserId,
    },
    error::AppError,
    ports::{Event, Interaction, InteractionKind, MetBefore, Postman, Store, StoreError},
    service::{connections, notify},
    state::AppState,
};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::HashMap;

/// "Keep in touch" lists connections quiet for this many days unless the
/// page asks for another span.
pub const DEFAULT_QUIET_DAYS: u32 = 30;

/// The longest span "keep in touch" accepts (ten years).
pub const MAX_QUIET_DAYS: u32 = 3650;

/// The most open reminders one person may have: a reminder is cheap to
/// add, and each one becomes a notification.
pub const MAX_OPEN_REMINDERS: usize = 200;

/// One message for "not a connection of mine", whoever they are, so a
/// guessed id reveals nothing.
pub fn not_a_connection() -> AppError {
    AppError::NotFound("This person is not one of your connections.".into())
}

fn long_date(at: DateTime<Utc>) -> String {
    at.format("%b %-d, %Y, %H:%M UTC").to_string()
}

fn short_date(at: DateTime<Utc>) -> String {
    at.format("%b %-d, %Y").to_string()
}

/// My connections who are members of `event` too, met at another event,
/// oldest connection first ("meet again"). None if I opted out there.
pub async fn met_before_here(
    state: &AppState,
    event: &Event,
    me: UserId,
    opted_out: bool,
) -> Result<Vec<MetBefore>, AppError> {
    if opted_out {
        return Ok(Vec::new());
    }
    Ok(state.store.met_before_here(event.id, me).await?)
}

/// The sentence a timeline (and "keep in touch") says about an interaction.
fn interaction_text(i: &Interaction) -> String {
    let at = &i.event.0;
    match &i.kind {
        InteractionKind::Scan { by_me: true } => format!("You scanned their badge at {at}"),
        InteractionKind::Scan { by_me: false } => format!("They scanned your badge at {at}"),
        InteractionKind::Meeting { status, place } => {
            let place = if place.is_empty() {
                String::new()
            } else {
                format!(" at {place}")
            };
            format!("Meeting{place} during {at} ({status})")
        }
    }
}

fn interaction_kind(i: &Interaction) -> TimelineKind {
    match i.kind {
        InteractionKind::Scan { .. } => TimelineKind::Scan,
        InteractionKind::Meeting { .. } => TimelineKind::Meeting,
    }
}

/// Whether an interaction counts as being in touch: everything but a
/// meeting that was declined or cancelled.
fn in_touch(i: &Interaction) -> bool {
    !matches!(&i.kind, InteractionKind::Meeting { status, .. }
        if status == "declined" || status == "cancelled")
}

fn connected_text(card: &ConnectionCard) -> String {
    match &card.event {
        Some((name, _)) => format!("Connected at {name} ({})", card.method.label()),
        None => format!("Connected ({})", card.method.label()),
    }
}

fn parse_time(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// How many of our newest direct messages a timeline shows (the
/// conversation's page has them all).
const TIMELINE_MESSAGES: u32 = 20;

/// The direct messages between me and `other`, newest
/// [`TIMELINE_MESSAGES`], as timeline items ("You wrote: …", "Ben wrote: …").
async fn message_items(
    state: &AppState,
    me: UserId,
    other: UserId,
) -> Result<Vec<TimelineItem>, AppError> {
    let Ok(pair) = crate::domain::Pair::new(me, other) else {
        return Ok(Vec::new());
    };
    let Some(c) = state.store.conversation_of(pair).await? else {
        return Ok(Vec::new());
    };
    let page = state
        .store
        .direct_before(c.id, u64::MAX, TIMELINE_MESSAGES)
        .await?;
    Ok(page
        .into_iter()
        .map(|m| {
            let who = if m.sender == Some(me) {
                "You".to_owned()
            } else {
                m.sender_name
                    .clone()
                    .unwrap_or_else(|| crate::service::messages::DELETED.to_owned())
            };
            let line = m.body.lines().next().unwrap_or_default();
            let mut short: String = line.chars().take(120).collect();
            if line.chars().count() > 120 || m.body.lines().nth(1).is_some() {
                short.push('…');
            }
            TimelineItem {
                kind: TimelineKind::Message,
                at: m
                    .sent_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                on: long_date(m.sent_at),
                text: format!("{who} wrote: {short}"),
                event: None,
            }
        })
        .collect())
}

/// The timeline of my connection with `other`, across events. Refused
/// (as not found) for anyone I am not connected with.
pub async fn timeline(
    state: &AppState,
    me: UserId,
    other: UserId,
    now: DateTime<Utc>,
) -> Result<TimelineView, AppError> {
    let card = connections::contact_cards(state, me)
        .await?
        .into_iter()
        .find(|c| c.user_id == other.to_string())
        .ok_or_else(not_a_connection)?;
    let connected_at = parse_time(&card.connected_at);
    let mut items = vec![TimelineItem {
        kind: TimelineKind::Connected,
        at: card.connected_at.clone(),
        on: long_date(connected_at),
        text: connected_text(&card),
        event: card.event.clone(),
    }];
    for i in state.store.interactions(me, Some(other)).await? {
        items.push(TimelineItem {
            kind: interaction_kind(&i),
            at: i.at.to_rfc3339(),
            on: long_date(i.at),
            text: interaction_text(&i),
            event: Some(i.event.clone()),
        });
    }
    if let Some(note) = state
        .store
        .notes_by(me)
        .await?
        .into_iter()
        .find(|n| n.other == other)
    {
        items.push(TimelineItem {
            kind: TimelineKind::Note,
            at: note.updated_at.to_rfc3339(),
            on: long_date(note.updated_at),
            text: "You wrote your note".into(),
            event: None,
        });
    }
    items.extend(message_items(state, me, other).await?);
    // Newest first.
    items.sort_by_key(|i| std::cmp::Reverse(parse_time(&i.at)));
    let reminders = state
        .store
        .reminders_of(me, Some(other))
        .await?
        .into_iter()
        .map(|r| ReminderView {
            id: r.id.to_string(),
            text: r.text.as_str().to_owned(),
            due_on: r.due_at.format("%Y-%m-%d").to_string(),
            due: r.due_at <= now,
        })
        .collect();
    Ok(TimelineView {
        card,
        items,
        reminders,
        today: now.format("%Y-%m-%d").to_string(),
    })
}

/// My connections I have not been in touch with (connected, scanned, met
/// or planned to meet, written my note) for `days` days, oldest first.
pub async fn keep_in_touch(
    state: &AppState,
    me: UserId,
    days: u32,
    now: DateTime<Utc>,
) -> Result<KeepInTouchView, AppError> {
    let days = days.min(MAX_QUIET_DAYS);
    let cutoff = now - Duration::days(i64::from(days));
    let cards = connections::contact_cards(state, me).await?;
    let total = cards.len();
    let mut last: HashMap<String, (DateTime<Utc>, String)> = cards
        .iter()
        .map(|c| {
            (
                c.user_id.clone(),
                (parse_time(&c.connected_at), connected_text(c)),
            )
        })
        .collect();
    let mut later = |user: UserId, at: DateTime<Utc>, text: String| {
        if let Some(seen) = last.get_mut(&user.to_string()) {
            if at > seen.0 {
                *seen = (at, text);
            }
        }
    };
    for i in state.store.interactions(me, None).await? {
        if in_touch(&i) {
            later(i.other, i.at, interaction_text(&i));
        }
    }
    for n in state.store.notes_by(me).await? {
        later(n.other, n.updated_at, "You wrote your note".into());
    }
    let mut people: Vec<(DateTime<Utc>, KeepInTouchItem)> = cards
        .into_iter()
        .filter_map(|c| {
            let (at, text) = last.remove(&c.user_id)?;
            (at <= cutoff).then(|| {
                (
                    at,
                    KeepInTouchItem {
                        user_id: c.user_id,
                        display_name: c.display_name,
                        photo_url: c.photo_url,
                        last_text: text,
                        last_on: short_date(at),
                        days_ago: (now - at).num_days(),
                    },
                )
            })
        })
        .collect();
    people.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.user_id.cmp(&b.1.user_id)));
    Ok(KeepInTouchView {
        days,
        people: people.into_iter().map(|(_, p)| p).collect(),
        total,
    })
}

/// Adds a reminder on my note about `other`, due on `due_on`
/// (`YYYY-MM-DD`, today or later; it goes out at the start of that day,
/// UTC).
pub async fn add_reminder(
    state: &AppState,
    me: UserId,
    other: UserId,
    text: &str,
    due_on: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let text = ReminderText::parse("text", text)?;
    let day = parse_due_day(due_on)?;
    if day < now.date_naive() {
        return Err(AppError::Invalid {
            field: "due_on".into(),
            message: "Pick today or a later day.".into(),
        });
    }
    if state.store.reminders_of(me, None).await?.len() >= MAX_OPEN_REMINDERS {
        return Err(AppError::Invalid {
            field: "text".into(),
            message: format!(
                "You have {MAX_OPEN_REMINDERS} open reminders. Tick some off before adding more."
            ),
        });
    }
    let due_at = day.and_time(NaiveTime::MIN).and_utc();
    state
        .store
        .add_reminder(me, other, &text, due_at)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => not_a_connection(),
            other => other.into(),
        })?;
    Ok(())
}

/// Ticks off one of my reminders (`id` as the page sent it).
pub async fn finish_reminder(state: &AppState, me: UserId, id: &str) -> Result<(), AppError> {
    let gone = || AppError::NotFound("That reminder is not open.".into());
    let id = id.trim().parse().map_err(|_| gone())?;
    state
        .store
        .finish_reminder(me, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => gone(),
            other => other.into(),
        })
}

/// Sends every reminder due at `now` as a notification to its author
/// (each once, whichever instance claims it); returns how many went out.
pub async fn send_due_reminders(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let due = state.store.claim_due_reminders(now).await?;
    for d in &due {
        notify::reminder(
            state,
            d.reminder.owner,
            d.reminder.other,
            &d.other_name,
            d.reminder.text.as_str(),
        );
    }
    Ok(due.len())
}

/// The digest of `day` (UTC) for each person who opted in and met
/// someone that day or has a reminder due: the people they met, with
/// contact details as each lets connections see them, their notes, and
/// the reminders due. One mail per person and day (recorded before it is
/// sent, so a second run or instance never sends another); by SMTP when
/// set, else into the outbox. Returns how many went out. Takes the bare
/// store and postman: the `rapport follow-up` command runs it too.
pub async fn send_digests(
    store: &dyn Store,
    postman: &dyn Postman,
    public_url: &str,
    day: NaiveDate,
) -> Result<usize, AppError> {
    let from = day.and_time(NaiveTime::MIN).and_utc();
    let to = from + Duration::days(1);
    let mut sent = 0;
    for user in store.digest_candidates(day, from, to).await? {
        let Some(person) = store.user_by_id(user).await? else {
            continue;
        };
        if !store.claim_digest(user, day).await? {
            continue;
        }
        let cards = connections::cards_in(store, user).await?;
        let met: Vec<&ConnectionCard> = cards
            .iter()
            .filter(|c| (from..to).contains(&parse_time(&c.connected_at)))
            .collect();
        let reminders: Vec<(String, String)> = store
            .reminders_of(user, None)
            .await?
            .into_iter()
            .filter(|r| (from..to).contains(&r.due_at))
            .map(|r| {
                let whom = cards
                    .iter()
                    .find(|c| c.user_id == r.other.to_string())
                    .map_or_else(|| "a connection".to_owned(), |c| c.display_name.clone());
                (whom, r.text.as_str().to_owned())
            })
            .collect();
        let body = digest_body(&person.display_name, day, &met, &reminders, public_url);
        let subject = format!("Your follow-ups for {}", day.format("%b %-d, %Y"));
        if postman.digest(&person.email, day, &subject, &body).await {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The digest's text: the people met (contact details only as the cards
/// carry them, i.e. as each person allows), my notes, reminders due
/// (`(about whom, what)`), and how to turn it off.
fn digest_body(
    name: &str,
    day: NaiveDate,
    met: &[&ConnectionCard],
    reminders: &[(String, String)],
    public_url: &str,
) -> String {
    let mut out = format!("Hello {name},\n\n");
    if !met.is_empty() {
        out.push_str(&format!(
            "The people you met on {}:\n\n",
            day.format("%b %-d, %Y")
        ));
        for c in met {
            out.push_str(&format!("- {}\n", c.display_name));
            let details = [
                c.headline.as_deref(),
                c.company.as_deref(),
                c.event.as_ref().map(|(e, _)| e.as_str()),
            ];
            for d in details.into_iter().flatten() {
                out.push_str(&format!("  {d}\n"));
            }
            if let Some(email) = &c.email {
                out.push_str(&format!("  Email: {email}\n"));
            }
            if let Some(phone) = &c.phone {
                out.push_str(&format!("  Phone: {phone}\n"));
            }
            for link in &c.links {
                out.push_str(&format!("  {link}\n"));
            }
            if !c.note.note.is_empty() {
                out.push_str(&format!(
                    "  Your note: {}\n",
                    c.note.note.replace('\n', "\n    ")
                ));
            }
            out.push_str(&format!("  {public_url}/connections/{}\n\n", c.user_id));
        }
    }
    if !reminders.is_empty() {
        out.push_str("Reminders due:\n\n");
        for (whom, what) in reminders {
            out.push_str(&format!("- {what} ({whom})\n"));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "All your connections: {public_url}/connections\n\n\
         You get this mail because you asked for it. Turn it off on\n\
         your account page: {public_url}/account\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting(status: &str) -> Interaction {
        Interaction {
            other: UserId(uuid::Uuid::nil()),
            kind: InteractionKind::Meeting {
                status: status.into(),
                place: "Table 3".into(),
            },
            event: ("RustConf".into(), "rustconf".into()),
            at: DateTime::default(),
        }
    }

    #[test]
    fn a_declined_or_cancelled_meeting_is_not_being_in_touch() {
        assert!(in_touch(&meeting("accepted")));
        assert!(in_touch(&meeting("pending")));
        assert!(!in_touch(&meeting("declined")));
        assert!(!in_touch(&meeting("cancelled")));
    }

    fn card(name: &str, email: Option<&str>) -> ConnectionCard {
        ConnectionCard {
            user_id: "u1".into(),
            display_name: name.into(),
            pronouns: String::new(),
            headline: None,
            company: Some("Acme".into()),
            job_title: None,
            email: email.map(str::to_owned),
            phone: None,
            links: Vec::new(),
            photo_url: None,
            event: Some(("RustConf".into(), "rustconf".into())),
            method: crate::domain::ConnectionMethod::Scanner,
            connected_at: String::new(),
            connected_on: String::new(),
            note: crate::domain::NoteView {
                note: "Wants the slides".into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_digest_lists_whom_i_met_with_what_they_share_and_my_notes() {
        let day = NaiveDate::from_ymd_opt(2026, 5, 14).unwrap();
        let alma = card("Alma", Some("alma@example.org"));
        let ben = card("Ben", None);
        let body = digest_body(
            "Ada",
            day,
            &[&alma, &ben],
            &[("Alma".into(), "Send the slides".into())],
            "https://rapport.example",
        );
        assert!(body.starts_with("Hello Ada,"), "{body}");
        assert!(body.contains("The people you met on May 14, 2026:"));
        assert!(body.contains("- Alma\n  Acme\n  RustConf\n  Email: alma@example.org\n"));
        // Ben shares no address with connections: none is shown.
        assert_eq!(body.matches("Email:").count(), 1);
        assert!(body.contains("  Your note: Wants the slides\n"));
        assert!(body.contains("- Send the slides (Alma)\n"));
        assert!(body.contains("https://rapport.example/account"));
    }

    #[test]
    fn a_meeting_says_where_and_at_which_event() {
        assert_eq!(
            interaction_text(&meeting("accepted")),
            "Meeting at Table 3 during RustConf (accepted)"
        );
    }
}
