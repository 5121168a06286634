//! Claims: the personal links that let an imported attendee set a password
//! ([`ClaimStore`]).

use super::{accounts::PasswordHash, error::StoreResult};
use crate::domain::{EventId, UserId};
use async_trait::async_trait;

/// Personal invitations that let an imported attendee set a password.
#[async_trait]
pub trait ClaimStore: Send + Sync {
    /// Stores a claim token for `user` (who was imported into `event`).
    async fn create_claim(&self, token: &str, user: UserId, event: EventId) -> StoreResult<()>;
    /// Whose claim `token` is, and for which event.
    async fn claim(&self, token: &str) -> StoreResult<Option<(UserId, EventId)>>;
    /// Sets the password and deletes every claim of the account, in one
    /// transaction. `NotFound` if the token is gone.
    async fn complete_claim(&self, token: &str, hash: &PasswordHash) -> StoreResult<UserId>;
    /// Whether the account still waits for its owner to set a password
    /// (an import created it and none of its claims was completed).
    async fn unclaimed(&self, user: UserId) -> StoreResult<bool>;
}
