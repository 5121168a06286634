//! Badges and scans on the server: the one place that decides what a scan
//! does ([`perform_scan`]), whoever asks for it — the in-app scanner (at
//! once or synced later when it was made offline), a typed code, a phone
//! camera opening `/b/<token>` (the server's route), or a scan repeated
//! after joining the event — and what follows it (the funnel's "met"
//! stage, notifications, webhooks). Also issuing and reissuing badges, who
//! may reissue or print them, and the QR code itself. The server functions
//! of [`crate::api::badges`] parse input, call these and build the views.
//!
//! The store records each attempt and applies its effect in one
//! transaction, so every attempt is counted and nothing is done twice.

use crate::{
    domain::{
        BadgeRef, BadgeToken, ClientNonce, ConnectionMethod, EventId, Role, ScanMode, ScanOutcome,
        UserId,
    },
    error::AppError,
    ports::{Badge, BadgeHolder, BadgeLookup, Event, NewScan, ScanRecord, StoreError, User},
    service::tokens,
    state::AppState,
};
use chrono::{DateTime, Utc};

/// How a scan is asked for: which badge, from which scanner, how.
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
    // Check-in and check-out count by the event's day (its time zone).
    let today_from = match event {
        Some(event) if req.mode.at_the_door() => match store.event_by_id(event).await? {
            Some(e) => crate::service::attendance::today_from(&e, req.scanned_at),
            None => req.scanned_at,
        },
        _ => req.scanned_at,
    };
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
            today_from,
        })
        .await?;
    tracing::info!(scan = %record.id, outcome = record.outcome.as_str(), method = req.method.as_str(), "badge scanned");
    crate::service::webhooks::scan_recorded(&*state.store, &record).await;
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
            crate::service::notify::connection(state, event, by, to, kind);
        }
        _ => crate::service::notify::dashboard_of(state, event),
    }
}

/// Two people with an accepted meeting who scan each other's badges have
/// met: the last stage of the organizer's networking funnel.
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
    if mode.at_the_door() {
        // The store settles "already checked in" and "was not checked in".
        return Ok(if !my_role.runs_event() {
            ScanOutcome::NotStaff
        } else if mode == ScanMode::CheckOut {
            ScanOutcome::CheckedOut
        } else {
            ScanOutcome::CheckedIn
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
pub async fn reissue(state: &AppState, event: EventId, user: UserId) -> Result<Badge, AppError> {
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
pub fn badge_url(state: &AppState, token: &BadgeToken) -> String {
    format!("{}/b/{}", state.config.public_url, token.as_str())
}

/// The QR code for `url` as inline SVG. Error correction level Q (a quarter
/// of the code may be lost: creased lanyards, smudged print, glare) and the
/// standard four-module quiet zone, so a 4 cm print reads from arm's length.
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

/// When an offline scan was made: the device's clock, believed if it is
/// within the last week (and not in the future), else `now`. Truncated to
/// microseconds, as the databases keep it.
pub fn device_time(scanned_at_ms: i64, now: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(scanned_at_ms)
        .filter(|t| *t <= now && now - *t < chrono::Duration::days(7))
        .map(|t| {
            use chrono::SubsecRound;
            t.trunc_subsecs(6)
        })
        .unwrap_or(now)
}

/// Replaces the secrets of `holder`'s badge (`None`: `me`'s own) and
/// returns whose it was: my own, or (organizers) any member's.
pub async fn reissue_for(
    state: &AppState,
    event: &Event,
    me: UserId,
    my_role: Role,
    holder: Option<UserId>,
) -> Result<UserId, AppError> {
    let holder = match holder {
        None => me,
        Some(other) => {
            if other != me && my_role != Role::Organizer {
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
    reissue(state, event.id, holder).await?;
    tracing::info!(event = %event.id, holder = %holder, by = %me, "badge reissued");
    Ok(holder)
}

/// Every badge of the event (or of one role) with its holder, for printing;
/// organizers and staff only. Members without a badge get one now.
pub async fn sheet(
    state: &AppState,
    event: EventId,
    my_role: Role,
    role: Option<Role>,
) -> Result<Vec<BadgeHolder>, AppError> {
    if !my_role.runs_event() {
        return Err(AppError::Forbidden(
            "Only organizers and staff can print badges.".into(),
        ));
    }
    for user in state.store.members_without_badge(event).await? {
        ensure_badge(state, event, user).await?;
    }
    Ok(state.store.badge_holders(event, role).await?)
}

/// A camera opened `/b/<token>`: scans it as `me` and returns the scan id
/// for the result page. Used by the server's `/b/` route.
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
            let now = crate::domain::now_utc();
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
                    scanned_at: now,
                    today_from: now,
                })
                .await?
        }
    };
    Ok(record.id)
}

/// A scan I made, or "not found" (someone else's scans do not exist for me).
pub async fn my_scan(state: &AppState, me: UserId, id: &str) -> Result<ScanRecord, AppError> {
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
/// attendee, if its join policy lets a badge scan in (the membership
/// service decides: not on an invite-only event, not after a removal),
/// and scans again; returns the new scan.
pub async fn join_and_rescan(
    state: &AppState,
    me: UserId,
    record: &ScanRecord,
) -> Result<ScanRecord, AppError> {
    use crate::service::membership::{self, JoinPath};
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
    let event = state
        .store
        .event_by_id(event)
        .await?
        .ok_or_else(|| AppError::NotFound("This badge is no longer valid.".into()))?;
    match membership::join(state, &event, me, JoinPath::BadgeScan).await {
        // Joined meanwhile (another tab): scan again all the same.
        Ok(()) | Err(AppError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    perform_scan(
        state,
        me,
        ScanRequest {
            badge: BadgeRef::Token(badge.token),
            within: None,
            method: record.method,
            mode: ScanMode::Connect,
            nonce: None,
            scanned_at: crate::domain::now_utc(),
        },
    )
    .await
}

/// For a scan of a badge of an event I am not in: why I may not join it,
/// to show instead of the join button; `None` when joining would work.
/// Asked of the membership service at every showing (the join button asks
/// again), so the page offers to join only when joining would work.
pub async fn join_refused(
    state: &AppState,
    event: &Event,
    me: UserId,
) -> Result<Option<String>, AppError> {
    use crate::service::membership::{refusal, JoinPath, Refusal};
    Ok(
        match refusal(state.store.as_ref(), event, me, JoinPath::BadgeScan).await? {
            None | Some(Refusal::AlreadyMember) => None,
            Some(Refusal::InvitationOnly) => Some(
                "This event is by invitation only. Ask its organizers for an invite link.".into(),
            ),
            Some(r @ Refusal::Removed) => Some(r.error(event).to_string()),
        },
    )
}

/// Whose badge the token in a login or sign-up page's `next` is, and of
/// which event: `None` for a revoked or unknown badge. Only what is printed
/// on the badge (its owner's name, the event's name) may be shown of them.
pub async fn badge_owner(
    state: &AppState,
    token: &BadgeToken,
) -> Result<Option<(User, Event)>, AppError> {
    let Some(BadgeLookup::Current(badge)) = state.store.badge_by_token(token).await? else {
        return Ok(None);
    };
    Ok(
        match (
            state.store.user_by_id(badge.user).await?,
            state.store.event_by_id(badge.event).await?,
        ) {
            (Some(owner), Some(event)) => Some((owner, event)),
            _ => None,
        },
    )
}

#[cfg(test)]
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
}
