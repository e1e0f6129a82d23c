//! The [`RetryPolicy`] and the send loop: attempts, retries and waits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use tracing::Instrument as _;

use super::*;

/// When and how long to retry failed requests.
///
/// * 429 responses are retried (any method) after the server's `Retry-After` header, else the
///   JSON body field `retry_after`, else `X-RateLimit-Reset-After`, else the exponential
///   backoff. A server-requested wait above [`max_wait`](Self::max_wait) is not waited for:
///   the 429 is returned as [`Error::Api`].
/// * 502, 503 and 504 responses are retried for idempotent methods (GET, HEAD, PUT, DELETE,
///   OPTIONS, TRACE) with exponential backoff (`base_backoff * 2^attempt` plus jitter, capped by
///   `max_wait`), or after `Retry-After` if the server sent one.
/// * Connection failures (the request never reached the server) are retried for every method;
///   other transport failures and timeouts only for idempotent methods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times a request may be retried (so at most `max_retries + 1` attempts).
    pub max_retries: u32,
    /// The longest single wait between two attempts.
    pub max_wait: Duration,
    /// Retry 429 Too Many Requests.
    pub retry_rate_limited: bool,
    /// Retry 502/503/504 for idempotent methods.
    pub retry_server_errors: bool,
    /// Retry connection failures and transport errors (see the type's documentation).
    pub retry_connection_errors: bool,
    /// Base of the exponential backoff.
    pub base_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries, 60 s maximum wait, every kind of retry enabled, 250 ms base backoff.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            max_wait: Duration::from_secs(60),
            retry_rate_limited: true,
            retry_server_errors: true,
            retry_connection_errors: true,
            base_backoff: Duration::from_millis(250),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            max_wait: Duration::ZERO,
            retry_rate_limited: false,
            retry_server_errors: false,
            retry_connection_errors: false,
            base_backoff: Duration::ZERO,
        }
    }

    /// The backoff before retry number `attempt + 1` (`attempt` starts at 0): `base * 2^attempt`
    /// plus up to 50 % jitter, capped by `max_wait`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX);
        let exp = self.base_backoff.saturating_mul(factor);
        let half_ms = u64::try_from(exp.as_millis() / 2).unwrap_or(u64::MAX);
        let jitter = if half_ms == 0 {
            Duration::ZERO
        } else {
            Duration::from_millis(next_random() % (half_ms + 1))
        };
        exp.saturating_add(jitter).min(self.max_wait)
    }
}

/// Cheap xorshift64* generator seeded by the clock, for backoff jitter only.
fn next_random() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x2545_F491_4F6C_DD1D);
    let mut x = STATE
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(nanos)
        | 1;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

pub(super) fn is_idempotent(method: &Method) -> bool {
    *method == Method::GET
        || *method == Method::HEAD
        || *method == Method::PUT
        || *method == Method::DELETE
        || *method == Method::OPTIONS
        || *method == Method::TRACE
}

/// A retry about to happen, as [`ClientBuilder::on_retry`] sees it.
#[derive(Debug)]
#[non_exhaustive]
pub struct RetryEvent<'a> {
    /// The request's method.
    pub method: &'a Method,
    /// The operation's path template, e.g. `"/channels/{channel_id}"`.
    pub path: &'static str,
    /// The attempt that failed, from 1; the retry is attempt `attempt + 1`.
    pub attempt: u32,
    /// Why it failed.
    pub cause: RetryCause<'a>,
    /// How long the client waits before the retry.
    pub delay: Duration,
}

/// Why an attempt is retried ([`RetryEvent::cause`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum RetryCause<'a> {
    /// The server answered with this status (429, 502, 503, 504) and these rate-limit details.
    Status(StatusCode, &'a RateLimit),
    /// The request failed on the way (connection, timeout of the attempt, I/O).
    Transport(&'a reqwest::Error),
}

impl Client {
    /// Sends the request with retries; returns the 2xx response with its body read, or the
    /// error (non-2xx responses decoded through `errors`). The whole call, waits included,
    /// keeps to the call's deadline ([`ClientBuilder::timeout`], [`RequestSpec::timeout`]).
    pub(super) async fn send<E>(
        &self,
        req: RequestSpec,
        errors: ErrorDecoders<E>,
        default_accept: &'static str,
    ) -> Result<RawResponse, Error<E>> {
        let timeout = req.timeout.or(self.inner.timeout);
        let deadline = timeout.map(|t| Instant::now() + t);
        let prepared = self.prepare(req, default_accept).map_err(Error::cast)?;
        let sending = self.send_prepared(&prepared, errors, deadline);
        match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), sending)
                .await
                .unwrap_or(Err(Error::Timeout)),
            None => sending.await,
        }
    }

    async fn send_prepared<E>(
        &self,
        prepared: &PreparedRequest,
        errors: ErrorDecoders<E>,
        deadline: Option<Instant>,
    ) -> Result<RawResponse, Error<E>> {
        let policy = &self.inner.retry;
        let names = &self.inner.rate_limit_headers;
        let mut attempt: u32 = 0;
        loop {
            let span = tracing::info_span!(
                "request",
                method = %prepared.method,
                path = prepared.path_template,
                attempt
            );
            let mut pending = None;
            if let Some(limiter) = &self.inner.limiter {
                let acquired = limiter
                    .acquire(&prepared.bucket, deadline)
                    .instrument(span.clone())
                    .await;
                if let Err(limited) = acquired {
                    return Err(Error::RateLimited(limited));
                }
                pending = Some(Pending {
                    limiter: &**limiter,
                    key: &prepared.bucket,
                });
            }
            let outcome = self
                .attempt(prepared, deadline)
                .instrument(span.clone())
                .await;
            if let (Some(pending), Ok(raw)) = (pending, &outcome) {
                let info = if raw.status.is_success() {
                    RateLimit::read(&raw.headers, names)
                } else {
                    rate_limit_with_body(&raw.headers, names, &raw.body)
                };
                pending.answered(raw.status, &info);
            }
            let can_retry = attempt < policy.max_retries;
            // A wait that would end past the deadline is not begun: the call fails now.
            let in_time = |wait: Duration| deadline.is_none_or(|d| Instant::now() + wait < d);
            match outcome {
                Ok(raw) if raw.status.is_success() => return Ok(raw),
                Ok(raw) => {
                    let rate_limit = rate_limit_with_body(&raw.headers, names, &raw.body);
                    let wait = retry_wait_for_status(
                        policy,
                        &prepared.method,
                        raw.status,
                        &rate_limit,
                        attempt,
                    );
                    if let Some(wait) = wait.filter(|w| can_retry && in_time(*w)) {
                        span.in_scope(|| {
                            tracing::debug!(
                                status = raw.status.as_u16(),
                                wait_ms = wait.as_millis() as u64,
                                "retrying after error status"
                            )
                        });
                        self.before_retry(
                            prepared,
                            attempt,
                            RetryCause::Status(raw.status, &rate_limit),
                            wait,
                        );
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(Error::Api(Box::new(ApiError {
                        body: decode_error_body(errors, raw.status, &raw.body),
                        status: raw.status,
                        headers: raw.headers,
                        rate_limit,
                        raw: raw.body,
                    })));
                }
                Err(err) => {
                    let retryable = policy.retry_connection_errors
                        && (err.is_connect() || is_idempotent(&prepared.method));
                    let wait = policy.backoff(attempt);
                    if can_retry && retryable && in_time(wait) {
                        span.in_scope(|| {
                            tracing::debug!(
                                timeout = err.is_timeout(),
                                connect = err.is_connect(),
                                wait_ms = wait.as_millis() as u64,
                                "retrying after transport error"
                            )
                        });
                        self.before_retry(prepared, attempt, RetryCause::Transport(&err), wait);
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(transport_error(err, prepared.hide_url));
                }
            }
        }
    }

    /// Tells the [`ClientBuilder::on_retry`] hook, if any.
    fn before_retry(
        &self,
        prepared: &PreparedRequest,
        attempt: u32,
        cause: RetryCause<'_>,
        delay: Duration,
    ) {
        if let Some(hook) = &self.inner.on_retry {
            hook(&RetryEvent {
                method: &prepared.method,
                path: prepared.path_template,
                attempt: attempt + 1,
                cause,
                delay,
            });
        }
    }

    /// One attempt: send and read the whole body.
    async fn attempt(
        &self,
        prepared: &PreparedRequest,
        deadline: Option<Instant>,
    ) -> Result<RawResponse, reqwest::Error> {
        let mut builder = self
            .inner
            .http
            .request(prepared.method.clone(), prepared.url.clone())
            .headers(prepared.headers.clone());
        // reqwest's own timeout makes a late attempt a retryable transport error (the call's
        // deadline is kept by `send` around the whole loop).
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let timeout = match (self.inner.attempt_timeout, left) {
            (Some(a), Some(l)) => Some(a.min(l)),
            (a, l) => a.or(l),
        };
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        builder = match &prepared.body {
            PreparedBody::Empty => builder,
            PreparedBody::Bytes(data) => builder.body(data.clone()),
            PreparedBody::Multipart(multipart) => builder.multipart(multipart.to_form()),
        };
        tracing::debug!("sending request");
        let response = builder.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        tracing::debug!(status = status.as_u16(), "response received");
        let body = response.bytes().await?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

/// A request the rate limiter let go: told its response, or on drop that it got none.
pub(super) struct Pending<'a> {
    pub(super) limiter: &'a dyn RateLimiter,
    pub(super) key: &'a BucketKey,
}

impl Pending<'_> {
    pub(super) fn answered(self, status: StatusCode, info: &RateLimit) {
        self.limiter.update(self.key, status, info);
        std::mem::forget(self);
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.limiter.no_response(self.key);
    }
}

pub(super) struct RawResponse {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: bytes::Bytes,
}

/// How long to wait before retrying a non-2xx response, or `None` to not retry.
pub(super) fn retry_wait_for_status(
    policy: &RetryPolicy,
    method: &Method,
    status: StatusCode,
    rate_limit: &RateLimit,
    attempt: u32,
) -> Option<Duration> {
    let requested = rate_limit
        .retry_after
        .or_else(|| rate_limit.reset_after.and_then(seconds));
    match status.as_u16() {
        429 if policy.retry_rate_limited => match requested {
            Some(wait) if wait > policy.max_wait => None,
            Some(wait) => Some(wait),
            None => Some(policy.backoff(attempt)),
        },
        502..=504 if policy.retry_server_errors && is_idempotent(method) => {
            match rate_limit.retry_after {
                Some(wait) if wait > policy.max_wait => None,
                Some(wait) => Some(wait),
                None => Some(policy.backoff(attempt)),
            }
        }
        _ => None,
    }
}
