//! A person's round photo, or their initials when there is none: shown in
//! the directory, on profiles, recommendations, connections, scans and an
//! event's member list.
//!
//! The initials are the first letters as the person typed them; the
//! stylesheet shows them in capitals (`.avatar { text-transform: uppercase }`).
//! Upper-casing in Rust would put the Unicode case tables into the
//! WebAssembly of every page with a list of people (about 3 KiB brotli of
//! the people page's first load, docs/benchmarks.md), and the browser
//! already has them. They are `aria-hidden`: the name beside them is what
//! is read out.

use leptos::prelude::*;

/// A round photo, or the person's initials when there is none.
#[component]
pub fn Avatar(name: String, photo_url: Option<String>) -> impl IntoView {
    match photo_url {
        Some(url) => view! { <img class="avatar" src=url alt="" /> }.into_any(),
        None => {
            view! { <span class="avatar" aria-hidden="true">{initials(&name)}</span> }.into_any()
        }
    }
}

/// The first letters of the first two words of `name` ("ada lovelace" ->
/// "al"; the stylesheet capitalises them).
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_are_the_first_letters_of_the_first_two_words() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("  élodie   de la Tour "), "éd");
        assert_eq!(initials("Prince"), "P");
        assert_eq!(initials(""), "");
    }
}
