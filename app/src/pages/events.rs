//! "My events" (with the invitations waiting for my answer), joining by
//! code, and creating an event.

use crate::api::events::{
    my_events, my_invitations, AnswerInvitation, CreateEvent, EventSummary, JoinByCode,
    PendingInvitation,
};
use crate::components::forms::{action_error, Field, FormError, TextArea};
use crate::components::layout::{date_range, ErrorNotice};
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn MyEventsPage() -> impl IntoView {
    let join = ServerAction::<JoinByCode>::new();
    let answer = ServerAction::<AnswerInvitation>::new();
    let events = resource(
        move || (join.version().get(), answer.version().get()),
        |_| my_events(),
    );
    let invitations = resource(move || answer.version().get(), |_| my_invitations());
    view! {
        <PageTitle text="My events · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(list) => {
                    // My role where I am a member already: an invitation
                    // there offers another one (a promotion).
                    let roles: Vec<(String, crate::domain::Role)> = list
                        .iter()
                        .filter_map(|e| e.role.map(|r| (e.slug.clone(), r)))
                        .collect();
                    view! {
                        <section>
                            <div class="page-head">
                                <h1>"My events"</h1>
                                <a class="button" href="/events/new">"Create an event"</a>
                            </div>
                            <EventList events=list />
                        </section>
                        <Suspense fallback=|| ()>
                            {move || {
                                let roles = roles.clone();
                                Suspend::new(async move {
                                invitations.await.ok().filter(|l| !l.is_empty()).map(|list| view! {
                                    <Invitations list=list answer=answer roles />
                                })
                            })}}
                        </Suspense>
                        <section class="card">
                            <h2>"Join an event"</h2>
                            <ActionForm action=join>
                                <FormError error=action_error(join) />
                                <Field name="code" label="Join code" required=true hint="The eight-character code from the organizer, like K7PM-Q2XR" autocomplete="off" />
                                <button type="submit">"Join"</button>
                            </ActionForm>
                        </section>
                    }
                    .into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e next="/events" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Invitations from organizers' imports: nothing happens until I answer.
/// Accept and Decline are plain form posts (they work without JavaScript).
#[component]
fn Invitations(
    list: Vec<PendingInvitation>,
    answer: ServerAction<AnswerInvitation>,
    /// My role in each event I am a member of, by slug.
    roles: Vec<(String, crate::domain::Role)>,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="invitations-h">
            <h2 id="invitations-h">"Invitations"</h2>
            <p>"The organizers of these events invited you. You join, or take the new role, only if you accept."</p>
            <FormError error=action_error(answer) />
            <ul class="event-list">
                {list
                    .into_iter()
                    .map(|i| {
                        let (slug, again) = (i.event.slug.clone(), i.event.slug.clone());
                        let accept = format!("Accept the invitation to {}", i.event.name);
                        let decline = format!("Decline the invitation to {}", i.event.name);
                        let now = roles.iter().find(|(s, _)| *s == i.event.slug).map(|(_, r)| *r);
                        view! {
                            <li class="card invitation">
                                <h3>{i.event.name.clone()}</h3>
                                <p class="meta">
                                    {date_range(i.event.starts_on, i.event.ends_on)}
                                    {(!i.event.venue.is_empty()).then(|| format!(" · {}", i.event.venue))}
                                </p>
                                <p>"Your role if you accept: " <strong>{i.role.label()}</strong></p>
                                {now.map(|r| view! {
                                    <p class="meta">{format!("You are a member already ({}); declining keeps that role.", r.label())}</p>
                                })}
                                <div class="actions">
                                    <ActionForm action=answer>
                                        <input type="hidden" name="slug" value=slug />
                                        <input type="hidden" name="answer" value="accept" />
                                        <button type="submit" aria-label=accept>"Accept"</button>
                                    </ActionForm>
                                    <ActionForm action=answer>
                                        <input type="hidden" name="slug" value=again />
                                        <input type="hidden" name="answer" value="decline" />
                                        <button type="submit" class="secondary" aria-label=decline>"Decline"</button>
                                    </ActionForm>
                                </div>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn EventList(events: Vec<EventSummary>) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="empty">"You are not in any event yet. Create one, or join with a code or an invite link."</p> }.into_any();
    }
    view! {
        <ul class="event-list">
            {events
                .into_iter()
                .map(|e| {
                    view! {
                        <li class="card">
                            <h2><a href=format!("/e/{}", e.slug)>{e.name}</a></h2>
                            <p class="meta">
                                {date_range(e.starts_on, e.ends_on)}
                                {(!e.venue.is_empty()).then(|| format!(" · {}", e.venue))}
                            </p>
                            {e.role.map(|r| view! { <span class="badge">{r.label()}</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn NewEventPage() -> impl IntoView {
    let create = ServerAction::<CreateEvent>::new();
    view! {
        <PageTitle text="Create an event · Rapport" />
        <section class="card narrow">
            <h1>"Create an event"</h1>
            <p>"You will be its organizer. You can invite people as soon as it exists."</p>
            <ActionForm action=create>
                <FormError error=action_error(create) />
                <Field name="name" label="Event name" required=true maxlength=120 />
                <Field name="starts_on" label="First day" kind="date" required=true />
                <Field name="ends_on" label="Last day" kind="date" required=true />
                <Field name="time_zone" label="Time zone" value="UTC" required=true hint="Where the event takes place, like Europe/Berlin or America/New_York" />
                <Field name="venue" label="Venue" maxlength=200 />
                <TextArea name="description" label="Description" maxlength=4000 />
                <button type="submit">"Create event"</button>
            </ActionForm>
        </section>
    }
}
