//! Rate limits where abuse is cheap: login per account and per IP address,
//! sign-up per IP address, badge scans and room posts (over HTTP; sockets
//! have their own) per account, public API calls per API token. In
//! memory, per instance
//! (GCRA via `governor`).

use crate::{domain::UserId, error::AppError};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{net::IpAddr, num::NonZeroU32, time::Duration};

/// The limiters of one server instance.
pub struct Limits {
    /// Login attempts per account (lower-cased email): stops password
    /// guessing against one person from many addresses.
    login_per_account: DefaultKeyedRateLimiter<String>,
    /// Login attempts per client address: stops one client trying many accounts.
    login_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    /// Sign-ups per client address: stops mass account creation.
    signup_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    /// Badge scans per account (every attempt, whatever its outcome): a
    /// person scans a few badges a minute, a scraper trying codes thousands.
    scans_per_user: DefaultKeyedRateLimiter<UserId>,
    /// Room messages posted through the plain form (no JavaScript), with
    /// the same budget a socket has, so the form is no way around it.
    posts_per_user: DefaultKeyedRateLimiter<UserId>,
    /// Public API calls per API token (by token id): an integration that
    /// loops cannot starve the event's attendees.
    api_per_token: DefaultKeyedRateLimiter<uuid::Uuid>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limits")
    }
}

fn quota(burst: u32, replenish_every: Duration) -> Quota {
    Quota::with_period(replenish_every)
        .expect("non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("non-zero burst"))
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // 10 tries at once, then one more every 30 s.
            login_per_account: RateLimiter::keyed(quota(10, Duration::from_secs(30))),
            // A whole venue's Wi-Fi shares one address on the morning of an
            // event, so the budget per address is generous: 60 at once, then
            // five a second. Guessing one person's password is stopped by
            // the per-account limit above.
            login_per_ip: RateLimiter::keyed(quota(60, Duration::from_millis(200))),
            // 60 accounts at once (a registration desk), then one every 2 s.
            signup_per_ip: RateLimiter::keyed(quota(60, Duration::from_secs(2))),
            // 30 at once (a queue of people, a synced offline batch), then
            // one every 2 s: 1,800 an hour at most, nowhere near enough to
            // find badges by guessing codes.
            scans_per_user: RateLimiter::keyed(quota(30, Duration::from_secs(2))),
            // 10 at once, then five a second, as on a socket.
            posts_per_user: RateLimiter::keyed(quota(10, Duration::from_millis(200))),
            // 120 at once (a sync paging through a large event), then ten a
            // second: plenty for a ticketing or CRM sync.
            api_per_token: RateLimiter::keyed(quota(120, Duration::from_millis(100))),
        }
    }
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), AppError> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
        AppError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        }
    })
}

impl Limits {
    /// Counts a login attempt; refuses once either budget is spent.
    pub fn login(&self, account: &str, ip: Option<IpAddr>) -> Result<(), AppError> {
        if let Some(ip) = ip {
            check(&self.login_per_ip, &ip)?;
        }
        check(&self.login_per_account, &account.to_owned())
    }

    /// Counts a sign-up attempt from `ip`.
    pub fn signup(&self, ip: Option<IpAddr>) -> Result<(), AppError> {
        match ip {
            Some(ip) => check(&self.signup_per_ip, &ip),
            None => Ok(()),
        }
    }

    /// Counts a badge scan by `user`.
    pub fn scan(&self, user: UserId) -> Result<(), AppError> {
        check(&self.scans_per_user, &user)
    }

    /// Counts a room message posted over HTTP by `user`.
    pub fn post(&self, user: UserId) -> Result<(), AppError> {
        check(&self.posts_per_user, &user)
    }

    /// Counts a public API call made with the token `token`.
    pub fn api(&self, token: uuid::Uuid) -> Result<(), AppError> {
        check(&self.api_per_token, &token)
    }

    /// Forgets keys whose budget is full again, so memory stays bounded.
    pub fn forget_idle(&self) {
        self.api_per_token.retain_recent();
        self.scans_per_user.retain_recent();
        self.posts_per_user.retain_recent();
        self.login_per_account.retain_recent();
        self.login_per_ip.retain_recent();
        self.signup_per_ip.retain_recent();
    }
}

/// The client's address: the socket's peer, or with `trust_forwarded_for`
/// the last address in `X-Forwarded-For` (the one our proxy appended;
/// earlier entries are client-supplied and can be forged). `None` when
/// neither is known.
pub async fn client_ip() -> Option<IpAddr> {
    let trust_proxy = crate::api::context::state().is_ok_and(|s| s.config.trust_forwarded_for);
    if trust_proxy {
        if let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() {
            if let Some(ip) = forwarded_for(&parts.headers) {
                return Some(ip);
            }
        }
    }
    leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|axum::extract::ConnectInfo(addr)| addr.ip())
}

fn forwarded_for(headers: &http::HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|ip| ip.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_quick_login_to_one_account_is_refused() {
        let limits = Limits::default();
        for _ in 0..10 {
            limits.login("ada@example.org", None).unwrap();
        }
        let err = limits.login("ada@example.org", None).unwrap_err();
        assert!(matches!(err, AppError::RateLimited { retry_after_secs } if retry_after_secs >= 1));
        // Another account is unaffected.
        limits.login("bob@example.org", None).unwrap();
    }

    #[test]
    fn the_proxy_appended_address_is_the_client() {
        let mut headers = http::HeaderMap::new();
        headers.append("x-forwarded-for", "198.51.100.1, 10.0.0.1".parse().unwrap());
        headers.append("x-forwarded-for", "203.0.113.9".parse().unwrap());
        assert_eq!(
            forwarded_for(&headers),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(forwarded_for(&http::HeaderMap::new()), None);
    }

    #[test]
    fn each_api_token_has_its_own_budget() {
        let limits = Limits::default();
        let (a, b) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        for _ in 0..120 {
            limits.api(a).unwrap();
        }
        assert!(matches!(limits.api(a), Err(AppError::RateLimited { .. })));
        limits.api(b).unwrap();
    }

    #[test]
    fn one_address_cannot_try_many_accounts() {
        let limits = Limits::default();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for i in 0..60 {
            limits
                .login(&format!("user{i}@example.org"), Some(ip))
                .unwrap();
        }
        assert!(limits.login("user99@example.org", Some(ip)).is_err());
    }
}
