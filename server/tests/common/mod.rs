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
    let data_dir =
        std::env::temp_dir().join(format!("rapport-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).unwrap();
    match backend {
        Backend::Sqlite => Some(TestDb {
            url: format!("sqlite://{}", data_dir.join("rapport.db").display()),
            data_dir,
        }),
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
            let name = format!("rapport_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = PgConnection::connect(&admin)
                .await
                .expect("connect to the PostgreSQL test server");
            drop_stale_databases(&mut conn).await;
            conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
                .await
                .unwrap();
            conn.close().await.unwrap();
            let mut url = url::Url::parse(&admin).unwrap();
            url.set_path(&name);
            Some(TestDb {
                url: url.to_string(),
                data_dir,
            })
        }
    }
}

/// Drops test databases left by earlier runs, once per test process (the
/// servers of a test run hold their databases until the process ends, so
/// each run cleans up after the ones before; without this they pile up by
/// the thousand and fill the disk). A database still in use by a running
/// test has connections and is skipped, so concurrent runs do not disturb
/// each other.
/// Every test of the process waits for it before creating its own
/// database, which is therefore never mistaken for a stale one.
async fn drop_stale_databases(conn: &mut PgConnection) {
    static DONE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DONE.get_or_init(|| drop_unused_test_databases(conn)).await;
}

async fn drop_unused_test_databases(conn: &mut PgConnection) {
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database d WHERE datname LIKE 'rapport\\_test\\_%' \
         AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    for name in stale {
        let _ = conn
            .execute(format!(r#"DROP DATABASE IF EXISTS "{name}""#).as_str())
            .await;
    }
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
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        // A request that hangs fails its test, naming the URL, instead of
        // holding up the whole suite.
        .timeout(std::time::Duration::from_secs(60))
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
    configure: impl FnOnce(&mut Application),
) -> Option<TestApp> {
    spawn(backend, |_| {}, configure).await
}

async fn spawn(
    backend: Backend,
    adjust: impl FnOnce(&mut Config),
    configure: impl FnOnce(&mut Application),
) -> Option<TestApp> {
    let db = fresh_database(backend).await?;
    let mut config = Config::local(db.url.clone(), db.data_dir.clone());
    adjust(&mut config);
    let mut app = Application::build(&config).await.expect("server starts");
    configure(&mut app);
    let addr = app.addr;
    let store = app.store.clone();
    tokio::spawn(app.run_until(std::future::pending()));
    Some(TestApp {
        addr,
        store,
        base: format!("http://{addr}"),
        client: client(),
        data_dir: db.data_dir,
        database_url: db.url,
    })
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
        }
    }

    /// Calls a server function the way a non-browser client does (form-encoded POST).
    pub async fn call(&self, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{name}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
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
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
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
    app.signup("Ada", "ada@example.org").await;
    let (status, slug) = app
        .call_json(
            "create_event",
            &[
                ("name", "Future Conf"),
                ("starts_on", "2031-05-14"),
                ("ends_on", "2031-05-15"),
                ("time_zone", "Europe/Berlin"),
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

/// Defines `$name` twice: `sqlite` and `postgres` test functions in a module
/// named `$name`, each calling `$body(backend)`.
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
}
pub mod ws;
