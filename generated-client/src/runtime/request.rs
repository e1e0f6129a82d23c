//! [`RequestSpec`], what generated code knows about a request, and how the client turns it into an
//! HTTP request (URL, headers, credentials, body).

use std::convert::Infallible;
use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Url};
use serde::Serialize;

use super::*;

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
    /// Values of the path parameters that partition the route's rate limits (its major
    /// parameters), in the order the generator lists them; part of the [`BucketKey`].
    pub major_params: Vec<String>,
    /// This call's deadline, in place of the client's ([`ClientBuilder::timeout`]); see
    /// [`ResponseFuture::timeout`].
    pub timeout: Option<std::time::Duration>,
    /// A body that could not be encoded (see [`RequestSpec::set_body`]): sending fails with
    /// [`Error::InvalidRequest`] and this text.
    pub(super) invalid_body: Option<String>,
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
            major_params: Vec::new(),
            timeout: None,
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

impl Client {
    /// Builds URL, headers, credentials and body once; reused by every attempt.
    pub(super) fn prepare(
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
            major_params,
            timeout: _,
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
            bucket: BucketKey {
                route: format!("{method} {path_template}"),
                major: major_params,
            },
            method,
            path_template,
            url,
            headers,
            body,
            hide_url,
        })
    }
}

pub(super) struct PreparedRequest {
    pub(super) method: Method,
    pub(super) path_template: &'static str,
    pub(super) url: Url,
    pub(super) headers: HeaderMap,
    pub(super) body: PreparedBody,
    /// The URL carries a credential (apiKey in query): keep it out of errors.
    pub(super) hide_url: bool,
    /// The rate-limit bucket the request starts in.
    pub(super) bucket: BucketKey,
}

pub(super) enum PreparedBody {
    Empty,
    Bytes(bytes::Bytes),
    Multipart(Multipart),
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
