//! What the API description tells the runtime, written by the generator for this crate
//! (from the spec and `codegen.toml`'s `[rate_limit]`).

use super::*;

/// The rate-limit headers the API's responses declare. `Some`: clients wait for budget before
/// sending ([`InProcessLimiter`]) unless built with [`ClientBuilder::no_rate_limit`]; `None`:
/// they do not unless given a limiter, and read [`RateLimitHeaders::COMMON`].
pub(super) const RATE_LIMIT_HEADERS: Option<RateLimitHeaders> = Some(RateLimitHeaders {
    limit: Some("x-ratelimit-limit"),
    remaining: Some("x-ratelimit-remaining"),
    reset: Some("x-ratelimit-reset"),
    reset_after: None,
    bucket: None,
    global: None,
    retry_after: Some("retry-after"),
});

/// A global limit the API documents, `(requests, window)`.
pub(super) const GLOBAL_RATE_LIMIT: Option<(u32, std::time::Duration)> = None;
