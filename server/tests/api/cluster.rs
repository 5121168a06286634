//! Several `rapport` processes on one PostgreSQL database, each with its
//! own data directory: given one session key (`RAPPORT_SECRET_KEY`), a
//! session cookie from one is accepted by the other; a process with
//! another key refuses to start and says what to do. Real processes of
//! the built binary, as an operator runs them. And on both backends: what
//! a start with a changed key does (refused on PostgreSQL until
//! `rapport replace-key` records the new key; a rotation on SQLite).

use crate::common;
use crate::common::{fresh_database, Backend, PASSWORD};
use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

/// A key as an operator makes one (`openssl rand -hex 64`).
fn new_key() -> String {
    let bytes: Vec<u8> = (0..4)
        .flat_map(|_| *uuid::Uuid::new_v4().as_bytes())
        .collect();
    hex::encode(bytes)
}

/// `rapport` on a free port with only this environment (nothing inherited
/// from the test's), and its output piped.
fn rapport(database_url: &str, data_dir: &Path, key: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rapport"));
    cmd.env_clear()
        .env("DATABASE_URL", database_url)
        .env("RAPPORT_DATA_DIR", data_dir)
        .env("RAPPORT_BIND", "127.0.0.1:0")
        .env("RAPPORT_SECRET_KEY", key)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// A running `rapport` process, killed when the test is done with it
/// (or fails).
struct Server {
    child: Child,
    /// Its base URL, as it printed it.
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a server and returns it once it listens, at the URL it prints
/// then (so no port is guessed). Its output is drained from then on.
async fn start(mut cmd: Command) -> Server {
    let mut child = cmd.spawn().expect("the rapport binary starts");
    let stdout = child.stdout.take().unwrap();
    let (url_tx, url_rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let mut url_tx = Some(url_tx);
        for line in lines.by_ref().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("Rapport is running at ") {
                if let Some(tx) = url_tx.take() {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        }
    });
    let mut server = Server {
        child,
        base: String::new(),
    };
    server.base = tokio::time::timeout(Duration::from_secs(120), url_rx)
        .await
        .expect("rapport listens within two minutes")
        .expect("rapport exited before it listened");
    server
}

/// Signs up on `base` and returns the session cookie (`name=value`).
async fn sign_up(base: &str) -> String {
    let res = common::client()
        .post(format!("{base}/api/signup"))
        .form(&[
            ("display_name", "Ada"),
            ("email", "ada@example.org"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "sign-up: {}", res.status());
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

/// Who `/api/me` says is signed in with `cookie` (`null` for nobody).
async fn me(base: &str, cookie: &str) -> serde_json::Value {
    let res = common::client()
        .post(format!("{base}/api/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn instances_sharing_the_key_accept_each_others_cookies_and_one_with_another_key_refuses_to_start(
) {
    let Some(db) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let dirs: Vec<_> = (1..=3)
        .map(|i| db.data_dir.join(format!("instance-{i}")))
        .collect();
    let key = new_key();

    let one = start(rapport(&db.url, &dirs[0], &key)).await;
    let two = start(rapport(&db.url, &dirs[1], &key)).await;
    let (base_one, base_two) = (&one.base, &two.base);
    let cookie = sign_up(base_one).await;
    assert_eq!(me(base_one, &cookie).await["email"], "ada@example.org");
    assert_eq!(
        me(base_two, &cookie).await["email"],
        "ada@example.org",
        "the second instance accepts the first one's session cookie"
    );
    for dir in &dirs[..2] {
        assert!(
            !dir.join("secret.key").exists(),
            "a configured key makes no key file in {}",
            dir.display()
        );
    }

    let other = new_key();
    let mut third = rapport(&db.url, &dirs[2], &other);
    let refused = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::task::spawn_blocking(move || third.output()),
    )
    .await
    .expect("an instance with another key exits instead of serving")
    .unwrap()
    .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert!(
        stderr.contains("session key differs from the one this database's instances use"),
        "{stderr}"
    );
    assert!(stderr.contains("set RAPPORT_SECRET_KEY"), "{stderr}");
    assert!(!stdout.contains("Rapport is running"), "{stdout}");
    for shown in [&stderr, &stdout] {
        assert!(!shown.contains(&other[..16]) && !shown.contains(&key[..16]));
    }

    drop((one, two));
    drop_database(&db.url).await;
}

/// Builds (connects, migrates, checks the key, binds) an instance on `db`
/// with `key`; the error's text if it refuses.
async fn build_with(db: &common::TestDb, key: &str) -> Result<(), String> {
    let mut config = server::config::Config::local(db.url.clone(), db.data_dir.clone());
    config.secret_key = Some(server::secret::KeyText::new(key).unwrap());
    server::startup::Application::build(&config)
        .await
        .map(drop)
        .map_err(|e| format!("{e:#}"))
}

async fn a_changed_key_is_refused_on_postgresql_until_replaced_and_is_a_rotation_on_sqlite(
    backend: Backend,
) {
    let Some(db) = fresh_database(backend).await else {
        return;
    };
    let (old, new) = (new_key(), new_key());
    build_with(&db, &old).await.unwrap();
    build_with(&db, &old).await.unwrap();
    let changed = build_with(&db, &new).await;
    match backend {
        Backend::Sqlite => {
            changed.expect("one SQLite instance may change its key");
            // The new key is the recorded one now.
            build_with(&db, &new).await.unwrap();
        }
        Backend::Postgres => {
            let refusal = changed.expect_err("another key on a shared database");
            assert!(refusal.contains("rapport replace-key"), "{refusal}");
            // The operator changes the key on purpose.
            let replaced = rapport(&db.url, &db.data_dir, &new)
                .arg("replace-key")
                .output()
                .unwrap();
            assert!(
                replaced.status.success(),
                "{}",
                String::from_utf8_lossy(&replaced.stderr)
            );
            build_with(&db, &new).await.unwrap();
            let stale = build_with(&db, &old).await.expect_err("the old key now");
            assert!(stale.contains("session key differs"), "{stale}");
        }
    }
}

on_both_backends!(
    changed_key,
    a_changed_key_is_refused_on_postgresql_until_replaced_and_is_a_rotation_on_sqlite
);

/// Drops the test's database once its servers are gone.
async fn drop_database(url: &str) {
    use sqlx::{Connection, Executor};
    let mut admin_url = url::Url::parse(url).unwrap();
    let name = admin_url.path().trim_start_matches('/').to_owned();
    admin_url.set_path("postgres");
    let mut admin = sqlx::PgConnection::connect(admin_url.as_str())
        .await
        .unwrap();
    admin
        .execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str())
        .await
        .unwrap();
    admin.close().await.unwrap();
}
