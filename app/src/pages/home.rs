//! The start page: what Rapport is, and the way in.

use crate::components::session::use_session;
use crate::components::title::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let deleted = move || query.read().get("deleted").is_some();
    let cta = move || {
        Suspend::new(async move {
            match session.me.await {
                Ok(Some(me)) => view! {
                    <p>"Welcome back, " {me.display_name} "."</p>
                    <p class="actions"><a class="button" href="/events">"Go to my events"</a></p>
                }
                .into_any(),
                _ => view! {
                    <p class="actions">
                        <a class="button" href="/signup">"Create an account"</a>
                        <a class="button secondary" href="/login">"Log in"</a>
                    </p>
                }
                .into_any(),
            }
        })
    };
    view! {
        <PageTitle text="Rapport — meet the right people at your event" />
        <Show when=deleted>
            <p class="form-ok" role="status">"Your account and everything only it owned were deleted."</p>
        </Show>
        <section class="hero">
            <h1>"Meet the right people at your event"</h1>
            <p class="lead">
                "Rapport shows what you can offer and what you seek, tells you whom to meet and why, "
                "and connects you with one scan of a badge."
            </p>
            <Suspense fallback=|| ()>{cta}</Suspense>
        </section>
        <section class="features" aria-label="What Rapport does">
            <div class="card"><h2>"One profile"</h2><p>"Your offers and needs, kept across events."</p></div>
            <div class="card"><h2>"Events"</h2><p>"Create an event, share its invite link, see who is coming."</p></div>
            <div class="card"><h2>"Self-hosted"</h2><p>"One binary and a database file. Your event, your data."</p></div>
        </section>
    }
}
