//! A personal invitation (`/claim/:token`), from an organizer's import. It
//! shows the event and the role offered. For an account the import
//! created, its owner sets a password here, which accepts; for an account
//! that existed, its owner logs in and accepts or declines (also possible
//! from "My events"). Plain forms, so it works without JavaScript.

use crate::api::events::AnswerInvitation;
use crate::api::imports::{claim_info, ClaimAccount, ClaimView};
use crate::components::forms::{action_error, Field, FormError};
use crate::components::layout::ErrorNotice;
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ClaimPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let info = resource(token, claim_info);
    view! {
        <PageTitle text="Your invitation · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(c) if c.answer_signed_in => view! { <AnswerOffer view=c token=token() /> }.into_any(),
                    Ok(c) => view! { <SetPassword view=c token=token() /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e next="/login" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A new account: choosing a password accepts the invitation.
#[component]
fn SetPassword(view: ClaimView, token: String) -> impl IntoView {
    let claim = ServerAction::<ClaimAccount>::new();
    view! {
        <section class="card narrow">
            <h1>{format!("Welcome, {}", view.display_name)}</h1>
            <p>{format!("The organizers of {} invite you, as {}.", view.event_name, view.role.label().to_lowercase())}</p>
            <p>{format!("Choose a password for {} to accept and see who else is coming.", view.email)}</p>
            <ActionForm action=claim>
                <FormError error=action_error(claim) />
                <input type="hidden" name="token" value=token />
                <Field name="password" label="Password" kind="password" required=true autocomplete="new-password" minlength=10 hint="At least 10 characters." />
                <button type="submit">"Set password and accept"</button>
            </ActionForm>
        </section>
    }
}

/// An existing account: its owner, signed in, accepts or declines.
#[component]
fn AnswerOffer(view: ClaimView, token: String) -> impl IntoView {
    let answer = ServerAction::<AnswerInvitation>::new();
    let login = format!("/login?next=/claim/{token}");
    let slug_again = view.slug.clone();
    view! {
        <section class="card narrow">
            <h1>{format!("You are invited to {}", view.event_name)}</h1>
            <p>"Your role if you accept: " <strong>{view.role.label()}</strong></p>
            {if view.signed_in_as_invited {
                view! {
                    <FormError error=action_error(answer) />
                    <div class="actions">
                        <ActionForm action=answer>
                            <input type="hidden" name="slug" value=view.slug.clone() />
                            <input type="hidden" name="answer" value="accept" />
                            <button type="submit">"Accept"</button>
                        </ActionForm>
                        <ActionForm action=answer>
                            <input type="hidden" name="slug" value=slug_again />
                            <input type="hidden" name="answer" value="decline" />
                            <button type="submit" class="secondary">"Decline"</button>
                        </ActionForm>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <p>"Log in with the address this invitation was sent to, then accept or decline it. Nothing happens until you do."</p>
                    <p><a class="button" href=login>"Log in to answer"</a></p>
                }
                .into_any()
            }}
        </section>
    }
}
