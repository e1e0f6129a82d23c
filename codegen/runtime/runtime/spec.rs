//! What the API description tells the runtime. The generator writes this file for each crate
//! (from the spec and `codegen.toml`'s `[rate_limit]`); this copy stands for an API that
//! declares no rate-limit headers, as the runtime's own tests compile it.

use super::*;

/// The rate-limit headers the API's responses declare. `Some`: clients wait for budget before
/// sending ([`InProcessLimiter`]) unless built with [`ClientBuilder::no_rate_limit`]; `None`:
/// they do not unless given a limiter, and read [`RateLimitHeaders::COMMON`].
pub(super) const RATE_LIMIT_HEADERS: Option<RateLimitHeaders> = None;

/// A global limit the API documents, `(requests, window)`, which clients keep to before any
/// 429 says so (see [`InProcessLimiter::global_limit`]).
pub(super) const GLOBAL_RATE_LIMIT: Option<(u32, std::time::Duration)> = None;
