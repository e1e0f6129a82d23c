//! [`ResponseFuture`], the future an operation returns.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde::de::DeserializeOwned;

use super::*;

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
pub(super) enum Expect {
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

impl<T, E: 'static> ResponseFuture<'_, T, E> {
    /// Gives this call its own deadline instead of the client's ([`ClientBuilder::timeout`]):
    /// retries and rate-limit waits included. No effect once the future has been polled.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        if let Some((req, _, _)) = self.start.as_mut() {
            req.timeout = Some(timeout);
        }
        self
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
