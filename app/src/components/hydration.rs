//! When the app has taken over the whole page the server sent.
//!
//! Every page is a lazy route (`pages::lazy`), so hydration is
//! asynchronous: the frame (header, notices, saved-copy banner) hydrates,
//! then waits for the page's chunk, then the page hydrates. Effects created
//! by the frame run during that wait, and one that changes the frame's DOM
//! then (the saved-copy banner appearing) moves the nodes the page's
//! hydration is about to claim, which fails. [`hydrated`] says when it is
//! over: such effects wait for it. It is also when `<body>` gets
//! `data-hydrated`, the mark end-to-end tests (and the not-found page) wait
//! for: only then do the page's buttons and forms belong to the app.

use leptos::prelude::*;

thread_local! {
    /// Set once, by [`start`], when hydration is complete. Thread-local: the
    /// browser has one thread; on the server nothing reads it.
    static HYDRATED: ArcRwSignal<bool> = ArcRwSignal::new(false);
}

/// Whether the page has been hydrated (tracked: an effect reading it runs
/// again when hydration completes). Always `false` on the server.
pub fn hydrated() -> bool {
    HYDRATED.with(|h| h.get())
}

/// Hydrates the server-rendered page with `app` and marks it hydrated when
/// done (the entry point of the WebAssembly build).
#[cfg(feature = "hydrate")]
pub fn start<V: IntoView + 'static>(app: fn() -> V) {
    wasm_bindgen_futures::spawn_local(async move {
        let Some(body) = document().body() else {
            return;
        };
        let mounted = leptos::mount::hydrate_from_async(body.clone(), app).await;
        // The app lives as long as the page.
        mounted.forget();
        let _ = body.set_attribute("data-hydrated", "true");
        HYDRATED.with(|h| h.set(true));
    });
}
