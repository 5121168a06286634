//! The event directory (`/e/:slug/people`) and a member's profile
//! (`/e/:slug/p/:user_id`). The directory's search form is a plain GET form,
//! so it works without JavaScript and every search has its own URL.

use crate::api::profiles::{
    directory, person, Block, DirectoryCard, Highlight, PersonCard, TagView, UpdateMembership,
};
use crate::components::avatar::Avatar;
use crate::components::forms::{action_error, Field, FormError};
use crate::components::layout::{urlencode, ErrorNotice};
use crate::components::meeting_form::ProposeMeeting;
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::domain::{Intent, Role};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn tag_chips(tags: Vec<TagView>) -> impl IntoView {
    (!tags.is_empty()).then(|| {
        view! {
            <ul class="chips">
                {tags
                    .into_iter()
                    .map(|(tag, intent)| {
                        let prefix = match intent {
                            Intent::Offer => "offers: ",
                            Intent::Seek => "seeks: ",
                            Intent::Interest => "",
                        };
                        view! { <li class=format!("chip {}", intent.as_str())>{prefix}{tag}</li> }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

#[component]
pub fn DirectoryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let q = move |key: &str| query.read().get(key).unwrap_or_default();
    let prefs = ServerAction::<UpdateMembership>::new();
    let page = resource(
        move || {
            (
                slug(),
                q("q"),
                q("tags"),
                q("intent"),
                q("role"),
                q("after"),
                q("here"),
                prefs.version().get(),
            )
        },
        |(slug, text, tags, intent, role, after, here, _)| {
            directory(
                slug,
                Some(text),
                Some(tags),
                Some(intent),
                Some(role),
                Some(after),
                Some(here),
            )
        },
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => {
                        let base = format!("/e/{}/people", view.slug);
                        let next_url = view.next.clone().map(|n| {
                            format!(
                                "{base}?q={}&tags={}&intent={}&role={}&here={}&after={}",
                                urlencode(&q("q")), urlencode(&q("tags")), urlencode(&q("intent")), urlencode(&q("role")), urlencode(&q("here")), n
                            )
                        });
                        let intent_now = q("intent");
                        let role_now = q("role");
                        view! {
                            <PageTitle text=format!("People · {} · Rapport", view.event_name) />
                            <p class="eyebrow"><a href=format!("/e/{}", view.slug)>{view.event_name.clone()}</a></p>
                            <h1>"People"</h1>
                            <form method="get" action=base.clone() class="card search" role="search">
                                <Field name="q" label="Search people" kind="search" value=q("q") hint="Name, company, topic…" />
                                <Field name="tags" label="With tags" value=q("tags") hint="Comma-separated; all must match, e.g. rust, mentoring" />
                                <div class="field-row">
                                    <div class="field">
                                        <label for="f-intent">"Tags they"</label>
                                        <select id="f-intent" name="intent">
                                            <option value="" selected=intent_now.is_empty()>"have in any way"</option>
                                            <option value="offer" selected=intent_now == "offer">"offer"</option>
                                            <option value="seek" selected=intent_now == "seek">"seek"</option>
                                            <option value="interest" selected=intent_now == "interest">"are interested in"</option>
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label for="f-role">"Role"</label>
                                        <select id="f-role" name="role">
                                            <option value="" selected=role_now.is_empty()>"Anyone"</option>
                                            <option value="organizer" selected=role_now == "organizer">"Organizers"</option>
                                            <option value="staff" selected=role_now == "staff">"Staff"</option>
                                            <option value="attendee" selected=role_now == "attendee">"Attendees"</option>
                                        </select>
                                    </div>
                                </div>
                                <div class="field checkbox">
                                    <input id="f-here" type="checkbox" name="here" value="on" checked=!q("here").is_empty() />
                                    <label for="f-here">"Only people here now"</label>
                                </div>
                                <button type="submit">"Search"</button>
                            </form>
                            {if view.people.is_empty() {
                                view! { <p class="empty" role="status">"Nobody matches this search."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="people-list">
                                        {view.people.into_iter().map(|p| view! { <PersonRow slug=view.slug.clone() person=p /> }).collect_view()}
                                    </ul>
                                }
                                .into_any()
                            }}
                            {next_url.map(|url| view! { <p><a class="button secondary" href=url>"More people"</a></p> })}
                            <section class="card" aria-labelledby="me-h">
                                <h2 id="me-h">"You in this event"</h2>
                                <ActionForm action=prefs>
                                    <FormError error=action_error(prefs) />
                                    <input type="hidden" name="slug" value=view.slug.clone() />
                                    <Field name="event_line" label="Your line for this event" value=view.my_event_line.clone() maxlength=140 hint="For example: here to find a co-founder" />
                                    <div class="field checkbox">
                                        <input id="f-opted_out" type="checkbox" name="opted_out" value="on" checked=view.my_opted_out />
                                        <label for="f-opted_out">"Hide me from the directory and recommendations"</label>
                                    </div>
                                    <button type="submit">"Save"</button>
                                </ActionForm>
                            </section>
                        }
                        .into_any()
                    }
                    Err(e) => view! {
                        <PageTitle text="People · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}/people", slug()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PersonRow(slug: String, person: DirectoryCard) -> impl IntoView {
    let detail = [person.headline.clone(), person.company.clone()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <li class="person card">
            <Avatar name=person.display_name.clone() photo_url=person.photo_url.clone() />
            <div class="who">
                <a class="name" href=format!("/e/{slug}/p/{}", person.user_id)>{person.display_name.clone()}</a>
                {(!person.pronouns.is_empty()).then(|| view! { <span class="pronouns">{format!(" ({})", person.pronouns)}</span> })}
                {(!detail.is_empty()).then(|| view! { <span class="detail">{detail.clone()}</span> })}
                {(!person.event_line.is_empty()).then(|| view! { <span class="event-line">{person.event_line.clone()}</span> })}
                {tag_chips(person.tags)}
            </div>
            {(person.role != Role::Attendee).then(|| view! { <span class="badge">{person.role.label()}</span> })}
        </li>
    }
}

#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let user_id = move || params.read().get("user_id").unwrap_or_default();
    let card = resource(move || (slug(), user_id()), |(s, u)| person(s, u));
    // Loaded beside the card, not inside it: a resource created within a
    // resolved Suspend does not hydrate reliably.
    let choices = resource(slug, crate::api::meetings::meeting_options);
    let wish = ServerAction::<crate::api::schedule::SetWish>::new();
    let mine = resource(
        move || (slug(), user_id(), wish.version().get()),
        |(s, u, _)| crate::api::schedule::my_wish(s, u),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (card, choices) = (card.await, choices.await.ok());
                let current = mine.await.ok().flatten();
                match card {
                    Ok(p) => view! { <Person slug=slug() card=p choices=choices wish=(wish, current) /> }.into_any(),
                    Err(e) => view! {
                        <PageTitle text="Profile · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}/p/{}", slug(), user_id()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// A highlight as a sentence.
pub(crate) fn highlight_text(h: &Highlight) -> String {
    match h {
        Highlight::TheyOffer(t) => format!("You seek {t} — they offer it"),
        Highlight::YouOffer(t) => format!("They seek {t} — you offer it"),
        Highlight::Shared(t) => format!("You both: {t}"),
    }
}

#[component]
fn Person(
    slug: String,
    card: PersonCard,
    choices: Option<crate::api::meetings::MeetingChoices>,
    /// "Want to meet" for the scheduler, and my wish so far.
    wish: (
        ServerAction<crate::api::schedule::SetWish>,
        Option<crate::domain::WishPriority>,
    ),
) -> impl IntoView {
    let block = ServerAction::<Block>::new();
    let rows: Vec<(&'static str, Option<String>)> = vec![
        ("Headline", card.headline.clone()),
        ("Company", card.company.clone()),
        ("Job title", card.job_title.clone()),
        ("Location", card.location.clone()),
        ("Languages", card.languages.clone()),
        ("Ask me about", card.ask_me_about.clone()),
        ("Email", card.email.clone()),
        ("Phone", card.phone.clone()),
    ];
    view! {
        <PageTitle text=format!("{} · Rapport", card.display_name) />
        <p class="eyebrow"><a href=format!("/e/{slug}/people")>"People"</a></p>
        <section class="card profile">
            <div class="profile-head">
                <Avatar name=card.display_name.clone() photo_url=card.photo_url.clone() />
                <div>
                    <h1>{card.display_name.clone()}</h1>
                    {(!card.pronouns.is_empty()).then(|| view! { <p class="meta">{card.pronouns.clone()}</p> })}
                    <p><span class="badge">{card.role.label()}</span>
                        {card.connected.then(|| view! { " " <span class="badge ok">"Connected"</span> })}</p>
                </div>
            </div>
            {(!card.event_line.is_empty()).then(|| view! { <p class="event-line">{card.event_line.clone()}</p> })}
            {(!card.highlights.is_empty()).then(|| view! {
                <section aria-labelledby="why-h" class="why">
                    <h2 id="why-h">"Why talk"</h2>
                    <ul>{card.highlights.iter().map(|h| view! { <li>{highlight_text(h)}</li> }).collect_view()}</ul>
                </section>
            })}
            <dl class="fields">
                {rows
                    .into_iter()
                    .filter_map(|(label, value)| value.filter(|v| !v.is_empty()).map(|v| (label, v)))
                    .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
                    .collect_view()}
            </dl>
            {card.bio.clone().filter(|b| !b.is_empty()).map(|b| view! { <h2>"About"</h2><p class="description">{b}</p> })}
            {card.tags.clone().filter(|t| !t.is_empty()).map(|t| view! { <h2>"Tags"</h2> {tag_chips(t)} })}
            {card.links.clone().filter(|l| !l.is_empty()).map(|links| view! {
                <h2>"Links"</h2>
                <ul class="plain-list">
                    {links.into_iter().map(|l| view! { <li><a href=l.clone() rel="nofollow noopener noreferrer">{l.clone()}</a></li> }).collect_view()}
                </ul>
            })}
        </section>
        {(!card.is_me).then(|| view! {
            <ProposeMeeting slug=slug.clone() user_id=card.user_id.clone() name=card.display_name.clone() choices=choices.clone() />
        })}
        {(!card.is_me).then(|| view! {
            <section class="card" aria-labelledby="wish-h" id="wish">
                <h2 id="wish-h">"Meeting scheduler"</h2>
                <p>"Ask for a meeting in the organizers' schedule of 1:1 meetings. "
                    <a href=format!("/e/{slug}/wishes")>"My wishes"</a></p>
                <FormError error=action_error(wish.0) />
                <crate::pages::schedule::WishForm slug=slug.clone() user_id=card.user_id.clone()
                    name=card.display_name.clone() current=wish.1 action=wish.0 />
            </section>
        })}
        {(!card.is_me).then(|| view! {
            <section class="card" aria-labelledby="block-h">
                <h2 id="block-h">"Block"</h2>
                <p>"Blocking hides you from each other in every event. They are not told."</p>
                <ActionForm action=block>
                    <FormError error=action_error(block) />
                    <input type="hidden" name="user_id" value=card.user_id.clone() />
                    <input type="hidden" name="slug" value=slug.clone() />
                    <button type="submit" class="danger">"Block " {card.display_name.clone()}</button>
                </ActionForm>
            </section>
        })}
    }
}
