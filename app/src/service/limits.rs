//! Rate limits where abuse is cheap: login per (account, client address)
//! and per client address, sign-up per address (and the "someone tried to
//! sign up with your address" mail per account), badge scans and room
//! posts (over HTTP; sockets have their own) per account, public API calls
//! per API token. In memory, per instance (GCRA via `governor`, and a small
//! bucket map for logins, whose budget a successful login refills).
//!
//! Logins follow OWASP ASVS V2 (2.2.1): guessing is slowed without letting
//! a stranger lock the owner out. The budget of wrong passwords is kept per
//! account *and client address*, so a flood of failures from an attacker's
//! address spends only that address's budget for that account: the owner,
//! from their own address, logs in as usual, and a successful login refills
//! the budget of its (account, address). A looser budget per address stops
//! one address from trying many accounts. IPv6 clients are counted by their
//! /64 network (one customer's usual allocation), so hopping through one's
//! own addresses buys nothing. Guessing from many addresses at once is
//! still bounded per address and by the cost of Argon2 on every attempt.

use crate::{domain::UserId, error::AppError};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{net::IpAddr, num::NonZeroU32, time::Duration};

/// The limiters of one server instance.
pub struct Limits {
    /// Login attempts per (account, client address): stops guessing one
    /// person's password from an address without touching the owner's
    /// budget at theirs. Refilled by a successful login.
    login_per_account_ip: Buckets<(String, Option<IpAddr>)>,
    /// Login attempts per client address: stops one client trying many accounts.
    login_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    /// Sign-ups per client address: stops mass account creation.
    signup_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    /// "Someone tried to sign up with your address" mails per account
    /// (lower-cased email): a stranger cannot flood someone's mailbox.
    signup_notice_per_account: DefaultKeyedRateLimiter<String>,
    /// Badge scans per account (every attempt, whatever its outcome): a
    /// person scans a few badges a minute, a scraper trying codes thousands.
    scans_per_user: DefaultKeyedRateLimiter<UserId>,
    /// Room messages posted through the plain form (no JavaScript), with
    /// the same budget a socket has, so the form is no way around it.
    posts_per_user: DefaultKeyedRateLimiter<UserId>,
    /// Direct messages sent per account, over every socket and the plain
    /// form together: a person chats in bursts, a spammer sends steadily.
    direct_per_user: DefaultKeyedRateLimiter<UserId>,
    /// Checking oneself in or out: each one is a row in the attendance
    /// log, so a loop must not be able to write thousands.
    moves_per_user: DefaultKeyedRateLimiter<UserId>,
    /// Public API calls per API token (by token id): an integration that
    /// loops cannot starve the event's attendees.
    api_per_token: DefaultKeyedRateLimiter<uuid::Uuid>,
    /// Web Push subscribe/unsubscribe: each is a write and a stored URL
    /// the server will call, so a script cannot churn through them.
    push_per_user: DefaultKeyedRateLimiter<UserId>,
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
            // 10 tries at once, then one more every 30 s, per account and
            // address.
            login_per_account_ip: Buckets::new(10, Duration::from_secs(30)),
            // A whole venue's Wi-Fi shares one address on the morning of an
            // event, so the budget per address is generous: 60 at once, then
            // five a second. Guessing one person's password is stopped by
            // the per-(account, address) limit above.
            login_per_ip: RateLimiter::keyed(quota(60, Duration::from_millis(200))),
            // 60 accounts at once (a registration desk), then one every 2 s.
            signup_per_ip: RateLimiter::keyed(quota(60, Duration::from_secs(2))),
            // One mail, then one an hour: the owner learns someone tried,
            // nobody can use it to spam them.
            signup_notice_per_account: RateLimiter::keyed(quota(1, Duration::from_secs(3600))),
            // 30 at once (a queue of people, a synced offline batch), then
            // one every 2 s: 1,800 an hour at most, nowhere near enough to
            // find badges by guessing codes.
            scans_per_user: RateLimiter::keyed(quota(30, Duration::from_secs(2))),
            // 6 at once, then one a minute: coming and going a few times
            // a day, not flooding the attendance log.
            moves_per_user: RateLimiter::keyed(quota(6, Duration::from_secs(60))),
            // 10 at once, then five a second, as on a socket.
            posts_per_user: RateLimiter::keyed(quota(10, Duration::from_millis(200))),
            // 20 at once (a quick exchange), then one every 3 s: 20 a
            // minute sustained, plenty for two people talking, little for
            // a spammer.
            direct_per_user: RateLimiter::keyed(quota(20, Duration::from_secs(3))),
            // 120 at once (a sync paging through a large event), then ten a
            // second: plenty for a ticketing or CRM sync.
            api_per_token: RateLimiter::keyed(quota(120, Duration::from_millis(100))),
            push_per_user: RateLimiter::keyed(quota(20, Duration::from_secs(30))),
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
    /// Counts a login attempt on `account` (its lower-cased email) from
    /// `ip`; refuses once the address's budget, or this account's budget
    /// at this address, is spent.
    pub fn login(&self, account: &str, ip: Option<IpAddr>) -> Result<(), AppError> {
        let ip = ip.map(network);
        if let Some(ip) = ip {
            check(&self.login_per_ip, &ip)?;
        }
        self.login_per_account_ip
            .take(&(account.to_owned(), ip))
            .map_err(|wait| AppError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            })
    }

    /// A successful login on `account` from `ip`: the wrong passwords
    /// typed there before are forgotten.
    pub fn login_succeeded(&self, account: &str, ip: Option<IpAddr>) {
        self.login_per_account_ip
            .forget(&(account.to_owned(), ip.map(network)));
    }

    /// Counts a sign-up attempt from `ip`.
    pub fn signup(&self, ip: Option<IpAddr>) -> Result<(), AppError> {
        match ip {
            Some(ip) => check(&self.signup_per_ip, &network(ip)),
            None => Ok(()),
        }
    }

    /// Whether to mail `account`'s owner that someone tried to sign up with
    /// their address (at most one such mail an hour).
    pub fn signup_notice(&self, account: &str) -> bool {
        check(&self.signup_notice_per_account, &account.to_owned()).is_ok()
    }

    /// Counts a badge scan by `user`.
    pub fn scan(&self, user: UserId) -> Result<(), AppError> {
        check(&self.scans_per_user, &user)
    }

    /// Counts `user` checking themself in or out.
    pub fn presence(&self, user: UserId) -> Result<(), AppError> {
        check(&self.moves_per_user, &user)
    }

    /// Counts a room message posted over HTTP by `user`.
    pub fn post(&self, user: UserId) -> Result<(), AppError> {
        check(&self.posts_per_user, &user)
    }

    /// Counts a direct message sent by `user` (socket or form).
    pub fn direct(&self, user: UserId) -> Result<(), AppError> {
        check(&self.direct_per_user, &user)
    }

    /// Counts a public API call made with the token `token`.
    pub fn api(&self, token: uuid::Uuid) -> Result<(), AppError> {
        check(&self.api_per_token, &token)
    }

    /// Counts `user` turning notifications on or off on a device.
    pub fn push(&self, user: UserId) -> Result<(), AppError> {
        check(&self.push_per_user, &user)
    }

    /// Forgets keys whose budget is full again, so memory stays bounded.
    pub fn forget_idle(&self) {
        self.api_per_token.retain_recent();
        self.push_per_user.retain_recent();
        self.scans_per_user.retain_recent();
        self.posts_per_user.retain_recent();
        self.direct_per_user.retain_recent();
        self.moves_per_user.retain_recent();
        self.login_per_account_ip.forget_full();
        self.login_per_ip.retain_recent();
        self.signup_per_ip.retain_recent();
        self.signup_notice_per_account.retain_recent();
    }
}

/// The address a limit counts: IPv4 as it is, IPv6 by its /64 network (an
/// IPv4 address mapped into IPv6 as the IPv4 address).
fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !((1u128 << 64) - 1),
            )),
        },
    }
}

/// Token buckets by key, like a keyed `governor` limiter but with
/// [`Buckets::forget`], which `governor` does not offer: a successful login
/// refills its bucket at once.
struct Buckets<K> {
    burst: f64,
    /// How long one token takes to come back.
    every: Duration,
    map: std::sync::Mutex<std::collections::HashMap<K, (f64, std::time::Instant)>>,
}

impl<K: std::hash::Hash + Eq + Clone> Buckets<K> {
    fn new(burst: u32, every: Duration) -> Self {
        Self {
            burst: f64::from(burst),
            every,
            map: Default::default(),
        }
    }

    /// The tokens of a bucket last seen with `tokens` at `at`, now.
    fn refilled(&self, (tokens, at): (f64, std::time::Instant), now: std::time::Instant) -> f64 {
        let back = now.saturating_duration_since(at).as_secs_f64() / self.every.as_secs_f64();
        (tokens + back).min(self.burst)
    }

    /// Takes a token of `key`'s bucket, or says how long until one is back.
    fn take(&self, key: &K) -> Result<(), Duration> {
        let now = std::time::Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let tokens = match map.get(key) {
            Some(&bucket) => self.refilled(bucket, now),
            None => self.burst,
        };
        if tokens >= 1.0 {
            map.insert(key.clone(), (tokens - 1.0, now));
            Ok(())
        } else {
            map.insert(key.clone(), (tokens, now));
            Err(self.every.mul_f64(1.0 - tokens))
        }
    }

    /// Refills `key`'s bucket (by forgetting it).
    fn forget(&self, key: &K) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    /// Forgets every bucket that is full again, so memory stays bounded.
    fn forget_full(&self) {
        let now = std::time::Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, bucket| self.refilled(*bucket, now) < self.burst);
    }
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
    fn failures_from_a_strangers_address_never_block_the_owners_address() {
        let limits = Limits::default();
        let (attacker, owner): (IpAddr, IpAddr) = (
            "203.0.113.66".parse().unwrap(),
            "198.51.100.7".parse().unwrap(),
        );
        let refused = (0..50)
            .filter(|_| limits.login("ada@example.org", Some(attacker)).is_err())
            .count();
        assert_eq!(refused, 40, "ten guesses, then the attacker waits");
        limits.login("ada@example.org", Some(owner)).unwrap();
        // Another address in the attacker's IPv6 /64 is the same attacker.
        let (a, b): (IpAddr, IpAddr) = (
            "2001:db8::1".parse().unwrap(),
            "2001:db8::2".parse().unwrap(),
        );
        for _ in 0..10 {
            limits.login("bob@example.org", Some(a)).unwrap();
        }
        assert!(limits.login("bob@example.org", Some(b)).is_err());
        assert!(limits
            .login("bob@example.org", Some("2001:db8:1::1".parse().unwrap()))
            .is_ok());
    }

    #[test]
    fn a_successful_login_refills_its_account_and_address_budget() {
        let limits = Limits::default();
        let ip: IpAddr = "198.51.100.7".parse().unwrap();
        for _ in 0..9 {
            limits.login("ada@example.org", Some(ip)).unwrap();
        }
        limits.login_succeeded("ada@example.org", Some(ip));
        for _ in 0..10 {
            limits.login("ada@example.org", Some(ip)).unwrap();
        }
        assert!(limits.login("ada@example.org", Some(ip)).is_err());
    }

    #[test]
    fn the_owner_is_told_of_a_sign_up_with_their_address_once_an_hour() {
        let limits = Limits::default();
        assert!(limits.signup_notice("ada@example.org"));
        assert!(!limits.signup_notice("ada@example.org"));
        assert!(limits.signup_notice("bob@example.org"));
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
