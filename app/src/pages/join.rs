//! The invite link page: see the event, then join it (signing in first if needed).

use crate::api::events::{invite_preview, InviteInfo, JoinByInvite};
use crate::components::forms::{action_error, FormError};
use crate::components::layout::{date_range, urlencode, ErrorNotice};
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = resource(token, invite_preview);
    view! {
        <PageTitle text="Join an event · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(p) => view! { <JoinView preview=p token=token() /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e next=format!("/join/{}", token()) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn JoinView(preview: InviteInfo, token: String) -> impl IntoView {
    let join = ServerAction::<JoinByInvite>::new();
    let e = preview.event;
    let here = urlencode(&format!("/join/{token}"));
    let action = match (preview.signed_in, e.role) {
        (_, Some(role)) => view! {
            <p>"You are already in this event as " {role.label().to_lowercase()} "."</p>
            <p><a class="button" href=format!("/e/{}", e.slug)>"Open the event"</a></p>
        }
        .into_any(),
        (true, None) => view! {
            <ActionForm action=join>
                <FormError error=action_error(join) />
                <input type="hidden" name="token" value=token />
                <button type="submit">"Join this event"</button>
            </ActionForm>
        }
        .into_any(),
        (false, None) => view! {
            <p>"Sign in or create an account to join."</p>
            <p class="actions">
                <a class="button" href=format!("/signup?next={here}")>"Create an account"</a>
                <a class="button secondary" href=format!("/login?next={here}")>"Log in"</a>
            </p>
        }
        .into_any(),
    };
    view! {
        <section class="card narrow">
            <p class="eyebrow">"You are invited to"</p>
            <h1>{e.name.clone()}</h1>
            <p class="meta">
                {date_range(e.starts_on, e.ends_on)}
                {(!e.venue.is_empty()).then(|| format!(" · {}", e.venue))}
            </p>
            {action}
        </section>
    }
}
