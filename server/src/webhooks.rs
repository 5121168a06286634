//! The webhook delivery worker: drains the outbox (`webhook_deliveries`,
//! written by `app::service::webhooks::emit`), signs each body and POSTs it to
//! its webhook's URL, and retries failures with exponential backoff until
//! the schedule runs out.
//!
//! Signature: `Rapport-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>" keyed with the webhook's secret>`, plus `Rapport-Delivery:
//! <delivery id>` so receivers can drop duplicates (delivery is at least
//! once: a crash between sending and recording means one more attempt).
//!
//! Targets must be public addresses unless the administrator allowed
//! private ones (`RAPPORT_WEBHOOKS_ALLOW_PRIVATE`): an address written as
//! an IP is checked before sending, and names are checked as they resolve
//! (every address they resolve to is filtered), so a name that points at
//! the server's own network is refused even if it changed since the
//! webhook was saved.
//!
//! The worker runs beside the server, never inside a request, until the
//! server's shutdown (it finishes the batch under way): a target that
//! hangs costs the worker one timeout, and deliveries to different targets
//! are sent concurrently. A claimed delivery is leased (its next attempt is
//! pushed past the timeout), so a crashed worker's deliveries are retried
//! after restart and several instances never send the same one at once.

use app::{
    domain::{is_public_ip, WebhookUrl},
    ports::{AttemptOutcome, DeliveryJob, Store},
    service::webhooks::WAKE,
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
    /// Whether targets on private addresses are allowed (see the module).
    pub allow_private: bool,
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
            allow_private: false,
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

/// Starts the worker; it runs until the shutdown, finishing the batch it
/// is sending (each attempt is bounded by [`WorkerConfig::timeout`]; a
/// delivery cut short by the process's end is retried after its lease).
pub fn spawn(
    store: Arc<dyn Store>,
    config: WorkerConfig,
    shutdown: &crate::shutdown::Shutdown,
) -> tokio::task::JoinHandle<()> {
    shutdown.spawn(run(store, config, shutdown.clone()))
}

async fn run(store: Arc<dyn Store>, config: WorkerConfig, shutdown: crate::shutdown::Shutdown) {
    let mut builder = reqwest::Client::builder()
        .timeout(config.timeout)
        // A redirect would send the signed body somewhere the organizer
        // did not name; a 3xx counts as a failure instead.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Rapport-Webhooks/", env!("CARGO_PKG_VERSION")));
    if !config.allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook client could not be built; webhooks are off");
            return;
        }
    };
    while !shutdown.is_stopping() {
        // Registered before draining, so a wake-up during the drain is kept.
        let woken = WAKE.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        while drain_once(&store, &client, &config).await == config.batch as usize
            && !shutdown.is_stopping()
        {}
        tokio::select! {
            () = woken => {}
            () = tokio::time::sleep(config.poll_every) => {}
            () = shutdown.cancelled() => {}
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

/// Resolves names to their public addresses only; a name with none is an
/// error ([`PrivateTarget`]), so nothing is sent into a private network.
struct PublicOnly;

/// A webhook's host is not on the public internet.
#[derive(Debug)]
struct PrivateTarget;

impl std::fmt::Display for PrivateTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the address is not public")
    }
}

impl std::error::Error for PrivateTarget {}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let all: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let public: Vec<_> = all.into_iter().filter(|a| is_public_ip(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(PrivateTarget) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

const PRIVATE: &str = "The receiver's address is private: webhooks go to public addresses only \
     (the server's administrator can allow private ones).";

/// Whether `e` was caused by the resolver refusing a private address.
fn refused_as_private(e: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<PrivateTarget>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// One attempt at one delivery, and its outcome recorded.
async fn deliver(
    store: &dyn Store,
    client: &reqwest::Client,
    config: &WorkerConfig,
    job: DeliveryJob,
) {
    let private = !config.allow_private
        && WebhookUrl::parse(&job.url).map_or(true, |u| u.names_private_host());
    let outcome = if private {
        // It will not become public by waiting: no retries.
        AttemptOutcome::GaveUp {
            error: PRIVATE.to_owned(),
        }
    } else {
        attempt(client, config, &job).await
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

/// Sends the delivery once: delivered, to be retried, or given up when the
/// schedule is used up (or the name resolved to private addresses only).
async fn attempt(
    client: &reqwest::Client,
    config: &WorkerConfig,
    job: &DeliveryJob,
) -> AttemptOutcome {
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
        Ok(res) if res.status().is_success() => {
            return AttemptOutcome::Delivered {
                at: chrono::Utc::now(),
            }
        }
        Ok(res) => format!("The receiver answered HTTP {}.", res.status().as_u16()),
        Err(e) if refused_as_private(&e) => {
            return AttemptOutcome::GaveUp {
                error: PRIVATE.to_owned(),
            }
        }
        Err(e) if e.is_timeout() => {
            format!("No answer within {} seconds.", config.timeout.as_secs_f32())
        }
        Err(e) if e.is_connect() => "Could not connect to the receiver.".to_owned(),
        Err(e) => format!("Sending failed: {e}."),
    };
    match config.retry_after.get(job.attempts as usize) {
        Some(wait) => AttemptOutcome::Retry {
            error,
            next_at: chrono::Utc::now()
                + chrono::TimeDelta::from_std(*wait).unwrap_or(chrono::TimeDelta::hours(2)),
        },
        None => AttemptOutcome::GaveUp { error },
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

    #[tokio::test]
    async fn names_resolving_to_private_addresses_only_are_refused() {
        use reqwest::dns::Resolve;
        let name = "localhost".parse().unwrap();
        let refused = PublicOnly.resolve(name).await.err().expect("refused");
        assert!(refused.is::<PrivateTarget>(), "{refused}");
        // Through a client, the refusal is recognised as such (not as an
        // unreachable receiver, which would be retried).
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(PublicOnly))
            .build()
            .unwrap();
        let e = client
            .post("http://localhost:9/hook")
            .send()
            .await
            .unwrap_err();
        assert!(refused_as_private(&e), "{e:?}");
    }
}
