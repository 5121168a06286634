//! The account page: edit the global profile other attendees see.

use crate::api::auth::{get_profile, ProfileView, UpdateProfile};
use crate::components::forms::{action_error, Field, FormError, TextArea};
use crate::components::layout::ErrorNotice;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let update = ServerAction::<UpdateProfile>::new();
    let profile = Resource::new(move || update.version().get(), |_| get_profile());
    let saved = move || matches!(update.value().get(), Some(Ok(_)));
    view! {
        <Title text="Your profile · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => view! { <ProfileForm profile=p update saved /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e next="/account" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProfileForm(
    profile: ProfileView,
    update: ServerAction<UpdateProfile>,
    saved: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>"Your profile"</h1>
            <p>"Signed in as " <strong>{profile.email.clone()}</strong> ". Your profile is the same at every event."</p>
            <ActionForm action=update>
                <FormError error=action_error(update) />
                <Show when=saved>
                    <p class="form-ok" role="status">"Profile saved."</p>
                </Show>
                <Field name="display_name" label="Name" value=profile.display_name required=true maxlength=80 autocomplete="name" />
                <Field name="pronouns" label="Pronouns" value=profile.pronouns maxlength=40 hint="For example: she/her" />
                <Field name="headline" label="Headline" value=profile.headline maxlength=120 hint="One line about what you do" />
                <Field name="company" label="Company" value=profile.company maxlength=100 autocomplete="organization" />
                <Field name="job_title" label="Job title" value=profile.job_title maxlength=100 autocomplete="organization-title" />
                <TextArea name="bio" label="Short bio" value=profile.bio maxlength=1000 />
                <TextArea name="links" label="Links" value=profile.links.join("\n") hint="One web address per line, starting with https://" />
                <button type="submit">"Save profile"</button>
            </ActionForm>
        </section>
    }
}
