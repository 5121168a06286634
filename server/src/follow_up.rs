//! The follow-up job: every [`Config::follow_up_every`](crate::config::Config)
//! it sends the reminders that fell due as notifications (each once, even
//! with several instances: the store claims them) and, once a day has
//! ended (UTC), that day's digests to those who opted in (one mail per
//! person and day, recorded before it goes). `rapport follow-up` sends a
//! day's digests from the command line. Stops at the shutdown; a step
//! under way finishes first.

use crate::shutdown::Shutdown;
use app::{service::follow_up, state::AppState};
use chrono::{DateTime, Days, Utc};
use std::time::Duration;

/// Starts the job.
pub fn spawn(state: AppState, every: Duration, shutdown: &Shutdown) {
    let stop = shutdown.clone();
    shutdown.spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = stop.cancelled() => return,
            }
            run_once(&state, Utc::now()).await;
        }
    });
}

/// One step: due reminders, then yesterday's digests (nothing when they
/// went out already). Failures are logged; the next step tries again.
pub async fn run_once(state: &AppState, now: DateTime<Utc>) {
    match follow_up::send_due_reminders(state, now).await {
        Ok(n) if n > 0 => tracing::info!(sent = n, "reminders sent"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not send due reminders"),
    }
    let Some(yesterday) = now.date_naive().checked_sub_days(Days::new(1)) else {
        return;
    };
    match follow_up::send_digests(
        &*state.store,
        &*state.postman,
        &state.config.public_url,
        yesterday,
    )
    .await
    {
        Ok(n) if n > 0 => tracing::info!(sent = n, day = %yesterday, "digests sent"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not send digests"),
    }
}
