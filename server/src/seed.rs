//! The demo event: a few accounts and one event happening now, so a new
//! user has something to click through. Idempotent: running it again keeps
//! what exists and adds what is missing.

use app::{
    api::password,
    domain::{
        Email, EventDates, EventName, JoinCode, Password, PersonName, ProfileForm, ProfileInput,
        Role, Slug, TimeZoneName,
    },
    ports::{NewEvent, NewUser, Store, StoreError},
};
use chrono::{Days, Utc};

/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "rapport-demo";
/// Address of the demo event: `/e/demo`.
pub const DEMO_SLUG: &str = "demo";
/// Join code of the demo event.
pub const DEMO_CODE: &str = "MEETRAPP";

/// (email, name, headline, company, role)
const PEOPLE: &[(&str, &str, &str, &str, Role)] = &[
    (
        "ada@demo.rapport.dev",
        "Ada Organizer",
        "Runs the demo conference",
        "Rapport",
        Role::Organizer,
    ),
    (
        "ben@demo.rapport.dev",
        "Ben Staff",
        "Check-in desk and rooms",
        "Rapport",
        Role::Staff,
    ),
    (
        "chloe@demo.rapport.dev",
        "Chloé Attendee",
        "Rust developer looking for a co-founder",
        "Ferrous Labs",
        Role::Attendee,
    ),
    (
        "dev@demo.rapport.dev",
        "Dev Attendee",
        "Hiring backend engineers",
        "Crab Corp",
        Role::Attendee,
    ),
];

/// What was seeded, for printing.
#[derive(Debug)]
pub struct DemoSummary {
    pub logins: Vec<(String, Role)>,
    pub slug: String,
    pub join_code: String,
    pub invite_token: String,
}

pub async fn seed_demo(store: &dyn Store) -> anyhow::Result<DemoSummary> {
    let mut users = Vec::new();
    for (email, name, headline, company, role) in PEOPLE {
        let email = Email::parse(email)?;
        let user = match store.user_by_email(&email).await? {
            Some(u) => u,
            None => {
                let password_hash = password::hash_blocking(&Password::parse(DEMO_PASSWORD)?)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let user = store
                    .create_user(NewUser {
                        email,
                        display_name: PersonName::parse("display_name", name)?,
                        password_hash,
                    })
                    .await?;
                let profile = ProfileInput::parse(&ProfileForm {
                    display_name: (*name).into(),
                    headline: (*headline).into(),
                    company: (*company).into(),
                    ..Default::default()
                })?;
                store.update_profile(user.id, &profile).await?
            }
        };
        users.push((user, *role));
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
                invite_token: app::api::tokens::invite_token(),
                join_code: JoinCode::parse(DEMO_CODE)?,
            };
            store.create_event(new, users[0].0.id).await?
        }
    };
    for (user, role) in users.iter().skip(1) {
        match store.add_member(event.id, user.id, *role).await {
            Ok(()) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(DemoSummary {
        logins: users
            .iter()
            .map(|(u, r)| (u.email.as_str().to_owned(), *r))
            .collect(),
        slug: event.slug.as_str().to_owned(),
        join_code: event.join_code.display(),
        invite_token: event.invite_token,
    })
}
