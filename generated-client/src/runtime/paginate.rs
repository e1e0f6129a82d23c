//! Paginated list operations as a stream of items ([`Pages`]): each page is one ordinary
//! request through [`Client::execute`] (credentials, retries, rate limits), sent only when the
//! items of the previous page are used up, so `take(n)` fetches only the pages it needs.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use reqwest::header::{HeaderMap, LINK};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{BoxFuture, Client, DecodeError, Error, ErrorDecoders, RequestSpec};

/// How the request for the next page is made from the current page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// The query parameter `param` takes the `id_field` of the page's items: with `before`,
    /// the smallest when every ID is a decimal number (else the last item's), otherwise the
    /// largest (else the last item's). So a history read newest first goes back in time,
    /// whatever order a page lists its items in.
    Item {
        /// The query parameter (`before`, `after`).
        param: &'static str,
        /// The item property the cursor is taken from (`id`).
        id_field: &'static str,
    },
    /// The URL of the `Link` response header's `rel="next"`.
    Link,
    /// The query parameter `param` takes the body's `next` property, or the `from_last_item`
    /// property of the last item; the end is a missing, null or empty cursor or `has_more`
    /// being `false`.
    Body {
        /// The query parameter (`cursor`, `starting_after`).
        param: &'static str,
        /// The body property holding the next cursor (`next_cursor`).
        next: Option<&'static str>,
        /// The boolean body property that is `false` on the last page (`has_more`).
        has_more: Option<&'static str>,
        /// The item property the cursor is taken from, on the last item (`id`).
        from_last_item: Option<&'static str>,
    },
    /// The query parameter `param` is advanced by the number of items received.
    Offset {
        /// The query parameter (`offset`).
        param: &'static str,
    },
}

/// Where a paginated operation's items are and how its pages continue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSpec {
    /// How the next page is asked for.
    pub cursor: Cursor,
    /// The body property holding the items; `None`: the body is the array.
    pub items: Option<&'static str>,
    /// The page-size query parameter: a page shorter than the size asked for is the last.
    pub limit: Option<&'static str>,
}

/// The items of a paginated operation, across pages: a [`futures_core::Stream`] of
/// `Result<T, Error<E>>`. It ends after the last page (an empty page, a page shorter than the
/// `limit` asked for, no next cursor or `Link`); an error is its last item. Nothing is sent
/// until it is polled, and a page only when the previous one's items are used up.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<'a, T, E: 'static> {
    state: Option<Box<State<'a, E>>>,
    running: Option<BoxFuture<'a, Step<'a, E>>>,
    _item: PhantomData<fn() -> T>,
}

type Step<'a, E> = (
    Option<Result<(Value, StatusCode, HeaderMap), Error<E>>>,
    Box<State<'a, E>>,
);

struct State<'a, E: 'static> {
    client: &'a Client,
    next: Option<RequestSpec>,
    errors: ErrorDecoders<E>,
    spec: PageSpec,
    buffer: VecDeque<Value>,
    status: StatusCode,
    headers: HeaderMap,
    /// Cursors already sent: a server repeating one would loop forever.
    seen: Vec<String>,
}

impl<'a, T, E: 'static> Pages<'a, T, E> {
    /// The items of `req` (the first page) and the pages after it.
    pub fn new(
        client: &'a Client,
        req: RequestSpec,
        errors: ErrorDecoders<E>,
        spec: PageSpec,
    ) -> Self {
        Pages {
            state: Some(Box::new(State {
                client,
                next: Some(req),
                errors,
                spec,
                buffer: VecDeque::new(),
                status: StatusCode::OK,
                headers: HeaderMap::new(),
                seen: Vec::new(),
            })),
            running: None,
            _item: PhantomData,
        }
    }
}

impl<T, E: 'static> fmt::Debug for Pages<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("spec", &self.state.as_ref().map(|s| s.spec))
            .field("running", &self.running.is_some())
            .finish_non_exhaustive()
    }
}

fn query_value<'q>(req: &'q RequestSpec, name: &str) -> Option<&'q str> {
    req.query
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn set_query(req: &mut RequestSpec, name: &str, value: String) {
    req.query.retain(|(k, _)| k != name);
    req.query.push((name.to_string(), value));
}

/// A cursor value as sent in a query string: strings as they are, numbers in decimal.
fn cursor_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The `rel="next"` target of a `Link` header (RFC 8288).
pub fn link_next(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all(LINK) {
        let Ok(value) = value.to_str() else { continue };
        for link in value.split(',') {
            let Some((target, params)) = link.trim().split_once('>') else {
                continue;
            };
            let target = target.trim().strip_prefix('<')?;
            let next = params.split(';').any(|p| {
                let p = p.trim();
                p.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("rel")
                        && v.trim()
                            .trim_matches('"')
                            .split_ascii_whitespace()
                            .any(|r| r.eq_ignore_ascii_case("next"))
                })
            });
            if next {
                return Some(target.to_string());
            }
        }
    }
    None
}

impl<'a, E: Send + 'static> State<'a, E> {
    async fn step(mut self: Box<Self>) -> Step<'a, E> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                let (status, headers) = (self.status, self.headers.clone());
                return (Some(Ok((item, status, headers))), self);
            }
            let Some(req) = self.next.take() else {
                return (None, self);
            };
            let template = req.clone_for_retry();
            let response = match self.client.execute::<Value, E>(req, self.errors).await {
                Ok(r) => r,
                Err(err) => return (Some(Err(err)), self),
            };
            let (status, headers, body) = response.into_parts();
            let items = match self.spec.items {
                None => body.as_array(),
                Some(field) => body.get(field).and_then(Value::as_array),
            };
            let Some(items) = items else {
                let path = self.spec.items.map_or(".".to_string(), |f| f.to_string());
                let err = Error::Decode(Box::new(DecodeError {
                    status,
                    headers,
                    path,
                    message: "expected the array of a page's items".to_string(),
                    raw: bytes::Bytes::from(body.to_string()),
                }));
                return (Some(Err(err)), self);
            };
            self.next = self.next_request(template, &body, items, &headers);
            self.buffer = items.iter().cloned().collect();
            self.status = status;
            self.headers = headers;
        }
    }

    /// The request for the page after `page`, or `None` at the end.
    fn next_request(
        &mut self,
        mut req: RequestSpec,
        body: &Value,
        items: &[Value],
        headers: &HeaderMap,
    ) -> Option<RequestSpec> {
        if items.is_empty() {
            return None;
        }
        let short = self
            .spec
            .limit
            .and_then(|l| query_value(&req, l))
            .and_then(|l| l.parse::<usize>().ok())
            .is_some_and(|l| items.len() < l);
        let (param, cursor) = match self.spec.cursor {
            Cursor::Link => {
                let next = link_next(headers)?;
                // The next URL is absolute; it must stay on the server the first page came
                // from (credentials go with it).
                let base = self.client.server_for(req.server).trim_end_matches('/');
                let rest = next.strip_prefix(base)?;
                if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')) {
                    return None;
                }
                if self.seen.iter().any(|s| s == rest) {
                    return None;
                }
                self.seen.push(rest.to_string());
                req.path = rest.to_string();
                req.query.clear();
                return Some(req);
            }
            _ if short => return None,
            Cursor::Item { param, id_field } => {
                let ids: Vec<&Value> = items.iter().filter_map(|i| i.get(id_field)).collect();
                let numbers: Option<Vec<u64>> = ids
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.parse().ok(),
                        Value::Number(n) => n.as_u64(),
                        _ => None,
                    })
                    .collect();
                let cursor = match numbers.filter(|n| !n.is_empty()) {
                    Some(n) if param == "before" => n.iter().min().map(u64::to_string),
                    Some(n) => n.iter().max().map(u64::to_string),
                    None => items.last()?.get(id_field).and_then(cursor_text),
                };
                (param, cursor?)
            }
            Cursor::Body {
                param,
                next,
                has_more,
                from_last_item,
            } => {
                if let Some(flag) = has_more {
                    if body.get(flag).and_then(Value::as_bool) != Some(true) {
                        return None;
                    }
                }
                let cursor = match (next, from_last_item) {
                    (Some(next), _) => body.get(next).and_then(cursor_text),
                    (None, Some(field)) => items.last()?.get(field).and_then(cursor_text),
                    (None, None) => None,
                };
                (param, cursor?)
            }
            Cursor::Offset { param } => {
                let offset = query_value(&req, param)
                    .and_then(|o| o.parse::<usize>().ok())
                    .unwrap_or(0);
                (param, (offset + items.len()).to_string())
            }
        };
        if self.seen.contains(&cursor) {
            return None;
        }
        self.seen.push(cursor.clone());
        set_query(&mut req, param, cursor);
        Some(req)
    }
}

impl<T, E> Stream for Pages<'_, T, E>
where
    T: DeserializeOwned,
    E: Send + 'static,
{
    type Item = Result<T, Error<E>>;

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
        let failed = matches!(item, Some(Err(_)));
        // An error ends the stream: there is no next page to ask for.
        this.state = (!failed).then_some(state);
        Poll::Ready(item.map(|r| {
            r.and_then(|(value, status, headers)| {
                let raw = serde_json::to_vec(&value).unwrap_or_default();
                super::response::decode_json::<T>(&raw).map_err(|(path, message)| {
                    Error::Decode(Box::new(DecodeError {
                        status,
                        headers,
                        path,
                        message,
                        raw: bytes::Bytes::from(raw),
                    }))
                })
            })
        }))
    }
}
