//! The page frame: header with navigation, and small shared pieces
//! (sign-in prompt, error notice, date formatting, counts of things).

use super::resource::resource;
use crate::components::session::use_session;
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// Site header: brand and the navigation that fits who is signed in.
#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let unread = resource(|| (), |_| crate::api::messages::unread_messages());
    let live = super::live::use_live();
    // The socket counts from the page's number (each message from someone
    // else adds one; a read mark says the whole number again).
    Effect::new(move |_| {
        if let Some(Ok(n)) = unread.get() {
            if live.unread.get_untracked().is_none() {
                live.unread.set(Some(n));
            }
        }
    });
    let nav = move || {
        Suspend::new(async move {
            match session.me.await {
                Ok(Some(me)) => {
                    let first = unread.await.unwrap_or(0);
                    // The live count, once the socket said, else the page's.
                    let n = move || live.unread.get().unwrap_or(first);
                    view! {
                    <ul class="nav-links">
                        <li><a href="/events">"My events"</a></li>
                        <li><a href="/connections">"Connections"</a></li>
                        <li>
                            <a href="/messages">
                                "Messages"
                                {move || (n() > 0).then(|| view! {
                                    " " <span class="badge unread" data-testid="nav-unread">{n()}</span>
                                    <span class="visually-hidden">" unread"</span>
                                })}
                            </a>
                        </li>
                        <li><a href="/account" title=me.email.clone()>{me.display_name.clone()}</a></li>
                        <li>
                            <ActionForm action=session.logout attr:class="inline-form">
                                <button type="submit" class="link-button">"Log out"</button>
                            </ActionForm>
                        </li>
                    </ul>
                    }
                    .into_any()
                }
                _ => view! {
                    <ul class="nav-links">
                        <li><a href="/login">"Log in"</a></li>
                        <li><a href="/signup" class="button small">"Sign up"</a></li>
                    </ul>
                }
                .into_any(),
            }
        })
    };
    view! {
        <header class="site-header">
            <nav aria-label="Main">
                <a href="/" class="brand">"Rapport"</a>
                <Transition fallback=|| ()>{nav}</Transition>
            </nav>
        </header>
    }
}

/// Shown instead of a page that needs an account.
#[component]
pub fn SignInPrompt(#[prop(into)] next: String) -> impl IntoView {
    let login = format!("/login?next={}", urlencode(&next));
    let signup = format!("/signup?next={}", urlencode(&next));
    view! {
        <section class="card">
            <h1>"Please sign in"</h1>
            <p>"You need an account to see this page."</p>
            <p class="actions">
                <a class="button" href=login>"Log in"</a>
                <a class="button secondary" href=signup>"Create an account"</a>
            </p>
        </section>
    }
}

/// A page-level error (not found, forbidden, server trouble). On the server
/// the page is sent with the error's HTTP status (404, 403, 401, ...), so
/// caches, crawlers and monitors see what a person sees.
#[component]
pub fn ErrorNotice(error: AppError, #[prop(into)] next: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.status()) {
            response.set_status(status);
        }
    }
    match error {
        AppError::Unauthenticated => view! { <SignInPrompt next=next /> }.into_any(),
        other => {
            let title = match &other {
                AppError::NotFound(_) => "Not found",
                AppError::Forbidden(_) => "Members only",
                _ => "Something went wrong",
            };
            view! {
                <section class="card">
                    <h1>{title}</h1>
                    <p role="alert">{other.to_string()}</p>
                    <p><a href="/events">"Back to my events"</a></p>
                </section>
            }
            .into_any()
        }
    }
}

/// "14 – 16 May 2026", or "14 May 2026" for a one-day event.
pub fn date_range(start: NaiveDate, end: NaiveDate) -> String {
    if start == end {
        start.format("%-d %B %Y").to_string()
    } else if start.format("%Y-%m").to_string() == end.format("%Y-%m").to_string() {
        format!("{} – {}", start.format("%-d"), end.format("%-d %B %Y"))
    } else {
        format!("{} – {}", start.format("%-d %B"), end.format("%-d %B %Y"))
    }
}

/// A count with its noun, as people read it: "1 attendee", "302
/// attendees", "12,000 members", "0 attendees".
/// Every count a page shows goes through here, so none reads "(1)" or
/// "1 attendees".
pub fn count(n: u64, one: &str, many: &str) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped} {}", if n == 1 { one } else { many })
}

/// Percent-encodes a path for use as a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn date_ranges_read_naturally() {
        assert_eq!(date_range(d("2026-05-14"), d("2026-05-14")), "14 May 2026");
        assert_eq!(
            date_range(d("2026-05-14"), d("2026-05-16")),
            "14 – 16 May 2026"
        );
        assert_eq!(
            date_range(d("2026-05-30"), d("2026-06-01")),
            "30 May – 1 June 2026"
        );
    }

    #[test]
    fn counts_agree_with_their_noun_and_group_thousands() {
        assert_eq!(count(0, "attendee", "attendees"), "0 attendees");
        assert_eq!(count(1, "attendee", "attendees"), "1 attendee");
        assert_eq!(count(302, "attendee", "attendees"), "302 attendees");
        assert_eq!(count(1000, "person", "people"), "1,000 people");
        assert_eq!(count(1234567, "scan", "scans"), "1,234,567 scans");
    }

    #[test]
    fn next_paths_are_encoded_for_query_strings() {
        assert_eq!(urlencode("/join/ab?x=1&y"), "/join/ab%3Fx%3D1%26y");
    }
}
