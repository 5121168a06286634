//! Rooms pages: an event's rooms (`/e/:slug/rooms`: topic and meetup rooms
//! with live occupancy and tags, filtered by tag with `?tag=` from a plain
//! GET form, and the form to create one) and a room
//! (`/e/:slug/rooms/:room`, where its moderators also change its tags).
//! The room page is rendered on the server with its recent history and a
//! plain form, so it reads and posts without JavaScript; in the browser it
//! goes live over the WebSocket ([`crate::components::live_room`]),
//! keeping the server-rendered history on screen: the live room starts from
//! it and resumes the socket after its last `seq`, and nothing on the page
//! suspends it again once hydrated.

use crate::api::rooms::{
    clock, event_rooms, room_audit_log, room_page, CloseRoom, CreateRoom, DeleteRoomMessage,
    MuteInRoom, ReportLine, ReportRoomMessage, RoomSummary, RoomView, SetRoomTags, TagChoice,
};
use crate::components::composer::{Composer, LiveStatus, OutboxItems};
use crate::components::forms::{action_error, Field, FormError, TextArea};
use crate::components::layout::{count, urlencode, ErrorNotice};
use crate::components::live_room::LiveRoom;
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::domain::RoomKind;
#[cfg(feature = "hydrate")]
use crate::realtime::ClientMsg;
use crate::realtime::WireMessage;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// The rooms of an event.
#[component]
pub fn RoomListPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let tag = move || query.read().get("tag").unwrap_or_default();
    let create = ServerAction::<CreateRoom>::new();
    let list = resource(move || (slug(), tag()), |(s, t)| event_rooms(s, Some(t)));
    // With JavaScript, go to the new room (a plain form post is redirected there).
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/e/{}/rooms/{id}", slug()), Default::default());
        }
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(l) => {
                        let slug = l.slug.clone();
                        let empty = match &l.tag {
                            Some(t) => format!("No room is tagged “{t}”."),
                            None => "No rooms yet. Start the first one below.".to_owned(),
                        };
                        view! {
                            <PageTitle text=format!("Rooms · {} · Rapport", l.event_name) />
                            <p class="eyebrow"><a href=format!("/e/{slug}")>{l.event_name.clone()}</a></p>
                            <h1>"Rooms"</h1>
                            <p>"Talk about a topic, or meet up at a place and time. Join a room to chat live with the people in it."</p>
                            <TagFilter slug=slug.clone() tag=l.tag.clone() tags=l.tags_in_use.clone() />
                            {if l.rooms.is_empty() {
                                view! { <p class="empty" role="status">{empty}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="room-list">
                                        {l.rooms.into_iter().map(|r| view! { <RoomCard room=r slug=slug.clone() /> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            {l.can_create.then(|| view! { <CreateRoomForm slug=slug.clone() create choice=l.tag_choice.clone() /> })}
                            {l.runs_event.then(|| view! {
                                <p><a href=format!("/e/{slug}/moderation")>"Moderation log"</a></p>
                            })}
                        }.into_any()
                    }
                    Err(e) => view! {
                        <PageTitle text="Rooms · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}/rooms", slug()) />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The rooms list's filter: a plain GET form (`?tag=rust`), so it works
/// without JavaScript and a filtered list has its own address. Shown once
/// some room has a tag, or while a filter is on.
#[component]
fn TagFilter(slug: String, tag: Option<String>, tags: Vec<String>) -> impl IntoView {
    let base = format!("/e/{slug}/rooms");
    (tag.is_some() || !tags.is_empty()).then(|| {
        let now = tag.clone().unwrap_or_default();
        view! {
            <form method="get" action=base.clone() class="card search" role="search" aria-label="Filter rooms">
                <div class="field">
                    <label for="f-tag">"Rooms tagged"</label>
                    <select id="f-tag" name="tag">
                        <option value="" selected=now.is_empty()>"Any tag"</option>
                        {tags.into_iter().map(|t| {
                            let selected = t == now;
                            view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="secondary">"Filter"</button>
            </form>
            {tag.map(|t| view! {
                <p role="status" data-testid="tag-filter">
                    {format!("Showing rooms tagged “{t}”. ")}
                    <a href=base.clone()>"Show all rooms"</a>
                </p>
            })}
        }
    })
}

/// A room's tags as chips; in the list each one links to the rooms that
/// carry it (`link_base`: the rooms list's address).
fn room_tag_chips(tags: Vec<String>, link_base: Option<String>) -> impl IntoView {
    (!tags.is_empty()).then(|| {
        view! {
            <ul class="chips" aria-label="Tags" data-testid="room-tags">
                {tags.into_iter().map(|t| match &link_base {
                    Some(base) => {
                        let href = format!("{base}?tag={}", urlencode(&t));
                        view! { <li class="chip"><a href=href>{t}</a></li> }.into_any()
                    }
                    None => view! { <li class="chip">{t}</li> }.into_any(),
                }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn RoomCard(room: RoomSummary, slug: String) -> impl IntoView {
    let href = format!("/e/{slug}/rooms/{}", room.id);
    let here = match room.occupancy {
        0 => "Nobody here yet".to_owned(),
        1 => "1 person here".to_owned(),
        n => format!("{n} people here"),
    };
    view! {
        <li class="card room-card">
            <h2><a href=href>{room.title.clone()}</a></h2>
            <p class="meta">
                <span class="badge">{match room.kind { RoomKind::Topic => "Topic", RoomKind::Meetup => "Meetup" }}</span>
                {room.when.clone().map(|w| format!(" {w}"))}
                {(!room.place.is_empty()).then(|| format!(" · {}", room.place))}
                {room.closed.then(|| view! { " " <span class="badge">"Closed"</span> })}
                {room.for_you.then(|| view! { " " <span class="badge for-you" title="It has a tag from your profile">"For you"</span> })}
            </p>
            {(!room.description.is_empty()).then(|| view! { <p>{room.description.clone()}</p> })}
            {room_tag_chips(room.tags.clone(), Some(format!("/e/{slug}/rooms")))}
            <p class="occupancy" data-testid="occupancy">{here}</p>
        </li>
    }
}

/// The tags field of the create and edit forms, with the event's suggested
/// tags offered (and listed when only they are accepted).
#[component]
fn TagsField(choice: TagChoice, #[prop(optional, into)] value: String) -> impl IntoView {
    let hint = if choice.only_suggested {
        "Up to 5, comma-separated, from this event's tags."
    } else {
        "Up to 5, comma-separated, like “rust, hiring”."
    };
    let listed = (choice.only_suggested && !choice.suggested.is_empty())
        .then(|| format!("This event's tags: {}.", choice.suggested.join(", ")));
    view! {
        <Field name="tags" label="Tags (optional)" value=value maxlength=250 hint=hint list="room-tag-suggestions" />
        <datalist id="room-tag-suggestions">
            {choice.suggested.into_iter().map(|t| view! { <option value=t></option> }).collect_view()}
        </datalist>
        {listed.map(|l| view! { <p class="hint">{l}</p> })}
    }
}

#[component]
fn CreateRoomForm(
    slug: String,
    create: ServerAction<CreateRoom>,
    choice: TagChoice,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="new-room-h">
            <h2 id="new-room-h">"Start a room"</h2>
            <ActionForm action=create>
                <FormError error=action_error(create) />
                <input type="hidden" name="slug" value=slug />
                <div class="field">
                    <label for="f-kind">"Kind"</label>
                    <select id="f-kind" name="kind">
                        <option value="topic">"Topic: a subject to talk about"</option>
                        <option value="meetup">"Meetup: a place and a time"</option>
                    </select>
                </div>
                <Field name="title" label="Title" required=true maxlength=80 />
                <TextArea name="description" label="What it is about (optional)" maxlength=500 />
                <Field name="place" label="Place (meetups)" maxlength=80 hint="Like “Table 12” or “Lobby, by the stairs”." />
                <Field name="starts_at" label="Starts (meetups)" kind="datetime-local" />
                <Field name="ends_at" label="Ends (meetups)" kind="datetime-local" />
                <TagsField choice />
                <button type="submit">"Create room"</button>
            </ActionForm>
        </section>
    }
}

/// One room: its history and, in the browser, live chat and presence.
#[component]
pub fn RoomChatPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let room = move || params.read().get("room").unwrap_or_default();
    let page = resource(move || (slug(), room()), |(s, r)| room_page(s, r));
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(v) => view! { <RoomChat v=v /> }.into_any(),
                    Err(e) => view! {
                        <PageTitle text="Room · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}/rooms/{}", slug(), room()) />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RoomChat(v: RoomView) -> impl IntoView {
    let live = LiveRoom::new(
        v.room.id.clone(),
        v.messages.clone(),
        v.room.last_seq,
        v.more,
    );
    live.keep_outbox(&v.my_id);
    let offset = v.utc_offset_minutes;
    let my_id = v.my_id.clone();
    let slug = v.slug.clone();

    // The room takes part in the tab's live connection while shown.
    #[cfg(feature = "hydrate")]
    let link = crate::components::live::use_live();
    #[cfg(feature = "hydrate")]
    if !v.room.closed {
        Effect::new(move |_| {
            let id = link.attach(std::rc::Rc::new(live));
            let room = live.room.get_value();
            on_cleanup(move || link.detach(id, vec![ClientMsg::Leave { room }]));
        });
    }

    let delete = ServerAction::<DeleteRoomMessage>::new();
    let report = ServerAction::<ReportRoomMessage>::new();
    let mute = ServerAction::<MuteInRoom>::new();
    let close = ServerAction::<CloseRoom>::new();
    let set_tags = ServerAction::<SetRoomTags>::new();
    // The chips follow a save at once (a plain form post reloads the page).
    let tags = RwSignal::new(v.room.tags.clone());
    Effect::new(move |_| {
        if let Some(Ok(saved)) = set_tags.value().get() {
            tags.set(saved);
        }
    });
    let can_moderate = v.can_moderate;
    let tools = StoredValue::new(MessageTools {
        slug: slug.clone(),
        room: v.room.id.clone(),
        can_moderate,
        delete,
        report,
    });
    let reported = Signal::derive(move || matches!(report.value().get(), Some(Ok(()))));
    let room = v.room.clone();
    let mine = my_id.clone();
    let names = StoredValue::new((slug.clone(), room.id.clone(), my_id.clone()));
    let why = live.why_meet(slug.clone());
    view! {
        <PageTitle text=format!("{} · {} · Rapport", room.title, v.event_name) />
        <p class="eyebrow"><a href=format!("/e/{slug}/rooms")>{format!("Rooms · {}", v.event_name)}</a></p>
        <h1>{room.title.clone()}</h1>
        <p class="meta">
            <span class="badge">{match room.kind { RoomKind::Topic => "Topic", RoomKind::Meetup => "Meetup" }}</span>
            {room.when.clone().map(|w| format!(" {w}"))}
            {(!room.place.is_empty()).then(|| format!(" · {}", room.place))}
            {room.closed.then(|| view! { " " <span class="badge">"Closed"</span> })}
        </p>
        {(!room.description.is_empty()).then(|| view! { <p>{room.description.clone()}</p> })}
        {move || room_tag_chips(tags.get(), None)}
        <LiveStatus outbox=live.outbox />
        <div class="room-layout">
            <section class="chat" aria-label="Messages">
                <Show when=move || live.more.get()>
                    <p>
                        <button type="button" class="secondary small" on:click=move |_| {
                            let out = live.older();
                            #[cfg(feature = "hydrate")]
                            link.send(out);
                            #[cfg(not(feature = "hydrate"))]
                            drop(out);
                        }>"Show earlier messages"</button>
                    </p>
                </Show>
                <FormError error=action_error(delete) />
                <FormError error=action_error(close) />
                <FormError error=action_error(mute) />
                <Show when=move || reported.get()>
                    <p class="form-ok" role="status">"Thank you: the moderators will look at it."</p>
                </Show>
                <ol class="messages" data-testid="messages">
                    <For
                        each=move || live.thread.messages.get()
                        key=|m| (m.seq, m.deleted)
                        children=move |m: WireMessage| {
                            let is_mine = m.author_id.as_deref() == Some(mine.as_str());
                            view! { <MessageItem m=m offset=offset mine=is_mine tools=tools.get_value() /> }
                        }
                    />
                    <OutboxItems outbox=live.outbox />
                </ol>
                {(!room.closed).then(|| {
                    let hidden = vec![("slug", slug.clone()), ("room", room.id.clone()), ("client_id", v.client_id.clone())];
                    view! { <Composer outbox=live.outbox action="/api/post_room_message" hidden=hidden /> }
                })}
            </section>
            <aside class="presence card" aria-labelledby="here-h">
                <h2 id="here-h">"Here now: " {move || count(live.members.with(|m| m.len()) as u64, "person", "people")}</h2>
                <ul class="member-names" data-testid="presence">
                    {move || live.members.get().into_iter().map(|m| {
                        let (slug, room_id, me) = names.get_value();
                        let href = format!("/e/{slug}/p/{}", m.user_id);
                        let label = format!("Mute {} for 10 minutes", m.name);
                        let reasons = why.with(|w| w.get(&m.user_id).cloned()).unwrap_or_default();
                        let muting = (can_moderate && m.user_id != me).then(|| view! {
                            <ActionForm action=mute attr:class="inline-form">
                                <input type="hidden" name="slug" value=slug.clone() />
                                <input type="hidden" name="room" value=room_id.clone() />
                                <input type="hidden" name="user_id" value=m.user_id.clone() />
                                <input type="hidden" name="minutes" value="10" />
                                <button type="submit" class="link-button" aria-label=label>"Mute"</button>
                            </ActionForm>
                        });

                        let chips = (!reasons.is_empty()).then(|| view! {
                            <ul class="chips reasons" aria-label=format!("Why meet {}", m.name)>
                                {reasons.into_iter().take(2).map(|r| view! {
                                    <li class=r.chip_class()>{r.text()}</li>
                                }).collect_view()}
                            </ul>
                        });
                        view! { <li><a href=href>{m.name}</a> {muting} {chips}</li> }
                    }).collect_view()}
                </ul>
                {can_moderate.then(|| {
                    let closed = room.closed;
                    let (slug, room_id, _) = names.get_value();
                    let transcript = format!("/e/{slug}/export/rooms/{room_id}/transcript.csv");
                    view! {
                        <ActionForm action=close>
                            <input type="hidden" name="slug" value=slug />
                            <input type="hidden" name="room" value=room_id />
                            <input type="hidden" name="closed" value=(!closed).to_string() />
                            <button type="submit" class="secondary small">{if closed { "Reopen room" } else { "Close room" }}</button>
                        </ActionForm>
                        <a class="small" href=transcript download>
                            "Download the transcript (CSV)"
                        </a>
                    }
                })}
                {can_moderate.then(|| {
                    let (slug, room_id, _) = names.get_value();
                    let current = v.room.tags.join(", ");
                    view! {
                        <ActionForm action=set_tags attr:class="room-tags-form">
                            <FormError error=action_error(set_tags) />
                            <input type="hidden" name="slug" value=slug />
                            <input type="hidden" name="room" value=room_id />
                            <TagsField choice=v.tag_choice.clone() value=current />
                            <button type="submit" class="secondary small">"Save tags"</button>
                        </ActionForm>
                    }
                })}
            </aside>
        </div>
    }
}

/// What each message's buttons need.
#[derive(Clone)]
struct MessageTools {
    slug: String,
    room: String,
    can_moderate: bool,
    delete: ServerAction<DeleteRoomMessage>,
    report: ServerAction<ReportRoomMessage>,
}

#[component]
fn MessageItem(m: WireMessage, offset: i32, mine: bool, tools: MessageTools) -> impl IntoView {
    let class = if mine { "message mine" } else { "message" };
    let seq = m.seq.to_string();
    let action = (!m.deleted).then(|| {
        if tools.can_moderate {
            view! {
                <ActionForm action=tools.delete attr:class="inline-form">
                    <input type="hidden" name="slug" value=tools.slug.clone() />
                    <input type="hidden" name="room" value=tools.room.clone() />
                    <input type="hidden" name="seq" value=seq.clone() />
                    <button type="submit" class="link-button" aria-label=format!("Remove message {seq}")>"Remove"</button>
                </ActionForm>
            }
            .into_any()
        } else if !mine {
            view! {
                <ActionForm action=tools.report attr:class="inline-form">
                    <input type="hidden" name="slug" value=tools.slug.clone() />
                    <input type="hidden" name="room" value=tools.room.clone() />
                    <input type="hidden" name="seq" value=seq.clone() />
                    <button type="submit" class="link-button" aria-label=format!("Report message {seq}")>"Report"</button>
                </ActionForm>
            }
            .into_any()
        } else {
            ().into_any()
        }
    });
    view! {
        <li class=class id=format!("m{}", m.seq) data-seq=m.seq>
            // A <div>, not a <p>: a <form> inside a <p> makes the browser
            // close the <p> early, and the page would no longer hydrate.
            <div class="byline">
                <span class="author">{m.author_name.clone()}</span>
                " "
                <time datetime=m.at.clone()>{clock(&m.at, offset)}</time>
                " "
                {action}
            </div>
            {if m.deleted {
                view! { <p class="text removed">"Message removed by a moderator."</p> }.into_any()
            } else {
                view! { <p class="text">{m.text.clone()}</p> }.into_any()
            }}
        </li>
    }
}

/// The moderation log of an event (organizers and staff).
#[component]
pub fn ModerationLogPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let delete = ServerAction::<DeleteRoomMessage>::new();
    let log = resource(
        move || (slug(), delete.version().get()),
        |(s, _)| room_audit_log(s),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match log.await {
                    Ok(l) => view! {
                        <PageTitle text=format!("Moderation log · {} · Rapport", l.event_name) />
                        <p class="eyebrow"><a href=format!("/e/{}/rooms", l.slug)>{format!("Rooms · {}", l.event_name)}</a></p>
                        <h1>"Moderation log"</h1>
                        <h2>"Reported messages"</h2>
                        <FormError error=action_error(delete) />
                        {if l.reports.is_empty() {
                            view! { <p class="empty">"No reports."</p> }.into_any()
                        } else {
                            let slug = l.slug.clone();
                            view! {
                                <ul class="audit-log" data-testid="reports">
                                    {l.reports.into_iter().map(|r| view! {
                                        <ReportItem r=r slug=slug.clone() delete />
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <h2>"Reported direct messages"</h2>
                        {if l.direct_reports.is_empty() {
                            view! { <p class="empty">"No reports."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="audit-log" data-testid="direct-reports">
                                    {l.direct_reports.into_iter().map(|r| view! {
                                        <li>
                                            <span class="meta">{r.at}</span> " " <strong>{r.reporter}</strong>
                                            " reported a direct message from " {r.sender}
                                            {(!r.reason.is_empty()).then(|| format!(" ({})", r.reason))}
                                            <blockquote class="description">{r.text}</blockquote>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <h2>"What moderators did"</h2>
                        {if l.lines.is_empty() {
                            view! { <p class="empty">"Nothing moderated yet."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="audit-log">
                                    {l.lines.into_iter().map(|a| view! {
                                        <li><span class="meta">{a.at}</span> " " <strong>{a.actor}</strong> " " {a.what}</li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    }.into_any(),
                    Err(e) => view! {
                        <PageTitle text="Moderation log · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}/moderation", slug()) />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One reported message: who reported it and why, the message as it is
/// now, and a button to remove it.
#[component]
fn ReportItem(
    r: ReportLine,
    slug: String,
    delete: ServerAction<DeleteRoomMessage>,
) -> impl IntoView {
    let room_link = format!("/e/{slug}/rooms/{}", r.room_id);
    let seq = r.seq.to_string();
    view! {
        <li>
            <span class="meta">{r.at}</span> " " <strong>{r.reporter}</strong>
            {format!(" reported message #{} of {} in ", r.seq, r.author)}
            <a href=room_link>{r.room_title}</a>
            {(!r.reason.is_empty()).then(|| format!(": “{}”", r.reason))}
            <blockquote>{if r.removed { "Removed.".to_owned() } else { r.text }}</blockquote>
            {(!r.removed).then(|| view! {
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="slug" value=slug.clone() />
                    <input type="hidden" name="room" value=r.room_id.clone() />
                    <input type="hidden" name="seq" value=seq.clone() />
                    <button type="submit" class="secondary small" aria-label=format!("Remove reported message {seq}")>"Remove"</button>
                </ActionForm>
            })}
        </li>
    }
}
