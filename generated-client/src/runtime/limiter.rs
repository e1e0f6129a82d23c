//! Proactive rate limiting (issue 19): requests wait for budget *before* they are sent.
//!
//! Off unless the client is built with [`ClientBuilder::rate_limiter`]. The client calls
//! [`RateLimiter::acquire`] before each attempt and [`RateLimiter::update`] after each response;
//! calls have no deadline of their own yet, so the wait is bounded by the client's timeout
//! counted from the start of the call, and a longer wait fails at once with
//! [`Error::RateLimited`] without sending anything.
//!
//! Design: buckets are keyed by method + route template + major-parameter values
//! ([`BucketKey`]); a server-named bucket (`X-RateLimit-Bucket`) maps several routes onto one
//! shared state. Each acquire *reserves a slot* under a short `std` mutex (lock order is FIFO
//! enough for fairness; waiting happens after the lock is released, so different buckets never
//! block each other): budget left → now; none → the window's reset, and the next window's
//! budget is consumed. A slot past the call's deadline is refused without consuming budget.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::*;

/// Which rate-limit bucket a request belongs to before the server names one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BucketKey {
    /// `METHOD /template`.
    pub route: String,
    /// Values of the route's major parameters (those that partition limits), in order.
    pub major: Vec<String>,
}

/// Why a request was not sent: its slot lies beyond its deadline.
#[derive(Clone, Debug)]
pub struct RateLimited {
    /// The bucket (server name, else route) that is exhausted.
    pub bucket: String,
    /// How long the request would have had to wait.
    pub wait: Duration,
}

/// A rate limiter the client consults around each attempt. Implement it to share limits across
/// processes; [`InProcessLimiter`] is the default.
pub trait RateLimiter: fmt::Debug + Send + Sync {
    /// Waits until the request may be sent, or fails if that is later than `deadline`.
    fn acquire<'a>(
        &'a self,
        key: &'a BucketKey,
        deadline: Option<Instant>,
    ) -> BoxFuture<'a, Result<(), RateLimited>>;
    /// Learns from a response (its status and parsed rate-limit headers).
    fn update(&self, key: &BucketKey, status: StatusCode, info: &RateLimit);
}

#[derive(Debug, Default)]
struct Bucket {
    limit: Option<u64>,
    remaining: Option<u64>,
    reset_at: Option<Instant>,
    window: Option<Duration>,
}

impl Bucket {
    /// Reserves the next slot at or after `now`; `None` past `deadline`.
    fn reserve(&mut self, now: Instant, deadline: Option<Instant>) -> Result<Instant, Instant> {
        if let Some(reset) = self.reset_at.filter(|r| *r <= now) {
            let _ = reset;
            self.remaining = self.limit;
            self.reset_at = self.window.map(|w| now + w);
        }
        match (self.remaining, self.reset_at) {
            (Some(0), Some(reset)) => {
                if deadline.is_some_and(|d| d < reset) {
                    return Err(reset);
                }
                // The slot opens the next window and consumes one of its budget.
                self.remaining = self.limit.map(|l| l.saturating_sub(1));
                self.reset_at = self.window.map(|w| reset + w).or(Some(reset));
                Ok(reset)
            }
            (Some(n), _) => {
                self.remaining = Some(n - 1);
                Ok(now)
            }
            (None, _) => Ok(now),
        }
    }
}

/// The in-process limiter: per-bucket budgets learned from response headers plus a global
/// limit set by a global 429.
#[derive(Debug, Default)]
pub struct InProcessLimiter {
    routes: Mutex<HashMap<BucketKey, Arc<Mutex<Bucket>>>>,
    global_until: Mutex<Option<Instant>>,
}

impl InProcessLimiter {
    /// A limiter that knows no buckets yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn bucket(&self, key: &BucketKey) -> Arc<Mutex<Bucket>> {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(routes.entry(key.clone()).or_default())
    }
}

impl RateLimiter for InProcessLimiter {
    fn acquire<'a>(
        &'a self,
        key: &'a BucketKey,
        deadline: Option<Instant>,
    ) -> BoxFuture<'a, Result<(), RateLimited>> {
        Box::pin(async move {
            let now = Instant::now();
            let global = *self.global_until.lock().unwrap_or_else(|e| e.into_inner());
            let bucket = self.bucket(key);
            let slot = bucket
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .reserve(now, deadline);
            let at = match slot {
                Ok(at) => global.map_or(at, |g| g.max(at)),
                Err(at) => {
                    return Err(RateLimited {
                        bucket: key.route.clone(),
                        wait: at - now,
                    })
                }
            };
            if deadline.is_some_and(|d| d < at) {
                return Err(RateLimited {
                    bucket: key.route.clone(),
                    wait: at - now,
                });
            }
            if at > now {
                tracing::debug!(
                    bucket = %key.route,
                    wait_ms = (at - now).as_millis() as u64,
                    "waiting for rate limit"
                );
                tokio::time::sleep_until(at.into()).await;
            }
            Ok(())
        })
    }

    fn update(&self, key: &BucketKey, status: StatusCode, info: &RateLimit) {
        let now = Instant::now();
        if status == StatusCode::TOO_MANY_REQUESTS && info.global {
            let until = now + info.retry_after.unwrap_or(Duration::from_secs(1));
            *self.global_until.lock().unwrap_or_else(|e| e.into_inner()) = Some(until);
            return;
        }
        let bucket = self.bucket(key);
        let mut b = bucket.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(limit) = info.limit {
            b.limit = Some(limit);
        }
        let reset_after = info.reset_after.and_then(seconds).or(info.retry_after);
        if let Some(after) = reset_after {
            let reset = now + after;
            if b.reset_at.is_none_or(|r| reset > r) {
                b.reset_at = Some(reset);
                b.window.get_or_insert(after);
            }
        }
        if let Some(remaining) = info.remaining {
            b.remaining = Some(b.remaining.map_or(remaining, |r| r.min(remaining)));
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            b.remaining = Some(0);
        }
    }
}
