//! Following up, across events: a connection's timeline (where and when we
//! met, meetings, my note and reminders), "keep in touch" (connections I
//! have not been in touch with for a while), reminders on notes, and the
//! digest opt-in. Thin: the rules are in `service/follow_up.rs`.

pub use crate::domain::{KeepInTouchView, TimelineView};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{api::context, service::follow_up, service::profiles::parse_user_id};

/// The timeline of my connection with `user_id`. Not found for anyone I
/// am not connected with.
#[server(prefix = "/api", endpoint = "connection_timeline")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn connection_timeline(user_id: String) -> Result<TimelineView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let other = parse_user_id(&user_id).map_err(|_| follow_up::not_a_connection())?;
    follow_up::timeline(&state, me.id, other, chrono::Utc::now()).await
}

/// My connections I have not been in touch with for `days` days (30 when
/// absent or not a number), oldest first.
#[server(prefix = "/api", endpoint = "keep_in_touch")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn keep_in_touch(days: Option<String>) -> Result<KeepInTouchView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let days = days
        .as_deref()
        .and_then(|d| d.trim().parse().ok())
        .unwrap_or(follow_up::DEFAULT_QUIET_DAYS);
    follow_up::keep_in_touch(&state, me.id, days, chrono::Utc::now()).await
}

/// Adds a reminder (`text`, due on `due_on`, `YYYY-MM-DD`) on my note about
/// `user_id`, a connection of mine.
#[server(prefix = "/api", endpoint = "add_reminder")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn add_reminder(user_id: String, text: String, due_on: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let other = parse_user_id(&user_id).map_err(|_| follow_up::not_a_connection())?;
    follow_up::add_reminder(&state, me.id, other, &text, &due_on, chrono::Utc::now()).await
}

/// Ticks off one of my reminders.
#[server(prefix = "/api", endpoint = "finish_reminder")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn finish_reminder(id: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    follow_up::finish_reminder(&state, me.id, &id).await
}

/// Whether I get the follow-up digest after each event day.
#[server(prefix = "/api", endpoint = "digest_setting")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn digest_setting() -> Result<bool, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    Ok(state.store.digest_opt_in(me.id).await?)
}

/// Turns the follow-up digest on (`digest` = "on", a checked box) or off
/// (absent).
#[server(prefix = "/api", endpoint = "set_digest")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn set_digest(digest: Option<String>) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let on = digest
        .as_deref()
        .is_some_and(|v| !v.is_empty() && v != "off");
    Ok(state.store.set_digest_opt_in(me.id, on).await?)
}
