//! Building and running the server: connect and migrate the database,
//! assemble the state and router, bind, serve until a shutdown signal, and
//! run housekeeping in the background.

use crate::{config::Config, db::Db, http, secret::SecretKey};
use app::{
    api::limits::Limits,
    ports::{AppState, PublicConfig, Store},
};
use axum::serve::ListenerExt;
use leptos::config::LeptosOptions;
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;

/// A bound, ready-to-run server. Tests build one on port 0 and read `addr`.
pub struct Application {
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    /// The webhook worker's settings; tests shorten its retry schedule
    /// before [`Application::run_until`] starts it.
    pub webhooks: crate::webhooks::WorkerConfig,
    listener: TcpListener,
    router: axum::Router,
    db: Db,
}

/// Leptos options: the site `make site` builds, found from the workspace
/// root by default; elsewhere set `LEPTOS_SITE_ROOT` (see the README).
fn leptos_options(config: &Config, addr: SocketAddr) -> LeptosOptions {
    let env_or =
        |key: &str, default: &str| std::env::var(key).unwrap_or_else(|_| default.to_owned());
    LeptosOptions::builder()
        .output_name(env_or("LEPTOS_OUTPUT_NAME", "rapport"))
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir(env_or("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(addr)
        .build()
}

impl Application {
    /// Connects, migrates and binds. Nothing is served until [`Application::run`].
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let key = SecretKey::load_or_create(&config.data_dir)?;
        let db = Db::connect(&config.database_url()).await?;
        db.migrate().await?;
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
        let hub = crate::realtime::Hub::new(store.clone(), pg.clone(), config.sockets);
        let state = AppState {
            store: store.clone(),
            leptos_options: leptos_options(config, addr),
            config: Arc::new(PublicConfig {
                public_url,
                trust_forwarded_for: config.trust_forwarded_for,
                webhooks_allow_private: config.webhooks_allow_private,
            }),
            limits: Arc::new(Limits::default()),
            matching: Arc::default(),
            live: hub.clone(),
            postman: Arc::new(crate::mail::Mailer::new(
                config.smtp_url.as_deref(),
                config.mail_from.as_deref(),
                &config.data_dir,
            )?),
        };
        if let Some(pool) = pg {
            crate::realtime::pg::spawn_listener(pool.clone(), hub.clone(), state.clone());
            crate::realtime::pg::spawn_presence(pool, hub.clone());
        }
        spawn_housekeeping(state.clone());
        let router = http::router(
            state,
            http::RouterConfig {
                cookie_key: tower_sessions::cookie::Key::from(key.bytes()),
                https: config.https(),
                allowed_origins,
                hub,
                data_dir: config.data_dir.clone(),
            },
        );
        Ok(Self {
            addr,
            webhooks: crate::webhooks::WorkerConfig {
                allow_private: config.webhooks_allow_private,
                ..Default::default()
            },
            store,
            listener,
            router,
            db,
        })
    }

    /// Serves until Ctrl-C or SIGTERM, lets requests in flight finish, then
    /// closes the database.
    pub async fn run(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes (tests use a never-ending future).
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let worker = crate::webhooks::spawn(self.store.clone(), self.webhooks);
        // No Nagle: a socket's frames leave as soon as they are flushed
        // instead of waiting for the client to acknowledge the previous
        // write (which a client's delayed ACK can hold for 40 ms).
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        worker.abort();
        self.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Periodic clean-up: expired sessions, idle rate-limit keys.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
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
