//! The organizers' settings page (`/e/:slug/settings`): the event's
//! details and rules, its tag suggestions and meeting spots in one form
//! saved at once, and its members with their roles (promote: an offer
//! the member answers, shown as waiting until then; demote; remove), and
//! the people removed, whom an organizer may let back in.
//! Plain forms: everything works without JavaScript.

use crate::api::settings::{
    load_event_settings, ManagedMember, RemovedPerson, SaveEventSettings, SettingsView,
    UpdateMember, MEMBERS_SHOWN,
};
use crate::components::forms::{action_error, Field, FormError, TextArea};
use crate::components::layout::{self, ErrorNotice};
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::domain::{JoinPolicy, Role};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let query = use_query_map();
    let search = move || query.read().get("member");
    let save = ServerAction::<SaveEventSettings>::new();
    let member = ServerAction::<UpdateMember>::new();
    // Created here, not inside the Suspend, so it hydrates reliably.
    let page = resource(
        move || {
            (
                slug(),
                search(),
                save.version().get(),
                member.version().get(),
            )
        },
        |(s, q, _, _)| load_event_settings(s, q),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <SettingsForms page=p save member /> }.into_any(),
                    Err(e) => view! {
                        <PageTitle text="Settings · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}/settings", slug()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForms(
    page: SettingsView,
    save: ServerAction<SaveEventSettings>,
    member: ServerAction<UpdateMember>,
) -> impl IntoView {
    let slug = page.slug.clone();
    let invite_only = page.join_policy == JoinPolicy::InviteOnly;
    let slug_form = slug.clone();
    view! {
        <PageTitle text=format!("Settings · {} · Rapport", page.name) />
        <p><a href=format!("/e/{slug}")>"← Back to the event"</a></p>
        <h1>"Event settings"</h1>
        <section class="card" aria-labelledby="settings-h">
            <h2 id="settings-h">"Details and rules"</h2>
            <ActionForm action=save>
                <FormError error=action_error(save) />
                <Show when=move || matches!(save.value().get(), Some(Ok(())))>
                    <p class="form-ok" role="status">"Settings saved."</p>
                </Show>
                <input type="hidden" name="slug" value=slug_form />
                <Field name="settings[name]" label="Event name" value=page.name.clone() required=true maxlength=120 />
                <Field name="settings[starts_on]" label="First day" kind="date" value=page.starts_on.clone() required=true />
                <Field name="settings[ends_on]" label="Last day" kind="date" value=page.ends_on.clone() required=true />
                <Field name="settings[time_zone]" label="Time zone" value=page.time_zone.clone() required=true hint="Like Europe/Berlin or America/New_York" />
                <Field name="settings[venue]" label="Venue" value=page.venue.clone() maxlength=200 />
                <TextArea name="settings[description]" label="Description" value=page.description.clone() maxlength=4000 />
                <fieldset class="field">
                    <legend>"Who may join"</legend>
                    <div class="field checkbox">
                        <input id="f-policy-open" type="radio" name="settings[join_policy]" value="open" checked=!invite_only />
                        <label for="f-policy-open">"Anyone with the invite link or the join code"</label>
                    </div>
                    <div class="field checkbox">
                        <input id="f-policy-invite" type="radio" name="settings[join_policy]" value="invite_only" checked=invite_only />
                        <label for="f-policy-invite">"Invitation only (invite link and imported attendees; the join code is refused)"</label>
                    </div>
                </fieldset>
                <Checkbox name="settings[attendees_create_rooms]" id="f-rooms" checked=page.attendees_create_rooms
                    label="Attendees may create rooms (organizers and staff always may)" />
                <Checkbox name="settings[approve_scans_default]" id="f-approve" checked=page.approve_scans_default
                    label="New members approve scans of their badge before connecting" />
                <TextArea name="settings[taxonomy]" label="Suggested tags" value=page.taxonomy.clone()
                    hint="One category per line, like “Skills: rust, design”." />
                <Checkbox name="settings[free_tags]" id="f-free" checked=page.free_tags
                    label="Attendees may show their own tags too" />
                <TextArea name="settings[spots]" label="Meeting spots" value=page.spots.clone()
                    hint="Places attendees can pick for meetings, one per line (e.g. Table 12)." />
                <button type="submit">"Save settings"</button>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="members-h">
            <h2 id="members-h">"Members"</h2>
            <p>"Staff help run the event (check-in, moderation). A higher role is offered: the member keeps theirs until they accept it on their “My events” page. Sponsors and exhibitors get a leads page: the event's numbers as counts, and the people who connected with them. Removing someone ends their membership and their badge stops working, and keeps them out (no invite link, join code, badge scan or invitation lets them back) until you let them back in below."</p>
            <FormError error=action_error(member) />
            {move || match member.value().get() {
                Some(Ok(done)) => Some(view! { <p class="form-ok" role="status">{done}</p> }),
                _ => None,
            }}
            <form method="get" class="search-form" role="search">
                <label for="member-search">"Find a member by name"</label>
                <input id="member-search" name="member" type="search" value=page.member_search.clone() />
                <button type="submit" class="secondary">"Search"</button>
            </form>
            <p class="meta" data-testid="members-found">{members_note(page.members_found, page.members.len(), &page.member_search)}</p>
            <ul class="plain-list member-admin">
                {page.members.into_iter().map(|m| view! { <MemberAdmin member=m slug=slug.clone() action=member /> }).collect_view()}
            </ul>
        </section>
        {(!page.removed.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="removed-h">
                <h2 id="removed-h">"Removed"</h2>
                <p>"These people cannot join again. Letting someone back in does not make them a member: they may join again themselves."</p>
                <ul class="plain-list member-admin">
                    {page.removed.into_iter().map(|r| view! { <RemovedAdmin person=r slug=slug.clone() action=member /> }).collect_view()}
                </ul>
            </section>
        })}
    }
}

#[component]
fn RemovedAdmin(
    person: RemovedPerson,
    slug: String,
    action: ServerAction<UpdateMember>,
) -> impl IntoView {
    let label = format!("Let {} back in", person.display_name);
    view! {
        <li class="member" data-testid="removed-member">
            <span class="who">
                <span class="name">{person.display_name.clone()}</span>
                <span class="meta">" removed " {person.removed_at.clone()}</span>
            </span>
            <ActionForm action=action attr:class="member-form">
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="user_id" value=person.user_id.clone() />
                <input type="hidden" name="action" value="readmit" />
                <button type="submit" class="secondary">{label}</button>
            </ActionForm>
        </li>
    }
}

/// "12 members", "Showing 50 of 12,000 members: search to find others", …
fn members_note(found: u64, shown: usize, search: &str) -> String {
    let what = if search.is_empty() {
        layout::count(found, "member", "members")
    } else {
        format!(
            "{} “{search}”",
            layout::count(found, "member matches", "members match")
        )
    };
    if found as usize > shown {
        format!("{what}; showing the first {MEMBERS_SHOWN}. Search to find others.")
    } else {
        format!("{what}.")
    }
}

#[component]
fn Checkbox(
    name: &'static str,
    id: &'static str,
    checked: bool,
    label: &'static str,
) -> impl IntoView {
    view! {
        <div class="field checkbox">
            <input id=id type="checkbox" name=name value="on" checked=checked />
            <label for=id>{label}</label>
        </div>
    }
}

#[component]
fn MemberAdmin(
    member: ManagedMember,
    slug: String,
    action: ServerAction<UpdateMember>,
) -> impl IntoView {
    let select_id = format!("role-{}", member.user_id);
    let label = format!("Change {}", member.display_name);
    let option = move |value: &'static str, text: &'static str, selected: bool| {
        view! { <option value=value selected=selected>{text}</option> }
    };
    view! {
        <li class="member" data-testid="managed-member">
            <span class="who">
                <span class="name">{member.display_name.clone()} {member.is_me.then_some(" (you)")}</span>
                <span class="badge">{member.role.label()}</span>
                {member.exhibitor.then(|| view! { <span class="badge">"Exhibitor"</span> })}
                {member.offered.map(|r| view! {
                    <span class="meta offered" data-testid="offered">
                        {format!("offered: {} (waiting)", r.label().to_lowercase())}
                    </span>
                })}
            </span>
            <ActionForm action=action attr:class="member-form">
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="user_id" value=member.user_id.clone() />
                <label for=select_id.clone()>{label}</label>
                <select id=select_id name="action">
                    {option("attendee", "Attendee", member.role == Role::Attendee)}
                    {option("staff", "Staff", member.role == Role::Staff)}
                    {option("organizer", "Organizer", member.role == Role::Organizer)}
                    {member.offered.map(|_| option(member.role.as_str(), "Withdraw the offered role", false))}
                    {if member.exhibitor {
                        option("not_exhibitor", "No longer a sponsor or exhibitor", false)
                    } else {
                        option("exhibitor", "Sponsor or exhibitor", false)
                    }}
                    {option("remove", "Remove from the event", false)}
                </select>
                <button type="submit" class="secondary">"Apply"</button>
            </ActionForm>
        </li>
    }
}
