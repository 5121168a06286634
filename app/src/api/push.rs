//! Web Push on the wire: what the account page needs to offer it (the
//! server's VAPID public key, my devices) and subscribing or unsubscribing
//! this device. Thin: the rules are in `service/push.rs`.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{api::context, service::push};

/// What the account page's "Notifications on this device" section needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSetup {
    /// The server's VAPID public key (base64url, uncompressed P-256
    /// point): the browser's `applicationServerKey`.
    pub public_key: String,
    /// The push services of my subscribed devices (host names only).
    pub devices: Vec<String>,
}

/// The VAPID key and my devices.
#[server(prefix = "/api", endpoint = "push_settings")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn push_settings() -> Result<PushSetup, AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    Ok(PushSetup {
        public_key: state.push.public_key(),
        devices: push::devices(&state, me.id).await?,
    })
}

/// Subscribes this device: the fields of the browser's `PushSubscription`
/// (`endpoint`, `keys.p256dh`, `keys.auth`).
#[server(prefix = "/api", endpoint = "subscribe_push")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn subscribe_push(
    endpoint: String,
    p256dh: String,
    auth: String,
) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    push::subscribe(&state, me.id, &endpoint, &p256dh, &auth).await
}

/// Stops notifications to this device (`endpoint`), one of mine.
#[server(prefix = "/api", endpoint = "unsubscribe_push")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn unsubscribe_push(endpoint: String) -> Result<(), AppError> {
    let me = context::require_user().await?;
    let state = context::state()?;
    push::unsubscribe(&state, me.id, &endpoint).await
}
