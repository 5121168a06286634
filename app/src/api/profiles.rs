//! Profiles: my profile (details, tags, visibility, photo), another
//! member's profile as I may see it, the event directory, per-event
//! settings, blocking, and my data (export, account deletion).

#[cfg(feature = "ssr")]
use crate::api::events::member_of;
use crate::{
    domain::{Intent, ProfileField, ProfileForm, Role, Visibility},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What only members may do here, for the refusal ([`member_of`]).
#[cfg(feature = "ssr")]
pub(crate) const PEOPLE: &str = "see its people";
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use crate::{
    api::{context, password},
    domain::{
        search_words, BoundedText, Password, ProfileInput, Slug, Tag, TagSet, UserId, Viewer,
        VisibilitySettings,
    },
    ports::{AppState, DirectoryCursor, DirectoryQuery, Event, User},
};

/// A tag with its intent, as shown.
pub type TagView = (String, Intent);

/// My own profile, everything included, for the account page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnProfile {
    pub user_id: String,
    pub email: String,
    pub form: ProfileForm,
    pub tags: Vec<TagView>,
    /// Every field with its current visibility, in display order.
    pub visibility: Vec<(ProfileField, Visibility)>,
    pub photo_url: Option<String>,
    /// People I blocked: (user id, name).
    pub blocked: Vec<(String, String)>,
    /// Tags my events' organizers suggest: (category, tags), merged by category.
    pub suggestions: Vec<(String, Vec<String>)>,
    /// Events that show only their suggested tags.
    pub taxonomy_only_events: Vec<String>,
}

/// Why two people should talk, from their tags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Highlight {
    /// We both have this tag.
    Shared(String),
    /// I seek it, they offer it.
    TheyOffer(String),
    /// They seek it, I offer it.
    YouOffer(String),
}

/// Another member's profile with only what its owner lets me see; hidden
/// fields are `None` and never leave the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCard {
    pub user_id: String,
    pub display_name: String,
    pub pronouns: String,
    pub role: Role,
    pub event_line: String,
    pub photo_url: Option<String>,
    pub headline: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub languages: Option<String>,
    pub ask_me_about: Option<String>,
    pub tags: Option<Vec<TagView>>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub links: Option<Vec<String>>,
    pub highlights: Vec<Highlight>,
    pub connected: bool,
    pub is_me: bool,
}

/// One person in the directory list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryCard {
    pub user_id: String,
    pub display_name: String,
    pub pronouns: String,
    pub headline: Option<String>,
    pub company: Option<String>,
    pub role: Role,
    pub event_line: String,
    pub tags: Vec<TagView>,
    pub photo_url: Option<String>,
}

/// A page of the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryView {
    pub event_name: String,
    pub slug: String,
    pub people: Vec<DirectoryCard>,
    /// Opaque position of the next page, if any.
    pub next: Option<String>,
    /// My own settings in this event, shown above the list.
    pub my_event_line: String,
    pub my_opted_out: bool,
}

#[cfg(feature = "ssr")]
pub(crate) fn photo_url(user: UserId, etag: Option<&str>) -> Option<String> {
    etag.map(|e| format!("/photos/{user}?v={e}"))
}

#[cfg(feature = "ssr")]
pub(crate) fn tag_views(tags: &TagSet) -> Vec<TagView> {
    tags.iter()
        .map(|(t, i)| (t.as_str().to_owned(), *i))
        .collect()
}

#[cfg(feature = "ssr")]
pub(crate) fn parse_user_id(raw: &str) -> Result<UserId, AppError> {
    raw.trim().parse().map(UserId).map_err(|_| unavailable())
}

/// One message for "does not exist", "blocked" and "hidden", so a direct
/// link reveals nothing.
#[cfg(feature = "ssr")]
fn unavailable() -> AppError {
    AppError::NotFound("This profile is not available.".into())
}

/// My profile for the account page.
#[server(prefix = "/api", endpoint = "my_profile")]
pub async fn my_profile() -> Result<OwnProfile, AppError> {
    let user = context::require_user().await?;
    let store = context::state()?.store;
    let tags = store.tags_of(user.id).await?;
    let photo = store.photo(user.id).await?;
    let blocked = store.blocked_by(user.id).await?;
    let mut suggestions: Vec<(String, Vec<String>)> = Vec::new();
    let mut taxonomy_only_events = Vec::new();
    for (event, _) in store.events_of_user(user.id).await? {
        let (taxonomy, free_tags) = store.taxonomy(event.id).await?;
        if !free_tags {
            taxonomy_only_events.push(event.name.clone());
        }
        for (category, tags) in taxonomy.categories() {
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
    Ok(OwnProfile {
        suggestions,
        taxonomy_only_events,
        user_id: user.id.to_string(),
        email: user.email.as_str().to_owned(),
        visibility: ProfileField::ALL
            .iter()
            .map(|f| (*f, user.visibility.get(*f)))
            .collect(),
        tags: tag_views(&tags),
        photo_url: photo_url(user.id, photo.as_ref().map(|p| p.etag.as_str())),
        blocked: blocked
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect(),
        form: ProfileForm {
            display_name: user.display_name,
            pronouns: user.pronouns,
            headline: user.headline,
            company: user.company,
            job_title: user.job_title,
            bio: user.bio,
            links: user.links.join("\n"),
            location: user.location,
            languages: user.languages,
            ask_me_about: user.ask_me_about,
            phone: user.phone,
        },
    })
}

/// Saves the profile details; all fields are checked before anything is stored.
#[server(prefix = "/api", endpoint = "update_profile")]
pub async fn update_profile(profile: ProfileForm) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let input = ProfileInput::parse(&profile)?;
    let state = context::state()?;
    state.store.update_profile(user.id, &input).await?;
    crate::api::matching::member_changed(&state, user.id).await;
    Ok(())
}

/// Replaces my tags; each list is comma- or line-separated.
#[server(prefix = "/api", endpoint = "update_tags")]
pub async fn update_tags(
    tags_interest: String,
    tags_offer: String,
    tags_seek: String,
) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let tags = TagSet::parse(&tags_interest, &tags_offer, &tags_seek)?;
    let state = context::state()?;
    state.store.set_tags(user.id, &tags).await?;
    crate::api::matching::member_changed(&state, user.id).await;
    Ok(())
}

/// Sets who may see each field: `vis[<field>]=event|connections|only_me`.
#[server(prefix = "/api", endpoint = "update_visibility")]
pub async fn update_visibility(vis: BTreeMap<String, String>) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let settings = VisibilitySettings::parse(vis.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let state = context::state()?;
    state.store.set_visibility(user.id, &settings).await?;
    crate::api::matching::member_changed(&state, user.id).await;
    Ok(())
}

/// My line and networking choice in one event.
#[server(prefix = "/api", endpoint = "update_membership")]
pub async fn update_membership(
    slug: String,
    event_line: String,
    opted_out: Option<String>,
) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, user.id, PEOPLE).await?;
    let line = BoundedText::<0, 140>::parse("event_line", &event_line)?;
    state
        .store
        .set_membership_prefs(
            event.id,
            user.id,
            line.as_str(),
            opted_out.is_some_and(|v| !v.is_empty()),
        )
        .await?;
    crate::api::matching::member_changed(&state, user.id).await;
    Ok(())
}

/// The tags an event shows: all of them, or only its suggested ones when
/// the organizer switched free tags off.
#[cfg(feature = "ssr")]
async fn shown_tags(
    state: &AppState,
    event: crate::domain::EventId,
    tags: TagSet,
) -> Result<TagSet, AppError> {
    let (taxonomy, free_tags) = state.store.taxonomy(event).await?;
    Ok(tags_for_event(tags, &taxonomy, free_tags))
}

/// `tags` as an event with this taxonomy shows them (all, or only its
/// suggested ones when free tags are off).
#[cfg(feature = "ssr")]
pub(crate) fn tags_for_event(
    tags: TagSet,
    taxonomy: &crate::domain::Taxonomy,
    free_tags: bool,
) -> TagSet {
    if free_tags {
        tags
    } else {
        TagSet::from_pairs(
            tags.iter()
                .filter(|(t, _)| taxonomy.contains(t))
                .cloned()
                .collect(),
        )
    }
}

/// How `viewer` relates to `owner`.
#[cfg(feature = "ssr")]
async fn relation(state: &AppState, viewer: UserId, owner: UserId) -> Result<Viewer, AppError> {
    Ok(if viewer == owner {
        Viewer::Myself
    } else if state.store.are_connected(viewer, owner).await? {
        Viewer::Connection
    } else {
        Viewer::FellowMember
    })
}

/// Shared tags and complementary intents between me and them, most
/// useful first: what they offer that I seek, then what I offer that they
/// seek, then shared topics.
#[cfg(feature = "ssr")]
pub fn highlights(mine: &TagSet, theirs: &TagSet) -> Vec<Highlight> {
    let has =
        |set: &TagSet, tag: &Tag, intent: Intent| set.iter().any(|(t, i)| t == tag && *i == intent);
    let mut out = Vec::new();
    for tag in mine.with(Intent::Seek) {
        if has(theirs, tag, Intent::Offer) {
            out.push(Highlight::TheyOffer(tag.as_str().to_owned()));
        }
    }
    for tag in mine.with(Intent::Offer) {
        if has(theirs, tag, Intent::Seek) {
            out.push(Highlight::YouOffer(tag.as_str().to_owned()));
        }
    }
    for tag in mine.with(Intent::Interest) {
        if has(theirs, tag, Intent::Interest) {
            out.push(Highlight::Shared(tag.as_str().to_owned()));
        }
    }
    out
}

/// Another member's profile within an event, as I may see it.
#[server(prefix = "/api", endpoint = "person")]
pub async fn person(slug: String, user_id: String) -> Result<PersonCard, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, PEOPLE).await?;
    person_card(&state, &event, me.id, parse_user_id(&user_id)?).await
}

/// `other` as someone `me` may approach in `event` (recommendations,
/// meetings): a member who has not opted out, and no block either way.
/// Anything else is the same "not available", so nothing is revealed.
#[cfg(feature = "ssr")]
pub(crate) async fn approachable(
    state: &AppState,
    event: &Event,
    me: UserId,
    other: UserId,
) -> Result<crate::ports::Membership, AppError> {
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

/// `owner`'s profile in `event` as `me` may see it; "not available" when
/// they are not a member, opted out, or either blocked the other.
#[cfg(feature = "ssr")]
pub(crate) async fn person_card(
    state: &AppState,
    event: &Event,
    me: UserId,
    owner_id: UserId,
) -> Result<PersonCard, AppError> {
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
    let vis = &owner.visibility;
    let show = |field: ProfileField, value: String| vis.allows(field, viewer).then_some(value);
    let their_tags = shown_tags(state, event.id, state.store.tags_of(owner_id).await?).await?;
    let tags_visible = vis.allows(ProfileField::Tags, viewer);
    let highlights = if tags_visible && owner_id != me {
        highlights(&state.store.tags_of(me).await?, &their_tags)
    } else {
        Vec::new()
    };
    let photo = state.store.photo(owner_id).await?;
    Ok(PersonCard {
        user_id: owner_id.to_string(),
        display_name: owner.display_name,
        pronouns: owner.pronouns,
        role: membership.role,
        event_line: membership.event_line,
        photo_url: photo_url(owner_id, photo.as_ref().map(|p| p.etag.as_str())),
        headline: show(ProfileField::Headline, owner.headline),
        company: show(ProfileField::Company, owner.company),
        job_title: show(ProfileField::JobTitle, owner.job_title),
        bio: show(ProfileField::Bio, owner.bio),
        location: show(ProfileField::Location, owner.location),
        languages: show(ProfileField::Languages, owner.languages),
        ask_me_about: show(ProfileField::AskMeAbout, owner.ask_me_about),
        tags: tags_visible.then(|| tag_views(&their_tags)),
        email: show(ProfileField::Email, owner.email.as_str().to_owned()),
        phone: show(ProfileField::Phone, owner.phone),
        links: vis
            .allows(ProfileField::Links, viewer)
            .then_some(owner.links),
        highlights,
        connected: viewer == Viewer::Connection,
        is_me: viewer == Viewer::Myself,
    })
}

#[cfg(feature = "ssr")]
fn encode_cursor(c: &DirectoryCursor) -> String {
    let hex: String = c.sort_name.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{}", c.user_id)
}

#[cfg(feature = "ssr")]
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

/// Searches the event's directory. `q`: free text; `tags`: comma-separated,
/// all must match; `intent`: the intent those tags must have (empty: any);
/// `role`: organizer/staff/attendee (empty: any); `after`: next-page token.
#[server(prefix = "/api", endpoint = "directory")]
pub async fn directory(
    slug: String,
    q: Option<String>,
    tags: Option<String>,
    intent: Option<String>,
    role: Option<String>,
    after: Option<String>,
) -> Result<DirectoryView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, membership) = member_of(&state, &slug, me.id, PEOPLE).await?;
    let q = q.unwrap_or_default();
    if q.chars().count() > 200 {
        return Err(AppError::Invalid {
            field: "q".into(),
            message: "Search for at most 200 characters.".into(),
        });
    }
    let intent = match intent.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(Intent::parse(raw)?),
    };
    let tags = tags
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .take(10)
        .map(|t| Tag::parse(t).map(|tag| (tag, intent)))
        .collect::<Result<Vec<_>, _>>()?;
    let role = match role.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(Role::parse(raw)?),
    };
    let after = match after.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(decode_cursor(raw)?),
    };
    let (taxonomy, free_tags) = state.store.taxonomy(event.id).await?;
    taxonomy.check(tags.iter().map(|(t, _)| t), free_tags)?;
    let query = DirectoryQuery {
        words: search_words(&q).into_iter().take(8).collect(),
        tags,
        role,
        after,
        limit: 24,
    };
    let page = state
        .store
        .search_directory(event.id, me.id, &query)
        .await?;
    let people = page
        .entries
        .into_iter()
        .map(|e| {
            // The directory is for everyone in the event: show what the owner
            // shows to fellow members.
            let open = |f: ProfileField| e.visibility.allows(f, Viewer::FellowMember);
            DirectoryCard {
                user_id: e.user_id.to_string(),
                photo_url: photo_url(e.user_id, e.photo_etag.as_deref()),
                headline: open(ProfileField::Headline).then(|| e.headline.clone()),
                company: open(ProfileField::Company).then(|| e.company.clone()),
                tags: if open(ProfileField::Tags) {
                    e.tags
                        .iter()
                        .filter(|(t, _)| free_tags || taxonomy.contains(t))
                        .map(|(t, i)| (t.as_str().to_owned(), *i))
                        .collect()
                } else {
                    Vec::new()
                },
                display_name: e.display_name,
                pronouns: e.pronouns,
                role: e.role,
                event_line: e.event_line,
            }
        })
        .collect();
    Ok(DirectoryView {
        event_name: event.name,
        slug: event.slug.as_str().to_owned(),
        people,
        next: page.next.as_ref().map(encode_cursor),
        my_event_line: membership.event_line,
        my_opted_out: membership.opted_out,
    })
}

/// Blocks a person: each disappears from the other's directory, profile
/// pages and (later) recommendations, rooms and scans.
#[server(prefix = "/api", endpoint = "block")]
pub async fn block(user_id: String, slug: Option<String>) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let other = parse_user_id(&user_id)?;
    if other == me.id {
        return Err(AppError::Invalid {
            field: "user_id".into(),
            message: "You cannot block yourself.".into(),
        });
    }
    let store = context::state()?.store;
    if store.user_by_id(other).await?.is_none() {
        return Err(unavailable());
    }
    store.block(me.id, other).await?;
    tracing::info!(blocker = %me.id, "blocked a person");
    let back = slug
        .filter(|s| Slug::parse(s).is_ok())
        .map(|s| format!("/e/{s}/people"));
    leptos_axum::redirect(back.as_deref().unwrap_or("/account"));
    Ok(())
}

/// Lifts a block I made.
#[server(prefix = "/api", endpoint = "unblock")]
pub async fn unblock(user_id: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let other = parse_user_id(&user_id)?;
    context::state()?.store.unblock(me.id, other).await?;
    Ok(())
}

/// Everything Rapport keeps about me, as one JSON document.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MyData {
    pub exported_at: String,
    pub profile: OwnProfile,
    pub memberships: Vec<MyMembership>,
    /// People I am connected with: (user id, name).
    pub connections: Vec<(String, String)>,
    /// My private notes, ratings and labels, including those about people
    /// who have since deleted their account.
    pub notes: Vec<MyNote>,
    /// What I wrote in rooms.
    pub messages: Vec<MyRoomMessage>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MyRoomMessage {
    pub event: String,
    pub room: String,
    pub seq: i64,
    pub text: String,
    pub sent_at: String,
    /// Removed by a moderator (still mine, so still exported).
    pub removed: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MyNote {
    pub about_user_id: String,
    pub about_name: String,
    pub note: String,
    pub rating: Option<u8>,
    pub labels: Vec<String>,
    pub updated_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MyMembership {
    pub event: String,
    pub slug: String,
    pub role: Role,
    pub event_line: String,
    pub opted_out: bool,
    pub approve_scans: bool,
    pub checked_in_at: Option<String>,
}

/// Downloads all my data (a GET, so a plain link can save it).
#[server(prefix = "/api", endpoint = "export_my_data", input = server_fn::codec::GetUrl)]
pub async fn export_my_data() -> Result<MyData, AppError> {
    let me = context::require_user().await?;
    let store = context::state()?.store;
    let profile = my_profile().await?;
    let mut memberships = Vec::new();
    for (event, role) in store.events_of_user(me.id).await? {
        let m = store.membership(event.id, me.id).await?;
        memberships.push(MyMembership {
            event: event.name,
            slug: event.slug.as_str().to_owned(),
            role,
            event_line: m.as_ref().map(|m| m.event_line.clone()).unwrap_or_default(),
            opted_out: m.as_ref().is_some_and(|m| m.opted_out),
            approve_scans: m.as_ref().is_some_and(|m| m.approve_scans),
            checked_in_at: m.and_then(|m| m.checked_in_at).map(|t| t.to_rfc3339()),
        });
    }
    let connections = store
        .connections_of(me.id)
        .await?
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect();
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(
            http::header::CONTENT_DISPOSITION,
            http::HeaderValue::from_static("attachment; filename=\"rapport-my-data.json\""),
        );
    }
    let notes = store
        .notes_by(me.id)
        .await?
        .into_iter()
        .map(|n| MyNote {
            about_user_id: n.other.to_string(),
            about_name: n.other_name,
            note: n.note.note.into_inner(),
            rating: n.note.rating.map(crate::domain::Rating::get),
            labels: n.note.labels.as_slice().to_vec(),
            updated_at: n.updated_at.to_rfc3339(),
        })
        .collect();
    let messages = store
        .messages_by(me.id)
        .await?
        .into_iter()
        .map(|m| MyRoomMessage {
            event: m.event_name,
            room: m.room_title,
            seq: m.seq,
            text: m.text,
            sent_at: m.sent_at.to_rfc3339(),
            removed: m.removed,
        })
        .collect();
    Ok(MyData {
        exported_at: chrono::Utc::now().to_rfc3339(),
        profile,
        memberships,
        connections,
        notes,
        messages,
    })
}

/// Deletes my account for good, after checking my password again.
#[server(prefix = "/api", endpoint = "delete_account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    state
        .limits
        .login(me.email.as_str(), crate::api::limits::client_ip().await)?;
    let wrong = || AppError::Invalid {
        field: "password".into(),
        message: "That password is not right.".into(),
    };
    let password = Password::parse(&password).map_err(|_| wrong())?;
    let stored = state
        .store
        .credentials(&me.email)
        .await?
        .map(|c| c.password_hash);
    if !password::verify(password, stored).await? {
        return Err(wrong());
    }
    context::sign_out().await?;
    state.store.delete_user(me.id).await?;
    state.live.session_ended(me.id, None);
    crate::api::matching::member_changed(&state, me.id).await;
    tracing::info!(user = %me.id, "account deleted");
    leptos_axum::redirect("/?deleted=1");
    Ok(())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn complementary_intents_come_before_shared_interests() {
        let me = TagSet::parse("rust", "hiring", "mentoring").unwrap();
        let them = TagSet::parse("rust, go", "mentoring", "hiring").unwrap();
        assert_eq!(
            highlights(&me, &them),
            [
                Highlight::TheyOffer("mentoring".into()),
                Highlight::YouOffer("hiring".into()),
                Highlight::Shared("rust".into()),
            ]
        );
    }

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
