//! "People to meet": each attendee's ranked recommendations with their
//! explanations, and the *interested* / *not now* answers (mutual interest
//! connects the two). The per-event matching indexes behind them are kept
//! in `service/matching.rs`.

#[cfg(feature = "ssr")]
use crate::service::events::member_of;
use crate::{domain::Intent, error::AppError, matching::ReasonKind};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    domain::{FunnelStage, ProfileField, UserId, Viewer},
    service::matching::poisoned,
    service::{notify, profiles, webhooks},
};
#[cfg(feature = "ssr")]
use std::collections::HashSet;

/// One reason on a recommendation card, ready to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonView {
    pub kind: ReasonKind,
    pub tag: String,
}

impl ReasonView {
    /// "You both: rust", "Offers what you seek: mentoring", …
    pub fn text(&self) -> String {
        match self.kind {
            ReasonKind::SharedInterest => format!("You both: {}", self.tag),
            ReasonKind::TheyOfferWhatYouSeek => format!("Offers what you seek: {}", self.tag),
            ReasonKind::YouOfferWhatTheySeek => format!("Seeks what you offer: {}", self.tag),
            ReasonKind::MetBefore if self.tag.is_empty() => "You met before".into(),
            ReasonKind::MetBefore => format!("You met at {}", self.tag),
        }
    }

    /// The chip's classes: the intent's style, or "met before".
    pub fn chip_class(&self) -> String {
        let style = match self.kind {
            ReasonKind::SharedInterest => Intent::Interest.as_str(),
            ReasonKind::TheyOfferWhatYouSeek => Intent::Offer.as_str(),
            ReasonKind::YouOfferWhatTheySeek => Intent::Seek.as_str(),
            ReasonKind::MetBefore => "met-before",
        };
        format!("chip {style}")
    }
}

/// One recommended person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecommendationCard {
    pub user_id: String,
    pub display_name: String,
    pub pronouns: String,
    pub headline: Option<String>,
    pub company: Option<String>,
    pub event_line: String,
    pub photo_url: Option<String>,
    /// Why, strongest first.
    pub reasons: Vec<ReasonView>,
    /// I already said I am interested (waiting for them).
    pub interested: bool,
    /// Here now: checked in today and not out, or live in one of the
    /// event's rooms.
    pub checked_in: bool,
    /// A connection of mine met at another event ("meet again"): no
    /// "interested" to answer, a timeline to open.
    pub met_before: bool,
}

/// The "people to meet" page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetList {
    pub event_name: String,
    pub slug: String,
    pub here_now: bool,
    /// Only people in a live room with me right now.
    pub in_room: bool,
    /// I opted out of networking here: no recommendations.
    pub opted_out: bool,
    /// I have no tags yet: recommendations need some.
    pub has_tags: bool,
    pub cards: Vec<RecommendationCard>,
}

/// What answering "interested" did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterestResult {
    /// They were interested too: we are connected now.
    pub mutual: bool,
}

/// How many recommendations a page shows.
pub const PAGE: usize = 20;

/// An explanation's reasons as the cards show them.
#[cfg(feature = "ssr")]
fn reason_views(e: &crate::matching::score::Explanation) -> Vec<ReasonView> {
    e.reasons
        .iter()
        .map(|r| ReasonView {
            kind: r.kind,
            tag: r.tag.as_str().to_owned(),
        })
        .collect()
}

/// The people I should meet at the event, best first, with why. `here_now`
/// ("on"): only people here now (checked in today and not out, or live in
/// one of the event's rooms), ranked among the whole event; `in_room`
/// ("on"): only people in a live room with me right now.
#[server(prefix = "/api", endpoint = "people_to_meet")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn people_to_meet(
    slug: String,
    here_now: Option<String>,
    in_room: Option<String>,
) -> Result<MeetList, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, membership) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    let on = |v: Option<String>| v.as_deref().is_some_and(|v| !v.is_empty() && v != "off");
    let (here_now, in_room) = (on(here_now), on(in_room));
    let with_me = in_room.then(|| state.live.in_rooms_with(me.id));
    let mut exclude = state.store.blocked_with(me.id).await?;
    exclude.extend(state.store.dismissed(event.id, me.id).await?);
    exclude.extend(
        state
            .store
            .connections_of(me.id)
            .await?
            .into_iter()
            .map(|(id, _)| id),
    );
    let index = state.matching.index(&state, event.id).await?;
    // Who is here counts for everyone's card; as a filter it narrows the
    // ranking to them over the whole event, like "in my room".
    let here = crate::service::attendance::here_now(&state, &event).await?;
    let only: Option<HashSet<UserId>> = match (with_me, here_now) {
        (Some(with_me), true) => Some(with_me.intersection(&here).copied().collect()),
        (Some(with_me), false) => Some(with_me),
        (None, true) => Some(here.clone()),
        (None, false) => None,
    };
    // Connections met at another event come first, with that reason
    // ("meet again"); the engine ranks everyone else.
    let again =
        crate::service::follow_up::met_before_here(&state, &event, me.id, membership.opted_out)
            .await?
            .into_iter()
            .filter(|m| only.as_ref().is_none_or(|only| only.contains(&m.other)))
            .map(|m| {
                let reason = ReasonView {
                    kind: ReasonKind::MetBefore,
                    tag: m.met_at_event.unwrap_or_default(),
                };
                (m.other, vec![reason], true)
            });
    let recommended: Vec<(UserId, Vec<ReasonView>, bool)> = {
        let index = index.read().map_err(|_| poisoned())?;
        let engine = match &only {
            Some(only) => index
                .recommend(&me.id, index.len(), exclude.iter())
                .into_iter()
                .filter(|r| only.contains(&r.member))
                .take(PAGE)
                .collect(),
            None => index.recommend(&me.id, PAGE, exclude.iter()),
        };
        again
            .chain(
                engine
                    .into_iter()
                    .map(|r| (r.member, reason_views(&r.explanation), false)),
            )
            .collect()
    };
    let interested = state.store.interested_in(event.id, me.id).await?;
    let has_tags = !state.store.tags_of(me.id).await?.is_empty();
    let mut cards = Vec::new();
    for (member, reasons, met_before) in recommended {
        if cards.len() == PAGE {
            break;
        }
        let Some(their) = state.store.membership(event.id, member).await? else {
            continue;
        };
        let Some(user) = state.store.user_by_id(member).await? else {
            continue;
        };
        let vis = &user.visibility;
        let show = |field: ProfileField, value: String| {
            (vis.allows(field, Viewer::FellowMember) && !value.is_empty()).then_some(value)
        };
        let photo = state.store.photo(user.id).await?;
        cards.push(RecommendationCard {
            user_id: user.id.to_string(),
            photo_url: profiles::photo_url(user.id, photo.as_ref().map(|p| p.etag.as_str())),
            display_name: user.display_name,
            pronouns: user.pronouns,
            headline: show(ProfileField::Headline, user.headline),
            company: show(ProfileField::Company, user.company),
            event_line: their.event_line,
            reasons,
            interested: interested.contains(&user.id),
            checked_in: here.contains(&user.id),
            met_before,
        });
    }
    let shown: Vec<UserId> = cards
        .iter()
        .filter_map(|c| c.user_id.parse().ok().map(UserId))
        .collect();
    state
        .store
        .record_funnel(event.id, me.id, &shown, FunnelStage::Recommended)
        .await?;
    Ok(MeetList {
        event_name: event.name,
        slug: event.slug.as_str().to_owned(),
        here_now,
        in_room,
        opted_out: membership.opted_out,
        has_tags,
        cards,
    })
}

/// Why I should meet someone, for a list of people (a room's "here now").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonReasons {
    pub user_id: String,
    /// Strongest first; empty when we have nothing in common (or matching
    /// does not apply to one of us).
    pub reasons: Vec<ReasonView>,
}

/// The most people [`why_meet`] explains at once.
pub const WHY_MEET_MAX: usize = 200;

/// Why I should meet each of `ids` at the event, as recommendations say it.
/// People I blocked or who blocked me, or unknown ids, get no reasons.
#[server(prefix = "/api", endpoint = "why_meet")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn why_meet(slug: String, ids: Vec<String>) -> Result<Vec<PersonReasons>, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    if ids.len() > WHY_MEET_MAX {
        return Err(AppError::Invalid {
            field: "ids".into(),
            message: format!("At most {WHY_MEET_MAX} people at once."),
        });
    }
    let blocked = state.store.blocked_with(me.id).await?;
    let index = state.matching.index(&state, event.id).await?;
    let index = index.read().map_err(|_| poisoned())?;
    Ok(ids
        .into_iter()
        .map(|raw| {
            let reasons = raw
                .parse()
                .ok()
                .map(UserId)
                .filter(|u| *u != me.id && !blocked.contains(u))
                .and_then(|u| index.explain_pair(&me.id, &u))
                .map(|e| reason_views(&e))
                .unwrap_or_default();
            PersonReasons {
                user_id: raw,
                reasons,
            }
        })
        .collect())
}

/// My answer to a recommendation: `interested` (connects us when they are
/// too) or `not_now` (hides them from my recommendations).
#[server(prefix = "/api", endpoint = "answer_recommendation")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn answer_recommendation(
    slug: String,
    user_id: String,
    answer: String,
) -> Result<InterestResult, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, profiles::PEOPLE).await?;
    let other = profiles::parse_user_id(&user_id)?;
    if other == me.id {
        return Err(AppError::Invalid {
            field: "user_id".into(),
            message: "That is you.".into(),
        });
    }
    profiles::approachable(&state, &event, me.id, other).await?;
    match answer.as_str() {
        "interested" => {
            let mutual = state.store.mark_interested(event.id, me.id, other).await?;
            if mutual {
                tracing::info!(event = %event.id, "mutual interest: connected");
                webhooks::connection_created(&*state.store, event.id, me.id, other, "mutual").await;
                notify::mutual(&state, &event, me.id, other);
            } else {
                notify::dashboard(&state, &event);
            }
            Ok(InterestResult { mutual })
        }
        "not_now" => {
            state.store.dismiss(event.id, me.id, other).await?;
            Ok(InterestResult { mutual: false })
        }
        _ => Err(AppError::Invalid {
            field: "answer".into(),
            message: "Answer interested or not now.".into(),
        }),
    }
}
