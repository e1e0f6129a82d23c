//! The [`Error`] type every operation returns.

use std::convert::Infallible;
use std::fmt;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::*;

/// One error type for every operation; `E` is the crate's error-body model.
///
/// Neither `Display` nor `Debug` ever contains credentials. New kinds of failure may be added:
/// match with a `_` arm, or ask [`status`](Self::status), [`is_not_found`](Self::is_not_found),
/// [`is_rate_limited`](Self::is_rate_limited), [`retry_after`](Self::retry_after) and the like.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// building or sending the request failed (DNS, connect, TLS, I/O)
    Transport(reqwest::Error),
    /// the call's deadline ([`ClientBuilder::timeout`]) passed, or its last attempt timed out
    Timeout,
    /// the server answered with a non-success status: boxed [`ApiError`]
    Api(Box<ApiError<E>>),
    /// 2xx but the body did not decode into the expected model
    Decode(Box<DecodeError>),
    /// no credential held for any scheme the operation accepts, invalid header value, bad base
    /// url…
    InvalidRequest(String),
    /// the rate limiter would have had to wait past the call's deadline; nothing was sent
    RateLimited(RateLimited),
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
            Error::Timeout | Error::InvalidRequest(_) | Error::RateLimited(_) => None,
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

    /// Whether this is a 429 Too Many Requests response, or the rate limiter gave up before
    /// sending ([`Error::RateLimited`]).
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited(_))
            || self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Whether this is a 401 Unauthorized response (missing or invalid credentials).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    /// Whether this is a 403 Forbidden response (valid credentials, not allowed).
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(StatusCode::FORBIDDEN)
    }

    /// Whether this is a 404 Not Found response.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// How long to wait before trying again, when the server or the rate limiter said so: an
    /// error response's `Retry-After` (header, else the JSON body's `retry_after`), else the time
    /// until its rate-limit window resets; for [`Error::RateLimited`], the wait it would have
    /// needed.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Error::Api(api) => api
                .rate_limit
                .retry_after
                .or_else(|| api.rate_limit.reset_in()),
            Error::RateLimited(limited) => Some(limited.wait),
            _ => None,
        }
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
            Error::RateLimited(limited) => Error::RateLimited(limited),
        }
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport(err) => write!(f, "transport error: {err}"),
            Error::Timeout => f.write_str("request timed out"),
            Error::RateLimited(limited) => write!(
                f,
                "rate limit of bucket `{}` would need a wait of {:?}, past the deadline",
                limited.bucket, limited.wait
            ),
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

/// A transport failure as an [`Error`]; a timeout is [`Error::Timeout`], and a URL carrying a
/// credential is left out.
pub(super) fn transport_error<E>(err: reqwest::Error, hide_url: bool) -> Error<E> {
    if err.is_timeout() {
        Error::Timeout
    } else if hide_url {
        Error::Transport(err.without_url())
    } else {
        Error::Transport(err)
    }
}
