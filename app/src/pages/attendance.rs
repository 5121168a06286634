//! "Are you here?" on the event page: I check myself in when I arrive and
//! out when I leave, so the people looking for whom to meet "here now"
//! find me, and stop finding me once I have gone. A plain form post
//! without JavaScript.

use crate::api::attendance::{my_presence, SetMyPresence};
use crate::components::forms::{action_error, FormError};
use crate::components::resource::resource;
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn PresenceCard(slug: String) -> impl IntoView {
    let set = ServerAction::<SetMyPresence>::new();
    let presence = {
        let slug = slug.clone();
        resource(
            move || set.version().get(),
            move |_| my_presence(slug.clone()),
        )
    };
    view! {
        <section class="card presence" aria-labelledby="presence-h">
            <h2 id="presence-h">"At the venue"</h2>
            <FormError error=action_error(set) />
            <Suspense fallback=|| ()>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        // An error (not a member any more) leaves the card empty:
                        // the page around it says why.
                        let here_since = presence.await.ok().and_then(|p| p.here_since);
                        let (text, movement, button) = match &here_since {
                            Some(at) => (
                                format!("You are checked in since {at}: people looking for whom to meet here now can find you."),
                                "out",
                                "I'm leaving",
                            ),
                            None => (
                                "Let people looking for whom to meet here now find you.".to_owned(),
                                "in",
                                "I'm here",
                            ),
                        };
                        view! {
                            <p>{text}</p>
                            <ActionForm action=set attr:class="inline-form">
                                <input type="hidden" name="slug" value=slug />
                                <input type="hidden" name="movement" value=movement />
                                <button type="submit" class="secondary">{button}</button>
                            </ActionForm>
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}
