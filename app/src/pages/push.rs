//! The account page's "Notifications on this device" section: turning Web
//! Push on or off for the browser the page is open in.
//!
//! The server renders a plain sentence saying this device cannot get
//! notifications (true without JavaScript, which subscribing needs); after
//! hydration the section asks the browser what it supports and replaces
//! the sentence with the right button, or says why there is none
//! (no Web Push in this browser, notifications blocked in its settings).
//! Turning on asks permission, subscribes through the service worker
//! (`pushManager.subscribe` with the server's VAPID key,
//! `userVisibleOnly: true`) and hands the subscription to
//! [`subscribe_push`](crate::api::push::subscribe_push); turning off
//! unsubscribes the browser and tells the server.

use crate::api::push::push_settings;
use crate::components::resource::resource;
use leptos::prelude::*;

/// What this browser can do about notifications, as far as the page knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceStatus {
    /// Not asked yet: on the server, without JavaScript, before hydration.
    Unknown,
    /// No service worker, Push API or Notification API here.
    Unsupported,
    /// The person (or a policy) blocked notifications for this site.
    Denied,
    /// Supported and not subscribed.
    Off,
    /// Subscribed.
    On,
}

#[component]
pub fn DeviceNotifications() -> impl IntoView {
    let settings = resource(|| (), |_| push_settings());
    view! {
        <section class="card narrow" aria-labelledby="push-h" data-testid="push-section">
            <h2 id="push-h">"Notifications on this device"</h2>
            <p>
                "Rapport can tell this phone or computer about a new connection, a meeting request "
                "or a change to a meeting, and new direct messages, even when no Rapport tab is open. "
                "Only devices where you turn it on get them; while Rapport is open on screen, "
                "the page shows them instead."
            </p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => view! { <Controls public_key=s.public_key devices=s.devices.len() /> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Controls(public_key: String, devices: usize) -> impl IntoView {
    let status = RwSignal::new(DeviceStatus::Unknown);
    let devices = RwSignal::new(devices);
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move { status.set(browser::status().await) });
    });
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let key = StoredValue::new(public_key);
    let turn_on = move |_| {
        #[cfg(feature = "hydrate")]
        {
            busy.set(true);
            message.set(None);
            leptos::task::spawn_local(async move {
                match browser::turn_on(&key.get_value()).await {
                    Ok(()) => {
                        if status.get_untracked() != DeviceStatus::On {
                            devices.update(|n| *n += 1);
                        }
                        status.set(DeviceStatus::On);
                        message.set(Some("Notifications are on for this device.".into()));
                    }
                    Err(e) => {
                        status.set(browser::status().await);
                        message.set(Some(e));
                    }
                }
                busy.set(false);
            });
        }
    };
    let turn_off = move |_| {
        #[cfg(feature = "hydrate")]
        {
            busy.set(true);
            message.set(None);
            leptos::task::spawn_local(async move {
                match browser::turn_off().await {
                    Ok(()) => {
                        devices.update(|n| *n = n.saturating_sub(1));
                        status.set(DeviceStatus::Off);
                        message.set(Some("Notifications are off for this device.".into()));
                    }
                    Err(e) => message.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };
    view! {
        {move || match status.get() {
            DeviceStatus::Unknown => view! {
                <p data-testid="push-unavailable">
                    "This device cannot get notifications from here: that needs JavaScript and a browser with Web Push."
                </p>
            }.into_any(),
            DeviceStatus::Unsupported => view! {
                <p data-testid="push-unavailable">
                    "This browser cannot get notifications: it does not support Web Push. "
                    "On an iPhone or iPad, add Rapport to your home screen first."
                </p>
            }.into_any(),
            DeviceStatus::Denied => view! {
                <p data-testid="push-denied">
                    "Notifications are blocked for this site in your browser's settings. "
                    "Allow them there, then come back to turn them on."
                </p>
            }.into_any(),
            DeviceStatus::Off => view! {
                <p>"This device does not get notifications."</p>
                <button type="button" data-testid="push-on" on:click=turn_on disabled=move || busy.get()>
                    "Turn on notifications on this device"
                </button>
            }.into_any(),
            DeviceStatus::On => view! {
                <p>"This device gets notifications."</p>
                <button type="button" class="secondary" data-testid="push-off" on:click=turn_off disabled=move || busy.get()>
                    "Turn off notifications on this device"
                </button>
            }.into_any(),
        }}
        {move || message.get().map(|m| view! { <p class="notice" role="status">{m}</p> })}
        {move || {
            let n = devices.get();
            (n > 0).then(|| view! {
                <p class="hint">
                    {if n == 1 { "1 of your devices gets notifications.".to_owned() } else { format!("{n} of your devices get notifications.") }}
                </p>
            })
        }}
    }
}

/// The browser's side (WebAssembly only): what it supports, subscribing
/// and unsubscribing through the service worker's `PushManager`.
#[cfg(feature = "hydrate")]
mod browser {
    use super::DeviceStatus;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Notification, NotificationPermission, PushManager, PushSubscription};

    /// The fields of `PushSubscription.toJSON()` the server needs.
    #[derive(serde::Deserialize)]
    struct Subscription {
        endpoint: String,
        keys: Keys,
    }

    #[derive(serde::Deserialize)]
    struct Keys {
        p256dh: String,
        auth: String,
    }

    fn supported() -> bool {
        let window = leptos::prelude::window();
        let has = |target: &js_sys::Object, name: &str| {
            js_sys::Reflect::has(target, &JsValue::from_str(name)).unwrap_or(false)
        };
        has(&window, "PushManager")
            && has(&window, "Notification")
            && has(&window.navigator(), "serviceWorker")
    }

    async fn push_manager() -> Result<PushManager, JsValue> {
        let ready = leptos::prelude::window()
            .navigator()
            .service_worker()
            .ready()?;
        let registration: web_sys::ServiceWorkerRegistration =
            JsFuture::from(ready).await?.unchecked_into();
        registration.push_manager()
    }

    async fn current() -> Result<Option<PushSubscription>, JsValue> {
        let found = JsFuture::from(push_manager().await?.get_subscription()?).await?;
        Ok((!found.is_null() && !found.is_undefined()).then(|| found.unchecked_into()))
    }

    /// What this browser can do right now.
    pub async fn status() -> DeviceStatus {
        if !supported() {
            return DeviceStatus::Unsupported;
        }
        if Notification::permission() == NotificationPermission::Denied {
            return DeviceStatus::Denied;
        }
        match current().await {
            Ok(Some(_)) => DeviceStatus::On,
            Ok(None) => DeviceStatus::Off,
            Err(_) => DeviceStatus::Unsupported,
        }
    }

    /// Asks permission, subscribes, and tells the server.
    pub async fn turn_on(public_key: &str) -> Result<(), String> {
        let failed =
            |_| "This browser could not subscribe to notifications. Try again later.".to_owned();
        let permission = JsFuture::from(Notification::request_permission().map_err(failed)?)
            .await
            .map_err(failed)?;
        if permission.as_string().as_deref() != Some("granted") {
            return Err(
                "Notifications were not allowed, so none will be sent to this device.".into(),
            );
        }
        let options = web_sys::PushSubscriptionOptionsInit::new();
        options.set_user_visible_only(true);
        options.set_application_server_key(&JsValue::from_str(public_key));
        let manager = push_manager().await.map_err(failed)?;
        let subscription: PushSubscription =
            JsFuture::from(manager.subscribe_with_options(&options).map_err(failed)?)
                .await
                .map_err(failed)?
                .unchecked_into();
        let json = String::from(js_sys::JSON::stringify(&subscription).map_err(failed)?);
        let sub: Subscription =
            crate::components::resource::read_json(&json).map_err(|_| failed(JsValue::NULL))?;
        if let Err(e) =
            crate::api::push::subscribe_push(sub.endpoint, sub.keys.p256dh, sub.keys.auth).await
        {
            // The server refused it: leave the browser unsubscribed too.
            if let Ok(p) = subscription.unsubscribe() {
                let _ = JsFuture::from(p).await;
            }
            return Err(e.to_string());
        }
        Ok(())
    }

    /// Unsubscribes this browser and tells the server.
    pub async fn turn_off() -> Result<(), String> {
        let failed = |_| "This browser could not unsubscribe. Try again later.".to_owned();
        let Some(subscription) = current().await.map_err(failed)? else {
            return Ok(());
        };
        let endpoint = subscription.endpoint();
        JsFuture::from(subscription.unsubscribe().map_err(failed)?)
            .await
            .map_err(failed)?;
        match crate::api::push::unsubscribe_push(endpoint).await {
            // Already forgotten by the server (its push service said gone).
            Ok(()) | Err(crate::error::AppError::NotFound(_)) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}
