//! Server-sent events: the `text/event-stream` wire format (HTML living standard, §9.2
//! "Server-sent events": lines ended by CRLF, LF or CR, a leading BOM skipped, `data:` lines
//! joined with LF, comments and unknown fields ignored, an unfinished event at the end of the
//! stream dropped) and the [`EventStream`] operations with streamed responses return.
//!
//! The parser is hand-written rather than taken from `eventsource-stream` (which pulls `nom`):
//! it is small, and the measured reason and the differential test against that crate are in
//! BENCHMARKS.md and `tests/tests/sse.rs`.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{BoxFuture, Client, DecodeError, Error, ErrorDecoders, RequestSpec};

/// One server-sent event whose `data` was decoded into `T`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<T> {
    /// The `event:` field: the event's type (`None` for the default, `message`).
    pub event: Option<String>,
    /// The last `id:` the stream set (it carries over to later events, as in the standard).
    pub id: Option<String>,
    /// A `retry:` field sent with this event: the reconnection delay the server asks for.
    pub retry: Option<Duration>,
    /// The `data:` lines joined with `\n`, decoded.
    pub data: T,
}

/// One event as parsed, before its data is decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    /// The `event:` field, if one was given and is not empty.
    pub event: Option<String>,
    /// The last event ID set so far (empty IDs reset it to `None`).
    pub id: Option<String>,
    /// A `retry:` field (ASCII digits, milliseconds) seen since the previous event.
    pub retry: Option<Duration>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// An incremental `text/event-stream` parser: feed it chunks as they arrive, take events out.
#[derive(Debug, Default, Clone)]
pub struct SseParser {
    line: Vec<u8>,
    started: bool,
    after_cr: bool,
    data: String,
    has_data: bool,
    event: String,
    last_id: Option<String>,
    retry: Option<Duration>,
    reconnection_time: Option<Duration>,
    ready: VecDeque<RawEvent>,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `chunk`; complete events become available from [`SseParser::next_event`].
    pub fn feed(&mut self, mut chunk: &[u8]) {
        if !self.started {
            // A BOM is skipped only at the very start; it may arrive split over chunks.
            const BOM: &[u8] = b"\xEF\xBB\xBF";
            let have = self.line.len();
            let want = (BOM.len() - have).min(chunk.len());
            if BOM[have..have + want] == chunk[..want] {
                self.line.extend_from_slice(&chunk[..want]);
                chunk = &chunk[want..];
                if self.line.len() < BOM.len() {
                    return;
                }
                self.line.clear();
            }
            self.started = true;
        }
        for &b in chunk {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    self.line_done(&line);
                    self.line = line;
                    self.line.clear();
                }
                _ => {
                    self.after_cr = false;
                    self.line.push(b);
                }
            }
        }
    }

    /// The next complete event, if there is one.
    pub fn next_event(&mut self) -> Option<RawEvent> {
        self.ready.pop_front()
    }

    /// The last event ID the stream set (for `Last-Event-ID` when reconnecting).
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The reconnection delay the server last asked for (`retry:`).
    pub fn reconnection_time(&self) -> Option<Duration> {
        self.reconnection_time
    }

    /// Forgets a partly received event (the connection ended before its blank line).
    pub fn reset_partial(&mut self) {
        self.line.clear();
        self.data.clear();
        self.has_data = false;
        self.event.clear();
        self.after_cr = false;
        self.started = false;
    }

    fn line_done(&mut self, line: &[u8]) {
        if line.is_empty() {
            // Dispatch: only an event with data is one.
            if self.has_data {
                let mut data = std::mem::take(&mut self.data);
                if data.ends_with('\n') {
                    data.pop();
                }
                let event = std::mem::take(&mut self.event);
                self.ready.push_back(RawEvent {
                    event: (!event.is_empty()).then_some(event),
                    id: self.last_id.clone(),
                    retry: self.retry.take(),
                    data,
                });
            }
            self.data.clear();
            self.has_data = false;
            self.event.clear();
            return;
        }
        if line[0] == b':' {
            return; // A comment (also the usual keep-alive).
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (&line[..], ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
                self.has_data = true;
            }
            "id" if !value.contains('\0') => {
                self.last_id = (!value.is_empty()).then(|| value.to_string());
            }
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(ms) = value.parse::<u64>() {
                    self.retry = Some(Duration::from_millis(ms));
                    self.reconnection_time = self.retry;
                }
            }
            _ => {}
        }
    }
}

/// How an [`EventStream`] reads and, if asked to, resumes its stream.
#[derive(Debug, Clone, Copy)]
struct Options {
    /// Reconnections allowed after the connection ends or fails (0: none).
    reconnects: u32,
    /// The longest wait for the next bytes of the stream.
    idle_timeout: Option<Duration>,
    /// The delay before reconnecting, until the server sends `retry:`.
    retry: Duration,
}

/// A stream of server-sent events whose `data` decodes into `T`: what an operation with a
/// `text/event-stream` response returns. It is a [`futures_core::Stream`] of
/// `Result<Event<T>, Error<E>>` (use `futures::StreamExt::next`, or `while let Some(e) =
/// std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await`).
///
/// It sends the request when first polled (with the client's retries for error statuses and
/// failed connections, and its request timeout for the response headers only) and reads the
/// body as it arrives, never all of it at once. An event whose `data` does not decode is an
/// [`Error::Decode`] item and the stream goes on; an error status, a failed connection or an
/// idle timeout is the last item, unless reconnection is on ([`EventStream::reconnect`]). The
/// stream ends when the server closes it or sends the API's end sentinel (`[DONE]`).
#[must_use = "streams do nothing unless polled"]
pub struct EventStream<'a, T, E: 'static> {
    state: Option<Box<State<'a, E>>>,
    running: Option<BoxFuture<'a, Step<'a, E>>>,
    decode: Decoder<T>,
}

/// Turns an event's name and `data` into an item, or (path, message) of why it cannot.
pub type Decoder<T> = fn(Option<&str>, &str) -> Result<T, (String, String)>;

/// Decodes an event's `data` as JSON into `T`; data that is not JSON is tried as a JSON string
/// (for `T = String` and plain-text streams).
pub fn event_data<T: DeserializeOwned>(data: &str) -> Result<T, (String, String)> {
    match super::response::decode_json::<T>(data.as_bytes()) {
        Ok(v) => Ok(v),
        Err(err) => T::deserialize(Value::String(data.to_string())).map_err(|_| err),
    }
}

type Step<'a, E> = (
    Option<Result<(RawEvent, StatusCode, HeaderMap), Error<E>>>,
    Box<State<'a, E>>,
);

struct State<'a, E: 'static> {
    client: &'a Client,
    req: RequestSpec,
    errors: ErrorDecoders<E>,
    sentinel: Option<&'static str>,
    options: Options,
    response: Option<reqwest::Response>,
    status: StatusCode,
    headers: HeaderMap,
    parser: SseParser,
    reconnected: u32,
    done: bool,
}

impl<'a, T: DeserializeOwned, E: 'static> EventStream<'a, T, E> {
    /// The stream of `req`'s response, each event's `data` decoded as JSON into `T`;
    /// `sentinel` is a `data` value that ends it.
    pub fn new(
        client: &'a Client,
        req: RequestSpec,
        errors: ErrorDecoders<E>,
        sentinel: Option<&'static str>,
    ) -> Self {
        Self::with_decoder(client, req, errors, sentinel, |_, data| event_data(data))
    }
}

impl<'a, T, E: 'static> EventStream<'a, T, E> {
    /// The stream of `req`'s response, each event made an item by `decode` (given the event's
    /// name and data: events whose data type depends on their name).
    pub fn with_decoder(
        client: &'a Client,
        mut req: RequestSpec,
        errors: ErrorDecoders<E>,
        sentinel: Option<&'static str>,
        decode: Decoder<T>,
    ) -> Self {
        req.accept = Some("text/event-stream");
        EventStream {
            state: Some(Box::new(State {
                client,
                req,
                errors,
                sentinel,
                options: Options {
                    reconnects: 0,
                    idle_timeout: None,
                    retry: Duration::from_secs(3),
                },
                response: None,
                status: StatusCode::OK,
                headers: HeaderMap::new(),
                parser: SseParser::new(),
                reconnected: 0,
                done: false,
            })),
            running: None,
            decode,
        }
    }

    /// Reconnects up to `max` times when the connection ends or fails, sending the last event
    /// ID received as `Last-Event-ID` and waiting the server's `retry:` delay (3 s until it
    /// sends one). Off by default: not every API resumes a stream, and a `POST` that starts a
    /// generation would start another. Takes effect only before the first poll.
    pub fn reconnect(mut self, max: u32) -> Self {
        if let Some(s) = &mut self.state {
            s.options.reconnects = max;
        }
        self
    }

    /// Fails the stream (or reconnects, see [`EventStream::reconnect`]) when no bytes arrive
    /// for `timeout`: keep-alive comments count. Separate from the client's request timeout,
    /// which bounds only the wait for the response headers of a stream.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        if let Some(s) = &mut self.state {
            s.options.idle_timeout = Some(timeout);
        }
        self
    }
}

impl<T, E: 'static> fmt::Debug for EventStream<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("request", &self.state.as_ref().map(|s| &s.req))
            .field("running", &self.running.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a, E: Send + 'static> State<'a, E> {
    /// Reads until the next event, the end, or an error.
    async fn step(mut self: Box<Self>) -> Step<'a, E> {
        loop {
            if let Some(ev) = self.parser.next_event() {
                if self.sentinel.is_some_and(|s| ev.data == s) {
                    self.done = true;
                    self.response = None;
                    return (None, self);
                }
                let (status, headers) = (self.status, self.headers.clone());
                return (Some(Ok((ev, status, headers))), self);
            }
            if self.done {
                return (None, self);
            }
            let Some(response) = self.response.as_mut() else {
                if self.reconnected > 0 {
                    // Reconnecting: the server's delay, and where the stream left off.
                    tokio::time::sleep(self.options.retry).await;
                }
                let mut req = self.req.clone_for_retry();
                if let Some(id) = self.parser.last_event_id() {
                    req.extra_headers.insert(
                        "last-event-id",
                        HeaderValue::from_str(id).unwrap_or(HeaderValue::from_static("")),
                    );
                }
                match self.client.send_streaming(req, self.errors).await {
                    Ok(response) => {
                        self.status = response.status();
                        self.headers = response.headers().clone();
                        self.response = Some(response);
                    }
                    Err(err) => {
                        self.done = true;
                        return (Some(Err(err)), self);
                    }
                }
                continue;
            };
            let chunk = match self.options.idle_timeout {
                Some(t) => match tokio::time::timeout(t, response.chunk()).await {
                    Ok(chunk) => chunk.map_err(Error::from),
                    Err(_) => Err(Error::Timeout),
                },
                None => response.chunk().await.map_err(Error::from),
            };
            match chunk {
                Ok(Some(bytes)) => {
                    self.parser.feed(&bytes);
                    if let Some(retry) = self.parser.reconnection_time() {
                        self.options.retry = retry;
                    }
                }
                ended => {
                    // The server closed the stream (or it failed): an unfinished event is
                    // dropped; reconnect if allowed.
                    self.response = None;
                    self.parser.reset_partial();
                    if self.reconnected < self.options.reconnects {
                        self.reconnected += 1;
                        continue;
                    }
                    self.done = true;
                    if let Err(err) = ended {
                        return (Some(Err(err)), self);
                    }
                    return (None, self);
                }
            }
        }
    }
}

impl<T, E> Stream for EventStream<'_, T, E>
where
    E: Send + 'static,
{
    type Item = Result<Event<T>, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.running.is_none() {
            let Some(state) = this.state.take() else {
                return Poll::Ready(None);
            };
            this.running = Some(Box::pin(state.step()));
        }
        let Some(running) = this.running.as_mut() else {
            return Poll::Ready(None);
        };
        let (item, state) = match running.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(out) => out,
        };
        this.running = None;
        this.state = Some(state);
        let decoder = this.decode;
        Poll::Ready(
            item.map(|r| r.and_then(|(ev, status, headers)| decode(decoder, ev, status, headers))),
        )
    }
}

/// Makes an event an item with `decoder`; an event it cannot decode is an error item.
fn decode<T, E>(
    decoder: Decoder<T>,
    ev: RawEvent,
    status: StatusCode,
    headers: HeaderMap,
) -> Result<Event<T>, Error<E>> {
    let data = match decoder(ev.event.as_deref(), &ev.data) {
        Ok(data) => data,
        Err((path, message)) => {
            return Err(Error::Decode(Box::new(DecodeError {
                status,
                headers,
                path,
                message: match &ev.event {
                    Some(name) => format!("event `{name}`: {message}"),
                    None => message,
                },
                raw: bytes::Bytes::from(ev.data),
            })))
        }
    };
    Ok(Event {
        event: ev.event,
        id: ev.id,
        retry: ev.retry,
        data,
    })
}

impl RequestSpec {
    /// A copy of the request to send again (a reconnection, the next page).
    pub(crate) fn clone_for_retry(&self) -> RequestSpec {
        RequestSpec {
            method: self.method.clone(),
            path_template: self.path_template,
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            extra_headers: self.extra_headers.clone(),
            body: self.body.clone(),
            security: self.security,
            auth_override: self.auth_override.clone(),
            accept: self.accept,
            server: self.server,
            major_params: self.major_params.clone(),
            timeout: self.timeout,
            invalid_body: self.invalid_body.clone(),
        }
    }
}

impl Client {
    /// Sends `req` with the client's retries (error statuses, failed connections) and returns
    /// the 2xx response with its body not yet read. The client's request timeout bounds the
    /// wait for the response headers only: a stream may last longer.
    pub(crate) async fn send_streaming<E>(
        &self,
        req: RequestSpec,
        errors: ErrorDecoders<E>,
    ) -> Result<reqwest::Response, Error<E>> {
        let timeout = req.timeout.or(self.inner.timeout);
        let prepared = self
            .prepare(req, "text/event-stream")
            .map_err(Error::cast)?;
        let policy = &self.inner.retry;
        let names = &self.inner.rate_limit_headers;
        let mut attempt: u32 = 0;
        let deadline = timeout.map(|timeout| std::time::Instant::now() + timeout);
        loop {
            // The client's rate limiter, as for every request (`retry.rs`).
            let mut pending = None;
            if let Some(limiter) = &self.inner.limiter {
                if let Err(limited) = limiter.acquire(&prepared.bucket, deadline).await {
                    return Err(Error::RateLimited(limited));
                }
                pending = Some(super::retry::Pending {
                    limiter: &**limiter,
                    key: &prepared.bucket,
                });
            }
            let mut builder = self
                .inner
                .http
                .request(prepared.method.clone(), prepared.url.clone())
                .headers(prepared.headers.clone());
            builder = match &prepared.body {
                super::request::PreparedBody::Empty => builder,
                super::request::PreparedBody::Bytes(data) => builder.body(data.clone()),
                super::request::PreparedBody::Multipart(m) => builder.multipart(m.to_form()),
            };
            let sent = match self.inner.timeout {
                Some(t) => match tokio::time::timeout(t, builder.send()).await {
                    Ok(r) => r,
                    Err(_) => return Err(Error::Timeout),
                },
                None => builder.send().await,
            };
            let can_retry = attempt < policy.max_retries;
            match sent {
                Ok(response) if response.status().is_success() => {
                    if let Some(pending) = pending {
                        let info = super::RateLimit::read(response.headers(), names);
                        pending.answered(response.status(), &info);
                    }
                    return Ok(response);
                }
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let raw = response.bytes().await.unwrap_or_default();
                    let rate_limit = super::rate_limit::rate_limit_with_body(&headers, names, &raw);
                    if let Some(pending) = pending {
                        pending.answered(status, &rate_limit);
                    }
                    if can_retry {
                        if let Some(wait) = super::retry::retry_wait_for_status(
                            policy,
                            &prepared.method,
                            status,
                            &rate_limit,
                            attempt,
                        ) {
                            tokio::time::sleep(wait).await;
                            attempt += 1;
                            continue;
                        }
                    }
                    return Err(Error::Api(Box::new(super::ApiError {
                        body: super::decode_error_body(errors, status, &raw),
                        status,
                        headers,
                        rate_limit,
                        raw,
                    })));
                }
                Err(err) => {
                    let retryable = policy.retry_connection_errors
                        && (err.is_connect() || super::retry::is_idempotent(&prepared.method));
                    if can_retry && retryable {
                        tokio::time::sleep(policy.backoff(attempt)).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(super::error::transport_error(err, prepared.hide_url));
                }
            }
        }
    }
}
