//! The parts of a live chat page around its messages, shared by the room
//! chat and the direct conversation: the link's status line, the messages
//! still in the outbox, and the composer.
//!
//! The composer is a plain form first: without JavaScript it posts to the
//! page's server function with a hidden client id (rendered by the server,
//! so a form sent twice is stored once) and Enter is a new line. Hydrated,
//! its submit puts the text in the chat's [`Outbox`] with a fresh client id
//! and sends it on the tab's socket; Enter sends and Shift+Enter breaks
//! the line ([`send_on_enter`]).

use super::forms::send_on_enter;
use super::outbox::{new_client_id, Outbox, Pending};
use crate::domain::MAX_MESSAGE_CHARS;
use leptos::prelude::*;

/// The link's state and the server's last notice, announced politely.
#[component]
pub fn LiveStatus(outbox: Outbox) -> impl IntoView {
    view! {
        <p class="live-status" role="status" data-testid="live-status" data-link=move || format!("{:?}", outbox.link.get()).to_lowercase()>
            {move || outbox.link.get().label()}
            {move || outbox.notice.get().map(|n| view! { <span class="notice-text">" · " {n}</span> })}
        </p>
    }
}

/// The messages typed here and not yet stored, after the chat's messages
/// (inside its list), each with why it was refused or "Sending…".
#[component]
pub fn OutboxItems(outbox: Outbox) -> impl IntoView {
    view! {
        <For
            each=move || outbox.pending.get()
            key=|p| (p.client_id.clone(), p.error.clone())
            children=move |p: Pending| view! {
                <li class="message mine pending" data-testid="pending">
                    <p class="text">{p.text.clone()}</p>
                    <p class="hint">{p.error.clone().unwrap_or_else(|| "Sending…".to_owned())}</p>
                </li>
            }
        />
    }
}

/// The form that sends a message: to `action` with the `hidden` fields
/// (the chat's names and the server-rendered `client_id`) without
/// JavaScript, through `outbox` in the browser.
#[component]
pub fn Composer(
    outbox: Outbox,
    action: &'static str,
    hidden: Vec<(&'static str, String)>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    // Whether Enter sends (see `send_on_enter`): only in a hydrated page.
    let live_keys = RwSignal::new(false);
    Effect::new(move |_| live_keys.set(true));
    #[cfg(feature = "hydrate")]
    let link = super::live::use_live();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        // Without JavaScript the form posts to the server function instead.
        ev.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        let out = outbox.queue(new_client_id(), body);
        text.set(String::new());
        #[cfg(feature = "hydrate")]
        link.send(out);
        #[cfg(not(feature = "hydrate"))]
        drop(out);
    };
    view! {
        <form class="composer" method="post" action=action on:submit=on_submit>
            {hidden.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
            <label for="f-text" class="visually-hidden">"Message"</label>
            <textarea id="f-text" name="text" rows="2" required maxlength=MAX_MESSAGE_CHARS as u32
                placeholder="Write a message" aria-describedby="f-text-hint"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=send_on_enter
            ></textarea>
            // Said only once the page is live: without JavaScript, Enter is
            // a new line and the button sends.
            <p class="hint" id="f-text-hint">{move || live_keys.get().then_some("Enter sends; Shift+Enter starts a new line.")}</p>
            <button type="submit">"Send"</button>
        </form>
    }
}
