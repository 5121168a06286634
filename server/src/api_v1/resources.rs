//! The API's endpoints: the event, its members (list, one, import), rooms
//! with live occupancy, statistics, and the CSV exports. Each handler takes
//! an [`ApiCaller`] and reads only the caller's event; anything named by id
//! that is not of that event is a 404, exactly like something that does not
//! exist. The numbers and files come from the same code the organizer's
//! pages use (`app::api::{dashboard, exports, import}`, `crate::exports`).
//!
//! The OpenAPI document is a contract a generated client trusts, so each
//! operation lists every status it can answer, and each bound in a schema
//! is the bound the code enforces: a request outside the document (a page
//! out of range, an empty body) is a `400 bad_request`, never quietly
//! served. `server/tests/api_v1.rs` walks the document to check both.
//!
//! The handlers are here; the schema types they answer and accept, with
//! their bounds, are in `resources/schema.rs`.

use super::{auth::ApiCaller, error::ApiError, error::ErrorBody};
use app::{
    domain::UserId,
    error::AppError,
    service::imports::{plan_import, run_import},
    service::rooms,
    state::AppState,
};
use axum::{
    extract::{
        rejection::{PathRejection, QueryRejection},
        Path, Query, State,
    },
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

mod schema;

pub(super) use schema::MAX_BODY;
use schema::{
    BusyRoomDto, Count, CsvFile, EventDto, Health, ImportReportDto, MemberDto, MemberPage, Paging,
    RoomDto, StatisticsDto, TopTags,
};
pub use schema::{MAX_PAGE, MAX_PER_PAGE};

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
        (status = 429, description = "Too many calls with this token", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before calling again"))),
        (status = "5XX", description = "A failure on our side (500), or the database is unreachable (503); details are in the server log only", body = ErrorBody),
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
        (status = 400, description = "`page` or `per_page` is not a whole number in its range", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 429, description = "Too many calls with this token", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before calling again"))),
        (status = "5XX", description = "A failure on our side (500), or the database is unreachable (503); details are in the server log only", body = ErrorBody),
    ))]
pub async fn list_members(
    State(state): State<AppState>,
    caller: ApiCaller,
    paging: Result<Query<Paging>, QueryRejection>,
) -> Result<Json<MemberPage>, ApiError> {
    let Query(paging) = paging.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let page = paging.page.unwrap_or(1);
    let per_page = paging.per_page.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(ApiError::bad_request(format!(
            "`page` is between 1 and {MAX_PAGE}."
        )));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::bad_request(format!(
            "`per_page` is between 1 and {MAX_PER_PAGE}."
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
        (status = 404, description = "Not a member of this event (or not a user id at all)", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 429, description = "Too many calls with this token", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before calling again"))),
        (status = "5XX", description = "A failure on our side (500), or the database is unreachable (503); details are in the server log only", body = ErrorBody),
    ))]
pub async fn get_member(
    State(state): State<AppState>,
    caller: ApiCaller,
    user_id: Result<Path<String>, PathRejection>,
) -> Result<Json<MemberDto>, ApiError> {
    let missing = || ApiError::not_found("This event has no such member.");
    // Anything that is not a user id (even undecodable bytes) is simply
    // not a member: the one documented answer, 404.
    let Ok(Path(user_id)) = user_id else {
        return Err(missing());
    };
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
/// skipped with their reason; everyone else is invited (a personal link to
/// accept; nobody is a member before accepting). The answer is the same
/// whether or not an address already has an account.
#[utoipa::path(post, path = "/members/import", tag = "members",
    request_body(content = CsvFile, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 200, description = "What was imported, line by line", body = ImportReportDto),
        (status = 400, description = "An empty body; nothing was imported", body = ErrorBody),
        (status = 413, description = "A body over 32 MiB; nothing was imported", body = ErrorBody),
        (status = 422, description = "A malformed file (not UTF-8, not CSV, no `name` or `email` column, too many rows); nothing was imported", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 429, description = "Too many calls with this token", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before calling again"))),
        (status = "5XX", description = "A failure on our side (500), or the database is unreachable (503); details are in the server log only", body = ErrorBody),
    ))]
pub async fn import_members(
    State(state): State<AppState>,
    caller: ApiCaller,
    CsvFile(body): CsvFile,
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
        (status = 429, description = "Too many calls with this token", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before calling again"))),
        (status = "5XX", description = "A failure on our side (500), or the database is unreachable (503); details are in the server log only", body = ErrorBody),
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
        (status = 404, description = "This event has no such room (or not a room id at all)", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 429, description = "Too many calls with this token", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before calling again"))),
        (status = "5XX", description = "A failure on our side (500), or the database is unreachable (503); details are in the server log only", body = ErrorBody),
    ))]
pub async fn get_room(
    State(state): State<AppState>,
    caller: ApiCaller,
    room_id: Result<Path<String>, PathRejection>,
) -> Result<Json<RoomDto>, ApiError> {
    // The rooms service decides which rooms exist for this event, with
    // the same answer as the socket and the server functions.
    let raw = room_id.map(|Path(id)| id).unwrap_or_default();
    let room = rooms::room_of_event(state.store.as_ref(), caller.event.id, &raw)
        .await
        .map_err(AppError::from)?;
    Ok(Json(room_dto(&state, room).await))
}

/// The event's networking statistics (the organizer dashboard's numbers).
#[utoipa::path(get, path = "/statistics", tag = "statistics",
    responses(
        (status = 200, description = "The numbers", body = StatisticsDto),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 429, description = "Too many calls with this token", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before calling again"))),
        (status = "5XX", description = "A failure on our side (500), or the database is unreachable (503); details are in the server log only", body = ErrorBody),
    ))]
pub async fn get_statistics(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<StatisticsDto>, ApiError> {
    let d = app::service::dashboard::dashboard_for(&state, &caller.event).await?;
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
        here_now: d.here_now,
        connections: d.connections,
        scans: d.scans,
        here_per_hour: counts(d.here_per_hour),
        connections_per_hour: counts(d.connections_per_hour),
        scans_per_hour: counts(d.scans_per_hour),
        check_ins_per_hour: counts(d.check_ins_per_hour),
        joins_per_hour: counts(d.joins_per_hour),
        in_rooms_now: d.in_rooms_now,
        messages_per_hour: counts(d.messages_per_hour),
        busiest_rooms: d
            .busiest_rooms
            .into_iter()
            .map(|r| BusyRoomDto {
                title: r.title,
                people_now: r.people_now,
                messages_last_hour: r.messages_last_hour,
            })
            .collect(),
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
        (status = 429, description = "Too many calls with this token", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before calling again"))),
        (status = "5XX", description = "A failure on our side (500), or the database is unreachable (503); details are in the server log only", body = ErrorBody),
    ))]
pub async fn export_attendees(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let rows = app::service::exports::attendees_of(&state, &caller.event).await?;
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
        (status = 429, description = "Too many calls with this token", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before calling again"))),
        (status = "5XX", description = "A failure on our side (500), or the database is unreachable (503); details are in the server log only", body = ErrorBody),
    ))]
pub async fn export_statistics(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let d = app::service::dashboard::dashboard_for(&state, &caller.event).await?;
    let rows = app::service::exports::statistics_rows(&d);
    Ok(csv_file(
        caller.event.slug.as_str(),
        "statistics",
        crate::exports::statistics_csv(rows),
    ))
}
