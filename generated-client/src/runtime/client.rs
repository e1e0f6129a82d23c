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

const DEFAULT_USER_AGENT: &str = "openapi-rust-sdk";
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

pub(super) struct ClientInner {
    pub(super) http: reqwest::Client,
    pub(super) base_url: String,
    pub(super) default_headers: HeaderMap,
    pub(super) timeout: Option<Duration>,
    pub(super) retry: RetryPolicy,
    pub(super) server_urls: Vec<(String, String)>,
    pub(super) operation_servers: bool,
    pub(super) limiter: Option<Arc<dyn RateLimiter>>,
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
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Configures and builds a [`Client`]. Created by [`Client::builder`].
///
/// Defaults: 10 s connect timeout, 60 s whole-request timeout, [`RetryPolicy::default`],
/// `Accept: application/json`, no proactive rate limiter ([`ClientBuilder::rate_limiter`]).
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
    limiter: Option<Arc<dyn RateLimiter>>,
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
            .field("rate_limiter", &self.limiter)
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

    /// Waits for rate-limit budget before each request with this limiter (see
    /// [`RateLimiter`]); [`InProcessLimiter`] learns buckets from response headers.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Turns proactive rate limiting off: requests are sent at once and 429s are only retried.
    pub fn no_rate_limit(mut self) -> Self {
        self.limiter = None;
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
                limiter: self.limiter,
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
            limiter: None,
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
