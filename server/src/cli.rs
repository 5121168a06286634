//! The command line: `rapport [serve]`, `rapport migrate`, `rapport seed-demo`.

use crate::{config::Config, db::Db, seed, startup::Application};
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "rapport",
    version,
    about = "Rapport: self-hosted networking for events and conferences"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (the default).
    Serve {
        /// Create the demo event and accounts first (if missing) and print the logins.
        #[arg(long)]
        demo: bool,
    },
    /// Create the database if needed and apply pending migrations, then exit.
    Migrate,
    /// Create the demo event and accounts (if missing), print the logins, then exit.
    SeedDemo,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    tracing::info!(?config, "starting");
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => {
            let app = Application::build(&config).await?;
            if demo {
                let summary = seed::seed_demo(app.store.as_ref()).await?;
                print_demo(&summary, &config.public_url());
            }
            println!("Rapport is running at {}", config.public_url());
            app.run().await
        }
        Command::Migrate => {
            let db = Db::connect(&config.database_url()).await?;
            db.migrate().await?;
            db.close().await;
            println!("Database is up to date.");
            Ok(())
        }
        Command::SeedDemo => {
            let db = Db::connect(&config.database_url()).await?;
            db.migrate().await?;
            let summary = seed::seed_demo(&db).await?;
            db.close().await;
            print_demo(&summary, &config.public_url());
            Ok(())
        }
    }
}

fn print_demo(s: &seed::DemoSummary, public_url: &str) {
    println!();
    println!(
        "Demo event: {public_url}/e/{}  (join code {}, invite link {public_url}/join/{})",
        s.slug, s.join_code, s.invite_token
    );
    println!(
        "Demo logins (password \"{}\" for all):",
        seed::DEMO_PASSWORD
    );
    for (email, role) in &s.logins {
        println!("  {email:<28} {}", role.label());
    }
    println!();
}
