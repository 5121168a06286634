//! Invitations of imported people and what became of their delivery
//! ([`InvitationStore`]).

use super::error::StoreResult;
use crate::domain::{EventId, InvitationStatus, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A personal invitation of an imported person, and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    /// Opaque id, for resending.
    pub id: uuid::Uuid,
    pub event: EventId,
    pub user: UserId,
    pub name: String,
    pub email: String,
    /// The claim link (new accounts) or the event's page (existing ones).
    pub link: String,
    pub status: InvitationStatus,
    /// Why delivery failed (for the organizer); empty otherwise.
    pub detail: String,
    pub updated_at: DateTime<Utc>,
}

/// An invitation to record.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    pub event: EventId,
    pub user: UserId,
    pub name: String,
    pub email: String,
    pub link: String,
}

/// Invitations of imported attendees and their delivery state.
#[async_trait]
pub trait InvitationStore: Send + Sync {
    /// Records an invitation as pending; one per person and event (a
    /// second replaces the link and starts over).
    async fn save_invitation(&self, new: &NewInvitation) -> StoreResult<Invitation>;
    /// The event's invitations by recipient name.
    async fn invitations(&self, event: EventId) -> StoreResult<Vec<Invitation>>;
    /// One invitation of `event` (never another event's).
    async fn invitation(&self, event: EventId, id: uuid::Uuid) -> StoreResult<Option<Invitation>>;
    /// Records what delivery did. `NotFound` if the invitation is gone.
    async fn set_invitation_status(
        &self,
        id: uuid::Uuid,
        status: InvitationStatus,
        detail: &str,
    ) -> StoreResult<()>;
}
