//! The schema types of `/api/v1`: what each resource answers (`…Dto`,
//! pages, counts, the import report) and what it accepts (the paging
//! query, the CSV body with its size limit), each with the bounds the
//! OpenAPI document states. Apart from the handlers (`resources.rs`) so
//! the document's shapes can be read in one place.

use super::super::error::ApiError;
use app::api::imports::ImportReport;
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::StatusCode,
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

/// Which page of members to list. The bounds in `#[param]` are the
/// document's and must equal the constants below, which the handler
/// enforces (utoipa takes only literals there; a unit test ties them).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page number, from 1 (default 1); a page past the last is empty.
    #[param(minimum = 1, maximum = 2147483647, default = 1)]
    pub page: Option<u32>,
    /// Members per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub per_page: Option<u32>,
}

/// Import files may be large (100,000 rows); other requests have no body.
/// A bigger body is a JSON `413 too_large` (see [`CsvFile`]).
pub(crate) const MAX_BODY: usize = 32 * 1024 * 1024;

/// The highest page number: the largest `int32`, the format the document
/// gives page numbers, so every client language has a type for any page.
/// Accepting more (the `u32` field could) would answer what the document
/// says is out of range.
pub const MAX_PAGE: u32 = i32::MAX as u32;

/// The biggest page the members list serves.
pub const MAX_PER_PAGE: u32 = 200;

/// The body of an import: a CSV file, never empty. Extracting it is where
/// the document's `minLength: 1` is enforced (`400 bad_request`), and where
/// a body over the API's size limit becomes a JSON `413 too_large` instead
/// of axum's plain-text one.
#[derive(Debug)]
pub struct CsvFile(pub(super) Bytes);

// Written by hand: utoipa's derive takes no `min_length` on a newtype, and
// the bound belongs beside the extractor that enforces it.
impl utoipa::PartialSchema for CsvFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .description(Some(
                "A CSV file (UTF-8): a header row naming at least `name` and `email` \
                 (also `role`, `company`, `tags`), then one attendee per line. Never empty.",
            ))
            .into()
    }
}

impl ToSchema for CsvFile {}

impl<S: Send + Sync> FromRequest<S> for CsvFile {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!(
                        "The file is larger than {} MiB; split it into smaller files.",
                        MAX_BODY / (1024 * 1024)
                    ),
                )
            } else {
                ApiError::bad_request(e.body_text())
            }
        })?;
        if body.is_empty() {
            return Err(ApiError::bad_request(
                "The body is empty: send the CSV file, with a header row naming at least `name` and `email`.",
            ));
        }
        Ok(Self(body))
    }
}

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

/// One of the busiest rooms now.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusyRoomDto {
    pub title: String,
    /// People live in the room now, on any server instance.
    pub people_now: u64,
    /// Messages posted in the room within the last hour.
    pub messages_last_hour: u64,
}

/// The organizer dashboard's numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsDto {
    pub members: u64,
    pub members_by_role: Vec<Count>,
    /// Members ever checked in.
    pub checked_in: u64,
    /// Members here now: checked in today and not out, or live in a room.
    pub here_now: u64,
    pub connections: u64,
    pub scans: u64,
    /// How many were here at the end of each hour, event time zone.
    pub here_per_hour: Vec<Count>,
    /// Per hour in the event's time zone, the most recent 48 hours with activity.
    pub connections_per_hour: Vec<Count>,
    pub scans_per_hour: Vec<Count>,
    /// Check-ins (arrivals, by staff scan or the member's own button) per hour.
    pub check_ins_per_hour: Vec<Count>,
    /// Members who joined the event per hour.
    pub joins_per_hour: Vec<Count>,
    /// Different people live in any of the event's rooms now, on any instance.
    pub in_rooms_now: u64,
    /// Messages posted in the event's rooms per hour.
    pub messages_per_hour: Vec<Count>,
    /// At most 5 rooms: the most messages in the last hour first, then the
    /// most people now; rooms with neither are left out.
    pub busiest_rooms: Vec<BusyRoomDto>,
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
    /// The person's own link to accept the invitation (a new account sets
    /// its password there). Every link has the same form, whether or not
    /// the address already had an account.
    pub link: String,
}

/// What an import did, line by line. An import invites: nobody becomes a
/// member, or gets a role, before accepting. The answer is the same for an
/// address with an account and one without, so it never tells whether
/// someone uses Rapport.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportDto {
    /// People invited (each gets a personal link; they join, with the
    /// role in the file, when they accept).
    pub invited: u64,
    pub skipped: Vec<SkippedLine>,
    /// Header columns that were not recognised and were left out.
    pub ignored_columns: Vec<String>,
    pub invitations: Vec<Invitation>,
}

impl From<ImportReport> for ImportReportDto {
    fn from(r: ImportReport) -> Self {
        Self {
            invited: r.invited,
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
