//! Per-client rate limiting: a token bucket per address, in memory.
//!
//! Each client may send `per_minute` requests in a burst, then one every
//! `60 / per_minute` seconds. IPv6 clients are counted per /64 (one
//! subscriber's network), IPv4 per address; requests without a known
//! address share one bucket. The buckets live in the process: under Lambda
//! each warm instance counts on its own, so the limit holds per instance
//! (put API Gateway's throttling in front for a global one).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Buckets kept before idle (full) ones are forgotten.
const MAX_TRACKED: usize = 10_000;

pub(super) struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<Option<IpAddr>, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// `per_minute` = 0 lets everything through.
    pub(super) fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for this client: `Ok` to go on, or `Err(seconds)` to wait.
    pub(super) fn check(&self, client: Option<IpAddr>) -> Result<(), u64> {
        self.check_at(client, Instant::now())
    }

    fn check_at(&self, client: Option<IpAddr>, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let key = client.map(bucket_key);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(&key) {
            // Forget clients whose bucket has refilled: they lose nothing.
            buckets.retain(|_, bucket| {
                bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * per_second
                    < capacity
            });
            if buckets.len() >= MAX_TRACKED {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil() as u64)
        }
    }
}

/// IPv4 as is (and IPv4-mapped IPv6 as IPv4); IPv6 by its /64.
fn bucket_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_then_one_per_interval() {
        let limiter = RateLimiter::new(6);
        let ip = Some("203.0.113.7".parse().unwrap());
        let start = Instant::now();
        for _ in 0..6 {
            assert!(limiter.check_at(ip, start).is_ok());
        }
        assert_eq!(limiter.check_at(ip, start), Err(10));
        // Another client has its own bucket.
        assert!(limiter
            .check_at(Some("203.0.113.8".parse().unwrap()), start)
            .is_ok());
        // One token back every ten seconds.
        assert!(limiter
            .check_at(ip, start + Duration::from_secs(10))
            .is_ok());
        assert!(limiter
            .check_at(ip, start + Duration::from_secs(10))
            .is_err());
    }

    #[test]
    fn ipv6_counts_per_64_and_zero_is_off() {
        let limiter = RateLimiter::new(1);
        let now = Instant::now();
        assert!(limiter
            .check_at(Some("2001:db8::1".parse().unwrap()), now)
            .is_ok());
        assert!(limiter
            .check_at(Some("2001:db8::2".parse().unwrap()), now)
            .is_err());
        assert!(limiter
            .check_at(Some("2001:db8:0:1::2".parse().unwrap()), now)
            .is_ok());
        let off = RateLimiter::new(0);
        for _ in 0..1000 {
            assert!(off.check_at(None, now).is_ok());
        }
    }
}
