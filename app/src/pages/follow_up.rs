//! Following up: a connection's page (`/connections/<id>`) with our
//! timeline across events (where and when we met, meetings, my note;
//! messages will join it), my note and my reminders about them; and
//! "keep in touch" (`/keep-in-touch`), the connections I have not been in
//! touch with for a while, oldest first; and the digest opt-in on the
//! account page. Every form posts to a server function, so all of it
//! works without JavaScript.

use crate::api::follow_up::{
    connection_timeline, digest_setting, keep_in_touch, AddReminder, FinishReminder,
    KeepInTouchView, SetDigest, TimelineView,
};
use crate::components::avatar::Avatar;
use crate::components::forms::{action_error, FormError};
use crate::components::layout::ErrorNotice;
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::domain::{ReminderView, TimelineItem};
use crate::pages::badges::NoteForm;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn TimelinePage() -> impl IntoView {
    let params = use_params_map();
    let user_id = move || params.read().get("user_id").unwrap_or_default();
    let add = ServerAction::<AddReminder>::new();
    let finish = ServerAction::<FinishReminder>::new();
    let data = resource(
        move || (user_id(), add.version().get(), finish.version().get()),
        |(id, _, _)| connection_timeline(id),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(t) => view! { <Timeline t=t add=add finish=finish /> }.into_any(),
                    Err(e) => view! {
                        <PageTitle text="Connection · Rapport" />
                        <ErrorNotice error=e next=format!("/connections/{}", user_id()) />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Timeline(
    t: TimelineView,
    add: ServerAction<AddReminder>,
    finish: ServerAction<FinishReminder>,
) -> impl IntoView {
    let c = t.card;
    let (id_reminder, id_note, id_vcard) =
        (c.user_id.clone(), c.user_id.clone(), c.user_id.clone());
    let contact: Vec<(&'static str, String)> =
        [("Email", c.email.clone()), ("Phone", c.phone.clone())]
            .into_iter()
            .filter_map(|(l, v)| v.map(|v| (l, v)))
            .collect();
    view! {
        <PageTitle text=format!("{} · Rapport", c.display_name) />
        <p class="eyebrow"><a href="/connections">"My connections"</a></p>
        <div class="profile-head">
            <Avatar name=c.display_name.clone() photo_url=c.photo_url.clone() />
            <div>
                <h1>{c.display_name.clone()}</h1>
                {c.headline.clone().map(|h| view! { <p>{h}</p> })}
                {c.company.clone().map(|co| view! { <p class="meta">{co}</p> })}
            </div>
        </div>
        <p class="actions"><a class="button" href=format!("/messages/{}", c.user_id)>"Message"</a></p>
        {(!contact.is_empty()).then(|| view! {
            <dl class="fields">{contact.into_iter().map(|(l, v)| view! { <dt>{l}</dt><dd>{v}</dd> }).collect_view()}</dl>
        })}
        <section class="card" aria-labelledby="timeline-h">
            <h2 id="timeline-h">"Our timeline"</h2>
            <ol class="timeline" data-testid="timeline">
                {t.items.into_iter().map(|i| view! { <TimelineLine i=i /> }).collect_view()}
            </ol>
        </section>
        <section class="card" aria-labelledby="reminders-h">
            <h2 id="reminders-h">"Reminders"</h2>
            <FormError error=action_error(finish) />
            {if t.reminders.is_empty() {
                view! { <p class="meta">"No open reminders."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list" data-testid="reminders">
                        {t.reminders.into_iter().map(|r| view! { <ReminderLine r=r finish=finish /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ActionForm action=add attr:class="reminder-form" attr:aria-label="Add a reminder">
                <FormError error=action_error(add) />
                <input type="hidden" name="user_id" value=id_reminder />
                <div class="field">
                    <label for="f-reminder">"Remind me to"</label>
                    <input id="f-reminder" name="text" required maxlength="200" placeholder="Send the slides" />
                </div>
                <div class="field">
                    <label for="f-due">"On"</label>
                    <input id="f-due" name="due_on" type="date" required min=t.today.clone() value=t.today.clone() />
                </div>
                <button type="submit" class="secondary">"Add reminder"</button>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="note-h">
            <h2 id="note-h">"My note"</h2>
            <NoteForm user_id=id_note note=c.note.clone() />
        </section>
        <p><a href=format!("/connections/{id_vcard}/vcard")>"Save contact (vCard)"</a></p>
    }
}

#[component]
fn TimelineLine(i: TimelineItem) -> impl IntoView {
    view! {
        <li class=format!("timeline-{}", i.kind.label().to_lowercase())>
            <strong>{i.kind.label()}</strong>": "{i.text.clone()}
            <time class="when" datetime=i.at.clone()>{i.on.clone()}</time>
        </li>
    }
}

#[component]
fn ReminderLine(r: ReminderView, finish: ServerAction<FinishReminder>) -> impl IntoView {
    let label = format!("Done: {}", r.text);
    view! {
        <li class="request">
            <p>{r.text.clone()}<br />
                <span class="meta">{if r.due { format!("Due since {}", r.due_on) } else { format!("Due on {}", r.due_on) }}</span></p>
            <ActionForm action=finish attr:class="inline-form">
                <input type="hidden" name="id" value=r.id.clone() />
                <button type="submit" class="secondary" aria-label=label>"Done"</button>
            </ActionForm>
        </li>
    }
}

#[component]
pub fn KeepInTouchPage() -> impl IntoView {
    let query = use_query_map();
    let days = move || query.read().get("days");
    let data = resource(days, keep_in_touch);
    view! {
        <PageTitle text="Keep in touch · Rapport" />
        <p class="eyebrow"><a href="/connections">"My connections"</a></p>
        <h1>"Keep in touch"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Quiet v=v /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e next="/keep-in-touch" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Quiet(v: KeepInTouchView) -> impl IntoView {
    view! {
        <form method="get" class="search" aria-label="How long">
            <div class="field">
                <label for="f-days">"Not in touch for at least (days)"</label>
                <input id="f-days" name="days" type="number" min="0" max="3650" value=v.days.to_string() />
            </div>
            <button type="submit" class="secondary">"Show"</button>
        </form>
        {if v.people.is_empty() {
            view! { <p>{format!("You have been in touch with all {} of your connections in the last {} days.", v.total, v.days)}</p> }.into_any()
        } else {
            view! {
                <p class="meta">{format!("{} of your {} connections, longest quiet first.", v.people.len(), v.total)}</p>
                <ul class="plain-list people-list" data-testid="keep-in-touch">
                    {v.people.into_iter().map(|p| view! {
                        <li class="person card">
                            <Avatar name=p.display_name.clone() photo_url=p.photo_url.clone() />
                            <div>
                                <a class="name" href=format!("/connections/{}", p.user_id)>{p.display_name.clone()}</a>
                                <p class="meta">{format!("{} · {} ({} days ago)", p.last_text, p.last_on, p.days_ago)}</p>
                            </div>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

/// The follow-up digest opt-in (on the account page).
#[component]
pub fn DigestSetting() -> impl IntoView {
    let set = ServerAction::<SetDigest>::new();
    let on = resource(move || set.version().get(), |_| digest_setting());
    view! {
        <section class="card narrow" aria-labelledby="digest-h">
            <h2 id="digest-h">"Follow-up digest"</h2>
            <p>"After each day, one mail with the people you met that day (their contact details as they allow), your notes and the reminders due."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let checked = on.await.unwrap_or(false);
                    view! {
                        <ActionForm action=set attr:aria-label="Follow-up digest">
                            <FormError error=action_error(set) />
                            {move || matches!(set.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"Saved."</p> })}
                            <div class="field checkbox">
                                <input type="checkbox" id="f-digest" name="digest" value="on" checked=checked />
                                <label for="f-digest">"Send me the digest after each event day"</label>
                            </div>
                            <button type="submit" class="secondary">"Save"</button>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}
