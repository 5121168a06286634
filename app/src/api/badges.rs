//! Badges and scans: my badge (QR code and short code), reissuing it, the
//! organizer's printable badge sheets, and what happens when a badge is
//! scanned — by a phone camera opening `/b/<token>`, by the in-app scanner
//! (at once, or synced later when the scan was made offline), or by typing
//! its code — in connect mode or, for organizers and staff, check-in mode.
//!
//! Here are the wire types and the server functions, which parse input,
//! ask [`crate::service::badges`] (where one function decides every scan's
//! outcome, and who may reissue or print badges) and build the views.

/// My note about a connection; part of a scan's result ([`ScanView`]).
pub use crate::domain::NoteView;
use crate::{
    domain::{Role, ScanMode},
    error::AppError,
};
#[cfg(feature = "ssr")]
use crate::{ports::Membership, service::events::member_of};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What only members may do here, for the refusal ([`member_of`]).
#[cfg(feature = "ssr")]
const BADGES: &str = "have a badge here";

#[cfg(feature = "ssr")]
use crate::{
    api::context,
    domain::{BadgeRef, ClientNonce, ConnectionMethod, ProfileField, UserId, Viewer},
    ports::Badge,
    service::badges::{self as scans, ensure_badge, perform_scan, ScanRequest},
    state::AppState,
};
#[cfg(feature = "ssr")]
use chrono::{DateTime, Utc};

mod scan_result;
pub use scan_result::*;

/// A badge as printed: only what every fellow member may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeView {
    pub user_id: String,
    pub display_name: String,
    pub pronouns: String,
    pub headline: Option<String>,
    pub company: Option<String>,
    /// A few of the holder's tags, as conversation starters.
    pub tags: Vec<String>,
    pub role: Role,
    /// The QR code as inline SVG markup, made on the server from [`Self::url`].
    pub qr_svg: String,
    /// The short code for typing, as printed (`ABCD-EFGH`).
    pub code: String,
    /// What the QR code encodes: `<public URL>/b/<token>`.
    pub url: String,
}

/// My badge page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgePage {
    pub event_name: String,
    pub slug: String,
    pub badge: BadgeView,
    pub approve_scans: bool,
    /// When staff checked me in, in the event's time zone.
    pub checked_in_at: Option<String>,
    /// Organizers and staff get links to badge sheets and check-in mode.
    pub runs_event: bool,
}

/// Paper for badge sheets; each has its own grid in the print stylesheet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "letter",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        match raw.trim() {
            "" | "a4" => Ok(Paper::A4),
            "letter" => Ok(Paper::Letter),
            _ => Err(AppError::Invalid {
                field: "paper".into(),
                message: "Paper is A4 or US Letter.".into(),
            }),
        }
    }
}

/// A printable sheet of badges for organizers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeSheetView {
    pub event_name: String,
    pub slug: String,
    pub paper: Paper,
    pub role: Option<Role>,
    pub badges: Vec<BadgeView>,
}

/// What the scanner page needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannerContext {
    pub event_name: String,
    pub slug: String,
    /// Organizers and staff may switch to check-in mode.
    pub runs_event: bool,
}

/// A scan the in-app scanner made while offline, kept in browser storage
/// until it is synced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedScan {
    /// Random per scan: a replay returns the first result.
    pub nonce: String,
    /// The account that made the scan (its id). A device may be shared:
    /// the queue sends only the signed-in person's scans, and the server
    /// refuses a scan whose maker is not the caller. Empty in scans queued
    /// before this was kept; those are never sent.
    #[serde(default)]
    pub scanner: String,
    /// The event whose scanner made it.
    pub slug: String,
    /// What the camera read (the QR's URL) or the typed code.
    pub badge: String,
    pub mode: ScanMode,
    /// When the device scanned, in milliseconds since the Unix epoch.
    pub scanned_at_ms: i64,
}

/// What became of one queued scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncedScan {
    pub nonce: String,
    pub view: Option<ScanView>,
    /// Why it could not be recorded (it is dropped from the queue).
    pub error: Option<String>,
    /// Rate-limited: keep it queued and try again later.
    pub retry: bool,
}

/// At most this many queued scans per sync request.
pub const SYNC_BATCH: usize = 50;

/// How my badge looks to everyone at the event.
#[cfg(feature = "ssr")]
fn badge_view(
    state: &AppState,
    badge: &Badge,
    holder: BadgeHolderFields<'_>,
) -> Result<BadgeView, AppError> {
    let vis = holder.visibility;
    let show = |field: ProfileField, value: &str| {
        (vis.allows(field, Viewer::FellowMember) && !value.is_empty()).then(|| value.to_owned())
    };
    let tags = if vis.allows(ProfileField::Tags, Viewer::FellowMember) {
        holder
            .tags
            .iter()
            .take(4)
            .map(|(t, _)| t.as_str().to_owned())
            .collect()
    } else {
        Vec::new()
    };
    let url = scans::badge_url(state, &badge.token);
    Ok(BadgeView {
        user_id: badge.user.to_string(),
        display_name: holder.display_name.to_owned(),
        pronouns: holder.pronouns.to_owned(),
        headline: show(ProfileField::Headline, holder.headline),
        company: show(ProfileField::Company, holder.company),
        tags,
        role: holder.role,
        qr_svg: scans::qr_svg(&url)?,
        code: badge.code.display(),
        url,
    })
}

/// The printed fields of a badge's holder, borrowed from a user or a sheet row.
#[cfg(feature = "ssr")]
struct BadgeHolderFields<'a> {
    display_name: &'a str,
    pronouns: &'a str,
    headline: &'a str,
    company: &'a str,
    role: Role,
    tags: &'a crate::domain::TagSet,
    visibility: &'a crate::domain::VisibilitySettings,
}

/// My badge in an event (issued on first visit).
#[server(prefix = "/api", endpoint = "my_badge")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn my_badge(slug: String) -> Result<BadgePage, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, Membership { role, .. }) = member_of(&state, &slug, me.id, BADGES).await?;
    let badge = ensure_badge(&state, event.id, me.id).await?;
    let membership = state
        .store
        .membership(event.id, me.id)
        .await?
        .ok_or(AppError::Internal)?;
    let tags = state.store.tags_of(me.id).await?;
    let view = badge_view(
        &state,
        &badge,
        BadgeHolderFields {
            display_name: &me.display_name,
            pronouns: &me.pronouns,
            headline: &me.headline,
            company: &me.company,
            role,
            tags: &tags,
            visibility: &me.visibility,
        },
    )?;
    Ok(BadgePage {
        event_name: event.name.clone(),
        slug: event.slug.as_str().to_owned(),
        badge: view,
        approve_scans: membership.approve_scans,
        checked_in_at: membership
            .checked_in_at
            .map(|t| crate::domain::local_time(&event.time_zone, t)),
        runs_event: role.runs_event(),
    })
}

/// Replaces a badge's secrets; the old QR code and code stop working at
/// once. My own, or (organizers) any member's.
#[server(prefix = "/api", endpoint = "reissue_badge")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn reissue_badge(slug: String, user_id: Option<String>) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, Membership { role, .. }) = member_of(&state, &slug, me.id, BADGES).await?;
    let holder = user_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(crate::service::profiles::parse_user_id)
        .transpose()?;
    scans::reissue_for(&state, &event, me.id, role, holder).await?;
    Ok(())
}

/// Switches "approve scans" for my badge in this event.
#[server(prefix = "/api", endpoint = "set_approve_scans")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn set_approve_scans(slug: String, approve: Option<String>) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, _) = member_of(&state, &slug, me.id, BADGES).await?;
    let on = matches!(approve.as_deref(), Some("on" | "true"));
    state.store.set_approve_scans(event.id, me.id, on).await?;
    Ok(())
}

/// Every badge of the event (or of one role) for printing; organizers and
/// staff only. Members without a badge get one now.
#[server(prefix = "/api", endpoint = "badge_sheet")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn badge_sheet(
    slug: String,
    role: Option<String>,
    paper: Option<String>,
) -> Result<BadgeSheetView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, Membership { role: my_role, .. }) = member_of(&state, &slug, me.id, BADGES).await?;
    let role = match role.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r) => Some(Role::parse(r)?),
    };
    let paper = Paper::parse(paper.as_deref().unwrap_or_default())?;
    let badges = scans::sheet(&state, event.id, my_role, role)
        .await?
        .iter()
        .map(|h| {
            badge_view(
                &state,
                &h.badge,
                BadgeHolderFields {
                    display_name: &h.display_name,
                    pronouns: &h.pronouns,
                    headline: &h.headline,
                    company: &h.company,
                    role: h.role,
                    tags: &h.tags,
                    visibility: &h.visibility,
                },
            )
        })
        .collect::<Result<_, _>>()?;
    Ok(BadgeSheetView {
        event_name: event.name,
        slug: event.slug.as_str().to_owned(),
        paper,
        role,
        badges,
    })
}

/// The scanner page's event, for members.
#[server(prefix = "/api", endpoint = "scanner_info")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn scanner_info(slug: String) -> Result<ScannerContext, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, Membership { role, .. }) = member_of(&state, &slug, me.id, BADGES).await?;
    Ok(ScannerContext {
        event_name: event.name,
        slug: event.slug.as_str().to_owned(),
        runs_event: role.runs_event(),
    })
}

/// Scans a badge from the in-app scanner of event `slug`: `badge` is what
/// the camera read or the typed code; `method` is `scanner` or `code`.
/// From a plain HTML form (no JavaScript) it continues on the result page.
#[server(prefix = "/api", endpoint = "scan_badge")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn scan_badge(
    slug: String,
    badge: String,
    mode: Option<String>,
    method: Option<String>,
    nonce: Option<String>,
) -> Result<ScanView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = crate::service::events::event_at(&state, &slug).await?;
    let method = match method.as_deref() {
        Some("scanner") => ConnectionMethod::Scanner,
        _ => ConnectionMethod::Code,
    };
    let record = perform_scan(
        &state,
        me.id,
        ScanRequest {
            badge: BadgeRef::parse(&badge)?,
            within: Some(&event),
            method,
            mode: ScanMode::parse(mode.as_deref().unwrap_or_default())?,
            nonce: nonce
                .as_deref()
                .filter(|n| !n.is_empty())
                .map(ClientNonce::parse)
                .transpose()?,
            scanned_at: crate::domain::now_utc(),
        },
    )
    .await?;
    if context::is_plain_form_post() {
        leptos_axum::redirect(&format!("/scans/{}", record.id));
    }
    scan_view(&state, me.id, &record).await
}

/// Syncs scans made while offline, in the order they were made. A nonce
/// seen before returns its first result, so a retried sync never
/// duplicates; a rate-limited scan is left for the next sync.
#[server(prefix = "/api", endpoint = "sync_scans", input = server_fn::codec::Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn sync_scans(scans: Vec<QueuedScan>) -> Result<Vec<SyncedScan>, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    if scans.len() > SYNC_BATCH {
        return Err(AppError::BadRequest(format!(
            "send at most {SYNC_BATCH} scans at a time"
        )));
    }
    let now = crate::domain::now_utc();
    let mut out = Vec::with_capacity(scans.len());
    for scan in scans {
        let nonce = scan.nonce.clone();
        // A shared device: another person's scan is never made in this
        // person's name. It stays on the device (`retry`) for its maker.
        if scan.scanner != me.id.to_string() {
            out.push(SyncedScan {
                nonce,
                view: None,
                error: Some(
                    "This scan was saved by another account on this device; it was not sent."
                        .into(),
                ),
                retry: true,
            });
            continue;
        }
        let result = sync_one(&state, me.id, scan, now).await;
        out.push(match result {
            Ok(view) => SyncedScan {
                nonce,
                view: Some(view),
                error: None,
                retry: false,
            },
            Err(AppError::RateLimited { .. }) | Err(AppError::Internal) => SyncedScan {
                nonce,
                view: None,
                error: None,
                retry: true,
            },
            Err(e) => SyncedScan {
                nonce,
                view: None,
                error: Some(e.to_string()),
                retry: false,
            },
        });
    }
    Ok(out)
}

#[cfg(feature = "ssr")]
async fn sync_one(
    state: &AppState,
    me: UserId,
    scan: QueuedScan,
    now: DateTime<Utc>,
) -> Result<ScanView, AppError> {
    let event = crate::service::events::event_at(state, &scan.slug).await?;
    let record = perform_scan(
        state,
        me,
        ScanRequest {
            badge: BadgeRef::parse(&scan.badge)?,
            within: Some(&event),
            method: ConnectionMethod::Offline,
            mode: scan.mode,
            nonce: Some(ClientNonce::parse(&scan.nonce)?),
            scanned_at: scans::device_time(scan.scanned_at_ms, now),
        },
    )
    .await?;
    scan_view(state, me, &record).await
}

/// Scans a badge from its confirmation page (`/connect/<token>`): the way
/// a badge link from another site, or a rate-limited one, is completed.
#[server(prefix = "/api", endpoint = "connect_badge")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn connect_badge(token: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let id = scans::scan_from_link(&state, me.id, &token).await?;
    leptos_axum::redirect(&format!("/scans/{id}"));
    Ok(())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn paper_sizes_parse() {
        assert_eq!(Paper::parse("").unwrap(), Paper::A4);
        assert_eq!(Paper::parse("letter").unwrap(), Paper::Letter);
        assert!(Paper::parse("a3").is_err());
    }
}
