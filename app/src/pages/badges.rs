//! Badge pages: my badge in an event (`/e/:slug/badge`, printable), the
//! organizer's badge sheets (`/e/:slug/badges`, A4 or US Letter grids), the
//! result of a scan (`/scans/:id`) and the confirmation page for a badge
//! link that did not connect at once (`/connect/:token`).
//!
//! The QR codes are SVG made on the server; the print stylesheet
//! (`@media print` in style/main.css) hides everything but the badges.

use crate::api::badges::{
    badge_sheet, my_badge, scan_result, BadgePage, BadgeView, ConnectBadge, JoinFromScan, NoteView,
    Paper, ReissueBadge, ScanView, SetApproveScans,
};
use crate::api::connections::SaveNote;
use crate::api::profiles::PersonCard;
use crate::components::avatar::Avatar;
use crate::components::forms::{action_error, FormError};
use crate::components::layout::{self, ErrorNotice};
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::domain::{Role, ScanOutcome};
use crate::pages::people::highlight_text;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// One badge as printed: name, pronouns, headline, company, a few tags,
/// the QR code and the short code under it.
#[component]
pub fn BadgeCard(badge: BadgeView, event_name: String) -> impl IntoView {
    let role_class = format!("printed-badge role-{}", badge.role.as_str());
    view! {
        <article class=role_class aria-label=format!("Badge of {}", badge.display_name)>
            <p class="badge-event">{event_name}</p>
            <h2 class="badge-name">{badge.display_name.clone()}</h2>
            {(!badge.pronouns.is_empty()).then(|| view! { <p class="badge-pronouns">{badge.pronouns.clone()}</p> })}
            {badge.headline.clone().map(|h| view! { <p class="badge-headline">{h}</p> })}
            {badge.company.clone().map(|c| view! { <p class="badge-company">{c}</p> })}
            {(!badge.tags.is_empty()).then(|| view! {
                <ul class="chips badge-tags">
                    {badge.tags.iter().map(|t| view! { <li class="chip">{t.clone()}</li> }).collect_view()}
                </ul>
            })}
            <div class="badge-qr" inner_html=badge.qr_svg.clone()></div>
            <p class="badge-code">"Code " <strong>{badge.code.clone()}</strong></p>
            {(badge.role != Role::Attendee).then(|| view! { <p class="badge-role">{badge.role.label()}</p> })}
        </article>
    }
}

#[component]
pub fn MyBadgePage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let reissue = ServerAction::<ReissueBadge>::new();
    let approve = ServerAction::<SetApproveScans>::new();
    let badge = resource(
        move || (slug(), reissue.version().get(), approve.version().get()),
        |(s, _, _)| my_badge(s),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match badge.await {
                    Ok(b) => view! { <MyBadgeView b=b reissue=reissue approve=approve /> }.into_any(),
                    Err(e) => view! {
                        <PageTitle text="My badge · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}/badge", slug()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MyBadgeView(
    b: BadgePage,
    reissue: ServerAction<ReissueBadge>,
    approve: ServerAction<SetApproveScans>,
) -> impl IntoView {
    let slug = b.slug.clone();
    let (slug_approve, slug_reissue) = (slug.clone(), slug.clone());
    view! {
        <PageTitle text=format!("My badge · {} · Rapport", b.event_name) />
        <p class="eyebrow no-print"><a href=format!("/e/{slug}")>{b.event_name.clone()}</a></p>
        <h1 class="no-print">"My badge"</h1>
        <p class="no-print">"Anyone who scans this code with a phone camera, or with Rapport's scanner, is connected with you at once. "
            "Print it, or show it on your phone."</p>
        <div class="badge-single">
            <BadgeCard badge=b.badge.clone() event_name=b.event_name.clone() />
        </div>
        {b.checked_in_at.clone().map(|t| view! { <p class="no-print"><span class="badge ok">"Checked in"</span> " at " {t}</p> })}
        <p class="actions no-print">
            <PrintButton />
            <a class="button secondary" href=format!("/e/{slug}/scan")>"Scan a badge"</a>
            <a class="button secondary" href="/connections">"My connections"</a>
        </p>
        {b.runs_event.then(|| {
            let (sheets, check_in) = (format!("/e/{slug}/badges"), format!("/e/{slug}/scan?mode=check_in"));
            view! {
                <p class="no-print"><a href=sheets>"Print everyone's badges"</a>
                    " · " <a href=check_in>"Check people in"</a></p>
            }
        })}
        <section class="card no-print" aria-labelledby="approve-h">
            <h2 id="approve-h">"Approve scans"</h2>
            <ActionForm action=approve>
                <FormError error=action_error(approve) />
                <input type="hidden" name="slug" value=slug_approve />
                <div class="field checkbox">
                    <input type="checkbox" id="f-approve" name="approve" checked=b.approve_scans />
                    <label for="f-approve">"Ask me before a scan connects us"</label>
                </div>
                <button type="submit" class="secondary">"Save"</button>
            </ActionForm>
        </section>
        <section class="card no-print" aria-labelledby="reissue-h">
            <h2 id="reissue-h">"Lost your badge?"</h2>
            <p>"Get a new code. The old badge stops working at once; people already connected stay connected."</p>
            <ActionForm action=reissue>
                <FormError error=action_error(reissue) />
                <input type="hidden" name="slug" value=slug_reissue />
                <button type="submit" class="danger">"Replace my badge"</button>
            </ActionForm>
        </section>
    }
}

/// Sheets of badges for printing, organizers and staff only.
#[component]
pub fn BadgeSheetPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let q = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let reissue = ServerAction::<ReissueBadge>::new();
    let sheet = resource(
        move || (slug(), q("role"), q("paper"), reissue.version().get()),
        |(s, role, paper, _)| badge_sheet(s, role, paper),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match sheet.await {
                    Ok(sheet) => {
                        let slug = sheet.slug.clone();
                        let paper = sheet.paper;
                        let role = sheet.role;
                        let count = sheet.badges.len();
                        let event_name = sheet.event_name.clone();
                        view! {
                            <PageTitle text=format!("Badges · {} · Rapport", sheet.event_name) />
                            <div class="no-print">
                                <p class="eyebrow"><a href=format!("/e/{slug}")>{sheet.event_name.clone()}</a></p>
                                <h1>"Badges"</h1>
                                <form method="get" class="filters" aria-label="Badge sheet options">
                                    <div class="field">
                                        <label for="f-paper">"Paper"</label>
                                        <select id="f-paper" name="paper">
                                            <option value="a4" selected=paper == Paper::A4>"A4"</option>
                                            <option value="letter" selected=paper == Paper::Letter>"US Letter"</option>
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label for="f-role">"Who"</label>
                                        <select id="f-role" name="role">
                                            <option value="" selected=role.is_none()>"Everyone"</option>
                                            {[Role::Attendee, Role::Staff, Role::Organizer].into_iter().map(|r| view! {
                                                <option value=r.as_str() selected=role == Some(r)>{r.label()}</option>
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    <button type="submit" class="secondary">"Show"</button>
                                </form>
                                <p>{format!("{}. ", layout::count(count as u64, "badge", "badges"))}
                                    <PrintButton /></p>
                            </div>
                            <div class=format!("badge-sheet paper-{}", paper.as_str())>
                                {sheet.badges.into_iter().map(|b| {
                                    let slug = slug.clone();
                                    let user_id = b.user_id.clone();
                                    let name = b.display_name.clone();
                                    view! {
                                        <div class="sheet-cell">
                                            <BadgeCard badge=b event_name=event_name.clone() />
                                            <ActionForm action=reissue attr:class="no-print inline-form">
                                                <input type="hidden" name="slug" value=slug.clone() />
                                                <input type="hidden" name="user_id" value=user_id />
                                                <button type="submit" class="link-button">"Replace " {name} "'s badge"</button>
                                            </ActionForm>
                                        </div>
                                    }
                                }).collect_view()}
                            </div>
                        }
                        .into_any()
                    }
                    Err(e) => view! {
                        <PageTitle text="Badges · Rapport" />
                        <ErrorNotice error=e next=format!("/e/{}/badges", slug()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// The person a scan connected me with: who they are, why talk, how to
/// reach them (as far as they let me see).
#[component]
pub fn ContactCard(person: PersonCard, slug: String) -> impl IntoView {
    let contact: Vec<(&'static str, String)> = [
        ("Email", person.email.clone()),
        ("Phone", person.phone.clone()),
    ]
    .into_iter()
    .filter_map(|(l, v)| v.filter(|v| !v.is_empty()).map(|v| (l, v)))
    .collect();
    view! {
        <section class="card profile" aria-label=format!("{}'s card", person.display_name)>
            <div class="profile-head">
                <Avatar name=person.display_name.clone() photo_url=person.photo_url.clone() />
                <div>
                    <h2>{person.display_name.clone()}</h2>
                    {(!person.pronouns.is_empty()).then(|| view! { <p class="meta">{person.pronouns.clone()}</p> })}
                    {person.headline.clone().filter(|h| !h.is_empty()).map(|h| view! { <p>{h}</p> })}
                    {person.company.clone().filter(|c| !c.is_empty()).map(|c| view! { <p class="meta">{c}</p> })}
                </div>
            </div>
            {(!person.highlights.is_empty()).then(|| view! {
                <ul class="why">{person.highlights.iter().map(|h| view! { <li>{highlight_text(h)}</li> }).collect_view()}</ul>
            })}
            {(!contact.is_empty()).then(|| view! {
                <dl class="fields">
                    {contact.into_iter().map(|(l, v)| view! { <dt>{l}</dt><dd>{v}</dd> }).collect_view()}
                </dl>
            })}
            <p><a href=format!("/e/{slug}/p/{}", person.user_id)>"Full profile"</a>
                {person.connected.then(|| view! { " · " <a href=format!("/connections/{}/vcard", person.user_id)>"Save contact (vCard)"</a> })}</p>
        </section>
    }
}

/// My private note, rating and labels about a connection.
#[component]
pub fn NoteForm(user_id: String, note: NoteView) -> impl IntoView {
    let save = ServerAction::<SaveNote>::new();
    let id = format!("note-{user_id}");
    let saved = move || {
        save.value()
            .get()
            .is_some_and(|r| r.is_ok())
            .then(|| view! { <p class="notice" role="status">"Saved."</p> })
    };
    view! {
        <ActionForm action=save attr:class="note-form" attr:aria-label="My private note">
            <FormError error=action_error(save) />
            {saved}
            <input type="hidden" name="user_id" value=user_id.clone() />
            <div class="field">
                <label for=format!("{id}-text")>"Private note"</label>
                <textarea id=format!("{id}-text") name="note" rows="3" maxlength="2000">{note.note.clone()}</textarea>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for=format!("{id}-rating")>"Rating"</label>
                    <select id=format!("{id}-rating") name="rating">
                        <option value="" selected=note.rating.is_none()>"—"</option>
                        {(1..=5u8).map(|r| view! {
                            <option value=r.to_string() selected=note.rating == Some(r)>{"★".repeat(r as usize)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=format!("{id}-labels")>"Labels"</label>
                    <input id=format!("{id}-labels") name="labels" value=note.labels.clone() maxlength="330"
                        aria-describedby=format!("{id}-labels-hint") />
                    <p class="hint" id=format!("{id}-labels-hint")>"Comma-separated, e.g. lead, follow up"</p>
                </div>
            </div>
            <button type="submit" class="secondary">"Save note"</button>
        </ActionForm>
    }
}

/// What happened when I scanned a badge.
#[component]
pub fn ScanResultPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let result = resource(id, scan_result);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match result.await {
                    Ok(view) => view! { <ScanOutcomeView view=view /> }.into_any(),
                    Err(e) => view! {
                        <PageTitle text="Scan · Rapport" />
                        <ErrorNotice error=e next=format!("/scans/{}", id()) />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ScanOutcomeView(view: ScanView) -> impl IntoView {
    let join = ServerAction::<JoinFromScan>::new();
    let ok = view.outcome.succeeded();
    let slug = view.slug.clone().unwrap_or_default();
    let scanner = if view.mode.at_the_door() {
        format!("/e/{slug}/scan?mode={}", view.mode.as_str())
    } else {
        format!("/e/{slug}/scan")
    };
    // "Join the event to connect." would promise what the refusal denies.
    let refused = view.outcome == ScanOutcome::NotMember && view.join_refused.is_some();
    let headline = if refused {
        "You cannot join this event."
    } else {
        view.outcome.headline()
    };
    view! {
        <PageTitle text=format!("{headline} · Rapport") />
        <section class=if ok { "card scan-result ok" } else { "card scan-result refused" } aria-live="polite">
            {view.event_name.clone().map(|n| view! { <p class="eyebrow">{n}</p> })}
            <h1>{headline}</h1>
            {view.checked_in.clone().map(|(name, at)| view! {
                <p class="checked-in"><strong>{name}</strong> " — checked in at " {at}</p>
            })}
            <p>{view.outcome.detail()}</p>
            {(view.outcome == ScanOutcome::NotMember).then(|| match view.join_refused.clone() {
                // Joining would be refused (invite-only event, or removed):
                // say so plainly instead of offering a button that fails.
                Some(why) => view! {
                    <p class="join-refused" data-testid="join-refused"><strong>{why}</strong></p>
                }
                .into_any(),
                None => view! {
                <ActionForm action=join>
                    <FormError error=action_error(join) />
                    <input type="hidden" name="id" value=view.scan_id.clone() />
                    <button type="submit">"Join " {view.event_name.clone().unwrap_or_else(|| "the event".into())} " and connect"</button>
                </ActionForm>
                }
                .into_any(),
            })}
        </section>
        {view.person.clone().map(|p| view! { <ContactCard person=p slug=slug.clone() /> })}
        {view.person.clone().zip(view.note.clone()).map(|(p, n)| view! {
            <section class="card" aria-labelledby="note-h">
                <h2 id="note-h">"Remember this conversation"</h2>
                <NoteForm user_id=p.user_id note=n />
            </section>
        })}
        <p class="actions">
            {(!slug.is_empty()).then(|| view! { <a class="button" href=scanner.clone()>"Scan another badge"</a> })}
            <a class="button secondary" href="/connections">"My connections"</a>
        </p>
    }
}

/// Opens the browser's print dialog. A listener the app attaches, not an
/// inline `onclick`: the Content-Security-Policy allows no inline handlers.
#[component]
fn PrintButton() -> impl IntoView {
    let print = move |_| {
        if let Err(e) = window().print() {
            leptos::logging::error!("printing failed: {e:?}");
        }
    };
    view! { <button type="button" class="button" on:click=print>"Print"</button> }
}

/// Confirms a badge link before connecting (a link from another site, or
/// after the scan limit was hit).
#[component]
pub fn ConnectPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let limited = move || query.read().get("limited").is_some();
    let failed = move || query.read().get("failed").is_some();
    let connect = ServerAction::<ConnectBadge>::new();
    view! {
        <PageTitle text="Connect · Rapport" />
        <section class="card">
            <h1>"Connect with this badge's owner?"</h1>
            {move || limited().then(|| view! { <p class="form-error" role="alert">"You scanned many badges in a short time. Wait a moment, then connect."</p> })}
            {move || failed().then(|| view! { <p class="form-error" role="alert">"That did not work. Please try again."</p> })}
            <p>"You opened a link to a Rapport badge. Connecting shares your contact details with its owner, as your visibility settings allow."</p>
            <ActionForm action=connect>
                <FormError error=action_error(connect) />
                <input type="hidden" name="token" value=token />
                <button type="submit">"Connect"</button>
            </ActionForm>
        </section>
    }
}
