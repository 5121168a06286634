//! The account page: my global profile (details, photo, tags and who sees
//! what), the people I blocked, the follow-up digest, notifications on
//! this device (`pages/push.rs`), and my data (download, delete).

use crate::api::profiles::{
    my_profile, DeleteAccount, OwnProfile, Unblock, UpdateProfile, UpdateTags, UpdateVisibility,
};
use crate::components::forms::{action_error, Field, FormError, TextArea};
use crate::components::layout::ErrorNotice;
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::domain::{Intent, Visibility};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccountPage() -> impl IntoView {
    let update = ServerAction::<UpdateProfile>::new();
    let tags = ServerAction::<UpdateTags>::new();
    let visibility = ServerAction::<UpdateVisibility>::new();
    let unblock = ServerAction::<Unblock>::new();
    let profile = resource(
        move || {
            (
                update.version().get(),
                tags.version().get(),
                visibility.version().get(),
                unblock.version().get(),
            )
        },
        |_| my_profile(),
    );
    view! {
        <PageTitle text="Your profile · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => view! { <Account profile=p update tags visibility unblock /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e next="/account" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Saved." after an action succeeded.
fn saved<I>(action: ServerAction<I>) -> impl Fn() -> bool + Send + Sync + Copy + 'static
where
    I: server_fn::ServerFn<Output = (), Error = crate::error::AppError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    move || matches!(action.value().get(), Some(Ok(())))
}

#[component]
fn Account(
    profile: OwnProfile,
    update: ServerAction<UpdateProfile>,
    tags: ServerAction<UpdateTags>,
    visibility: ServerAction<UpdateVisibility>,
    unblock: ServerAction<Unblock>,
) -> impl IntoView {
    let f = profile.form;
    let list = |intent: Intent| {
        profile
            .tags
            .iter()
            .filter(|(_, i)| *i == intent)
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (interests, offers, seeks) = (
        list(Intent::Interest),
        list(Intent::Offer),
        list(Intent::Seek),
    );
    let suggested: Vec<String> = profile
        .suggestions
        .iter()
        .flat_map(|(_, tags)| tags.clone())
        .collect();
    let query = use_query_map();
    let photo_error = move || query.read().get("photo_error");
    view! {
        <section class="card narrow">
            <h1>"Your profile"</h1>
            <p>"Signed in as " <strong>{profile.email.clone()}</strong> ". Your profile is the same at every event."</p>
            <ActionForm action=update>
                <FormError error=action_error(update) />
                <Show when=saved(update)>
                    <p class="form-ok" role="status">"Profile saved."</p>
                </Show>
                <Field name="profile[display_name]" label="Name" value=f.display_name required=true maxlength=80 autocomplete="name" />
                <Field name="profile[pronouns]" label="Pronouns" value=f.pronouns maxlength=40 hint="For example: she/her" />
                <Field name="profile[headline]" label="Headline" value=f.headline maxlength=120 hint="One line about what you do" />
                <Field name="profile[company]" label="Company" value=f.company maxlength=100 autocomplete="organization" />
                <Field name="profile[job_title]" label="Job title" value=f.job_title maxlength=100 autocomplete="organization-title" />
                <Field name="profile[location]" label="Location" value=f.location maxlength=100 hint="City or region" />
                <Field name="profile[languages]" label="Languages" value=f.languages maxlength=100 hint="For example: English, Deutsch" />
                <Field name="profile[ask_me_about]" label="Ask me about" value=f.ask_me_about maxlength=200 />
                <TextArea name="profile[bio]" label="Short bio" value=f.bio maxlength=1000 />
                <Field name="profile[phone]" label="Phone" kind="tel" value=f.phone autocomplete="tel" />
                <TextArea name="profile[links]" label="Links" value=f.links hint="One web address per line, starting with https://" />
                <button type="submit">"Save profile"</button>
            </ActionForm>
        </section>

        <section class="card narrow" aria-labelledby="photo-h">
            <h2 id="photo-h">"Photo"</h2>
            {profile.photo_url.clone().map(|url| view! { <img class="photo-large" src=url alt="Your current photo" /> })}
            {move || photo_error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <form method="post" action="/account/photo" enctype="multipart/form-data">
                <div class="field">
                    <label for="f-photo">"Upload a photo"</label>
                    <input id="f-photo" name="photo" type="file" accept="image/png,image/jpeg,image/webp,image/gif" required aria-describedby="f-photo-hint" />
                    <p class="hint" id="f-photo-hint">"PNG, JPEG, WebP or GIF, at most 2 MB. Without a photo, people see your initials."</p>
                </div>
                <button type="submit">"Upload photo"</button>
            </form>
        </section>

        <section class="card narrow" aria-labelledby="tags-h">
            <h2 id="tags-h">"What you offer and seek"</h2>
            <p>"Separate tags with commas. Rapport uses them to tell people whom to meet."</p>
            <ActionForm action=tags>
                <FormError error=action_error(tags) />
                <Show when=saved(tags)>
                    <p class="form-ok" role="status">"Tags saved."</p>
                </Show>
                <Field name="tags_offer" label="I can offer" value=offers hint="Mentoring, hiring, a skill, investment…" list="tag-suggestions" />
                <Field name="tags_seek" label="I am looking for" value=seeks hint="A job, a co-founder, advice, customers…" list="tag-suggestions" />
                <Field name="tags_interest" label="Interests" value=interests hint="Topics you care about" list="tag-suggestions" />
                <datalist id="tag-suggestions">
                    {suggested.into_iter().map(|t| view! { <option value=t></option> }).collect_view()}
                </datalist>
                <button type="submit">"Save tags"</button>
            </ActionForm>
            {(!profile.suggestions.is_empty()).then(|| view! {
                <h3>"Suggested by your events' organizers"</h3>
                <dl class="fields">
                    {profile.suggestions.into_iter().map(|(category, tags)| view! { <dt>{category}</dt><dd>{tags.join(", ")}</dd> }).collect_view()}
                </dl>
            })}
            {(!profile.taxonomy_only_events.is_empty()).then(|| view! {
                <p class="hint">"Only suggested tags are shown in: " {profile.taxonomy_only_events.join(", ")} "."</p>
            })}
        </section>

        <section class="card narrow" aria-labelledby="vis-h">
            <h2 id="vis-h">"Who sees what"</h2>
            <p>"Your name, pronouns and photo are shown to everyone in your events."</p>
            <ActionForm action=visibility>
                <FormError error=action_error(visibility) />
                <Show when=saved(visibility)>
                    <p class="form-ok" role="status">"Visibility saved."</p>
                </Show>
                {profile
                    .visibility
                    .into_iter()
                    .map(|(field, current)| {
                        let id = format!("vis-{}", field.as_str());
                        let name = format!("vis[{}]", field.as_str());
                        view! {
                            <div class="field">
                                <label for=id.clone()>{field.label()}</label>
                                <select id=id name=name>
                                    {Visibility::ALL
                                        .iter()
                                        .map(|v| view! { <option value=v.as_str() selected=*v == current>{v.label()}</option> })
                                        .collect_view()}
                                </select>
                            </div>
                        }
                    })
                    .collect_view()}
                <button type="submit">"Save visibility"</button>
            </ActionForm>
        </section>

        <section class="card narrow" aria-labelledby="blocked-h">
            <h2 id="blocked-h">"Blocked people"</h2>
            {if profile.blocked.is_empty() {
                view! { <p class="empty">"You have not blocked anyone."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {profile
                            .blocked
                            .into_iter()
                            .map(|(id, name)| view! {
                                <li>
                                    {name.clone()} " "
                                    <ActionForm action=unblock attr:class="inline-form">
                                        <input type="hidden" name="user_id" value=id />
                                        <button type="submit" class="link-button">"Unblock " {name.clone()}</button>
                                    </ActionForm>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>

        <crate::pages::follow_up::DigestSetting />
        <crate::pages::push::DeviceNotifications />
        <MyData />
    }
}

#[component]
fn MyData() -> impl IntoView {
    let delete = ServerAction::<DeleteAccount>::new();
    // After deletion the header must stop showing the deleted person.
    crate::components::session::use_session().refresh_after(delete);
    view! {
        <section class="card narrow" aria-labelledby="data-h">
            <h2 id="data-h">"Your data"</h2>
            <p>
                <a class="button secondary" href="/api/export_my_data" download="rapport-my-data.json">
                    "Download all my data (JSON)"
                </a>
            </p>
            <h3>"Delete my account"</h3>
            <p>
                "This removes your profile, tags, memberships, photo and sessions at once. "
                "Notes others wrote about you stay theirs."
            </p>
            <ActionForm action=delete>
                <FormError error=action_error(delete) />
                <Field name="password" label="Your password, to confirm" kind="password" required=true autocomplete="current-password" />
                <button type="submit" class="danger">"Delete my account"</button>
            </ActionForm>
        </section>
    }
}
