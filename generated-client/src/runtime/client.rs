//! The [`Client`], its [`ClientBuilder`], and the entry points that send a [`RequestSpec`].

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::Url;
use serde::de::DeserializeOwned;

use super::*;

/// `<crate>/<version>` of the crate this runtime is compiled into.
const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

pub(super) struct ClientInner {
    pub(super) http: reqwest::Client,
    pub(super) base_url: String,
    pub(super) default_headers: HeaderMap,
    /// The whole call's budget, retries and rate-limit waits included.
    pub(super) timeout: Option<Duration>,
    /// One attempt's budget.
    pub(super) attempt_timeout: Option<Duration>,
    pub(super) retry: RetryPolicy,
    pub(super) on_retry: Option<RetryHook>,
    pub(super) server_urls: Vec<(String, String)>,
    pub(super) operation_servers: bool,
    pub(super) limiter: Option<Arc<dyn RateLimiter>>,
    pub(super) rate_limit_headers: RateLimitHeaders,
}

/// What [`ClientBuilder::on_retry`] is given.
pub(super) type RetryHook = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

/// Which limiter a [`ClientBuilder`] builds the client with.
#[derive(Clone, Debug)]
enum LimiterChoice {
    /// An [`InProcessLimiter`] if the API declares rate-limit headers.
    Default,
    Off,
    Custom(Arc<dyn RateLimiter>),
}

/// The API client: an HTTP connection pool, configuration and credentials.
///
/// Cloning is cheap (reference-counted); clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<ClientInner>,
    pub(super) credentials: Arc<HashMap<&'static str, Credential>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut schemes: Vec<&str> = self.credentials.keys().copied().collect();
        schemes.sort_unstable();
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credentials_for", &schemes)
            .field("timeout", &self.inner.timeout)
            .field("attempt_timeout", &self.inner.attempt_timeout)
            .field("retry", &self.inner.retry)
            .field("rate_limiter", &self.inner.limiter)
            .finish_non_exhaustive()
    }
}

/// Configures and builds a [`Client`]. Created by [`Client::builder`].
///
/// Defaults: 10 s connect timeout; a 60 s deadline for each call, retries and rate-limit waits
/// included ([`timeout`](Self::timeout)), and no timeout of its own per attempt;
/// [`RetryPolicy::default`]; `Accept: application/json`; `User-Agent: <crate>/<version>`; and,
/// when the API description declares rate-limit headers, an [`InProcessLimiter`] that waits for
/// budget before sending ([`rate_limiter`](Self::rate_limiter),
/// [`no_rate_limit`](Self::no_rate_limit)).
pub struct ClientBuilder {
    base_url: String,
    credentials: HashMap<&'static str, Credential>,
    user_agent: Option<String>,
    user_agent_suffix: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    retry: RetryPolicy,
    on_retry: Option<RetryHook>,
    default_headers: Vec<(String, String)>,
    http_client: Option<reqwest::Client>,
    server_urls: Vec<(String, String)>,
    operation_servers: bool,
    limiter: LimiterChoice,
    rate_limit_headers: Option<RateLimitHeaders>,
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
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("retry", &self.retry)
            .field("on_retry", &self.on_retry.is_some())
            .field("default_headers", &header_names)
            .field("custom_http_client", &self.http_client.is_some())
            .field("server_urls", &self.server_urls)
            .field("operation_servers", &self.operation_servers)
            .field("rate_limiter", &self.limiter)
            .field("rate_limit_headers", &self.rate_limit_headers)
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

    /// Replaces the whole `User-Agent` header (default `<crate>/<version>` of this SDK, e.g.
    /// `fluxer-sdk/0.1.0`); prefer [`user_agent_suffix`](Self::user_agent_suffix).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Names the application after the SDK in `User-Agent`:
    /// `.user_agent_suffix("my-bot/1.2")` sends `fluxer-sdk/0.1.0 my-bot/1.2`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Sets the connect timeout (default 10 s). Ignored when [`http_client`](Self::http_client)
    /// injects a client: configure that client instead.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Sets each call's deadline: from the call's start until its response body has been read,
    /// every attempt, retry wait and rate-limit wait included (default 60 s; none for an
    /// injected [`http_client`](Self::http_client) unless set here). A call that runs out
    /// fails with [`Error::Timeout`]; a retry or rate-limit wait that would end past it is not
    /// begun: the call fails at once with the error it has (the last response's, or
    /// [`Error::RateLimited`]). [`ResponseFuture::timeout`] sets one call's deadline.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Sets a timeout for each attempt, within the call's deadline (default none: an attempt
    /// may take what is left of the call's [`timeout`](Self::timeout)). With retries, a short
    /// attempt timeout lets a stalled attempt be retried while the call still has time.
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.attempt_timeout = Some(d);
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Calls `hook` before each retry (after its cause, before its wait), to log or count
    /// retries; see [`RetryEvent`].
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(hook));
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

    /// Waits for rate-limit budget before each request with this limiter (see
    /// [`RateLimiter`]; [`InProcessLimiter`] learns buckets from response headers), whether or
    /// not the API declares rate-limit headers.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = LimiterChoice::Custom(limiter);
        self
    }

    /// Turns proactive rate limiting off: requests are sent at once and 429s are only retried.
    pub fn no_rate_limit(mut self) -> Self {
        self.limiter = LimiterChoice::Off;
        self
    }

    /// The names of the rate-limit headers the limiter and retries read (default: those the
    /// API description declares, else [`RateLimitHeaders::COMMON`]).
    pub fn rate_limit_headers(mut self, names: RateLimitHeaders) -> Self {
        self.rate_limit_headers = Some(names);
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
        let mut ua = self
            .user_agent
            .as_deref()
            .unwrap_or(DEFAULT_USER_AGENT)
            .to_owned();
        if let Some(suffix) = self.user_agent_suffix.as_deref().map(str::trim) {
            if !suffix.is_empty() {
                ua.push(' ');
                ua.push_str(suffix);
            }
        }
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

        let limiter = match self.limiter {
            LimiterChoice::Default => spec::RATE_LIMIT_HEADERS.map(|_| {
                let limiter = match spec::GLOBAL_RATE_LIMIT {
                    Some((requests, window)) => {
                        InProcessLimiter::new().global_limit(requests, window)
                    }
                    None => InProcessLimiter::new(),
                };
                Arc::new(limiter) as Arc<dyn RateLimiter>
            }),
            LimiterChoice::Off => None,
            LimiterChoice::Custom(limiter) => Some(limiter),
        };
        let rate_limit_headers = self
            .rate_limit_headers
            .or(spec::RATE_LIMIT_HEADERS)
            .unwrap_or(RateLimitHeaders::COMMON);

        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base_url,
                default_headers,
                timeout,
                attempt_timeout: self.attempt_timeout,
                retry: self.retry,
                on_retry: self.on_retry,
                server_urls: self.server_urls,
                operation_servers: self.operation_servers,
                limiter,
                rate_limit_headers,
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
            user_agent_suffix: None,
            connect_timeout: None,
            timeout: None,
            attempt_timeout: None,
            retry: RetryPolicy::default(),
            on_retry: None,
            default_headers: Vec::new(),
            http_client: None,
            server_urls: Vec::new(),
            operation_servers: true,
            limiter: LimiterChoice::Default,
            rate_limit_headers: None,
        }
    }

    /// The base URL (without trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Where a request goes: the operation's own server (or what the builder mapped it to),
    /// else the base URL.
    pub(super) fn server_for(&self, server: Option<&'static str>) -> &str {
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

    /// The rate limiter, if requests wait for budget before they are sent.
    pub fn rate_limiter(&self) -> Option<&Arc<dyn RateLimiter>> {
        self.inner.limiter.as_ref()
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
    pub(super) async fn execute_expecting<T: DeserializeOwned, E>(
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
}
