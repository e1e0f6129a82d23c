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
//! * default headers, `User-Agent` and `Accept`,
//! * retries of rate-limited (429), unavailable (502/503/504) and failed connections,
//! * timeouts, `tracing` spans and events (never headers or credentials),
//! * decoding success bodies with the JSON path of the first failure ([`DecodeError`]).

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, COOKIE, USER_AGENT,
};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tracing::Instrument as _;

// A child module whose file sits in `runtime/` beside this one, both in generated crates
// (`src/runtime.rs`) and where tests include this file by path.
#[path = "runtime/raw.rs"]
mod raw;
pub use raw::{RawRequest, RawRoute, RawRoutes};

// Streams (server-sent events, pages): with the `streams` feature, which brings
// `futures_core::Stream`.
#[cfg(feature = "streams")]
#[path = "runtime/paginate.rs"]
mod paginate;
#[cfg(feature = "streams")]
#[path = "runtime/sse.rs"]
pub mod sse;
#[cfg(feature = "streams")]
pub use paginate::{Cursor, PageSpec, Pages};
#[cfg(feature = "streams")]
pub use sse::{Event, EventStream};

impl RequestSpec {
    /// Sets the boolean property `name` of the JSON body (an operation's `stream` flag), so
    /// that one request type serves the JSON and the streamed form of the operation.
    pub fn set_json_flag(&mut self, name: &str, value: bool) {
        if let Body::Json(data) = &self.body {
            if let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(data) {
                map.insert(name.to_string(), Value::Bool(value));
                if let Ok(data) = serde_json::to_vec(&map) {
                    self.body = Body::Json(data);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Security
// ---------------------------------------------------------------------------------------------

/// One security scheme of the API description (`components.securitySchemes`).
///
/// Generated code declares one `static` per scheme and refers to it from each operation's
/// [`Security`] requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SecurityScheme {
    /// The scheme's name in the API description, e.g. `"botToken"`. Credentials are registered
    /// under this name with [`ClientBuilder::credential`].
    pub name: &'static str,
    /// How the credential is transmitted.
    pub kind: SchemeKind,
}

/// How a [`SecurityScheme`] transmits its credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemeKind {
    /// apiKey in a header; value sent = prefix + token (Fluxer: header "Authorization", prefix
    /// "Bot " / "" / "Admin ").
    ApiKeyHeader {
        /// Header name, e.g. `"Authorization"` or `"X-Api-Key"`.
        header: &'static str,
        /// Text put in front of the token, e.g. `"Bot "`; may be empty.
        prefix: &'static str,
    },
    /// apiKey in the query string: `?param=<token>`.
    ApiKeyQuery {
        /// Query parameter name.
        param: &'static str,
    },
    /// apiKey in a cookie: `Cookie: cookie=<token>`.
    ApiKeyCookie {
        /// Cookie name.
        cookie: &'static str,
    },
    /// http bearer and oauth2/openIdConnect: `Authorization: Bearer <token>`
    Bearer,
    /// http basic: `Authorization: Basic base64(user:pass)`
    Basic,
}

impl SchemeKind {
    /// Whether this kind takes a [`Credential::Basic`] (true) or a [`Credential::Token`].
    pub fn wants_basic(&self) -> bool {
        matches!(self, SchemeKind::Basic)
    }
}

/// A secret string: Debug/Display print "***" (never the token).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// Gives access to the secret value. Do not log the result.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A credential held for one security scheme.
///
/// Its `Debug` output never contains the secret part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A token for apiKey, bearer, oauth2 and openIdConnect schemes.
    Token(Secret),
    /// User name and password for http basic schemes.
    Basic {
        /// User name (sent in clear inside the base64 value).
        username: String,
        /// Password.
        password: Secret,
    },
}

impl Credential {
    /// A [`Credential::Token`].
    pub fn token(token: impl Into<Secret>) -> Self {
        Credential::Token(token.into())
    }

    /// A [`Credential::Basic`].
    pub fn basic(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credential::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// Whether this credential can be used with a scheme of the given kind.
    pub fn fits(&self, kind: &SchemeKind) -> bool {
        matches!(self, Credential::Basic { .. }) == kind.wants_basic()
    }
}

impl From<Secret> for Credential {
    fn from(value: Secret) -> Self {
        Credential::Token(value)
    }
}

/// An operation's security: OR of alternatives, each an AND of schemes. Empty slice = no auth
/// sent.
///
/// An empty alternative (`&[]`) means "anonymous access allowed": nothing is sent when no other
/// alternative can be satisfied.
pub type Security = &'static [&'static [&'static SecurityScheme]];

// ---------------------------------------------------------------------------------------------
// Retry policy
// ---------------------------------------------------------------------------------------------

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

fn is_idempotent(method: &Method) -> bool {
    *method == Method::GET
        || *method == Method::HEAD
        || *method == Method::PUT
        || *method == Method::DELETE
        || *method == Method::OPTIONS
        || *method == Method::TRACE
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

const DEFAULT_USER_AGENT: &str = "openapi-rust-sdk";
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

struct ClientInner {
    http: reqwest::Client,
    base_url: String,
    default_headers: HeaderMap,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    server_urls: Vec<(String, String)>,
    operation_servers: bool,
}

/// The API client: an HTTP connection pool, configuration and credentials.
///
/// Cloning is cheap (reference-counted); clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
    credentials: Arc<HashMap<&'static str, Credential>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut schemes: Vec<&str> = self.credentials.keys().copied().collect();
        schemes.sort_unstable();
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credentials_for", &schemes)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Configures and builds a [`Client`]. Created by [`Client::builder`].
///
/// Defaults: 10 s connect timeout, 60 s whole-request timeout, [`RetryPolicy::default`],
/// `Accept: application/json`.
pub struct ClientBuilder {
    base_url: String,
    credentials: HashMap<&'static str, Credential>,
    user_agent: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    default_headers: Vec<(String, String)>,
    http_client: Option<reqwest::Client>,
    server_urls: Vec<(String, String)>,
    operation_servers: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut schemes: Vec<&str> = self.credentials.keys().copied().collect();
        schemes.sort_unstable();
        let header_names: Vec<&str> = self.default_headers.iter().map(|(n, _)| &**n).collect();
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials_for", &schemes)
            .field("user_agent", &self.user_agent)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("default_headers", &header_names)
            .field("custom_http_client", &self.http_client.is_some())
            .field("server_urls", &self.server_urls)
            .field("operation_servers", &self.operation_servers)
            .finish()
    }
}

impl ClientBuilder {
    /// Overrides the base URL, e.g. `"https://api.example.com/v1"` (a trailing `/` is removed).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Registers a credential for the security scheme with this name (the OpenAPI security
    /// scheme name, e.g. `"botToken"`). Replaces an earlier one for the same scheme.
    pub fn credential(mut self, scheme_name: &'static str, cred: Credential) -> Self {
        self.credentials.insert(scheme_name, cred);
        self
    }

    /// Sets the `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Sets the connect timeout (default 10 s). Ignored when [`http_client`](Self::http_client)
    /// injects a client: configure that client instead.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Sets the whole-request timeout, from connecting until the response body has been read
    /// (default 60 s for the client built here; none for an injected client unless set here).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Adds a header sent with every request (replacing an earlier one of the same name).
    /// Validated by [`build`](Self::build).
    pub fn default_header(mut self, name: &str, value: &str) -> Self {
        self.default_headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.default_headers
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sends the requests of operations that declare their own server `declared` (as the API
    /// description writes it, e.g. an upload host) to `url` instead. Replaces an earlier
    /// mapping of the same server.
    pub fn server_url(mut self, declared: &str, url: impl Into<String>) -> Self {
        let declared = declared.trim_end_matches('/').to_owned();
        self.server_urls.retain(|(d, _)| *d != declared);
        let url = url.into().trim_end_matches('/').to_owned();
        self.server_urls.push((declared, url));
        self
    }

    /// Whether operations that declare their own server are sent there (default `true`);
    /// with `false` every request goes to the base URL (a proxy or a mock server, say).
    pub fn operation_servers(mut self, enabled: bool) -> Self {
        self.operation_servers = enabled;
        self
    }

    /// Uses this `reqwest::Client` instead of building one (its own timeouts, proxies and TLS
    /// settings then apply; [`connect_timeout`](Self::connect_timeout) is ignored).
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.http_client = Some(c);
        self
    }

    /// Builds the client.
    ///
    /// Fails with [`Error::InvalidRequest`] for a base URL that is not an absolute http(s) URL
    /// or an invalid default header / user agent, and with [`Error::Transport`] when the HTTP
    /// client cannot be built. Use [`Error::cast`] to turn the error into another `Error<E>`.
    ///
    /// An `https` base URL also needs a TLS back end: the crate's `rustls-tls` (default) or
    /// `native-tls` feature, or a [`http_client`](Self::http_client) built with its own TLS.
    /// Without one, `build` says so instead of every request failing.
    pub fn build(self) -> Result<Client, Error<Infallible>> {
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        match Url::parse(&base_url) {
            Ok(url) if url.scheme() == "http" || url.scheme() == "https" => {
                #[allow(unexpected_cfgs)]
                let tls = cfg!(any(feature = "native-tls", feature = "rustls-tls"));
                if url.scheme() == "https" && !tls && self.http_client.is_none() {
                    return Err(Error::InvalidRequest(format!(
                        "base URL `{base_url}` needs TLS, and this build has none: enable the \
                         `native-tls` or `rustls-tls` feature, or pass an `http_client`"
                    )));
                }
            }
            _ => {
                return Err(Error::InvalidRequest(format!(
                    "invalid base URL `{base_url}`: expected an absolute http(s) URL"
                )))
            }
        }

        let mut default_headers = HeaderMap::new();
        let ua = self
            .user_agent
            .as_deref()
            .unwrap_or(DEFAULT_USER_AGENT)
            .to_owned();
        let ua = HeaderValue::from_str(&ua)
            .map_err(|_| Error::InvalidRequest("invalid User-Agent value".to_owned()))?;
        default_headers.insert(USER_AGENT, ua);
        for (name, value) in &self.default_headers {
            let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::InvalidRequest(format!("invalid default header name `{name}`"))
            })?;
            let header_value = HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidRequest(format!("invalid value for default header `{name}`"))
            })?;
            default_headers.insert(header_name, header_value);
        }

        let (http, timeout) = match self.http_client {
            Some(http) => (http, self.timeout),
            None => {
                let http = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .build()
                    .map_err(Error::Transport)?;
                (http, Some(self.timeout.unwrap_or(DEFAULT_TIMEOUT)))
            }
        };

        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base_url,
                default_headers,
                timeout,
                retry: self.retry,
                server_urls: self.server_urls,
                operation_servers: self.operation_servers,
            }),
            credentials: Arc::new(self.credentials),
        })
    }
}

impl Client {
    /// Starts configuring a client for the API at `default_base_url`.
    pub fn builder(default_base_url: &str) -> ClientBuilder {
        ClientBuilder {
            base_url: default_base_url.to_owned(),
            credentials: HashMap::new(),
            user_agent: None,
            connect_timeout: None,
            timeout: None,
            retry: RetryPolicy::default(),
            default_headers: Vec::new(),
            http_client: None,
            server_urls: Vec::new(),
            operation_servers: true,
        }
    }

    /// The base URL (without trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Where a request goes: the operation's own server (or what the builder mapped it to),
    /// else the base URL.
    fn server_for(&self, server: Option<&'static str>) -> &str {
        match server {
            Some(declared) if self.inner.operation_servers => self
                .inner
                .server_urls
                .iter()
                .find(|(d, _)| d == declared.trim_end_matches('/'))
                .map_or(declared, |(_, url)| url.as_str()),
            _ => &self.inner.base_url,
        }
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The underlying `reqwest::Client`.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Whether a credential is held for the scheme with this name.
    pub fn has_credential(&self, scheme_name: &str) -> bool {
        self.credentials.contains_key(scheme_name)
    }

    /// A new handle sharing the connection pool and configuration, holding `cred` for
    /// `scheme_name` (added, or replacing the previous one). `self` is left unchanged.
    pub fn with_credential(&self, scheme_name: &'static str, cred: Credential) -> Client {
        let mut credentials = (*self.credentials).clone();
        credentials.insert(scheme_name, cred);
        Client {
            inner: Arc::clone(&self.inner),
            credentials: Arc::new(credentials),
        }
    }

    /// A new handle sharing the connection pool and configuration, without a credential for
    /// `scheme_name`. `self` is left unchanged.
    pub fn without_credential(&self, scheme_name: &str) -> Client {
        let mut credentials = (*self.credentials).clone();
        credentials.remove(scheme_name);
        Client {
            inner: Arc::clone(&self.inner),
            credentials: Arc::new(credentials),
        }
    }

    /// Sends the request and decodes a 2xx JSON body into `T`.
    ///
    /// An empty success body is decoded as JSON `null` (fits `()`, `Option<_>` and
    /// `serde_json::Value`). A body that does not decode gives [`Error::Decode`] with the JSON
    /// path of the failure.
    pub async fn execute<T: DeserializeOwned, E>(
        &self,
        req: RequestSpec,
        errors: ErrorDecoders<E>,
    ) -> Result<Response<T>, Error<E>> {
        self.execute_expecting(req, errors, Expect::Json).await
    }

    /// [`Client::execute`], or with [`Expect::Nothing`] the 2xx body ignored (decoded as if
    /// empty, which fits `()`).
    async fn execute_expecting<T: DeserializeOwned, E>(
        &self,
        req: RequestSpec,
        errors: ErrorDecoders<E>,
        expect: Expect,
    ) -> Result<Response<T>, Error<E>> {
        let raw = self.send(req, errors, "application/json").await?;
        let body = match expect {
            Expect::Json => &raw.body[..],
            Expect::Nothing => &[],
        };
        let body = decode_json::<T>(body).map_err(|(path, message)| {
            Error::Decode(Box::new(DecodeError {
                status: raw.status,
                headers: raw.headers.clone(),
                path,
                message,
                raw: raw.body.clone(),
            }))
        })?;
        Ok(Response::new(raw.status, raw.headers, body))
    }

    /// Sends the request; a 2xx body, if any, is ignored.
    pub async fn execute_empty<E>(
        &self,
        req: RequestSpec,
        errors: ErrorDecoders<E>,
    ) -> Result<Response<()>, Error<E>> {
        self.execute_expecting(req, errors, Expect::Nothing).await
    }

    /// Sends the request and returns the 2xx body as raw bytes (octet-stream, text, unknown media
    /// types). Unless the request sets `Accept`, `Accept: */*` is sent.
    pub async fn execute_bytes<E>(
        &self,
        req: RequestSpec,
        errors: ErrorDecoders<E>,
    ) -> Result<Response<bytes::Bytes>, Error<E>> {
        let raw = self.send(req, errors, "*/*").await?;
        Ok(Response::new(raw.status, raw.headers, raw.body))
    }

    /// Sends the request with retries; returns the 2xx response with its body read, or the
    /// error (non-2xx responses decoded through `errors`).
    async fn send<E>(
        &self,
        req: RequestSpec,
        errors: ErrorDecoders<E>,
        default_accept: &'static str,
    ) -> Result<RawResponse, Error<E>> {
        let prepared = self.prepare(req, default_accept).map_err(Error::cast)?;
        let policy = &self.inner.retry;
        let mut attempt: u32 = 0;
        loop {
            let span = tracing::info_span!(
                "request",
                method = %prepared.method,
                path = prepared.path_template,
                attempt
            );
            let outcome = self.attempt(&prepared).instrument(span.clone()).await;
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

    /// Builds URL, headers, credentials and body once; reused by every attempt.
    fn prepare(
        &self,
        req: RequestSpec,
        default_accept: &'static str,
    ) -> Result<PreparedRequest, Error<Infallible>> {
        let RequestSpec {
            method,
            path_template,
            path,
            mut query,
            headers: spec_headers,
            extra_headers,
            body,
            security,
            auth_override,
            accept,
            server,
            invalid_body,
        } = req;
        if let Some(message) = invalid_body {
            return Err(Error::InvalidRequest(message));
        }
        if let Some(segment) = path.split(['/', '?']).find(|s| is_dot_segment(s)) {
            // URL parsers drop `.` and resolve `..` (also as `%2e`): the request would go to
            // another resource than the one named, so it is not sent.
            return Err(Error::InvalidRequest(format!(
                "a path parameter of `{path_template}` is `{segment}`, which would change the URL's path"
            )));
        }

        let mut headers = self.inner.default_headers.clone();
        let mut replaced: Vec<HeaderName> = Vec::new();
        for (name, value) in spec_headers {
            let header_name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::InvalidRequest(format!("invalid header name `{name}`")))?;
            let header_value = HeaderValue::from_str(&value)
                .map_err(|_| Error::InvalidRequest(format!("invalid value for header `{name}`")))?;
            if replaced.contains(&header_name) {
                headers.append(header_name, header_value);
            } else {
                headers.insert(header_name.clone(), header_value);
                replaced.push(header_name);
            }
        }
        let mut extra_seen: Vec<HeaderName> = Vec::new();
        for (name, value) in &extra_headers {
            if extra_seen.contains(name) {
                headers.append(name.clone(), value.clone());
            } else {
                headers.insert(name.clone(), value.clone());
                extra_seen.push(name.clone());
            }
        }
        if !headers.contains_key(ACCEPT) {
            let accept = accept.unwrap_or(default_accept);
            let value = HeaderValue::from_str(accept)
                .map_err(|_| Error::InvalidRequest(format!("invalid Accept value `{accept}`")))?;
            headers.insert(ACCEPT, value);
        }

        let body = match body {
            Body::Empty => PreparedBody::Empty,
            Body::Json(data) => {
                set_content_type(&mut headers, "application/json");
                PreparedBody::Bytes(bytes::Bytes::from(data))
            }
            Body::Form(pairs) => {
                set_content_type(&mut headers, "application/x-www-form-urlencoded");
                PreparedBody::Bytes(bytes::Bytes::from(form_urlencode(&pairs)))
            }
            Body::Bytes { content_type, data } => {
                if !headers.contains_key(CONTENT_TYPE) {
                    let value = HeaderValue::from_str(&content_type).map_err(|_| {
                        Error::InvalidRequest(format!("invalid content type `{content_type}`"))
                    })?;
                    headers.insert(CONTENT_TYPE, value);
                }
                PreparedBody::Bytes(data)
            }
            Body::Multipart(multipart) => {
                // reqwest sets `multipart/form-data; boundary=...` itself.
                headers.remove(CONTENT_TYPE);
                multipart.validate()?;
                PreparedBody::Multipart(multipart)
            }
        };

        let chosen = choose_credentials(security, &self.credentials, auth_override.as_ref())?;
        let mut hide_url = false;
        for (scheme, credential) in &chosen {
            apply_credential(scheme, credential, &mut headers, &mut query)?;
            hide_url |= matches!(scheme.kind, SchemeKind::ApiKeyQuery { .. });
        }

        let base = self.server_for(server);
        let mut url = String::with_capacity(base.len() + path.len() + 16);
        url.push_str(base);
        if !path.is_empty() && !path.starts_with('/') && !path.starts_with('?') {
            url.push('/');
        }
        url.push_str(&path);
        if !query.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&encode_query(&query));
        }
        let url = Url::parse(&url).map_err(|e| {
            Error::InvalidRequest(format!("invalid request URL for `{path_template}`: {e}"))
        })?;

        Ok(PreparedRequest {
            method,
            path_template,
            url,
            headers,
            body,
            hide_url,
        })
    }
}

struct PreparedRequest {
    method: Method,
    path_template: &'static str,
    url: Url,
    headers: HeaderMap,
    body: PreparedBody,
    /// The URL carries a credential (apiKey in query): keep it out of errors.
    hide_url: bool,
}

enum PreparedBody {
    Empty,
    Bytes(bytes::Bytes),
    Multipart(Multipart),
}

struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: bytes::Bytes,
}

/// `.` or `..`, also percent-encoded (`%2e`, `.%2E`, …): a segment URL parsers remove.
fn is_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    let dots = lower.replace("%2e", ".");
    (dots == "." || dots == "..") && !segment.is_empty()
}

fn set_content_type(headers: &mut HeaderMap, value: &'static str) {
    if !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
    }
}

fn transport_error<E>(err: reqwest::Error, hide_url: bool) -> Error<E> {
    if err.is_timeout() {
        Error::Timeout
    } else if hide_url {
        Error::Transport(err.without_url())
    } else {
        Error::Transport(err)
    }
}

/// Picks the credentials to send for `security` (see [`Security`] and [`RequestSpec`]).
fn choose_credentials<'a>(
    security: Security,
    held: &'a HashMap<&'static str, Credential>,
    auth_override: Option<&'a Credential>,
) -> Result<Vec<(&'static SecurityScheme, &'a Credential)>, Error<Infallible>> {
    if security.is_empty() {
        return Ok(Vec::new());
    }
    let holds =
        |scheme: &SecurityScheme| held.get(scheme.name).filter(|cred| cred.fits(&scheme.kind));
    let from_client = |schemes: &[&'static SecurityScheme]| {
        schemes
            .iter()
            .map(|scheme| holds(scheme).map(|cred| (*scheme, cred)))
            .collect::<Option<Vec<_>>>()
    };

    if let Some(cred) = auth_override {
        // The override stands for the first scheme of the chosen alternative.
        for alternative in security.iter().filter(|alt| !alt.is_empty()) {
            if cred.fits(&alternative[0].kind) {
                if let Some(mut rest) = from_client(&alternative[1..]) {
                    rest.insert(0, (alternative[0], cred));
                    return Ok(rest);
                }
            }
        }
        if let Some(alternative) = security.iter().find(|alt| !alt.is_empty()) {
            let first = alternative[0];
            if !cred.fits(&first.kind) {
                return Err(Error::InvalidRequest(format!(
                    "the override credential does not fit security scheme `{}`",
                    first.name
                )));
            }
            let mut chosen = vec![(first, cred)];
            chosen.extend(
                alternative[1..]
                    .iter()
                    .filter_map(|scheme| holds(scheme).map(|c| (*scheme, c))),
            );
            return Ok(chosen);
        }
        return Ok(Vec::new());
    }

    for alternative in security.iter().filter(|alt| !alt.is_empty()) {
        if let Some(chosen) = from_client(alternative) {
            return Ok(chosen);
        }
    }
    if security.iter().any(|alt| alt.is_empty()) {
        return Ok(Vec::new());
    }
    let mut names: Vec<&str> = Vec::new();
    for scheme in security.iter().flat_map(|alt| alt.iter()) {
        if !names.contains(&scheme.name) {
            names.push(scheme.name);
        }
    }
    Err(Error::InvalidRequest(format!(
        "no credentials for any of: {}",
        names.join(", ")
    )))
}

fn secret_header(value: &str) -> Result<HeaderValue, Error<Infallible>> {
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        Error::InvalidRequest("credential contains characters not allowed in a header".to_owned())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

fn apply_credential(
    scheme: &SecurityScheme,
    credential: &Credential,
    headers: &mut HeaderMap,
    query: &mut Vec<(String, String)>,
) -> Result<(), Error<Infallible>> {
    let token = match credential {
        Credential::Token(token) => token.expose(),
        Credential::Basic { .. } => "",
    };
    match scheme.kind {
        SchemeKind::ApiKeyHeader { header, prefix } => {
            let name = HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
                Error::InvalidRequest(format!(
                    "invalid header name `{header}` for `{}`",
                    scheme.name
                ))
            })?;
            if name == AUTHORIZATION && is_auth_set(headers) {
                return Ok(());
            }
            headers.insert(name, secret_header(&format!("{prefix}{token}"))?);
        }
        SchemeKind::Bearer => {
            if !is_auth_set(headers) {
                headers.insert(AUTHORIZATION, secret_header(&format!("Bearer {token}"))?);
            }
        }
        SchemeKind::Basic => {
            if let Credential::Basic { username, password } = credential {
                if !is_auth_set(headers) {
                    let encoded = base64::engine::general_purpose::STANDARD
                        .encode(format!("{username}:{}", password.expose()));
                    headers.insert(AUTHORIZATION, secret_header(&format!("Basic {encoded}"))?);
                }
            }
        }
        SchemeKind::ApiKeyQuery { param } => {
            query.retain(|(name, _)| name != param);
            query.push((param.to_owned(), token.to_owned()));
        }
        SchemeKind::ApiKeyCookie { cookie } => {
            let pair = format!("{cookie}={token}");
            let value = match headers.get(COOKIE).and_then(|v| v.to_str().ok()) {
                Some(existing) if !existing.is_empty() => format!("{existing}; {pair}"),
                _ => pair,
            };
            headers.insert(COOKIE, secret_header(&value)?);
        }
    }
    Ok(())
}

/// Authorization counts as set once a credential put it there (marked sensitive); a plain
/// default header `Authorization` is replaced by the operation's credential.
fn is_auth_set(headers: &HeaderMap) -> bool {
    headers
        .get(AUTHORIZATION)
        .is_some_and(HeaderValue::is_sensitive)
}

// ---------------------------------------------------------------------------------------------
// Operation futures
// ---------------------------------------------------------------------------------------------

/// A boxed `Send` future: what a [`ResponseFuture`] runs, and what operations with a raw-bytes
/// response return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The future an operation returns. Like an `async fn`'s, it does nothing until it is first
/// polled (`.await`ed); then it sends the request (with retries) and decodes the response.
///
/// It borrows only the [`Client`], not the operation's arguments, and it is `Send` and `Unpin`.
///
/// A named type rather than an `async fn` because of what a large SDK costs to compile: an
/// operation is then a plain function that describes its request, and the request machinery is
/// compiled once per response type, only for the operations a program awaits.
#[must_use = "futures do nothing unless `.await`ed or polled"]
pub struct ResponseFuture<'a, T, E: 'static> {
    client: &'a Client,
    start: Option<(RequestSpec, ErrorDecoders<E>, Expect)>,
    running: Option<BoxFuture<'a, Result<Response<T>, Error<E>>>>,
}

/// What a successful response's body is decoded as.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// JSON, into the response type.
    Json,
    /// Nothing: the body is ignored (the response type is `()`).
    Nothing,
}

impl<'a, T, E: 'static> ResponseFuture<'a, T, E> {
    /// Sends `req` on the first poll and decodes a 2xx JSON body into `T`, as
    /// [`Client::execute`] does.
    pub fn json(client: &'a Client, req: RequestSpec, errors: ErrorDecoders<E>) -> Self {
        ResponseFuture {
            client,
            start: Some((req, errors, Expect::Json)),
            running: None,
        }
    }
}

impl<'a, E: 'static> ResponseFuture<'a, (), E> {
    /// Sends `req` on the first poll; a 2xx body, if any, is ignored, as [`Client::execute_empty`]
    /// does.
    pub fn empty(client: &'a Client, req: RequestSpec, errors: ErrorDecoders<E>) -> Self {
        ResponseFuture {
            client,
            start: Some((req, errors, Expect::Nothing)),
            running: None,
        }
    }
}

impl<T, E: 'static> fmt::Debug for ResponseFuture<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("request", &self.start.as_ref().map(|(req, _, _)| req))
            .field("started", &self.running.is_some())
            .finish_non_exhaustive()
    }
}

impl<T, E> Future for ResponseFuture<'_, T, E>
where
    T: DeserializeOwned + Send + 'static,
    E: Send + 'static,
{
    type Output = Result<Response<T>, Error<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some((req, errors, expect)) = this.start.take() {
            this.running = Some(Box::pin(this.client.execute_expecting(req, errors, expect)));
        }
        let Some(running) = this.running.as_mut() else {
            panic!("`ResponseFuture` polled after it completed");
        };
        let output = running.as_mut().poll(cx);
        if output.is_ready() {
            this.running = None;
        }
        output
    }
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// Everything generated code knows about one request.
pub struct RequestSpec {
    /// HTTP method.
    pub method: Method,
    /// The path template from the API description, e.g. `"/oauth2/applications/{id}"`; used for
    /// tracing only.
    pub path_template: &'static str,
    /// The path with parameters substituted, already percent-encoded (see
    /// [`encode_path_segment`]); appended to the base URL.
    pub path: String,
    /// Query parameters, not yet encoded (see [`query_push`]).
    pub query: Vec<(String, String)>,
    /// Header parameters; they override default headers of the same name.
    pub headers: Vec<(&'static str, String)>,
    /// Headers whose names are known only at run time ([`RawRequest::header`]); added after
    /// `headers`, overriding default headers of the same name.
    pub extra_headers: HeaderMap,
    /// The request body.
    pub body: Body,
    /// The operation's security requirement.
    pub security: Security,
    /// Per-request override: used instead of client credentials for the first scheme of the
    /// chosen alternative (applied to the first alternative's first scheme even if the client
    /// holds no credentials).
    pub auth_override: Option<Credential>,
    /// The `Accept` header when the operation declares other media types than the default
    /// (`application/json` for decoded bodies, `*/*` for raw ones). A default header set on
    /// the client wins over both.
    pub accept: Option<&'static str>,
    /// The operation's own server (its `servers` in the API description), used instead of the
    /// client's base URL unless the client maps it elsewhere ([`ClientBuilder::server_url`])
    /// or ignores operation servers ([`ClientBuilder::operation_servers`]).
    pub server: Option<&'static str>,
    /// A body that could not be encoded (see [`RequestSpec::set_body`]): sending fails with
    /// [`Error::InvalidRequest`] and this text.
    invalid_body: Option<String>,
}

impl fmt::Debug for RequestSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| *n).collect();
        f.debug_struct("RequestSpec")
            .field("method", &self.method)
            .field("path_template", &self.path_template)
            .field("query_params", &self.query.len())
            .field("headers", &header_names)
            .field("body", &self.body)
            .field("auth_override", &self.auth_override.is_some())
            .finish_non_exhaustive()
    }
}

impl RequestSpec {
    /// A request without query, headers, body or security.
    pub fn new(method: Method, path_template: &'static str, path: impl Into<String>) -> Self {
        RequestSpec {
            method,
            path_template,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            extra_headers: HeaderMap::new(),
            body: Body::Empty,
            security: &[],
            auth_override: None,
            accept: None,
            server: None,
            invalid_body: None,
        }
    }

    /// Sets the security requirement.
    pub fn with_security(mut self, security: Security) -> Self {
        self.security = security;
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Sets the body from the result of encoding it. An encoding error is kept, and sending the
    /// request fails with [`Error::InvalidRequest`]: operations stay plain functions that return
    /// a [`ResponseFuture`], and the error still comes out where the response would.
    pub fn set_body(&mut self, body: Result<Body, serde_json::Error>) {
        match body {
            Ok(body) => self.body = body,
            Err(e) => {
                self.invalid_body = Some(format!("the request body could not be encoded: {e}"))
            }
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Adds a query parameter (see [`query_push`]).
    pub fn with_query<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        query_push(&mut self.query, name, value);
        self
    }

    /// Sets the per-request credential override.
    pub fn with_auth(mut self, credential: Option<Credential>) -> Self {
        self.auth_override = credential;
        self
    }

    /// Adds a header parameter if `value` serializes to something other than `null`
    /// (see [`param_string`]).
    pub fn push_header<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if let Ok(value) = serde_json::to_value(value) {
            if !value.is_null() {
                self.headers.push((name, value_param_string(&value)));
            }
        }
    }
}

/// A request body.
#[derive(Clone, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// A JSON document (`Content-Type: application/json`).
    Json(Vec<u8>),
    /// `application/x-www-form-urlencoded` pairs, not yet encoded.
    Form(Vec<(String, String)>),
    /// `multipart/form-data`.
    Multipart(Multipart),
    /// Raw bytes with their media type.
    Bytes {
        /// The `Content-Type` to send.
        content_type: String,
        /// The body.
        data: bytes::Bytes,
    },
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bodies may hold passwords: show only their shape.
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Json(data) => write!(f, "Json({} bytes)", data.len()),
            Body::Form(pairs) => write!(f, "Form({} fields)", pairs.len()),
            Body::Multipart(m) => write!(f, "Multipart({} parts)", m.parts.len()),
            Body::Bytes { content_type, data } => {
                write!(f, "Bytes({content_type}, {} bytes)", data.len())
            }
        }
    }
}

impl Body {
    /// Serializes `v` as a JSON body.
    pub fn json<T: Serialize + ?Sized>(v: &T) -> Result<Body, serde_json::Error> {
        serde_json::to_vec(v).map(Body::Json)
    }

    /// Serializes `v` (which must serialize to a JSON object) as a form body, every field in
    /// OpenAPI's default style for forms (`form`, exploded; see [`push_styled`]); nulls are
    /// skipped.
    pub fn form<T: Serialize + ?Sized>(v: &T) -> Result<Body, serde_json::Error> {
        Body::form_styled(v, &[])
    }

    /// [`Body::form`] with the fields named in `styles` encoded in their style (the body's
    /// `encoding` object).
    pub fn form_styled<T: Serialize + ?Sized>(
        v: &T,
        styles: &[(&str, Style)],
    ) -> Result<Body, serde_json::Error> {
        let value = serde_json::to_value(v)?;
        let Value::Object(map) = value else {
            return Err(<serde_json::Error as serde::ser::Error>::custom(
                "a form body must serialize to an object",
            ));
        };
        let mut pairs = Vec::new();
        for (key, value) in &map {
            let style = styles
                .iter()
                .find(|(name, _)| name == key)
                .map_or(Style::Form, |(_, style)| *style);
            push_styled(&mut pairs, key, value, style);
        }
        Ok(Body::Form(pairs))
    }

    /// A raw body with its media type.
    pub fn bytes(content_type: impl Into<String>, data: impl Into<bytes::Bytes>) -> Body {
        Body::Bytes {
            content_type: content_type.into(),
            data: data.into(),
        }
    }
}

impl From<Multipart> for Body {
    fn from(value: Multipart) -> Self {
        Body::Multipart(value)
    }
}

/// How a query parameter or form field is written (OpenAPI `style` and `explode`).
///
/// Values are what the parameter serializes to as JSON; `null`s are skipped everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    /// `form`, exploded (the default): `name=v`; arrays `name=a&name=b`; objects `k1=v1&k2=v2`.
    Form,
    /// `form`, not exploded: `name=a,b`; objects `name=k1,v1,k2,v2`.
    FormUnexploded,
    /// `spaceDelimited`: `name=a b` (arrays; objects `k1 v1 k2 v2`).
    SpaceDelimited,
    /// `pipeDelimited`: `name=a|b` (arrays; objects `k1|v1|k2|v2`).
    PipeDelimited,
    /// `deepObject` as Stripe and Rails read it: `name[k]=v`, nested `name[k][k2]=v`; arrays
    /// of scalars `name[]=a&name[]=b`, arrays holding objects or arrays by index,
    /// `name[0][k]=v`.
    DeepObject,
}

/// Adds `value` as parameter `name` in `style` to `out` (query pairs or form fields, not yet
/// percent-encoded).
///
/// OpenAPI defines the styles for scalars, arrays of scalars and flat objects. What it leaves
/// undefined is written as follows: an object or array nested inside a `form` or delimited
/// value is written in its `simple` form (`k,v,…`, `a,b`); a scalar in a delimited style is
/// `name=v`.
pub fn push_styled(out: &mut Vec<(String, String)>, name: &str, value: &Value, style: Style) {
    let join = |items: Vec<String>, sep: &str, out: &mut Vec<(String, String)>| {
        if !items.is_empty() {
            out.push((name.to_owned(), items.join(sep)));
        }
    };
    match (style, value) {
        (_, Value::Null) => {}
        (Style::DeepObject, value) => flatten_deep(name.to_owned(), value, out),
        (_, Value::Bool(_) | Value::Number(_) | Value::String(_)) => {
            out.push((name.to_owned(), value_param_string(value)))
        }
        (Style::Form, Value::Array(items)) => out.extend(
            items
                .iter()
                .filter(|item| !item.is_null())
                .map(|item| (name.to_owned(), value_param_string(item))),
        ),
        (Style::Form, Value::Object(map)) => out.extend(
            map.iter()
                .filter(|(_, item)| !item.is_null())
                .map(|(key, item)| (key.clone(), value_param_string(item))),
        ),
        (style, value) => {
            let sep = match style {
                Style::SpaceDelimited => " ",
                Style::PipeDelimited => "|",
                _ => ",",
            };
            let items: Vec<String> = match value {
                Value::Array(items) => items
                    .iter()
                    .filter(|item| !item.is_null())
                    .map(value_param_string)
                    .collect(),
                Value::Object(map) => map
                    .iter()
                    .filter(|(_, item)| !item.is_null())
                    .flat_map(|(key, item)| [key.clone(), value_param_string(item)])
                    .collect(),
                _ => Vec::new(),
            };
            join(items, sep, out)
        }
    }
}

/// `deepObject` flattening (see [`Style::DeepObject`]); nulls are skipped.
fn flatten_deep(name: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (key, value) in map {
                flatten_deep(format!("{name}[{key}]"), value, out);
            }
        }
        Value::Array(items) => {
            let scalars = items
                .iter()
                .all(|item| !matches!(item, Value::Object(_) | Value::Array(_)));
            for (index, value) in items.iter().enumerate() {
                if scalars {
                    flatten_deep(format!("{name}[]"), value, out);
                } else {
                    flatten_deep(format!("{name}[{index}]"), value, out);
                }
            }
        }
        scalar => out.push((name, value_param_string(scalar))),
    }
}

/// A `multipart/form-data` body described as data, so that it can be cloned and rebuilt for
/// each attempt.
#[derive(Clone, Debug, Default)]
pub struct Multipart {
    parts: Vec<(String, PartData)>,
}

#[derive(Clone)]
enum PartData {
    Text(String),
    Json(String),
    /// Text with a declared media type.
    Typed(String, String),
    File(FilePart),
}

/// Whether a media type is JSON (`application/json`, `…+json`).
fn is_json_media(media: &str) -> bool {
    let media = media.split(';').next().unwrap_or("").trim();
    media.eq_ignore_ascii_case("application/json") || media.to_ascii_lowercase().ends_with("+json")
}

impl fmt::Debug for PartData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartData::Text(text) => write!(f, "Text({} bytes)", text.len()),
            PartData::Json(text) => write!(f, "Json({} bytes)", text.len()),
            PartData::Typed(content_type, text) => {
                write!(f, "Typed({content_type}, {} bytes)", text.len())
            }
            PartData::File(file) => write!(
                f,
                "File({:?}, {:?}, {} bytes)",
                file.file_name,
                file.content_type,
                file.data.len()
            ),
        }
    }
}

impl Multipart {
    /// An empty multipart body.
    pub fn new() -> Self {
        Multipart::default()
    }

    /// Adds a text part.
    pub fn text(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.parts.push((name.into(), PartData::Text(value.into())));
        self
    }

    /// Adds a part holding `value` as JSON text, with `Content-Type: application/json`.
    pub fn json<T: Serialize + ?Sized>(
        &mut self,
        name: impl Into<String>,
        value: &T,
    ) -> Result<&mut Self, serde_json::Error> {
        let text = serde_json::to_string(value)?;
        self.parts.push((name.into(), PartData::Json(text)));
        Ok(self)
    }

    /// Adds a file part.
    pub fn file(&mut self, name: impl Into<String>, file: FilePart) -> &mut Self {
        self.parts.push((name.into(), PartData::File(file)));
        self
    }

    /// Number of parts.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether there are no parts.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Builds parts from the top-level fields of `v` (which must serialize to an object), as
    /// OpenAPI's defaults for multipart say: a string as a text part, a number or bool as its
    /// text, an object as an `application/json` part, an array as one part per item (the same
    /// name repeated; items that are objects or arrays as JSON parts); nulls skipped.
    pub fn from_serialize<T: Serialize + ?Sized>(v: &T) -> Result<Multipart, serde_json::Error> {
        Multipart::from_serialize_with(v, &[])
    }

    /// [`Multipart::from_serialize`] with the media types of the parts of the fields named in
    /// `content_types` (the body's `encoding.contentType`): a JSON media type sends the whole
    /// field as one JSON part, another one each item (or the value) as text of that type.
    pub fn from_serialize_with<T: Serialize + ?Sized>(
        v: &T,
        content_types: &[(&str, &str)],
    ) -> Result<Multipart, serde_json::Error> {
        let value = serde_json::to_value(v)?;
        let Value::Object(map) = value else {
            return Err(<serde_json::Error as serde::ser::Error>::custom(
                "a multipart body must serialize to an object",
            ));
        };
        let mut multipart = Multipart::new();
        for (name, value) in map {
            let declared = content_types
                .iter()
                .find(|(field, _)| *field == name)
                .map(|(_, content_type)| *content_type);
            match declared {
                Some(content_type) if is_json_media(content_type) => {
                    if !value.is_null() {
                        multipart.parts.push((
                            name,
                            PartData::Typed(content_type.to_owned(), value.to_string()),
                        ));
                    }
                }
                _ => {
                    let items = match value {
                        Value::Array(items) => items,
                        value => vec![value],
                    };
                    for item in items {
                        let part = match item {
                            Value::Null => continue,
                            Value::String(text) => PartData::Text(text),
                            Value::Bool(_) | Value::Number(_) => PartData::Text(item.to_string()),
                            Value::Array(_) | Value::Object(_) => PartData::Json(item.to_string()),
                        };
                        let part = match (declared, part) {
                            (Some(content_type), PartData::Text(text) | PartData::Json(text)) => {
                                PartData::Typed(content_type.to_owned(), text)
                            }
                            (_, part) => part,
                        };
                        multipart.parts.push((name.clone(), part));
                    }
                }
            }
        }
        Ok(multipart)
    }

    /// Checks that every file's media type parses (done before the first attempt).
    fn validate(&self) -> Result<(), Error<Infallible>> {
        for (name, part) in &self.parts {
            let content_type = match part {
                PartData::File(FilePart {
                    content_type: Some(content_type),
                    ..
                })
                | PartData::Typed(content_type, _) => Some(content_type),
                _ => None,
            };
            if let Some(content_type) = content_type {
                reqwest::multipart::Part::text("")
                    .mime_str(content_type)
                    .map_err(|_| {
                        Error::InvalidRequest(format!(
                            "invalid content type `{content_type}` for part `{name}`"
                        ))
                    })?;
            }
        }
        Ok(())
    }

    /// Converts to a `reqwest` form (cheap: file data is reference-counted). A part whose media
    /// type does not parse is sent without one; [`Client`] rejects such bodies before sending.
    pub fn to_form(&self) -> reqwest::multipart::Form {
        use reqwest::multipart::{Form, Part};
        let mut form = Form::new();
        for (name, part) in &self.parts {
            let part = match part {
                PartData::Text(text) => Part::text(text.clone()),
                PartData::Json(text) => {
                    let build = || Part::text(text.clone());
                    build()
                        .mime_str("application/json")
                        .unwrap_or_else(|_| build())
                }
                PartData::Typed(content_type, text) => {
                    let build = || Part::text(text.clone());
                    build().mime_str(content_type).unwrap_or_else(|_| build())
                }
                PartData::File(file) => {
                    let build = || {
                        let len = file.data.len() as u64;
                        let part =
                            Part::stream_with_length(reqwest::Body::from(file.data.clone()), len);
                        match &file.file_name {
                            Some(file_name) => part.file_name(file_name.clone()),
                            None => part,
                        }
                    };
                    let mime = file
                        .content_type
                        .as_deref()
                        .unwrap_or("application/octet-stream");
                    build().mime_str(mime).unwrap_or_else(|_| build())
                }
            };
            form = form.part(name.clone(), part);
        }
        form
    }
}

/// A file in a multipart body.
#[derive(Clone, Debug)]
pub struct FilePart {
    /// The `filename` of the part's `Content-Disposition`.
    pub file_name: Option<String>,
    /// The part's media type (`application/octet-stream` when `None`).
    pub content_type: Option<String>,
    /// The file's content.
    pub data: bytes::Bytes,
}

impl FilePart {
    /// A file part without file name or media type.
    pub fn new(data: impl Into<bytes::Bytes>) -> Self {
        FilePart {
            file_name: None,
            content_type: None,
            data: data.into(),
        }
    }

    /// A file part with a file name.
    pub fn named(file_name: impl Into<String>, data: impl Into<bytes::Bytes>) -> Self {
        FilePart::new(data).with_file_name(file_name)
    }

    /// Sets the file name.
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// Sets the media type.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

/// Characters left alone by [`encode_path_segment`] and query encoding: RFC 3986 unreserved.
const UNRESERVED_COMPLEMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes everything except unreserved characters (`A-Z a-z 0-9 - . _ ~`), so the
/// result is safe as one path segment (`"a/b c"` → `"a%2Fb%20c"`).
pub fn encode_path_segment(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED_COMPLEMENT).to_string()
}

/// Encodes query pairs as `a=1&b=2`, percent-encoding everything but unreserved characters.
pub fn encode_query(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(utf8_percent_encode(name, UNRESERVED_COMPLEMENT));
        out.push('=');
        out.extend(utf8_percent_encode(value, UNRESERVED_COMPLEMENT));
    }
    out
}

/// Encodes pairs as `application/x-www-form-urlencoded` (space as `+`).
pub fn form_urlencode(pairs: &[(String, String)]) -> String {
    encode_query(pairs).replace("%20", "+")
}

/// Turns any serializable value into the string used in a path/query/header: strings without
/// quotes, numbers, bools, enums via their serde wire form. Arrays become comma-separated
/// lists and objects `key,value,...` (OpenAPI `simple` style); `null` (and a value that fails
/// to serialize) becomes an empty string.
pub fn param_string<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_value(v)
        .map(|value| value_param_string(&value))
        .unwrap_or_default()
}

fn value_param_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter(|item| !item.is_null())
            .map(value_param_string)
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .flat_map(|(k, v)| [k.clone(), value_param_string(v)])
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// Adds query parameter `name` (OpenAPI `form` style, exploded): `null`/`None` adds nothing,
/// arrays add one `name=item` per item, objects add one `key=value` per field, anything else
/// one `name=value`.
pub fn query_push<T: Serialize + ?Sized>(query: &mut Vec<(String, String)>, name: &str, value: &T) {
    let Ok(value) = serde_json::to_value(value) else {
        return;
    };
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for item in items.iter().filter(|item| !item.is_null()) {
                query.push((name.to_owned(), value_param_string(item)));
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter().filter(|(_, item)| !item.is_null()) {
                query.push((key.clone(), value_param_string(item)));
            }
        }
        scalar => query.push((name.to_owned(), value_param_string(&scalar))),
    }
}

/// Adds an array query parameter: `explode` → `name=a&name=b`, otherwise `name=a,b`. An empty
/// array adds nothing; `null` items are skipped.
pub fn query_push_array<T: Serialize>(
    query: &mut Vec<(String, String)>,
    name: &str,
    values: &[T],
    explode: bool,
) {
    let items: Vec<String> = values
        .iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .filter(|v| !v.is_null())
        .map(|v| value_param_string(&v))
        .collect();
    if items.is_empty() {
        return;
    }
    if explode {
        query.extend(items.into_iter().map(|item| (name.to_owned(), item)));
    } else {
        query.push((name.to_owned(), items.join(",")));
    }
}

/// Adds a `deepObject` query parameter (see [`Style::DeepObject`]): `name[key]=value`, nested
/// objects as `name[key][sub]=value`, arrays of scalars as `name[key][]=value`; nulls skipped.
/// A scalar value adds `name=value`.
pub fn query_push_deep<T: Serialize + ?Sized>(
    query: &mut Vec<(String, String)>,
    name: &str,
    value: &T,
) {
    query_push_styled(query, name, value, Style::DeepObject);
}

/// Adds query parameter `name` in `style` (see [`push_styled`]).
pub fn query_push_styled<T: Serialize + ?Sized>(
    query: &mut Vec<(String, String)>,
    name: &str,
    value: &T,
    style: Style,
) {
    if let Ok(value) = serde_json::to_value(value) {
        push_styled(query, name, &value, style);
    }
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// Error decoding table: for each status matcher, a function decoding the raw body into the
/// crate's error-body enum E.
///
/// Precedence: exact code, then range, then `Default`; the first matching entry of the best kind
/// is used.
pub type ErrorDecoders<E> = &'static [(StatusMatch, fn(&[u8]) -> Result<E, serde_json::Error>)];

/// Which statuses an [`ErrorDecoders`] entry applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusMatch {
    /// Exactly this status code.
    Code(u16),
    /// A status class: `Range(4)` is `4XX`.
    Range(u16),
    /// Any status not matched otherwise (`default`).
    Default,
}

impl StatusMatch {
    /// Whether this matcher applies to `status`.
    pub fn matches(&self, status: u16) -> bool {
        match *self {
            StatusMatch::Code(code) => code == status,
            StatusMatch::Range(class) => status / 100 == class,
            StatusMatch::Default => true,
        }
    }
}

/// Decodes an error body with the best matching entries of `errors`: those for the exact
/// status, else its class (`4XX`), else `default`; several entries of the best kind (a raw
/// request that no operation describes lists every model) are tried in order, and the first
/// that decodes wins. `None` if nothing matches or nothing decodes.
pub fn decode_error_body<E>(errors: ErrorDecoders<E>, status: StatusCode, raw: &[u8]) -> Option<E> {
    let code = status.as_u16();
    let kinds: [fn(&StatusMatch) -> bool; 3] = [
        |m| matches!(m, StatusMatch::Code(_)),
        |m| matches!(m, StatusMatch::Range(_)),
        |m| matches!(m, StatusMatch::Default),
    ];
    let best = kinds.iter().find_map(|kind| {
        let entries: Vec<_> = errors
            .iter()
            .filter(|(matcher, _)| kind(matcher) && matcher.matches(code))
            .collect();
        (!entries.is_empty()).then_some(entries)
    })?;
    for (_, decode) in best {
        match decode(raw) {
            Ok(body) => return Some(body),
            Err(err) => {
                tracing::debug!(status = code, error = %err, "error body did not decode")
            }
        }
    }
    None
}

/// Decodes JSON with the path of the first failure; an empty body is decoded as `null`.
fn decode_json<T: DeserializeOwned>(raw: &[u8]) -> Result<T, (String, String)> {
    let data: &[u8] = if raw.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        raw
    };
    let mut de = serde_json::Deserializer::from_slice(data);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|err| (err.path().to_string(), err.inner().to_string()))?;
    de.end().map_err(|err| (".".to_owned(), err.to_string()))?;
    Ok(value)
}

/// A successful response: status, headers, rate-limit information and the decoded body.
///
/// Derefs to the body.
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    rate_limit: RateLimit,
    body: T,
}

impl<T> Response<T> {
    /// A response (rate-limit information is read from the headers).
    pub fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Response {
            rate_limit: RateLimit::from_headers(&headers),
            status,
            headers,
            body,
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Rate-limit information from the headers.
    pub fn rate_limit(&self) -> &RateLimit {
        &self.rate_limit
    }

    /// The body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// Takes the body.
    pub fn into_inner(self) -> T {
        self.body
    }

    /// Takes status, headers and body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }

    /// Transforms the body.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            rate_limit: self.rate_limit,
            body: f(self.body),
        }
    }
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.body
    }
}

impl<T> std::ops::DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.body
    }
}

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

fn seconds(value: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(value).ok()
}

/// Rate-limit headers, completed by `retry_after` / `global` from a JSON error body.
fn rate_limit_with_body(headers: &HeaderMap, body: &[u8]) -> RateLimit {
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

/// How long to wait before retrying a non-2xx response, or `None` to not retry.
fn retry_wait_for_status(
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

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// One error type for every operation; `E` is the crate's error-body model.
///
/// Neither `Display` nor `Debug` ever contains credentials.
#[derive(Debug)]
pub enum Error<E> {
    /// building or sending the request failed (DNS, connect, TLS, I/O)
    Transport(reqwest::Error),
    /// connect/request timeout
    Timeout,
    /// the server answered with a non-success status: boxed [`ApiError`]
    Api(Box<ApiError<E>>),
    /// 2xx but the body did not decode into the expected model
    Decode(Box<DecodeError>),
    /// no credential held for any scheme the operation accepts, invalid header value, bad base
    /// url…
    InvalidRequest(String),
}

/// A non-2xx response.
#[derive(Debug, Clone)]
pub struct ApiError<E> {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// Rate-limit information (headers, completed by the JSON body's `retry_after`).
    pub rate_limit: RateLimit,
    /// The body decoded per the error table for this status; `None` when no entry matches or
    /// decoding failed.
    pub body: Option<E>,
    /// The raw body.
    pub raw: bytes::Bytes,
}

/// A 2xx response whose body did not decode into the expected model.
#[derive(Debug, Clone)]
pub struct DecodeError {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// JSON path of the failure, e.g. `"user.id"` (`"."` for the document itself).
    pub path: String,
    /// The decoder's message.
    pub message: String,
    /// The raw body.
    pub raw: bytes::Bytes,
}

impl<E> Error<E> {
    /// The HTTP status, if a response was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode(decode) => Some(decode.status),
            Error::Transport(err) => err.status(),
            Error::Timeout | Error::InvalidRequest(_) => None,
        }
    }

    /// Rate-limit information of an error response.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        match self {
            Error::Api(api) => Some(&api.rate_limit),
            _ => None,
        }
    }

    /// The decoded error body, if any.
    pub fn api_body(&self) -> Option<&E> {
        match self {
            Error::Api(api) => api.body.as_ref(),
            _ => None,
        }
    }

    /// The raw body of an error or undecodable response.
    pub fn raw_body(&self) -> Option<&bytes::Bytes> {
        match self {
            Error::Api(api) => Some(&api.raw),
            Error::Decode(decode) => Some(&decode.raw),
            _ => None,
        }
    }

    /// Whether this is a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout)
    }

    /// Whether this is a 429 Too Many Requests response.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }
}

impl Error<Infallible> {
    /// Converts an error that cannot carry an error body (such as the one of
    /// [`ClientBuilder::build`]) into any `Error<E>`.
    pub fn cast<E>(self) -> Error<E> {
        match self {
            Error::Transport(err) => Error::Transport(err),
            Error::Timeout => Error::Timeout,
            Error::Api(api) => match api.body {
                Some(never) => match never {},
                None => Error::Api(Box::new(ApiError {
                    status: api.status,
                    headers: api.headers,
                    rate_limit: api.rate_limit,
                    body: None,
                    raw: api.raw,
                })),
            },
            Error::Decode(decode) => Error::Decode(decode),
            Error::InvalidRequest(message) => Error::InvalidRequest(message),
        }
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport(err) => write!(f, "transport error: {err}"),
            Error::Timeout => f.write_str("request timed out"),
            Error::Api(api) => {
                write!(f, "API error: HTTP {}", api.status)?;
                let text = String::from_utf8_lossy(&api.raw);
                let text = text.trim();
                if !text.is_empty() {
                    const MAX: usize = 300;
                    match text.char_indices().nth(MAX) {
                        Some((cut, _)) => write!(f, ": {}…", &text[..cut])?,
                        None => write!(f, ": {text}")?,
                    }
                }
                Ok(())
            }
            Error::Decode(decode) => write!(
                f,
                "could not decode the HTTP {} response body at `{}`: {}",
                decode.status, decode.path, decode.message
            ),
            Error::InvalidRequest(message) => write!(f, "invalid request: {message}"),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(err) => Some(err),
            _ => None,
        }
    }
}

impl<E> From<reqwest::Error> for Error<E> {
    fn from(err: reqwest::Error) -> Self {
        transport_error(err, false)
    }
}
