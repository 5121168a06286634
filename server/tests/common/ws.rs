//! WebSocket test clients: a signed-in protocol client ([`Client`]) for
//! the `/ws` endpoint, and [`Instance`], a `rapport` instance on a runtime
//! of its own that a test can kill like a crashed process.

use super::{TestApp, TestDb, PASSWORD};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{client::IntoClientRequest, http::HeaderValue, Message},
    MaybeTlsStream, WebSocketStream,
};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Logs `email` in with a client of its own and returns its session cookie
/// (`name=value`), to hand to the WebSocket client.
pub async fn session_cookie(app: &TestApp, email: &str) -> String {
    let res = super::client()
        .post(format!("{}/api/login", app.base))
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "login {}", res.status());
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rapport_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Opens `/ws` with these headers; `Err(status)` when the upgrade is refused.
pub async fn open(app: &TestApp, cookie: Option<&str>, origin: Option<&str>) -> Result<Ws, u16> {
    let mut req = format!("ws://{}/ws", app.addr)
        .into_client_request()
        .unwrap();
    if let Some(c) = cookie {
        req.headers_mut()
            .insert("cookie", HeaderValue::from_str(c).unwrap());
    }
    if let Some(o) = origin {
        req.headers_mut()
            .insert("origin", HeaderValue::from_str(o).unwrap());
    }
    match connect_async(req).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => Err(res.status().as_u16()),
        Err(e) => panic!("connect failed: {e}"),
    }
}

/// Creates a topic room in `slug` as `app`'s user and returns its id.
pub async fn topic_room(app: &TestApp, slug: &str, title: &str) -> String {
    let (status, id) = app
        .call_json(
            "create_room",
            &[("slug", slug), ("kind", "topic"), ("title", title)],
        )
        .await;
    assert_eq!(status, 200, "{id}");
    id.as_str().unwrap().to_owned()
}

/// A signed-in protocol client.
pub struct Client {
    pub ws: Ws,
    pub email: String,
}

impl Client {
    /// Connects as `email` and says hello.
    pub async fn connect(app: &TestApp, email: &str) -> Client {
        let cookie = session_cookie(app, email).await;
        Client::with_cookie(app, email, &cookie).await
    }

    /// Connects with a session cookie already logged in (logins are rate-limited).
    pub async fn with_cookie(app: &TestApp, email: &str, cookie: &str) -> Client {
        let ws = open(app, Some(cookie), Some(&app.base)).await.unwrap();
        Client::greet(ws, email).await
    }

    /// Connects as `email` with the kernel's receive buffer for the
    /// connection fixed at `bytes`: when it stops reading, the server's
    /// writes back up after a little data, as with a phone on a bad network.
    pub async fn with_small_window(app: &TestApp, email: &str, bytes: u32) -> Client {
        let cookie = session_cookie(app, email).await;
        let tcp = tokio::net::TcpSocket::new_v4().unwrap();
        tcp.set_recv_buffer_size(bytes).unwrap();
        let stream = tcp.connect(app.addr).await.unwrap();
        let mut req = format!("ws://{}/ws", app.addr)
            .into_client_request()
            .unwrap();
        let headers = req.headers_mut();
        headers.insert("cookie", HeaderValue::from_str(&cookie).unwrap());
        headers.insert("origin", HeaderValue::from_str(&app.base).unwrap());
        let (ws, _) = tokio_tungstenite::client_async(req, MaybeTlsStream::Plain(stream))
            .await
            .unwrap();
        Client::greet(ws, email).await
    }

    /// Says hello on a new socket.
    async fn greet(ws: Ws, email: &str) -> Client {
        let mut c = Client {
            ws,
            email: email.to_owned(),
        };
        c.send(json!({"type": "hello", "version": 1})).await;
        let welcome = c.recv().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        c
    }

    pub async fn send(&mut self, v: Value) {
        self.ws.send(Message::text(v.to_string())).await.unwrap();
    }

    /// The next protocol message (text frame), within five seconds.
    pub async fn recv(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("{}: nothing received within 5 s", self.email))
                .expect("socket open")
                .expect("frame");
            match frame {
                Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
                Message::Close(c) => panic!("{}: closed: {c:?}", self.email),
                _ => continue,
            }
        }
    }

    /// Skips messages until one satisfies `pred`.
    pub async fn recv_until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let v = self.recv().await;
            if std::env::var("WS_DEBUG").is_ok() {
                eprintln!("{} <- {v}", self.email);
            }
            if pred(&v) {
                return v;
            }
        }
    }

    /// Nothing but pings/presence arrives within `ms` (no chat message).
    pub async fn no_message_within(&mut self, ms: u64) {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return,
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    assert_ne!(v["type"], "message", "{}: unexpected {v}", self.email);
                }
                Ok(_) => {}
            }
        }
    }

    /// Joins `room` and returns the `joined` message and the chat messages
    /// sent before `caught_up`.
    pub async fn join(&mut self, room: &str, last_seq: Option<u64>) -> (Value, Vec<Value>) {
        let mut req = json!({"type": "join", "room": room});
        if let Some(s) = last_seq {
            req["last_seq"] = json!(s);
        }
        self.send(req).await;
        let joined = self
            .recv_until(|v| v["type"] == "joined" || v["type"] == "error")
            .await;
        assert_eq!(joined["type"], "joined", "{joined}");
        let mut messages = vec![];
        loop {
            let v = self.recv().await;
            match v["type"].as_str() {
                Some("message") => messages.push(v["message"].clone()),
                Some("caught_up") => break,
                _ => {}
            }
        }
        (joined, messages)
    }

    /// Posts and returns the `ack` or `error` answering it.
    pub async fn post(&mut self, room: &str, client_id: &str, text: &str) -> Value {
        self.send(json!({"type": "send", "room": room, "client_id": client_id, "text": text}))
            .await;
        self.recv_until(|v| {
            (v["type"] == "ack" || v["type"] == "error") && v["client_id"] == client_id
        })
        .await
    }

    /// The next `n` chat messages (skipping everything else).
    pub async fn messages(&mut self, n: usize) -> Vec<Value> {
        let mut out = vec![];
        while out.len() < n {
            let v = self.recv_until(|v| v["type"] == "message").await;
            out.push(v["message"].clone());
        }
        out
    }
}

impl Client {
    /// Skips messages until one satisfies `pred`, for at most `limit` (a
    /// guard for what arrives on a timer elsewhere, such as presence
    /// merged across instances every 2 s).
    pub async fn recv_until_within(
        &mut self,
        limit: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("{}: not received within {limit:?}", self.email))
                .expect("socket open")
                .expect("frame");
            match frame {
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    if pred(&v) {
                        return v;
                    }
                }
                Message::Close(c) => panic!("{}: closed: {c:?}", self.email),
                _ => continue,
            }
        }
    }

    /// Skips frames until the server's close frame and returns its code
    /// and reason, after seeing the connection end. Fails if the socket
    /// ends or errs without one, or nothing arrives for five seconds.
    pub async fn closed(&mut self) -> (u16, String) {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("{}: no close frame within 5 s", self.email));
            match frame {
                Some(Ok(Message::Close(Some(close)))) => {
                    // tungstenite answers the close; then the server ends
                    // the connection and the stream runs dry.
                    tokio::time::timeout(Duration::from_secs(5), async {
                        while let Some(Ok(_)) = self.ws.next().await {}
                    })
                    .await
                    .unwrap_or_else(|_| panic!("{}: still open after its close", self.email));
                    return (close.code.into(), close.reason.to_string());
                }
                Some(Ok(Message::Close(None))) => panic!("{}: closed without a code", self.email),
                Some(Ok(_)) => continue,
                Some(Err(e)) => panic!("{}: failed before a close frame: {e}", self.email),
                None => panic!("{}: ended without a close frame", self.email),
            }
        }
    }
}

/// A `rapport` instance on a runtime of its own, so it can be killed like
/// a crashed process: dropping the runtime ends its sockets and tasks.
pub struct Instance {
    pub app: TestApp,
    server: super::ServerThread,
}

impl Instance {
    pub async fn start(db: &TestDb) -> Instance {
        // Shared data dir: the same key signs session cookies on every instance.
        let config = server::config::Config::local(db.url.clone(), db.data_dir.clone());
        let (addr, server) = super::ServerThread::start(config, |_| {}, 1).await;
        let store = server::db::Db::connect(&db.url).await.unwrap().into_store();
        Instance {
            app: TestApp {
                addr,
                store,
                base: format!("http://{addr}"),
                client: super::client(),
                data_dir: db.data_dir.clone(),
                database_url: db.url.clone(),
                server: None,
            },
            server,
        }
    }

    /// The same instance through another person's cookie jar.
    pub fn as_other(&self) -> TestApp {
        self.app.other_client()
    }

    pub fn kill(&mut self) {
        self.server.kill();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}
