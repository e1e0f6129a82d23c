//! Raw requests: calls the API description does not describe, or describes wrongly, sent with
//! the client's credentials, retries and error decoding, as a generated operation is.
//!
//! ```no_run
//! # async fn run(client: &fluxer_sdk::Client) -> Result<(), fluxer_sdk::Error> {
//! use fluxer_sdk::Method;
//! let sent: fluxer_sdk::Response<serde_json::Value> = client
//!     .request(Method::POST, "/channels/{channel_id}/messages")
//!     .path_param("channel_id", "1100000000000000001")
//!     .json(&serde_json::json!({ "content": "hello" }))
//!     .send()
//!     .await?;
//! # let _ = sent;
//! # Ok(())
//! # }
//! ```
//!
//! The path is a template: each `{name}` is replaced by the value given with
//! [`RawRequest::path_param`], percent-encoded as generated operations encode path
//! parameters (a value of `.` or `..` is refused: URL parsers would remove the segment).
//! When the method and template match an operation of the API description (parameter names
//! aside), the request takes that operation's security requirement, error models and server;
//! otherwise any scheme the client holds a credential for, in the description's order, and
//! every error model. [`RawRequest::scheme`] names the scheme to use instead.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::*;

/// What the generated crate knows about its operations, for raw requests to borrow.
#[doc(hidden)]
pub struct RawRoutes<E: 'static> {
    /// `(method, path template, security, error decoders, server)` of every operation.
    pub routes: &'static [RawRoute<E>],
    /// Each scheme alone, by name, for [`RawRequest::scheme`].
    pub schemes: &'static [(&'static str, Security)],
    /// Every scheme as an alternative: a request no operation describes.
    pub any_scheme: Security,
    /// Every error model, tried in turn on a request no operation describes.
    pub any_error: ErrorDecoders<E>,
}

/// One operation's entry in [`RawRoutes`].
#[doc(hidden)]
pub struct RawRoute<E: 'static> {
    pub method: &'static str,
    pub template: &'static str,
    pub security: Security,
    pub errors: ErrorDecoders<E>,
    pub server: Option<&'static str>,
}

/// A request built by hand (the path template is filled from [`RawRequest::path_param`];
/// credentials, error models and server come from the operation with the same method and
/// template, when there is one). Made by the crate's
/// `Client::request`; nothing is sent until one of the `send` methods is awaited.
#[must_use = "a request does nothing until it is sent"]
pub struct RawRequest<'a, E: 'static> {
    client: &'a Client,
    routes: &'static RawRoutes<E>,
    method: Method,
    template: String,
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Body,
    scheme: Option<String>,
    auth: Option<Credential>,
    /// The first problem met while building (a bad header, a body that did not encode).
    invalid: Option<String>,
}

impl<E: 'static> fmt::Debug for RawRequest<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("template", &self.template)
            .field("query_params", &self.query.len())
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body", &self.body)
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl<'a, E: 'static> RawRequest<'a, E> {
    /// A request for `method` and the path template `path` (relative to the base URL).
    #[doc(hidden)]
    pub fn new(
        client: &'a Client,
        routes: &'static RawRoutes<E>,
        method: Method,
        path: &str,
    ) -> Self {
        RawRequest {
            client,
            routes,
            method,
            template: path.to_owned(),
            path_params: Vec::new(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Body::Empty,
            scheme: None,
            auth: None,
            invalid: None,
        }
    }

    fn fail(&mut self, message: String) {
        self.invalid.get_or_insert(message);
    }

    /// Fills the path template's `{name}` with `value` (written as generated operations write
    /// path parameters: strings as they are, numbers and IDs in decimal).
    pub fn path_param<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.path_params
            .push((name.to_owned(), param_string(value)));
        self
    }

    /// Adds a query parameter (arrays repeat the name, as `style: form, explode: true`).
    pub fn query<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        query_push(&mut self.query, name, value);
        self
    }

    /// Adds a header (several with one name are all sent).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => {
                self.headers.append(n, v);
            }
            _ => self.fail(format!("invalid header `{name}`")),
        }
        self
    }

    /// Sends `body` as JSON.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match Body::json(body) {
            Ok(b) => self.body = b,
            Err(e) => self.fail(format!("the request body could not be encoded: {e}")),
        }
        self
    }

    /// Sends `body` as `application/x-www-form-urlencoded`.
    pub fn form<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match Body::form(body) {
            Ok(b) => self.body = b,
            Err(e) => self.fail(format!("the request body could not be encoded: {e}")),
        }
        self
    }

    /// Sends a `multipart/form-data` body.
    pub fn multipart(mut self, body: Multipart) -> Self {
        self.body = Body::Multipart(body);
        self
    }

    /// Sends raw bytes with their media type.
    pub fn bytes(mut self, content_type: &str, data: impl Into<bytes::Bytes>) -> Self {
        self.body = Body::bytes(content_type, data);
        self
    }

    /// Uses the credential the client holds for this security scheme (by its name in the API
    /// description), instead of choosing as the matching operation would.
    pub fn scheme(mut self, name: &str) -> Self {
        self.scheme = Some(name.to_owned());
        self
    }

    /// Uses `credential` for this request instead of the client's (for the first scheme of
    /// the chosen alternative, as an operation's per-request override does).
    pub fn auth(mut self, credential: Credential) -> Self {
        self.auth = Some(credential);
        self
    }

    /// The operation of the API description this request is, if any: same method, same
    /// template apart from the names of its parameters.
    fn route(&self) -> Option<&'static RawRoute<E>> {
        let shape = |t: &str| -> Vec<String> {
            t.trim_end_matches('/')
                .split('/')
                .map(|s| {
                    if s.starts_with('{') && s.ends_with('}') {
                        "{}".to_owned()
                    } else {
                        s.to_owned()
                    }
                })
                .collect()
        };
        let want = shape(&self.template);
        self.routes
            .routes
            .iter()
            .find(|r| r.method == self.method.as_str() && shape(r.template) == want)
    }

    /// The request as generated operations describe theirs, and its error decoders.
    fn into_spec(self) -> Result<(&'a Client, RequestSpec, ErrorDecoders<E>), Error<E>> {
        if let Some(message) = self.invalid.clone() {
            return Err(Error::InvalidRequest(message));
        }
        let route = self.route();
        let mut path = String::with_capacity(self.template.len());
        let mut rest = self.template.as_str();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            path.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            let value = self
                .path_params
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v)
                .ok_or_else(|| {
                    Error::InvalidRequest(format!(
                        "no value for path parameter `{name}` (set it with `path_param`)"
                    ))
                })?;
            path.push_str(&encode_path_segment(value));
            rest = &rest[close + 1..];
        }
        path.push_str(rest);
        let security = match &self.scheme {
            Some(name) => self
                .routes
                .schemes
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| *s)
                .ok_or_else(|| {
                    Error::InvalidRequest(format!("`{name}` is not a security scheme of this API"))
                })?,
            None => route.map_or(self.routes.any_scheme, |r| r.security),
        };
        let mut spec = RequestSpec::new(
            self.method,
            route.map_or("(raw request)", |r| r.template),
            path,
        );
        spec.query = self.query;
        spec.extra_headers = self.headers;
        spec.body = self.body;
        spec.security = security;
        spec.auth_override = self.auth;
        spec.server = route.and_then(|r| r.server);
        let errors = route.map_or(self.routes.any_error, |r| r.errors);
        Ok((self.client, spec, errors))
    }

    /// Sends the request and decodes a 2xx JSON body into `T` (`serde_json::Value` when
    /// there is no model for it); an error response's body is decoded into the crate's
    /// error body.
    pub async fn send<T: DeserializeOwned>(self) -> Result<Response<T>, Error<E>> {
        let (client, spec, errors) = self.into_spec()?;
        client.execute(spec, errors).await
    }

    /// Sends the request; a 2xx body, if any, is ignored.
    pub async fn send_empty(self) -> Result<Response<()>, Error<E>> {
        let (client, spec, errors) = self.into_spec()?;
        client.execute_empty(spec, errors).await
    }

    /// Sends the request and returns the 2xx body as bytes.
    pub async fn send_bytes(self) -> Result<Response<bytes::Bytes>, Error<E>> {
        let (client, spec, errors) = self.into_spec()?;
        client.execute_bytes(spec, errors).await
    }
}
