//! Sign-up and log-in pages. Both forms post to their server functions and
//! work without JavaScript; `?next=` brings the person back where they were.
//! Reached from a badge's QR code (`next=/b/…`), they say whose badge it
//! was, so a newcomer knows why they are asked to sign in.

use crate::api::auth::{Login, Signup};
use crate::api::badges::badge_greeting;
use crate::components::forms::{action_error, Field, FormError};
use crate::components::resource::resource;
use crate::components::session::use_session;
use crate::components::title::PageTitle;
use crate::domain::Password;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn next_param() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("next").unwrap_or_default())
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let signup = ServerAction::<Signup>::new();
    use_session().refresh_after(signup);
    let next = next_param();
    view! {
        <PageTitle text="Create an account · Rapport" />
        <section class="card narrow">
            <h1>"Create an account"</h1>
            <BadgeReason next=next doing="Create an account" />
            <p>"One profile for every event you go to."</p>
            <ActionForm action=signup>
                <FormError error=action_error(signup) />
                <input type="hidden" name="next" value=next />
                <Field name="display_name" label="Your name" required=true autocomplete="name" maxlength=80 />
                <Field name="email" label="Email" kind="email" required=true autocomplete="email" />
                <Field
                    name="password"
                    label="Password"
                    kind="password"
                    required=true
                    autocomplete="new-password"
                    minlength=Password::MIN_CHARS as u32
                    hint="At least 10 characters. A few words are easier to remember than symbols."
                />
                <button type="submit">"Create account"</button>
            </ActionForm>
            <p>"Already have an account? " <a href=move || format!("/login{}", keep_next(&next.get()))>"Log in"</a></p>
        </section>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    use_session().refresh_after(login);
    let next = next_param();
    view! {
        <PageTitle text="Log in · Rapport" />
        <section class="card narrow">
            <h1>"Log in"</h1>
            <BadgeReason next=next doing="Log in" />
            <ActionForm action=login>
                <FormError error=action_error(login) />
                <input type="hidden" name="next" value=next />
                <Field name="email" label="Email" kind="email" required=true autocomplete="email" />
                <Field name="password" label="Password" kind="password" required=true autocomplete="current-password" />
                <button type="submit">"Log in"</button>
            </ActionForm>
            <p>"New here? " <a href=move || format!("/signup{}", keep_next(&next.get()))>"Create an account"</a></p>
        </section>
    }
}

/// "Log in to connect with Alma Quist at Rust Tuesdays" when `next` is a
/// badge link; nothing otherwise. `doing` is what the form does ("Log in").
#[component]
fn BadgeReason(next: Memo<String>, doing: &'static str) -> impl IntoView {
    let greeting = resource(
        move || next.get(),
        |next| async move {
            if next.starts_with("/b/") {
                badge_greeting(next).await.ok().flatten()
            } else {
                None
            }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                greeting.await.map(|g| view! {
                    <p class="lead" data-testid="badge-reason">
                        {doing} " to connect with " <strong>{g.person}</strong> " at " {g.event} "."
                    </p>
                })
            })}
        </Suspense>
    }
}

fn keep_next(next: &str) -> String {
    if next.is_empty() {
        String::new()
    } else {
        format!("?next={}", crate::components::layout::urlencode(next))
    }
}
