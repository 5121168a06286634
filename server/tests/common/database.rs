//! Scratch databases for the tests and the benches: a data folder of its
//! own (the SQLite file and the server's key live there) and, on
//! PostgreSQL, a database of its own on the server the caller names. One
//! copy, included by the test binaries (through `common`) and by each bench
//! (`#[path]`), instead of one per bench.
#![allow(dead_code)]

use sqlx::{Connection, Executor, PgConnection};
use std::path::{Path, PathBuf};

/// One scratch database.
pub struct Scratch {
    /// What `DATABASE_URL` would say: `sqlite://…` or `postgres://…/<name>`.
    pub url: String,
    /// The data folder (SQLite's file, the session key).
    pub data_dir: PathBuf,
    /// The PostgreSQL server it was made on, to drop it again.
    postgres_admin: Option<String>,
}

/// Makes a scratch database named `<prefix>_<random>` (`<prefix>-<random>`
/// for the folder, under `parent`): SQLite when `postgres_admin` is `None`,
/// else a new database on that PostgreSQL server.
pub async fn create(prefix: &str, parent: &Path, postgres_admin: Option<&str>) -> Scratch {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let data_dir = parent.join(format!("{}-{unique}", prefix.replace('_', "-")));
    std::fs::create_dir_all(&data_dir).unwrap();
    let url = match postgres_admin {
        None => format!("sqlite://{}", data_dir.join("rapport.db").display()),
        Some(admin) => {
            let name = format!("{prefix}_{unique}");
            let mut conn = PgConnection::connect(admin)
                .await
                .expect("connect to the PostgreSQL server");
            conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
                .await
                .unwrap();
            conn.close().await.unwrap();
            let mut url = url::Url::parse(admin).unwrap();
            url.set_path(&name);
            url.to_string()
        }
    };
    Scratch {
        url,
        data_dir,
        postgres_admin: postgres_admin.map(str::to_owned),
    }
}

impl Scratch {
    /// Removes the folder and drops the PostgreSQL database (closing any
    /// connection a server left open on it).
    pub async fn remove(self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        let Some(admin) = self.postgres_admin else {
            return;
        };
        let name = url::Url::parse(&self.url)
            .unwrap()
            .path()
            .trim_start_matches('/')
            .to_owned();
        let mut conn = PgConnection::connect(&admin).await.unwrap();
        let _ = conn
            .execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str())
            .await;
        let _ = conn.close().await;
    }
}
