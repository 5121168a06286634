//! The demo event: a few named accounts, a few hundred generated attendees,
//! a few tagged rooms and one event happening now, with a third of its
//! attendees at the venue today, so a new user has a directory worth
//! searching, rooms worth filtering and people "here now", and meeting
//! sessions with everyone's wishes (`seed/schedule.rs`), so the meeting
//! scheduler builds a schedule in one click. Idempotent:
//! running it again keeps what exists and adds what is missing.
//!
//! The generated attendees come from a fixed pseudo-random generator, so the
//! demo is the same on every machine and every run. They share one password
//! hash (computed once): 300 Argon2 hashes would take minutes.
//!
//! This file stores the demo; the tables it is made of are in `seed/data.rs`,
//! the generator of attendees in `seed/attendees.rs`, and the earlier event
//! the demo people met at (for "meet again" and their timelines) in
//! `seed/history.rs`.

mod attendees;
mod data;
mod history;

pub use history::EARLIER_SLUG;
mod schedule;

use app::{
    domain::{
        AttendanceSource, Email, EventDates, EventId, EventName, JoinCode, Movement, Password,
        PersonName, ProfileForm, ProfileInput, Role, RoomDescription, RoomKind, RoomPlace,
        RoomTags, RoomTitle, Slug, TagSet, TimeZoneName, UserId,
    },
    ports::{
        Event, NewEvent, NewMovement, NewRoom, NewUser, PasswordHash, Store, StoreError, User,
    },
    service::password,
};
use attendees::attendee;
use chrono::{Days, Utc};
use data::{PEOPLE, ROOMS};

/// Password of every demo account, named or generated.
pub const DEMO_PASSWORD: &str = "rapport-demo";
/// Address of the demo event: `/e/demo`.
pub const DEMO_SLUG: &str = "demo";
/// Join code of the demo event.
pub const DEMO_CODE: &str = "MEETRAPP";
/// How many generated attendees the demo event gets.
pub const DEMO_ATTENDEES: usize = 300;

/// Creates the demo rooms the event lacks (by title), opened by `by`.
async fn demo_rooms(store: &dyn Store, event: &Event, by: &User) -> anyhow::Result<()> {
    let existing: Vec<String> = store
        .rooms_of_event(event.id)
        .await?
        .into_iter()
        .map(|r| r.title)
        .collect();
    for room in ROOMS
        .iter()
        .filter(|r| !existing.iter().any(|t| t == r.title))
    {
        let (kind, place, starts_at, ends_at) = match room.meetup {
            Some((place, hour)) => {
                let start = event
                    .dates
                    .starts_on()
                    .and_hms_opt(hour, 0, 0)
                    .map(|t| t.and_utc());
                (
                    RoomKind::Meetup,
                    place,
                    start,
                    start.map(|s| s + chrono::Duration::minutes(30)),
                )
            }
            None => (RoomKind::Topic, "", None, None),
        };
        store
            .create_room(NewRoom {
                event: event.id,
                kind,
                title: RoomTitle::parse("title", room.title)?,
                description: RoomDescription::parse("description", room.description)?,
                place: RoomPlace::parse("place", place)?,
                starts_at,
                ends_at,
                created_by: by.id,
                tags: RoomTags::parse(room.tags)?,
            })
            .await?;
    }
    Ok(())
}

/// What was seeded, for printing.
#[derive(Debug)]
pub struct DemoSummary {
    pub logins: Vec<(String, Role)>,
    pub slug: String,
    pub join_code: String,
    pub invite_token: String,
    /// Generated attendees created by this run (0 when they all existed).
    pub attendees_added: usize,
}

/// The demo password's hash, computed on first use and then shared by every
/// account this run creates.
struct SharedHash(Option<PasswordHash>);

impl SharedHash {
    async fn get(&mut self) -> anyhow::Result<PasswordHash> {
        if let Some(hash) = &self.0 {
            return Ok(hash.clone());
        }
        let hash = password::hash(Password::parse(DEMO_PASSWORD)?)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        self.0 = Some(hash.clone());
        Ok(hash)
    }
}

/// Adds `user` to the event; `true` if they were not a member yet.
async fn join(store: &dyn Store, event: EventId, user: &User, role: Role) -> anyhow::Result<bool> {
    match store.add_member(event, user.id, role).await {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A third of the demo attendees are at the venue today, arrived over the
/// last three hours (checked in by the organizer at the door), so "here
/// now" and the dashboard's hours show someone. Those already here today
/// are left as they are.
async fn check_in_some(
    store: &dyn Store,
    event: &Event,
    by: &User,
    attendees: &[UserId],
) -> anyhow::Result<()> {
    let now = Utc::now();
    let today_from = app::service::attendance::today_from(event, now);
    for (i, user) in attendees.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let at = (now - chrono::Duration::minutes((i % 180) as i64)).max(today_from);
        store
            .record_movement(&NewMovement {
                event: event.id,
                user: *user,
                movement: Movement::In,
                source: AttendanceSource::Staff,
                by: by.id,
                at,
                today_from,
            })
            .await?;
    }
    Ok(())
}

pub async fn seed_demo(store: &dyn Store) -> anyhow::Result<DemoSummary> {
    let mut hash = SharedHash(None);
    let mut users = Vec::new();
    for person in PEOPLE {
        let email = Email::parse(person.email)?;
        let user = match store.user_by_email(&email).await? {
            Some(u) => u,
            None => {
                let user = store
                    .create_user(NewUser {
                        email,
                        display_name: PersonName::parse("display_name", person.name)?,
                        password_hash: hash.get().await?,
                    })
                    .await?;
                let profile = ProfileInput::parse(&ProfileForm {
                    display_name: person.name.into(),
                    headline: person.headline.into(),
                    company: person.company.into(),
                    job_title: person.job_title.into(),
                    location: person.location.into(),
                    ..Default::default()
                })?;
                store.update_profile(user.id, &profile).await?
            }
        };
        // Accounts seeded before the demo had tags get them now; tags someone
        // set while trying the demo are kept.
        if store.tags_of(user.id).await?.is_empty() {
            let [interests, offers, seeks] = person.tags;
            store
                .set_tags(user.id, &TagSet::parse(interests, offers, seeks)?)
                .await?;
        }
        users.push(user);
    }

    let slug = Slug::parse(DEMO_SLUG)?;
    let event = match store.event_by_slug(&slug).await? {
        Some(e) => e,
        None => {
            let today = Utc::now().date_naive();
            let new = NewEvent {
                slug,
                name: EventName::parse("name", "Rapport Demo Conference")?,
                description:
                    "A demo event to try Rapport: sign in as any demo account and look around."
                        .into(),
                venue: "Online and in your hallway".into(),
                dates: EventDates::new(today, today + Days::new(2))?,
                time_zone: TimeZoneName::parse("UTC")?,
                invite_token: app::service::tokens::invite_token(),
                join_code: JoinCode::parse(DEMO_CODE)?,
            };
            let event = store.create_event(new, users[0].id).await?;
            // Places to propose for meetings.
            let spots: Vec<String> = (1..=12)
                .map(|n| format!("Table {n}"))
                .chain(["Coffee bar".to_owned(), "Quiet room".to_owned()])
                .collect();
            store.set_spots(event.id, &spots).await?;
            event
        }
    };
    for (user, person) in users.iter().zip(PEOPLE) {
        let added =
            person.role != Role::Organizer && join(store, event.id, user, person.role).await?;
        if added && !person.event_line.is_empty() {
            store
                .set_membership_prefs(event.id, user.id, person.event_line, false)
                .await?;
        }
    }

    let mut attendees_added = 0;
    let mut attendee_ids = Vec::new();
    for index in 0..DEMO_ATTENDEES {
        let a = attendee(index)?;
        let email = Email::parse(&a.email)?;
        let (user, created) = match store.user_by_email(&email).await? {
            Some(u) => (u, false),
            None => {
                let user = store
                    .create_user(NewUser {
                        email,
                        display_name: PersonName::parse("display_name", &a.profile.display_name)?,
                        password_hash: hash.get().await?,
                    })
                    .await?;
                let user = store
                    .update_profile(user.id, &ProfileInput::parse(&a.profile)?)
                    .await?;
                store.set_tags(user.id, &a.tags).await?;
                attendees_added += 1;
                (user, true)
            }
        };
        // Joining is checked for existing accounts too, so a run that stopped
        // half-way is completed by the next one.
        let joined = join(store, event.id, &user, Role::Attendee).await?;
        attendee_ids.push(user.id);
        if (created || joined) && (a.opted_out || !a.event_line.is_empty()) {
            store
                .set_membership_prefs(event.id, user.id, &a.event_line, a.opted_out)
                .await?;
        }
    }

    demo_rooms(store, &event, &users[0]).await?;
    check_in_some(store, &event, &users[0], &attendee_ids).await?;
    history::seed_history(store, &users, &attendee_ids).await?;
    // Chloe and Dev (the named attendees) wish too, first: the popular end.
    let named: Vec<UserId> = users
        .iter()
        .zip(PEOPLE)
        .filter(|(_, p)| p.role == Role::Attendee)
        .map(|(u, _)| u.id)
        .collect();
    if let [chloe, dev, ..] = named[..] {
        let wishing: Vec<UserId> = named.iter().chain(&attendee_ids).copied().collect();
        schedule::demo_schedule(store, &event, (chloe, dev), &wishing).await?;
    }

    Ok(DemoSummary {
        logins: users
            .iter()
            .zip(PEOPLE)
            .map(|(u, p)| (u.email.as_str().to_owned(), p.role))
            .collect(),
        slug: event.slug.as_str().to_owned(),
        join_code: event.join_code.display(),
        invite_token: event.invite_token,
        attendees_added,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_rooms_are_valid_and_each_has_tags() {
        for room in ROOMS {
            assert!(
                RoomTitle::parse("title", room.title).is_ok(),
                "{}",
                room.title
            );
            let tags = RoomTags::parse(room.tags).unwrap();
            assert!(!tags.is_empty(), "{} has tags", room.title);
        }
    }
}
