//! Responses: the decoded [`Response`], error-body decoding tables ([`ErrorDecoders`]).

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::*;

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
pub(super) fn decode_json<T: DeserializeOwned>(raw: &[u8]) -> Result<T, (String, String)> {
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
