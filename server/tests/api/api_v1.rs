//! The public REST API (`/api/v1`) over real HTTP on both backends:
//! authentication (missing, malformed, unknown, revoked and other-event
//! tokens; cookies never count), each endpoint's content and its scoping to
//! the token's event, member import (success, and a malformed file that
//! imports nothing), the OpenAPI document, and webhooks (signature, retry
//! after a failure, and a hanging receiver that never holds up a request).

use crate::common;
use crate::common::{event_with, spawn_app, spawn_app_configured, Backend, TestApp};
use app::domain::{RoomDescription, RoomKind, RoomPlace, RoomTitle, UserId};
use app::ports::NewRoom;
use hmac::{Hmac, Mac};
use serde_json::Value;
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

/// The organizer `app` creates an API token for `slug`; returns it.
async fn token(app: &TestApp, slug: &str, name: &str) -> String {
    let (status, body) = app
        .call_json("create_api_token", &[("slug", slug), ("name", name)])
        .await;
    assert_eq!(status, 200, "{body}");
    let token = body["secret"].as_str().unwrap().to_owned();
    assert!(token.starts_with("rpt_"), "{token}");
    token
}

/// GET `path` with an optional `Authorization` header; status and JSON (or text).
async fn get(app: &TestApp, path: &str, auth: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", app.base));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn api(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    get(app, path, Some(&format!("Bearer {token}"))).await
}

async fn import(app: &TestApp, token: &str, csv: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/members/import", app.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        // A browser-looking Origin from elsewhere: bearer requests are not
        // subject to the cookie sites' Origin check.
        .header("origin", "https://crm.example")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

async fn authentication_is_by_a_live_token_of_the_event(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&people[0], &people[1]);
    let good = token(ada, &slug, "Ticketing").await;

    let (status, body) = get(ada, "/api/v1/event", None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthenticated")),
        "{body}"
    );
    for bad in [
        "Bearer".to_owned(),
        "Basic YWRhOnNlY3JldA==".to_owned(),
        good.clone(),
        format!("Bearer {}", &good[4..]),
        format!("Bearer {good}x"),
        "Bearer rpt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
    ] {
        let (status, body) = get(ada, "/api/v1/event", Some(&bad)).await;
        assert_eq!(status, 401, "{bad}: {body}");
        assert_eq!(body["error"], "invalid_token", "{bad}");
        assert!(body["detail"].is_string());
    }
    // The organizer's own session cookie does not authenticate the API.
    let res = ada.get("/api/v1/event").await;
    assert_eq!(res.status().as_u16(), 401);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));

    let (status, body) = api(ada, "/api/v1/event", &good).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["slug"], slug);

    // Only organizers create tokens.
    let (status, _) = ben
        .call_json("create_api_token", &[("slug", &slug), ("name", "Mine")])
        .await;
    assert_eq!(status, 403);

    // The token is listed (name, first characters, last use), never shown again.
    let (_, page) = ada
        .call_json("integrations_overview", &[("slug", &slug)])
        .await;
    let listed = &page["tokens"][0];
    assert_eq!(listed["name"], "Ticketing");
    assert_eq!(listed["prefix"].as_str().unwrap(), &good[..12]);
    assert!(listed["last_used"].is_string(), "{page}");
    assert!(!page.to_string().contains(&good));

    // Revoked: refused at once.
    let id = listed["id"].as_str().unwrap();
    let (status, _) = ben
        .call_json("revoke_api_token", &[("slug", &slug), ("token_id", id)])
        .await;
    assert_eq!(status, 403);
    let (status, _) = ada
        .call_json("revoke_api_token", &[("slug", &slug), ("token_id", id)])
        .await;
    assert_eq!(status, 200);
    let (status, body) = api(ada, "/api/v1/event", &good).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_token"))
    );
    let (_, page) = ada
        .call_json("integrations_overview", &[("slug", &slug)])
        .await;
    assert!(page["tokens"][0]["revoked"].is_string());
}
on_both_backends!(
    authentication,
    authentication_is_by_a_live_token_of_the_event
);

async fn endpoints_show_only_the_tokens_event(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe"]).await;
    let ada = &people[0];
    let tok = token(ada, &slug, "CRM").await;
    // Dev organizes another event, with a room and a member of its own.
    let dev = ada.other_client();
    dev.signup("Dev", "dev@example.org").await;
    let other = dev.create_event("Elsewhere").await;
    let other_tok = token(&dev, &other, "Theirs").await;
    let dev_id = UserId(common::user_id(&dev).await.parse().unwrap());
    let ada_id = UserId(common::user_id(ada).await.parse().unwrap());
    let event_of = |s: String| {
        let store = ada.store.clone();
        async move {
            store
                .event_by_slug(&app::domain::Slug::parse(&s).unwrap())
                .await
                .unwrap()
                .unwrap()
        }
    };
    let (mine, theirs) = (event_of(slug.clone()).await, event_of(other.clone()).await);
    let room = |event, by, title: &str| NewRoom {
        event,
        kind: RoomKind::Topic,
        title: RoomTitle::parse("title", title).unwrap(),
        description: RoomDescription::parse("description", "").unwrap(),
        place: RoomPlace::parse("place", "").unwrap(),
        starts_at: None,
        ends_at: None,
        created_by: by,
        tags: app::domain::RoomTags::parse("rust, hiring").unwrap(),
    };
    let my_room = ada
        .store
        .create_room(room(mine.id, ada_id, "Rust"))
        .await
        .unwrap();
    let their_room = ada
        .store
        .create_room(room(theirs.id, dev_id, "Secret"))
        .await
        .unwrap();

    let (status, event) = api(ada, "/api/v1/event", &tok).await;
    assert_eq!(status, 200);
    assert_eq!(event["name"], "Conf");
    assert_eq!(event["members"], 3);
    assert_eq!(event["time_zone"], "Europe/Berlin");
    assert_eq!(event["starts_on"], "2026-05-14");
    let (_, event) = api(ada, "/api/v1/event", &other_tok).await;
    assert_eq!(event["slug"], other);

    let (status, page) = api(ada, "/api/v1/members", &tok).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 3);
    let names: Vec<&str> = page["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada", "Ben", "Chloe"]);
    assert_eq!(page["members"][1]["email"], "ben@example.org");
    assert_eq!(page["members"][0]["role"], "organizer");
    let (_, second) = api(ada, "/api/v1/members?page=2&per_page=1", &tok).await;
    assert_eq!(second["members"].as_array().unwrap().len(), 1);
    assert_eq!(second["members"][0]["name"], "Ben");
    assert_eq!(
        (second["page"].as_u64(), second["per_page"].as_u64()),
        (Some(2), Some(1))
    );
    for bad in ["?per_page=0", "?per_page=1000", "?page=0", "?page=x"] {
        let (status, body) = api(ada, &format!("/api/v1/members{bad}"), &tok).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("bad_request")),
            "{bad}"
        );
    }
    let ben_id = page["members"][1]["user_id"].as_str().unwrap();
    let (status, ben) = api(ada, &format!("/api/v1/members/{ben_id}"), &tok).await;
    assert_eq!((status, ben["name"].as_str()), (200, Some("Ben")));
    // Another event's member, or anything unknown: 404, as if it did not exist.
    for id in [
        dev_id.0.to_string(),
        uuid::Uuid::new_v4().to_string(),
        "nope".into(),
    ] {
        let (status, body) = api(ada, &format!("/api/v1/members/{id}"), &tok).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("not_found")),
            "{id}"
        );
    }
    let (status, body) = api(ada, &format!("/api/v1/members/{ben_id}"), &other_tok).await;
    assert_eq!(status, 404, "{body}");

    let (status, rooms) = api(ada, "/api/v1/rooms", &tok).await;
    assert_eq!(status, 200);
    let rooms = rooms.as_array().unwrap();
    assert_eq!(rooms.len(), 1);
    assert_eq!(rooms[0]["title"], "Rust");
    assert_eq!(rooms[0]["occupancy"], 0);
    assert_eq!(rooms[0]["tags"], serde_json::json!(["rust", "hiring"]));
    assert_eq!(rooms[0]["id"], my_room.id.0.to_string());
    let (status, _) = api(ada, &format!("/api/v1/rooms/{}", my_room.id.0), &tok).await;
    assert_eq!(status, 200);
    let (status, body) = api(ada, &format!("/api/v1/rooms/{}", their_room.id.0), &tok).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));

    let (status, stats) = api(ada, "/api/v1/statistics", &tok).await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["members"], 3);
    assert_eq!(stats["connections"], 0);
    let roles: Vec<(String, u64)> = stats["members_by_role"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["label"].as_str().unwrap().to_owned(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("organizer".into(), 1),
            ("staff".into(), 0),
            ("attendee".into(), 2)
        ]
    );
    let (_, their_stats) = api(ada, "/api/v1/statistics", &other_tok).await;
    assert_eq!(their_stats["members"], 1);

    // The exports are the organizer's CSV files, byte for byte.
    for name in ["attendees", "statistics"] {
        let res = reqwest::Client::new()
            .get(format!("{}/api/v1/exports/{name}.csv", ada.base))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let via_api = res.text().await.unwrap();
        let via_page = ada
            .get(&format!("/e/{slug}/export/{name}.csv"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(via_api, via_page, "{name}");
    }
    let (_, csv) = get(
        ada,
        "/api/v1/exports/attendees.csv",
        Some(&format!("Bearer {tok}")),
    )
    .await;
    let csv = csv.as_str().unwrap().to_owned();
    assert!(csv.starts_with("name,email,role"));
    assert!(csv.contains("chloe@example.org") && !csv.contains("dev@example.org"));

    // Unknown endpoints answer JSON too.
    let (status, body) = api(ada, "/api/v1/nothing-here", &tok).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
}
on_both_backends!(endpoints, endpoints_show_only_the_tokens_event);

async fn members_import_over_the_api(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let ada = &people[0];
    let tok = token(ada, &slug, "Ticketing").await;

    let (status, report) = import(
        ada,
        &tok,
        "name,email,company,tags\nErin Example,erin@example.org,Acme,\"rust, offer:mentoring\"\nBen,ben@example.org,,\nBad,not-an-email,,\n",
    )
    .await;
    assert_eq!(status, 200, "{report}");
    // One count for everyone invited, whether or not they had an account.
    assert_eq!(report["invited"], 1);
    assert_eq!(report["skipped"].as_array().unwrap().len(), 2, "{report}");
    assert_eq!(report["skipped"][0]["line"], 3);
    assert_eq!(report["skipped"][1]["line"], 4);
    assert_eq!(report["invitations"][0]["email"], "erin@example.org");
    assert!(report["invitations"][0]["link"]
        .as_str()
        .unwrap()
        .contains("/claim/"));
    // Invited, not a member: nobody joins before accepting.
    let (_, page) = api(ada, "/api/v1/members", &tok).await;
    assert_eq!(page["total"], 2, "{page}");
    // Her invitation is delivered after the answer (to the outbox: no SMTP).
    let invite = ada
        .data_dir
        .join("outbox")
        .join(&slug)
        .join("erin@example.org.eml");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !invite.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "no invitation in the outbox"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Setting her password from the link accepts: now she is a member,
    // with the profile the file gave her new account.
    let link = report["invitations"][0]["link"].as_str().unwrap();
    let erin = ada.other_client();
    let (status, body) = erin
        .call_json(
            "claim_account",
            &[
                ("token", link.rsplit('/').next().unwrap()),
                ("password", common::PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = api(ada, "/api/v1/members", &tok).await;
    assert_eq!(page["total"], 3);
    let erin = page["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "erin@example.org")
        .unwrap();
    assert_eq!(erin["company"], "Acme");

    // A malformed file is refused whole: nothing is imported.
    for bad in [
        "name,phone\nFrank,123\n".as_bytes().to_vec(),
        b"name,email\n\xff\xfeFrank,frank@example.org\n".to_vec(),
    ] {
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1/members/import", ada.base))
            .bearer_auth(&tok)
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid", "{body}");
    }
    let (_, page) = api(ada, "/api/v1/members", &tok).await;
    assert_eq!(page["total"], 3);

    // Without a token nothing is imported either.
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/members/import", ada.base))
        .body("name,email\nGus,gus@example.org\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}
on_both_backends!(import_members, members_import_over_the_api);

/// The API's operations as the document must list them.
const OPERATIONS: &[(&str, &str)] = &[
    ("get", "/api/v1/event"),
    ("get", "/api/v1/members"),
    ("get", "/api/v1/members/{user_id}"),
    ("post", "/api/v1/members/import"),
    ("get", "/api/v1/rooms"),
    ("get", "/api/v1/rooms/{room_id}"),
    ("get", "/api/v1/statistics"),
    ("get", "/api/v1/exports/attendees.csv"),
    ("get", "/api/v1/exports/statistics.csv"),
    ("get", "/api/v1/openapi.json"),
];

async fn the_openapi_document_validates_and_matches_the_routes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &[]).await;
    let ada = &people[0];
    let tok = token(ada, &slug, "Docs").await;
    let ada_id = common::user_id(ada).await;
    let mine = ada
        .store
        .event_by_slug(&app::domain::Slug::parse(&slug).unwrap())
        .await
        .unwrap()
        .unwrap();
    let room = ada
        .store
        .create_room(NewRoom {
            event: mine.id,
            kind: RoomKind::Topic,
            title: RoomTitle::parse("title", "Rust").unwrap(),
            description: RoomDescription::parse("description", "").unwrap(),
            place: RoomPlace::parse("place", "").unwrap(),
            starts_at: None,
            ends_at: None,
            created_by: UserId(ada_id.parse().unwrap()),
            tags: Default::default(),
        })
        .await
        .unwrap();

    // Served without a token, and a valid OpenAPI 3.1 document.
    let res = reqwest::get(format!("{}/api/v1/openapi.json", ada.base))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    let spec = oas3::from_json(&text).expect("a valid OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    assert_eq!(spec.info.title, "Rapport API");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );

    // Every documented operation, and only those.
    let mut documented = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut expected: Vec<(String, String)> = OPERATIONS
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);
    // Every schema an operation refers to is defined.
    for r in text.match_indices("#/components/schemas/") {
        let name: String = text[r.0 + r.1.len()..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        assert!(doc["components"]["schemas"][&name].is_object(), "{name}");
    }

    // Each documented operation is served (with a token where it needs one),
    // and answers with one of its documented statuses.
    for (method, path) in &documented {
        let url = path
            .replace("{user_id}", &ada_id)
            .replace("{room_id}", &room.id.0.to_string());
        let client = reqwest::Client::new();
        let req = match method.as_str() {
            "get" => client.get(format!("{}{url}", ada.base)),
            "post" => client
                .post(format!("{}{url}", ada.base))
                .body("name,email\nIda,ida@example.org\n"),
            other => panic!("undocumented method {other}"),
        };
        let res = req.bearer_auth(&tok).send().await.unwrap();
        let status = res.status().as_u16().to_string();
        assert_eq!(status, "200", "{method} {path}");
        assert!(
            doc["paths"][path][method]["responses"][&status].is_object(),
            "{method} {path} answered {status}, which it does not document"
        );
        // Without a token, every operation but the document itself is refused.
        let bare = match method.as_str() {
            "get" => client.get(format!("{}{url}", ada.base)),
            _ => client.post(format!("{}{url}", ada.base)),
        };
        let status = bare.send().await.unwrap().status().as_u16();
        if path.ends_with("openapi.json") {
            assert_eq!(status, 200);
        } else {
            assert_eq!(status, 401, "{method} {path}");
            assert!(
                doc["paths"][path][method]["responses"]["401"].is_object(),
                "{path}"
            );
        }
    }
    // Nothing else is served under /api/v1: other paths are JSON 404s.
    for path in [
        "/api/v1/",
        "/api/v1/events",
        "/api/v1/members/import/x",
        "/api/v1/webhooks",
    ] {
        let (status, body) = api(ada, path, &tok).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("not_found")),
            "{path}"
        );
    }
}
on_both_backends!(
    openapi,
    the_openapi_document_validates_and_matches_the_routes
);

/// What the local webhook receiver saw: (headers, body) per request.
type Seen = Arc<Mutex<Vec<(reqwest::header::HeaderMap, String)>>>;

/// A local webhook receiver on port 0. It answers each request with the
/// next status of `script` (then 200), after `gate` lets it (if given).
async fn receiver(script: Vec<u16>, gate: Option<Arc<tokio::sync::Semaphore>>) -> (String, Seen) {
    use axum::{http::HeaderMap, http::StatusCode, routing::post, Router};
    let seen: Seen = Arc::default();
    let script = Arc::new(Mutex::new(script.into_iter()));
    let app = Router::new().route(
        "/hook",
        post({
            let seen = seen.clone();
            move |headers: HeaderMap, body: String| {
                let (seen, script, gate) = (seen.clone(), script.clone(), gate.clone());
                async move {
                    seen.lock().unwrap().push((headers, body));
                    if let Some(gate) = gate {
                        let _ = gate.acquire().await;
                    }
                    let code = script.lock().unwrap().next().unwrap_or(200);
                    StatusCode::from_u16(code).unwrap()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), seen)
}

/// Waits (polling, bounded) until the receiver has seen `n` requests.
async fn wait_for(seen: &Seen, n: usize) {
    for _ in 0..600 {
        if seen.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the receiver saw {} of {n} requests",
        seen.lock().unwrap().len()
    );
}

/// Checks `Rapport-Signature` the way docs/api.md tells receivers to.
fn signed_with(secret: &str, headers: &reqwest::header::HeaderMap, body: &str) -> bool {
    let sig = headers["rapport-signature"].to_str().unwrap();
    let (t, v1) = sig.split_once(",v1=").unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let age = chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap();
    assert!((0..600).contains(&age), "{age}");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    mac.verify_slice(&hex::decode(v1).unwrap()).is_ok()
}

async fn add_webhook(ada: &TestApp, slug: &str, url: &str, kinds: &[&str]) -> String {
    let mut form = vec![("slug", slug), ("url", url)];
    for k in kinds {
        form.push((k, "on"));
    }
    let (status, body) = ada.call_json("create_webhook", &form).await;
    assert_eq!(status, 200, "{body}");
    body["secret"].as_str().unwrap().to_owned()
}

/// The integrations page's newest delivery once it reaches `status`
/// (polling, bounded; returned as it is then, for the caller to assert).
async fn newest_delivery(ada: &TestApp, slug: &str, status: &str) -> Value {
    let mut delivery = Value::Null;
    for _ in 0..200 {
        let (_, page) = ada
            .call_json("integrations_overview", &[("slug", slug)])
            .await;
        delivery = page["deliveries"][0].clone();
        if delivery["status"] == status {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    delivery
}

async fn webhooks_are_signed_and_retried(backend: Backend) {
    let Some(app) = spawn_app_configured(backend, |app| {
        app.webhooks.retry_after = vec![Duration::from_millis(50), Duration::from_millis(50)];
        app.webhooks.poll_every = Duration::from_millis(50);
    })
    .await
    else {
        return;
    };
    let (slug, people) = event_with(app, &[]).await;
    let ada = &people[0];
    // The receiver fails the first attempt, then accepts.
    let (url, seen) = receiver(vec![500], None).await;
    let secret = add_webhook(ada, &slug, &url, &["member_joined"]).await;
    assert!(secret.starts_with("whsec_"));
    let (status, _) = ada
        .call_json(
            "create_webhook",
            &[("slug", &slug), ("url", "not a url"), ("checkin", "on")],
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = ada
        .call_json("create_webhook", &[("slug", &slug), ("url", &url)])
        .await;
    assert_eq!(status, 422, "no kind chosen");

    let (_, page) = ada.call_json("event_page", &[("slug", &slug)]).await;
    let code = page["invitation"]["join_code"].as_str().unwrap().to_owned();
    let ben = ada.other_client();
    ben.signup("Ben", "ben@example.org").await;
    let (status, _) = ben.call_json("join_by_code", &[("code", &code)]).await;
    assert_eq!(status, 200);

    wait_for(&seen, 2).await;
    let seen = seen.lock().unwrap().clone();
    let (h1, b1) = &seen[0];
    let (h2, b2) = &seen[1];
    assert!(signed_with(&secret, h1, b1));
    assert!(signed_with(&secret, h2, b2));
    assert_eq!(b1, b2, "a retry sends the same body");
    assert_eq!(h1["rapport-delivery"], h2["rapport-delivery"]);
    assert_eq!(h1["content-type"], "application/json");
    let body: Value = serde_json::from_str(b1).unwrap();
    assert_eq!(body["type"], "member.joined");
    assert_eq!(
        body["id"].as_str().unwrap(),
        h1["rapport-delivery"].to_str().unwrap()
    );
    assert_eq!(body["event"]["slug"], slug);
    assert_eq!(body["data"]["member"]["name"], "Ben");
    assert_eq!(body["data"]["via"], "join");
    assert!(body["created_at"].is_string());
    // A wrong secret or a changed body does not verify.
    assert!(!signed_with("whsec_wrong", h1, b1));
    assert!(!signed_with(&secret, h1, &b1.replace("Ben", "Bob")));

    // The page lists the delivery: delivered on the second attempt, and why the first failed.
    let delivery = newest_delivery(ada, &slug, "delivered").await;
    assert_eq!(delivery["status"], "delivered", "{delivery}");
    assert_eq!(delivery["attempts"], 2);
    assert!(
        delivery["last_error"].as_str().unwrap().contains("500"),
        "{delivery}"
    );
    assert_eq!(delivery["kind"], "member.joined");
}
on_both_backends!(webhook_signing_and_retries, webhooks_are_signed_and_retried);

/// By default webhooks go to public addresses only: private targets are
/// refused when saved, and one that is private by the time it is sent
/// fails at once, saying why, without being sent or retried.
async fn private_webhook_targets_are_refused_by_default(backend: Backend) {
    let Some(app) = common::spawn_app_with(backend, |c| c.webhooks_allow_private = false).await
    else {
        return;
    };
    let (slug, people) = event_with(app, &[]).await;
    let ada = &people[0];
    let (url, seen) = receiver(vec![], None).await;
    for target in [
        url.as_str(),
        "http://localhost:8080/in",
        "http://[::1]/",
        "http://10.0.0.7/",
    ] {
        let (status, body) = ada
            .call_json(
                "create_webhook",
                &[("slug", &slug), ("url", target), ("checkin", "on")],
            )
            .await;
        assert_eq!(status, 422, "{target}: {body}");
        assert!(body.to_string().contains("public addresses"), "{body}");
    }
    // Saved before (say, while the administrator allowed private targets).
    let event = ada
        .store
        .event_by_slug(&app::domain::Slug::parse(&slug).unwrap())
        .await
        .unwrap()
        .unwrap();
    ada.store
        .create_webhook(&app::ports::NewWebhook {
            event: event.id,
            url: app::domain::WebhookUrl::parse(&url).unwrap(),
            kinds: vec![app::domain::WebhookKind::MemberJoined],
            secret: "whsec_test".into(),
        })
        .await
        .unwrap();
    let (_, page) = ada.call_json("event_page", &[("slug", &slug)]).await;
    let code = page["invitation"]["join_code"].as_str().unwrap().to_owned();
    let ben = ada.other_client();
    ben.signup("Ben", "ben@example.org").await;
    assert_eq!(
        ben.call_json("join_by_code", &[("code", &code)]).await.0,
        200
    );
    let delivery = newest_delivery(ada, &slug, "failed").await;
    assert_eq!(delivery["status"], "failed", "{delivery}");
    assert_eq!(delivery["attempts"], 1, "not retried: {delivery}");
    assert!(
        delivery["last_error"].as_str().unwrap().contains("private"),
        "{delivery}"
    );
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
}
on_both_backends!(
    private_webhook_targets,
    private_webhook_targets_are_refused_by_default
);

async fn a_hanging_receiver_never_holds_up_requests(backend: Backend) {
    let Some(app) = spawn_app_configured(backend, |app| {
        // Long enough that the receiver below is still hanging while the
        // requests run; the test never waits for it.
        app.webhooks.timeout = Duration::from_secs(600);
        app.webhooks.poll_every = Duration::from_millis(50);
    })
    .await
    else {
        return;
    };
    let (slug, people) = event_with(app, &[]).await;
    let ada = &people[0];
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let (url, seen) = receiver(vec![], Some(gate.clone())).await;
    add_webhook(
        ada,
        &slug,
        &url,
        &["member_joined", "checkin", "connection_created"],
    )
    .await;
    let (_, page) = ada.call_json("event_page", &[("slug", &slug)]).await;
    let code = page["invitation"]["join_code"].as_str().unwrap().to_owned();

    let ben = ada.other_client();
    ben.signup("Ben", "ben@example.org").await;
    assert_eq!(
        ben.call_json("join_by_code", &[("code", &code)]).await.0,
        200
    );
    // The receiver now holds the first delivery and does not answer.
    wait_for(&seen, 1).await;
    // Further requests that emit webhooks still complete while it hangs.
    let chloe = ada.other_client();
    chloe.signup("Chloe", "chloe@example.org").await;
    assert_eq!(
        chloe.call_json("join_by_code", &[("code", &code)]).await.0,
        200
    );
    let (status, body) = ada
        .call_json("integrations_overview", &[("slug", &slug)])
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "still hanging on the first delivery"
    );
    let pending: Vec<&Value> = body["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "pending")
        .collect();
    assert_eq!(pending.len(), 2, "both joins were queued: {body}");
    gate.add_permits(10);
    wait_for(&seen, 2).await;
}
on_both_backends!(
    hanging_receivers,
    a_hanging_receiver_never_holds_up_requests
);

/// Scans with the in-app scanner of `slug` (a typed badge code).
async fn scan(app: &TestApp, slug: &str, code: &str, mode: &str) -> Value {
    let (status, body) = app
        .call_json(
            "scan_badge",
            &[
                ("slug", slug),
                ("badge", code),
                ("mode", mode),
                ("method", "scanner"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn scans_notify_connections_and_check_ins(backend: Backend) {
    let Some(app) = spawn_app_configured(backend, |app| {
        app.webhooks.poll_every = Duration::from_millis(50);
    })
    .await
    else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe"]).await;
    let (ada, ben, chloe) = (&people[0], &people[1], &people[2]);
    // One receiver for connections and check-ins, one for joins only.
    let (url, seen) = receiver(vec![], None).await;
    let secret = add_webhook(ada, &slug, &url, &["connection_created", "checkin"]).await;
    let (joins_url, joins) = receiver(vec![], None).await;
    add_webhook(ada, &slug, &joins_url, &["member_joined"]).await;

    let (_, badge) = chloe.call_json("my_badge", &[("slug", &slug)]).await;
    let code = badge["badge"]["code"].as_str().unwrap().to_owned();
    assert_eq!(
        scan(ben, &slug, &code, "connect").await["outcome"],
        "connected"
    );
    assert_eq!(
        scan(ben, &slug, &code, "connect").await["outcome"],
        "already_connected"
    );
    assert_eq!(
        scan(ada, &slug, &code, "check_in").await["outcome"],
        "checked_in"
    );
    assert_eq!(
        scan(ada, &slug, &code, "check_in").await["outcome"],
        "already_checked_in"
    );

    wait_for(&seen, 2).await;
    let mut bodies: Vec<Value> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(h, b)| {
            assert!(signed_with(&secret, h, b));
            serde_json::from_str(b).unwrap()
        })
        .collect();
    bodies.sort_by_key(|b| b["type"].as_str().unwrap().to_owned());
    let (checkin, connection) = (&bodies[0], &bodies[1]);
    assert_eq!(checkin["type"], "checkin");
    assert_eq!(checkin["data"]["member"]["name"], "Chloe");
    assert_eq!(checkin["data"]["checked_in_by"]["name"], "Ada");
    assert_eq!(connection["type"], "connection.created");
    assert_eq!(connection["data"]["via"], "scanner");
    let mut names: Vec<&str> = connection["data"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Ben", "Chloe"]);

    // Repeats notified nobody, and the joins-only webhook got nothing.
    let (_, page) = ada
        .call_json("integrations_overview", &[("slug", &slug)])
        .await;
    assert_eq!(page["deliveries"].as_array().unwrap().len(), 2, "{page}");
    assert!(joins.lock().unwrap().is_empty());
}
on_both_backends!(scan_webhooks, scans_notify_connections_and_check_ins);

/// The served OpenAPI document, as JSON.
async fn served_document(app: &TestApp) -> Value {
    let (status, doc) = get(app, "/api/v1/openapi.json", None).await;
    assert_eq!(status, 200);
    doc
}

/// A schema, following a `$ref` into the document's components.
fn resolved<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => schema,
    }
}

/// Whether a (3.1) schema's `type` is, or includes, `integer`.
fn is_integer(schema: &Value) -> bool {
    match &schema["type"] {
        Value::String(t) => t == "integer",
        Value::Array(ts) => ts.iter().any(|t| t == "integer"),
        _ => false,
    }
}

async fn query_bounds(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let ada = &people[0];
    let tok = token(ada, &slug, "Bounds").await;
    let ada_id = common::user_id(ada).await;
    let doc = served_document(ada).await;

    // Every integer query parameter of every operation, at the edges of the
    // range the document gives it: inside is served, outside is a 400.
    let mut tried = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for param in params.iter().filter(|p| p["in"] == "query") {
                let name = param["name"].as_str().unwrap();
                let schema = resolved(&doc, &param["schema"]);
                if !is_integer(schema) {
                    continue;
                }
                assert_eq!(method, "get", "the walk sends GETs: extend it for {method}");
                // A client can only stay in range if it knows the range.
                let (Some(min), Some(max)) =
                    (schema["minimum"].as_i64(), schema["maximum"].as_i64())
                else {
                    panic!("{path} ?{name} documents no minimum and maximum: {schema}");
                };
                let url = path
                    .replace("{user_id}", &ada_id)
                    .replace("{room_id}", &uuid::Uuid::new_v4().to_string());
                for (value, in_range) in
                    [(min - 1, false), (min, true), (max, true), (max + 1, false)]
                {
                    let (status, body) = api(ada, &format!("{url}?{name}={value}"), &tok).await;
                    if in_range {
                        assert_ne!(status, 400, "{path}?{name}={value}: {body}");
                    } else {
                        assert_eq!(
                            (status, body["error"].as_str()),
                            (400, Some("bad_request")),
                            "{path}?{name}={value} is outside [{min}, {max}]: {body}"
                        );
                    }
                    assert!(
                        op["responses"][status.to_string()].is_object(),
                        "{path}?{name}={value} answered {status}, which it does not document"
                    );
                }
                tried.push(format!("{path}?{name}"));
            }
        }
    }
    tried.sort();
    assert_eq!(
        tried,
        ["/api/v1/members?page", "/api/v1/members?per_page"],
        "the walk reached the paged list"
    );
    // The cases by name: a page past int32 and an empty page size.
    for bad in [
        "?page=2147483648",
        "?per_page=0",
        "?page=-1",
        "?page=99999999999",
    ] {
        let (status, _) = api(ada, &format!("/api/v1/members{bad}"), &tok).await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, page) = api(ada, "/api/v1/members?page=2147483647&per_page=200", &tok).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["members"],
        serde_json::json!([]),
        "a page past the last is empty"
    );
}
on_both_backends!(
    every_integer_query_parameter_answers_exactly_its_documented_range,
    query_bounds
);

async fn import_body(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &[]).await;
    let ada = &people[0];
    let tok = token(ada, &slug, "Import").await;
    let doc = served_document(ada).await;
    let op = &doc["paths"]["/api/v1/members/import"]["post"];

    // The document says a body is required and never empty ...
    assert_eq!(op["requestBody"]["required"], true, "{op}");
    let schema = resolved(&doc, &op["requestBody"]["content"]["text/csv"]["schema"]);
    assert_eq!(schema["minLength"], 1, "{schema}");
    // ... and an empty one is refused as the document says: 400, nothing
    // imported. A body that is there but is no CSV file is a 422.
    for (body, status, code) in [("", 400, "bad_request"), ("\n", 422, "invalid")] {
        let (got, answer) = import(ada, &tok, body).await;
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(code)),
            "{body:?}: {answer}"
        );
        assert!(op["responses"][status.to_string()].is_object(), "{status}");
    }
    // A body over the limit: a JSON 413, as documented, not a plain-text one.
    let huge = "x".repeat(32 * 1024 * 1024 + 1);
    let (got, answer) = import(ada, &tok, &huge).await;
    assert_eq!(
        (got, answer["error"].as_str()),
        (413, Some("too_large")),
        "{answer}"
    );
    assert!(op["responses"]["413"].is_object());
    let (_, page) = api(ada, "/api/v1/members", &tok).await;
    assert_eq!(page["total"], 1, "nothing was imported");
}
on_both_backends!(
    an_empty_import_body_is_refused_as_documented_and_imports_nothing,
    import_body
);

async fn rate_limit(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &[]).await;
    let ada = &people[0];
    let tok = token(ada, &slug, "Busy").await;
    let doc = served_document(ada).await;

    // Every operation behind a token documents the errors any token call
    // can meet: 401, 429 with its Retry-After, and a server-side failure.
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path.ends_with("openapi.json") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            for status in ["401", "429", "5XX"] {
                assert!(
                    op["responses"][status]["content"]["application/json"].is_object(),
                    "{method} {path} does not document {status}"
                );
            }
            assert!(op["responses"]["429"]["headers"]["Retry-After"].is_object());
        }
    }
    // And a 429 is what a token that calls too often gets.
    let client = reqwest::Client::new();
    let mut limited = None;
    for _ in 0..200 {
        let res = client
            .get(format!("{}/api/v1/event", ada.base))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        if res.status().as_u16() == 429 {
            limited = Some(res);
            break;
        }
    }
    let res = limited.expect("a token is rate limited");
    assert!(res.headers().contains_key("retry-after"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
}
on_both_backends!(
    every_token_operation_documents_the_errors_a_token_call_can_meet,
    rate_limit
);
