//! "My events", joining by code, and creating an event.

use crate::api::events::{my_events, CreateEvent, EventSummary, JoinByCode};
use crate::components::forms::{action_error, Field, FormError, TextArea};
use crate::components::layout::{date_range, ErrorNotice};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyEventsPage() -> impl IntoView {
    let join = ServerAction::<JoinByCode>::new();
    let events = Resource::new(move || join.version().get(), |_| my_events());
    view! {
        <Title text="My events · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(list) => view! {
                        <section>
                            <div class="page-head">
                                <h1>"My events"</h1>
                                <a class="button" href="/events/new">"Create an event"</a>
                            </div>
                            <EventList events=list />
                        </section>
                        <section class="card">
                            <h2>"Join an event"</h2>
                            <ActionForm action=join>
                                <FormError error=action_error(join) />
                                <Field name="code" label="Join code" required=true hint="The eight-character code from the organizer, like K7PM-Q2XR" autocomplete="off" />
                                <button type="submit">"Join"</button>
                            </ActionForm>
                        </section>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorNotice error=e next="/events" /> }.into_any(),
                }
            })}
        </Suspense>
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
        <Title text="Create an event · Rapport" />
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
