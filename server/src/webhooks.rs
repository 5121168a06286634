//! The webhook delivery worker: drains the outbox (`webhook_deliveries`,
//! written by `app::api::webhooks::emit`), signs each body and POSTs it to
//! its webhook's URL, and retries failures with exponential backoff until
//! the schedule runs out.
//!
//! Signature: `Rapport-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>" keyed with the webhook's secret>`, plus `Rapport-Delivery:
//! <delivery id>` so receivers can drop duplicates (delivery is at least
//! once: a crash between sending and recording means one more attempt).
//!
//! The worker runs beside the server, never inside a request: a target that
//! hangs costs the worker one timeout, and deliveries to different targets
//! are sent concurrently. A claimed delivery is leased (its next attempt is
//! pushed past the timeout), so a crashed worker's deliveries are retried
//! after restart and several instances never send the same one at once.

use app::{
    api::webhooks::WAKE,
    ports::{AttemptOutcome, DeliveryJob, Store},
};
use hmac::{Hmac, Mac};
use std::{sync::Arc, time::Duration};

/// How the worker retries and how long it waits.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// The wait before each retry: after the first failed attempt wait
    /// `retry_after[0]`, and so on; when the list is used up the delivery is
    /// marked failed (so `len() + 1` attempts in all). Tests shorten it.
    pub retry_after: Vec<Duration>,
    /// How long one attempt may take (connect, send, answer).
    pub timeout: Duration,
    /// How often the outbox is checked without a wake-up (due retries,
    /// deliveries written by another instance).
    pub poll_every: Duration,
    /// Deliveries claimed (and sent concurrently) at once.
    pub batch: u32,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            // 10 s, 1 min, 5 min, 30 min, 2 h: about two and a half hours
            // of retries, enough to ride out a receiver's deploy or outage.
            retry_after: [10, 60, 300, 1800, 7200]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            timeout: Duration::from_secs(5),
            poll_every: Duration::from_secs(2),
            batch: 20,
        }
    }
}

/// The `Rapport-Signature` header value for `body` sent at unix time `t`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Starts the worker; it runs until the process ends.
pub fn spawn(store: Arc<dyn Store>, config: WorkerConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(store, config))
}

async fn run(store: Arc<dyn Store>, config: WorkerConfig) {
    let client = match reqwest::Client::builder()
        .timeout(config.timeout)
        // A redirect would send the signed body somewhere the organizer
        // did not name; a 3xx counts as a failure instead.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Rapport-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook client could not be built; webhooks are off");
            return;
        }
    };
    loop {
        // Registered before draining, so a wake-up during the drain is kept.
        let woken = WAKE.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        while drain_once(&store, &client, &config).await == config.batch as usize {}
        tokio::select! {
            () = woken => {}
            () = tokio::time::sleep(config.poll_every) => {}
        }
    }
}

/// Claims and sends one batch; returns how many were claimed.
async fn drain_once(
    store: &Arc<dyn Store>,
    client: &reqwest::Client,
    config: &WorkerConfig,
) -> usize {
    let now = chrono::Utc::now();
    let lease = chrono::TimeDelta::from_std(config.timeout * 2 + Duration::from_secs(30))
        .unwrap_or(chrono::TimeDelta::minutes(1));
    let jobs = match store
        .claim_due_deliveries(now, now + lease, config.batch)
        .await
    {
        Ok(jobs) => jobs,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the webhook outbox");
            return 0;
        }
    };
    let claimed = jobs.len();
    let mut sending = tokio::task::JoinSet::new();
    for job in jobs {
        let (store, client, config) = (store.clone(), client.clone(), config.clone());
        sending.spawn(async move { deliver(&*store, &client, &config, job).await });
    }
    while sending.join_next().await.is_some() {}
    claimed
}

/// One attempt at one delivery, and its outcome recorded.
async fn deliver(
    store: &dyn Store,
    client: &reqwest::Client,
    config: &WorkerConfig,
    job: DeliveryJob,
) {
    let t = chrono::Utc::now().timestamp();
    let result = client
        .post(&job.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Rapport-Signature", signature(&job.secret, t, &job.body))
        .header("Rapport-Delivery", job.id.to_string())
        .body(job.body.clone())
        .send()
        .await;
    let error = match result {
        Ok(res) if res.status().is_success() => None,
        Ok(res) => Some(format!(
            "The receiver answered HTTP {}.",
            res.status().as_u16()
        )),
        Err(e) if e.is_timeout() => Some(format!(
            "No answer within {} seconds.",
            config.timeout.as_secs_f32()
        )),
        Err(e) if e.is_connect() => Some("Could not connect to the receiver.".to_owned()),
        Err(e) => Some(format!("Sending failed: {e}.")),
    };
    let outcome = match error {
        None => AttemptOutcome::Delivered {
            at: chrono::Utc::now(),
        },
        Some(error) => match config.retry_after.get(job.attempts as usize) {
            Some(wait) => AttemptOutcome::Retry {
                error,
                next_at: chrono::Utc::now()
                    + chrono::TimeDelta::from_std(*wait).unwrap_or(chrono::TimeDelta::hours(2)),
            },
            None => AttemptOutcome::GaveUp { error },
        },
    };
    match &outcome {
        AttemptOutcome::Delivered { .. } => {
            tracing::info!(delivery = %job.id, "webhook delivered")
        }
        AttemptOutcome::Retry { error, .. } => {
            tracing::info!(delivery = %job.id, error = %error, "webhook attempt failed; will retry")
        }
        AttemptOutcome::GaveUp { error } => {
            tracing::warn!(delivery = %job.id, error = %error, "webhook failed for the last time")
        }
    }
    if let Err(e) = store.finish_attempt(job.id, &outcome).await {
        tracing::warn!(error = %e, delivery = %job.id, "could not record a webhook attempt");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_time_dot_body() {
        // Checked against `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test`.
        assert_eq!(
            signature("whsec_test", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }
}
