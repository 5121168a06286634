//! Attendee import from CSV, and the personal invitation each imported
//! person answers (`/claim/<token>`): the wire types of the import pages
//! and their server functions. The rules — what a file means, whom an
//! import invites and how, what a personal link does — are in
//! [`crate::service::imports`], shared with `rapport import` and
//! `/api/v1/members/import`; these functions check that the caller is an
//! organizer of the event (or holds the link), call it, and shape the
//! answer.
//!
//! In the browser (`/e/<slug>/import`) the file is uploaded by a plain
//! multipart form to an axum route (`server/src/imports.rs`), which keeps
//! it in the database and opens `/e/<slug>/import/<upload>`: the dry run,
//! a confirm button, then the result. The server functions below serve
//! those pages.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The report the import pages show; built by the rules, so it lives in
/// [`crate::domain`].
pub use crate::domain::ImportReport;
use crate::domain::{InvitationStatus, Role};
/// The file limits, re-exported for the pages' callers and the tests.
#[cfg(feature = "ssr")]
pub use crate::service::imports::{MAX_ROWS, MAX_UPLOAD_BYTES};
#[cfg(feature = "ssr")]
use crate::{
    api::context,
    ports::Invitation,
    service::imports::{self, Invited},
};

/// What a personal invitation link shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimView {
    /// The invited account's name and address, for a new account (whoever
    /// opens the link is about to set its password); empty for an account
    /// that existed, whose owner answers signed in.
    pub display_name: String,
    pub email: String,
    pub event_name: String,
    pub slug: String,
    /// The role accepting gives.
    pub role: Role,
    /// The account existed before the import: its owner logs in and
    /// accepts or declines, instead of setting a password.
    pub answer_signed_in: bool,
    /// Signed in as the invited account: the page shows Accept / Decline.
    pub signed_in_as_invited: bool,
}

/// An invitation as the organizer sees it on the import page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub link: String,
    pub status: InvitationStatus,
    /// Why sending failed; empty otherwise.
    pub detail: String,
}

/// The import page: the upload form's limits and the invitations so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPageView {
    pub slug: String,
    pub event_name: String,
    /// Whether invitations go out by mail (else they wait in the outbox).
    pub sends_mail: bool,
    pub invitations: Vec<InvitationView>,
    pub max_rows: usize,
    pub max_megabytes: usize,
}

/// One uploaded file: its dry run while waiting for confirmation, its
/// result once imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadView {
    pub id: String,
    pub file_name: String,
    /// `true` once imported: `report` is the result, not the plan.
    pub done: bool,
    /// Someone confirmed it and the import is running.
    pub running: bool,
    pub report: ImportReport,
}

#[cfg(feature = "ssr")]
fn invitation_view(i: Invitation) -> InvitationView {
    InvitationView {
        id: i.id.to_string(),
        name: i.name,
        email: i.email,
        link: i.link,
        status: i.status,
        detail: i.detail,
    }
}

#[cfg(feature = "ssr")]
fn parse_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::NotFound("There is no such import or invitation.".into()))
}

/// The import page of an event: the upload form's limits and every
/// invitation with its delivery state. Organizers only.
#[server(prefix = "/api", endpoint = "import_page")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn import_page(slug: String) -> Result<ImportPageView, AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let event = crate::service::events::organizer_event(&state, &slug, user.id).await?;
    let invitations = state.store.invitations(event.id).await?;
    Ok(ImportPageView {
        slug: event.slug.as_str().to_owned(),
        event_name: event.name,
        sends_mail: state.postman.sends_mail(),
        invitations: invitations.into_iter().map(invitation_view).collect(),
        max_rows: MAX_ROWS,
        max_megabytes: MAX_UPLOAD_BYTES / (1024 * 1024),
    })
}

/// An uploaded file: the dry run while it waits for confirmation, the
/// result once imported. Organizers of the event only.
#[server(prefix = "/api", endpoint = "import_preview")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn import_preview(slug: String, upload: String) -> Result<UploadView, AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let event = crate::service::events::organizer_event(&state, &slug, user.id).await?;
    let store = state.store.as_ref();
    let upload = imports::upload(store, &event, parse_id(&upload)?).await?;
    let (done, report) = imports::upload_report(store, &event, &upload).await?;
    Ok(UploadView {
        id: upload.id.to_string(),
        file_name: upload.file_name,
        done,
        running: upload.running,
        report,
    })
}

/// Imports a previewed file for real (once, however often it is
/// confirmed), in the background ([`imports::confirm`] says how).
/// Organizers only.
#[server(prefix = "/api", endpoint = "confirm_import")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn confirm_import(slug: String, upload: String) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let event = crate::service::events::organizer_event(&state, &slug, user.id).await?;
    let id = parse_id(&upload)?;
    imports::confirm(state, event, id).await
}

/// Sends one invitation again (after a failure, or to someone who lost
/// it), in the background. Organizers only.
#[server(prefix = "/api", endpoint = "resend_invitation")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn resend_invitation(slug: String, invitation: String) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let event = crate::service::events::organizer_event(&state, &slug, user.id).await?;
    let id = parse_id(&invitation)?;
    imports::resend(&state, event, id).await
}

/// What a personal invitation link opens: a claim (a new account sets its
/// password, which accepts the invitation) or an offer to an existing
/// account (its owner, signed in, accepts or declines).
#[server(prefix = "/api", endpoint = "claim_info")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn claim_info(token: String) -> Result<ClaimView, AppError> {
    let state = context::state()?;
    let me = context::current_user().await?.map(|u| u.id);
    Ok(match imports::invited_by(&state, &token).await? {
        Invited::NewAccount { user, event, role } => ClaimView {
            role,
            signed_in_as_invited: me == Some(user.id),
            display_name: user.display_name,
            email: user.email.as_str().to_owned(),
            slug: event.slug.as_str().to_owned(),
            event_name: event.name,
            answer_signed_in: false,
        },
        Invited::Existing { user, event, role } => ClaimView {
            display_name: String::new(),
            email: String::new(),
            slug: event.slug.as_str().to_owned(),
            event_name: event.name,
            role,
            answer_signed_in: true,
            signed_in_as_invited: me == Some(user),
        },
    })
}

/// Sets the password of an imported account from its invitation, which
/// accepts the invitation (the role it offers, as the page showed), signs
/// in, and opens the event.
#[server(prefix = "/api", endpoint = "claim_account")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn claim_account(token: String, password: String) -> Result<(), AppError> {
    let state = context::state()?;
    let (user, event) = imports::set_claimed_password(&state, &token, &password).await?;
    context::sign_in(user).await?;
    let target = imports::accept_claimed(&state, event, user).await?;
    leptos_axum::redirect(&target);
    Ok(())
}
