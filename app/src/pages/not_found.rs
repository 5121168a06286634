//! The page for an address that matches no route.
//!
//! Some addresses are served by the server, not by the app's router: badge
//! links (`/b/…`), exports, downloads, calendar feeds, photos. When the
//! hydrated app navigates to one of them itself (a link, or the redirect
//! after a login form), its router finds no page. Rather than keep a list of
//! those addresses in step with the server, the browser then asks the
//! server for the address with a full page load: the server answers with its
//! own route, or with this page and a 404. The page the server rendered is
//! only hydrated, never reloaded, so this cannot loop.

use crate::components::title::PageTitle;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    #[cfg(feature = "hydrate")]
    ask_the_server();
    view! {
        <PageTitle text="Page not found · Rapport" />
        <section class="card">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <p><a href="/">"Go to the start page"</a></p>
        </section>
    }
}

/// After a navigation inside the running app (the app marks `<body>` once it
/// has hydrated), loads the address from the server instead. The address is
/// the router's, which is current even before the browser's history is.
#[cfg(feature = "hydrate")]
fn ask_the_server() {
    let navigated_in_app = document()
        .body()
        .and_then(|b| b.get_attribute("data-hydrated"))
        .is_some();
    if navigated_in_app {
        let location = leptos_router::hooks::use_location();
        let mut target = location.pathname.get_untracked();
        let search = location.search.get_untracked();
        if !search.is_empty() {
            target.push('?');
            target.push_str(&search);
        }
        if let Err(e) = window().location().replace(&target) {
            leptos::logging::error!("could not load {target} from the server: {e:?}");
        }
    }
}
