//! Rapport's Leptos application: the UI, the types that cross the wire, the
//! server functions and (behind `ssr`) the rules, the ports and the state
//! they need.
//!
//! The crate is compiled twice: natively with `ssr` inside the server, where
//! pages are rendered to HTML and server functions run; and to WebAssembly
//! with `hydrate`, where the same components take over the server's HTML.

#![recursion_limit = "256"]

pub mod api;
#[cfg(test)]
mod architecture;
pub mod components;
#[cfg(feature = "ssr")]
pub mod csp;
pub mod domain;
pub mod error;
pub mod matching;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod realtime;
// Server-only: the schedule is built on the server (and needs `rand`).
#[cfg(feature = "ssr")]
pub mod scheduler;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
};

/// The address of the stylesheet, whose name `make site` makes from its
/// content (so browsers may keep it for a year). The server provides it to
/// every page it renders; the shell links it.
#[derive(Clone, Debug)]
pub struct StylesheetHref(pub std::sync::Arc<str>);

/// The HTML document around the app, rendered on the server only. It links
/// the stylesheet itself (not the app, through `leptos_meta`): its hashed
/// name is known to the server only. The tags every page has, the same on
/// each (description, theme colour, icons, the manifest), are here too:
/// written by the app through `leptos_meta`, they would be hydrated on every
/// page, and their code would be in the main module every visitor downloads.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let stylesheet = use_context::<StylesheetHref>()
        .map(|href| href.0.to_string())
        .unwrap_or_else(|| "/pkg/rapport.css".to_owned());
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="description" content="Rapport: meet the right people at your event." />
                <meta name="theme-color" content="#1d4ed8" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                <link rel="stylesheet" id="leptos" href=stylesheet />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: layout, navigation and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    // Effects only run in the browser. (`<body data-hydrated>`, which
    // end-to-end tests wait for, is set when hydration is complete:
    // `components::hydration`.)
    Effect::new(move |_| register_service_worker());

    // Every route renders fully on the server before it is sent (`Async`),
    // so pages are complete and readable with JavaScript off.
    view! {
        <Router>
            <Frame />
        </Router>
    }
}

/// Everything inside the router. The session actions are created here, not
/// in [`App`], because a form error carried back in the URL after a plain
/// (JavaScript-free) form post is only visible to actions created inside
/// the router.
#[component]
fn Frame() -> impl IntoView {
    components::session::provide_session();
    components::scan_queue::provide_scan_queue();
    components::live::provide_live();
    components::offline::tell_service_worker();
    view! {
        <a class="skip-link" href="#main">
            "Skip to content"
        </a>
        <components::layout::Header />
        <components::live::LiveNotices />
        <main id="main" tabindex="-1">
            <components::offline::SavedCopyBanner />
            <components::offline::ChunkWaitNotice />
            <Routes fallback=|| view! { <pages::not_found::NotFound /> }>
                <Route path=path!("/") view={Lazy::<pages::lazy::HomeRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/signup") view={Lazy::<pages::lazy::SignupRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/login") view={Lazy::<pages::lazy::LoginRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account") view={Lazy::<pages::lazy::AccountRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/events") view={Lazy::<pages::lazy::MyEventsRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/events/new") view={Lazy::<pages::lazy::NewEventRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug") view={Lazy::<pages::lazy::EventRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/people") view={Lazy::<pages::lazy::DirectoryRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/p/:user_id") view={Lazy::<pages::lazy::PersonRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/badge") view={Lazy::<pages::lazy::MyBadgeRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/badges") view={Lazy::<pages::lazy::BadgeSheetRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/scan") view={Lazy::<pages::lazy::ScannerRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/meet") view={Lazy::<pages::lazy::MeetRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/agenda") view={Lazy::<pages::lazy::AgendaRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/schedule") view={Lazy::<pages::lazy::ScheduleRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/wishes") view={Lazy::<pages::lazy::WishesRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/dashboard") view={Lazy::<pages::lazy::DashboardRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/leads") view={Lazy::<pages::lazy::LeadsRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/integrations") view={Lazy::<pages::lazy::IntegrationsRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/rooms") view={Lazy::<pages::lazy::RoomListRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/rooms/:room") view={Lazy::<pages::lazy::RoomChatRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/settings") view={Lazy::<pages::lazy::SettingsRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/import") view={Lazy::<pages::lazy::ImportRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/import/:upload") view={Lazy::<pages::lazy::ImportUploadRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/e/:slug/moderation") view={Lazy::<pages::lazy::ModerationRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/scans/:id") view={Lazy::<pages::lazy::ScanResultRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/connect/:token") view={Lazy::<pages::lazy::ConnectRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/connections") view={Lazy::<pages::lazy::ConnectionsRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/connections/:user_id") view={Lazy::<pages::lazy::TimelineRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/messages") view={Lazy::<pages::lazy::InboxRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/messages/:with") view={Lazy::<pages::lazy::ConversationRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/keep-in-touch") view={Lazy::<pages::lazy::KeepInTouchRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/join/:token") view={Lazy::<pages::lazy::JoinRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/claim/:token") view={Lazy::<pages::lazy::ClaimRoute>::new()} ssr=SsrMode::Async />
            </Routes>
        </main>
        <footer class="site-footer">
            <p>"Rapport — open-source networking for events."</p>
        </footer>
    }
}

/// Installs the service worker (`/sw.js`) that keeps the app shell and the
/// person's offline pages (badge, scanner, agenda, connections, rooms)
/// available offline, making Rapport an installable PWA.
fn register_service_worker() {
    #[cfg(feature = "hydrate")]
    {
        let workers = window().navigator().service_worker();
        let _ = workers.register("/sw.js");
    }
}

/// Entry point of the WebAssembly build: hydrate the server-rendered page.
/// Asynchronously (as Leptos's `hydrate_lazy`, not `hydrate_body`): the page
/// of a lazy route (`pages::lazy`) hydrates once its chunk has arrived (the
/// router refuses lazy routes under `hydrate_body`); and the app is told
/// when that is over (`components::hydration`).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    components::hydration::start(App);
}
