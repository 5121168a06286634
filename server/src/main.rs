//! Entry point of the `rapport` binary: logging, then the command line.

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// See server/Cargo.toml for why not the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .init();
    server::cli::run(server::cli::Cli::parse()).await
}
