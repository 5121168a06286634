//! One event's page: details, attendees, and (for organizers) how to invite
//! (the link and the join code, each with a copy button once scripts run)
//! and the way to its settings (tags, spots, roles) and attendee import.

use crate::api::events::{event_page, EventDetail as Page, MemberView, PostAnnouncement};
use crate::components::avatar::Avatar;
use crate::components::copy::CopyButton;
use crate::components::forms::{action_error, FormError, TextArea};
use crate::components::layout::{count, date_range, ErrorNotice};
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn EventPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let announce = ServerAction::<PostAnnouncement>::new();
    let page = resource(
        move || (slug(), announce.version().get()),
        |(s, _)| event_page(s),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <EventView page=p announce /> }.into_any(),
                    Err(e) => view! {
                        <PageTitle text="Event · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}", slug()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EventView(page: Page, announce: ServerAction<PostAnnouncement>) -> impl IntoView {
    let e = page.event;
    let members = page.members.len();
    let latest = page.announcements.first().cloned();
    let slug_announce = e.slug.clone();
    view! {
        <PageTitle text=format!("{} · Rapport", e.name) />
        {latest.map(|a| view! {
            <div class="announcement" role="status" aria-label="Latest announcement">
                <p><strong>"Announcement: "</strong>{a.body}</p>
                <p class="meta">{format!("{} · {}", a.author, a.at)}</p>
            </div>
        })}
        <section class="card">
            <h1>{e.name.clone()}</h1>
            <p class="meta">
                {date_range(e.starts_on, e.ends_on)} " · " {e.time_zone.clone()}
                {(!e.venue.is_empty()).then(|| format!(" · {}", e.venue))}
            </p>
            {e.role.map(|r| view! { <p><span class="badge">"You: " {r.label()}</span></p> })}
            {(!page.description.is_empty()).then(|| view! { <p class="description">{page.description.clone()}</p> })}
            <p class="actions">
                <a class="button" href=format!("/e/{}/meet", e.slug)>"People to meet"</a>
                <a class="button secondary" href=format!("/e/{}/people", e.slug)>"Find people"</a>
                <a class="button secondary" href=format!("/e/{}/rooms", e.slug)>"Rooms"</a>
                <a class="button secondary" href=format!("/e/{}/agenda", e.slug)>"My agenda"</a>
                <a class="button secondary" href=format!("/e/{}/wishes", e.slug)>"Meeting wishes"</a>
                <a class="button secondary" href=format!("/e/{}/scan", e.slug)>"Scan a badge"</a>
                <a class="button secondary" href=format!("/e/{}/badge", e.slug)>"My badge"</a>
                {page.exhibitor.then(|| view! {
                    <a class="button secondary" href=format!("/e/{}/leads", e.slug)>"My leads"</a>
                })}
            </p>
        </section>
        {e.role.is_some().then(|| view! { <crate::pages::attendance::PresenceCard slug=e.slug.clone() /> })}
        {page.invitation.map(|inv| view! {
            <section class="card invite" aria-labelledby="invite-h">
                <h2 id="invite-h">"Invite people"</h2>
                <p>"Share this link:"</p>
                <p class="copyable"><code class="invite-url" data-testid="invite-url">{inv.invite_url.clone()}</code> <CopyButton text=inv.invite_url.clone() label="Copy the invite link" /></p>
                <p class="copyable">"Or give them the join code " <strong class="join-code" data-testid="join-code">{inv.join_code.clone()}</strong> ". " <CopyButton text=inv.join_code label="Copy the join code" /></p>
            </section>
        })}
        {e.role.is_some_and(|r| r.runs_event()).then(|| view! {
            <p class="actions">
                <a class="button" href=format!("/e/{}/dashboard", e.slug)>"Dashboard"</a>
                <a class="button secondary" href=format!("/e/{}/badges", e.slug)>"Print badges"</a>
                <a class="button secondary" href=format!("/e/{}/scan?mode=check_in", e.slug)>"Check people in"</a>
                {(e.role == Some(crate::domain::Role::Organizer)).then(|| view! {
                    <a class="button secondary" href=format!("/e/{}/integrations", e.slug)>"Integrations"</a>
                    <a class="button secondary" href=format!("/e/{}/settings", e.slug)>"Settings and roles"</a>
                    <a class="button secondary" href=format!("/e/{}/schedule", e.slug)>"Meeting scheduler"</a>
                    <a class="button secondary" href=format!("/e/{}/import", e.slug)>"Import attendees"</a>
                })}
            </p>
        })}
        {(page.can_announce || page.announcements.len() > 1).then(|| view! {
            <section class="card" aria-labelledby="announce-h">
                <h2 id="announce-h">"Announcements"</h2>
                <ul class="plain-list">
                    {page.announcements.iter().map(|a| view! {
                        <li><p class="description">{a.body.clone()}</p><p class="meta">{format!("{} · {}", a.author, a.at)}</p></li>
                    }).collect_view()}
                </ul>
                {page.can_announce.then(|| view! {
                    <ActionForm action=announce>
                        <FormError error=action_error(announce) />
                        <input type="hidden" name="slug" value=slug_announce />
                        <TextArea name="body" label="New announcement" maxlength=1000 />
                        <button type="submit">"Announce to everyone"</button>
                    </ActionForm>
                })}
            </section>
        })}
        <section aria-labelledby="members-h">
            <h2 id="members-h">{count(members as u64, "attendee", "attendees")}</h2>
            <ul class="member-list">
                {page.members.into_iter().map(|m| view! { <MemberRow member=m /> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn MemberRow(member: MemberView) -> impl IntoView {
    let detail = [member.headline.as_str(), member.company.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <li class="member">
            <Avatar name=member.display_name.clone() photo_url=None />
            <span class="who">
                <span class="name">{member.display_name.clone()} {member.is_me.then_some(" (you)")}</span>
                {(!detail.is_empty()).then(|| view! { <span class="detail">{detail.clone()}</span> })}
            </span>
            {(member.role != crate::domain::Role::Attendee).then(|| view! { <span class="badge">{member.role.label()}</span> })}
        </li>
    }
}
