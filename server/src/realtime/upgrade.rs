//! The `/ws` route: checks the `Origin` (the allow-list of
//! [`crate::origin`]) and the signed-in person ([`crate::signed_in`]), builds the connection with
//! small buffers and hands it to the loop ([`super::connection`]).

use super::{
    connection::{Connection, Limiter, Wire},
    subscriptions::JoinedRooms,
    Hub,
};
use crate::signed_in::SignedInUser;
use app::{domain::UserId, service::rooms, state::AppState};
use axum::{
    extract::ws::WebSocketUpgrade,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use governor::{clock::MonotonicClock, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::{sync::Arc, time::Instant};

use tokio_stream::StreamMap;
use tower_sessions::Session;

/// Socket read buffer: small, so an idle connection costs little
/// (tungstenite's default is 128 KiB, and it zero-fills the whole buffer
/// on every read, so all of it is resident). Most client frames (hello,
/// join, a short message) fit; a larger one grows the buffer as needed,
/// up to [`MAX_FRAME_BYTES`], read 256 bytes per system call, which at
/// five messages a second costs nothing. 256 instead of 1 KiB saved
/// 0.8 KiB per idle socket (docs/benchmarks.md).
pub const READ_BUFFER: usize = 256;
/// Largest frame (and message) accepted from a client; a bigger one closes
/// the socket with code 1009. A 2,000-character message in JSON fits.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Bytes of frames gathered before they are written to the network:
/// frames that are ready together go out in one write instead of one
/// system call each (what lets one core feed a 2,000-member room). The
/// buffer only grows on sockets that receive bursts.
pub const WRITE_BUFFER: usize = 8 * 1024;
/// Chat messages per second per socket, sustained.
pub const SENDS_PER_SECOND: u32 = 5;
/// Chat messages that may be sent at once before the rate applies.
pub const SEND_BURST: u32 = 10;
/// Any frames per second per socket, sustained (floods of other messages).
pub const FRAMES_PER_SECOND: u32 = 20;
/// Frames at once before [`FRAMES_PER_SECOND`] applies.
pub const FRAME_BURST: u32 = 40;
/// What the `/ws` route needs.
pub struct WsContext {
    pub hub: Arc<Hub>,
    /// Origins a browser may open the socket from (as for state-changing requests).
    pub allowed_origins: Arc<Vec<String>>,
}

pub fn routes(ctx: Arc<WsContext>) -> Router<AppState> {
    Router::new().route(
        "/ws",
        get(
            move |ws: WebSocketUpgrade,
                  me: Option<SignedInUser>,
                  session: Session,
                  headers: HeaderMap| {
                upgrade(ctx.clone(), ws, me, session, headers)
            },
        ),
    )
}

fn refuse(status: StatusCode, error: &str, detail: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": error, "detail": detail })),
    )
        .into_response()
}

/// Checks the Origin and the session, then switches protocols.
#[tracing::instrument(skip_all)]
async fn upgrade(
    ctx: Arc<WsContext>,
    ws: WebSocketUpgrade,
    me: Option<SignedInUser>,
    // The session itself too: the connection ends when it does.
    session: Session,
    headers: HeaderMap,
) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if !crate::origin::origin_allowed(&ctx.allowed_origins, origin, fetch_site) {
        tracing::warn!(origin = ?origin, "WebSocket from another site refused");
        return refuse(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This connection came from another site and was refused.",
        );
    }
    let store = ctx.hub.store().clone();
    let Some(SignedInUser(user)) = me else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Please sign in to continue.",
        );
    };
    let hidden = match rooms::hidden_from(store.as_ref(), user.id).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "could not read blocks");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side. Please try again.",
            );
        }
    };
    // Built here and boxed, so the closure handed to axum holds one
    // pointer: what a closure captures stays in axum's task for the
    // socket's whole life, beside the copy the loop works on.
    let connection = Connection::new(
        ctx.hub.clone(),
        user.id,
        user.display_name,
        session.id().map(|id| id.to_string()),
        session.expiry_date().unix_timestamp(),
        hidden,
    );
    let tuning = ctx.hub.tuning;
    let send_timeout = tuning.send_timeout;
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(tuning.max_write_buffer as usize)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |ws| connection.run(Wire::new(ws, send_timeout)))
}

fn limiter(per_second: u32, burst: u32) -> Limiter {
    let nz = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    RateLimiter::direct_with_clock(
        Quota::per_second(nz(per_second)).allow_burst(nz(burst)),
        MonotonicClock,
    )
}

impl Connection {
    /// A connection for `me` (named `name`), opened with the session
    /// `session_id` that expires at `expires` (Unix seconds), hiding the
    /// people in `hidden` (blocked either way). Boxed: see [`upgrade`].
    pub fn new(
        hub: Arc<Hub>,
        me: UserId,
        name: String,
        session_id: Option<String>,
        expires: i64,
        hidden: Box<[UserId]>,
    ) -> Box<Self> {
        let running = hub.shutdown.task_token();
        Box::new(Connection {
            hub,
            me,
            session_id,
            expires,
            name,
            hidden,
            greeted: false,
            joined: JoinedRooms::default(),
            dms: Vec::new(),
            // Personal notifications and one room: what nearly every socket
            // holds (a default map would reserve four).
            streams: StreamMap::with_capacity(2),
            sends: limiter(SENDS_PER_SECOND, SEND_BURST),
            frames: limiter(FRAMES_PER_SECOND, FRAME_BURST),
            refusals: 0,
            last_heard: Instant::now(),
            _running: running,
        })
    }
}
