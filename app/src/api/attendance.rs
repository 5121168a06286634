//! Checking myself in and out at the venue ("I'm here" / "I'm leaving"),
//! and reading whether I am here. The rules (event days only, what "here"
//! means) are in [`service::attendance`](crate::service::attendance).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{api::context, domain::Movement};

/// Whether I am at the venue, as my event page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceView {
    /// Since when I am here today, in the event's time zone ("09:12");
    /// `None` when I am not checked in.
    pub here_since: Option<String>,
}

#[cfg(feature = "ssr")]
async fn presence_view(
    state: &crate::state::AppState,
    slug: &str,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<PresenceView, AppError> {
    let event = crate::service::events::event_at(state, slug).await?;
    Ok(PresenceView {
        here_since: since.map(|t| {
            t.with_timezone(&crate::service::attendance::time_zone(&event))
                .format("%H:%M")
                .to_string()
        }),
    })
}

/// Whether I am checked in at the event at `slug` today.
#[server(prefix = "/api", endpoint = "my_presence")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn my_presence(slug: String) -> Result<PresenceView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let since = crate::service::attendance::my_check_in(&state, me.id, &slug).await?;
    presence_view(&state, &slug, since).await
}

/// I arrive (`movement` "in") or leave ("out").
#[server(prefix = "/api", endpoint = "set_my_presence")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn set_my_presence(slug: String, movement: String) -> Result<PresenceView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let movement = Movement::parse(&movement)?;
    let since = crate::service::attendance::move_myself(&state, me.id, &slug, movement).await?;
    presence_view(&state, &slug, since).await
}
