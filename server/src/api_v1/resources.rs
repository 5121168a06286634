//! The API's endpoints: the event, its members (list, one, import), rooms
//! with live occupancy, statistics, and the CSV exports. Each handler takes
//! an [`ApiCaller`] and reads only the caller's event; anything named by id
//! that is not of that event is a 404, exactly like something that does not
//! exist. The numbers and files come from the same code the organizer's
//! pages use (`app::api::{dashboard, exports, import}`, `crate::exports`).

use super::{auth::ApiCaller, error::ApiError, error::ErrorBody};
use app::{
    api::import::{plan_import, run_import, ImportReport},
    domain::{RoomId, UserId},
    ports::AppState,
};
use axum::{
    body::Bytes,
    extract::{rejection::QueryRejection, Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The event the token belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub id: Uuid,
    /// The event's address: `/e/<slug>`.
    pub slug: String,
    pub name: String,
    pub description: String,
    pub venue: String,
    /// First day, in the event's time zone (YYYY-MM-DD).
    pub starts_on: String,
    /// Last day (YYYY-MM-DD).
    pub ends_on: String,
    /// IANA time zone name.
    pub time_zone: String,
    /// How many members the event has.
    pub members: u64,
}

/// One member of the event.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    /// `organizer`, `staff` or `attendee`.
    pub role: String,
    pub company: String,
    pub joined_at: DateTime<Utc>,
    /// When staff checked them in, if they were.
    pub checked_in_at: Option<DateTime<Utc>>,
}

/// One page of members, oldest member first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberPage {
    pub members: Vec<MemberDto>,
    /// This page's number (from 1).
    pub page: u32,
    pub per_page: u32,
    /// Members in the whole event.
    pub total: u64,
}

/// Which page of members to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page number, from 1 (default 1).
    pub page: Option<u32>,
    /// Members per page, 1 to 200 (default 50).
    pub per_page: Option<u32>,
}

/// The biggest page the members list serves.
pub const MAX_PER_PAGE: u32 = 200;

/// One room of the event.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomDto {
    pub id: Uuid,
    /// `topic` or `meetup`.
    pub kind: String,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub closed: bool,
    /// People in the room right now (on this server instance's count).
    pub occupancy: u64,
    /// Messages posted so far.
    pub messages: u64,
    /// What the room is about (0 to 5 normalised tags, in the order its
    /// moderators gave), e.g. `["rust", "hiring"]`.
    pub tags: Vec<String>,
}

/// A labelled count.
#[derive(Debug, Serialize, ToSchema)]
pub struct Count {
    pub label: String,
    pub count: u64,
}

/// How well connected the crowd is.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Members with at least one connection, in percent.
    pub connected_pct: u32,
    /// Connections per member.
    pub average_connections: f64,
    /// Members in the largest connected group, in percent.
    pub largest_group_pct: u32,
}

/// The most common tags for one intent.
#[derive(Debug, Serialize, ToSchema)]
pub struct TopTags {
    /// `interest`, `offer` or `seek`.
    pub intent: String,
    pub tags: Vec<Count>,
}

/// The organizer dashboard's numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsDto {
    pub members: u64,
    pub members_by_role: Vec<Count>,
    pub checked_in: u64,
    pub connections: u64,
    pub scans: u64,
    /// Per hour in the event's time zone, the most recent 48 hours with activity.
    pub connections_per_hour: Vec<Count>,
    pub scans_per_hour: Vec<Count>,
    pub scan_outcomes: Vec<Count>,
    /// Recommended → interested → mutual → meeting requested → accepted → met.
    pub funnel: Vec<Count>,
    pub top_tags: Vec<TopTags>,
    pub health: Health,
}

/// A line that was not imported.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkippedLine {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    pub reason: String,
}

/// A personal invitation to pass on to an imported attendee.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    pub name: String,
    pub email: String,
    /// New accounts: a link to set a password. Existing accounts: the event.
    pub link: String,
}

/// What an import did, line by line.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportDto {
    /// New accounts created and added to the event.
    pub created: u64,
    /// Existing accounts added to the event.
    pub updated: u64,
    pub skipped: Vec<SkippedLine>,
    /// Header columns that were not recognised and were left out.
    pub ignored_columns: Vec<String>,
    pub invitations: Vec<Invitation>,
}

impl From<ImportReport> for ImportReportDto {
    fn from(r: ImportReport) -> Self {
        Self {
            created: r.created,
            updated: r.updated,
            skipped: r
                .skipped
                .into_iter()
                .map(|(line, reason)| SkippedLine { line, reason })
                .collect(),
            ignored_columns: r.ignored_columns,
            invitations: r
                .invitations
                .into_iter()
                .map(|(name, email, link)| Invitation { name, email, link })
                .collect(),
        }
    }
}

fn counts(bars: Vec<(String, u64)>) -> Vec<Count> {
    bars.into_iter()
        .map(|(label, count)| Count { label, count })
        .collect()
}

/// The event this token belongs to.
#[utoipa::path(get, path = "/event", tag = "event",
    responses(
        (status = 200, description = "The event", body = EventDto),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 429, description = "Too many calls with this token", body = ErrorBody),
    ))]
pub async fn get_event(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<EventDto>, ApiError> {
    let e = caller.event;
    let members = state.store.list_members(e.id).await?.len() as u64;
    Ok(Json(EventDto {
        id: e.id.0,
        slug: e.slug.as_str().to_owned(),
        name: e.name,
        description: e.description,
        venue: e.venue,
        starts_on: e.dates.starts_on().to_string(),
        ends_on: e.dates.ends_on().to_string(),
        time_zone: e.time_zone,
        members,
    }))
}

async fn member_dto(
    state: &AppState,
    caller: &ApiCaller,
    m: app::ports::Member,
) -> Result<Option<MemberDto>, ApiError> {
    let (Some(user), Some(membership)) = (
        state.store.user_by_id(m.user_id).await?,
        state.store.membership(caller.event.id, m.user_id).await?,
    ) else {
        return Ok(None);
    };
    Ok(Some(MemberDto {
        user_id: m.user_id.0,
        name: user.display_name,
        email: user.email.as_str().to_owned(),
        role: m.role.as_str().to_owned(),
        company: user.company,
        joined_at: m.joined_at,
        checked_in_at: membership.checked_in_at,
    }))
}

/// The event's members, a page at a time.
#[utoipa::path(get, path = "/members", tag = "members", params(Paging),
    responses(
        (status = 200, description = "One page of members", body = MemberPage),
        (status = 400, description = "A bad page or page size", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
    ))]
pub async fn list_members(
    State(state): State<AppState>,
    caller: ApiCaller,
    paging: Result<Query<Paging>, QueryRejection>,
) -> Result<Json<MemberPage>, ApiError> {
    let Query(paging) = paging.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let page = paging.page.unwrap_or(1);
    let per_page = paging.per_page.unwrap_or(50);
    if page == 0 || !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::bad_request(format!(
            "`page` starts at 1 and `per_page` is between 1 and {MAX_PER_PAGE}."
        )));
    }
    let mut all = state.store.list_members(caller.event.id).await?;
    all.sort_by(|a, b| {
        a.joined_at
            .cmp(&b.joined_at)
            .then(a.user_id.0.cmp(&b.user_id.0))
    });
    let total = all.len() as u64;
    let start = (page as usize - 1).saturating_mul(per_page as usize);
    let mut members = Vec::new();
    for m in all.into_iter().skip(start).take(per_page as usize) {
        if let Some(dto) = member_dto(&state, &caller, m).await? {
            members.push(dto);
        }
    }
    Ok(Json(MemberPage {
        members,
        page,
        per_page,
        total,
    }))
}

/// One member of the event.
#[utoipa::path(get, path = "/members/{user_id}", tag = "members",
    params(("user_id" = Uuid, Path, description = "The member's user id")),
    responses(
        (status = 200, description = "The member", body = MemberDto),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 404, description = "Not a member of this event", body = ErrorBody),
    ))]
pub async fn get_member(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
) -> Result<Json<MemberDto>, ApiError> {
    let missing = || ApiError::not_found("This event has no such member.");
    let user = UserId(user_id.parse().map_err(|_| missing())?);
    let member = state
        .store
        .list_members(caller.event.id)
        .await?
        .into_iter()
        .find(|m| m.user_id == user)
        .ok_or_else(missing)?;
    member_dto(&state, &caller, member)
        .await?
        .map(Json)
        .ok_or_else(missing)
}

/// Imports attendees from a CSV file (UTF-8, a header row naming at least
/// `name` and `email`; also `role`, `company`, `tags`). The whole file is
/// checked first: a malformed file imports nothing (422). Bad lines are
/// skipped with their reason; new accounts get a personal invitation link.
#[utoipa::path(post, path = "/members/import", tag = "members",
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 200, description = "What was imported, line by line", body = ImportReportDto),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 422, description = "A malformed file; nothing was imported", body = ErrorBody),
    ))]
pub async fn import_members(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Bytes,
) -> Result<Json<ImportReportDto>, ApiError> {
    let plan = plan_import(&body)?;
    let rows = plan.rows.len();
    let (report, invitations) = run_import(
        &*state.store,
        &state.config.public_url,
        &caller.event,
        plan,
        |_| {},
    )
    .await?;
    // Invitations go out (by mail, or to the outbox) after the answer.
    let (store, postman, event) = (
        state.store.clone(),
        state.postman.clone(),
        caller.event.clone(),
    );
    tokio::spawn(async move { postman.deliver(store.as_ref(), &event, invitations).await });
    tracing::info!(event = %caller.event.id, token = %caller.token.id, rows, "members imported over the API");
    Ok(Json(report.into()))
}

async fn room_dto(state: &AppState, r: app::ports::Room) -> RoomDto {
    RoomDto {
        id: r.id.0,
        kind: r.kind.as_str().to_owned(),
        title: r.title,
        description: r.description,
        place: r.place,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        closed: r.closed,
        occupancy: state.live.occupancy(r.id) as u64,
        messages: r.last_seq,
        tags: r.tags.names(),
    }
}

/// The event's rooms with how many people are in each right now.
#[utoipa::path(get, path = "/rooms", tag = "rooms",
    responses(
        (status = 200, description = "The rooms", body = Vec<RoomDto>),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
    ))]
pub async fn list_rooms(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<RoomDto>>, ApiError> {
    let mut rooms = Vec::new();
    for r in state.store.rooms_of_event(caller.event.id).await? {
        rooms.push(room_dto(&state, r).await);
    }
    Ok(Json(rooms))
}

/// One room of the event.
#[utoipa::path(get, path = "/rooms/{room_id}", tag = "rooms",
    params(("room_id" = Uuid, Path, description = "The room's id")),
    responses(
        (status = 200, description = "The room", body = RoomDto),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 404, description = "This event has no such room", body = ErrorBody),
    ))]
pub async fn get_room(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(room_id): Path<String>,
) -> Result<Json<RoomDto>, ApiError> {
    let missing = || ApiError::not_found("This event has no such room.");
    let id = RoomId(room_id.parse().map_err(|_| missing())?);
    let room = state
        .store
        .room(id)
        .await?
        .filter(|r| r.event == caller.event.id)
        .ok_or_else(missing)?;
    Ok(Json(room_dto(&state, room).await))
}

/// The event's networking statistics (the organizer dashboard's numbers).
#[utoipa::path(get, path = "/statistics", tag = "statistics",
    responses(
        (status = 200, description = "The numbers", body = StatisticsDto),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
    ))]
pub async fn get_statistics(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<StatisticsDto>, ApiError> {
    let d = app::api::dashboard::dashboard_for(&state, &caller.event).await?;
    Ok(Json(StatisticsDto {
        members: d.members,
        members_by_role: d
            .by_role
            .into_iter()
            .map(|(r, n)| Count {
                label: r.as_str().to_owned(),
                count: n,
            })
            .collect(),
        checked_in: d.checked_in,
        connections: d.connections,
        scans: d.scans,
        connections_per_hour: counts(d.connections_per_hour),
        scans_per_hour: counts(d.scans_per_hour),
        scan_outcomes: counts(d.scan_outcomes),
        funnel: counts(d.funnel),
        top_tags: d
            .top_tags
            .into_iter()
            .map(|(intent, tags)| TopTags {
                intent: intent.as_str().to_owned(),
                tags: counts(tags),
            })
            .collect(),
        health: Health {
            connected_pct: d.health.connected_pct,
            average_connections: d.health.average,
            largest_group_pct: d.health.largest_group_pct,
        },
    }))
}

fn csv_file(slug: &str, name: &str, body: Result<String, csv::Error>) -> Response {
    match body {
        Ok(body) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{slug}-{name}.csv\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "writing an export failed");
            ApiError::from(app::error::AppError::Internal).into_response()
        }
    }
}

/// The attendee list as CSV (the file organizers download from the dashboard).
#[utoipa::path(get, path = "/exports/attendees.csv", tag = "exports",
    responses(
        (status = 200, description = "CSV with a header row", content_type = "text/csv", body = String),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
    ))]
pub async fn export_attendees(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let rows = app::api::exports::attendees_of(&state, &caller.event).await?;
    Ok(csv_file(
        caller.event.slug.as_str(),
        "attendees",
        crate::exports::attendees_csv(rows),
    ))
}

/// The statistics as CSV rows of (section, name, value).
#[utoipa::path(get, path = "/exports/statistics.csv", tag = "exports",
    responses(
        (status = 200, description = "CSV with a header row", content_type = "text/csv", body = String),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
    ))]
pub async fn export_statistics(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let d = app::api::dashboard::dashboard_for(&state, &caller.event).await?;
    let rows = app::api::exports::statistics_rows(&d);
    Ok(csv_file(
        caller.event.slug.as_str(),
        "statistics",
        crate::exports::statistics_csv(rows),
    ))
}
