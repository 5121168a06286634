//! What a request handler or server function can reach ([`AppState`]):
//! the ports (store, live rooms, postman, push), the public part of the
//! configuration, and this instance's in-memory rules (rate limits and
//! matching indexes). The server builds it at start-up; server functions
//! find it in their context.

use crate::{
    ports::{LiveRooms, Postman, Pusher, Store},
    service::{limits::Limits, matching::Recommender},
};
use std::sync::Arc;

/// Settings the server functions need from configuration.
#[derive(Clone, Debug)]
pub struct PublicConfig {
    /// The base URL people reach Rapport at, without a trailing slash; used
    /// in invite links and (later) badge QR codes.
    pub public_url: String,
    /// Behind a reverse proxy every request comes from the proxy's address;
    /// when set, the client address is the last one the proxy appended to
    /// `X-Forwarded-For` (only enable this behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// Webhooks may target private addresses (see the server's config).
    pub webhooks_allow_private: bool,
}

/// Everything a handler or server function can reach. Cheap to clone.
#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub leptos_options: leptos::config::LeptosOptions,
    pub config: Arc<PublicConfig>,
    pub limits: Arc<Limits>,
    /// This instance's matching indexes (built per event on first use).
    pub matching: Arc<Recommender>,
    /// Live rooms: occupancy, and announcing changes made outside a socket.
    pub live: Arc<dyn LiveRooms>,
    /// Sends (or files) the invitations of imported attendees.
    pub postman: Arc<dyn Postman>,
    /// Sends Web Push notifications to people's devices (`service::push`).
    pub push: Arc<dyn Pusher>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
