//! A person's round photo, or their initials when there is none: shown in
//! the directory, on profiles, recommendations, connections and scans.

use leptos::prelude::*;

/// A round photo, or the person's initials when there is none.
#[component]
pub fn Avatar(name: String, photo_url: Option<String>) -> impl IntoView {
    match photo_url {
        Some(url) => view! { <img class="avatar" src=url alt="" /> }.into_any(),
        None => {
            let initials: String = name
                .split_whitespace()
                .filter_map(|w| w.chars().next())
                .take(2)
                .collect::<String>()
                .to_uppercase();
            view! { <span class="avatar" aria-hidden="true">{initials}</span> }.into_any()
        }
    }
}
