//! The page title: the one way a page sets `<title>`.
//!
//! `leptos_meta` 0.8 writes the text of `<Title>` into the server-rendered
//! `<title>` element as it is, without escaping it, so a room called
//! `</title><script>…` would become script in every visitor's browser. No
//! newer 0.8 release escapes it, so [`PageTitle`] escapes the text itself
//! while rendering on the server. In the browser the same text goes to
//! `document.title`, which is plain text and must not be escaped (a name
//! with `&` would show as `&amp;`).
//!
//! Every page uses [`PageTitle`]; a test (`architecture`) fails if any other
//! file reaches for `leptos_meta::Title`.

use leptos::prelude::*;
use leptos_meta::Title;

/// Sets the page's title. `text` may hold anything a person typed.
#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    view! { <Title text=title_text(text) /> }
}

/// The text handed to `leptos_meta`: escaped for HTML when it is written
/// into the server's page, as it is in the browser.
fn title_text(text: String) -> String {
    if cfg!(feature = "ssr") {
        escape(&text)
    } else {
        text
    }
}

/// Escapes text for the inside of `<title>` (an RCDATA element: `&` and `<`
/// are what matter; `>` is escaped too, for readers of the source).
fn escape(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_cannot_close_the_title_element() {
        let escaped = escape("</title><script>alert(1)</script> & more");
        assert!(!escaped.contains('<'), "{escaped}");
        assert_eq!(
            escaped,
            "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_server_escapes_what_it_writes_into_the_page() {
        assert_eq!(title_text("<b>".into()), "&lt;b&gt;");
    }
}
