//! Keyed rate limits (GCRA via `governor`) for login and register, per IP and per email.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use myrelay_core::{ApiError, AppState};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub struct RateLimits {
    enabled: bool,
    /// Login attempts per client IP: a burst of 5, then one every 12 s.
    pub login_ip: DefaultKeyedRateLimiter<IpAddr>,
    /// Login attempts per email: a burst of 10, then one every 30 s (slows credential stuffing
    /// spread over many IPs).
    pub login_email: DefaultKeyedRateLimiter<String>,
    /// Registrations per IP: a burst of 5, then one every 60 s.
    pub register_ip: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(burst: u32, every: Duration) -> Quota {
    Quota::with_period(every)
        .expect("non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("non-zero burst"))
}

impl RateLimits {
    pub fn new(enabled: bool) -> Self {
        RateLimits {
            enabled,
            login_ip: RateLimiter::keyed(quota(5, Duration::from_secs(12))),
            login_email: RateLimiter::keyed(quota(10, Duration::from_secs(30))),
            register_ip: RateLimiter::keyed(quota(5, Duration::from_secs(60))),
        }
    }

    /// The limits installed in `state` by [`crate::install`].
    pub fn of(state: &AppState) -> &RateLimits {
        state
            .part::<RateLimits>()
            .expect("myrelay_auth::install(state) puts the rate limits in the app state")
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// `Err(429)` with the seconds to wait when `key` is over its quota.
    pub fn check<K>(&self, limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), ApiError>
    where
        K: Clone + std::hash::Hash + Eq,
    {
        if !self.enabled {
            return Ok(());
        }
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::RateLimited {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }

    /// Drop state of keys that are back to full quota (called periodically).
    pub fn prune(&self) {
        self.login_ip.retain_recent();
        self.login_email.retain_recent();
        self.register_ip.retain_recent();
    }
}
