//! Proactive rate limiting (issue 19): requests wait for budget *before* they are sent.
//!
//! On by default in crates whose API description declares rate-limit headers (the generator
//! writes their names into `runtime/spec.rs`; `codegen.toml`'s `[rate_limit]` overrides them),
//! off otherwise; [`ClientBuilder::rate_limiter`] plugs in another limiter and
//! [`ClientBuilder::no_rate_limit`] turns it off. The client calls [`RateLimiter::acquire`]
//! before each attempt and [`RateLimiter::update`] after each response. The wait is bounded by
//! the call's deadline ([`ClientBuilder::timeout`]): a request whose turn would come later fails
//! at once with [`Error::RateLimited`] and nothing is sent.
//!
//! Which path parameters are major (partition a route's limits) is the generator's choice per
//! operation ([`RequestSpec::major_params`]); by default `channel_id`, `guild_id` and
//! `webhook_id`, as Discord-style APIs partition them. A key finer than the server's buckets
//! would overrun them, so other parameters are not major unless configured.
//!
//! Design: buckets are keyed by method + route template + major-parameter values
//! ([`BucketKey`]); a server-named bucket (`X-RateLimit-Bucket`) maps routes onto one shared
//! state. Requests of one bucket queue on a FIFO (`tokio`) mutex, held only while the head of
//! the queue waits for budget; buckets never block each other. An unknown bucket lets one request
//! through and holds the others until its response says the budget. When a window's reset
//! passes, the budget is the limit again, and the new reset is learned from the new window's
//! responses (one whose reset belongs to the old window does not count): the arrival time plus
//! the reset-after (or the reset's Unix time against this clock), never earlier than the
//! server's reset; the smallest such estimate is kept. Requests still in flight when a window
//! resets, and answers that already belong to the server's next window, count against the new
//! one. A request takes its bucket's slot and the global one at the same moment, just before it
//! is sent, so that no slot is spent in a window the server has already closed. When a request
//! waits, a `tracing` debug event `waited for rate limit` names the bucket (or `global`), the
//! major parameters and the wait in milliseconds.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
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
    /// A request let go by [`acquire`](Self::acquire) got no response (it failed on the way,
    /// timed out or was dropped). The default does nothing.
    fn no_response(&self, key: &BucketKey) {
        let _ = key;
    }
}

/// How long requests wait for the response of a request that will teach the bucket, before one
/// of them goes anyway (that response may never come: the request failed or was dropped).
const LEARN_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
struct Bucket {
    limit: Option<u64>,
    /// `None` until a response said it.
    remaining: Option<u64>,
    /// The current window's reset; `None` until a response of the window said it.
    reset_at: Option<Instant>,
    /// The longest reset-after seen: the window length.
    window: Duration,
    /// When the current window started locally (its reset passed).
    window_start: Option<Instant>,
    /// A request is in flight to teach an unknown bucket.
    probing: bool,
    /// Requests sent and not answered: when a window resets they may still arrive in the
    /// server's next one, so they count against it.
    in_flight: u64,
    /// What responses said of the server's next window while ours has not reset: a request
    /// that arrived after the server's reset counts there. `(reset, remaining)`.
    next: Option<(Instant, u64)>,
}

enum Turn {
    Go,
    WaitUntil(Instant),
    WaitForResponse,
}

/// The limit over all buckets: set by a global 429, and kept to before any 429 when the API
/// documents it ([`InProcessLimiter::global_limit`]).
#[derive(Debug, Default)]
struct Global {
    /// A global 429 said to wait until then.
    until: Option<Instant>,
    /// `(requests, window)`.
    limit: Option<(u32, Duration)>,
    /// The current window: when it opened, how many requests count in it, and how many more
    /// responses come before the opening moves to a response (0: it has moved).
    window: Option<(Instant, u32, u32)>,
    /// Requests sent and not answered (see `Bucket::in_flight`).
    in_flight: u32,
}

impl Global {
    /// `None`: a request may go now, and its slot is taken; else when to look again.
    fn take(&mut self, now: Instant) -> Option<Instant> {
        if let Some(until) = self.until.filter(|u| *u > now) {
            return Some(until);
        }
        if let Some((limit, window)) = self.limit {
            // Fixed windows opened by their first request, as the server counts them. The
            // server opens it when that request arrives, which is before its response does:
            // the window is moved to the response ([`Global::answered`]), plus a small margin.
            // Requests still in flight may arrive in the new window, so they count in it.
            let span = window + GLOBAL_MARGIN;
            // Responses come back about in order: the first answer to a request of this window
            // comes after those in flight when it opened.
            let (start, count, anchored) = match self.window {
                Some(open) if now < open.0 + span => open,
                _ => (now, self.in_flight, self.in_flight + 1),
            };
            if count >= limit {
                self.window = Some((start, count, anchored));
                return Some(start + span);
            }
            self.window = Some((start, count + 1, anchored));
        }
        self.in_flight += 1;
        None
    }

    /// A response (or the end of a request without one) came back at `now`.
    fn answered(&mut self, now: Instant, response: bool) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if let Some((start, count, before)) = self.window {
            self.window = Some(match before {
                1 if response => (start.max(now), count, 0),
                0 | 1 => (start, count, before),
                _ => (start, count, before - 1),
            });
        }
    }
}

/// The margin of the global window (see [`Global::take`]): the window already starts at a
/// response, after the server opened it.
const GLOBAL_MARGIN: Duration = Duration::from_millis(5);

impl Bucket {
    /// Whether a request may go now; [`Bucket::consume`] takes the slot.
    fn check(&mut self, now: Instant) -> Turn {
        if self.reset_at.is_some_and(|reset| reset <= now) {
            let next = self.next.take();
            let budget = match (self.limit, next) {
                (Some(limit), Some((_, left))) => Some(limit.min(left)),
                (limit, _) => limit,
            };
            // Requests still on their way may arrive in the new window.
            self.remaining = budget.map(|b| b.saturating_sub(self.in_flight));
            self.reset_at = next.map(|(reset, _)| reset).filter(|r| *r > now);
            self.window_start = Some(now);
        }
        match (self.remaining, self.reset_at) {
            (Some(0), Some(reset)) => Turn::WaitUntil(reset),
            (Some(0), None) => Turn::WaitForResponse,
            (Some(_), _) => Turn::Go,
            (None, _) if self.probing => Turn::WaitForResponse,
            (None, _) => Turn::Go,
        }
    }

    /// Takes the slot [`Bucket::check`] granted.
    fn consume(&mut self) {
        self.in_flight += 1;
        match self.remaining {
            Some(n) => self.remaining = Some(n.saturating_sub(1)),
            None => self.probing = true,
        }
    }

    fn learn(&mut self, now: Instant, status: StatusCode, info: &RateLimit) {
        self.probing = false;
        self.in_flight = self.in_flight.saturating_sub(1);
        if let Some(limit) = info.limit {
            self.limit = Some(limit);
        }
        let after = info.reset_in().or(info.retry_after);
        let Some(after) = after else {
            if let (None, Some(remaining)) = (self.remaining, info.remaining) {
                self.remaining = Some(remaining);
            }
            return;
        };
        self.window = self.window.max(after);
        let reset = now + after;
        // A late response of the previous window says nothing about this one, but its request,
        // counted against this window when it reset, did not arrive in it: the slot is free.
        if self
            .window_start
            .is_some_and(|start| reset <= start + self.window / 2)
        {
            if let (Some(remaining), Some(limit)) = (self.remaining, self.limit) {
                self.remaining = Some((remaining + 1).min(limit));
            }
            return;
        }
        if self.reset_at.is_some_and(|r| reset > r + self.window / 2) {
            // The server's next window already counts this request; ours has not reset yet.
            let left = info.remaining.or(self.limit).unwrap_or(0);
            self.next = Some(match self.next {
                Some((r, n)) => (r.min(reset), n.min(left)),
                None => (reset, left),
            });
            return;
        }
        // Each estimate is the server's reset plus the response's way back, so never early:
        // the smallest is the closest.
        self.reset_at = Some(self.reset_at.map_or(reset, |r| r.min(reset)));
        if let Some(remaining) = info.remaining {
            self.remaining = Some(self.remaining.map_or(remaining, |r| r.min(remaining)));
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.remaining = Some(0);
        }
    }
}

#[derive(Debug, Default)]
struct Cell {
    /// FIFO queue of the bucket's requests (tokio's mutex is fair).
    queue: tokio::sync::Mutex<()>,
    state: Mutex<Bucket>,
    learned: tokio::sync::Notify,
}

/// The in-process limiter: per-bucket budgets learned from response headers, plus a global
/// limit set by a global 429 or documented ([`InProcessLimiter::global_limit`]).
#[derive(Debug, Default)]
pub struct InProcessLimiter {
    routes: Mutex<HashMap<BucketKey, Arc<Cell>>>,
    /// Server-named buckets (`X-RateLimit-Bucket`): the name in place of the route, with the
    /// major parameters.
    named: Mutex<HashMap<BucketKey, Arc<Cell>>>,
    global: Mutex<Global>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves consistent-enough limiter state.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl InProcessLimiter {
    /// A limiter that knows no buckets yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps to a global limit of `requests` per `window` over all buckets before any 429 says
    /// so (Discord-style APIs allow 50 requests a second). Windows are fixed, each opened by its
    /// first request as such servers count them; a window is taken to start when the first
    /// answer to one of its requests comes back (the server opened it earlier), plus 5 ms. A server that counts over a sliding window may see up
    /// to twice the limit across a window boundary: give it half its limit here.
    pub fn global_limit(mut self, requests: u32, window: Duration) -> Self {
        let global = self.global.get_mut().unwrap_or_else(|e| e.into_inner());
        global.limit = (requests > 0).then_some((requests, window));
        self
    }

    fn cell(&self, key: &BucketKey) -> Arc<Cell> {
        Arc::clone(lock(&self.routes).entry(key.clone()).or_default())
    }

    /// Waits at the head of the bucket's queue until both the bucket and the global limit have
    /// budget, and takes both slots at once (a slot taken early could be spent in a window the
    /// server has already closed).
    async fn take_turn(
        &self,
        key: &BucketKey,
        deadline: Option<Instant>,
    ) -> Result<(), RateLimited> {
        let cell = self.cell(key);
        let _turn = cell.queue.lock().await;
        let start = Instant::now();
        let mut waited_on = None;
        let too_late = |bucket: &str, at: Instant| RateLimited {
            bucket: bucket.to_owned(),
            wait: at.saturating_duration_since(Instant::now()),
        };
        loop {
            let learned = cell.learned.notified();
            tokio::pin!(learned);
            learned.as_mut().enable();
            let now = Instant::now();
            let (turn, global) = {
                let mut state = lock(&cell.state);
                match state.check(now) {
                    Turn::Go => match lock(&self.global).take(now) {
                        None => {
                            state.consume();
                            (Turn::Go, false)
                        }
                        Some(at) => (Turn::WaitUntil(at), true),
                    },
                    turn => (turn, false),
                }
            };
            let bucket = if global { "global" } else { key.route.as_str() };
            match turn {
                Turn::Go => break,
                Turn::WaitUntil(at) => {
                    if deadline.is_some_and(|d| d < at) {
                        return Err(too_late(bucket, at));
                    }
                    waited_on = Some(bucket.to_owned());
                    tokio::time::sleep_until(at.into()).await;
                }
                Turn::WaitForResponse => {
                    let limit = match deadline {
                        Some(d) => d.min(now + LEARN_TIMEOUT),
                        None => now + LEARN_TIMEOUT,
                    };
                    waited_on = Some(bucket.to_owned());
                    if tokio::time::timeout_at(limit.into(), learned)
                        .await
                        .is_err()
                    {
                        if deadline.is_some_and(|d| d <= limit) {
                            return Err(too_late(bucket, Instant::now()));
                        }
                        // No response came (the request failed or was dropped): one more
                        // request goes, and its answer teaches the bucket.
                        let mut state = lock(&cell.state);
                        state.probing = false;
                        if state.reset_at.is_none() {
                            state.remaining = None;
                        }
                    }
                }
            }
        }
        if let Some(bucket) = waited_on {
            tracing::debug!(
                bucket = %bucket,
                major = ?key.major,
                wait_ms = start.elapsed().as_millis() as u64,
                "waited for rate limit"
            );
        }
        Ok(())
    }
}

impl RateLimiter for InProcessLimiter {
    fn acquire<'a>(
        &'a self,
        key: &'a BucketKey,
        deadline: Option<Instant>,
    ) -> BoxFuture<'a, Result<(), RateLimited>> {
        Box::pin(self.take_turn(key, deadline))
    }

    fn update(&self, key: &BucketKey, status: StatusCode, info: &RateLimit) {
        let now = Instant::now();
        let mut cell = self.cell(key);
        if let Some(name) = &info.bucket {
            // Routes the server puts in one bucket share one state from now on.
            let named = Arc::clone(
                lock(&self.named)
                    .entry(BucketKey {
                        route: name.clone(),
                        major: key.major.clone(),
                    })
                    .or_insert_with(|| Arc::clone(&cell)),
            );
            if !Arc::ptr_eq(&named, &cell) {
                lock(&self.routes).insert(key.clone(), Arc::clone(&named));
                // Whoever waits on the old state must look again.
                cell.learned.notify_waiters();
                cell = named;
            }
        }
        if status == StatusCode::TOO_MANY_REQUESTS && info.global {
            let until = now + info.retry_after.unwrap_or(Duration::from_secs(1));
            let mut global = lock(&self.global);
            global.until = Some(global.until.map_or(until, |g| g.max(until)));
            global.answered(now, true);
            drop(global);
            let mut state = lock(&cell.state);
            state.probing = false;
            state.in_flight = state.in_flight.saturating_sub(1);
        } else {
            lock(&self.global).answered(now, true);
            lock(&cell.state).learn(now, status, info);
        }
        cell.learned.notify_waiters();
    }

    fn no_response(&self, key: &BucketKey) {
        let cell = self.cell(key);
        lock(&self.global).answered(Instant::now(), false);
        let mut state = lock(&cell.state);
        state.probing = false;
        state.in_flight = state.in_flight.saturating_sub(1);
        drop(state);
        cell.learned.notify_waiters();
    }
}
