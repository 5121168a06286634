//! Every page of the app as a lazily loaded route: its code is cut out of
//! the main WebAssembly module at build time (`make site`, tools/wasm-split)
//! and fetched the first time the page is shown, so the main module holds
//! only the frame every page shares (router, header, live link, session,
//! offline queue) and a visit downloads the code of the pages it opens, not
//! of the forty others (issue 19: the first load of the badge, scanner and
//! people pages is the main module plus their own chunks).
//!
//! Each route is a `LazyRoute` whose view is the page component itself:
//! `#[lazy_route]` turns `view` into a split point. The page loads its own
//! data when it is shown (its resources are made inside it), exactly as
//! before; only its code arrives later. On the server nothing changes (the
//! macros call the page directly), and a server-rendered lazy page hydrates
//! once its chunk is in: the page's head names that chunk in a preload link
//! ([`preload_links`]), so the browser fetches it alongside the main module
//! instead of after it.
//!
//! Only the not-found page stays in the main module (it is the router's
//! fallback, which cannot be lazy).

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// The chunks of the split app, as `pkg/assets.json` lists them: given by
/// the server to every page it renders, so that a lazy page can name its
/// chunks for the browser to fetch early.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct SplitChunks {
    /// Where the chunks are served from (`/pkg`).
    pub pkg: std::sync::Arc<str>,
    /// Each lazy function's name, as Leptos gives it, and the stems
    /// (`<name>.<hash>`) of the chunks it needs.
    pub by_function: std::sync::Arc<std::collections::HashMap<String, Vec<String>>>,
}

/// Asks the browser to fetch the chunks of the lazy route `route` (its type
/// name) while the main module downloads, with a `Link: rel=preload`
/// header on the page's response.
///
/// Leptos has a mechanism of its own (preload links written into the
/// head), but it reads its context after rendering, outside the reactive
/// owner: once a page awaits real I/O (the header's unread count) the
/// rendering may resume on another thread, and the links then came or not
/// at random. The response's options are reached from inside the page, so
/// the header is always there; the server never gives Leptos its manifest,
/// so the two never both write.
#[cfg(feature = "ssr")]
fn preload(route: &str) {
    use leptos_axum::ResponseOptions;
    let (Some(split), Some(response)) = (
        use_context::<SplitChunks>(),
        use_context::<ResponseOptions>(),
    ) else {
        return;
    };
    // `#[lazy_route]` names the view `__<route in snake case>_view_<hash>`.
    let mut prefix = String::from("__");
    for (i, c) in route.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            prefix.push('_');
        }
        prefix.push(c.to_ascii_lowercase());
    }
    prefix.push_str("_view_");
    let stems = split
        .by_function
        .iter()
        .filter(|(name, _)| name.starts_with(&prefix))
        .flat_map(|(_, stems)| stems);
    for stem in stems {
        let link = format!(
            "<{}/{stem}.wasm>; rel=preload; as=fetch; type=\"application/wasm\"; crossorigin",
            split.pkg
        );
        if let Ok(value) = http::HeaderValue::from_str(&link) {
            response.append_header(http::header::LINK, value);
        }
    }
}

/// Declares a unit route type whose lazily loaded view is `$page`.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:path) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                #[cfg(feature = "ssr")]
                preload(stringify!($route));
                $page().into_any()
            }
        }
    };
}

lazy_page!(
    /// `/e/:slug/dashboard`, the organizer's figures.
    DashboardRoute => crate::pages::dashboard::DashboardPage
);
lazy_page!(
    /// `/e/:slug/schedule`, the organizer's meeting scheduler.
    ScheduleRoute => crate::pages::schedule::SchedulePage
);
lazy_page!(
    /// `/e/:slug/wishes`, whom an attendee wishes to meet (shares the
    /// scheduler's forms).
    WishesRoute => crate::pages::schedule::WishesPage
);
lazy_page!(
    /// `/e/:slug/leads`, an exhibitor's or organizer's scanned leads.
    LeadsRoute => crate::pages::leads::LeadsPage
);
lazy_page!(
    /// `/e/:slug/integrations`, API tokens and webhooks.
    IntegrationsRoute => crate::pages::integrations::IntegrationsPage
);
lazy_page!(
    /// `/e/:slug/settings`, the event's settings and members.
    SettingsRoute => crate::pages::settings::SettingsPage
);
lazy_page!(
    /// `/e/:slug/import`, attendee import and invitations.
    ImportRoute => crate::pages::imports::ImportPage
);
lazy_page!(
    /// `/e/:slug/import/:upload`, one import's report.
    ImportUploadRoute => crate::pages::imports::ImportUploadPage
);
lazy_page!(
    /// `/e/:slug/moderation`, the rooms' moderation log.
    ModerationRoute => crate::pages::rooms::ModerationLogPage
);
lazy_page!(
    /// `/e/:slug/badges`, the printable badge sheet.
    BadgeSheetRoute => crate::pages::badges::BadgeSheetPage
);
lazy_page!(
    /// `/events/new`, creating an event.
    NewEventRoute => crate::pages::events::NewEventPage
);
lazy_page!(
    /// `/account`, the person's account and data.
    AccountRoute => crate::pages::account::AccountPage
);
lazy_page!(
    /// `/claim/:token`, claiming an imported account (once per person).
    ClaimRoute => crate::pages::claim::ClaimPage
);
lazy_page!(
    /// `/join/:token`, joining an event by invitation (once per event).
    JoinRoute => crate::pages::join::JoinPage
);
lazy_page!(
    /// `/connections/:user_id`, the follow-up timeline with one contact.
    TimelineRoute => crate::pages::follow_up::TimelinePage
);
lazy_page!(
    /// `/keep-in-touch`, contacts gone quiet.
    KeepInTouchRoute => crate::pages::follow_up::KeepInTouchPage
);
lazy_page!(
    /// `/messages`, my conversations: opened from a notification or the
    /// navigation, never needed before the hot pages are interactive.
    InboxRoute => crate::pages::messages::InboxPage
);
lazy_page!(
    /// `/messages/:with`, one conversation (its live part included).
    ConversationRoute => crate::pages::messages::ConversationPage
);
lazy_page!(
    /// `/`, the welcome page.
    HomeRoute => crate::pages::home::HomePage
);
lazy_page!(
    /// `/signup`, creating an account.
    SignupRoute => crate::pages::auth::SignupPage
);
lazy_page!(
    /// `/login`, signing in.
    LoginRoute => crate::pages::auth::LoginPage
);
lazy_page!(
    /// `/events`, my events.
    MyEventsRoute => crate::pages::events::MyEventsPage
);
lazy_page!(
    /// `/e/:slug`, an event's front page.
    EventRoute => crate::pages::event::EventPage
);
lazy_page!(
    /// `/e/:slug/people`, the directory (a hot page: its chunk is preloaded
    /// and counted in the first load by scripts/bundle-size.mjs).
    DirectoryRoute => crate::pages::people::DirectoryPage
);
lazy_page!(
    /// `/e/:slug/p/:user_id`, one person's profile.
    PersonRoute => crate::pages::people::PersonPage
);
lazy_page!(
    /// `/e/:slug/badge`, my badge (a hot page, as the directory).
    MyBadgeRoute => crate::pages::badges::MyBadgePage
);
lazy_page!(
    /// `/e/:slug/scan`, the scanner (a hot page, as the directory; its QR
    /// decoder is a lazy function of its own, fetched only when a camera
    /// frame needs it).
    ScannerRoute => crate::pages::scanner::ScannerPage
);
lazy_page!(
    /// `/e/:slug/meet`, the people I am told to meet.
    MeetRoute => crate::pages::meet::PeopleToMeetPage
);
lazy_page!(
    /// `/e/:slug/agenda`, my meetings.
    AgendaRoute => crate::pages::meet::AgendaPage
);
lazy_page!(
    /// `/e/:slug/rooms`, the event's rooms.
    RoomListRoute => crate::pages::rooms::RoomListPage
);
lazy_page!(
    /// `/e/:slug/rooms/:room`, one room's chat (its live part included).
    RoomChatRoute => crate::pages::rooms::RoomChatPage
);
lazy_page!(
    /// `/scans/:id`, what a scan did.
    ScanResultRoute => crate::pages::badges::ScanResultPage
);
lazy_page!(
    /// `/connect/:token`, a badge scanned with any phone camera.
    ConnectRoute => crate::pages::badges::ConnectPage
);
lazy_page!(
    /// `/connections`, my connections.
    ConnectionsRoute => crate::pages::connections::ConnectionsPage
);
