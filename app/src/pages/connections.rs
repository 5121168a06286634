//! "My connections" (`/connections`): everyone I connected with across all
//! events, searchable (a plain GET form, so it works without JavaScript),
//! each with where and how we met, their contact details as they allow,
//! and my private note, rating and labels; requests waiting for my
//! approval; and the vCard and CSV downloads. Each connection links to our
//! direct messages, with how many of theirs I have not read.

use crate::api::connections::{my_connections, AnswerRequest, ConnectionCard, RequestView};
use crate::api::messages::my_conversations;
use crate::components::avatar::Avatar;
use crate::components::forms::{action_error, FormError};
use crate::components::layout::ErrorNotice;
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::pages::badges::NoteForm;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let answer = ServerAction::<AnswerRequest>::new();
    let data = resource(
        move || (q(), answer.version().get()),
        |(q, _)| my_connections(Some(q)),
    );
    let inbox = resource(|| (), |_| my_conversations());
    view! {
        <PageTitle text="My connections · Rapport" />
        <h1>"My connections"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                // Unread direct messages by person (none if the inbox fails:
                // the connections still show).
                let unread: std::collections::HashMap<String, u64> = inbox
                    .await
                    .map(|i| i.items.into_iter().map(|c| (c.with, c.unread)).collect())
                    .unwrap_or_default();
                match data.await {
                    Ok(v) => view! {
                        <Requests requests=v.requests answer=answer />
                        <form method="get" class="search" role="search" aria-label="Search my connections">
                            <div class="field">
                                <label for="f-q">"Search"</label>
                                <input id="f-q" name="q" type="search" value=q() placeholder="Name, company, note, label…" />
                            </div>
                            <button type="submit" class="secondary">"Search"</button>
                        </form>
                        <p class="actions">
                            <a class="button secondary" href="/connections.vcf" download>"Download all (vCard)"</a>
                            <a class="button secondary" href="/connections.csv" download>"Download all (CSV)"</a>
                            <a class="button secondary" href="/keep-in-touch">"Keep in touch"</a>
                        </p>
                        {if v.total == 0 {
                            view! { <p>"No connections yet. Scan someone's badge to connect."</p> }.into_any()
                        } else if v.connections.is_empty() {
                            view! { <p>"No connection matches your search."</p> }.into_any()
                        } else {
                            view! {
                                <p class="meta">{format!("{} of {}", v.connections.len(), v.total)}</p>
                                <ul class="connections plain-list">
                                    {v.connections.into_iter().map(|c| {
                                        let n = unread.get(&c.user_id).copied().unwrap_or(0);
                                        view! { <li><Connection c=c unread=n /></li> }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorNotice error=e next="/connections" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Requests(requests: Vec<RequestView>, answer: ServerAction<AnswerRequest>) -> impl IntoView {
    (!requests.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="requests-h">
                <h2 id="requests-h">"Waiting for you"</h2>
                <FormError error=action_error(answer) />
                <ul class="plain-list">
                    {requests.into_iter().map(|r| view! {
                        <li class="request">
                            <p><strong>{r.from_name.clone()}</strong>
                                {(!r.from_headline.is_empty()).then(|| view! { " · " {r.from_headline.clone()} })}
                                <br /><span class="meta">{format!("Scanned your badge at {} on {}", r.event_name, r.asked_on)}</span></p>
                            <ActionForm action=answer attr:class="inline-form">
                                <input type="hidden" name="event_id" value=r.event_id.clone() />
                                <input type="hidden" name="from_id" value=r.from_id.clone() />
                                <button type="submit" name="answer" value="accept">"Accept " {r.from_name.clone()}</button>
                                " "
                                <button type="submit" name="answer" value="decline" class="secondary">"Decline"</button>
                            </ActionForm>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn Connection(c: ConnectionCard, unread: u64) -> impl IntoView {
    let met = match &c.event {
        Some((name, _)) => format!("Met at {name} on {} ({})", c.connected_on, c.method.label()),
        None => format!("Connected on {} ({})", c.connected_on, c.method.label()),
    };
    let profile = c
        .event
        .as_ref()
        .map(|(_, slug)| format!("/e/{slug}/p/{}", c.user_id));
    let contact: Vec<(&'static str, String)> =
        [("Email", c.email.clone()), ("Phone", c.phone.clone())]
            .into_iter()
            .filter_map(|(l, v)| v.map(|v| (l, v)))
            .collect();
    let summary = if c.note.note.is_empty() {
        "Add a note"
    } else {
        "My note"
    };
    view! {
        <article class="card connection" aria-label=c.display_name.clone()>
            <div class="profile-head">
                <Avatar name=c.display_name.clone() photo_url=c.photo_url.clone() />
                <div>
                    <h2>{match profile {
                        Some(href) => view! { <a href=href>{c.display_name.clone()}</a> }.into_any(),
                        None => view! { {c.display_name.clone()} }.into_any(),
                    }}</h2>
                    {c.headline.clone().map(|h| view! { <p>{h}</p> })}
                    {c.company.clone().map(|co| view! { <p class="meta">{co}</p> })}
                    <p class="meta">{met}</p>
                    {c.note.rating.map(|r| view! { <p aria-label=format!("Rated {r} of 5")>{"★".repeat(r as usize)}</p> })}
                    {(!c.note.labels.is_empty()).then(|| view! {
                        <ul class="chips">{c.note.labels.split(',').map(|l| view! { <li class="chip">{l.trim().to_owned()}</li> }).collect_view()}</ul>
                    })}
                </div>
            </div>
            {(!contact.is_empty()).then(|| view! {
                <dl class="fields">{contact.into_iter().map(|(l, v)| view! { <dt>{l}</dt><dd>{v}</dd> }).collect_view()}</dl>
            })}
            {(!c.links.is_empty()).then(|| view! {
                <ul class="plain-list">{c.links.iter().map(|l| view! { <li><a href=l.clone() rel="nofollow noopener noreferrer">{l.clone()}</a></li> }).collect_view()}</ul>
            })}
            <p><a href=format!("/messages/{}", c.user_id)>"Message"</a>
                {(unread > 0).then(|| view! {
                    " " <span class="badge unread" data-testid="connection-unread">{unread}</span>
                    <span class="visually-hidden">" unread"</span>
                })}
                " · "<a href=format!("/connections/{}", c.user_id)>"Our timeline"</a>
                " · "<a href=format!("/connections/{}/vcard", c.user_id)>"Save contact (vCard)"</a></p>
            <details open=!c.note.note.is_empty()>
                <summary>{summary}</summary>
                <NoteForm user_id=c.user_id.clone() note=c.note.clone() />
            </details>
        </article>
    }
}
