//! The pages an attendee rarely opens, as lazily loaded routes: their code
//! is cut out of the main WebAssembly module at build time (`make site`,
//! tools/wasm-split) and fetched the first time one of them is shown, so an
//! attendee's first download holds the badge, scanner, people and room
//! pages, not the organizer's dashboard, imports or settings (issue 19).
//!
//! Each route is a `LazyRoute` whose view is the page component itself:
//! `#[lazy_route]` turns `view` into a split point. The page loads its own
//! data when it is shown (its resources are made inside it), exactly as
//! before; only its code arrives later. On the server nothing changes (the
//! macros call the page directly), and a server-rendered lazy page hydrates
//! once its chunk is in: the server names that chunk in a preload link of
//! the page's head (see `server::assets`), so the browser fetches it
//! alongside the main module.
//!
//! What stays in the main module: the pages an attendee uses at an event
//! (event, people, person, badge, scanner, meet, agenda, rooms, connections,
//! scan results) and sign-in, which every first visit passes through.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

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
