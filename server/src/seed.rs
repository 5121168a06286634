//! The demo event: a few named accounts, a few hundred generated attendees,
//! a few tagged rooms and one event happening now, so a new user has a
//! directory worth searching and rooms worth filtering. Idempotent: running it again keeps what exists and adds what
//! is missing.
//!
//! The generated attendees come from a fixed pseudo-random generator, so the
//! demo is the same on every machine and every run. They share one password
//! hash (computed once): 300 Argon2 hashes would take minutes.

use app::{
    api::password,
    domain::{
        Email, EventDates, EventId, EventName, Intent, JoinCode, Password, PersonName, ProfileForm,
        ProfileInput, Role, RoomDescription, RoomKind, RoomPlace, RoomTags, RoomTitle, Slug, Tag,
        TagSet, TimeZoneName,
    },
    ports::{Event, NewEvent, NewRoom, NewUser, PasswordHash, Store, StoreError, User},
};
use chrono::{Days, Utc};

/// Password of every demo account, named or generated.
pub const DEMO_PASSWORD: &str = "rapport-demo";
/// Address of the demo event: `/e/demo`.
pub const DEMO_SLUG: &str = "demo";
/// Join code of the demo event.
pub const DEMO_CODE: &str = "MEETRAPP";
/// How many generated attendees the demo event gets.
pub const DEMO_ATTENDEES: usize = 300;

/// A named demo account.
struct Person {
    email: &'static str,
    name: &'static str,
    headline: &'static str,
    company: &'static str,
    job_title: &'static str,
    location: &'static str,
    role: Role,
    /// Comma-separated tags per intent: interests, offers, seeks.
    tags: [&'static str; 3],
    event_line: &'static str,
}

const PEOPLE: &[Person] = &[
    Person {
        email: "ada@demo.rapport.dev",
        name: "Ada Organizer",
        headline: "Runs the demo conference",
        company: "Rapport",
        job_title: "Event lead",
        location: "Berlin",
        role: Role::Organizer,
        tags: [
            "community, open source, event design",
            "mentoring, public speaking",
            "",
        ],
        event_line: "",
    },
    Person {
        email: "ben@demo.rapport.dev",
        name: "Ben Staff",
        headline: "Check-in desk and rooms",
        company: "Rapport",
        job_title: "Volunteer coordinator",
        location: "Lisbon",
        role: Role::Staff,
        tags: ["accessibility, community", "accessibility", ""],
        event_line: "",
    },
    Person {
        email: "chloe@demo.rapport.dev",
        name: "Chloé Attendee",
        headline: "Rust developer looking for a co-founder",
        company: "Ferrous Labs",
        job_title: "Founding engineer",
        location: "Lyon",
        role: Role::Attendee,
        tags: [
            "rust, webassembly, startups, embedded",
            "rust",
            "co-founder, mentoring, fundraising",
        ],
        event_line: "Here to find a co-founder",
    },
    Person {
        email: "dev@demo.rapport.dev",
        name: "Dev Attendee",
        headline: "Hiring backend engineers",
        company: "Crab Corp",
        job_title: "Engineering manager",
        location: "Bengaluru",
        role: Role::Attendee,
        tags: [
            "rust, postgresql, kubernetes, distributed systems",
            "hiring, mentoring",
            "observability",
        ],
        event_line: "Hiring two Rust engineers",
    },
];

/// A demo room: title, what it is about, its tags, and for a meetup its
/// place and hour (UTC, on the event's first day).
struct DemoRoom {
    title: &'static str,
    description: &'static str,
    tags: &'static str,
    meetup: Option<(&'static str, u32)>,
}

/// Rooms on tags the named accounts carry, so "For you" and the tag filter
/// show something at once (Chloé and Dev share `rust`).
const ROOMS: &[DemoRoom] = &[
    DemoRoom {
        title: "Rust in production",
        description: "War stories, crates you rely on, and what you would do differently.",
        tags: "rust, webassembly, observability",
        meetup: None,
    },
    DemoRoom {
        title: "Founders' corner",
        description: "Looking for a co-founder, or for your first customers? Say hi.",
        tags: "startups, co-founder, fundraising",
        meetup: None,
    },
    DemoRoom {
        title: "Hiring and job hunting",
        description: "Who is hiring, who is looking, and how to get an introduction.",
        tags: "hiring, mentoring",
        meetup: None,
    },
    DemoRoom {
        title: "Accessible events",
        description: "What makes a conference work for everyone.",
        tags: "accessibility, community",
        meetup: None,
    },
    DemoRoom {
        title: "Coffee for first-timers",
        description: "First conference? Meet a few friendly faces.",
        tags: "community, mentoring",
        meetup: Some(("Coffee bar", 15)),
    },
];

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

const FIRST_NAMES: &[&str] = &[
    "Amélie",
    "Aarav",
    "Aiko",
    "Alejandro",
    "Amara",
    "Anders",
    "Aoife",
    "Björn",
    "Bruno",
    "Camille",
    "Carmen",
    "Chen",
    "Chidi",
    "Dagny",
    "Daniela",
    "Diego",
    "Đorđe",
    "Efua",
    "Elif",
    "Émile",
    "Farah",
    "Fatima",
    "Felix",
    "Freya",
    "Gabriel",
    "Hana",
    "Hiroshi",
    "Ibrahim",
    "Ines",
    "Ingrid",
    "Isabela",
    "Jakub",
    "Jana",
    "João",
    "Jonas",
    "Kofi",
    "Kwame",
    "Lars",
    "Leila",
    "Lena",
    "Liam",
    "Lucía",
    "Łukasz",
    "Maël",
    "Malik",
    "Marta",
    "Mateo",
    "Mei",
    "Mihai",
    "Mina",
    "Nadia",
    "Naledi",
    "Nikolai",
    "Noor",
    "Olumide",
    "Oskar",
    "Paloma",
    "Priya",
    "Rafael",
    "Ravi",
    "Renée",
    "Rosa",
    "Saanvi",
    "Sakura",
    "Samir",
    "Sérgio",
    "Siobhán",
    "Sofía",
    "Søren",
    "Tariq",
    "Thandiwe",
    "Tomás",
    "Valentina",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoë",
    "Zainab",
];

const LAST_NAMES: &[&str] = &[
    "Abebe",
    "Adeyemi",
    "Andersson",
    "Bakker",
    "Banerjee",
    "Becker",
    "Brennan",
    "Castillo",
    "Çelik",
    "Chatterjee",
    "Costa",
    "Dubois",
    "Dvořák",
    "Eriksen",
    "Fernández",
    "Fischer",
    "García",
    "Gonçalves",
    "Haddad",
    "Hansen",
    "Hernández",
    "Hoffmann",
    "Ivanova",
    "Jansen",
    "Jović",
    "Kaczmarek",
    "Kim",
    "Kowalski",
    "Kumar",
    "Lefèvre",
    "Li",
    "Lindqvist",
    "López",
    "Mahlangu",
    "Martin",
    "Mensah",
    "Moreau",
    "Müller",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Nowak",
    "O'Connor",
    "Okafor",
    "Olsen",
    "Park",
    "Patel",
    "Pereira",
    "Petrov",
    "Popescu",
    "Qureshi",
    "Rahman",
    "Reyes",
    "Rossi",
    "Saito",
    "Santos",
    "Schmidt",
    "Sharma",
    "Silva",
    "Singh",
    "Suzuki",
    "Tanaka",
    "Tremblay",
    "Van der Berg",
    "Virtanen",
    "Wang",
    "Weiß",
    "Wiśniewska",
    "Yamamoto",
    "Yılmaz",
    "Zhang",
    "Zieliński",
];

const PRONOUNS: &[&str] = &[
    "",
    "",
    "",
    "she/her",
    "he/him",
    "they/them",
    "she/they",
    "he/they",
];

const JOB_TITLES: &[&str] = &[
    "Software engineer",
    "Senior software engineer",
    "Staff engineer",
    "Backend developer",
    "Frontend developer",
    "Full-stack developer",
    "Embedded engineer",
    "Site reliability engineer",
    "Platform engineer",
    "Data scientist",
    "Machine learning engineer",
    "Data engineer",
    "Security engineer",
    "Product manager",
    "Product designer",
    "UX researcher",
    "Engineering manager",
    "CTO",
    "CEO",
    "Co-founder",
    "Developer advocate",
    "Technical writer",
    "Consultant",
    "Freelance developer",
    "Investor",
    "Researcher",
    "PhD student",
    "Student",
    "Recruiter",
    "Accessibility specialist",
];

const COMPANIES: &[&str] = &[
    "Ferrous Labs",
    "Crab Corp",
    "Nordlicht Systems",
    "Baobab Health",
    "Kestrel Robotics",
    "Lumen Analytics",
    "Tidewater Energy",
    "Sakura Mobility",
    "Quetzal Payments",
    "Ouvert Studio",
    "Polaris Cloud",
    "Mistral Freight",
    "Papaya Learning",
    "Fjord Security",
    "Atlas Genomics",
    "Cobalt Devices",
    "Juniper Bank",
    "Helix Bio",
    "Óptima Seguros",
    "Zebra Logistics",
    "Indigo Games",
    "Lattice Research",
    "Open Source Collective",
    "University of Edinburgh",
    "TU München",
    "Freelance",
    "Stealth startup",
];

const LOCATIONS: &[&str] = &[
    "Berlin",
    "München",
    "Zürich",
    "Paris",
    "Lyon",
    "Lisbon",
    "Madrid",
    "Barcelona",
    "Amsterdam",
    "London",
    "Dublin",
    "Kraków",
    "Warsaw",
    "Praha",
    "Stockholm",
    "Helsinki",
    "Reykjavík",
    "Istanbul",
    "Lagos",
    "Nairobi",
    "Accra",
    "Cape Town",
    "Cairo",
    "Bengaluru",
    "Singapore",
    "Tokyo",
    "Seoul",
    "Taipei",
    "Sydney",
    "Montréal",
    "Toronto",
    "New York",
    "San Francisco",
    "Ciudad de México",
    "Bogotá",
    "São Paulo",
    "Buenos Aires",
    "Remote",
];

const LANGUAGES: &[&str] = &[
    "English",
    "English, German",
    "English, French",
    "English, Spanish",
    "English, Portuguese",
    "English, Japanese",
    "English, Hindi",
    "English, Mandarin",
    "English, Polish",
    "English, Swahili",
    "English, Turkish",
    "English, Arabic",
    "German, French, English",
    "Spanish, Catalan, English",
];

/// Tags from most to least popular; popularity falls off like Zipf's law
/// (weight 1/rank), so a few are everywhere and most are rare. The second
/// value is how people usually hold the tag: (interest, offer, seek) odds.
const TAGS: &[(&str, [u8; 3])] = &[
    ("rust", [6, 3, 1]),
    ("ai", [7, 2, 1]),
    ("startups", [6, 2, 2]),
    ("open source", [6, 3, 1]),
    ("web development", [5, 4, 1]),
    ("python", [5, 4, 1]),
    ("machine learning", [6, 3, 1]),
    ("cloud", [5, 4, 1]),
    ("typescript", [5, 4, 1]),
    ("product management", [5, 3, 2]),
    ("design", [5, 3, 2]),
    ("devops", [5, 4, 1]),
    ("postgresql", [5, 4, 1]),
    ("security", [5, 4, 1]),
    ("go", [5, 4, 1]),
    ("data engineering", [5, 4, 1]),
    ("mentoring", [1, 5, 4]),
    ("hiring", [0, 9, 1]),
    ("kubernetes", [5, 4, 1]),
    ("distributed systems", [6, 3, 1]),
    ("webassembly", [7, 2, 1]),
    ("embedded", [6, 3, 1]),
    ("mobile", [5, 4, 1]),
    ("user experience", [5, 4, 1]),
    ("a job", [0, 0, 1]),
    ("co-founder", [0, 2, 8]),
    ("fundraising", [2, 2, 6]),
    ("accessibility", [5, 4, 1]),
    ("observability", [5, 3, 2]),
    ("developer relations", [5, 3, 2]),
    ("public speaking", [5, 3, 2]),
    ("climate tech", [7, 1, 2]),
    ("fintech", [6, 2, 2]),
    ("healthtech", [6, 2, 2]),
    ("robotics", [7, 2, 1]),
    ("compilers", [6, 3, 1]),
    ("functional programming", [6, 3, 1]),
    ("game development", [6, 2, 2]),
    ("technical writing", [4, 4, 2]),
    ("venture capital", [3, 6, 1]),
    ("angel investing", [3, 6, 1]),
    ("customers", [0, 0, 1]),
    ("freelancing", [3, 4, 3]),
    ("remote work", [7, 2, 1]),
    ("testing", [5, 4, 1]),
    ("databases", [6, 3, 1]),
    ("edtech", [6, 2, 2]),
    ("open hardware", [7, 2, 1]),
    ("elixir", [6, 3, 1]),
    ("haskell", [7, 2, 1]),
    ("c++", [5, 4, 1]),
    ("privacy", [6, 3, 1]),
    ("sustainability", [7, 2, 1]),
    ("diversity in tech", [6, 3, 1]),
    ("natural language processing", [6, 3, 1]),
    ("computer vision", [6, 3, 1]),
    ("quantum computing", [8, 1, 1]),
    ("3d printing", [8, 1, 1]),
    ("music tech", [8, 1, 1]),
    ("beta testers", [1, 1, 8]),
    ("advisors", [1, 4, 5]),
];

const HEADLINES: &[&str] = &[
    "{title} at {company}",
    "{title} at {company}",
    "{title} at {company}",
    "{title} · {tag} enthusiast",
    "Building {tag} tools at {company}",
    "{title}, {location}",
    "Working on {tag} at {company}",
    "{title} exploring {tag}",
];

const ASK_ME_ABOUT: &[&str] = &[
    "",
    "",
    "",
    "My side project",
    "Moving to a new country for work",
    "Running a meetup",
    "Open-source maintenance",
    "Our hiring process",
    "Climbing, coffee and compilers",
    "How we scaled our on-call rotation",
    "Getting a first talk accepted",
];

const EVENT_LINES: &[&str] = &[
    "Here to find a co-founder",
    "Hiring: come say hi at the coffee bar",
    "First conference, happy to chat",
    "Looking for beta testers",
    "Speaking on day two",
    "Ask me about accessibility audits",
    "Open to freelance work",
    "Looking for a mentor",
    "Here with two colleagues",
];

/// A small, fixed pseudo-random generator (SplitMix64): no dependency, and
/// the same sequence everywhere.
struct Rng(u64);

impl Rng {
    /// A generator for item `index` of a stream, independent of the others,
    /// so skipping an existing attendee does not change the next one.
    fn for_index(seed: u64, index: u64) -> Self {
        let mut rng = Rng(seed ^ index.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = (self.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

const SEED: u64 = 0x5241_5050_4F52_5421; // "RAPPORT!"

/// One generated attendee, ready to store.
struct Attendee {
    email: String,
    profile: ProfileForm,
    tags: TagSet,
    event_line: String,
    opted_out: bool,
}

/// The `index`-th generated attendee (0-based); a pure function of `index`.
fn attendee(index: usize) -> anyhow::Result<Attendee> {
    let mut rng = Rng::for_index(SEED, index as u64);
    let first = rng.pick(FIRST_NAMES);
    let last = rng.pick(LAST_NAMES);
    let title = rng.pick(JOB_TITLES);
    let company = rng.pick(COMPANIES);
    let location = rng.pick(LOCATIONS);

    // 5 to 12 distinct tags, Zipf-like popularity, intents by each tag's odds.
    let mut weights: Vec<f64> = (0..TAGS.len()).map(|r| 1.0 / (r + 1) as f64).collect();
    let count = 5 + rng.below(8);
    let mut pairs: Vec<(Tag, Intent)> = Vec::with_capacity(count);
    for _ in 0..count {
        let i = rng.weighted(&weights);
        weights[i] = 0.0;
        let (tag, odds) = TAGS[i];
        let odds = odds.map(f64::from);
        let intent = Intent::ALL[rng.weighted(&odds)];
        pairs.push((Tag::parse(tag)?, intent));
    }
    // Stored grouped by intent, the way the profile form saves them.
    pairs.sort_by_key(|(_, intent)| *intent);
    let favourite = pairs[0].0.as_str().to_owned();

    let headline = rng
        .pick(HEADLINES)
        .replace("{title}", title)
        .replace("{company}", company)
        .replace("{location}", location)
        .replace("{tag}", &favourite);
    let bio = if rng.chance(40) {
        format!(
            "{title} based in {location}. Spends most days on {favourite}; \
             happy to talk about it over coffee."
        )
    } else {
        String::new()
    };
    let event_line = if rng.chance(20) {
        rng.pick(EVENT_LINES).to_owned()
    } else {
        String::new()
    };
    Ok(Attendee {
        email: format!("attendee{:03}@demo.rapport.dev", index + 1),
        profile: ProfileForm {
            display_name: format!("{first} {last}"),
            pronouns: rng.pick(PRONOUNS).into(),
            headline,
            company: company.into(),
            job_title: title.into(),
            bio,
            location: location.into(),
            languages: rng.pick(LANGUAGES).into(),
            ask_me_about: rng.pick(ASK_ME_ABOUT).into(),
            ..Default::default()
        },
        tags: TagSet::from_pairs(pairs),
        event_line,
        opted_out: rng.chance(3),
    })
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
                invite_token: app::api::tokens::invite_token(),
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
        if (created || joined) && (a.opted_out || !a.event_line.is_empty()) {
            store
                .set_membership_prefs(event.id, user.id, &a.event_line, a.opted_out)
                .await?;
        }
    }

    demo_rooms(store, &event, &users[0]).await?;

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

    #[test]
    fn generated_attendees_are_valid_and_the_same_every_time() {
        for index in 0..DEMO_ATTENDEES {
            let a = attendee(index).unwrap();
            ProfileInput::parse(&a.profile).unwrap();
            Email::parse(&a.email).unwrap();
            assert!((5..=12).contains(&a.tags.len()), "{} tags", a.tags.len());
            let b = attendee(index).unwrap();
            assert_eq!((a.email, a.profile, a.tags), (b.email, b.profile, b.tags));
        }
    }

    #[test]
    fn tag_popularity_is_skewed_and_opt_outs_are_few() {
        let all: Vec<Attendee> = (0..DEMO_ATTENDEES).map(|i| attendee(i).unwrap()).collect();
        let with = |tag: &str| {
            let tag = Tag::parse(tag).unwrap();
            all.iter()
                .filter(|a| a.tags.iter().any(|(t, _)| *t == tag))
                .count()
        };
        assert!(
            with("rust") > DEMO_ATTENDEES / 3,
            "rust on {}",
            with("rust")
        );
        assert!(with("embedded") < with("rust") / 3);
        assert!(with("co-founder") > 0);
        let opted_out = all.iter().filter(|a| a.opted_out).count();
        assert!((1..DEMO_ATTENDEES / 10).contains(&opted_out), "{opted_out}");
        let with_line = all.iter().filter(|a| !a.event_line.is_empty()).count();
        assert!(with_line > 10, "{with_line}");
        let names: std::collections::HashSet<_> =
            all.iter().map(|a| &a.profile.display_name).collect();
        assert!(
            names.len() > DEMO_ATTENDEES * 9 / 10,
            "names repeat too often"
        );
    }
}
