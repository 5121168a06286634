//! A "Copy" button beside a text the page shows (an invite link, a join
//! code), as progressive enhancement: the text itself is always on the
//! page, selectable, so without JavaScript nothing is missing and no dead
//! button is shown. Once the page is hydrated, and only where the browser
//! offers the Clipboard API (secure contexts), the button appears; it
//! copies the text and says so in a live region, for screen readers too.

use leptos::prelude::*;

/// What the live region says after a successful copy.
pub const COPIED: &str = "Copied";

/// A button that copies `text`; `label` is its accessible name ("Copy the
/// invite link"), starting with the visible word "Copy".
#[component]
pub fn CopyButton(text: String, #[prop(into)] label: String) -> impl IntoView {
    // Effects run in the browser only, after hydration: the server's HTML
    // and the first client render agree (no button), then it appears.
    let usable = RwSignal::new(false);
    Effect::new(move |_| usable.set(clipboard_available()));
    let said = RwSignal::new(String::new());
    let copy = move |_| {
        let text = text.clone();
        // Cleared first, so copying twice is announced twice.
        said.set(String::new());
        leptos::task::spawn_local(async move {
            said.set(if write(&text).await {
                COPIED.to_owned()
            } else {
                "Could not copy: select the text and copy it.".to_owned()
            });
        });
    };
    view! {
        <Show when=move || usable.get()>
            <button type="button" class="copy" aria-label=label.clone() on:click=copy.clone()>"Copy"</button>
        </Show>
        // Always in the page: a live region must exist before it speaks.
        <span class="copy-status" role="status">{move || said.get()}</span>
    }
}

/// Whether `navigator.clipboard` exists (it does not over plain HTTP).
fn clipboard_available() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| {
                js_sys::Reflect::get(
                    &w.navigator(),
                    &wasm_bindgen::JsValue::from_str("clipboard"),
                )
                .ok()
            })
            .is_some_and(|c| !c.is_undefined() && !c.is_null())
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Writes `text` to the clipboard; whether the browser accepted it.
async fn write(text: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(w) = web_sys::window() else {
            return false;
        };
        let promise = w.navigator().clipboard().write_text(text);
        wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        false
    }
}
