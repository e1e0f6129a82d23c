//! Proactive rate limiting: whether generated clients wait for budget by default, which
//! response headers carry it, and each operation's major parameters (`codegen.toml`
//! `[rate_limit]`, see `config.rs`).
//!
//! On by default when the responses declare a remaining-budget header and a reset header (the
//! limiter needs both to know when to wait and until when). Header names are found by their
//! usual spellings; `[rate_limit.headers]` overrides any of them. `Retry-After` is HTTP's own
//! and always read.

use crate::config::{RateLimitConfig, RateLimitHeaderNames};
use crate::ir::{Api, ParamLocation, PathPart, RateLimitInfo};
use std::collections::BTreeSet;

/// Usual spellings per role, lowercase. The IETF draft's `RateLimit-Reset` is seconds from now,
/// GitHub's and Discord's `X-RateLimit-Reset` a Unix time; GitHub names its bucket
/// `X-RateLimit-Resource`.
const LIMIT: &[&str] = &["x-ratelimit-limit", "ratelimit-limit", "x-rate-limit-limit"];
const REMAINING: &[&str] = &[
    "x-ratelimit-remaining",
    "ratelimit-remaining",
    "x-rate-limit-remaining",
];
const RESET: &[&str] = &["x-ratelimit-reset", "x-rate-limit-reset"];
const RESET_AFTER: &[&str] = &["x-ratelimit-reset-after", "ratelimit-reset"];
const BUCKET: &[&str] = &["x-ratelimit-bucket", "x-ratelimit-resource"];
const GLOBAL: &[&str] = &["x-ratelimit-global"];

/// Sets `api.rate_limit` and each operation's `major_params`.
pub(super) fn decide(api: &mut Api, config: &RateLimitConfig) {
    let declared: BTreeSet<String> = api
        .operations
        .iter()
        .flat_map(|op| {
            op.success
                .headers
                .iter()
                .chain(op.errors.iter().flat_map(|e| &e.headers))
        })
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let find = |configured: &Option<String>, spellings: &[&str]| {
        configured
            .as_ref()
            .map(|h| h.to_ascii_lowercase())
            .or_else(|| {
                spellings
                    .iter()
                    .find(|s| declared.contains(**s))
                    .map(|s| s.to_string())
            })
    };
    let RateLimitHeaderNames {
        limit,
        remaining,
        reset,
        reset_after,
        bucket,
        global,
        retry_after,
    } = &config.headers;
    let mut info = RateLimitInfo {
        limit: find(limit, LIMIT),
        remaining: find(remaining, REMAINING),
        reset: find(reset, RESET),
        reset_after: find(reset_after, RESET_AFTER),
        bucket: find(bucket, BUCKET),
        global: find(global, GLOBAL),
        retry_after: Some(
            retry_after
                .as_deref()
                .unwrap_or("retry-after")
                .to_ascii_lowercase(),
        ),
        global_limit: config.global.as_ref().map(|g| (g.requests, g.window_ms)),
    };
    let usable = info.remaining.is_some() && (info.reset.is_some() || info.reset_after.is_some());
    let enabled = config.enabled.unwrap_or(usable);
    if !enabled {
        return;
    }
    if !usable {
        // Asked for without the headers in the spec: the usual names, for what is not set.
        let common = |found: &mut Option<String>, name: &str| {
            found.get_or_insert_with(|| name.to_string());
        };
        common(&mut info.limit, LIMIT[0]);
        common(&mut info.remaining, REMAINING[0]);
        common(&mut info.reset, RESET[0]);
        common(&mut info.reset_after, RESET_AFTER[0]);
        common(&mut info.bucket, BUCKET[0]);
        common(&mut info.global, GLOBAL[0]);
    }
    api.rate_limit = Some(info);
    for op in &mut api.operations {
        let mut major = Vec::new();
        for part in &op.path_parts {
            if let PathPart::Param(i) = part {
                let p = &op.params[*i];
                if p.location == ParamLocation::Path
                    && config.major_params.contains(&p.name)
                    && !major.contains(i)
                {
                    major.push(*i);
                }
            }
        }
        op.major_params = major;
    }
}
