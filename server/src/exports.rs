//! Organizer exports as CSV downloads: `/e/<slug>/export/attendees.csv`
//! (organizers), `/e/<slug>/export/statistics.csv` (organizers and
//! staff) and `/e/<slug>/export/rooms/<room>/transcript.csv` (whoever may
//! moderate the room). What may be exported is decided in `app::service::exports`; here
//! it is written out, with formula cells defused against CSV injection.
//! The public API (`api_v1`) serves the same files through
//! [`attendees_csv`] and [`statistics_csv`].

use crate::contacts::{defuse, download};
use crate::signed_in::SignedIn;
use app::{domain::UserId, error::AppError, state::AppState};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/e/{slug}/export/attendees.csv", get(attendees))
        .route("/e/{slug}/export/statistics.csv", get(statistics))
        .route(
            "/e/{slug}/export/rooms/{room}/transcript.csv",
            get(transcript),
        )
}

fn refused(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, e.to_string()).into_response()
}

/// Writes rows (header first) as CSV, every cell defused.
fn csv<I, R>(rows: I) -> Result<String, csv::Error>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(row.into_iter().map(|c| defuse(&c)))?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("csv writes the UTF-8 it was given"))
}

/// The caller, or a response that sends a visitor to log in and come back
/// to `back_to` (the page the export is offered on, not the file itself).
fn caller(me: Option<SignedIn>, back_to: &str) -> Result<UserId, Box<Response>> {
    me.map(|SignedIn(id)| id)
        .ok_or_else(|| Box::new(crate::redirect::to_login(back_to, None)))
}

fn respond(slug: &str, name: &str, body: Result<String, csv::Error>) -> Response {
    match body {
        Ok(body) => download(
            "text/csv; charset=utf-8",
            &format!("{slug}-{name}.csv"),
            body,
        ),
        Err(e) => {
            tracing::error!(error = %e, "writing an export failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn attendees(
    State(state): State<AppState>,
    me: Option<SignedIn>,
    Path(slug): Path<String>,
) -> Response {
    let me = match caller(me, &format!("/e/{slug}/dashboard")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let rows = match app::service::exports::attendees(&state, me, &slug).await {
        Ok(rows) => rows,
        Err(e) => return refused(e),
    };
    let body = attendees_csv(rows);
    respond(&slug, "attendees", body)
}

async fn statistics(
    State(state): State<AppState>,
    me: Option<SignedIn>,
    Path(slug): Path<String>,
) -> Response {
    let me = match caller(me, &format!("/e/{slug}/dashboard")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let rows = match app::service::exports::statistics(&state, me, &slug).await {
        Ok(rows) => rows,
        Err(e) => return refused(e),
    };
    respond(&slug, "statistics", statistics_csv(rows))
}

async fn transcript(
    State(state): State<AppState>,
    me: Option<SignedIn>,
    Path((slug, room)): Path<(String, String)>,
) -> Response {
    let me = match caller(me, &format!("/e/{slug}/rooms/{room}")) {
        Ok(me) => me,
        Err(r) => return *r,
    };
    let (room, lines) = match app::service::rooms::transcript(&state, me, &slug, &room).await {
        Ok(found) => found,
        Err(e) => return refused(e),
    };
    respond(
        &slug,
        &format!("room-{}-transcript", room.id),
        transcript_csv(lines),
    )
}

/// A room's transcript (header row first): one row per message, removed
/// ones kept with an empty text, and the reasons members reported each.
pub fn transcript_csv(
    lines: Vec<app::service::rooms::TranscriptLine>,
) -> Result<String, csv::Error> {
    let header = ["seq", "posted_at", "author", "text", "removed", "reports"]
        .map(String::from)
        .to_vec();
    csv(std::iter::once(header).chain(lines.into_iter().map(|l| {
        vec![
            l.seq.to_string(),
            l.posted_at,
            l.author,
            l.text,
            if l.removed { "yes" } else { "" }.to_owned(),
            l.reports.join(" | "),
        ]
    })))
}

/// The attendees CSV (header row first), shared with the public API's export.
pub fn attendees_csv(rows: Vec<app::service::exports::AttendeeRow>) -> Result<String, csv::Error> {
    let header = [
        "name",
        "email",
        "role",
        "company",
        "job_title",
        "joined_at",
        "checked_in_at",
        "networking",
    ]
    .map(String::from)
    .to_vec();
    csv(std::iter::once(header).chain(rows.into_iter().map(|r| {
        vec![
            r.name,
            r.email,
            r.role.as_str().to_owned(),
            r.company,
            r.job_title,
            r.joined_at,
            r.checked_in_at.unwrap_or_default(),
            if r.opted_out { "opted out" } else { "yes" }.to_owned(),
        ]
    })))
}

/// The statistics CSV (header row first), shared with the public API's export.
pub fn statistics_csv(rows: Vec<(String, String, String)>) -> Result<String, csv::Error> {
    let header = vec!["section".to_owned(), "name".to_owned(), "value".to_owned()];
    csv(std::iter::once(header).chain(rows.into_iter().map(|(a, b, c)| vec![a, b, c])))
}
