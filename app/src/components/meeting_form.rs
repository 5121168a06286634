//! The meeting forms' parts: when and where (date, time, length, spot or
//! place), shared by a request and a counter-proposal, and "Propose a
//! meeting" on another member's profile. Plain HTML forms underneath.

use crate::api::meetings::{MeetingChoices, RequestMeeting};
use crate::components::forms::{action_error, FormError};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// Date, time, length and place fields, shared by the request and the
/// counter-proposal forms.
#[component]
pub fn WhenWhere(
    choices: MeetingChoices,
    prefix: String,
    #[prop(optional)] date: Option<String>,
    #[prop(optional)] time: Option<String>,
) -> impl IntoView {
    let id = move |f: &str| format!("{prefix}-{f}");
    let has_spots = !choices.spots.is_empty();
    view! {
        <div class="field-row">
            <div class="field">
                <label for=id("date")>"Day"</label>
                <select id=id("date") name="when[date]">
                    {choices.days.iter().map(|d| view! { <option value=d.clone() selected=date.as_ref() == Some(d)>{d.clone()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for=id("time")>{format!("Time ({})", choices.time_zone)}</label>
                <input id=id("time") name="when[time]" type="time" required=true value=time.unwrap_or_default() />
            </div>
            <div class="field">
                <label for=id("minutes")>"Length"</label>
                <select id=id("minutes") name="when[minutes]">
                    {[(15, "15 minutes"), (30, "30 minutes"), (45, "45 minutes"), (60, "1 hour")].into_iter().map(|(m, l)| view! {
                        <option value=m.to_string() selected=m == 30>{l}</option>
                    }).collect_view()}
                </select>
            </div>
        </div>
        {has_spots.then(|| view! {
            <div class="field">
                <label for=id("spot")>"Meeting spot"</label>
                <select id=id("spot") name="when[spot]">
                    {choices.spots.iter().map(|(sid, name)| view! { <option value=sid.clone()>{name.clone()}</option> }).collect_view()}
                    <option value="">"Somewhere else (type below)"</option>
                </select>
            </div>
        })}
        <div class="field">
            <label for=id("place")>{if has_spots { "Or another place" } else { "Place" }}</label>
            <input id=id("place") name="when[place]" maxlength="100" placeholder="Coffee bar, hall B" />
        </div>
    }
}

/// "Propose a meeting", on another member's profile page (`choices`: the
/// event's days and spots, loaded by the page).
#[component]
pub fn ProposeMeeting(
    slug: String,
    user_id: String,
    name: String,
    choices: Option<MeetingChoices>,
) -> impl IntoView {
    let request = ServerAction::<RequestMeeting>::new();
    choices.map(|c| {
        view! {
            <section class="card" id="meet" aria-labelledby="meet-h">
                <h2 id="meet-h">"Propose a meeting"</h2>
                <ActionForm action=request>
                    <FormError error=action_error(request) />
                    <input type="hidden" name="slug" value=slug />
                    <input type="hidden" name="user_id" value=user_id />
                    <WhenWhere choices=c prefix="meet".into() />
                    <div class="field">
                        <label for="meet-message">"Message"</label>
                        <textarea id="meet-message" name="message" rows="2" maxlength="500"></textarea>
                    </div>
                    <button type="submit">"Send to " {name}</button>
                </ActionForm>
            </section>
        }
    })
}
