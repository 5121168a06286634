//! The meeting scheduler's pages: the organizer's (`/e/:slug/schedule`:
//! set up the sessions, run, review, edit by hand, publish) and the
//! attendee's (`/e/:slug/wishes`: when I can meet, whether I accept being
//! asked, whom I want to meet), the "want to meet" form that profiles and
//! recommendations carry, and the scheduler's figures on the dashboard.
//! Published meetings show on "My agenda" like any accepted meeting.
//!
//! Every form is a plain HTML form underneath: all of it works without
//! JavaScript, at phone width.

use crate::api::schedule::{
    load_schedule, my_schedule, EditSchedule, MyScheduleView, PublishSchedule, RunSchedule,
    SaveScheduleSetup, ScheduleFigures, ScheduledLine, SchedulerView as PageData,
    SetMyAvailability, SetWish, WishPriority,
};
use crate::components::forms::{action_error, FormError, TextArea};
use crate::components::layout::{count, ErrorNotice};
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The organizer's scheduler page.
#[component]
pub fn SchedulePage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let query = use_query_map();
    let person = move || query.read().get("person");
    let setup = ServerAction::<SaveScheduleSetup>::new();
    let run = ServerAction::<RunSchedule>::new();
    let edit = ServerAction::<EditSchedule>::new();
    let publish = ServerAction::<PublishSchedule>::new();
    let data = resource(
        move || {
            (
                slug(),
                person(),
                setup.version().get(),
                run.version().get(),
                edit.version().get(),
                publish.version().get(),
            )
        },
        |(s, p, ..)| load_schedule(s, p),
    );
    let actions = Actions {
        setup,
        run,
        edit,
        publish,
    };
    view! {
        <PageTitle text="Meeting scheduler · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(p) => view! { <Organizer p=p actions=actions /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e next=format!("/e/{}/schedule", slug()) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The organizer page's actions, created once beside the resource.
#[derive(Clone, Copy)]
struct Actions {
    setup: ServerAction<SaveScheduleSetup>,
    run: ServerAction<RunSchedule>,
    edit: ServerAction<EditSchedule>,
    publish: ServerAction<PublishSchedule>,
}

#[component]
fn Organizer(p: PageData, actions: Actions) -> impl IntoView {
    let Actions {
        setup,
        run,
        edit,
        publish,
    } = actions;
    let slug = p.slug.clone();
    let (slug_run, slug_publish, slug_setup) = (slug.clone(), slug.clone(), slug.clone());
    let f = p.review.figures.clone();
    let drafts = p.review.meetings.iter().filter(|m| !m.published).count();
    let (slots_text, spots_text) = (p.slots_text.clone(), p.spots_text.clone());
    let (max_meetings, max_in_a_row) = (p.max_meetings, p.max_in_a_row);
    let event_name = p.event_name.clone();
    view! {
        <p class="eyebrow"><a href=format!("/e/{slug}")>{event_name}</a></p>
        <h1>"Meeting scheduler"</h1>
        <p>"Attendees say when they can meet and whom they want to meet ("
            <a href=format!("/e/{slug}/wishes")>"their wishes page"</a>
            "). The scheduler builds everyone's 1:1 meetings at once; you review, edit and publish them to everyone's agenda."</p>
        <ScheduleStats f=f.clone() />

        <section class="card" aria-labelledby="run-h">
            <h2 id="run-h">"Run and publish"</h2>
            <p>"A run keeps published meetings where they are and fills the free slots. Publishing puts the draft meetings on people's agendas and tells them."</p>
            <FormError error=action_error(run) />
            <FormError error=action_error(publish) />
            {move || run.value().get().and_then(|r| r.ok()).map(|r| view! { <p class="form-ok" role="status" data-testid="run-result">{r}</p> })}
            {move || publish.value().get().and_then(|r| r.ok()).map(|n| view! { <p class="form-ok" role="status">{format!("{} published.", count(n as u64, "meeting", "meetings"))}</p> })}
            <div class="actions">
                <ActionForm action=run attr:class="inline-form">
                    <input type="hidden" name="slug" value=slug_run />
                    <button type="submit">"Run the scheduler"</button>
                </ActionForm>
                <ActionForm action=publish attr:class="inline-form">
                    <input type="hidden" name="slug" value=slug_publish />
                    <button type="submit" class="secondary" disabled=drafts == 0>
                        {format!("Publish {}", count(drafts as u64, "draft meeting", "draft meetings"))}
                    </button>
                </ActionForm>
            </div>
        </section>

        <section class="card" aria-labelledby="setup-h">
            <h2 id="setup-h">"Sessions"</h2>
            <ActionForm action=setup>
                <FormError error=action_error(setup) />
                <Show when=move || matches!(setup.value().get(), Some(Ok(())))>
                    <p class="form-ok" role="status">"Sessions saved."</p>
                </Show>
                <input type="hidden" name="slug" value=slug_setup />
                <TextArea name="slots" label="Time slots" value=slots_text
                    hint="One block a line, in the event's time zone: “2031-05-14 09:00-10:20/20” is four slots of 20 minutes. A gap between slots is a break." />
                <TextArea name="spots" label="Meeting spots and how many meetings each holds at once" value=spots_text
                    hint="One spot a line, like “Table 12: 2”. 0 leaves a spot out; new names become meeting spots." />
                <NumberField name="max_meetings" label="Meetings per person, at most" value=max_meetings max=64 />
                <NumberField name="max_in_a_row" label="Meetings in a row without a break, at most" value=max_in_a_row max=128 />
                <button type="submit">"Save sessions"</button>
            </ActionForm>
        </section>

        <Meetings p=p.clone() edit=edit />
        <Review p=p />
    }
}

#[component]
fn NumberField(name: &'static str, label: &'static str, value: u32, max: u32) -> impl IntoView {
    let id = format!("f-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id name=name type="number" min="1" max=max value=value.to_string() required />
        </div>
    }
}

/// The scheduler's figures: on the organizer's page and the dashboard.
#[component]
pub fn ScheduleStats(f: ScheduleFigures) -> impl IntoView {
    let of_bound = f
        .percent_of_bound()
        .map_or_else(|| "Not run yet".to_owned(), |p| format!("{p}%"));
    view! {
        <dl class="stats" aria-label="Meeting scheduler" data-testid="schedule-stats">
            <div class="stat"><dt>"Scheduled meetings"</dt><dd>{f.meetings.to_string()}</dd></div>
            <div class="stat"><dt>"Published"</dt><dd>{f.published.to_string()}</dd></div>
            <div class="stat"><dt>"Declined"</dt><dd>{f.declined.to_string()}</dd></div>
            <div class="stat"><dt>"Wishes met"</dt><dd>{format!("{} of {}", f.wishes_met, f.wishes)}</dd></div>
            <div class="stat"><dt>"People with wishes"</dt><dd>{f.people_wishing.to_string()}</dd></div>
            <div class="stat"><dt>"Value vs upper bound"</dt><dd>{of_bound}</dd></div>
            <div class="stat"><dt>"Slots"</dt><dd>{f.slots.to_string()}</dd></div>
            <div class="stat"><dt>"Meetings the spots hold"</dt><dd>{f.capacity.to_string()}</dd></div>
        </dl>
        <p class="meta">
            {format!("Value {} of at most {} points (upper bound: the linear-programming relaxation, see docs/benchmarks.md).", f.value, f.upper_bound)}
            {f.ran_at.map(|t| format!(" Last run {t}."))}
            {f.published_at.map(|t| format!(" Published {t}."))}
        </p>
    }
}

/// Every meeting by slot, with the hand-edit forms.
#[component]
fn Meetings(p: PageData, edit: ServerAction<EditSchedule>) -> impl IntoView {
    let slug = p.slug.clone();
    let slots = p.slot_choices.clone();
    let spots = p.spot_choices.clone();
    let people = p.people_choices.clone();
    let (slot_choices, spot_choices) = (p.slot_choices.clone(), p.spot_choices.clone());
    let slug_add = slug.clone();
    view! {
        <section class="card" aria-labelledby="meetings-h">
            <h2 id="meetings-h">"Meetings"</h2>
            <FormError error=action_error(edit) />
            <form method="get" class="search-form" role="search">
                <label for="meeting-search">"Find a person's meetings"</label>
                <input id="meeting-search" name="person" type="search" value=p.person_query.clone() />
                <button type="submit" class="secondary">"Search"</button>
            </form>
            <p class="meta" data-testid="meetings-found">{shown_note(p.meetings_found, p.review.meetings.len())}</p>
            <ul class="plain-list meetings" data-testid="scheduled-meetings">
                {p.review.meetings.into_iter().map(|m| view! {
                    <li><MeetingLine m=m slug=slug.clone() slots=slots.clone() spots=spots.clone() edit=edit /></li>
                }).collect_view()}
            </ul>
            <details>
                <summary>"Add a meeting by hand"</summary>
                <ActionForm action=edit>
                    <input type="hidden" name="slug" value=slug_add />
                    <input type="hidden" name="action" value="add" />
                    <Select name="a" id="add-a".into() label="One person" choices=people.clone() selected=String::new() />
                    <Select name="b" id="add-b".into() label="The other" choices=people selected=String::new() />
                    <Select name="slot" id="add-slot".into() label="Slot" choices=slot_choices selected=String::new() />
                    <Select name="spot" id="add-spot".into() label="Spot" choices=spot_choices selected=String::new() />
                    <button type="submit">"Add the meeting"</button>
                </ActionForm>
            </details>
        </section>
    }
}

/// "12 meetings", or "200 of 1,204 meetings shown: search by name".
fn shown_note(found: usize, shown: usize) -> String {
    let all = count(found as u64, "meeting", "meetings");
    if shown < found {
        format!("{shown} of {all} shown: search by name to find the others.")
    } else {
        all
    }
}

#[component]
fn Select(
    name: &'static str,
    id: String,
    label: &'static str,
    choices: Vec<(String, String)>,
    selected: String,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name required>
                {choices.into_iter().map(|(value, text)| {
                    let on = value == selected;
                    view! { <option value=value selected=on>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn MeetingLine(
    m: ScheduledLine,
    slug: String,
    slots: Vec<(String, String)>,
    spots: Vec<(String, String)>,
    edit: ServerAction<EditSchedule>,
) -> impl IntoView {
    let state = if m.declined {
        "Declined"
    } else if m.published {
        "Published"
    } else {
        "Draft"
    };
    let title = format!("{} and {}", m.people.0, m.people.1);
    let label = title.clone();
    let key = m.id.clone();
    let place = format!("{} · {}", m.when, m.spot);
    let forms = (!m.published).then(|| {
        let (slug_move, slug_remove) = (slug.clone(), slug);
        let (id_move, id_remove) = (m.id.clone(), m.id.clone());
        let (slot_id, spot_id) = (m.slot_id.clone(), m.spot_id.clone());
        view! {
            <details>
                <summary>"Move or remove"</summary>
                <ActionForm action=edit>
                    <input type="hidden" name="slug" value=slug_move />
                    <input type="hidden" name="action" value="move" />
                    <input type="hidden" name="id" value=id_move />
                    <Select name="slot" id=format!("slot-{key}") label="Slot" choices=slots selected=slot_id />
                    <Select name="spot" id=format!("spot-{key}") label="Spot" choices=spots selected=spot_id />
                    <button type="submit" class="secondary">"Move"</button>
                </ActionForm>
                <ActionForm action=edit attr:class="inline-form">
                    <input type="hidden" name="slug" value=slug_remove />
                    <input type="hidden" name="action" value="remove" />
                    <input type="hidden" name="id" value=id_remove />
                    <button type="submit" class="danger">"Remove"</button>
                </ActionForm>
            </details>
        }
    });
    view! {
        <article class="scheduled" aria-label=label>
            <p><strong>{title}</strong>" "<span class="badge">{state}</span></p>
            <p class="meta">{place}</p>
            {forms}
        </article>
    }
}

/// Unmet wishes, each person's share, each spot's use.
#[component]
fn Review(p: PageData) -> impl IntoView {
    let r = p.review;
    view! {
        <section class="card" aria-labelledby="unmet-h">
            <h2 id="unmet-h">{format!("Wishes without a meeting ({})", r.unmet.len())}</h2>
            {r.unmet.is_empty().then(|| view! { <p>"None."</p> })}
            <ul class="plain-list" data-testid="unmet-wishes">
                {r.unmet.into_iter().map(|u| view! {
                    <li>{format!("{} → {} ({}): {}", u.from, u.to, u.priority.label().to_lowercase(), u.reason)}</li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="people-h">
            <h2 id="people-h">"By person"</h2>
            <div class="table-scroll">
                <table aria-labelledby="people-h">
                    <thead><tr><th scope="col">"Person"</th><th scope="col">"Wishes met"</th><th scope="col">"Meetings"</th></tr></thead>
                    <tbody>
                        {r.people.into_iter().map(|l| view! {
                            <tr><th scope="row">{l.name}</th><td>{format!("{} of {}", l.met, l.wishes)}</td><td>{l.meetings}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="card" aria-labelledby="spots-h">
            <h2 id="spots-h">"Spot use"</h2>
            <ul class="plain-list">
                {r.spots.into_iter().map(|s| view! {
                    <li>{format!("{}: {} of {} meetings", s.name, s.used, s.capacity)}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The attendee's page: availability, "accept being asked", wishes.
#[component]
pub fn WishesPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let save = ServerAction::<SetMyAvailability>::new();
    let wish = ServerAction::<SetWish>::new();
    let data = resource(
        move || (slug(), save.version().get(), wish.version().get()),
        |(s, ..)| my_schedule(s),
    );
    view! {
        <PageTitle text="My meeting wishes · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Wishes v=v save=save wish=wish /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e next=format!("/e/{}/wishes", slug()) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Wishes(
    v: MyScheduleView,
    save: ServerAction<SetMyAvailability>,
    wish: ServerAction<SetWish>,
) -> impl IntoView {
    let slug = v.slug.clone();
    view! {
        <p class="eyebrow"><a href=format!("/e/{slug}")>{v.event_name.clone()}</a></p>
        <h1>"My meeting wishes"</h1>
        <p>"The organizers build everyone's 1:1 meetings at once from these wishes. "
            {if v.published { "The schedule is out: your meetings are on " } else { "Once it is published, your meetings show on " }}
            <a href=format!("/e/{slug}/agenda")>"your agenda"</a>"."</p>
        <section class="card" aria-labelledby="wishes-h">
            <h2 id="wishes-h">"Whom I want to meet"</h2>
            <p>"Add people from " <a href=format!("/e/{slug}/meet")>"People to meet"</a> " or from their profile in "
                <a href=format!("/e/{slug}/people")>"the directory"</a> "."</p>
            <FormError error=action_error(wish) />
            {v.wishes.is_empty().then(|| view! { <p>"No wishes yet."</p> })}
            <ul class="plain-list" data-testid="my-wishes">
                {v.wishes.into_iter().map(|w| view! {
                    <li>
                        <a href=format!("/e/{slug}/p/{}", w.user_id)>{w.name.clone()}</a>
                        <WishForm slug=slug.clone() user_id=w.user_id.clone() name=w.name.clone() current=Some(w.priority) action=wish />
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="avail-h">
            <h2 id="avail-h">"When I can meet"</h2>
            <ActionForm action=save>
                <FormError error=action_error(save) />
                <Show when=move || matches!(save.value().get(), Some(Ok(())))>
                    <p class="form-ok" role="status">"Saved."</p>
                </Show>
                <input type="hidden" name="slug" value=slug.clone() />
                {v.slots.is_empty().then(|| view! { <p>"The organizers have not set up the meeting sessions yet."</p> })}
                <fieldset class="field">
                    <legend>"Slots I can meet in"</legend>
                    {v.slots.into_iter().enumerate().map(|(i, s)| {
                        let id = format!("slot-{i}");
                        view! {
                            <div class="field checkbox">
                                <input type="checkbox" id=id.clone() name=format!("available[slot_{}]", s.id) value="on" checked=s.available />
                                <label for=id>{s.when}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field checkbox">
                    <input type="checkbox" id="f-accepts" name="accepts_requests" value="on" checked=v.accepts_requests />
                    <label for="f-accepts">"I accept being asked: people who want to meet me may get a meeting even if I did not pick them"</label>
                </div>
                <button type="submit">"Save"</button>
            </ActionForm>
        </section>
    }
}

/// "Want to meet" with a priority, for one person: on profiles, people to
/// meet and the wishes page. `current` is my wish, if any (then the form
/// also offers to take it back).
#[component]
pub fn WishForm(
    slug: String,
    user_id: String,
    name: String,
    current: Option<WishPriority>,
    action: ServerAction<SetWish>,
) -> impl IntoView {
    let id = format!("wish-{user_id}");
    let label = format!("How much do you want to meet {name}?");
    let button = if current.is_some() {
        "Change"
    } else {
        "Want to meet"
    };
    view! {
        <ActionForm action=action attr:class="inline-form wish-form">
            <input type="hidden" name="slug" value=slug />
            <input type="hidden" name="user_id" value=user_id />
            <label for=id.clone() class="visually-hidden">{label}</label>
            <select id=id name="priority">
                {WishPriority::ALL.into_iter().map(|p| {
                    let on = current == Some(p) || (current.is_none() && p == WishPriority::WouldLike);
                    view! { <option value=p.as_str() selected=on>{p.label()}</option> }
                }).collect_view()}
                {current.is_some().then(|| view! { <option value="none">"No longer"</option> })}
            </select>
            <button type="submit" class="secondary">{button}</button>
        </ActionForm>
    }
}
