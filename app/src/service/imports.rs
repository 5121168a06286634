//! Attendee import: the one place that decides what a CSV file means, who
//! an import invites and how, and what a personal invitation link
//! (`/claim/<token>`) does. The browser's import pages (the server
//! functions of `api::imports`), `rapport import` (`server/src/cli.rs`) and
//! `POST /api/v1/members/import` all call these functions; none of them
//! re-implements a rule.
//!
//! An import happens in two steps. [`plan_import`] reads the whole file
//! first (the rules of a file are in `imports/plan.rs`): each line becomes
//! a valid row or a skip with its reason, and a malformed file is refused
//! before anything is written. [`preview_import`] is the dry run the
//! browser shows before the organizer confirms: the same report, computed
//! without writing. [`run_import`] then invites everyone and records one
//! invitation per person; the caller hands them to the
//! [`Postman`](crate::ports::Postman), which mails them (SMTP
//! configured) or writes them to the outbox folder, in the background.
//!
//! An import invites; it never takes anyone over (issue 15). Nobody is made
//! a member, or given a role, without accepting it:
//!
//! - an address that already has an account gets an *offer* of membership
//!   with the row's role: nothing of it shows in the event (no directory
//!   entry, no export, no role) until its owner accepts — on their "My
//!   events" page or from the personal link — and declining leaves nothing;
//!   their profile is never touched;
//! - an address without an account gets a new account (no usable password
//!   yet, the row's company and tags as its profile) and the same offer;
//!   its link sets a password, and the claim page shows the event and the
//!   role that setting the password accepts.
//!
//! The answer never tells whether an address has an account: both kinds
//! count as `invited`, both links look alike (`/claim/<random token>`),
//! neither appears among the event's members before accepting, and the dry
//! run counts the same way. The only skips that depend on the database are
//! people who are members of this event already or whom its organizers
//! removed — people those organizers know about anyway. What remains is
//! the personal link itself: it asks a new account for a password and an
//! existing one to log in. The link is its recipient's secret (an
//! organizer holds it only when forwarding outbox files), so an organizer
//! who opens someone's link can tell; nothing they are shown does.
//!
//! Hashing the unusable and the claimed passwords uses
//! [`crate::service::password`], the one Argon2 setup.

use crate::{
    domain::{
        EventId, ImportReport, InvitationStatus, Password, ProfileForm, ProfileInput, Role, UserId,
    },
    error::AppError,
    ports::{Event, ImportUpload, Invitation, NewInvitation, NewUser, Store, StoreError, User},
    service::password,
    service::tokens,
    state::AppState,
};

mod plan;
pub use plan::{plan_import, ImportPlan, ImportRow, MAX_ROWS, MAX_UPLOAD_BYTES};

/// Rows imported at once.
const IMPORT_CONCURRENCY: usize = 8;

/// Invites the planned rows to `event`, calling `progress` after each:
/// everyone is offered a membership with their row's role. New accounts
/// get a password nobody knows (one random Argon2 hash per import) and a
/// link to set one, which accepts the offer; existing accounts get a link
/// to answer it (their profile is theirs). Returns the report and the
/// invitations recorded (pending), for the
/// [`Postman`](crate::ports::Postman) to deliver.
pub async fn run_import(
    store: &dyn Store,
    public_url: &str,
    event: &Event,
    plan: ImportPlan,
    mut progress: impl FnMut(usize),
) -> Result<(ImportReport, Vec<Invitation>), AppError> {
    let mut report = ImportReport {
        skipped: plan.skipped,
        ignored_columns: plan.ignored_columns,
        ..ImportReport::default()
    };
    let mut invitations = Vec::new();
    let unusable = password::hash(
        Password::parse(&format!(
            "{}{}",
            tokens::invite_token(),
            tokens::invite_token()
        ))
        .map_err(|_| AppError::Internal)?,
    )
    .await?;
    // Rows are independent (the plan has no email twice), so several run at
    // once: on PostgreSQL each waits mostly on its commits, and concurrent
    // commits share the disk flushes. SQLite's single writer takes them in
    // turn. `buffered` hands the outcomes back in file order.
    use futures_util::stream::{self, StreamExt};
    let unusable = &unusable;
    let mut outcomes = stream::iter(plan.rows)
        .map(|row| async move {
            let outcome = match import_one(store, public_url, event, &row, unusable).await {
                Ok((user, link)) => store
                    .save_invitation(&NewInvitation {
                        event: event.id,
                        user,
                        name: row.name.as_str().to_owned(),
                        email: row.email.as_str().to_owned(),
                        link,
                    })
                    .await
                    .map_err(AppError::from),
                Err(e) => Err(e),
            };
            (row, outcome)
        })
        .buffered(IMPORT_CONCURRENCY);
    let mut done = 0;
    while let Some((row, outcome)) = outcomes.next().await {
        done += 1;
        match outcome {
            Ok(invitation) => {
                report.invited += 1;
                report.invitations.push((
                    row.name.as_str().to_owned(),
                    row.email.as_str().to_owned(),
                    invitation.link.clone(),
                ));
                invitations.push(invitation);
            }
            Err(AppError::Internal) => return Err(AppError::Internal),
            Err(e) => report.skipped.push((row.line, e.to_string())),
        }
        progress(done);
    }
    report.skipped.sort();
    Ok((report, invitations))
}

/// The dry run: what [`run_import`] would report for `plan`, computed
/// without writing anything (links are left out: none exist yet).
pub async fn preview_import(
    store: &dyn Store,
    event: &Event,
    plan: ImportPlan,
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport {
        skipped: plan.skipped,
        ignored_columns: plan.ignored_columns,
        ..ImportReport::default()
    };
    for row in plan.rows {
        if let Some(user) = store.user_by_email(&row.email).await? {
            if let Some(reason) = not_invitable(store, event, user.id).await? {
                report.skipped.push((row.line, reason));
                continue;
            }
        }
        report.invited += 1;
        report.invitations.push((
            row.name.as_str().to_owned(),
            row.email.as_str().to_owned(),
            String::new(),
        ));
    }
    report.skipped.sort();
    Ok(report)
}

/// Why an existing account is not invited again: a member of the event
/// already (with this role or another: roles of members change on the
/// settings page), or removed by its organizers. Both are people this
/// event's organizers know about, so saying it reveals nothing.
async fn not_invitable(
    store: &dyn Store,
    event: &Event,
    user: UserId,
) -> Result<Option<String>, AppError> {
    if store.member_role(event.id, user).await?.is_some() {
        return Ok(Some("Already a member of this event.".into()));
    }
    if store.was_removed(event.id, user).await? {
        return Ok(Some(
            "Removed from this event by its organizers: let them back in on the settings page first."
                .into(),
        ));
    }
    Ok(None)
}

/// The refusal of a row, as the report words it (a skip, not a failure).
fn skip(reason: String) -> AppError {
    AppError::Conflict(reason)
}

/// One row: the invited account and its personal link, or a skip
/// ([`AppError::Conflict`] with the reason).
async fn import_one(
    store: &dyn Store,
    public_url: &str,
    event: &Event,
    row: &ImportRow,
    unusable: &crate::ports::PasswordHash,
) -> Result<(UserId, String), AppError> {
    let existing = match store.user_by_email(&row.email).await? {
        Some(user) => Some(user),
        None => {
            match store
                .create_user(NewUser {
                    email: row.email.clone(),
                    display_name: row.name.clone(),
                    password_hash: unusable.clone(),
                })
                .await
            {
                Ok(user) => return set_up_new_account(store, public_url, event, row, user).await,
                // Signed up a moment ago: an existing account after all.
                Err(StoreError::Conflict(_)) => store.user_by_email(&row.email).await?,
                Err(e) => return Err(e.into()),
            }
        }
    };
    let user = existing.ok_or(AppError::Internal)?;
    if let Some(reason) = not_invitable(store, event, user.id).await? {
        return Err(skip(reason));
    }
    // Only an offer: they are not a member, and nothing of their profile
    // shows in the event, until they accept.
    let offer = store
        .offer_membership(&tokens::invite_token(), event.id, user.id, row.role)
        .await
        .map_err(|e| match e {
            StoreError::Conflict("removed") | StoreError::Conflict("membership") => {
                skip("Already a member of this event.".into())
            }
            other => other.into(),
        })?;
    // An account an earlier import created, never claimed, cannot log in
    // to answer: it gets a link that sets its password (and accepts) too.
    if store.unclaimed(user.id).await? {
        let token = tokens::invite_token();
        store.create_claim(&token, user.id, event.id).await?;
        return Ok((user.id, format!("{public_url}/claim/{token}")));
    }
    Ok((user.id, format!("{public_url}/claim/{}", offer.token)))
}

/// An account the import just created: its profile from the row, the
/// offer of the row's role (accepted when its owner sets a password), and
/// the link that sets it.
async fn set_up_new_account(
    store: &dyn Store,
    public_url: &str,
    event: &Event,
    row: &ImportRow,
    user: User,
) -> Result<(UserId, String), AppError> {
    if !row.company.is_empty() {
        let form = ProfileForm {
            display_name: row.name.as_str().to_owned(),
            company: row.company.clone(),
            ..ProfileForm::default()
        };
        store
            .update_profile(user.id, &ProfileInput::parse(&form)?)
            .await?;
    }
    if !row.tags.is_empty() {
        store.set_tags(user.id, &row.tags).await?;
    }
    store
        .offer_membership(&tokens::invite_token(), event.id, user.id, row.role)
        .await?;
    let token = tokens::invite_token();
    store.create_claim(&token, user.id, event.id).await?;
    Ok((user.id, format!("{public_url}/claim/{token}")))
}

/// The upload `id` of `event`, or "not found" (another event's uploads do
/// not exist for its organizers).
pub async fn upload(
    store: &dyn Store,
    event: &Event,
    id: uuid::Uuid,
) -> Result<ImportUpload, AppError> {
    store
        .upload(event.id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such import.".into()))
}

/// What an upload's page shows: `(true, the result)` once imported, else
/// `(false, the dry run)`.
pub async fn upload_report(
    store: &dyn Store,
    event: &Event,
    upload: &ImportUpload,
) -> Result<(bool, ImportReport), AppError> {
    Ok(match &upload.report {
        Some(json) => (
            true,
            serde_json::from_str(json).map_err(|e| {
                tracing::error!(error = %e, "a stored import report is unreadable");
                AppError::Internal
            })?,
        ),
        None => (
            false,
            preview_import(store, event, plan_import(&upload.file)?).await?,
        ),
    })
}

/// Imports an uploaded file for real, once however often it is confirmed,
/// in the background: a file of 20,000 rows takes longer than a request
/// should, so this returns at once and the upload's page shows it running
/// until the report is kept. The invitations are delivered after that,
/// also in the background. Should the import fail (the database went
/// away), the upload is reopened and can be confirmed again: rows already
/// imported are then invited again (accepted ones are members already).
pub async fn confirm(state: AppState, event: Event, id: uuid::Uuid) -> Result<(), AppError> {
    let upload = upload(state.store.as_ref(), &event, id).await?;
    let plan = plan_import(&upload.file)?;
    if !state.store.start_upload(event.id, id).await? {
        return Err(AppError::Conflict(
            "This file was already imported (or is being imported right now).".into(),
        ));
    }
    tokio::spawn(async move {
        if let Err(e) = import_in_background(&state, event, id, plan).await {
            tracing::error!(error = %e, upload = %id, "a browser import failed");
            if let Err(e) = state.store.finish_upload(id, None).await {
                tracing::error!(error = %e, upload = %id, "could not reopen a failed import");
            }
        }
    });
    Ok(())
}

/// The import [`confirm`] started: rows, report, then invitations.
async fn import_in_background(
    state: &AppState,
    event: Event,
    id: uuid::Uuid,
    plan: ImportPlan,
) -> Result<(), AppError> {
    let store = state.store.as_ref();
    let (report, invitations) =
        run_import(store, &state.config.public_url, &event, plan, |_| {}).await?;
    let json = serde_json::to_string(&report).map_err(|_| AppError::Internal)?;
    store.finish_upload(id, Some(&json)).await?;
    tracing::info!(event = %event.id, invited = report.invited,
        skipped = report.skipped.len(), "attendees imported from the browser");
    for invitation in &invitations {
        crate::service::matching::member_changed(state, invitation.user).await;
    }
    state.postman.deliver(store, &event, invitations).await;
    Ok(())
}

/// Sends invitation `id` of `event` again (after a failure, or to someone
/// who lost it), in the background.
pub async fn resend(state: &AppState, event: Event, id: uuid::Uuid) -> Result<(), AppError> {
    let found = state
        .store
        .invitation(event.id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such invitation.".into()))?;
    state
        .store
        .set_invitation_status(id, InvitationStatus::Pending, "")
        .await?;
    let (store, postman) = (state.store.clone(), state.postman.clone());
    tokio::spawn(async move { postman.deliver(store.as_ref(), &event, vec![found]).await });
    Ok(())
}

/// What a personal invitation link stands for.
pub enum Invited {
    /// A claim: an account the import created, whose password is set from
    /// the link (which accepts `role`).
    NewAccount {
        user: Box<User>,
        event: Event,
        role: Role,
    },
    /// An offer of `role` to an account that existed: its owner answers
    /// signed in.
    Existing {
        user: UserId,
        event: Event,
        role: Role,
    },
}

/// The invitation personal link `token` opens, or "not found" (used,
/// withdrawn or never made: one answer for all).
pub async fn invited_by(state: &AppState, token: &str) -> Result<Invited, AppError> {
    let missing = || {
        AppError::NotFound(
            "This invitation was already used or does not exist. Log in, or ask the organizers for a new one."
                .into(),
        )
    };
    let token = token.trim();
    if let Some((user, event)) = state.store.claim(token).await? {
        let user = state.store.user_by_id(user).await?.ok_or_else(missing)?;
        let event = state.store.event_by_id(event).await?.ok_or_else(missing)?;
        let role = offered_role(state, &event, user.id).await?;
        return Ok(Invited::NewAccount {
            user: Box::new(user),
            event,
            role,
        });
    }
    let offer = state
        .store
        .offer_by_token(token)
        .await?
        .ok_or_else(missing)?;
    let event = state
        .store
        .event_by_id(offer.event)
        .await?
        .ok_or_else(missing)?;
    Ok(Invited::Existing {
        user: offer.user,
        event,
        role: offer.role,
    })
}

/// The role `user`'s invitation to `event` offers (an attendee's when the
/// invitation predates offers and they are simply a member).
async fn offered_role(state: &AppState, event: &Event, user: UserId) -> Result<Role, AppError> {
    let offers = state.store.pending_offers(user).await?;
    Ok(offers
        .into_iter()
        .find(|(e, _)| e.id == event.id)
        .map(|(_, o)| o.role)
        .unwrap_or(Role::Attendee))
}

/// Sets the password of an imported account from its invitation link:
/// the account (to sign in) and the event it was invited to. The caller
/// then signs in and calls [`accept_claimed`].
pub async fn set_claimed_password(
    state: &AppState,
    token: &str,
    password: &str,
) -> Result<(UserId, EventId), AppError> {
    let Some((_, event)) = state.store.claim(token.trim()).await? else {
        return Err(AppError::NotFound(
            "This invitation was already used or does not exist.".into(),
        ));
    };
    let hash = password::hash(Password::parse(password)?).await?;
    let user = state.store.complete_claim(token.trim(), &hash).await?;
    Ok((user, event))
}

/// Accepts the invitation a claimed account was sent (the role it offers,
/// as the claim page showed) and says where to go next: the event when
/// `user` is a member of it now, else "My events". The password is set
/// either way; should accepting fail (removed meanwhile, or answered
/// already), the invitation waits on "My events" or the refusal is shown
/// there, and the account stays usable.
pub async fn accept_claimed(
    state: &AppState,
    event: EventId,
    user: UserId,
) -> Result<String, AppError> {
    let Some(event) = state.store.event_by_id(event).await? else {
        return Ok("/events".into());
    };
    match crate::service::membership::answer(state, &event, user, true).await {
        Ok(_) | Err(AppError::NotFound(_)) => {}
        Err(AppError::Internal) => return Err(AppError::Internal),
        Err(e) => {
            tracing::info!(error = %e, "a claimed invitation was not accepted");
            return Ok("/events".into());
        }
    }
    Ok(match state.store.member_role(event.id, user).await? {
        Some(_) => format!("/e/{}", event.slug.as_str()),
        None => "/events".into(),
    })
}
