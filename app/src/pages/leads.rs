//! The leads page of a sponsor or exhibitor (`/e/:slug/leads`): the
//! event's numbers as counts, what the audience is into, and the people
//! who connected with me here, with a CSV of them. What it may show is
//! decided in `crate::api::leads`.

use crate::api::leads::{exhibitor_leads, LeadsView};
use crate::components::charts::{BarChart, ColumnChart};
use crate::components::layout::{count, ErrorNotice};
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn LeadsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let data = resource(slug, exhibitor_leads);
    view! {
        <PageTitle text="My leads · Rapport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Leads v=v /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e next=format!("/e/{}/leads", slug()) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Leads(v: LeadsView) -> impl IntoView {
    let stat = |label: &'static str, value: u64| {
        view! { <div class="stat"><dt>{label}</dt><dd>{value.to_string()}</dd></div> }
    };
    view! {
        <p class="eyebrow"><a href=format!("/e/{}", v.slug)>{v.event_name.clone()}</a></p>
        <h1>"My leads"</h1>
        <p class="meta">
            "Counts of the whole event, and by name only the people who connected with you here (scanning badges or mutual interest). "
            {format!("Times in {}.", v.time_zone)}
        </p>
        <dl class="stats" aria-label="Key numbers">
            {stat("My leads", v.leads)}
            {stat("Members", v.members)}
            {stat("Checked in", v.checked_in)}
            {stat("Connections made", v.connections)}
        </dl>
        <p class="actions">
            <a class="button secondary" href=format!("/connections.csv?event={}", v.slug) download>"My leads (CSV)"</a>
            <a class="button secondary" href=format!("/e/{}/scan", v.slug)>"Scan a badge"</a>
        </p>
        <div class="charts">
            <ColumnChart title="My leads per hour".into() bars=v.leads_per_hour.clone() />
            <BarChart title="What my leads are into".into() bars=v.lead_tags.clone() />
            {v.audience.iter().map(|(intent, bars)| view! {
                <BarChart title=format!("The audience: {}", intent.label()) bars=bars.clone() />
            }).collect_view()}
        </div>
        <section class="card" aria-labelledby="people-h">
            <h2 id="people-h">{count(v.people.len() as u64, "person", "people")}</h2>
            {v.people.is_empty().then(|| view! {
                <p>"Nobody yet. Attendees become leads when you scan their badge or they scan yours."</p>
            })}
            <ul class="plain-list" data-testid="leads">
                {v.people.into_iter().map(|l| {
                    let slug = &v.slug;
                    let about = [l.job_title, l.company, l.headline]
                        .into_iter()
                        .flatten()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" · ");
                    view! {
                        <li>
                            <a href=format!("/e/{}/p/{}", slug, l.user_id)>{l.name}</a>
                            <span class="meta">{format!(" {about}")}</span>
                            <span class="meta">{format!(" · {}", l.connected_at)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
