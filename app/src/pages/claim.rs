//! A personal invitation (`/claim/:token`): an imported attendee sets a
//! password and lands in their event. A plain form, so it works without
//! JavaScript.

use crate::api::import::{claim_info, ClaimAccount};
use crate::components::forms::{action_error, Field, FormError};
use crate::components::layout::ErrorNotice;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ClaimPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let claim = ServerAction::<ClaimAccount>::new();
    let info = Resource::new(token, claim_info);
    view! {
        <Title text="Your invitation · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(c) => view! {
                        <section class="card narrow">
                            <h1>{format!("Welcome, {}", c.display_name)}</h1>
                            <p>{format!("You are on the attendee list of {}. Choose a password for {} to see who else is coming.", c.event_name, c.email)}</p>
                            <ActionForm action=claim>
                                <FormError error=action_error(claim) />
                                <input type="hidden" name="token" value=token() />
                                <Field name="password" label="Password" kind="password" required=true autocomplete="new-password" minlength=10 hint="At least 10 characters." />
                                <button type="submit">"Set password and continue"</button>
                            </ActionForm>
                        </section>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorNotice error=e next="/login" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
