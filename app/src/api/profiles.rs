//! Profiles over HTTP: my profile (details, tags, visibility, photo),
//! another member's profile as I may see it, the event directory,
//! per-event settings, blocking, and my data (export, account deletion).
//! The wire types and thin server functions; who may see what, and what
//! blocking and deleting do, is decided in `service/profiles.rs`.

#[cfg(feature = "ssr")]
use crate::service::events::member_of;
use crate::{
    domain::{ProfileField, ProfileForm, Role, Visibility},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    domain::{OneLineText, Password, ProfileInput, Slug, TagSet, Viewer, VisibilitySettings},
    service::password,
    service::profiles::{self, parse_user_id, person_card, photo_url, tag_views, PEOPLE},
};

/// The profile views' shared types live in the domain (the scan result
/// shows a [`PersonCard`] too); named here for the pages.
pub use crate::domain::{Highlight, PersonCard, TagView};

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

/// My profile for the account page.
#[server(prefix = "/api", endpoint = "my_profile")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn my_profile() -> Result<OwnProfile, AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let store = &state.store;
    let tags = store.tags_of(user.id).await?;
    let photo = store.photo(user.id).await?;
    let blocked = store.blocked_by(user.id).await?;
    let suggestions = profiles::suggestions(&state, user.id).await?;
    Ok(OwnProfile {
        suggestions: suggestions.by_category,
        taxonomy_only_events: suggestions.taxonomy_only_events,
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
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn update_profile(profile: ProfileForm) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let input = ProfileInput::parse(&profile)?;
    let state = context::state()?;
    state.store.update_profile(user.id, &input).await?;
    crate::service::matching::member_changed(&state, user.id).await;
    Ok(())
}

/// Replaces my tags; each list is comma- or line-separated.
#[server(prefix = "/api", endpoint = "update_tags")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn update_tags(
    tags_interest: String,
    tags_offer: String,
    tags_seek: String,
) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let tags = TagSet::parse(&tags_interest, &tags_offer, &tags_seek)?;
    let state = context::state()?;
    state.store.set_tags(user.id, &tags).await?;
    crate::service::matching::member_changed(&state, user.id).await;
    Ok(())
}

/// Sets who may see each field: `vis[<field>]=event|connections|only_me`.
#[server(prefix = "/api", endpoint = "update_visibility")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn update_visibility(vis: BTreeMap<String, String>) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let settings = VisibilitySettings::parse(vis.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let state = context::state()?;
    state.store.set_visibility(user.id, &settings).await?;
    crate::service::matching::member_changed(&state, user.id).await;
    Ok(())
}

/// My line and networking choice in one event.
#[server(prefix = "/api", endpoint = "update_membership")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn update_membership(
    slug: String,
    event_line: String,
    opted_out: Option<String>,
) -> Result<(), AppError> {
    let user = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, user.id, PEOPLE).await?;
    let line = OneLineText::<0, 140>::parse("event_line", &event_line)?;
    state
        .store
        .set_membership_prefs(
            event.id,
            user.id,
            line.as_str(),
            opted_out.is_some_and(|v| !v.is_empty()),
        )
        .await?;
    crate::service::matching::member_changed(&state, user.id).await;
    Ok(())
}

/// Another member's profile within an event, as I may see it.
#[server(prefix = "/api", endpoint = "person")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn person(slug: String, user_id: String) -> Result<PersonCard, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, PEOPLE).await?;
    person_card(&state, &event, me.id, parse_user_id(&user_id)?).await
}

/// Searches the event's directory. `q`: free text; `tags`: comma-separated,
/// all must match; `intent`: the intent those tags must have (empty: any);
/// `role`: organizer/staff/attendee (empty: any); `after`: next-page token.
#[server(prefix = "/api", endpoint = "directory")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn directory(
    slug: String,
    q: Option<String>,
    tags: Option<String>,
    intent: Option<String>,
    role: Option<String>,
    after: Option<String>,
    here: Option<String>,
) -> Result<DirectoryView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, membership) = member_of(&state, &slug, me.id, PEOPLE).await?;
    let query = profiles::directory_query(
        q.as_deref().unwrap_or_default(),
        tags.as_deref().unwrap_or_default(),
        intent.as_deref().unwrap_or_default(),
        role.as_deref().unwrap_or_default(),
        after.as_deref().unwrap_or_default(),
    )?;
    let here_only = here.as_deref().is_some_and(|v| !v.is_empty() && v != "off");
    let page = profiles::search_directory(&state, &event, me.id, query, here_only).await?;
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
                    tag_views(&e.tags)
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
        next: page.next.as_ref().map(profiles::encode_cursor),
        my_event_line: membership.event_line,
        my_opted_out: membership.opted_out,
    })
}

/// Blocks a person: each disappears from the other's directory, profile
/// pages and (later) recommendations, rooms and scans.
#[server(prefix = "/api", endpoint = "block")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn block(user_id: String, slug: Option<String>) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let other = parse_user_id(&user_id)?;
    profiles::block(&context::state()?, me.id, other).await?;
    let back = slug
        .filter(|s| Slug::parse(s).is_ok())
        .map(|s| format!("/e/{s}/people"));
    leptos_axum::redirect(back.as_deref().unwrap_or("/account"));
    Ok(())
}

/// Lifts a block I made.
#[server(prefix = "/api", endpoint = "unblock")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
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
    /// My open reminders on notes (ticked-off ones are deleted).
    #[serde(default)]
    pub reminders: Vec<MyReminder>,
    /// Whether I asked for the follow-up digest after each event day.
    #[serde(default)]
    pub follow_up_digest: bool,
    /// The devices I get notifications on: their push services' hosts
    /// (the rest of the address is the device's secret).
    #[serde(default)]
    pub push_devices: Vec<String>,
    /// Every message of my direct conversations, both sides, oldest first
    /// per conversation (they are mine as much as the other's).
    #[serde(default)]
    pub direct_messages: Vec<MyDirectMessage>,
}

/// One message of one of my conversations, as "download my data" lists it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MyDirectMessage {
    /// The other person's name ("Deleted user" once gone).
    pub with: String,
    /// Who wrote it: me, them, or "Deleted user".
    pub from: String,
    pub seq: u64,
    pub text: String,
    pub sent_at: String,
}

/// One of my reminders, as "download my data" lists it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MyReminder {
    pub about_user_id: String,
    pub text: String,
    pub due_at: String,
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
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
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
    let reminders = store
        .reminders_of(me.id, None)
        .await?
        .into_iter()
        .map(|r| MyReminder {
            about_user_id: r.other.to_string(),
            text: r.text.as_str().to_owned(),
            due_at: r.due_at.to_rfc3339(),
        })
        .collect();
    let direct_messages = crate::service::messages::export(store.as_ref(), me.id)
        .await?
        .into_iter()
        .flat_map(|(with, messages)| {
            messages.into_iter().map(move |m| MyDirectMessage {
                with: with.clone(),
                from: m
                    .sender_name
                    .unwrap_or_else(|| crate::service::messages::DELETED.to_owned()),
                seq: m.seq,
                text: m.body,
                sent_at: m.sent_at.to_rfc3339(),
            })
        })
        .collect();
    Ok(MyData {
        direct_messages,
        exported_at: chrono::Utc::now().to_rfc3339(),
        profile,
        memberships,
        connections,
        notes,
        messages,
        reminders,
        follow_up_digest: store.digest_opt_in(me.id).await?,
        push_devices: crate::service::push::devices(&context::state()?, me.id).await?,
    })
}

/// Deletes my account for good, after checking my password again.
#[server(prefix = "/api", endpoint = "delete_account")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
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
    profiles::delete_account(&state, me.id).await?;
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
            crate::domain::highlights(&me, &them),
            [
                Highlight::TheyOffer("mentoring".into()),
                Highlight::YouOffer("hiring".into()),
                Highlight::Shared("rust".into()),
            ]
        );
    }
}
