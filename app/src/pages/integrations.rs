//! An event's integrations page (`/e/<slug>/integrations`), for organizers:
//! create and revoke API tokens, register webhooks, and see how recent
//! webhook deliveries went. A new token or secret is shown once, above the
//! lists, until the page is left.

use crate::api::integrations::{
    integrations_overview, CreateApiToken, CreateWebhook, CreatedSecret, DeleteWebhook,
    IntegrationsView, RevokeApiToken,
};
use crate::components::forms::{action_error, Field, FormError};
use crate::components::layout::{self, ErrorNotice};
use crate::components::resource::resource;
use crate::components::title::PageTitle;
use crate::domain::WebhookKind;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let create_token = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let create_hook = ServerAction::<CreateWebhook>::new();
    let delete_hook = ServerAction::<DeleteWebhook>::new();
    let page = resource(
        move || {
            (
                slug(),
                create_token.version().get(),
                revoke.version().get(),
                create_hook.version().get(),
                delete_hook.version().get(),
            )
        },
        |(s, ..)| integrations_overview(s),
    );
    let new_token = Signal::derive(move || create_token.value().get().and_then(Result::ok));
    let new_secret = Signal::derive(move || create_hook.value().get().and_then(Result::ok));
    view! {
        <PageTitle text="Integrations · Rapport" />
        <div class="integrations">
        <h1>"Integrations"</h1>
        <ShownOnce created=new_token testid="new-token" />
        <ShownOnce created=new_secret testid="new-webhook-secret" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! {
                        <IntegrationsBody page=p create_token revoke create_hook delete_hook />
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorNotice error=e next=format!("/e/{}/integrations", slug()) /> }
                        .into_any(),
                }
            })}
        </Suspense>
        </div>
    }
}

/// A secret just created, with the warning that it will not be shown again.
#[component]
fn ShownOnce(created: Signal<Option<CreatedSecret>>, testid: &'static str) -> impl IntoView {
    move || {
        created.get().map(|c| {
            view! {
                <div class="card secret" role="status">
                    <p><strong>{c.label}</strong></p>
                    <p>"Copy it now: it is not shown again."</p>
                    <p><code data-testid=testid>{c.secret}</code></p>
                </div>
            }
        })
    }
}

#[component]
fn IntegrationsBody(
    page: IntegrationsView,
    create_token: ServerAction<CreateApiToken>,
    revoke: ServerAction<RevokeApiToken>,
    create_hook: ServerAction<CreateWebhook>,
    delete_hook: ServerAction<DeleteWebhook>,
) -> impl IntoView {
    let slug = page.slug.clone();
    let (s1, s2, s3, s4) = (slug.clone(), slug.clone(), slug.clone(), slug.clone());
    view! {
        <p class="meta">
            <a href=format!("/e/{slug}")>{page.event_name.clone()}</a>
            " · Other systems (ticketing, CRM, badge printers) reach this event through the "
            <a href="/api/v1/openapi.json">"REST API"</a>
            " with a token, and hear about what happens through webhooks."
        </p>
        <section class="card" aria-labelledby="tokens-h">
            <h2 id="tokens-h">"API tokens"</h2>
            <p>"A token reads and imports this event's attendees, rooms and statistics. Send it as "<code>"Authorization: Bearer <token>"</code>"."</p>
            {if page.tokens.is_empty() {
                view! { <p>"No tokens yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list" aria-label="API tokens">
                        {page.tokens.into_iter().map(|t| {
                            let s = s1.clone();
                            let revoked = t.revoked.is_some();
                            view! {
                                <li data-testid="api-token">
                                    <strong>{t.name.clone()}</strong> " " <code>{format!("{}…", t.prefix)}</code>
                                    <span class="meta">
                                        {format!(" · created {}", t.created)}
                                        {t.last_used.map(|u| format!(" · last used {u}")).unwrap_or_else(|| " · never used".into())}
                                        {t.revoked.map(|r| format!(" · revoked {r}"))}
                                    </span>
                                    {(!revoked).then(|| view! {
                                        <ActionForm action=revoke>
                                            <input type="hidden" name="slug" value=s.clone() />
                                            <input type="hidden" name="token_id" value=t.id.clone() />
                                            <button type="submit" class="secondary" aria-label=format!("Revoke {}", t.name)>"Revoke"</button>
                                        </ActionForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ActionForm action=create_token>
                <FormError error=action_error(create_token) />
                <FormError error=action_error(revoke) />
                <input type="hidden" name="slug" value=s2 />
                <Field name="name" label="Token name" required=true maxlength=80 hint="What uses it, e.g. “Ticketing sync”." />
                <button type="submit">"Create token"</button>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="hooks-h">
            <h2 id="hooks-h">"Webhooks"</h2>
            <p>"Rapport sends a signed JSON POST to each address for what it subscribes to, and retries for a few hours when it fails."</p>
            <ul class="plain-list" aria-label="Webhooks">
                {page.webhooks.into_iter().map(|w| {
                    let s = s3.clone();
                    view! {
                        <li data-testid="webhook">
                            <code>{w.url.clone()}</code>
                            <span class="meta">{format!(" · {} · added {}", w.kinds.join(", "), w.created)}</span>
                            <ActionForm action=delete_hook>
                                <input type="hidden" name="slug" value=s />
                                <input type="hidden" name="webhook_id" value=w.id.clone() />
                                <button type="submit" class="secondary" aria-label=format!("Remove the webhook {}", w.url)>"Remove"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ActionForm action=create_hook>
                <FormError error=action_error(create_hook) />
                <FormError error=action_error(delete_hook) />
                <input type="hidden" name="slug" value=s4 />
                <Field name="url" label="Address" kind="url" required=true hint="The full address, starting with https://." />
                <fieldset>
                    <legend>"Send"</legend>
                    {WebhookKind::ALL.into_iter().map(|k| {
                        let name = k.as_str().replace('.', "_");
                        let id = format!("f-{name}");
                        view! {
                            <div class="field checkbox">
                                <input id=id.clone() type="checkbox" name=name value="on" checked=true />
                                <label for=id>{format!("{} ({})", k.label(), k.as_str())}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit">"Add webhook"</button>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="deliveries-h">
            <h2 id="deliveries-h">"Recent deliveries"</h2>
            {if page.deliveries.is_empty() {
                view! { <p>"None yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list" aria-label="Recent deliveries">
                        {page.deliveries.into_iter().map(|d| view! {
                            <li data-testid="delivery">
                                <strong>{d.status.clone()}</strong>
                                {format!(" · {} to {} · {} · {}", d.kind, d.url, d.created, layout::count(d.attempts as u64, "attempt", "attempts"))}
                                {d.next_attempt.filter(|_| d.status == "pending").map(|n| format!(" · next {n}"))}
                                {d.last_error.map(|e| view! { <span class="meta">{format!(" · last error: {e}")}</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
