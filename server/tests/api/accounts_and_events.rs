//! Accounts and events over real HTTP: the whole journey, and every bad
//! input the foundation promises a clear answer to. Each test runs on
//! SQLite and, when a PostgreSQL server is given, on PostgreSQL.

use crate::common;
use crate::common::{spawn_app, Backend, PASSWORD};
use serde_json::Value;

fn member_names(page: &Value) -> Vec<String> {
    page["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["display_name"].as_str().unwrap().to_owned())
        .collect()
}

/// The error body must say what is wrong and nothing about internals.
fn assert_clean_error(body: &Value, kind: &str) {
    assert_eq!(body["error"], kind, "{body}");
    let text = body.to_string().to_lowercase();
    for leak in [
        "sql",
        "constraint",
        "panick",
        "stack",
        "backtrace",
        "unique",
    ] {
        assert!(
            !text.contains(leak),
            "error body leaks internals ({leak}): {body}"
        );
    }
}

async fn signup_create_invite_join(backend: Backend) {
    let Some(ada) = spawn_app(backend).await else {
        return;
    };
    let (status, _) = ada.signup("Ada Lovelace", "ada@example.org").await;
    assert_eq!(status, 200);
    let (_, me) = ada.call_json("me", &[]).await;
    assert_eq!(me["display_name"], "Ada Lovelace");

    let slug = ada.create_event("RustConf 2026").await;
    assert!(slug.starts_with("rustconf-2026-"), "{slug}");
    let (status, page) = ada.call_json("event_page", &[("slug", &slug)]).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["event"]["role"], "organizer");
    let invite_url = page["invitation"]["invite_url"]
        .as_str()
        .expect("organizer sees the invite link")
        .to_owned();
    assert!(
        invite_url.starts_with(&format!("{}/join/", ada.base)),
        "{invite_url}"
    );
    let token = invite_url.rsplit('/').next().unwrap().to_owned();

    // A second person follows the invite link, signs up and joins.
    let grace = ada.other_client();
    let (status, preview) = grace
        .call_json("invite_preview", &[("token", &token)])
        .await;
    assert_eq!(status, 200);
    assert_eq!(preview["event"]["name"], "RustConf 2026");
    assert_eq!(preview["signed_in"], false);
    grace.signup("Grace Hopper", "grace@example.org").await;
    let (status, joined) = grace
        .call_json("join_by_invite", &[("token", &token)])
        .await;
    assert_eq!(status, 200, "{joined}");
    assert_eq!(joined, slug.as_str());

    // Both see each other; only the organizer sees the invitation.
    for (who, role, sees_invite) in [(&ada, "organizer", true), (&grace, "attendee", false)] {
        let (status, page) = who.call_json("event_page", &[("slug", &slug)]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(member_names(&page), ["Ada Lovelace", "Grace Hopper"]);
        assert_eq!(page["event"]["role"], role);
        assert_eq!(page["invitation"].is_object(), sees_invite, "{page}");
    }
    let (_, mine) = grace.call_json("my_events", &[]).await;
    assert_eq!(mine[0]["slug"], slug.as_str());
    assert_eq!(mine[0]["role"], "attendee");

    // The event page is server-rendered with its attendees in the HTML.
    let html = grace.get(&format!("/e/{slug}")).await.text().await.unwrap();
    assert!(
        html.contains("Ada Lovelace") && html.contains("Grace Hopper"),
        "attendees missing from SSR HTML"
    );
}
on_both_backends!(
    signup_create_invite_join_both_listed,
    signup_create_invite_join
);

async fn join_by_code_and_twice(backend: Backend) {
    let Some(ada) = spawn_app(backend).await else {
        return;
    };
    ada.signup("Ada", "ada@example.org").await;
    let slug = ada.create_event("Meetup").await;
    let (_, page) = ada.call_json("event_page", &[("slug", &slug)]).await;
    let code = page["invitation"]["join_code"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .replace('-', " ");

    let bob = ada.other_client();
    bob.signup("Bob", "bob@example.org").await;
    let (status, _) = bob.call_json("join_by_code", &[("code", &code)]).await;
    assert_eq!(
        status, 200,
        "a join code typed in lower case with a space still works"
    );
    let (status, body) = bob.call_json("join_by_code", &[("code", &code)]).await;
    assert_eq!(status, 409);
    assert_clean_error(&body, "conflict");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("already a member of Meetup"),
        "{body}"
    );

    let (status, body) = bob
        .call_json("join_by_code", &[("code", "ZZZZ-ZZZZ")])
        .await;
    assert_eq!(status, 422);
    assert_clean_error(&body, "invalid");
    assert_eq!(body["detail"]["field"], "code");

    let (status, body) = bob
        .call_json("join_by_invite", &[("token", "not-a-real-token")])
        .await;
    assert_eq!(status, 404);
    assert_clean_error(&body, "not_found");
}
on_both_backends!(
    join_by_code_unknown_code_and_joining_twice,
    join_by_code_and_twice
);

async fn signup_bad_input(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let long_name = "x".repeat(81);
    let cases: &[(&str, &str, &str, &str)] = &[
        ("Ada", "not-an-email", PASSWORD, "email"),
        ("Ada", "ada@example.org", "short", "password"),
        ("", "ada@example.org", PASSWORD, "display_name"),
        (&long_name, "ada@example.org", PASSWORD, "display_name"),
    ];
    for (name, email, password, field) in cases {
        let (status, body) = app
            .call_json(
                "signup",
                &[
                    ("display_name", name),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(status, 422, "{field}: {body}");
        assert_clean_error(&body, "invalid");
        assert_eq!(body["detail"]["field"], *field);
    }
    // Nothing was stored by the refused attempts: the email is still free.
    let (status, _) = app.signup("Ada", "ada@example.org").await;
    assert_eq!(status, 200);

    // Same email again, in another case, with Ada's own password: that is
    // Ada, signed in as a login would; her account is intact, not renamed.
    // (With another password, see `signup_never_tells_whether_an_email_is_registered`.)
    let other = app.other_client();
    let (status, body) = other.signup("Impostor", "ADA@example.org").await;
    assert_eq!(status, 200, "{body}");
    let (_, me) = other.call_json("me", &[]).await;
    assert_eq!(me["display_name"], "Ada");
    let (status, _) = other
        .call_json(
            "login",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 200);
    let (_, me) = other.call_json("me", &[]).await;
    assert_eq!(me["display_name"], "Ada");

    // A request missing its fields altogether is a 400, not a crash.
    let (status, body) = app.call_json("signup", &[("email", "x@example.org")]).await;
    assert_eq!(status, 400, "{body}");
}
on_both_backends!(signup_refuses_bad_input_and_duplicates, signup_bad_input);

async fn login_logout_and_wrong_password(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    app.call_json("logout", &[]).await;
    let (_, me) = app.call_json("me", &[]).await;
    assert!(me.is_null(), "logged out: {me}");

    let (status, body) = app
        .call_json(
            "login",
            &[
                ("email", "ada@example.org"),
                ("password", "wrong password!"),
            ],
        )
        .await;
    assert_eq!(status, 401);
    assert_clean_error(&body, "bad_credentials");
    // An unknown email gets the very same answer.
    let (status, body2) = app
        .call_json(
            "login",
            &[("email", "nobody@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(body, body2);

    let res = app
        .call(
            "login",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("rapport_session="))
        .expect("login sets the session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let (_, me) = app.call_json("me", &[]).await;
    assert_eq!(me["display_name"], "Ada");

    // Logging in again issues a new session id (cycled at login).
    let res = app
        .call(
            "login",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    let cookie2 = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("rapport_session="))
        .unwrap();
    assert_ne!(cookie.split(';').next(), cookie2.split(';').next());

    // The old session id no longer works.
    let stale = common::client();
    let res = stale
        .post(format!("{}/api/me", app.base))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "null");
}
on_both_backends!(
    login_logout_wrong_password_and_cookie_flags,
    login_logout_and_wrong_password
);

async fn members_only(backend: Backend) {
    let Some(ada) = spawn_app(backend).await else {
        return;
    };
    ada.signup("Ada", "ada@example.org").await;
    let slug = ada.create_event("Private summit").await;

    // Not signed in: 401.
    let anon = ada.other_client();
    let (status, body) = anon.call_json("event_page", &[("slug", &slug)]).await;
    assert_eq!(status, 401);
    assert_clean_error(&body, "unauthenticated");

    // Signed in, member of another event only: 403 and no member data.
    let eve = ada.other_client();
    eve.signup("Eve", "eve@example.org").await;
    eve.create_event("Eve's own event").await;
    let (status, body) = eve.call_json("event_page", &[("slug", &slug)]).await;
    assert_eq!(status, 403);
    assert_clean_error(&body, "forbidden");
    assert!(!body.to_string().contains("Ada"), "{body}");
    let html = eve.get(&format!("/e/{slug}")).await.text().await.unwrap();
    assert!(
        html.contains("Only members of this event"),
        "SSR page explains"
    );
    assert!(!html.contains("ada@example.org"));

    // Unknown event: 404.
    let (status, body) = eve
        .call_json("event_page", &[("slug", "no-such-event")])
        .await;
    assert_eq!(status, 404);
    assert_clean_error(&body, "not_found");
}
on_both_backends!(non_members_cannot_read_an_event, members_only);

async fn event_bad_input(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let form = |name: &'static str, start: &'static str, end: &'static str, tz: &'static str| {
        vec![
            ("name", name),
            ("starts_on", start),
            ("ends_on", end),
            ("time_zone", tz),
            ("venue", ""),
            ("description", ""),
        ]
    };
    // Not signed in.
    let (status, _) = app
        .call_json(
            "create_event",
            &form("Conf", "2026-05-14", "2026-05-15", "UTC"),
        )
        .await;
    assert_eq!(status, 401);
    app.signup("Ada", "ada@example.org").await;
    for (f, field) in [
        (form("", "2026-05-14", "2026-05-15", "UTC"), "name"),
        (form("Conf", "yesterday", "2026-05-15", "UTC"), "starts_on"),
        (form("Conf", "2026-05-14", "2026-05-13", "UTC"), "ends_on"),
        (
            form("Conf", "2026-05-14", "2026-05-15", "Mars/Olympus"),
            "time_zone",
        ),
    ] {
        let (status, body) = app.call_json("create_event", &f).await;
        assert_eq!(status, 422, "{field}: {body}");
        assert_eq!(body["detail"]["field"], field);
    }
    let long_venue = "v".repeat(201);
    let (status, body) = app
        .call_json(
            "create_event",
            &[
                ("name", "Conf"),
                ("starts_on", "2026-05-14"),
                ("ends_on", "2026-05-15"),
                ("time_zone", "UTC"),
                ("venue", &long_venue),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"]["field"], "venue");
    // None of the refused events was stored.
    let (_, mine) = app.call_json("my_events", &[]).await;
    assert_eq!(mine, serde_json::json!([]));
}
on_both_backends!(
    create_event_refuses_bad_input_and_stores_nothing,
    event_bad_input
);

#[tokio::test]
async fn login_is_rate_limited_per_account() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    app.signup("Ada", "ada@example.org").await;
    let attacker = app.other_client();
    let mut last = (0, Value::Null);
    for _ in 0..11 {
        last = attacker
            .call_json(
                "login",
                &[
                    ("email", "ada@example.org"),
                    ("password", "guess guess guess"),
                ],
            )
            .await;
    }
    assert_eq!(last.0, 429, "{}", last.1);
    assert_clean_error(&last.1, "rate_limited");
    let res = attacker
        .call(
            "login",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        res.status(),
        429,
        "even the right password waits once the budget is spent"
    );
    assert!(res.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let res = app
        .client
        .post(format!("{}/api/signup", app.base))
        .header("origin", "https://evil.example")
        .form(&[
            ("display_name", "Ada"),
            ("email", "ada@example.org"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Same-origin requests pass.
    let res = app
        .client
        .post(format!("{}/api/signup", app.base))
        .header("origin", app.base.as_str())
        .form(&[
            ("display_name", "Ada"),
            ("email", "ada@example.org"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// Posts the sign-up form the way a browser without JavaScript does.
async fn plain_signup_post(app: &common::TestApp, email: &str, next: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/signup", app.base))
        .header("accept", "text/html")
        .header("referer", format!("{}/signup", app.base))
        .form(&[
            ("display_name", "Ada"),
            ("email", email),
            ("password", PASSWORD),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn plain_form_posts_redirect_with_the_error_for_the_page() {
    // Without JavaScript a form posts with `Accept: text/html`; the server
    // must answer with a redirect back to the form carrying the error.
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let res = plain_signup_post(&app, "bad", "").await;
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("/signup?") && location.contains("__err="),
        "{location}"
    );
    let page = app
        .get(location.trim_start_matches(&app.base))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Enter an email address like name@example.com."),
        "the form shows the error: {location}\n{page}"
    );

    // Success redirects to the page the person came for.
    let res = plain_signup_post(&app, "ada@example.org", "/account").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/account");
}

/// The answer that sets the session cookie is `no-store`, so no cache (a
/// proxy, or the service worker keeping pages for offline use) keeps it;
/// a page that sets no cookie carries no such mark and may be kept.
#[tokio::test]
async fn responses_that_set_a_cookie_are_never_stored() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let res = app
        .call(
            "signup",
            &[
                ("display_name", "Ada"),
                ("email", "ada@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("set-cookie"));
    assert_eq!(res.headers()["cache-control"], "no-store");
    let page = app.get("/connections").await;
    assert_eq!(page.status(), 200);
    assert!(!page.headers().contains_key("set-cookie"));
    // Pages without a cookie revalidate but may be kept (offline copies).
    assert_eq!(page.headers()["cache-control"], "private, no-cache");
}

#[tokio::test]
async fn health_pages_and_not_found() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ok");
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.text().await.unwrap().contains("Meet the right people"));
    assert_eq!(app.get("/no/such/page").await.status(), 404);
}

/// Pages keep answering while other servers start in the same process.
/// Starting a server once listed the app's routes by rendering it under a
/// process-wide "load no resources" flag, and a page rendered meanwhile by
/// another server waited forever for its first resource (leptos#4773): the
/// test suites' occasional 60-second hang. Now the list is made once.
#[tokio::test]
async fn pages_answer_while_other_servers_start() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let starting = tokio::spawn(async {
        for _ in 0..6 {
            let others =
                futures_util::future::join_all((0..3).map(|_| spawn_app(Backend::Sqlite))).await;
            drop(others);
        }
    });
    while !starting.is_finished() {
        let pages = futures_util::future::join_all((0..4).map(|_| app.get("/"))).await;
        for page in pages {
            assert_eq!(page.status(), 200);
        }
    }
    starting.await.unwrap();
}

#[tokio::test]
async fn the_secret_key_is_created_in_the_data_dir() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    assert_eq!(
        std::fs::read(app.data_dir.join("secret.key"))
            .unwrap()
            .len(),
        64
    );
}

/// A sign-up as a probe sees it: status, the redirect target, whether a
/// session cookie came back, and the body.
async fn signup_answer(
    app: &common::TestApp,
    email: &str,
    password: &str,
) -> (u16, Option<String>, bool, String) {
    let res = app
        .call(
            "signup",
            &[
                ("display_name", "Probe"),
                ("email", email),
                ("password", password),
                ("next", "/events"),
            ],
        )
        .await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let location = headers
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let cookie = headers.get("set-cookie").is_some();
    (status, location, cookie, res.text().await.unwrap())
}

/// Issue 15, item 6: sign-up answered 409 "An account with this email
/// already exists" for a registered address and 200 otherwise, so anyone
/// could test addresses. Now the answer is the same for both; the stranger
/// is not signed in to the existing account, which is unchanged.
async fn signup_never_tells(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    let probe = app.other_client();
    let known = signup_answer(&probe, "ada@example.org", "a different password").await;
    let unknown = signup_answer(
        &app.other_client(),
        "nobody@example.org",
        "a different password",
    )
    .await;
    assert_eq!(known, unknown);
    assert_eq!(known.0, 200, "{known:?}");
    assert!(known.2, "a fresh session cookie both times");
    // The probe is not Ada; Ada's account and password are untouched.
    assert_eq!(probe.call_json("me", &[]).await.1, Value::Null);
    let (status, _) = probe.call_json("my_profile", &[]).await;
    assert_eq!(status, 401);
    let ada = app.other_client();
    let (status, _) = ada
        .call_json(
            "login",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(ada.call_json("me", &[]).await.1["display_name"], "Ada");
    // The new address did get its account.
    let nobody = app.other_client();
    let (status, _) = nobody
        .call_json(
            "login",
            &[
                ("email", "nobody@example.org"),
                ("password", "a different password"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    // Ada is told instead, by mail (here the outbox); nobody else is.
    let notices = app.data_dir.join("outbox").join("_accounts");
    let notice = notices.join("ada@example.org.eml");
    let mut waited = 0;
    while !notice.exists() && waited < 200 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    let text = std::fs::read_to_string(&notice).expect("Ada's notice in the outbox");
    assert!(
        text.contains("Someone tried to create a Rapport account with this address."),
        "{text}"
    );
    assert!(!notices.join("nobody@example.org.eml").exists());
}
on_both_backends!(
    signup_never_tells_whether_an_email_is_registered,
    signup_never_tells
);

/// Logs in as Ada from `address` (through a proxy that sets
/// `X-Forwarded-For`); returns the status.
async fn login_from(app: &common::TestApp, address: &str, password: &str) -> u16 {
    app.client
        .post(format!("{}/api/login", app.base))
        .header("x-forwarded-for", address)
        .form(&[("email", "ada@example.org"), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Issue 15, item 6: ten wrong passwords from anywhere locked the real
/// owner out too. Now a stranger's failures spend only the budget of the
/// stranger's address: after 50 of them, the owner logs in from theirs.
async fn no_lockout_by_strangers(backend: Backend) {
    let Some(app) = common::spawn_app_with(backend, |c| c.trust_forwarded_for = true).await else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    let attacker = app.other_client();
    let mut statuses = Vec::new();
    for _ in 0..50 {
        statuses.push(login_from(&attacker, "203.0.113.66", "guess guess guess").await);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&429));
    assert_eq!(
        login_from(&attacker, "203.0.113.66", PASSWORD).await,
        429,
        "the attacker's address waits, even with the right password"
    );
    let owner = app.other_client();
    assert_eq!(login_from(&owner, "198.51.100.7", PASSWORD).await, 200);
    assert_eq!(owner.call_json("me", &[]).await.1["display_name"], "Ada");
}
on_both_backends!(
    the_owner_can_still_log_in_from_another_address_after_50_failures_from_an_attacker,
    no_lockout_by_strangers
);
