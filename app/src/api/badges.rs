//! Badges and scans: my badge (QR code and short code), reissuing it, the
//! organizer's printable badge sheets, and what happens when a badge is
//! scanned — by a phone camera opening `/b/<token>`, by the in-app scanner
//! (at once, or synced later when the scan was made offline), or by typing
//! its code — in connect mode or, for organizers and staff, check-in mode.
//!
//! One function, [`perform_scan`], decides every scan's outcome; the store
//! records the attempt and applies its effect in one transaction, so every
//! attempt is counted and nothing is done twice.

#[cfg(feature = "ssr")]
use crate::{api::events::member_of, ports::Membership};
use crate::{
    api::profiles::PersonCard,
    domain::{Role, ScanMode, ScanOutcome},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What only members may do here, for the refusal ([`member_of`]).
#[cfg(feature = "ssr")]
const BADGES: &str = "have a badge here";

#[cfg(feature = "ssr")]
use crate::{
    api::{context, profiles, tokens},
    domain::{
        BadgeRef, BadgeToken, ClientNonce, ConnectionMethod, EventId, ProfileField, UserId, Viewer,
    },
    ports::{AppState, Badge, BadgeLookup, Event, NewScan, ScanRecord, StoreError},
};
#[cfg(feature = "ssr")]
use chrono::{DateTime, Utc};

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

/// My note about a connection, as the form shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub note: String,
    pub rating: Option<u8>,
    /// Comma-separated, as typed.
    pub labels: String,
}

/// The result of a scan, for the person who scanned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanView {
    pub scan_id: String,
    pub outcome: ScanOutcome,
    pub mode: ScanMode,
    pub event_name: Option<String>,
    pub slug: Option<String>,
    /// The badge's owner as I may now see them; only when the scan
    /// connected us or asked them to (refusals reveal nobody).
    pub person: Option<PersonCard>,
    /// For check-ins: whom, and when (in the event's time zone).
    pub checked_in: Option<(String, String)>,
    /// My note about them, once we are connected.
    pub note: Option<NoteView>,
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

/// How a scan is asked for: which badge, from which scanner, how.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct ScanRequest<'a> {
    pub badge: BadgeRef,
    /// The event whose in-app scanner is used; `None` for a camera opening
    /// a badge URL (the badge names its event). Codes need it.
    pub within: Option<&'a Event>,
    pub method: ConnectionMethod,
    pub mode: ScanMode,
    pub nonce: Option<ClientNonce>,
    pub scanned_at: DateTime<Utc>,
}

/// Records one scan by `scanner` and does what it asks, if allowed. Every
/// attempt is recorded (with its refusal, if any) for the organizer's
/// statistics, except attempts over the rate limit, which are only logged
/// so a flood cannot fill the database.
#[cfg(feature = "ssr")]
pub async fn perform_scan(
    state: &AppState,
    scanner: UserId,
    req: ScanRequest<'_>,
) -> Result<ScanRecord, AppError> {
    if let Err(e) = state.limits.scan(scanner) {
        tracing::warn!(user = %scanner, "scan refused by the rate limit");
        return Err(e);
    }
    let store = &state.store;
    let lookup = match &req.badge {
        BadgeRef::Token(t) => store.badge_by_token(t).await?,
        BadgeRef::Code(c) => match req.within {
            Some(e) => store.badge_by_code(e.id, c).await?,
            None => None,
        },
    };
    let context = req.within.map(|e| e.id);
    let elsewhere = |event: EventId| context.is_some_and(|c| c != event);
    let (event, target, outcome) = match lookup {
        None => (context, None, ScanOutcome::Unknown),
        Some(BadgeLookup::Revoked { event, .. }) if elsewhere(event) => {
            (context, None, ScanOutcome::OtherEvent)
        }
        Some(BadgeLookup::Revoked { event, user }) => {
            (Some(event), Some(user), ScanOutcome::Revoked)
        }
        Some(BadgeLookup::Current(b)) if elsewhere(b.event) => {
            (context, None, ScanOutcome::OtherEvent)
        }
        Some(BadgeLookup::Current(b)) => (
            Some(b.event),
            Some(b.user),
            decide(state, scanner, &b, req.mode).await?,
        ),
    };
    let scan_id = uuid::Uuid::new_v4();
    let record = store
        .record_scan(&NewScan {
            id: scan_id,
            event,
            scanner,
            target,
            method: req.method,
            mode: req.mode,
            outcome,
            nonce: req.nonce,
            scanned_at: req.scanned_at,
        })
        .await?;
    tracing::info!(scan = %record.id, outcome = record.outcome.as_str(), method = req.method.as_str(), "badge scanned");
    crate::api::webhooks::scan_recorded(&*state.store, &record).await;
    if let (Some(event), Some(target), ScanOutcome::Connected | ScanOutcome::AlreadyConnected) =
        (record.event, record.target, record.outcome)
    {
        met_if_meeting(state, event, scanner, target).await?;
    }
    // A replayed offline scan returns the first record: nothing new to tell.
    if record.id == scan_id {
        announce_scan(state, &record);
    }
    Ok(record)
}

/// Tells the badge's owner what the scan did to them, and the organizers'
/// dashboard that a scan happened.
#[cfg(feature = "ssr")]
fn announce_scan(state: &AppState, record: &ScanRecord) {
    use crate::realtime::NotificationKind;
    let Some(event) = record.event else { return };
    let kind = match record.outcome {
        ScanOutcome::Connected => Some(NotificationKind::Connection),
        ScanOutcome::Requested => Some(NotificationKind::ConnectionRequest),
        _ => None,
    };
    match (kind, record.scanner, record.target) {
        (Some(kind), Some(by), Some(to)) => {
            super::notify::connection(state, event, by, to, kind);
        }
        _ => super::notify::dashboard_of(state, event),
    }
}

/// Two people with an accepted meeting who scan each other's badges have
/// met: the last stage of the organizer's networking funnel.
#[cfg(feature = "ssr")]
async fn met_if_meeting(
    state: &AppState,
    event: EventId,
    a: UserId,
    b: UserId,
) -> Result<(), AppError> {
    let meets = state
        .store
        .meetings_of(a, Some(event))
        .await?
        .iter()
        .any(|m| m.involves(b) && m.status == crate::domain::MeetingStatus::Accepted);
    if meets {
        for (x, y) in [(a, b), (b, a)] {
            state
                .store
                .record_funnel(event, x, &[y], crate::domain::FunnelStage::Met)
                .await?;
        }
    }
    Ok(())
}

/// The outcome of scanning a badge in use, before the store settles
/// "already connected" and "already checked in".
#[cfg(feature = "ssr")]
async fn decide(
    state: &AppState,
    scanner: UserId,
    badge: &Badge,
    mode: ScanMode,
) -> Result<ScanOutcome, AppError> {
    let store = &state.store;
    let Some(my_role) = store.member_role(badge.event, scanner).await? else {
        return Ok(ScanOutcome::NotMember);
    };
    if mode == ScanMode::CheckIn {
        return Ok(if my_role.runs_event() {
            ScanOutcome::CheckedIn
        } else {
            ScanOutcome::NotStaff
        });
    }
    if badge.user == scanner {
        return Ok(ScanOutcome::OwnBadge);
    }
    if store.blocked_either_way(scanner, badge.user).await? {
        return Ok(ScanOutcome::Blocked);
    }
    let Some(theirs) = store.membership(badge.event, badge.user).await? else {
        return Ok(ScanOutcome::Unknown);
    };
    if theirs.opted_out {
        return Ok(ScanOutcome::OptedOut);
    }
    if theirs.approve_scans && !store.are_connected(scanner, badge.user).await? {
        return Ok(ScanOutcome::Requested);
    }
    Ok(ScanOutcome::Connected)
}

/// The member's badge, issued on first use.
#[cfg(feature = "ssr")]
pub async fn ensure_badge(
    state: &AppState,
    event: EventId,
    user: UserId,
) -> Result<Badge, AppError> {
    if let Some(badge) = state.store.badge(event, user).await? {
        return Ok(badge);
    }
    reissue(state, event, user).await
}

/// Issues fresh secrets (the old badge stops working at once). A clash of
/// random values is astronomically rare but retried, never shown.
#[cfg(feature = "ssr")]
async fn reissue(state: &AppState, event: EventId, user: UserId) -> Result<Badge, AppError> {
    let mut attempts = 0;
    loop {
        match state
            .store
            .issue_badge(event, user, &tokens::badge_token(), &tokens::badge_code())
            .await
        {
            Err(StoreError::Conflict(_)) if attempts < 5 => attempts += 1,
            other => return Ok(other?),
        }
    }
}

/// The URL a badge's QR code encodes.
#[cfg(feature = "ssr")]
pub fn badge_url(state: &AppState, token: &BadgeToken) -> String {
    format!("{}/b/{}", state.config.public_url, token.as_str())
}

/// The QR code for `url` as inline SVG. Error correction level Q (a quarter
/// of the code may be lost: creased lanyards, smudged print, glare) and the
/// standard four-module quiet zone, so a 4 cm print reads from arm's length.
#[cfg(feature = "ssr")]
pub fn qr_svg(url: &str) -> Result<String, AppError> {
    use qrcode::{render::svg, EcLevel, QrCode};
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::Q).map_err(|e| {
        tracing::error!(error = %e, "badge URL does not fit a QR code");
        AppError::Internal
    })?;
    let svg = code
        .render::<svg::Color>()
        .quiet_zone(true)
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    // Inline in HTML: drop the XML declaration, let CSS size it, and name it
    // for screen readers.
    let svg = match svg.find("<svg") {
        Some(at) => &svg[at..],
        None => &svg,
    };
    Ok(svg.replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"Badge QR code\" class=\"qr\" ",
        1,
    ))
}

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
    let url = badge_url(state, &badge.token);
    Ok(BadgeView {
        user_id: badge.user.to_string(),
        display_name: holder.display_name.to_owned(),
        pronouns: holder.pronouns.to_owned(),
        headline: show(ProfileField::Headline, holder.headline),
        company: show(ProfileField::Company, holder.company),
        tags,
        role: holder.role,
        qr_svg: qr_svg(&url)?,
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

/// A time in the event's time zone, as people at the event read it.
#[cfg(feature = "ssr")]
pub(crate) fn local_time(event: &Event, at: DateTime<Utc>) -> String {
    match event.time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).format("%H:%M on %b %-d").to_string(),
        Err(_) => at.format("%H:%M UTC on %b %-d").to_string(),
    }
}

/// My badge in an event (issued on first visit).
#[server(prefix = "/api", endpoint = "my_badge")]
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
        checked_in_at: membership.checked_in_at.map(|t| local_time(&event, t)),
        runs_event: role.runs_event(),
    })
}

/// Replaces a badge's secrets; the old QR code and code stop working at
/// once. My own, or (organizers) any member's.
#[server(prefix = "/api", endpoint = "reissue_badge")]
pub async fn reissue_badge(slug: String, user_id: Option<String>) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, Membership { role, .. }) = member_of(&state, &slug, me.id, BADGES).await?;
    let holder = match user_id.as_deref().filter(|s| !s.is_empty()) {
        None => me.id,
        Some(raw) => {
            let other = profiles::parse_user_id(raw)?;
            if other != me.id && role != Role::Organizer {
                return Err(AppError::Forbidden(
                    "Only organizers can reissue someone else's badge.".into(),
                ));
            }
            if state.store.member_role(event.id, other).await?.is_none() {
                return Err(AppError::NotFound(
                    "That person is not a member of this event.".into(),
                ));
            }
            other
        }
    };
    reissue(&state, event.id, holder).await?;
    tracing::info!(event = %event.id, holder = %holder, by = %me.id, "badge reissued");
    Ok(())
}

/// Switches "approve scans" for my badge in this event.
#[server(prefix = "/api", endpoint = "set_approve_scans")]
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
pub async fn badge_sheet(
    slug: String,
    role: Option<String>,
    paper: Option<String>,
) -> Result<BadgeSheetView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let (event, Membership { role: my_role, .. }) = member_of(&state, &slug, me.id, BADGES).await?;
    if !my_role.runs_event() {
        return Err(AppError::Forbidden(
            "Only organizers and staff can print badges.".into(),
        ));
    }
    let role = match role.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r) => Some(Role::parse(r)?),
    };
    let paper = Paper::parse(paper.as_deref().unwrap_or_default())?;
    for user in state.store.members_without_badge(event.id).await? {
        ensure_badge(&state, event.id, user).await?;
    }
    let badges = state
        .store
        .badge_holders(event.id, role)
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
pub async fn scan_badge(
    slug: String,
    badge: String,
    mode: Option<String>,
    method: Option<String>,
    nonce: Option<String>,
) -> Result<ScanView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let event = crate::api::events::event_at(&state, &slug).await?;
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
    let event = crate::api::events::event_at(state, &scan.slug).await?;
    // The device's clock: believed within the last week, else "now".
    let scanned_at = DateTime::<Utc>::from_timestamp_millis(scan.scanned_at_ms)
        .filter(|t| *t <= now && now - *t < chrono::Duration::days(7))
        .map(|t| {
            use chrono::SubsecRound;
            t.trunc_subsecs(6)
        })
        .unwrap_or(now);
    let record = perform_scan(
        state,
        me,
        ScanRequest {
            badge: BadgeRef::parse(&scan.badge)?,
            within: Some(&event),
            method: ConnectionMethod::Offline,
            mode: scan.mode,
            nonce: Some(ClientNonce::parse(&scan.nonce)?),
            scanned_at,
        },
    )
    .await?;
    scan_view(state, me, &record).await
}

/// A camera opened `/b/<token>`: scans it as `me` and returns the scan id
/// for the result page. Used by the server's `/b/` route.
#[cfg(feature = "ssr")]
pub async fn scan_from_link(
    state: &AppState,
    me: UserId,
    token: &str,
) -> Result<uuid::Uuid, AppError> {
    let badge = BadgeToken::parse(token)
        .map(BadgeRef::Token)
        .map_err(AppError::from);
    let record = match badge {
        Ok(badge) => {
            perform_scan(
                state,
                me,
                ScanRequest {
                    badge,
                    within: None,
                    method: ConnectionMethod::Camera,
                    mode: ScanMode::Connect,
                    nonce: None,
                    scanned_at: crate::domain::now_utc(),
                },
            )
            .await?
        }
        // A mangled URL is still an attempt worth counting (and answering).
        Err(_) => {
            state.limits.scan(me)?;
            state
                .store
                .record_scan(&NewScan {
                    id: uuid::Uuid::new_v4(),
                    event: None,
                    scanner: me,
                    target: None,
                    method: ConnectionMethod::Camera,
                    mode: ScanMode::Connect,
                    outcome: ScanOutcome::Unknown,
                    nonce: None,
                    scanned_at: crate::domain::now_utc(),
                })
                .await?
        }
    };
    Ok(record.id)
}

/// Scans a badge from its confirmation page (`/connect/<token>`): the way
/// a badge link from another site, or a rate-limited one, is completed.
#[server(prefix = "/api", endpoint = "connect_badge")]
pub async fn connect_badge(token: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let id = scan_from_link(&state, me.id, &token).await?;
    leptos_axum::redirect(&format!("/scans/{id}"));
    Ok(())
}

/// A scan I made, for its result page.
#[server(prefix = "/api", endpoint = "scan_result")]
pub async fn scan_result(id: String) -> Result<ScanView, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let record = my_scan(&state, me.id, &id).await?;
    scan_view(&state, me.id, &record).await
}

/// A scan I made, or "not found" (someone else's scans do not exist for me).
#[cfg(feature = "ssr")]
async fn my_scan(state: &AppState, me: UserId, id: &str) -> Result<ScanRecord, AppError> {
    let missing = || AppError::NotFound("There is no such scan.".into());
    let id: uuid::Uuid = id.trim().parse().map_err(|_| missing())?;
    state
        .store
        .scan(id)
        .await?
        .filter(|s| s.scanner == Some(me))
        .ok_or_else(missing)
}

/// After scanning a badge of an event I had not joined: joins it as an
/// attendee and scans again, then shows the new result.
#[server(prefix = "/api", endpoint = "join_from_scan")]
pub async fn join_from_scan(id: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    let record = my_scan(&state, me.id, &id).await?;
    let (Some(event), Some(target), ScanOutcome::NotMember) =
        (record.event, record.target, record.outcome)
    else {
        return Err(AppError::Conflict(
            "This scan does not invite you to an event.".into(),
        ));
    };
    let badge = state
        .store
        .badge(event, target)
        .await?
        .ok_or_else(|| AppError::NotFound("This badge is no longer valid.".into()))?;
    match state.store.add_member(event, me.id, Role::Attendee).await {
        Ok(()) | Err(StoreError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(event = %event, user = %me.id, "joined through a badge scan");
    crate::api::webhooks::member_joined(&*state.store, event, me.id, "badge_scan").await;
    crate::api::matching::member_changed(&state, me.id).await;
    super::notify::dashboard_of(&state, event);
    let again = perform_scan(
        &state,
        me.id,
        ScanRequest {
            badge: BadgeRef::Token(badge.token),
            within: None,
            method: record.method,
            mode: ScanMode::Connect,
            nonce: None,
            scanned_at: crate::domain::now_utc(),
        },
    )
    .await?;
    leptos_axum::redirect(&format!("/scans/{}", again.id));
    Ok(())
}

/// What the scanner sees about a recorded scan.
#[cfg(feature = "ssr")]
pub async fn scan_view(
    state: &AppState,
    me: UserId,
    record: &ScanRecord,
) -> Result<ScanView, AppError> {
    let event = match record.event {
        Some(id) => state.store.event_by_id(id).await?,
        None => None,
    };
    let mut view = ScanView {
        scan_id: record.id.to_string(),
        outcome: record.outcome,
        mode: record.mode,
        event_name: event.as_ref().map(|e| e.name.clone()),
        slug: event.as_ref().map(|e| e.slug.as_str().to_owned()),
        person: None,
        checked_in: None,
        note: None,
    };
    let (Some(event), Some(target)) = (event, record.target) else {
        return Ok(view);
    };
    match record.outcome {
        ScanOutcome::Connected | ScanOutcome::AlreadyConnected | ScanOutcome::Requested => {
            // The card says only what they let me see; if they blocked me or
            // left since, nothing.
            view.person = profiles::person_card(state, &event, me, target).await.ok();
            if record.outcome != ScanOutcome::Requested && view.person.is_some() {
                view.note = Some(
                    crate::api::connections::note_about(state, me, target)
                        .await?
                        .unwrap_or_default(),
                );
            }
        }
        ScanOutcome::CheckedIn | ScanOutcome::AlreadyCheckedIn => {
            if let (Some(user), Some(at)) =
                (state.store.user_by_id(target).await?, record.checked_in_at)
            {
                view.checked_in = Some((user.display_name, local_time(&event, at)));
            }
        }
        _ => {}
    }
    Ok(view)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    /// Rasterises the SVG we serve with an independent renderer (resvg) and
    /// reads it back with an independent decoder (rqrr): what a phone
    /// camera would do with the printed badge.
    #[test]
    fn a_badge_qr_code_decodes_back_to_its_exact_url() {
        let url = "https://rapport.example.org/b/Ab3_-x9ZQ7mK2pR8sT4uVw";
        let svg = qr_svg(url).unwrap();
        assert!(svg.starts_with("<svg role=\"img\""), "{svg}");
        let tree = resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default()).unwrap();
        // About 4 cm at 300 dpi is ~470 px; render smaller to be strict.
        let size = 240;
        let scale = size as f32 / tree.size().width();
        let mut pixmap = resvg::tiny_skia::Pixmap::new(size, size).unwrap();
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        let grey: Vec<u8> = pixmap
            .pixels()
            .iter()
            .map(|p| ((u16::from(p.red()) + u16::from(p.green()) + u16::from(p.blue())) / 3) as u8)
            .collect();
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(size as usize, size as usize, |x, y| {
                grey[y * size as usize + x]
            });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code on the badge");
        let (meta, content) = grids[0].decode().unwrap();
        assert_eq!(content, url);
        // Level Q survives a quarter of the code being lost.
        assert_eq!(meta.ecc_level, 3, "error correction level Q");
    }

    #[test]
    fn paper_sizes_parse() {
        assert_eq!(Paper::parse("").unwrap(), Paper::A4);
        assert_eq!(Paper::parse("letter").unwrap(), Paper::Letter);
        assert!(Paper::parse("a3").is_err());
    }
}
