//! Profiles on the server: the one place that decides whose profile I may
//! see and how much of it (availability, how I relate to its owner, the
//! tags an event shows), who I may approach, how the directory is searched,
//! what blocking and deleting an account do. The server functions of
//! `api/profiles.rs` parse their input, call these and turn the answer into
//! their wire types; the other capabilities (badges, connections, matching,
//! meetings) use the same lookups, so "not available" means one thing
//! everywhere.

use crate::{
    domain::{
        highlights, search_words, Intent, PersonCard, ProfileField, Role, Tag, TagSet, Taxonomy,
        UserId, Viewer,
    },
    error::AppError,
    ports::{DirectoryCursor, DirectoryPage, DirectoryQuery, Event, Membership, User},
    state::AppState,
};

/// What only members may do here, for the refusal
/// ([`crate::service::events::member_of`]).
pub const PEOPLE: &str = "see its people";

/// The address of `user`'s photo; the etag in it makes a new photo a new
/// address, so browsers may cache each one for good.
pub fn photo_url(user: UserId, etag: Option<&str>) -> Option<String> {
    etag.map(|e| format!("/photos/{user}?v={e}"))
}

/// Tags as the pages show them: (tag, intent), in the profile's order.
pub fn tag_views(tags: &TagSet) -> Vec<(String, Intent)> {
    tags.iter()
        .map(|(t, i)| (t.as_str().to_owned(), *i))
        .collect()
}

/// A user id typed into an address or a form; one that does not parse is
/// "not available" like any other missing profile.
pub fn parse_user_id(raw: &str) -> Result<UserId, AppError> {
    raw.trim().parse().map(UserId).map_err(|_| unavailable())
}

/// One message for "does not exist", "blocked" and "hidden", so a direct
/// link reveals nothing.
fn unavailable() -> AppError {
    AppError::NotFound("This profile is not available.".into())
}

/// The tags my events' organizers suggest, for the tags form.
#[derive(Debug, Default)]
pub struct Suggestions {
    /// (category, tags), merged by category across my events, in the order
    /// first seen; a tag suggested twice appears once.
    pub by_category: Vec<(String, Vec<String>)>,
    /// The names of my events that show only their suggested tags.
    pub taxonomy_only_events: Vec<String>,
}

/// The tag suggestions of every event `user` belongs to, merged.
pub async fn suggestions(state: &AppState, user: UserId) -> Result<Suggestions, AppError> {
    let mut out = Suggestions::default();
    for (event, _) in state.store.events_of_user(user).await? {
        let (taxonomy, free_tags) = state.store.taxonomy(event.id).await?;
        if !free_tags {
            out.taxonomy_only_events.push(event.name.clone());
        }
        for (category, tags) in taxonomy.categories() {
            let suggestions = &mut out.by_category;
            let pos = match suggestions.iter().position(|(c, _)| c == category) {
                Some(pos) => pos,
                None => {
                    suggestions.push((category.clone(), Vec::new()));
                    suggestions.len() - 1
                }
            };
            for tag in tags {
                if !suggestions[pos].1.iter().any(|t| t == tag.as_str()) {
                    suggestions[pos].1.push(tag.as_str().to_owned());
                }
            }
        }
    }
    Ok(out)
}

/// The tags an event shows: all of them, or only its suggested ones when
/// the organizer switched free tags off.
async fn shown_tags(
    state: &AppState,
    event: crate::domain::EventId,
    tags: TagSet,
) -> Result<TagSet, AppError> {
    let (taxonomy, free_tags) = state.store.taxonomy(event).await?;
    Ok(tags.for_event(&taxonomy, free_tags))
}

/// How `viewer` relates to `owner`.
async fn relation(state: &AppState, viewer: UserId, owner: UserId) -> Result<Viewer, AppError> {
    Ok(if viewer == owner {
        Viewer::Myself
    } else if state.store.are_connected(viewer, owner).await? {
        Viewer::Connection
    } else {
        Viewer::FellowMember
    })
}

/// `other` as someone `me` may approach in `event` (recommendations,
/// meetings): a member who has not opted out, and no block either way.
/// Anything else is the same "not available", so nothing is revealed.
pub async fn approachable(
    state: &AppState,
    event: &Event,
    me: UserId,
    other: UserId,
) -> Result<Membership, AppError> {
    let unavailable = || AppError::NotFound("This person is not available.".into());
    let theirs = state
        .store
        .membership(event.id, other)
        .await?
        .ok_or_else(unavailable)?;
    if theirs.opted_out || state.store.blocked_either_way(me, other).await? {
        return Err(unavailable());
    }
    Ok(theirs)
}

/// A member's profile as someone may see it ([`seen_by`]). The owner's
/// record is whole: the owner's visibility settings, read for `viewer`
/// ([`crate::domain::VisibilitySettings::allows`]), say which fields may
/// leave the server.
#[derive(Debug)]
pub struct Seen {
    pub owner: User,
    pub membership: Membership,
    /// How the one looking relates to the owner.
    pub viewer: Viewer,
    /// The owner's tags as the event shows them.
    pub tags: TagSet,
    /// The looker's own tags when the owner's are visible and the owner is
    /// someone else: what the highlights compare.
    pub mine: Option<TagSet>,
    pub photo_url: Option<String>,
}

/// `owner_id`'s profile in `event` as `me` may see it; "not available" when
/// they are not a member, opted out, or either blocked the other (my own
/// profile is always available to me).
pub async fn seen_by(
    state: &AppState,
    event: &Event,
    me: UserId,
    owner_id: UserId,
) -> Result<Seen, AppError> {
    let membership = state
        .store
        .membership(event.id, owner_id)
        .await?
        .ok_or_else(unavailable)?;
    if owner_id != me
        && (membership.opted_out || state.store.blocked_either_way(me, owner_id).await?)
    {
        return Err(unavailable());
    }
    let owner: User = state
        .store
        .user_by_id(owner_id)
        .await?
        .ok_or_else(unavailable)?;
    let viewer = relation(state, me, owner_id).await?;
    let tags = shown_tags(state, event.id, state.store.tags_of(owner_id).await?).await?;
    let mine = if owner.visibility.allows(ProfileField::Tags, viewer) && owner_id != me {
        Some(state.store.tags_of(me).await?)
    } else {
        None
    };
    let photo = state.store.photo(owner_id).await?;
    Ok(Seen {
        owner,
        membership,
        viewer,
        tags,
        mine,
        photo_url: photo_url(owner_id, photo.as_ref().map(|p| p.etag.as_str())),
    })
}

/// The directory's position as an opaque token: the sort name in hex, a
/// dot, the user id.
pub fn encode_cursor(c: &DirectoryCursor) -> String {
    let hex: String = c.sort_name.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{}", c.user_id)
}

fn decode_cursor(raw: &str) -> Result<DirectoryCursor, AppError> {
    let bad = || AppError::BadRequest("That page of the directory does not exist.".into());
    let (hex, id) = raw.split_once('.').ok_or_else(bad)?;
    if hex.len() % 2 != 0 || hex.len() > 800 {
        return Err(bad());
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| bad())?;
    Ok(DirectoryCursor {
        sort_name: String::from_utf8(bytes).map_err(|_| bad())?,
        user_id: UserId(id.parse().map_err(|_| bad())?),
    })
}

/// A directory search as typed: `q` free text (at most 200 characters, 8
/// words used); `tags` comma-separated (10 used), all must match, with
/// `intent` when one is given; `role`; `after` a next-page token. Empty
/// means "any" for each. (The "here now" filter is added by
/// [`search_directory`], which knows the event.)
pub fn directory_query(
    q: &str,
    tags: &str,
    intent: &str,
    role: &str,
    after: &str,
) -> Result<DirectoryQuery, AppError> {
    if q.chars().count() > 200 {
        return Err(AppError::Invalid {
            field: "q".into(),
            message: "Search for at most 200 characters.".into(),
        });
    }
    let intent = match intent.trim() {
        "" => None,
        raw => Some(Intent::parse(raw)?),
    };
    let tags = tags
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .take(10)
        .map(|t| Tag::parse(t).map(|tag| (tag, intent)))
        .collect::<Result<Vec<_>, _>>()?;
    let role = match role.trim() {
        "" => None,
        raw => Some(Role::parse(raw)?),
    };
    let after = match after {
        "" => None,
        raw => Some(decode_cursor(raw)?),
    };
    Ok(DirectoryQuery {
        words: search_words(q).into_iter().take(8).collect(),
        tags,
        role,
        only: None,
        after,
        limit: 24,
    })
}

/// A page of `event`'s directory for `me`. The tags searched for must be
/// ones the event accepts ([`Taxonomy::check`]); each entry carries only
/// the tags the event shows. Which fields of an entry may be shown is the
/// entry's visibility for a fellow member (the directory is for everyone
/// in the event). `here_only`: only people here now
/// ([`attendance::here_now`](crate::service::attendance::here_now)).
pub async fn search_directory(
    state: &AppState,
    event: &Event,
    me: UserId,
    query: DirectoryQuery,
    here_only: bool,
) -> Result<DirectoryPage, AppError> {
    let (taxonomy, free_tags): (Taxonomy, bool) = state.store.taxonomy(event.id).await?;
    taxonomy.check(query.tags.iter().map(|(t, _)| t), free_tags)?;
    let mut query = query;
    if here_only {
        let here = crate::service::attendance::here_now(state, event).await?;
        query.only = Some(here.into_iter().collect());
    }
    let mut page = state.store.search_directory(event.id, me, &query).await?;
    for e in &mut page.entries {
        e.tags = std::mem::take(&mut e.tags).for_event(&taxonomy, free_tags);
    }
    Ok(page)
}

/// `me` blocks `other`: each disappears from the other's directory,
/// profile pages, recommendations, rooms and scans. Nobody blocks
/// themselves; an unknown person is "not available".
pub async fn block(state: &AppState, me: UserId, other: UserId) -> Result<(), AppError> {
    if other == me {
        return Err(AppError::Invalid {
            field: "user_id".into(),
            message: "You cannot block yourself.".into(),
        });
    }
    if state.store.user_by_id(other).await?.is_none() {
        return Err(unavailable());
    }
    state.store.block(me, other).await?;
    tracing::info!(blocker = %me, "blocked a person");
    Ok(())
}

/// Deletes `me`'s account for good (the caller has checked the password
/// and signed the session out): the store forgets everything that is only
/// theirs, their open sockets close, and the matching indexes drop them.
pub async fn delete_account(state: &AppState, me: UserId) -> Result<(), AppError> {
    state.store.delete_user(me).await?;
    state.live.session_ended(me, None);
    crate::service::matching::member_changed(state, me).await;
    tracing::info!(user = %me, "account deleted");
    Ok(())
}

/// `owner_id`'s profile in `event` as `me` may see it ([`seen_by`]
/// decides); hidden fields stay `None`.
pub async fn person_card(
    state: &AppState,
    event: &Event,
    me: UserId,
    owner_id: UserId,
) -> Result<PersonCard, AppError> {
    let Seen {
        owner,
        membership,
        viewer,
        tags,
        mine,
        photo_url,
    } = seen_by(state, event, me, owner_id).await?;
    let vis = &owner.visibility;
    let show = |field: ProfileField, value: String| vis.allows(field, viewer).then_some(value);
    Ok(PersonCard {
        user_id: owner_id.to_string(),
        display_name: owner.display_name,
        pronouns: owner.pronouns,
        role: membership.role,
        event_line: membership.event_line,
        photo_url,
        headline: show(ProfileField::Headline, owner.headline),
        company: show(ProfileField::Company, owner.company),
        job_title: show(ProfileField::JobTitle, owner.job_title),
        bio: show(ProfileField::Bio, owner.bio),
        location: show(ProfileField::Location, owner.location),
        languages: show(ProfileField::Languages, owner.languages),
        ask_me_about: show(ProfileField::AskMeAbout, owner.ask_me_about),
        tags: vis
            .allows(ProfileField::Tags, viewer)
            .then(|| tag_views(&tags)),
        email: show(ProfileField::Email, owner.email.as_str().to_owned()),
        phone: show(ProfileField::Phone, owner.phone),
        links: vis
            .allows(ProfileField::Links, viewer)
            .then_some(owner.links),
        highlights: mine
            .map(|mine| highlights(&mine, &tags))
            .unwrap_or_default(),
        connected: viewer == Viewer::Connection,
        is_me: viewer == Viewer::Myself,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_cursors_round_trip_and_refuse_garbage() {
        let c = DirectoryCursor {
            sort_name: "zoë o'neil".into(),
            user_id: UserId(uuid::Uuid::nil()),
        };
        assert_eq!(decode_cursor(&encode_cursor(&c)).unwrap(), c);
        assert!(decode_cursor("zz.nope").is_err());
        assert!(decode_cursor("no-dot").is_err());
    }
}
