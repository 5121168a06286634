//! The integrations page of an event (`/e/<slug>/integrations`), for its
//! organizers: API tokens for the public REST API (`/api/v1`, served by
//! `server/src/api_v1/`) and webhook endpoints with their recent deliveries.
//!
//! A token or webhook secret is shown once, in the answer to the call that
//! created it; only the token's SHA-256 is stored (see `service::tokens`), and a
//! webhook secret is stored but never listed again.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    domain::{OneLineText, Role, WebhookKind, WebhookUrl},
    ports::{Event, NewApiToken, NewWebhook, StoreError},
    service::tokens,
    state::AppState,
};

/// One API token as the page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    pub id: String,
    pub name: String,
    /// The token's first characters ("rpt_Ab3dE9xZ").
    pub prefix: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
}

/// One webhook endpoint as the page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    /// Wire names of the notifications it receives.
    pub kinds: Vec<String>,
    pub created: String,
}

/// One recent delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: String,
    pub url: String,
    pub kind: String,
    /// "pending", "delivered" or "failed".
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created: String,
    /// When the next attempt is due (pending ones).
    pub next_attempt: Option<String>,
}

/// Everything the integrations page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationsView {
    pub event_name: String,
    pub slug: String,
    pub tokens: Vec<ApiTokenView>,
    pub webhooks: Vec<WebhookView>,
    pub deliveries: Vec<DeliveryView>,
}

/// A secret just created, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedSecret {
    /// What it belongs to ("API token “Ticketing”", or the webhook's URL).
    pub label: String,
    pub secret: String,
}

/// How many recent deliveries the page lists.
pub const RECENT_DELIVERIES: u32 = 25;

/// The event at `slug`, if the signed-in caller organizes it.
#[cfg(feature = "ssr")]
async fn organized(
    state: &AppState,
    slug: &str,
) -> Result<(Event, crate::domain::UserId), AppError> {
    let me = context::require_user().await?;
    let event = crate::service::events::event_at(state, slug).await?;
    if state.store.member_role(event.id, me.id).await? != Some(Role::Organizer) {
        return Err(AppError::Forbidden(
            "Only the event's organizers manage its integrations.".into(),
        ));
    }
    Ok((event, me.id))
}

#[cfg(feature = "ssr")]
fn when(event: &Event, at: chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::local_time(&event.time_zone, at)
}

/// Without JavaScript, a plain form post gets the page back. (Creating a
/// token or webhook answers with the secret itself instead: a secret never
/// goes into a URL.)
#[cfg(feature = "ssr")]
fn back_to_page(event: &Event) {
    if context::is_plain_form_post() {
        leptos_axum::redirect(&format!("/e/{}/integrations", event.slug.as_str()));
    }
}

#[cfg(feature = "ssr")]
fn bad_id(field: &str) -> AppError {
    AppError::NotFound(format!("That {field} does not exist."))
}

/// The integrations page of the event at `slug`; organizers only.
#[server(prefix = "/api", endpoint = "integrations_overview")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn integrations_overview(slug: String) -> Result<IntegrationsView, AppError> {
    let state = context::state()?;
    let (event, _) = organized(&state, &slug).await?;
    let tokens = state
        .store
        .api_tokens(event.id)
        .await?
        .into_iter()
        .map(|t| ApiTokenView {
            id: t.id.to_string(),
            name: t.name,
            prefix: t.prefix,
            created: when(&event, t.created_at),
            last_used: t.last_used_at.map(|at| when(&event, at)),
            revoked: t.revoked_at.map(|at| when(&event, at)),
        })
        .collect();
    let webhooks = state
        .store
        .webhooks(event.id)
        .await?
        .into_iter()
        .map(|w| WebhookView {
            id: w.id.to_string(),
            url: w.url,
            kinds: w.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
            created: when(&event, w.created_at),
        })
        .collect();
    let deliveries = state
        .store
        .recent_deliveries(event.id, RECENT_DELIVERIES)
        .await?
        .into_iter()
        .map(|d| DeliveryView {
            id: d.id.to_string(),
            url: d.url,
            kind: d.kind.as_str().to_owned(),
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            last_error: d.last_error,
            created: when(&event, d.created_at),
            next_attempt: d.next_attempt_at.map(|at| when(&event, at)),
        })
        .collect();
    Ok(IntegrationsView {
        event_name: event.name,
        slug: event.slug.as_str().to_owned(),
        tokens,
        webhooks,
        deliveries,
    })
}

/// Creates an API token for the event at `slug` and returns it (shown once).
#[server(prefix = "/api", endpoint = "create_api_token")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn create_api_token(slug: String, name: String) -> Result<CreatedSecret, AppError> {
    let state = context::state()?;
    let (event, me) = organized(&state, &slug).await?;
    let name = OneLineText::<1, 80>::parse("name", &name)?.into_inner();
    let token = tokens::api_token();
    let created = state
        .store
        .create_api_token(&NewApiToken {
            event: event.id,
            created_by: me,
            name: name.clone(),
            prefix: token[..tokens::API_TOKEN_SHOWN].to_owned(),
            token_hash: tokens::api_token_hash(&token),
        })
        .await?;
    tracing::info!(event = %event.id, token = %created.id, "API token created");
    Ok(CreatedSecret {
        label: format!("API token “{name}”"),
        secret: token,
    })
}

/// Revokes an API token of the event at `slug`; it stops working at once.
#[server(prefix = "/api", endpoint = "revoke_api_token")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn revoke_api_token(slug: String, token_id: String) -> Result<(), AppError> {
    let state = context::state()?;
    let (event, _) = organized(&state, &slug).await?;
    let id: uuid::Uuid = token_id.trim().parse().map_err(|_| bad_id("token"))?;
    state
        .store
        .revoke_api_token(event.id, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => bad_id("token"),
            other => other.into(),
        })?;
    tracing::info!(event = %event.id, token = %id, "API token revoked");
    back_to_page(&event);
    Ok(())
}

/// Registers a webhook: `url` receives the chosen notifications (each of
/// the three checkboxes is "on" when ticked). Returns the signing secret.
#[server(prefix = "/api", endpoint = "create_webhook")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn create_webhook(
    slug: String,
    url: String,
    connection_created: Option<String>,
    checkin: Option<String>,
    member_joined: Option<String>,
) -> Result<CreatedSecret, AppError> {
    let state = context::state()?;
    let (event, _) = organized(&state, &slug).await?;
    let url = WebhookUrl::parse(&url)?;
    if url.names_private_host() && !state.config.webhooks_allow_private {
        return Err(AppError::Invalid {
            field: "url".into(),
            message: "Webhooks go to public addresses only, not to this server's own network. \
                      The server's administrator can allow private addresses \
                      (RAPPORT_WEBHOOKS_ALLOW_PRIVATE)."
                .into(),
        });
    }
    let ticked = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty() && v != "off");
    let kinds: Vec<WebhookKind> = [
        (WebhookKind::ConnectionCreated, &connection_created),
        (WebhookKind::Checkin, &checkin),
        (WebhookKind::MemberJoined, &member_joined),
    ]
    .into_iter()
    .filter(|(_, v)| ticked(v))
    .map(|(k, _)| k)
    .collect();
    if kinds.is_empty() {
        return Err(AppError::Invalid {
            field: "kinds".into(),
            message: "Choose at least one kind of notification.".into(),
        });
    }
    let secret = tokens::webhook_secret();
    let hook = state
        .store
        .create_webhook(&NewWebhook {
            event: event.id,
            url,
            kinds,
            secret: secret.clone(),
        })
        .await?;
    tracing::info!(event = %event.id, webhook = %hook.id, "webhook registered");
    Ok(CreatedSecret {
        label: format!("Webhook {}", hook.url),
        secret,
    })
}

/// Removes a webhook of the event at `slug` (and its deliveries).
#[server(prefix = "/api", endpoint = "delete_webhook")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn delete_webhook(slug: String, webhook_id: String) -> Result<(), AppError> {
    let state = context::state()?;
    let (event, _) = organized(&state, &slug).await?;
    let id: uuid::Uuid = webhook_id.trim().parse().map_err(|_| bad_id("webhook"))?;
    state
        .store
        .delete_webhook(event.id, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => bad_id("webhook"),
            other => other.into(),
        })?;
    tracing::info!(event = %event.id, webhook = %id, "webhook removed");
    back_to_page(&event);
    Ok(())
}
