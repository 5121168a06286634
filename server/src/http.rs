//! The axum router: Leptos pages and server functions, `/healthz`, static
//! files ([`crate::assets`]), the public API (`/api/v1`), and the layers every request passes
//! (sessions, Origin check, security and caching headers, compression, tracing).

use crate::{assets::Assets, origin::origin_allowed, sessions::StoreSessions};
use app::{error::AppError, shell, state::AppState, App};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode, Uri},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::{Arc, OnceLock};
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer,
    set_header::SetResponseHeaderLayer, trace::TraceLayer,
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
    /// The built site's files and the names pages give them.
    pub assets: Arc<Assets>,
}

/// The app's routes, listed once per process.
///
/// Listing them renders the whole app with resource loading switched off
/// through a flag that is global to the process (leptos_server's
/// `SuppressResourceLoad`); a resource first polled by any page rendered
/// meanwhile, by another server in the same process, waits forever
/// (leptos#4773). `rapport serve` builds one router before it listens, but
/// the test suites start dozens of servers side by side: a page request
/// hung there now and then until the list was made only once.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState, config: RouterConfig) -> Router {
    let routes = routes();
    let sessions = SessionManagerLayer::new(StoreSessions(state.store.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.https)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::days(30)))
        .with_signed(config.cookie_key);
    let origins = Arc::new(config.allowed_origins);
    let ws = Arc::new(crate::realtime::upgrade::WsContext {
        hub: config.hub,
        allowed_origins: origins.clone(),
    });
    // What every rendered page needs besides the state: the request's
    // nonce, the stylesheet's hashed name for the shell, and the chunks of
    // the split app (for the preload links of pages that use lazy code).
    let page_context = {
        let stylesheet = app::StylesheetHref(config.assets.stylesheet.as_str().into());
        let split = config.assets.split.clone();
        move || {
            app::csp::use_request_nonce();
            leptos::prelude::provide_context(stylesheet.clone());
            if let Some(split) = split.clone() {
                leptos::prelude::provide_context(split);
            }
        }
    };
    let not_found = leptos_axum::file_and_error_handler_with_context::<AppState, _>(
        page_context.clone(),
        shell,
    );
    let assets = config.assets;

    Router::new()
        .route("/healthz", get(healthz))
        .merge(crate::photos::routes())
        .merge(crate::imports::routes())
        .merge(crate::badges::routes())
        .merge(crate::contacts::routes())
        .merge(crate::calendar::routes())
        .merge(crate::exports::routes())
        .merge(crate::api_v1::routes())
        .merge(crate::realtime::upgrade::routes(ws))
        .leptos_routes_with_context(&state, routes, page_context, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        // A file of the site, else the not-found page. Files never pass
        // through leptos_axum's file handler: it wraps each in a reactive
        // `Owner` that inherits whatever owner the worker thread last left
        // current, and so once copied another request's response options
        // onto a file (`/pkg/rapport.wasm` answered 404 while a missing
        // image's page rendered beside it; tests/api/assets.rs).
        .fallback(
            move |uri: Uri, state: State<AppState>, req: Request<Body>| {
                let file = assets.serve(&req);
                let not_found = not_found.clone();
                async move {
                    match file.await {
                        Some(file) => file,
                        None => not_found(uri, state, req).await,
                    }
                }
            },
        )
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(sessions)
        .layer(middleware::from_fn(cache_control))
        .layer(middleware::from_fn_with_state(origins, check_origin))
        .layer(middleware::from_fn(content_security_policy))
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
        // Files from disk are already compressed (or not worth it): only
        // what the server makes is compressed here.
        .layer(CompressionLayer::new().compress_when(crate::assets::compress_when()))
        // The last wall: a panic in any handler becomes a plain 500 (logged)
        // instead of a connection dropped without an answer.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Gives every request a fresh nonce (in its extensions, where the page's
/// rendering finds it: `app::csp::use_request_nonce`) and every response
/// the Content-Security-Policy: with that nonce for an HTML page, without
/// one for everything else (static files, the service worker, JSON).
async fn content_security_policy(mut req: Request<Body>, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let policy = app::csp::policy(html.then_some(&*nonce));
    match HeaderValue::from_str(&policy) {
        Ok(value) => {
            res.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
        // The policy is ASCII and a nonce is base64: this cannot happen, and
        // a page without a policy must not be sent if it did.
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    res
}

/// Marks every response that sets a cookie `Cache-Control: no-store`. A
/// cookie belongs to one browser: no cache may keep or replay the answer
/// that carries it, neither a proxy nor the service worker that keeps pages
/// for offline use (which cannot see `Set-Cookie` itself, but sees this).
/// Every other page is `private, no-cache`: made for one person, and asked
/// for again on each visit (the files it loads are what browsers keep, see
/// [`crate::assets`]).
async fn cache_control(req: Request<Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let headers = res.headers_mut();
    if headers.contains_key(header::SET_COOKIE) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if html && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
    }
    res
}

/// What a client gets when a handler panicked: no internals, a 500.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = what, "a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(serde_json::json!({
            "error": "internal",
            "detail": "Something went wrong on our side. Please try again."
        })),
    )
        .into_response()
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
