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

/// A `rapport` instance on a runtime of its own, so it can be killed like
/// a crashed process: dropping the runtime ends its sockets and tasks.
pub struct Instance {
    pub app: TestApp,
    kill: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Instance {
    pub async fn start(db: &TestDb) -> Instance {
        // Shared data dir: the same key signs session cookies on every instance.
        let config = server::config::Config::local(db.url.clone(), db.data_dir.clone());
        let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
        let (kill, killed) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let app = server::startup::Application::build(&config)
                    .await
                    .expect("instance starts");
                let _ = addr_tx.send(app.addr);
                tokio::select! {
                    _ = app.run_until(std::future::pending()) => {}
                    _ = killed => {}
                }
            });
            rt.shutdown_background();
        });
        let addr = addr_rx.await.unwrap();
        let store = server::db::Db::connect(&db.url).await.unwrap().into_store();
        Instance {
            app: TestApp {
                addr,
                store,
                base: format!("http://{addr}"),
                client: super::client(),
                data_dir: db.data_dir.clone(),
                database_url: db.url.clone(),
            },
            kill: Some(kill),
            thread: Some(thread),
        }
    }

    /// The same instance through another person's cookie jar.
    pub fn as_other(&self) -> TestApp {
        self.app.other_client()
    }

    pub fn kill(&mut self) {
        if let Some(k) = self.kill.take() {
            let _ = k.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}
