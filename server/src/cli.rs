//! The command line: `rapport [serve]`, `rapport migrate`, `rapport seed-demo`,
//! `rapport import --event <slug> <file.csv>`, `rapport replace-key`,
//! `rapport follow-up [--day YYYY-MM-DD]`.

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
    /// Invite attendees from a CSV file (header row: name, email, and
    /// optionally role, company, tags) to an event, then print the report.
    /// Each person joins, with the role in the file, when they accept.
    /// Invitations are mailed when RAPPORT_SMTP_URL is set, else written
    /// to <data dir>/outbox/<event>/.
    Import {
        /// The event's address, as in /e/<slug>.
        #[arg(long)]
        event: String,
        /// The CSV file (UTF-8).
        file: std::path::PathBuf,
    },
    /// Record this configuration's session key (RAPPORT_SECRET_KEY,
    /// RAPPORT_SECRET_KEY_FILE or the data directory's) as the one every
    /// instance on the database must use, after changing it on purpose:
    /// stop every instance first, give them all the new key, run this
    /// once, start them again. Everyone signs in again.
    ReplaceKey,
    /// Send the follow-up digests of one day (UTC; yesterday by default)
    /// to everyone who opted in and has not had theirs, then exit. The
    /// running server does this by itself after each day; due reminders
    /// go out from the server, as live notifications.
    FollowUp {
        /// The day, as YYYY-MM-DD.
        #[arg(long)]
        day: Option<chrono::NaiveDate>,
    },
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
            // The real port when bound to port 0: supervisors and tests
            // read where it listens from this line.
            println!("Rapport is running at {}", app.public_url);
            app.run().await
        }
        Command::Migrate => {
            let db = Db::connect(&config.database_url()).await?;
            db.migrate().await?;
            db.close().await;
            println!("Database is up to date.");
            Ok(())
        }
        Command::Import { event, file } => import(&config, &event, &file).await,
        Command::ReplaceKey => {
            let (key, source) = config.secret_key()?;
            let db = Db::connect(&config.database_url()).await?;
            db.migrate().await?;
            crate::db::cluster::replace_key(&db, &key.fingerprint(), chrono::Utc::now()).await?;
            db.close().await;
            println!(
                "Recorded the session key from {source} as this database's: \
                 start every instance with it."
            );
            Ok(())
        }
        Command::FollowUp { day } => {
            let day =
                day.unwrap_or_else(|| chrono::Utc::now().date_naive() - chrono::Duration::days(1));
            let db = Db::connect(&config.database_url()).await?;
            db.migrate().await?;
            let postman = crate::mail::Mailer::new(
                config.smtp_url.as_deref(),
                config.mail_from.as_deref(),
                &config.data_dir,
            )?;
            let sent =
                app::service::follow_up::send_digests(&db, &postman, &config.public_url(), day)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            db.close().await;
            println!("Sent {sent} digests for {day}.");
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

/// `rapport import`: reads the whole file first (a malformed file changes
/// nothing), then imports with a progress bar and prints the report.
async fn import(config: &Config, slug: &str, file: &std::path::Path) -> anyhow::Result<()> {
    use app::service::imports::{plan_import, run_import};
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let plan = plan_import(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let slug_value = app::domain::Slug::parse(slug)
        .map_err(|_| anyhow::anyhow!("there is no event at /e/{slug}"))?;
    let event = app::ports::EventStore::event_by_slug(&db, &slug_value)
        .await?
        .ok_or_else(|| anyhow::anyhow!("there is no event at /e/{slug}"))?;
    let bar = indicatif::ProgressBar::new(plan.rows.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows  {elapsed} (eta {eta})")
            .expect("a valid progress template"),
    );
    let postman = crate::mail::Mailer::new(
        config.smtp_url.as_deref(),
        config.mail_from.as_deref(),
        &config.data_dir,
    )?;
    let (report, invitations) = run_import(&db, &config.public_url(), &event, plan, |n| {
        bar.set_position(n as u64)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish();
    // The command waits for delivery (a server would do it in the background).
    app::ports::Postman::deliver(&postman, &db, &event, invitations).await;
    let delivered = app::ports::InvitationStore::invitations(&db, event.id).await?;
    db.close().await;
    // One count whether or not an address had an account: the report
    // never tells who already uses Rapport.
    println!(
        "Imported into {}: {} invited (they join when they accept), {} skipped.",
        event.name,
        report.invited,
        report.skipped.len()
    );
    if !report.ignored_columns.is_empty() {
        println!("Ignored columns: {}", report.ignored_columns.join(", "));
    }
    for (line, reason) in &report.skipped {
        println!("  line {line}: {reason}");
    }
    if !report.invitations.is_empty() {
        let sent: std::collections::HashSet<&str> = report
            .invitations
            .iter()
            .map(|(_, email, _)| email.as_str())
            .collect();
        let mut count = std::collections::BTreeMap::<&str, usize>::new();
        for i in delivered.iter().filter(|i| sent.contains(i.email.as_str())) {
            *count.entry(i.status.label()).or_default() += 1;
            if i.status == app::domain::InvitationStatus::Failed {
                println!("  invitation to {} failed: {}", i.email, i.detail);
            }
        }
        for (label, n) in count {
            println!("Invitations: {n} {}", label.to_lowercase());
        }
        if !postman_sends_mail(config) {
            println!(
                "Invitation files are in {} (one per person).",
                config
                    .data_dir
                    .join("outbox")
                    .join(event.slug.as_str())
                    .display()
            );
        }
    }
    Ok(())
}

fn postman_sends_mail(config: &Config) -> bool {
    config
        .smtp_url
        .as_deref()
        .is_some_and(|u| !u.trim().is_empty())
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
