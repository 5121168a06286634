//! The organizer dashboard's server function: is this event's crowd
//! actually meeting? Organizers and staff only. Who may see it and how the
//! numbers are computed is decided in `service::dashboard`; the view types
//! live in [`crate::domain`] and are re-exported here so pages name them
//! beside the function that returns them.

pub use crate::domain::{Bar, BusyRoom, DashboardView, NetworkHealth, HOURS};

use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::context;

/// The event's dashboard; organizers and staff only.
#[server(prefix = "/api", endpoint = "dashboard")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn dashboard(slug: String) -> Result<DashboardView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    crate::service::dashboard::dashboard_of(&state, me.id, &slug).await
}
