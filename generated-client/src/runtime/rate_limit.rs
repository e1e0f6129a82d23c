//! Rate-limit information read from response headers and error bodies.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

/// Which response headers carry rate-limit information: the API description's names, else
/// [`RateLimitHeaders::COMMON`]. Names are lowercase; `None` is a header the API does not send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitHeaders {
    /// Requests allowed per window.
    pub limit: Option<&'static str>,
    /// Requests left in the window.
    pub remaining: Option<&'static str>,
    /// When the window resets, as Unix time in seconds.
    pub reset: Option<&'static str>,
    /// Seconds until the window resets.
    pub reset_after: Option<&'static str>,
    /// The server's name of the bucket (routes with the same name share one budget).
    pub bucket: Option<&'static str>,
    /// `true` when the limit hit is the global one.
    pub global: Option<&'static str>,
    /// Seconds to wait before retrying (HTTP `Retry-After`).
    pub retry_after: Option<&'static str>,
}

impl RateLimitHeaders {
    /// The de-facto `X-RateLimit-*` names (`-Limit`, `-Remaining`, `-Reset` as Unix time,
    /// `-Reset-After`, `-Bucket`, `-Global`) and `Retry-After`: used where the API description
    /// names none.
    pub const COMMON: RateLimitHeaders = RateLimitHeaders {
        limit: Some("x-ratelimit-limit"),
        remaining: Some("x-ratelimit-remaining"),
        reset: Some("x-ratelimit-reset"),
        reset_after: Some("x-ratelimit-reset-after"),
        bucket: Some("x-ratelimit-bucket"),
        global: Some("x-ratelimit-global"),
        retry_after: Some("retry-after"),
    };

    /// No header at all (start here and set the names an API sends).
    pub const NONE: RateLimitHeaders = RateLimitHeaders {
        limit: None,
        remaining: None,
        reset: None,
        reset_after: None,
        bucket: None,
        global: None,
        retry_after: None,
    };
}

impl Default for RateLimitHeaders {
    fn default() -> Self {
        RateLimitHeaders::COMMON
    }
}

/// Rate-limit information of a response.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateLimit {
    /// Requests allowed per window (`X-RateLimit-Limit`, or the name [`RateLimitHeaders`]
    /// says; likewise below).
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`: when the window resets (Unix time, seconds).
    pub reset: Option<f64>,
    /// `X-RateLimit-Reset-After`: seconds until the window resets.
    pub reset_after: Option<f64>,
    /// How long to wait before retrying: the `Retry-After` header (seconds), or the JSON body's
    /// `retry_after` field of an error response.
    pub retry_after: Option<Duration>,
    /// `X-RateLimit-Bucket`: the rate-limit bucket.
    pub bucket: Option<String>,
    /// `X-RateLimit-Global` (or the error body's `global`): the global limit was hit.
    pub global: bool,
}

impl RateLimit {
    /// Reads the [`RateLimitHeaders::COMMON`] headers. `Retry-After` is understood in seconds
    /// (fractions allowed); the HTTP-date form is ignored.
    pub fn from_headers(headers: &HeaderMap) -> RateLimit {
        RateLimit::read(headers, &RateLimitHeaders::COMMON)
    }

    /// Reads the rate-limit headers with these names.
    pub fn read(headers: &HeaderMap, names: &RateLimitHeaders) -> RateLimit {
        let text = |name: Option<&str>| {
            headers
                .get(name?)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let float = |name: Option<&str>| {
            text(name)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
        };
        RateLimit {
            limit: text(names.limit).and_then(|v| v.parse().ok()),
            remaining: text(names.remaining).and_then(|v| v.parse().ok()),
            reset: float(names.reset),
            reset_after: float(names.reset_after),
            retry_after: float(names.retry_after).and_then(seconds),
            bucket: text(names.bucket).map(str::to_owned),
            global: text(names.global).is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1"),
        }
    }

    /// How long until the window resets: `reset_after`, else `reset` against this machine's
    /// clock (so clock skew shifts it).
    pub fn reset_in(&self) -> Option<Duration> {
        self.reset_after.and_then(seconds).or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_secs_f64();
            self.reset.and_then(|reset| seconds((reset - now).max(0.0)))
        })
    }

    /// Whether there is no rate-limit information at all.
    pub fn is_empty(&self) -> bool {
        *self == RateLimit::default()
    }
}

pub(super) fn seconds(value: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(value).ok()
}

/// Rate-limit headers, completed by `retry_after` / `global` from a JSON error body.
pub(super) fn rate_limit_with_body(
    headers: &HeaderMap,
    names: &RateLimitHeaders,
    body: &[u8],
) -> RateLimit {
    let mut rate_limit = RateLimit::read(headers, names);
    if rate_limit.retry_after.is_none() || !rate_limit.global {
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
            if rate_limit.retry_after.is_none() {
                rate_limit.retry_after = map
                    .get("retry_after")
                    .and_then(Value::as_f64)
                    .and_then(seconds);
            }
            if map.get("global").and_then(Value::as_bool) == Some(true) {
                rate_limit.global = true;
            }
        }
    }
    rate_limit
}
