//! Who may run the meeting scheduler: the event's organizers. A leaf both
//! the scheduler's rules and its review check with, one message for all.

use crate::{
    domain::{Role, UserId},
    error::AppError,
    ports::Event,
    state::AppState,
};

/// Refuses anyone but the event's organizers.
pub async fn organizer_only(state: &AppState, event: &Event, me: UserId) -> Result<(), AppError> {
    if state.store.member_role(event.id, me).await? != Some(Role::Organizer) {
        return Err(AppError::Forbidden(
            "Only the event's organizers can run the meeting scheduler.".into(),
        ));
    }
    Ok(())
}
