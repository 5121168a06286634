//! Matching and meetings pages: "People to meet" (`/e/:slug/meet`, ranked
//! recommendations with why, *interested* / *not now*, a "here now"
//! filter), "My agenda" (`/e/:slug/agenda`: meetings, requests to answer,
//! the private calendar feed), and the organizer's meeting-spots editor.
//! The meeting form shown on a person's profile is in
//! `components/meeting_form.rs`.
//!
//! Every form is a plain HTML form underneath, so all of it works without
//! JavaScript.

use crate::api::matching::{people_to_meet, AnswerRecommendation, RecommendationCard};
use crate::api::meetings::{
    agenda, AnswerMeeting, CounterMeeting, MeetingChoices, MeetingView, UpdateSpots,
};
use crate::api::schedule::SetWish;
use crate::components::avatar::Avatar;
use crate::components::forms::{action_error, FormError};
use crate::components::layout::ErrorNotice;
use crate::components::meeting_form::WhenWhere;
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::pages::schedule::WishForm;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn PeopleToMeetPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let here_now = move || query.read().get("here_now");
    let in_room = move || query.read().get("in_room");
    let answer = ServerAction::<AnswerRecommendation>::new();
    let wish = ServerAction::<SetWish>::new();
    let list = resource(
        move || (slug(), here_now(), in_room(), answer.version().get()),
        |(s, h, r, _)| people_to_meet(s, h, r),
    );
    let mutual = move || {
        answer
            .value()
            .get()
            .and_then(|r| r.ok())
            .filter(|r| r.mutual)
            .map(|_| view! { <p class="form-ok" role="status">"You are both interested: you are connected now."</p> })
    };
    view! {
        <PageTitle text="People to meet · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(l) => {
                        let slug = l.slug.clone();
                        view! {
                            <p class="eyebrow"><a href=format!("/e/{slug}")>{l.event_name.clone()}</a></p>
                            <h1>"People to meet"</h1>
                            <p>"Ranked by what you offer and seek, and what you share. "
                                <a href=format!("/e/{slug}/agenda")>"My agenda"</a></p>
                            <form method="get" class="filters" aria-label="Filter recommendations">
                                <div class="field checkbox">
                                    <input type="checkbox" id="f-here" name="here_now" value="on" checked=l.here_now />
                                    <label for="f-here">"Only people here now"</label>
                                </div>
                                <div class="field checkbox">
                                    <input type="checkbox" id="f-room" name="in_room" value="on" checked=l.in_room />
                                    <label for="f-room">"Only people in a room with me now"</label>
                                </div>
                                <button type="submit" class="secondary">"Show"</button>
                            </form>
                            {mutual}
                            <FormError error=action_error(answer) />
                            <FormError error=action_error(wish) />
                            {let wishes = format!("/e/{slug}/wishes");
                            move || matches!(wish.value().get(), Some(Ok(()))).then(|| view! {
                                <p class="form-ok" role="status">"Wish saved. " <a href=wishes.clone()>"My meeting wishes"</a></p>
                            })}
                            {if l.opted_out {
                                view! { <p class="notice">"You opted out of networking at this event, so you get no recommendations. Change it on the event's people page."</p> }.into_any()
                            } else if !l.has_tags && l.cards.is_empty() {
                                view! { <p class="notice">"Add what you offer and seek to " <a href="/account">"your profile"</a> " to get recommendations."</p> }.into_any()
                            } else if l.cards.is_empty() {
                                view! { <p>"No recommendations right now. Check back as more people join."</p> }.into_any()
                            } else {
                                view! {
                                    <ol class="plain-list recommendations">
                                        {l.cards.into_iter().map(|c| view! { <li><Recommendation c=c slug=slug.clone() answer=answer wish=wish /></li> }).collect_view()}
                                    </ol>
                                }.into_any()
                            }}
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e next=format!("/e/{}/meet", slug()) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Recommendation(
    c: RecommendationCard,
    slug: String,
    answer: ServerAction<AnswerRecommendation>,
    /// "Want to meet" for the meeting scheduler.
    wish: ServerAction<SetWish>,
) -> impl IntoView {
    let profile = format!("/e/{slug}/p/{}", c.user_id);
    let (slug_a, slug_b) = (slug.clone(), slug.clone());
    let (id_a, id_b) = (c.user_id.clone(), c.user_id.clone());
    let interested_label = format!("Interested in {}", c.display_name);
    view! {
        <article class="card recommendation" aria-label=c.display_name.clone()>
            <div class="profile-head">
                <Avatar name=c.display_name.clone() photo_url=c.photo_url.clone() />
                <div>
                    <h2><a href=profile.clone()>{c.display_name.clone()}</a></h2>
                    {(!c.pronouns.is_empty()).then(|| view! { <p class="meta">{c.pronouns.clone()}</p> })}
                    {c.headline.clone().map(|h| view! { <p>{h}</p> })}
                    {c.company.clone().map(|co| view! { <p class="meta">{co}</p> })}
                    {c.checked_in.then(|| view! { <p><span class="badge ok">"Here now"</span></p> })}
                </div>
            </div>
            {(!c.event_line.is_empty()).then(|| view! { <p class="event-line">{c.event_line.clone()}</p> })}
            <ul class="chips" aria-label="Why you should meet">
                {c.reasons.iter().map(|r| view! {
                    <li class=r.chip_class()>{r.text()}</li>
                }).collect_view()}
            </ul>
            {if c.met_before {
                view! {
                    <div class="actions">
                        <a class="button" href=format!("{profile}#meet")>"Propose a meeting"</a>
                        <a class="button secondary" href=format!("/connections/{}", c.user_id)>"Our timeline"</a>
                    </div>
                }.into_any()
            } else {
                view! {
                    <div class="actions">
                        {if c.interested {
                            view! { <p class="meta">"You are interested. You will be connected if they are too."</p> }.into_any()
                        } else {
                            view! {
                                <ActionForm action=answer attr:class="inline-form">
                                    <input type="hidden" name="slug" value=slug_a />
                                    <input type="hidden" name="user_id" value=id_a />
                                    <button type="submit" name="answer" value="interested">{interested_label}</button>
                                </ActionForm>
                            }.into_any()
                        }}
                        <ActionForm action=answer attr:class="inline-form">
                            <input type="hidden" name="slug" value=slug_b />
                            <input type="hidden" name="user_id" value=id_b />
                            <button type="submit" name="answer" value="not_now" class="secondary">"Not now"</button>
                        </ActionForm>
                        <a class="button secondary" href=format!("{profile}#meet")>"Propose a meeting"</a>
                    </div>
                }.into_any()
            }}
            <WishForm slug=slug.clone() user_id=c.user_id.clone() name=c.display_name.clone() current=None action=wish />
        </article>
    }
}

#[component]
pub fn AgendaPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let answer = ServerAction::<AnswerMeeting>::new();
    let counter = ServerAction::<CounterMeeting>::new();
    let data = resource(
        move || (slug(), answer.version().get(), counter.version().get()),
        |(s, _, _)| agenda(s),
    );
    view! {
        <PageTitle text="My agenda · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(a) => view! {
                        <p class="eyebrow"><a href=format!("/e/{}", a.slug)>{a.event_name.clone()}</a></p>
                        <h1>"My agenda"</h1>
                        <p class="meta">{format!("Times in {}.", a.time_zone)} " "
                            <a href=format!("/e/{}/meet", a.slug)>"People to meet"</a></p>
                        <FormError error=action_error(answer) />
                        <FormError error=action_error(counter) />
                        <MeetingList title="Waiting for your answer" meetings=a.to_answer.clone() answer counter choices=Some(a.options.clone()) />
                        <MeetingList title="Meetings" meetings=a.meetings.clone() answer counter choices=None />
                        <MeetingList title="Waiting for the other person" meetings=a.waiting.clone() answer counter choices=None />
                        <MeetingList title="Declined or cancelled" meetings=a.closed.clone() answer counter choices=None />
                        {a.meetings.is_empty().then(|| view! { <p>"No meetings yet. Propose one from someone's profile or from People to meet."</p> })}
                        <section class="card" aria-labelledby="feed-h">
                            <h2 id="feed-h">"Calendar"</h2>
                            <p>"Subscribe to your private calendar feed in your calendar app. It lists your accepted meetings in every event; keep the address to yourself."</p>
                            <p><code class="invite-url" data-testid="calendar-feed">{a.feed_url.clone()}</code></p>
                        </section>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorNotice error=e next=format!("/e/{}/agenda", slug()) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MeetingList(
    title: &'static str,
    meetings: Vec<MeetingView>,
    answer: ServerAction<AnswerMeeting>,
    counter: ServerAction<CounterMeeting>,
    choices: Option<MeetingChoices>,
) -> impl IntoView {
    (!meetings.is_empty()).then(|| {
        let heading = title.to_lowercase().replace(' ', "-");
        let labelled_by = heading.clone();
        view! {
            <section class="card" aria-labelledby=labelled_by>
                <h2 id=heading>{title}</h2>
                <ul class="plain-list meetings">
                    {meetings.into_iter().map(|m| view! { <li><MeetingItem m=m answer counter choices=choices.clone() /></li> }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn MeetingItem(
    m: MeetingView,
    answer: ServerAction<AnswerMeeting>,
    counter: ServerAction<CounterMeeting>,
    choices: Option<MeetingChoices>,
) -> impl IntoView {
    use crate::domain::MeetingStatus;
    let buttons: Vec<(&'static str, &'static str)> = match m.status {
        MeetingStatus::Pending if m.awaiting_me => {
            vec![("accept", "Accept"), ("decline", "Decline")]
        }
        MeetingStatus::Pending => vec![("cancel", "Cancel request")],
        MeetingStatus::Accepted if !m.held => {
            vec![("held", "We met"), ("cancel", "Cancel meeting")]
        }
        MeetingStatus::Accepted => vec![("cancel", "Cancel meeting")],
        _ => vec![],
    };
    let id = m.id.clone();
    let accepted = m.status == MeetingStatus::Accepted;
    view! {
        <article class="meeting" aria-label=format!("Meeting with {}", m.other_name)>
            <p><strong>{m.when.clone()}</strong> " · " {m.place.clone()}</p>
            <p>"With " <a href=format!("/e/{}/p/{}", m.slug, m.other_id)>{m.other_name.clone()}</a>
                {m.held.then(|| view! { " " <span class="badge ok">"Met"</span> })}</p>
            {(!m.message.is_empty()).then(|| view! { <p class="description">{m.message.clone()}</p> })}
            {accepted.then(|| view! { <p><a href=format!("/meetings/{}/ics", m.id)>"Add to calendar (.ics)"</a></p> })}
            {(!buttons.is_empty()).then(|| {
                let id = id.clone();
                view! {
                    <ActionForm action=answer attr:class="inline-form">
                        <input type="hidden" name="id" value=id />
                        {buttons.into_iter().map(|(value, label)| view! {
                            <button type="submit" name="answer" value=value class=if value == "accept" { "" } else { "secondary" }>{label}</button>
                            " "
                        }).collect_view()}
                    </ActionForm>
                }
            })}
            {choices.filter(|_| m.awaiting_me).map(|c| {
                let prefix = format!("counter-{}", m.id);
                view! {
                    <details>
                        <summary>"Propose another time"</summary>
                        <ActionForm action=counter>
                            <input type="hidden" name="id" value=m.id.clone() />
                            <WhenWhere choices=c prefix=prefix date=m.date.clone() time=m.time.clone() />
                            <button type="submit" class="secondary">"Propose this time"</button>
                        </ActionForm>
                    </details>
                }
            })}
        </article>
    }
}

/// The organizer's list of meeting spots, on the event page (`spots`: the
/// current ones, one per line, loaded with the page).
#[component]
pub fn SpotsEditor(slug: String, spots: String) -> impl IntoView {
    let save = ServerAction::<UpdateSpots>::new();
    view! {
        <section class="card" aria-labelledby="spots-h">
            <h2 id="spots-h">"Meeting spots"</h2>
            <p>"Places attendees can pick when they propose a meeting, one per line (e.g. Table 12)."</p>
            <ActionForm action=save>
                <FormError error=action_error(save) />
                <Show when=move || matches!(save.value().get(), Some(Ok(())))>
                    <p class="form-ok" role="status">"Meeting spots saved."</p>
                </Show>
                <input type="hidden" name="slug" value=slug />
                <div class="field">
                    <label for="f-spots">"Spots"</label>
                    <textarea id="f-spots" name="spots" rows="4">{spots}</textarea>
                </div>
                <button type="submit" class="secondary">"Save spots"</button>
            </ActionForm>
        </section>
    }
}
