//! Web Push over real HTTP, on SQLite and (when given) PostgreSQL. The
//! test runs its own push service: an axum server on 127.0.0.1 that
//! records what it receives. A person subscribes with a key pair and auth
//! secret the test made, like a browser would; a badge scan and a meeting
//! request through the real server must then reach that push service as
//! an RFC 8030 push with a valid VAPID token (RFC 8292: signature, `aud`
//! = the endpoint's origin, `exp` within 24 hours) and a body that
//! decrypts (RFC 8291, `aes128gcm`) to the notice. A 410 from the push
//! service forgets the device. The hostile part: anonymous callers,
//! foreign origins, someone else's device, and endpoints that would turn
//! the server into a request cannon at private addresses.

use crate::common::{future_event, spawn_app, spawn_app_with, user_id, Backend, TestApp};
use axum::{body::Bytes, extract::State, http::HeaderMap, routing::post, Router};
use base64::Engine;
use jwt_simple::prelude::*;
use serde_json::Value;
use std::sync::{
    atomic::{AtomicU16, Ordering},
    Arc,
};
use tokio::sync::{mpsc, Mutex};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// One request the push service received.
struct Received {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

/// The test's push service: records every POST and answers `status`.
struct PushService {
    base: String,
    status: Arc<AtomicU16>,
    received: Mutex<mpsc::UnboundedReceiver<Received>>,
}

impl PushService {
    async fn start() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let status = Arc::new(AtomicU16::new(201));
        let answer = status.clone();
        let app = Router::new()
            .route(
                "/push/{device}",
                post(
                    move |State(tx): State<mpsc::UnboundedSender<Received>>,
                          uri: axum::http::Uri,
                          headers: HeaderMap,
                          body: Bytes| {
                        let answer = answer.clone();
                        async move {
                            let _ = tx.send(Received {
                                path: uri.path().to_owned(),
                                headers,
                                body,
                            });
                            axum::http::StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap()
                        }
                    },
                ),
            )
            .with_state(tx);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            base: format!("http://{addr}"),
            status,
            received: Mutex::new(rx),
        }
    }

    /// The next request, waiting up to 30 s.
    async fn next(&self) -> Received {
        let mut rx = self.received.lock().await;
        tokio::time::timeout(std::time::Duration::from_secs(30), rx.recv())
            .await
            .expect("a push within 30 s")
            .expect("the push service is running")
    }

    /// Whether another request arrives within `ms`.
    async fn quiet_for(&self, ms: u64) -> bool {
        let mut rx = self.received.lock().await;
        tokio::time::timeout(std::time::Duration::from_millis(ms), rx.recv())
            .await
            .is_err()
    }
}

/// A browser's side of a subscription: its key pair and auth secret.
struct Device {
    endpoint: String,
    keys: ece::EcKeyComponents,
    auth: [u8; 16],
}

impl Device {
    fn new(service: &PushService, name: &str) -> Self {
        let (pair, auth) = ece::generate_keypair_and_auth_secret().unwrap();
        Self {
            endpoint: format!("{}/push/{name}", service.base),
            keys: pair.raw_components().unwrap(),
            auth,
        }
    }

    /// Subscribes as `app`'s person; the answer's status and body.
    async fn subscribe(&self, app: &TestApp) -> (u16, Value) {
        app.call_json(
            "subscribe_push",
            &[
                ("endpoint", &self.endpoint),
                ("p256dh", &B64.encode(self.keys.public_key())),
                ("auth", &B64.encode(self.auth)),
            ],
        )
        .await
    }

    /// Checks `push` as a push service would and decrypts it as the
    /// browser would; the notice it carries.
    fn open(&self, push: &Received, server_key: &str) -> Value {
        let h = |name: &str| {
            push.headers
                .get(name)
                .unwrap_or_else(|| panic!("a {name} header"))
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(h("content-encoding"), "aes128gcm");
        let ttl: u32 = h("ttl").parse().unwrap();
        assert!(ttl > 0 && ttl <= 24 * 3600, "TTL {ttl}");
        assert!(["normal", "high"].contains(&h("urgency").as_str()));
        // Authorization: vapid t=<JWT>, k=<the server's public key>.
        let auth = h("authorization");
        let rest = auth.strip_prefix("vapid ").expect("the vapid scheme");
        let mut token = None;
        let mut key = None;
        for part in rest.split(',') {
            let (name, value) = part.trim().split_once('=').unwrap();
            match name {
                "t" => token = Some(value.to_owned()),
                "k" => key = Some(value.to_owned()),
                other => panic!("unexpected {other}"),
            }
        }
        let (token, key) = (token.unwrap(), key.unwrap());
        assert_eq!(key, server_key, "k is the key the browser subscribed with");
        let public = ES256PublicKey::from_bytes(&B64.decode(&key).unwrap()).unwrap();
        let claims = public
            .verify_token::<NoCustomClaims>(&token, None)
            .expect("the VAPID token's signature verifies");
        let origin = self.endpoint.split("/push/").next().unwrap();
        let aud = claims.audiences.expect("aud").into_string().unwrap();
        assert_eq!(
            aud, origin,
            "aud is the push service's origin, port included"
        );
        let exp = claims.expires_at.expect("exp").as_secs();
        let now = chrono::Utc::now().timestamp() as u64;
        assert!(
            exp > now && exp <= now + 24 * 3600,
            "exp {exp} within 24 h of {now}"
        );
        let sub = claims.subject.expect("sub");
        assert!(
            sub.starts_with("mailto:") || sub.starts_with("https://"),
            "{sub}"
        );
        // The body decrypts with the device's private key and secret.
        let plain = ece::decrypt(&self.keys, &self.auth, &push.body).expect("RFC 8291 decrypts");
        serde_json::from_slice(&plain).unwrap()
    }
}

/// The server's VAPID public key, as the account page gets it.
async fn server_key(app: &TestApp) -> String {
    let (status, s) = app.call_json("push_settings", &[]).await;
    assert_eq!(status, 200, "{s}");
    let key = s["public_key"].as_str().unwrap().to_owned();
    let point = B64.decode(&key).unwrap();
    assert_eq!(
        (point.len(), point[0]),
        (65, 4),
        "an uncompressed P-256 point"
    );
    key
}

/// `scanner` opens `owner`'s badge link (as a phone camera would).
async fn scan_badge(scanner: &TestApp, owner: &TestApp, slug: &str) {
    let (status, b) = owner.call_json("my_badge", &[("slug", slug)]).await;
    assert_eq!(status, 200, "{b}");
    let url = b["badge"]["url"].as_str().unwrap();
    let res = scanner.get(url.strip_prefix(&scanner.base).unwrap()).await;
    assert_eq!(res.status().as_u16(), 303);
}

async fn pushes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let service = PushService::start().await;
    let (slug, people) = future_event(app, &[("Ben", "", "", ""), ("Chloe", "", "", "")]).await;
    let (ben, chloe) = (&people[1], &people[2]);
    let key = server_key(chloe).await;
    let phone = Device::new(&service, "chloe-phone");
    let (status, body) = phone.subscribe(chloe).await;
    assert_eq!(status, 200, "{body}");

    // Ben scans Chloe's badge: Chloe's phone hears of it.
    scan_badge(ben, chloe, &slug).await;
    let push = service.next().await;
    assert_eq!(push.path, "/push/chloe-phone");
    let notice = phone.open(&push, &key);
    assert_eq!(notice["title"], "New connection");
    assert_eq!(notice["body"], "You are now connected with Ben.");
    assert_eq!(notice["url"], "/connections");
    assert_eq!(notice["tag"], "connection");

    // Ben asks Chloe to meet.
    let chloe_id = user_id(chloe).await;
    let (status, id) = ben
        .call_json(
            "request_meeting",
            &[
                ("slug", &slug),
                ("user_id", &chloe_id),
                ("when[date]", "2031-05-14"),
                ("when[time]", "10:00"),
                ("when[minutes]", "30"),
                ("when[spot]", ""),
                ("when[place]", "Lobby"),
                ("message", "Coffee?"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{id}");
    let push = service.next().await;
    let notice = phone.open(&push, &key);
    assert_eq!(notice["title"], "Meeting request");
    assert_eq!(notice["body"], "Ben asks to meet you.");
    assert_eq!(notice["url"], format!("/e/{slug}/agenda"));
    assert_eq!(push.headers["urgency"], "high");
    // Ben has no device: his "accepted" goes nowhere; nothing else arrives.
    let (status, _) = chloe
        .call_json(
            "answer_meeting",
            &[("id", id.as_str().unwrap()), ("answer", "accept")],
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        service.quiet_for(1500).await,
        "no push for a person without devices"
    );

    // "Download my data" names the device by its push service's host only.
    let res = chloe.get("/api/export_my_data").await;
    let data: Value = res.json().await.unwrap();
    let host = service.base.strip_prefix("http://").unwrap();
    assert_eq!(data["push_devices"], serde_json::json!([host]));

    // The push service says the device is gone: it is forgotten.
    service.status.store(410, Ordering::SeqCst);
    let (status, id2) = ben
        .call_json(
            "request_meeting",
            &[
                ("slug", &slug),
                ("user_id", &chloe_id),
                ("when[date]", "2031-05-14"),
                ("when[time]", "11:00"),
                ("when[minutes]", "30"),
                ("when[spot]", ""),
                ("when[place]", "Lobby"),
                ("message", "Or later?"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{id2}");
    let _ = service.next().await;
    let chloe_uid = app::domain::UserId(chloe_id.parse().unwrap());
    let mut gone = false;
    for _ in 0..100 {
        if chloe
            .store
            .push_subscriptions(chloe_uid)
            .await
            .unwrap()
            .is_empty()
        {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(gone, "a 410 forgets the device");
}
on_both_backends!(
    connections_and_meetings_reach_a_subscribed_device_encrypted_and_signed,
    pushes
);

async fn hostile(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let service = PushService::start().await;
    let phone = Device::new(&service, "p");
    // Anonymous: nothing to subscribe to.
    assert_eq!(phone.subscribe(&app).await.0, 401);
    assert_eq!(app.call_json("push_settings", &[]).await.0, 401);
    let (slug, people) = future_event(app, &[("Ben", "", "", ""), ("Chloe", "", "", "")]).await;
    let _ = slug;
    let (ben, chloe) = (&people[1], &people[2]);
    // From another site's page: refused before anything is stored.
    let res = chloe
        .client
        .post(format!("{}/api/subscribe_push", chloe.base))
        .header("origin", "https://evil.example")
        .form(&[
            ("endpoint", phone.endpoint.as_str()),
            ("p256dh", &B64.encode(phone.keys.public_key())),
            ("auth", &B64.encode(phone.auth)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Keys that are not keys.
    let (status, body) = chloe
        .call_json(
            "subscribe_push",
            &[
                ("endpoint", &phone.endpoint),
                ("p256dh", "AAAA"),
                ("auth", "AAAA"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{body}");

    // Someone else's device cannot be turned off.
    assert_eq!(phone.subscribe(chloe).await.0, 200);
    let (status, _) = ben
        .call_json("unsubscribe_push", &[("endpoint", &phone.endpoint)])
        .await;
    assert_eq!(status, 404);
    let chloe_id = app::domain::UserId(user_id(chloe).await.parse().unwrap());
    assert_eq!(
        chloe
            .store
            .push_subscriptions(chloe_id)
            .await
            .unwrap()
            .len(),
        1
    );
    // Its owner can.
    let (status, body) = chloe
        .call_json("unsubscribe_push", &[("endpoint", &phone.endpoint)])
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(chloe
        .store
        .push_subscriptions(chloe_id)
        .await
        .unwrap()
        .is_empty());
}
on_both_backends!(
    strangers_and_other_sites_cannot_subscribe_or_unsubscribe,
    hostile
);

/// With the production default (no loopback endpoints), nothing private
/// is accepted as an endpoint: the server would POST to it.
#[tokio::test]
async fn private_and_plain_http_endpoints_are_refused_in_production() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.push_allow_loopback = false)
        .await
        .unwrap();
    app.signup("Ada", "ada@example.org").await;
    let service = PushService::start().await;
    let phone = Device::new(&service, "p");
    let (p256dh, auth) = (B64.encode(phone.keys.public_key()), B64.encode(phone.auth));
    for endpoint in [
        phone.endpoint.as_str(),
        "https://127.0.0.1/push/1",
        "https://localhost/push/1",
        "https://10.0.0.7/push/1",
        "https://192.168.1.1/push/1",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/push/1",
        "https://[fd00::1]/push/1",
        "https://metadata/computeMetadata/v1/",
        "http://push.example.org/push/1",
        "file:///etc/passwd",
    ] {
        let (status, body) = app
            .call_json(
                "subscribe_push",
                &[("endpoint", endpoint), ("p256dh", &p256dh), ("auth", &auth)],
            )
            .await;
        assert_eq!(status, 422, "{endpoint}: {body}");
    }
    // A public HTTPS push service is fine.
    let (status, body) = app
        .call_json(
            "subscribe_push",
            &[
                ("endpoint", "https://fcm.googleapis.com/fcm/send/abc"),
                ("p256dh", &p256dh),
                ("auth", &auth),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
}
