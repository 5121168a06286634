//! The organizer dashboard (`/e/:slug/dashboard`): the event's networking
//! at a glance, as numbers and server-rendered SVG charts. With JavaScript
//! it watches the event over the tab's live connection and fetches the
//! numbers again whenever they change, and every 30 seconds for the rooms
//! (people entering and leaving, messages: they send no change hint, see
//! `service::dashboard`); without, a reload shows the latest numbers.

use crate::api::dashboard::{dashboard, BusyRoom, DashboardView};
use crate::api::schedule::scheduler_figures;
use crate::components::charts::{BarChart, ColumnChart};
use crate::components::layout::{count, ErrorNotice};
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::domain::Role;
use crate::pages::schedule::ScheduleStats;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let tick = RwSignal::new(0u32);
    Effect::new(move |_| {
        let timer = set_interval_with_handle(
            move || tick.update(|t| *t += 1),
            std::time::Duration::from_secs(30),
        );
        on_cleanup(move || {
            if let Ok(t) = timer {
                t.clear();
            }
        });
    });
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let link = crate::components::live::use_live();
        let event = slug();
        let id = link.attach(std::rc::Rc::new(Watch {
            event: event.clone(),
            tick,
        }));
        on_cleanup(move || link.detach(id, vec![crate::realtime::ClientMsg::Unwatch { event }]));
    });
    let data = resource(move || (slug(), tick.get()), |(s, _)| dashboard(s));
    // The meeting scheduler's figures (organizers only: staff see none).
    let schedule = resource(move || (slug(), tick.get()), |(s, _)| scheduler_figures(s));
    view! {
        <PageTitle text="Dashboard · Rapport" />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let figures = schedule.await.ok();
                match data.await {
                    Ok(d) => view! {
                        <Dashboard d=d />
                        {figures.map(|f| view! {
                            <section class="card" aria-labelledby="scheduler-h">
                                <h2 id="scheduler-h">"Meeting scheduler"</h2>
                                <ScheduleStats f=f />
                                <p><a href=format!("/e/{}/schedule", slug())>"Open the meeting scheduler"</a></p>
                            </section>
                        })}
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e next=format!("/e/{}/dashboard", slug()) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Watches the event's dashboard on the live connection; each change
/// bumps `tick`, which fetches the numbers again.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Watch {
    event: String,
    tick: RwSignal<u32>,
}

impl crate::components::live::Listener for Watch {
    fn apply(&self, msg: crate::realtime::ServerMsg) -> Vec<crate::realtime::ClientMsg> {
        use crate::realtime::{ClientMsg, ServerMsg};
        match msg {
            ServerMsg::Welcome { .. } => vec![ClientMsg::Watch {
                event: self.event.clone(),
            }],
            ServerMsg::DashboardChanged { event } if event == self.event => {
                self.tick.update(|t| *t += 1);
                vec![]
            }
            _ => vec![],
        }
    }
}

#[component]
fn Stat(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="stat">
            <dt>{label}</dt>
            <dd>{value}</dd>
        </div>
    }
}

#[component]
fn Dashboard(d: DashboardView) -> impl IntoView {
    let roles = d
        .by_role
        .iter()
        .map(|(r, n)| {
            let (one, many) = match r {
                Role::Organizer => ("organizer", "organizers"),
                Role::Staff => ("staff member", "staff"),
                Role::Attendee => ("attendee", "attendees"),
            };
            count(*n, one, many)
        })
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <p class="eyebrow"><a href=format!("/e/{}", d.slug)>{d.event_name.clone()}</a></p>
        <h1>"Dashboard"</h1>
        <p class="meta">{format!("Times in {}. Updates live.", d.time_zone)}</p>
        <dl class="stats" aria-label="Key numbers">
            <Stat label="Members" value=d.members.to_string() />
            <Stat label="Checked in" value=d.checked_in.to_string() />
            <Stat label="Here now" value=d.here_now.to_string() />
            <Stat label="In rooms now" value=d.in_rooms_now.to_string() />
            <Stat label="Connections made" value=d.connections.to_string() />
            <Stat label="Badge scans" value=d.scans.to_string() />
            <Stat label="Have a connection" value=format!("{}%", d.health.connected_pct) />
            <Stat label="Connections per member" value=format!("{:.1}", d.health.average) />
            <Stat label="In the largest group" value=format!("{}%", d.health.largest_group_pct) />
        </dl>
        <p class="meta">{roles}</p>
        <p class="actions">
            <a class="button secondary" href=format!("/e/{}/export/statistics.csv", d.slug) download>"Statistics (CSV)"</a>
            <a class="button secondary" href=format!("/e/{}/export/attendees.csv", d.slug) download>"Attendees (CSV, organizers)"</a>
        </p>
        <div class="charts">
            <ColumnChart title="Here, hour by hour".into() bars=d.here_per_hour.clone() />
            <ColumnChart title="Check-ins per hour".into() bars=d.check_ins_per_hour.clone() />
            <ColumnChart title="Joins per hour".into() bars=d.joins_per_hour.clone() />
            <BusiestRooms rooms=d.busiest_rooms.clone() />
            <ColumnChart title="Room messages per hour".into() bars=d.messages_per_hour.clone() />
            <ColumnChart title="Connections per hour".into() bars=d.connections_per_hour.clone() />
            <ColumnChart title="Scans per hour".into() bars=d.scans_per_hour.clone() />
            <BarChart title="Networking funnel".into() bars=d.funnel.clone() />
            <BarChart title="Scan outcomes".into() bars=d.scan_outcomes.clone() />
            {d.top_tags.iter().map(|(intent, bars)| view! {
                <BarChart title=format!("Top tags: {}", intent.label()) bars=bars.clone() />
            }).collect_view()}
        </div>
    }
}

/// The busiest rooms now, as a table: two numbers per room read better
/// in columns than as a chart.
#[component]
fn BusiestRooms(rooms: Vec<BusyRoom>) -> impl IntoView {
    view! {
        <figure class="chart busiest-rooms">
            <figcaption id="busiest-h">"Busiest rooms now"</figcaption>
            {if rooms.is_empty() {
                view! { <p class="meta">"Nobody is in a room or chatting right now."</p> }.into_any()
            } else {
                view! {
                    <table aria-labelledby="busiest-h" data-testid="busiest-rooms">
                        <thead>
                            <tr><th scope="col">"Room"</th><th scope="col">"People now"</th><th scope="col">"Messages, last hour"</th></tr>
                        </thead>
                        <tbody>
                            {rooms.into_iter().map(|r| view! {
                                <tr><th scope="row">{r.title}</th><td>{r.people_now}</td><td>{r.messages_last_hour}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::live::Listener;
    use crate::realtime::{ClientMsg, ServerMsg};

    #[test]
    fn a_welcome_watches_the_event_and_only_its_changes_refetch() {
        let owner = Owner::new();
        owner.with(|| {
            let tick = RwSignal::new(0u32);
            let w = Watch {
                event: "demo".into(),
                tick,
            };
            let hello = w.apply(ServerMsg::Welcome {
                version: 1,
                user_id: "u".into(),
                limits: crate::realtime::SocketLimits::sample(),
            });
            assert_eq!(
                hello,
                vec![ClientMsg::Watch {
                    event: "demo".into()
                }]
            );
            w.apply(ServerMsg::DashboardChanged {
                event: "other".into(),
            });
            assert_eq!(tick.get_untracked(), 0);
            w.apply(ServerMsg::DashboardChanged {
                event: "demo".into(),
            });
            assert_eq!(tick.get_untracked(), 1);
        });
    }
}
