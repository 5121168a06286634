//! The axum router: Leptos pages and server functions, `/healthz`, static
//! files, the public API (`/api/v1`), and the layers every request passes (sessions, Origin check,
//! security headers, compression, tracing).

use crate::sessions::StoreSessions;
use app::{error::AppError, ports::AppState, shell, App};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_http::{
    compression::CompressionLayer, set_header::SetResponseHeaderLayer, trace::TraceLayer,
};
use tower_sessions::{
    cookie::{Key, SameSite},
    Expiry, SessionManagerLayer,
};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "rapport_session";

/// What the router needs besides [`AppState`].
pub struct RouterConfig {
    /// Key that signs the session cookie (from the data directory).
    pub cookie_key: Key,
    /// `Secure` cookies when the public URL is HTTPS.
    pub https: bool,
    /// Origins allowed to send state-changing requests.
    pub allowed_origins: Vec<String>,
    /// The live rooms served at `/ws`.
    pub hub: Arc<crate::realtime::Hub>,
    /// The data directory (the public API writes import invitations to its outbox).
    pub data_dir: std::path::PathBuf,
}

pub fn router(state: AppState, config: RouterConfig) -> Router {
    let routes = generate_route_list(App);
    let sessions = SessionManagerLayer::new(StoreSessions(state.store.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.https)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::days(30)))
        .with_signed(config.cookie_key);
    let origins = Arc::new(config.allowed_origins);
    let ws = Arc::new(crate::realtime::socket::WsContext {
        hub: config.hub,
        allowed_origins: origins.clone(),
    });

    Router::new()
        .route("/healthz", get(healthz))
        .merge(crate::photos::routes())
        .merge(crate::imports::routes())
        .merge(crate::badges::routes())
        .merge(crate::contacts::routes())
        .merge(crate::calendar::routes())
        .merge(crate::exports::routes())
        .merge(crate::api_v1::routes())
        .merge(crate::realtime::socket::routes(ws))
        .leptos_routes_with_context(&state, routes, || (), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(origins, check_origin))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `200 {"status":"ok"}` when the database answers, `503` otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "database unavailable" })),
            )
                .into_response()
        }
    }
}

/// Refuses state-changing requests that a browser sent from another site
/// (CSRF). Browsers always send `Origin` on such requests; clients that
/// send neither `Origin` nor `Sec-Fetch-Site` are not browsers and cannot
/// be tricked into carrying someone's cookie.
async fn check_origin(
    State(allowed): State<Arc<Vec<String>>>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // The public API authenticates by bearer token only (a cookie never
    // counts there), so a browser on another site cannot act for anyone.
    let bearer_only = req.uri().path().starts_with("/api/v1/");
    if !safe && !bearer_only {
        let headers = req.headers();
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        if !origin_allowed(&allowed, origin, fetch_site) {
            tracing::warn!(origin = ?origin, path = %req.uri().path(), "cross-origin request refused");
            return (
                StatusCode::FORBIDDEN,
                Json(serde_json::json!({
                    "error": "forbidden",
                    "detail": "This request came from another site and was refused."
                })),
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// Whether a request with these `Origin` and `Sec-Fetch-Site` headers may
/// change state (or open a WebSocket): an Origin on the allow-list, or no
/// Origin from a client that is not a browser on another site.
pub fn origin_allowed(allowed: &[String], origin: Option<&str>, fetch_site: Option<&str>) -> bool {
    match origin {
        Some(o) => allowed.iter().any(|a| a == o),
        None => fetch_site != Some("cross-site"),
    }
}

/// Server functions answer every error with status 500; this gives each
/// error the status its [`AppError`] variant stands for (401, 404, 422,
/// 429 with `Retry-After`, ...) so API clients can rely on it. Plain form
/// posts are redirects carrying the error back to the form and pass untouched.
async fn server_fn_error_status(req: Request<Body>, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Error bodies are a few hundred bytes; the cap only guards against surprises.
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::RateLimited { retry_after_secs } = err {
            parts
                .headers
                .insert(header::RETRY_AFTER, retry_after_secs.into());
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
