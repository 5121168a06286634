//! Who may join an event, and how: the one place that decides.
//!
//! Every way into an event goes through here — the invite link, the join
//! code, "join and connect" after scanning a badge, and accepting an
//! invitation an organizer's import (browser, CLI or `/api/v1`) made.
//! [`refusal`] holds the policy:
//!
//! - someone the organizers removed stays out, on every path, until an
//!   organizer lets them back in from the settings page (the removal is
//!   stored; the store also refuses to insert them, so a path that forgot
//!   to ask here would still fail closed);
//! - an invite-only event is joined by its invite link or by accepting a
//!   personal invitation, never by the join code or a badge scan (a badge
//!   is shown to anyone in the hall; it is not an invitation);
//! - nobody becomes a member, or gets a role, without accepting it: an
//!   import only *offers* a membership with a role ([`answer`] accepts or
//!   declines it); joining by oneself always gives the attendee role.
//!   The same holds for promotions on the settings page ([`set_role`]): a
//!   member made staff or organizer is offered the role, and keeps theirs
//!   until they accept; a demotion applies at once.

use crate::{
    domain::{JoinPolicy, Role, UserId},
    error::AppError,
    ports::{Event, MemberChange, Store, StoreError},
    state::AppState,
};

/// How someone asks to join; the policy differs by path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinPath {
    /// The event's invite link (`/join/<token>`), which organizers share.
    InviteLink,
    /// The short printed join code.
    JoinCode,
    /// "Join and connect" after scanning a member's badge.
    BadgeScan,
    /// Accepting a personal invitation from an organizer's import.
    Invitation,
}

impl JoinPath {
    /// The `via` of the `member.joined` webhook (documented in `docs/api.md`).
    fn via(self) -> &'static str {
        match self {
            JoinPath::InviteLink | JoinPath::JoinCode => "join",
            JoinPath::BadgeScan => "badge_scan",
            JoinPath::Invitation => "import",
        }
    }
}

/// The refusal for someone the organizers removed from `event`.
pub fn removed(event: &Event) -> AppError {
    AppError::Forbidden(format!(
        "The organizers removed you from {}. Only they can let you back in.",
        event.name
    ))
}

/// The refusal of the join code and badge scans on an invite-only event.
pub fn invitation_only(event: &Event) -> AppError {
    AppError::Forbidden(format!(
        "{} is by invitation only. Ask the organizers for an invite link.",
        event.name
    ))
}

fn already_member(event: &Event) -> AppError {
    AppError::Conflict(format!("You are already a member of {}.", event.name))
}

/// Why someone may not join an event by some path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    AlreadyMember,
    /// The organizers removed them and have not let them back in.
    Removed,
    /// The event is invite-only and this path is no invitation.
    InvitationOnly,
}

impl Refusal {
    /// The error to answer with, worded for `event`.
    pub fn error(self, event: &Event) -> AppError {
        match self {
            Refusal::AlreadyMember => already_member(event),
            Refusal::Removed => removed(event),
            Refusal::InvitationOnly => invitation_only(event),
        }
    }
}

/// The policy: whether `user` may join `event` by `path` (`None`), or why
/// not.
pub async fn refusal(
    store: &dyn Store,
    event: &Event,
    user: UserId,
    path: JoinPath,
) -> Result<Option<Refusal>, AppError> {
    if store.member_role(event.id, user).await?.is_some() {
        return Ok(Some(Refusal::AlreadyMember));
    }
    if store.was_removed(event.id, user).await? {
        return Ok(Some(Refusal::Removed));
    }
    let by_invitation = matches!(path, JoinPath::InviteLink | JoinPath::Invitation);
    if event.join_policy == JoinPolicy::InviteOnly && !by_invitation {
        return Ok(Some(Refusal::InvitationOnly));
    }
    Ok(None)
}

/// [`refusal`] as a result: `Ok`, or the refusal to show them.
pub async fn may_join(
    store: &dyn Store,
    event: &Event,
    user: UserId,
    path: JoinPath,
) -> Result<(), AppError> {
    match refusal(store, event, user, path).await? {
        None => Ok(()),
        Some(r) => Err(r.error(event)),
    }
}

/// Joins `event` as an attendee by `path` (not [`JoinPath::Invitation`]:
/// that is [`answer`]), if [`may_join`] allows it, and tells those who
/// follow the event (webhooks, recommendations, the live dashboard).
pub async fn join(
    state: &AppState,
    event: &Event,
    user: UserId,
    path: JoinPath,
) -> Result<(), AppError> {
    debug_assert_ne!(path, JoinPath::Invitation, "invitations are answered");
    may_join(state.store.as_ref(), event, user, path).await?;
    state
        .store
        .add_member(event.id, user, Role::Attendee)
        .await
        .map_err(|e| match e {
            // Removed or joined between the check and the insert.
            StoreError::Conflict("removed") => removed(event),
            StoreError::Conflict(_) => already_member(event),
            other => other.into(),
        })?;
    joined(state, event, user, path).await;
    Ok(())
}

/// Accepts (`accept`) or declines the membership an organizer offered
/// `user` in `event`. Accepting makes them a member with exactly the
/// offered role, which is returned; declining leaves no trace.
pub async fn answer(
    state: &AppState,
    event: &Event,
    user: UserId,
    accept: bool,
) -> Result<Option<Role>, AppError> {
    // A member answering the offer of a promotion does not join again.
    let was_member = state.store.member_role(event.id, user).await?.is_some();
    let role = state
        .store
        .answer_offer(event.id, user, accept)
        .await
        .map_err(|e| match e {
            // Worded like an unknown event: a guessed address reveals nothing.
            StoreError::NotFound => {
                AppError::NotFound("There is no invitation waiting for you there.".into())
            }
            StoreError::Conflict("removed") => removed(event),
            other => other.into(),
        })?;
    match role {
        Some(_) if was_member => {
            // What others see of them may change with the role.
            crate::service::matching::member_changed(state, user).await;
        }
        Some(_) => joined(state, event, user, JoinPath::Invitation).await,
        None => {}
    }
    tracing::info!(event = %event.id, %user, accepted = accept, "invitation answered");
    Ok(role)
}

/// What an organizer's choice of a member's role did ([`set_role`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleChange {
    /// A demotion: the member has the new role now.
    Changed,
    /// A promotion: offered, waiting for the member to accept it (a
    /// promotion offered before is replaced).
    Offered,
    /// Their current role chosen again: the offer that waited is gone.
    Withdrawn,
    /// Their current role chosen again, and no offer waited.
    Unchanged,
}

/// How much of the event a role runs; a higher role is a promotion.
fn rank(role: Role) -> u8 {
    match role {
        Role::Attendee => 0,
        Role::Staff => 1,
        Role::Organizer => 2,
    }
}

/// An organizer gives `user`, a member of `event`, the role `role`. A
/// promotion (to staff, or to organizer) is only an offer that the member
/// accepts or declines on "My events" ([`answer`]): their role does not
/// change before. A demotion applies at once and withdraws any offer that
/// waited, as does choosing the role they have. The last organizer stays.
pub async fn set_role(
    state: &AppState,
    event: &Event,
    user: UserId,
    role: Role,
) -> Result<RoleChange, AppError> {
    let store = state.store.as_ref();
    let not_member = || AppError::NotFound("This person is not a member of the event.".into());
    let current = store
        .member_role(event.id, user)
        .await?
        .ok_or_else(not_member)?;
    if rank(role) > rank(current) {
        store
            .offer_membership(
                &crate::service::tokens::invite_token(),
                event.id,
                user,
                role,
            )
            .await
            .map_err(|e| match e {
                // Removed (or gone) since the page was drawn.
                StoreError::NotFound | StoreError::Conflict(_) => not_member(),
                other => other.into(),
            })?;
        tracing::info!(event = %event.id, %user, role = role.as_str(), "role offered by an organizer");
        tell_offered(state, event, user, role).await;
        return Ok(RoleChange::Offered);
    }
    if role != current {
        state
            .store
            .change_member(event.id, user, MemberChange::SetRole(role))
            .await
            .map_err(|e| match e {
                StoreError::NotFound => not_member(),
                StoreError::Conflict("last organizer") => AppError::Conflict(
                    "An event needs at least one organizer: make someone else an organizer first."
                        .into(),
                ),
                other => other.into(),
            })?;
        tracing::info!(event = %event.id, %user, role = role.as_str(), "role lowered by an organizer");
    }
    // The organizers' latest word stands: an offer of a higher role that
    // still waited is withdrawn.
    let withdrawn = match store.answer_offer(event.id, user, false).await {
        Ok(_) => true,
        Err(StoreError::NotFound) => false,
        Err(e) => return Err(e.into()),
    };
    Ok(match (role != current, withdrawn) {
        (true, _) => RoleChange::Changed,
        (false, true) => RoleChange::Withdrawn,
        (false, false) => RoleChange::Unchanged,
    })
}

/// Mails (or files, without SMTP) a short notice of a role offered: the
/// answer is on "My events". Never fails the organizer's change.
async fn tell_offered(state: &AppState, event: &Event, user: UserId, role: Role) {
    let Ok(Some(person)) = state.store.user_by_id(user).await else {
        return;
    };
    let body = format!(
        "Hello {},\n\nThe organizers of {} offer you the role of {} there.\n\
         Nothing changes until you accept. Accept or decline it on My events:\n\n\
         {}/events\n",
        person.display_name,
        event.name,
        role.label().to_lowercase(),
        state.config.public_url
    );
    let postman = state.postman.clone();
    tokio::spawn(async move {
        postman
            .account_notice(&person.email, "A role offered to you on Rapport", &body)
            .await;
    });
}

/// What follows a new membership, whatever the path.
async fn joined(state: &AppState, event: &Event, user: UserId, path: JoinPath) {
    tracing::info!(event = %event.id, %user, ?path, "member joined");
    crate::service::webhooks::member_joined(&*state.store, event.id, user, path.via()).await;
    crate::service::matching::member_changed(state, user).await;
    crate::service::notify::dashboard(state, event);
    crate::service::notify::met_again(state, event, user);
}
