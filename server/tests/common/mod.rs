//! Test harness shared by the integration tests: fresh databases on both
//! backends, and `spawn_app()`, which starts the real server on port 0.
#![allow(dead_code)]

use server::{config::Config, db::Db, startup::Application};
use sqlx::{Connection, Executor, PgConnection};
use std::{net::SocketAddr, path::PathBuf};

/// Environment variable naming a PostgreSQL server the tests may create
/// databases on, e.g. `postgres://postgres@127.0.0.1:5432/postgres`.
pub const PG_ENV: &str = "RAPPORT_TEST_POSTGRES_URL";
/// When set (CI sets it), a missing PostgreSQL URL fails the suite instead
/// of skipping the PostgreSQL half.
pub const REQUIRE_PG_ENV: &str = "RAPPORT_REQUIRE_POSTGRES";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of its own for one test.
pub struct TestDb {
    pub url: String,
    pub data_dir: PathBuf,
}

/// Creates an empty database for one test, or `None` when the backend is
/// PostgreSQL and no server was given (the caller then skips, loudly).
pub async fn fresh_database(backend: Backend) -> Option<TestDb> {
    remove_stale_data_dirs();
    let admin = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            let Ok(admin) = std::env::var(PG_ENV) else {
                assert!(
                    std::env::var(REQUIRE_PG_ENV).is_err(),
                    "{REQUIRE_PG_ENV} is set but {PG_ENV} is not: the PostgreSQL half cannot run"
                );
                eprintln!(
                    "SKIPPED on PostgreSQL: set {PG_ENV} to run this test against PostgreSQL"
                );
                return None;
            };
            drop_stale_databases(&admin);
            Some(admin)
        }
    };
    let scratch = database::create(&run_prefix(), &std::env::temp_dir(), admin.as_deref()).await;
    Some(TestDb {
        url: scratch.url,
        data_dir: scratch.data_dir,
    })
}

/// Drops test databases left by earlier runs, once per test process (the
/// servers of a test run hold their databases until the process ends, so
/// each run cleans up after the ones before; without this they pile up by
/// the thousand and fill the disk). It runs on a thread of its own while
/// the tests go on: dropping a hundred databases takes a minute on a busy
/// machine, which the first tests used to spend waiting. This process's
/// databases carry its id in their names ([`run_prefix`]) and are never
/// touched; another run's database still in use has connections and is
/// skipped.
fn drop_stale_databases(admin: &str) {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let admin = admin.to_owned();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(drop_unused_test_databases(&admin));
        });
    });
}

/// The name prefix of this test process's databases and data directories.
fn run_prefix() -> String {
    format!("rapport_test_p{}", std::process::id())
}

async fn drop_unused_test_databases(admin: &str) {
    let Ok(mut conn) = PgConnection::connect(admin).await else {
        return;
    };
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database d WHERE datname LIKE 'rapport\\_test\\_%' \
         AND datname NOT LIKE $1 \
         AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
    )
    .bind(format!("{}\\_%", run_prefix().replace('_', "\\_")))
    .fetch_all(&mut conn)
    .await
    .unwrap_or_default();
    for name in stale {
        let _ = conn
            .execute(format!(r#"DROP DATABASE IF EXISTS "{name}""#).as_str())
            .await;
    }
    let _ = conn.close().await;
}

/// Removes the data directories of test runs that ended over an hour ago,
/// once per test process, for the same reason as [`drop_stale_databases`].
fn remove_stale_data_dirs() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
            return;
        };
        let hour = std::time::Duration::from_secs(3600);
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > hour));
            if stale
                && entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("rapport-test-")
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    });
}

/// A connected, migrated store on a fresh database.
pub async fn fresh_store(backend: Backend) -> Option<std::sync::Arc<dyn app::ports::Store>> {
    let db = fresh_database(backend).await?;
    let store = Db::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    Some(store.into_store())
}

/// A running server and an HTTP client with its own cookie jar.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The server's own store, for arranging what the HTTP API cannot (yet) do.
    pub store: std::sync::Arc<dyn app::ports::Store>,
    pub base: String,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
    /// The database the server uses, for running the CLI against it.
    pub database_url: String,
    /// The server's own thread (shared by [`TestApp::other_client`]
    /// copies): the last copy dropped stops it. `None` where the test
    /// runs the server itself.
    pub server: Option<std::sync::Arc<ServerThread>>,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        // A request that hangs fails its test, naming the URL, instead of
        // holding up the whole suite.
        .timeout(std::time::Duration::from_secs(60))
        // A new connection for every request: a server that answers before
        // reading a whole upload (a refused photo) closes the connection,
        // and a request already sent on it would fail with "incomplete
        // message" — what a browser retries, and tests would call a flake.
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Starts the real application on port 0 with a fresh database.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with the configuration adjusted first (e.g. SMTP).
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
    spawn(backend, adjust, |_| {}).await
}

/// [`spawn_app`], after `configure` adjusted the application (e.g. the
/// webhook worker's retry schedule).
pub async fn spawn_app_configured(
    backend: Backend,
    configure: impl FnOnce(&mut Application) + Send + 'static,
) -> Option<TestApp> {
    spawn(backend, |_| {}, configure).await
}

async fn spawn(
    backend: Backend,
    adjust: impl FnOnce(&mut Config),
    configure: impl FnOnce(&mut Application) + Send + 'static,
) -> Option<TestApp> {
    let db = fresh_database(backend).await?;
    let mut config = Config::local(db.url.clone(), db.data_dir.clone());
    adjust(&mut config);
    let (addr, server) = ServerThread::start(config, configure, 2).await;
    // The test's own pool, on the test's runtime: a connection the server's
    // runtime opened must not depend on the test thread to be polled.
    let store = Db::connect(&db.url).await.unwrap().into_store();
    Some(TestApp {
        addr,
        store,
        base: format!("http://{addr}"),
        client: client(),
        data_dir: db.data_dir,
        database_url: db.url,
        server: Some(std::sync::Arc::new(server)),
    })
}

/// A server on a thread and a multi-threaded runtime of its own, the way
/// `rapport serve` runs (`#[tokio::main]`), not on the test's
/// single-threaded one: the test then exercises the server's real
/// scheduling, and a test thread that blocks (a CLI child process, a
/// synchronous wait) cannot stall the server.
///
/// Its log (`info`, and each request's start and end) goes to
/// `server.log` in the data directory; a request that fails in
/// [`TestApp::get`] or [`TestApp::call`] shows the end of it.
pub struct ServerThread {
    stop: Option<tokio::sync::oneshot::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerThread {
    /// Builds and starts the application from `config` (adjusted by
    /// `configure` once built) with `workers` runtime threads; returns
    /// once it listens.
    pub async fn start(
        config: Config,
        configure: impl FnOnce(&mut Application) + Send + 'static,
        workers: usize,
    ) -> (SocketAddr, ServerThread) {
        let log = server_log(&config.data_dir);
        let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<bool>();
        let thread = std::thread::spawn(move || {
            let _log = tracing::dispatcher::set_default(&log);
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .on_thread_start(move || {
                    // Each worker logs to this server's file for good.
                    std::mem::forget(tracing::dispatcher::set_default(&log));
                })
                .build()
                .unwrap();
            rt.block_on(async move {
                let mut app = Application::build(&config).await.expect("server starts");
                configure(&mut app);
                let _ = addr_tx.send(app.addr);
                let (graceful_tx, graceful) = tokio::sync::oneshot::channel::<()>();
                let run = app.run_until(async move {
                    let _ = graceful.await;
                });
                tokio::pin!(run);
                tokio::select! {
                    _ = &mut run => return,
                    how = stopped => {
                        // `true` (or the test gone): stop gracefully;
                        // `false`: die now, like a killed process.
                        if !how.unwrap_or(true) {
                            return;
                        }
                    }
                }
                let _ = graceful_tx.send(());
                let _ = run.await;
            });
            rt.shutdown_background();
        });
        let addr = addr_rx.await.expect("the server thread starts the server");
        (
            addr,
            ServerThread {
                stop: Some(stop),
                thread: Some(thread),
            },
        )
    }

    /// Kills the server at once (no close frames, no graceful end) and
    /// waits for its thread.
    pub fn kill(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(false);
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for ServerThread {
    /// Stops the server gracefully without waiting for it: its database
    /// connections close within the grace period, so finished tests do
    /// not pile up connections on the PostgreSQL server.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
    }
}

/// A log for one test server, appended to `server.log` in `data_dir`
/// (instances sharing a data directory share the file).
fn server_log(data_dir: &std::path::Path) -> tracing::Dispatch {
    std::fs::create_dir_all(data_dir).unwrap();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data_dir.join("server.log"))
        .unwrap();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "info,tower_http=debug,sqlx=warn",
        ))
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .finish();
    tracing::Dispatch::new(subscriber)
}

impl TestApp {
    /// A second person: same server, own cookie jar.
    pub fn other_client(&self) -> TestApp {
        TestApp {
            addr: self.addr,
            store: self.store.clone(),
            base: self.base.clone(),
            client: client(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            server: self.server.clone(),
        }
    }

    /// The response to a request, or a failure that shows what the server
    /// logged last (a hung or refused request is otherwise a mystery).
    fn answered(&self, what: &str, sent: reqwest::Result<reqwest::Response>) -> reqwest::Response {
        sent.unwrap_or_else(|e| {
            let log = std::fs::read_to_string(self.data_dir.join("server.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(60).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            panic!(
                "{what} failed: {e:?}\n--- the end of the server's log ---\n{}",
                tail.join("\n")
            )
        })
    }

    /// Calls a server function the way a non-browser client does (form-encoded POST).
    pub async fn call(&self, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let sent = self
            .client
            .post(format!("{}/api/{name}", self.base))
            .form(form)
            .send()
            .await;
        self.answered(&format!("POST /api/{name}"), sent)
    }

    /// Calls a server function and returns status and JSON body.
    pub async fn call_json(&self, name: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let res = self.call(name, form).await;
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, body)
    }

    pub async fn signup(&self, name: &str, email: &str) -> (u16, serde_json::Value) {
        self.call_json(
            "signup",
            &[
                ("display_name", name),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        let sent = self.client.get(format!("{}{path}", self.base)).send().await;
        self.answered(&format!("GET {path}"), sent)
    }

    /// Creates an event and returns its slug.
    pub async fn create_event(&self, name: &str) -> String {
        let (status, body) = self
            .call_json(
                "create_event",
                &[
                    ("name", name),
                    ("starts_on", "2026-05-14"),
                    ("ends_on", "2026-05-15"),
                    ("time_zone", "Europe/Berlin"),
                    ("venue", "Hall 1"),
                    ("description", "Talks and hallway track"),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body.as_str().expect("slug").to_owned()
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// The signed-in caller's user id.
pub async fn user_id(app: &TestApp) -> String {
    let (_, me) = app.call_json("my_profile", &[]).await;
    me["user_id"].as_str().unwrap().to_owned()
}

/// Adds `n` attendees named "Person 00", "Person 01", … (emails
/// `p<i>@example.org`) to the event straight through the store: hashing a
/// password per person over HTTP would dominate a test's time.
pub async fn seed_members(app: &TestApp, slug: &str, n: usize) -> Vec<app::domain::UserId> {
    use app::{
        domain::{Email, PersonName, Role, Slug},
        ports::{NewUser, PasswordHash},
    };
    let event = app
        .store
        .event_by_slug(&Slug::parse(slug).unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let user = app
            .store
            .create_user(NewUser {
                email: Email::parse(&format!("p{i}@example.org")).unwrap(),
                display_name: PersonName::parse("display_name", &format!("Person {i:02}")).unwrap(),
                password_hash: PasswordHash("$argon2id$unused".into()),
            })
            .await
            .unwrap();
        app.store
            .add_member(event.id, user.id, Role::Attendee)
            .await
            .unwrap();
        ids.push(user.id);
    }
    ids
}

/// Ada organizes an event; `others` sign up and join it. Returns the slug
/// and the clients (Ada first).
pub async fn event_with(app: TestApp, others: &[&str]) -> (String, Vec<TestApp>) {
    app.signup("Ada", "ada@example.org").await;
    let slug = app.create_event("Conf").await;
    let (_, page) = app.call_json("event_page", &[("slug", &slug)]).await;
    let code = page["invitation"]["join_code"].as_str().unwrap().to_owned();
    let mut clients = vec![];
    for name in others {
        let c = app.other_client();
        c.signup(name, &format!("{}@example.org", name.to_lowercase()))
            .await;
        let (status, _) = c.call_json("join_by_code", &[("code", &code)]).await;
        assert_eq!(status, 200);
        clients.push(c);
    }
    clients.insert(0, app);
    (slug, clients)
}

/// An event in the future (meetings cannot be in the past), organized by
/// Ada; `others` sign up, join and set their tags (interest, offer, seek).
pub async fn future_event(
    app: TestApp,
    others: &[(&str, &str, &str, &str)],
) -> (String, Vec<TestApp>) {
    event_on(app, ("2031-05-14", "2031-05-15", "Europe/Berlin"), others).await
}

/// An event named "Future Conf" on `(starts_on, ends_on, time_zone)`,
/// organized by Ada; `others` sign up, join and set their tags (interest,
/// offer, seek).
pub async fn event_on(
    app: TestApp,
    (starts_on, ends_on, time_zone): (&str, &str, &str),
    others: &[(&str, &str, &str, &str)],
) -> (String, Vec<TestApp>) {
    app.signup("Ada", "ada@example.org").await;
    let (status, slug) = app
        .call_json(
            "create_event",
            &[
                ("name", "Future Conf"),
                ("starts_on", starts_on),
                ("ends_on", ends_on),
                ("time_zone", time_zone),
                ("venue", "Hall 1"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(status, 200, "{slug}");
    let slug = slug.as_str().unwrap().to_owned();
    let (_, page) = app.call_json("event_page", &[("slug", &slug)]).await;
    let code = page["invitation"]["join_code"].as_str().unwrap().to_owned();
    let mut clients = vec![app];
    for (name, interest, offer, seek) in others {
        let c = clients[0].other_client();
        c.signup(name, &format!("{}@example.org", name.to_lowercase()))
            .await;
        assert_eq!(c.call_json("join_by_code", &[("code", &code)]).await.0, 200);
        let (status, body) = c
            .call_json(
                "update_tags",
                &[
                    ("tags_interest", interest),
                    ("tags_offer", offer),
                    ("tags_seek", seek),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        clients.push(c);
    }
    (slug, clients)
}

/// Runs a test on both backends: `sqlite` and `postgres` test functions in
/// a module of the test's name.
///
/// - `on_both_backends!(name, body)`: the module `name`, each test calling
///   `body(backend)`, which starts what it needs itself (the API tests).
/// - `on_both_backends!(store: a, b, …)`: for each store contract body
///   `a(store: Arc<dyn Store>)`, the module `a`, each test calling it with
///   a [`fresh_store`] on a runtime of two threads (concurrent writers
///   really race). Without a PostgreSQL server the `postgres` test skips,
///   loudly (or fails under `RAPPORT_REQUIRE_POSTGRES`): see
///   [`fresh_database`].
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$body($crate::common::Backend::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                super::$body($crate::common::Backend::Postgres).await
            }
        }
    };
    (store: $($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let store = $crate::common::fresh_store($crate::common::Backend::Sqlite).await;
                    super::$name(store.expect("SQLite needs no server")).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let store = $crate::common::fresh_store($crate::common::Backend::Postgres).await;
                    if let Some(store) = store {
                        super::$name(store).await
                    }
                }
            }
        )+
    };
}
pub mod database;
pub mod ws;

/// A server whose shutdown the test triggers (see [`spawn_stoppable`]).
pub struct StoppableApp {
    pub app: TestApp,
    /// The server's shutdown, to see every background task end.
    pub shutdown: server::shutdown::Shutdown,
    /// How long `run_until` waits for background tasks after the signal.
    pub grace: std::time::Duration,
    /// Completing it is the shutdown signal.
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// `run_until`, running.
    running: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// Starts the real application on port 0 on `db` (which other instances
/// may share, with the same data directory and so the same session key),
/// with a shutdown the test triggers through [`StoppableApp::stop`].
pub async fn spawn_stoppable(db: &TestDb) -> StoppableApp {
    let config = Config::local(db.url.clone(), db.data_dir.clone());
    let app = Application::build(&config).await.expect("server starts");
    let (addr, store, shutdown, grace) = (app.addr, app.store.clone(), app.shutdown(), app.grace);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    StoppableApp {
        app: TestApp {
            addr,
            store,
            base: format!("http://{addr}"),
            client: client(),
            data_dir: db.data_dir.clone(),
            database_url: db.url.clone(),
            server: None,
        },
        shutdown,
        grace,
        stop: Some(stop),
        running: Some(running),
    }
}

impl StoppableApp {
    /// Sends the shutdown signal and waits for `run_until` to return
    /// (failing the test if it does not within the grace period and a
    /// generous margin), and returns its result.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let running = self.running.take().expect("stopped once");
        tokio::time::timeout(self.grace + std::time::Duration::from_secs(30), running)
            .await
            .expect("run_until returns after the grace period at the latest")
            .expect("run_until did not panic")
    }
}
