//! Configuration from command-line flags and the environment (clap reads
//! both; flags win). Secrets are redacted in `Debug` so the configuration
//! can be logged at start-up.

use crate::secret::{KeySource, KeyText, SecretKey};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Settings of a running server (the `serve` subcommand) that are also
/// needed by `migrate` and `seed-demo`.
#[derive(Clone, clap::Args)]
pub struct Config {
    /// Database to use: `sqlite://path/to/file.db` or `postgres://user@host/db`.
    /// Default: `rapport.db` in the data directory.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Folder for the SQLite database, the secret key and other local state.
    #[arg(long, env = "RAPPORT_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Address and port to listen on.
    #[arg(long, env = "RAPPORT_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// The base URL people reach Rapport at (invite links, QR codes, the
    /// Origin allow-list). Default: `http://<bind>`.
    #[arg(long, env = "RAPPORT_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Further origins allowed to send state-changing requests, comma-separated.
    #[arg(long, env = "RAPPORT_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Take the client address from the last `X-Forwarded-For` entry (set
    /// this only behind a reverse proxy that appends it).
    #[arg(long, env = "RAPPORT_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// SMTP relay for invitation mail, e.g. `smtps://user:pass@mail.example.org`,
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtp://127.0.0.1:2525` (no TLS, for tests). Unset: invitations are
    /// written to `<data dir>/outbox/` and listed on the import page.
    #[arg(long, env = "RAPPORT_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Sender of invitation mail, e.g. `Rapport <events@example.org>`
    /// (required with `RAPPORT_SMTP_URL`).
    #[arg(long, env = "RAPPORT_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Folder holding the built site (`pkg/` with the WebAssembly and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Let organizers send webhooks to private addresses (loopback, the
    /// local network, `localhost`). Off by default so an organizer cannot
    /// make the server call into the network it runs in; turn it on when
    /// the receivers are on your own network.
    #[arg(long, env = "RAPPORT_WEBHOOKS_ALLOW_PRIVATE")]
    pub webhooks_allow_private: bool,

    /// Who runs this server, for push services (the VAPID `sub` claim):
    /// a `mailto:` address or an `https://` URL. Default: the public URL
    /// when it is HTTPS, else `mailto:rapport@<public host>`.
    #[arg(long, env = "RAPPORT_PUSH_CONTACT")]
    pub push_contact: Option<String>,

    /// Accept Web Push endpoints on loopback addresses (`http://127.0.0.1`,
    /// plain HTTP included): only for a push service on this machine, as the
    /// test suite runs. Other private addresses are always refused.
    #[arg(long, env = "RAPPORT_PUSH_ALLOW_LOOPBACK")]
    pub push_allow_loopback: bool,

    /// The key that signs session cookies: 128 hex digits, or base64 of
    /// 64 bytes (make one with `openssl rand -hex 64`). Every instance on
    /// one database needs the same key; prefer the environment or
    /// `RAPPORT_SECRET_KEY_FILE` to the flag, which other users of the
    /// machine can see. Default: `secret.key` in the data directory,
    /// created on first start.
    #[arg(
        long,
        env = crate::secret::KEY_ENV,
        hide_env_values = true,
        value_parser = KeyText::new,
        conflicts_with = "secret_key_file"
    )]
    pub secret_key: Option<KeyText>,

    /// A file holding the session key: its 64 bytes (e.g. a `secret.key`
    /// copied from an instance's data directory) or the key as text, as
    /// for `RAPPORT_SECRET_KEY`.
    #[arg(long, env = crate::secret::KEY_FILE_ENV)]
    pub secret_key_file: Option<PathBuf>,

    /// After a shutdown signal, how long to wait for background tasks to
    /// finish their step and for sockets to close (e.g. `10s`); keep it
    /// shorter than your supervisor's kill timeout.
    #[arg(long, env = "RAPPORT_SHUTDOWN_GRACE", default_value = "10s", value_parser = humantime::parse_duration)]
    pub shutdown_grace: Duration,

    /// How often the follow-up job sends due reminders and, after each
    /// day, the digests (e.g. `60s`).
    #[arg(long, env = "RAPPORT_FOLLOW_UP_EVERY", default_value = "60s", value_parser = humantime::parse_duration)]
    pub follow_up_every: Duration,

    /// WebSocket timeouts and buffers.
    #[command(flatten)]
    pub sockets: crate::realtime::Tuning,
}

impl Config {
    /// A server on a free loopback port with the given database and data
    /// directory, everything else at its default, as tests and benchmarks
    /// start it. Private webhook targets and loopback push endpoints are
    /// allowed: their receivers run on this machine.
    pub fn local(database_url: String, data_dir: PathBuf) -> Self {
        Self {
            database_url: Some(database_url),
            data_dir,
            bind: "127.0.0.1:0".parse().expect("a valid address"),
            public_url: None,
            allowed_origins: vec![],
            trust_forwarded_for: false,
            smtp_url: None,
            mail_from: None,
            site_root: "target/site".into(),
            webhooks_allow_private: true,
            push_contact: None,
            push_allow_loopback: true,
            secret_key: None,
            secret_key_file: None,
            shutdown_grace: Duration::from_secs(10),
            follow_up_every: Duration::from_secs(60),
            sockets: crate::realtime::Tuning::default(),
        }
    }

    /// The session key in effect and where it came from (see
    /// [`crate::secret`] for the order).
    pub fn secret_key(&self) -> anyhow::Result<(SecretKey, KeySource)> {
        SecretKey::configured(
            self.secret_key.as_ref(),
            self.secret_key_file.as_deref(),
            &self.data_dir,
        )
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| crate::db::default_sqlite_url(&self.data_dir))
    }

    /// The public base URL without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Origins whose browsers may send state-changing requests: the public
    /// URL's, the bind address's (and its `localhost` twin on loopback), and
    /// any configured extra ones.
    pub fn allowed_origins(&self) -> Vec<String> {
        let mut origins = vec![
            origin_of(&self.public_url()),
            format!("http://{}", self.bind),
        ];
        if self.bind.ip().is_loopback() {
            origins.push(format!("http://localhost:{}", self.bind.port()));
            origins.push(format!("http://127.0.0.1:{}", self.bind.port()));
        }
        origins.extend(self.allowed_origins.iter().map(|o| origin_of(o)));
        origins.sort();
        origins.dedup();
        origins
    }

    /// The VAPID `sub` claim (see [`Config::push_contact`]) for a server
    /// reached at `public_url`.
    pub fn push_contact(&self, public_url: &str) -> String {
        if let Some(c) = self
            .push_contact
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            return c.to_owned();
        }
        if public_url.starts_with("https://") {
            return public_url.to_owned();
        }
        let host = url::Url::parse(public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".into());
        format!("mailto:rapport@{host}")
    }

    /// Whether cookies must carry `Secure` (served over HTTPS).
    pub fn https(&self) -> bool {
        self.public_url().starts_with("https://")
    }
}

/// `https://example.org/path` -> `https://example.org`.
fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => url.trim_end_matches('/').to_owned(),
    }
}

/// A database URL with its password replaced, for logs.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("[redacted]"));
            u.to_string()
        }
        _ => raw.to_owned(),
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url()))
            .field("data_dir", &self.data_dir)
            .field("bind", &self.bind)
            .field("public_url", &self.public_url())
            .field("allowed_origins", &self.allowed_origins())
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("site_root", &self.site_root)
            .field("webhooks_allow_private", &self.webhooks_allow_private)
            .field("push_contact", &self.push_contact)
            .field("push_allow_loopback", &self.push_allow_loopback)
            .field("secret_key", &self.secret_key)
            .field("secret_key_file", &self.secret_key_file)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("follow_up_every", &self.follow_up_every)
            .field("sockets", &self.sockets)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser)]
    struct T {
        #[command(flatten)]
        c: Config,
    }

    fn parse(args: &[&str]) -> Config {
        T::parse_from(std::iter::once("rapport").chain(args.iter().copied())).c
    }

    #[test]
    fn database_password_never_appears_in_debug_output() {
        let c = parse(&[
            "--database-url",
            "postgres://app:hunter2@db.example/rapport",
        ]);
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.example"));
    }

    #[test]
    fn smtp_password_never_appears_in_debug_output() {
        let c = parse(&["--smtp-url", "smtp://mailer:s3cret@mail.example:587"]);
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("mail.example"));
    }

    #[test]
    fn the_session_key_never_appears_in_debug_output() {
        let key = "5e".repeat(64);
        let c = parse(&["--secret-key", &key]);
        let shown = format!("{c:?}");
        assert!(!shown.contains(&key[..16]), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }

    #[test]
    fn a_refused_session_key_is_not_repeated_in_the_error() {
        // Parsed after clap, whose own errors repeat the value.
        let almost = format!("{}z", "5e".repeat(64));
        let c = parse(&["--secret-key", &almost]);
        let message = format!("{:#}", c.secret_key().unwrap_err());
        assert!(message.contains("RAPPORT_SECRET_KEY"), "{message}");
        assert!(!message.contains(&almost[..16]), "{message}");
    }

    #[test]
    fn the_session_key_and_its_file_cannot_both_be_given() {
        let key = "5e".repeat(64);
        let args = [
            "rapport",
            "--secret-key",
            &key,
            "--secret-key-file",
            "/etc/rapport.key",
        ];
        let err = T::try_parse_from(args).err().expect("refused").to_string();
        assert!(!err.contains(&key[..16]), "{err}");
    }

    #[test]
    fn default_database_is_a_file_in_the_data_dir() {
        let c = parse(&["--data-dir", "/tmp/rapport-x", "--database-url", ""]);
        assert_eq!(c.database_url(), "sqlite:///tmp/rapport-x/rapport.db");
    }

    #[test]
    fn loopback_servers_accept_both_localhost_spellings() {
        let c = parse(&[
            "--bind",
            "127.0.0.1:3100",
            "--public-url",
            "https://meet.example.org/",
        ]);
        let origins = c.allowed_origins();
        for o in [
            "https://meet.example.org",
            "http://localhost:3100",
            "http://127.0.0.1:3100",
        ] {
            assert!(
                origins.contains(&o.to_owned()),
                "{o} missing from {origins:?}"
            );
        }
        assert!(c.https());
    }

    #[test]
    fn socket_tuning_defaults_match_and_bad_values_are_refused() {
        assert_eq!(parse(&[]).sockets, crate::realtime::Tuning::default());
        let c = parse(&["--ws-idle-timeout", "1500ms", "--room-backlog", "64"]);
        assert_eq!(
            c.sockets.idle_timeout,
            std::time::Duration::from_millis(1500)
        );
        assert_eq!(c.sockets.room_backlog, 64);
        for bad in [
            &["--ws-ping-every", "0s"][..],
            &["--ws-send-timeout", "soon"],
            &["--room-backlog", "0"],
            &["--ws-max-write-buffer", "4096"],
        ] {
            let args = std::iter::once("rapport").chain(bad.iter().copied());
            assert!(T::try_parse_from(args).is_err(), "{bad:?} was accepted");
        }
    }
}
