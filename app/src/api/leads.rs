//! The leads page of sponsors and exhibitors (`/e/<slug>/leads`). An
//! organizer marks a member as a sponsor or exhibitor in the settings; that
//! member then sees the event's numbers as counts only (members, check-ins,
//! connections, what the audience is into), and by name only the people
//! who connected with them: connecting — a badge scan at the booth, or
//! mutual interest — is the attendee's consent to be a lead. Their CSV is
//! the connections download limited to this event. Who may see what is
//! decided in `service::leads`; the view types live in [`crate::domain`]
//! and are re-exported here.

pub use crate::domain::{Lead, LeadsView};

use crate::error::AppError;
use leptos::prelude::*;

/// The caller's leads page. Sponsors and exhibitors, and the organizers
/// and staff (who see the event's numbers anyway); other members get 403.
#[server(prefix = "/api", endpoint = "exhibitor_leads")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn exhibitor_leads(slug: String) -> Result<LeadsView, AppError> {
    let me = crate::api::context::require_user().await?;
    let state = crate::api::context::state()?;
    crate::service::leads::leads_of(&state, me.id, &slug).await
}
