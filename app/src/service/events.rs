//! Finding the event a request is about, and who may act on it: the
//! lookups every capability starts with (the event at an address, the
//! caller's membership, organizers only). One place, so a 404 or 403 reads
//! the same whichever page, server function or `/api/v1` route asks.

use crate::{
    domain::{Role, Slug, UserId},
    error::AppError,
    ports::{Event, Membership},
    state::AppState,
};

/// The event at the address `slug`, or a 404 that says so.
pub async fn event_at(state: &AppState, slug: &str) -> Result<Event, AppError> {
    let not_found = || AppError::NotFound("There is no event at this address.".into());
    let slug = Slug::parse(slug).map_err(|_| not_found())?;
    state
        .store
        .event_by_slug(&slug)
        .await?
        .ok_or_else(not_found)
}

/// The event at `slug` and `user`'s membership of it. Anyone else gets a
/// 403 saying only members may `what` ("see its rooms") and to join first.
pub async fn member_of(
    state: &AppState,
    slug: &str,
    user: UserId,
    what: &str,
) -> Result<(Event, Membership), AppError> {
    let event = event_at(state, slug).await?;
    let membership = state
        .store
        .membership(event.id, user)
        .await?
        .ok_or_else(|| {
            AppError::Forbidden(format!(
                "Only members of this event can {what}. Join it first."
            ))
        })?;
    Ok((event, membership))
}

/// The event at `slug` if `user` organizes it; otherwise 404 (no such
/// event) or 403.
pub async fn organizer_event(
    state: &AppState,
    slug: &str,
    user: UserId,
) -> Result<Event, AppError> {
    let event = event_at(state, slug).await?;
    if state.store.member_role(event.id, user).await? != Some(Role::Organizer) {
        return Err(AppError::Forbidden(
            "Only the event's organizers can do this.".into(),
        ));
    }
    Ok(event)
}

/// The event a person most likely means by "my badge" or "scan" without
/// naming one (the installed app's shortcuts): one running on `today`,
/// else the next to start, else the one that ended last. `None` when
/// they are in no event.
pub fn current_event(events: &[(Event, Role)], today: chrono::NaiveDate) -> Option<&Event> {
    let running = |e: &&Event| e.dates.starts_on() <= today && today <= e.dates.ends_on();
    let mut all: Vec<&Event> = events.iter().map(|(e, _)| e).collect();
    if let Some(now) = all
        .iter()
        .copied()
        .filter(running)
        .min_by_key(|e| e.dates.starts_on())
    {
        return Some(now);
    }
    let next = all
        .iter()
        .copied()
        .filter(|e| e.dates.starts_on() > today)
        .min_by_key(|e| e.dates.starts_on());
    if next.is_some() {
        return next;
    }
    all.sort_by_key(|e| e.dates.ends_on());
    all.last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_event_is_the_running_one_else_the_next_else_the_last() {
        let day = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
        let past = Event::example("past-0001", "2031-03-01", "2031-03-02");
        let older = Event::example("older-001", "2030-03-01", "2030-03-02");
        let running = Event::example("now-00001", "2031-05-14", "2031-05-16");
        let next = Event::example("next-0001", "2031-06-01", "2031-06-02");
        let later = Event::example("later-001", "2031-09-01", "2031-09-02");
        let mine = |es: &[&Event]| -> Vec<(Event, Role)> {
            es.iter().map(|e| ((*e).clone(), Role::Attendee)).collect()
        };
        let all = mine(&[&older, &later, &next, &running, &past]);
        let slug = |e: Option<&Event>| e.map(|e| e.slug.as_str().to_owned());
        assert_eq!(
            slug(current_event(&all, day("2031-05-15"))),
            Some("now-00001".into())
        );
        assert_eq!(
            slug(current_event(&all, day("2031-05-16"))),
            Some("now-00001".into()),
            "last day"
        );
        assert_eq!(
            slug(current_event(&all, day("2031-05-20"))),
            Some("next-0001".into())
        );
        assert_eq!(
            slug(current_event(&all, day("2032-01-01"))),
            Some("later-001".into()),
            "all over: the last"
        );
        assert_eq!(current_event(&[], day("2031-05-15")), None);
    }
}
