//! The public REST API under `/api/v1`, for integrations (ticketing
//! systems, CRMs, badge printers): one event per organizer API token, JSON
//! in and out, errors as `{"error": code, "detail": text}`. Documented in
//! `docs/api.md`.
//!
//! Routes are registered only through utoipa-axum's [`OpenApiRouter`] and
//! the `#[utoipa::path]` attribute on each handler, which gives both the
//! axum route and its OpenAPI entry, so `/api/v1/openapi.json` (generated
//! here, never written by hand) always lists exactly the routes served; the
//! API tests check that too.

mod auth;
mod error;
mod resources;

pub use auth::ApiCaller;
pub use error::{ApiError, ErrorBody};

use app::state::AppState;
use axum::{extract::DefaultBodyLimit, response::IntoResponse, Json, Router};
use utoipa::{
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
    Modify, OpenApi,
};
use utoipa_axum::{router::OpenApiRouter, routes};

/// Where the API lives.
pub const BASE: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rapport API",
        version = "1",
        description = "Read and import an event's attendees, rooms and statistics. \
            Authenticate with an organizer API token of the event: `Authorization: Bearer rpt_…`. \
            Errors are JSON `{\"error\": code, \"detail\": text}`.",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "event", description = "The token's event"),
        (name = "members", description = "Who is at the event"),
        (name = "rooms", description = "Topic and meetup rooms"),
        (name = "statistics", description = "The organizer dashboard's numbers"),
        (name = "exports", description = "CSV files"),
        (name = "meta", description = "This document"),
    )
)]
struct ApiDoc;

/// Declares the bearer-token scheme every operation uses.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("rpt_ token".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The API's routes and its OpenAPI document, from the same declarations.
fn parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use resources::*;
    let v1 = OpenApiRouter::<AppState>::new()
        .routes(routes!(get_event))
        .routes(routes!(list_members))
        .routes(routes!(get_member))
        .routes(routes!(import_members))
        .routes(routes!(list_rooms))
        .routes(routes!(get_room))
        .routes(routes!(get_statistics))
        .routes(routes!(export_attendees))
        .routes(routes!(export_statistics))
        .routes(routes!(openapi_json));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(BASE, v1)
        .split_for_parts()
}

/// The OpenAPI 3.1 document of the API.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(|| parts().1)
}

/// This document (no token needed).
#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
async fn openapi_json() -> impl IntoResponse {
    Json(openapi())
}

/// The routes under [`BASE`].
pub fn routes() -> Router<AppState> {
    let (router, _) = parts();
    router
        .route(&format!("{BASE}/"), axum::routing::any(unknown))
        .route(&format!("{BASE}/{{*rest}}"), axum::routing::any(unknown))
        .layer(DefaultBodyLimit::max(resources::MAX_BODY))
}

/// Any other path under `/api/v1`: a JSON 404, not the web app's page.
async fn unknown() -> ApiError {
    ApiError::not_found("There is no such API endpoint; see /api/v1/openapi.json.")
}

#[cfg(test)]
mod tests {
    use super::resources::{MAX_PAGE, MAX_PER_PAGE};
    use serde_json::Value;

    /// The document as JSON, as clients read it.
    fn doc() -> Value {
        serde_json::to_value(super::openapi()).unwrap()
    }

    #[test]
    fn the_documented_paging_bounds_are_the_enforced_constants() {
        let doc = doc();
        let params = doc["paths"]["/api/v1/members"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let bounds = |name: &str| {
            let p = params.iter().find(|p| p["name"] == name).unwrap();
            (
                p["schema"]["minimum"].as_u64(),
                p["schema"]["maximum"].as_u64(),
            )
        };
        assert_eq!(bounds("page"), (Some(1), Some(u64::from(MAX_PAGE))));
        assert_eq!(bounds("per_page"), (Some(1), Some(u64::from(MAX_PER_PAGE))));
    }

    #[test]
    fn the_import_body_is_required_and_never_empty() {
        let doc = doc();
        let body = &doc["paths"]["/api/v1/members/import"]["post"]["requestBody"];
        assert_eq!(body["required"], true, "{body}");
        let schema = &body["content"]["text/csv"]["schema"];
        let schema = match schema["$ref"].as_str() {
            Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
            None => schema,
        };
        assert_eq!(
            (schema["type"].as_str(), schema["minLength"].as_u64()),
            (Some("string"), Some(1)),
            "{schema}"
        );
    }
}
