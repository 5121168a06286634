//! Building and running the server: connect and migrate the database,
//! assemble the state and router, bind, serve until a shutdown signal, and
//! run housekeeping in the background. It also owns the process's one
//! [`Shutdown`]: every background loop and every WebSocket is started
//! through it, so stopping is one sequence (described on
//! [`Application::run_until`] and in docs/architecture.md) instead of
//! tasks that run "until the process ends".

use crate::{
    assets::Assets,
    config::Config,
    db::{cluster::KeyCheck, Db, Pools},
    http,
    secret::{KeySource, SecretKey},
    shutdown::Shutdown,
};
use app::{
    ports::Store,
    state::{AppState, PublicConfig},
};
use axum::serve::ListenerExt;
use leptos::config::LeptosOptions;
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;

/// A bound, ready-to-run server. Tests build one on port 0 and read `addr`.
pub struct Application {
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    /// The webhook worker's settings; tests shorten its retry schedule
    /// before [`Application::run_until`] starts it.
    pub webhooks: crate::webhooks::WorkerConfig,
    /// The base URL the server answers at, with the real port when it was
    /// bound to port 0 (printed at start, so a supervisor or a test can
    /// read where it listens).
    pub public_url: String,
    /// How long [`Application::run_until`] waits for background tasks and
    /// sockets to end after the shutdown signal.
    pub grace: Duration,
    listener: TcpListener,
    router: axum::Router,
    db: Db,
    /// Told to close every socket when the shutdown begins.
    hub: Arc<crate::realtime::Hub>,
    /// The shutdown every background task was started with.
    shutdown: Shutdown,
}

/// Leptos options: the site `make site` builds, found from the workspace
/// root by default; elsewhere set `LEPTOS_SITE_ROOT` (see the README). The
/// app's files are named as `make site` named them ([`Assets`]).
fn leptos_options(config: &Config, addr: SocketAddr) -> (LeptosOptions, Assets) {
    let pkg = std::env::var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|_| "pkg".to_owned());
    let assets = Assets::load(&config.site_root, &pkg);
    let options = LeptosOptions::builder()
        .output_name(assets.bundle.clone())
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir(pkg)
        .site_addr(addr)
        .build();
    (options, assets)
}

impl Application {
    /// Connects, migrates and binds. Nothing is served until [`Application::run`].
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let (key, source) = config.secret_key()?;
        tracing::info!(%source, "session key loaded");
        let db = Db::connect(&config.database_url()).await?;
        db.migrate().await?;
        check_cluster_key(&db, &key, source).await?;
        let store = db.clone().into_store();
        let listener = TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        // With port 0 (tests) the public URL must name the real port.
        let public_url = if config.public_url.is_none() && config.bind.port() == 0 {
            format!("http://{addr}")
        } else {
            config.public_url()
        };
        let mut allowed_origins = config.allowed_origins();
        allowed_origins.push(format!("http://{addr}"));
        let pg = match &db.pools {
            crate::db::Pools::Postgres(pool) => Some(pool.clone()),
            _ => None,
        };
        let shutdown = Shutdown::new();
        let (leptos_options, assets) = leptos_options(config, addr);
        let hub =
            crate::realtime::Hub::new(store.clone(), pg.clone(), config.sockets, shutdown.clone());
        let vapid = crate::push::VapidKey::load_or_create(&config.data_dir)?;
        let pusher = crate::push::WebPusher::new(
            vapid,
            config.push_contact(&public_url),
            config.push_allow_loopback,
            shutdown.clone(),
        )?;
        let state = AppState {
            store: store.clone(),
            leptos_options,
            config: Arc::new(PublicConfig {
                public_url: public_url.clone(),
                trust_forwarded_for: config.trust_forwarded_for,
                webhooks_allow_private: config.webhooks_allow_private,
            }),
            limits: hub.limits.clone(),
            matching: Arc::default(),
            live: hub.clone(),
            postman: Arc::new(crate::mail::Mailer::new(
                config.smtp_url.as_deref(),
                config.mail_from.as_deref(),
                &config.data_dir,
            )?),
            push: Arc::new(pusher),
        };
        // Direct messages sent over a socket are pushed like the form's.
        let _ = hub.push.set(app::service::push::PushPath::of(&state));
        if let Some(pool) = pg {
            crate::realtime::pg::spawn_listener(
                pool.clone(),
                hub.clone(),
                state.clone(),
                &shutdown,
            );
            crate::realtime::pg::spawn_presence(pool, hub.clone(), &shutdown);
        }
        spawn_housekeeping(state.clone(), &shutdown);
        crate::follow_up::spawn(state.clone(), config.follow_up_every, &shutdown);
        let router = http::router(
            state,
            http::RouterConfig {
                cookie_key: tower_sessions::cookie::Key::from(key.bytes()),
                https: config.https(),
                allowed_origins,
                hub: hub.clone(),
                data_dir: config.data_dir.clone(),
                assets: Arc::new(assets),
            },
        );
        Ok(Self {
            addr,
            webhooks: crate::webhooks::WorkerConfig {
                allow_private: config.webhooks_allow_private,
                ..Default::default()
            },
            public_url,
            grace: config.shutdown_grace,
            store,
            listener,
            router,
            db,
            hub,
            shutdown,
        })
    }

    /// The server's shutdown, for watching it stop (tests read
    /// [`Shutdown::finished`] after [`Application::run_until`] returned).
    pub fn shutdown(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, then stops as
    /// [`Application::run_until`] describes.
    pub async fn run(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes (tests use a never-ending future,
    /// or one they complete), then stops in this order:
    ///
    /// 1. no new connections are accepted, and every background task is
    ///    told to stop ([`Shutdown::begin`]);
    /// 2. every WebSocket is closed with code 1001 ("going away"): the
    ///    client reconnects, to this server once it is back or to another
    ///    instance, and resumes its rooms with `last_seq`;
    /// 3. HTTP requests in flight finish (axum's graceful shutdown);
    /// 4. the background tasks finish the step they are in and return,
    ///    and sockets finish closing: waited for up to [`Application::grace`];
    /// 5. the database pool is closed (when everything ended: a task
    ///    still holding a connection would make that wait forever).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Self {
            store,
            webhooks,
            grace,
            listener,
            router,
            db,
            hub,
            shutdown: stop,
            ..
        } = self;
        crate::webhooks::spawn(store, webhooks, &stop);
        // No Nagle: a socket's frames leave as soon as they are flushed
        // instead of waiting for the client to acknowledge the previous
        // write (which a client's delayed ACK can hold for 40 ms).
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        let begin = {
            let (stop, hub) = (stop.clone(), hub.clone());
            move || {
                stop.begin();
                hub.go_away();
            }
        };
        let signal = {
            let begin = begin.clone();
            async move {
                shutdown.await;
                tracing::info!(
                    "stopping: closing sockets, finishing requests and background tasks"
                );
                begin();
            }
        };
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal)
        .await;
        // Also when serving failed: nothing may keep running.
        begin();
        if stop.wait(grace).await {
            db.close().await;
            tracing::info!("stopped");
        } else {
            tracing::warn!(
                still_running = stop.running(),
                grace = ?grace,
                "stopped without waiting for every background task"
            );
        }
        served?;
        Ok(())
    }
}

/// Compares the session key with the one recorded in the database (see
/// [`crate::db::cluster`]), recording it on first start. On PostgreSQL,
/// where several instances share the database, a different key refuses
/// to start: the instances would not accept each other's session cookies,
/// and people would be signed out whenever the balancer changed instance.
/// On SQLite, one instance, a different key is a rotation: recorded, and
/// everyone signs in again.
async fn check_cluster_key(db: &Db, key: &SecretKey, source: KeySource) -> anyhow::Result<()> {
    let fingerprint = key.fingerprint();
    let now = chrono::Utc::now();
    let recorded_at = match crate::db::cluster::check_key(db, &fingerprint, now).await? {
        KeyCheck::Recorded => {
            tracing::info!("session key recorded as this database's");
            return Ok(());
        }
        KeyCheck::Same => return Ok(()),
        KeyCheck::Different { recorded_at } => recorded_at,
    };
    if let Pools::Sqlite { .. } = db.pools {
        tracing::warn!(%recorded_at, "the session key changed; everyone signs in again");
        return crate::db::cluster::replace_key(db, &fingerprint, now).await;
    }
    // The usual mistake: no key configured, so the data directory's own.
    let hint = match source {
        KeySource::DataDir => format!(
            " (neither {} nor {} is set)",
            crate::secret::KEY_ENV,
            crate::secret::KEY_FILE_ENV
        ),
        _ => String::new(),
    };
    anyhow::bail!(
        "this instance's session key differs from the one this database's instances use \
         (recorded {}): they would not accept each other's session cookies. \
         This key came from {source}{hint}. Give every instance the same key: set {} (or {}) to \
         the key the other instances use. To change the key of every instance on purpose, \
         stop them all, give them the new key, and run `rapport replace-key` once.",
        recorded_at.format("%Y-%m-%d %H:%M UTC"),
        crate::secret::KEY_ENV,
        crate::secret::KEY_FILE_ENV,
    )
}

/// Periodic clean-up: expired sessions, idle rate-limit keys. Stops at
/// the shutdown (a clean-up under way finishes first).
fn spawn_housekeeping(state: AppState, shutdown: &Shutdown) {
    let stop = shutdown.clone();
    shutdown.spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = stop.cancelled() => return,
            }
            match state
                .store
                .delete_expired_sessions(chrono::Utc::now())
                .await
            {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
            }
            state.limits.forget_idle();
        }
    });
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}
