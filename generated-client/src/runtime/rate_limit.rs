//! Rate-limit information read from response headers and error bodies.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

/// Rate-limit information of a response.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateLimit {
    /// `X-RateLimit-Limit`: requests allowed per window.
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
    /// Reads the rate-limit headers. `Retry-After` is understood in seconds (fractions allowed);
    /// the HTTP-date form is ignored.
    pub fn from_headers(headers: &HeaderMap) -> RateLimit {
        fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        }
        fn float(headers: &HeaderMap, name: &str) -> Option<f64> {
            text(headers, name)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
        }
        RateLimit {
            limit: text(headers, "x-ratelimit-limit").and_then(|v| v.parse().ok()),
            remaining: text(headers, "x-ratelimit-remaining").and_then(|v| v.parse().ok()),
            reset: float(headers, "x-ratelimit-reset"),
            reset_after: float(headers, "x-ratelimit-reset-after"),
            retry_after: float(headers, "retry-after").and_then(seconds),
            bucket: text(headers, "x-ratelimit-bucket").map(str::to_owned),
            global: text(headers, "x-ratelimit-global")
                .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1"),
        }
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
pub(super) fn rate_limit_with_body(headers: &HeaderMap, body: &[u8]) -> RateLimit {
    let mut rate_limit = RateLimit::from_headers(headers);
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
