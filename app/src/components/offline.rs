//! Offline in the browser: the banner that says a page is a saved copy, and
//! the messages that keep the service worker's saved pages to the person
//! who loaded them.
//!
//! The service worker (`app/public/sw.js`) keeps a saved copy of a few
//! personal pages (my badge, the scanner, my agenda, my connections, a room
//! as last seen) and serves it when the network fails, marked with
//! `data-saved-at` on `<html>` (when the server made it). [`SavedCopyBanner`]
//! reads that mark after hydration and says so, so nobody takes an old
//! copy for the live page.
//!
//! [`ChunkWaitNotice`] says when a part of the app cannot be downloaded
//! yet for want of network, and [`online`] is whether the browser thinks
//! there is one.
//!
//! [`tell_service_worker`] reports who is signed in after every check of
//! the session (the worker empties its saved pages when that is nobody or
//! someone else: a phone may be shared), and every page reached by in-app
//! navigation (no HTML of it went over the wire, so the worker fetches one
//! copy to keep). On the server both are inert.

use crate::components::session::use_session;
use leptos::prelude::*;

/// The month names a saved copy's date is written with.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A moment on the device's clock, in its own time zone, as the banner
/// needs it (JavaScript's `Date` gives these parts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    pub year: u32,
    /// 0 for January, as JavaScript counts.
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

/// Whether the browser believes it is online (always `true` on the server):
/// the scanner queues a scan instead of sending it, the queue waits to
/// sync, and the live link waits for the `online` event to open.
pub fn online() -> bool {
    #[cfg(feature = "hydrate")]
    {
        window().navigator().on_line()
    }
    #[cfg(not(feature = "hydrate"))]
    true
}

/// When a saved copy was made, as a person reads it: "14:05" the same day,
/// "5 Dec, 14:05" otherwise.
pub fn saved_label(saved: LocalTime, now: LocalTime) -> String {
    let time = format!("{:02}:{:02}", saved.hour, saved.minute);
    let same_day = (saved.year, saved.month, saved.day) == (now.year, now.month, now.day);
    if same_day {
        time
    } else {
        let month = MONTHS.get(saved.month as usize).copied().unwrap_or("");
        format!("{} {month}, {time}", saved.day)
    }
}

/// The saved copy's label, if this page is one.
#[cfg(feature = "hydrate")]
fn saved_copy() -> Option<String> {
    let iso = document()
        .document_element()?
        .get_attribute("data-saved-at")?;
    let parts = |d: &js_sys::Date| LocalTime {
        year: d.get_full_year(),
        month: d.get_month(),
        day: d.get_date(),
        hour: d.get_hours(),
        minute: d.get_minutes(),
    };
    let saved = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&iso));
    if saved.get_time().is_nan() {
        return Some("earlier".to_owned());
    }
    Some(saved_label(parts(&saved), parts(&js_sys::Date::new_0())))
}

/// "Offline — saved copy from 14:05": shown at the top of a page the
/// service worker served from its saved copies; while the browser says it
/// is online (back online, or on Wi-Fi that did not answer) it offers the
/// live page instead. A status message (`role="status"`), rendered only
/// for a saved copy, so screen readers announce it once.
#[component]
pub fn SavedCopyBanner() -> impl IntoView {
    // When the copy was made; `None` for a live page (and on the server).
    let saved = RwSignal::new(None::<String>);
    let back_online = RwSignal::new(false);
    Effect::new(move |_| {
        // Not while the page is hydrating: the banner would move the nodes
        // the page is about to claim (`components::hydration`).
        #[cfg(feature = "hydrate")]
        if super::hydration::hydrated() {
            saved.set(saved_copy());
            // The network may have come back before the app started.
            back_online.set(window().navigator().on_line());
            let online = window_event_listener(leptos::ev::online, move |_| back_online.set(true));
            let offline =
                window_event_listener(leptos::ev::offline, move |_| back_online.set(false));
            on_cleanup(move || {
                online.remove();
                offline.remove();
            });
        }
    });
    // In-app navigation leaves the saved copy: the next page is live.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<()>| {
        location.pathname.track();
        if previous.is_some() {
            saved.set(None);
        }
    });
    move || {
        saved.get().map(|when| {
            let here = {
                #[cfg(feature = "hydrate")]
                {
                    let l = window().location();
                    format!(
                        "{}{}",
                        l.pathname().unwrap_or_default(),
                        l.search().unwrap_or_default()
                    )
                }
                #[cfg(not(feature = "hydrate"))]
                String::new()
            };
            view! {
                <p class="saved-copy" role="status" data-testid="saved-copy">
                    {move || if back_online.get() {
                        view! {
                            {format!("Saved copy from {when}. ")}
                            // `rel="external"`: a real page load, not in-app navigation.
                            <a href=here.clone() rel="external">"Load the latest"</a>
                        }.into_any()
                    } else {
                        format!("Offline — saved copy from {when}.").into_any()
                    }}
                </p>
            }
        })
    }
}

/// "Not on this device yet": shown while a part of the app (a page's code,
/// the scanner's QR decoder) cannot be downloaded for want of network. The
/// chunks' loader (`scripts/chunk-fetch.js`) keeps trying and marks
/// `<html data-chunk-waiting>` meanwhile; what waits carries on by itself
/// once the part has come, and the notice goes. A status message, rendered
/// only while something waits, and only once hydration is over (it is in
/// `<main>`, beside the page being hydrated).
#[component]
pub fn ChunkWaitNotice() -> impl IntoView {
    let waiting = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if super::hydration::hydrated() {
            let mark = || {
                document()
                    .document_element()
                    .is_some_and(|html| html.has_attribute("data-chunk-waiting"))
            };
            waiting.set(mark());
            let handle =
                window_event_listener_untyped("rapport:chunks", move |_| waiting.set(mark()));
            on_cleanup(move || handle.remove());
        }
    });
    move || {
        waiting.get().then(|| {
            view! {
                <p class="saved-copy" role="status" data-testid="chunk-waiting">
                    "Offline: this part of Rapport is not on this device yet. "
                    "It opens by itself once you are back online."
                </p>
            }
        })
    }
}

/// Keeps the service worker told who is signed in and which pages were
/// reached by in-app navigation (see the module's description). Called
/// once, inside the router.
pub fn tell_service_worker() {
    let session = use_session();
    Effect::new(move |_| {
        let user = match session.me.get() {
            Some(Ok(Some(me))) => Some(me.user_id),
            Some(Ok(None)) => None,
            // Not known (offline, or still asking): nothing changes.
            _ => return,
        };
        post(serde_json::json!({ "type": "owner", "user": user }));
    });
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<()>| {
        let path = format!("{}{}", location.pathname.get(), location.search.get());
        // The page the app started on came as HTML through the worker.
        if previous.is_some() {
            post(serde_json::json!({ "type": "visited", "path": path }));
        }
    });
}

/// Posts `message` to the active service worker, once there is one.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn post(message: serde_json::Value) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Ok(value) = js_sys::JSON::parse(&message.to_string()) else {
            return;
        };
        let Ok(ready) = window().navigator().service_worker().ready() else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await {
                let registration: web_sys::ServiceWorkerRegistration =
                    registration.unchecked_into();
                if let Some(worker) = registration.active() {
                    let _ = worker.post_message(&value);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32, minute: u32) -> LocalTime {
        LocalTime {
            year: 2026,
            month: 11,
            day,
            hour,
            minute,
        }
    }

    #[test]
    fn a_copy_from_today_says_only_the_time() {
        assert_eq!(saved_label(at(6, 14, 5), at(6, 18, 0)), "14:05");
    }

    #[test]
    fn a_copy_from_another_day_says_the_day_too() {
        assert_eq!(saved_label(at(5, 9, 30), at(6, 8, 0)), "5 Dec, 09:30");
    }
}
