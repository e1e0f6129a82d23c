//! The [`RetryPolicy`] and the send loop: attempts, retries and waits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

impl Client {
    /// Sends the request with retries; returns the 2xx response with its body read, or the
    /// error (non-2xx responses decoded through `errors`).
    pub(super) async fn send<E>(
        &self,
        req: RequestSpec,
        errors: ErrorDecoders<E>,
        default_accept: &'static str,
    ) -> Result<RawResponse, Error<E>> {
        let prepared = self.prepare(req, default_accept).map_err(Error::cast)?;
        let policy = &self.inner.retry;
        let mut attempt: u32 = 0;
        // Calls have no deadline of their own yet: the rate limiter does not wait longer than
        // the client's timeout, counted from the start of the call.
        let deadline = self
            .inner
            .timeout
            .map(|timeout| std::time::Instant::now() + timeout);
        loop {
            let span = tracing::info_span!(
                "request",
                method = %prepared.method,
                path = prepared.path_template,
                attempt
            );
            if let Some(limiter) = &self.inner.limiter {
                let acquired = limiter
                    .acquire(&prepared.bucket, deadline)
                    .instrument(span.clone())
                    .await;
                if let Err(limited) = acquired {
                    return Err(Error::RateLimited(limited));
                }
            }
            let outcome = self.attempt(&prepared).instrument(span.clone()).await;
            if let (Some(limiter), Ok(raw)) = (&self.inner.limiter, &outcome) {
                let info = if raw.status.is_success() {
                    RateLimit::from_headers(&raw.headers)
                } else {
                    rate_limit_with_body(&raw.headers, &raw.body)
                };
                limiter.update(&prepared.bucket, raw.status, &info);
            }
            let can_retry = attempt < policy.max_retries;
            match outcome {
                Ok(raw) if raw.status.is_success() => return Ok(raw),
                Ok(raw) => {
                    let rate_limit = rate_limit_with_body(&raw.headers, &raw.body);
                    if can_retry {
                        if let Some(wait) = retry_wait_for_status(
                            policy,
                            &prepared.method,
                            raw.status,
                            &rate_limit,
                            attempt,
                        ) {
                            span.in_scope(|| {
                                tracing::debug!(
                                    status = raw.status.as_u16(),
                                    wait_ms = wait.as_millis() as u64,
                                    "retrying after error status"
                                )
                            });
                            tokio::time::sleep(wait).await;
                            attempt += 1;
                            continue;
                        }
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
                    if can_retry && retryable {
                        let wait = policy.backoff(attempt);
                        span.in_scope(|| {
                            tracing::debug!(
                                timeout = err.is_timeout(),
                                connect = err.is_connect(),
                                wait_ms = wait.as_millis() as u64,
                                "retrying after transport error"
                            )
                        });
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(transport_error(err, prepared.hide_url));
                }
            }
        }
    }

    /// One attempt: send and read the whole body.
    async fn attempt(&self, prepared: &PreparedRequest) -> Result<RawResponse, reqwest::Error> {
        let mut builder = self
            .inner
            .http
            .request(prepared.method.clone(), prepared.url.clone())
            .headers(prepared.headers.clone());
        if let Some(timeout) = self.inner.timeout {
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
