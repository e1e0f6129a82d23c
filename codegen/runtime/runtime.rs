//! HTTP runtime shared by every generated SDK crate.
//!
//! This module is copied verbatim into each generated crate as `src/runtime.rs`. Generated
//! operation methods describe a request with a [`RequestSpec`] and return a [`ResponseFuture`]
//! that sends it, as [`Client::execute`] (or [`Client::execute_empty`]) does; operations with a
//! raw-bytes response return [`Client::execute_bytes`] boxed. Each comes with a static table of
//! [`ErrorDecoders`] that turns non-2xx bodies into the crate's error model.
//!
//! The runtime takes care of:
//!
//! * building the URL (base URL + already-encoded path + query string),
//! * choosing and applying credentials for the operation's [`Security`] requirement,
//! * default headers, `User-Agent` (`<crate>/<version>`) and `Accept`,
//! * waiting for rate-limit budget before sending ([`RateLimiter`]),
//! * retries of rate-limited (429), unavailable (502/503/504) and failed connections,
//! * one deadline per call, retries and waits included, and an optional one per attempt,
//! * `tracing` spans and events (never headers or credentials),
//! * decoding success bodies with the JSON path of the first failure ([`DecodeError`]).
//!
//! # How requests are encoded
//!
//! * Query parameters and `application/x-www-form-urlencoded` fields follow their `style` and
//!   `explode` ([`Style`], [`push_styled`]): `form` exploded (the default) and not,
//!   `spaceDelimited`, `pipeDelimited`, and `deepObject` as Stripe and Rails read it
//!   (`metadata[key]=v`, `expand[]=a`, `items[0][price]=x`).
//! * Not supported, and how it is sent instead: `allowReserved` (reserved characters are
//!   percent-encoded, which servers decode the same way); an object or array nested inside a
//!   `form` or delimited value, which OpenAPI leaves undefined (written `k,v,…` / `a,b`);
//!   `label` and `matrix` path styles and non-`simple` header styles (the generator warns;
//!   values are sent `simple`); `contentType` of a form field and per-part `headers` of a
//!   multipart body (warned, ignored). Form and multipart fields go in name order.
//! * `multipart/form-data` ([`Multipart::from_serialize_with`]): one part per array item (the
//!   name repeated), objects as `application/json` parts, files as file parts, and the
//!   media type an `encoding` entry declares; a field whose `encoding` says `style:
//!   deepObject` (Stripe's file upload) as one text part per leaf, `name[key]=value`, as
//!   Stripe reads it (OpenAPI 3.1 applies `style` to multipart fields; 3.0 leaves it to form
//!   bodies, but a spec only writes it on a multipart field to mean this).
//! * Raw bodies carry the media type the description declares, or the one the caller names
//!   when it declares a range (`*/*`, `image/*`).
//! * `Accept` lists the media types the operation declares that the client can take;
//!   responses that may be something other than JSON are returned as bytes.
//! * An operation with its own `servers` is sent there ([`RequestSpec::server`]), unless the
//!   client maps that server elsewhere ([`ClientBuilder::server_url`]) or ignores operation
//!   servers ([`ClientBuilder::operation_servers`]).
//!
//! # Layout
//!
//! This file is the module root; each concern is a child file in `runtime/`, declared with
//! `#[path = "runtime/<name>.rs"]` so that it resolves the same way in a generated crate (where
//! this file is `src/runtime.rs`) and where tests include this file by path. Every public item
//! is re-exported here: the public paths are `runtime::X`, never `runtime::<child>::X`. Children
//! share items with `use super::*;` and items private to the runtime are `pub(super)`.
//!
//! | file | concern |
//! |------|---------|
//! | `client.rs` | [`Client`], [`ClientBuilder`], `execute*` entry points |
//! | `request.rs` | [`RequestSpec`] and preparing it (URL, headers, credentials, body) |
//! | `params.rs` | path, query and form parameter encoding ([`Style`], [`query_push`], …) |
//! | `credentials.rs` | [`SecurityScheme`], [`Credential`], choosing and applying credentials |
//! | `retry.rs` | [`RetryPolicy`] and the send loop (attempts, retries, waits) |
//! | `rate_limit.rs` | [`RateLimit`] information of responses, [`RateLimitHeaders`] |
//! | `spec.rs` | what the API description says (rate-limit headers); written per crate |
//! | `limiter.rs` | proactive rate limiting ([`RateLimiter`], [`InProcessLimiter`]) |
//! | `body.rs` | [`Body`], [`Multipart`], [`FilePart`] |
//! | `response.rs` | [`Response`], error-body decoding ([`ErrorDecoders`], [`StatusMatch`]) |
//! | `error.rs` | [`Error`], [`ApiError`], [`DecodeError`] |
//! | `future.rs` | [`ResponseFuture`], [`BoxFuture`] |
//! | `raw.rs` | raw requests ([`RawRequest`]) |

#[path = "runtime/body.rs"]
mod body;
#[path = "runtime/client.rs"]
mod client;
#[path = "runtime/credentials.rs"]
mod credentials;
#[path = "runtime/error.rs"]
mod error;
#[path = "runtime/future.rs"]
mod future;
#[path = "runtime/limiter.rs"]
mod limiter;
#[path = "runtime/params.rs"]
mod params;
#[path = "runtime/rate_limit.rs"]
mod rate_limit;
#[path = "runtime/raw.rs"]
mod raw;
#[path = "runtime/request.rs"]
mod request;
#[path = "runtime/response.rs"]
mod response;
#[path = "runtime/retry.rs"]
mod retry;
// The one child the generator writes per crate: what the API description tells the runtime.
#[path = "runtime/spec.rs"]
mod spec;
// A JSON body's boolean flag (an operation's `stream`): always, the JSON method sets it too.
#[path = "runtime/flag.rs"]
mod flag;
// Streams (server-sent events, pages): with the `streams` feature, which brings
// `futures_core::Stream`.
#[cfg(feature = "streams")]
#[path = "runtime/paginate.rs"]
mod paginate;
#[cfg(feature = "streams")]
#[path = "runtime/sse.rs"]
pub mod sse;

pub use body::*;
pub use client::*;
pub use credentials::*;
pub use error::*;
pub use future::*;
pub use limiter::*;
#[cfg(feature = "streams")]
pub use paginate::{Cursor, PageSpec, Pages};
pub use params::*;
pub use rate_limit::*;
pub use raw::*;
pub use request::*;
pub use response::*;
pub use retry::*;
#[cfg(feature = "streams")]
pub use sse::{Event, EventStream};
