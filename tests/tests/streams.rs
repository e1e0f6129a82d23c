//! Streams of the runtime against loopback servers on 127.0.0.1: server-sent events
//! (`runtime/sse.rs`: multi-line data, events split across TCP writes, a malformed event, a
//! server closing mid-stream, reconnection with `Last-Event-ID`, the `[DONE]` sentinel, the idle
//! timeout) and pagination (`runtime/paginate.rs`: item cursor, `Link` header, body cursor,
//! offset; each stopping where it should, and `take(n)` fetching only the pages it needs). The
//! SSE parser is also checked against the `eventsource-stream` crate on the same bytes, cut
//! into chunks at every position.

#[allow(dead_code, unused_imports)]
#[path = "../../codegen/runtime/runtime.rs"]
mod runtime;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use runtime::sse::SseParser;
use runtime::{
    Client, Cursor, Error, ErrorDecoders, Event, EventStream, PageSpec, Pages, RequestSpec,
    RetryPolicy, Security,
};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

static NO_AUTH: Security = &[];
static NO_ERRORS: ErrorDecoders<Value> = &[];

/// One step of a scripted response body.
#[derive(Clone)]
enum Step {
    /// Write these bytes (one TCP write, flushed).
    Send(Vec<u8>),
    /// Wait.
    Sleep(u64),
}

fn send(s: &str) -> Step {
    Step::Send(s.as_bytes().to_vec())
}

/// What the server answers to one request: status line + headers, then the steps; the
/// connection closes after the last step (the body ends there).
struct Reply {
    head: String,
    steps: Vec<Step>,
}

fn sse_reply(steps: Vec<Step>) -> Reply {
    Reply {
        head: "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n".into(),
        steps,
    }
}

fn json_reply(body: &Value, extra_headers: &str) -> Reply {
    let body = body.to_string();
    Reply {
        head: format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{extra_headers}",
            body.len()
        ),
        steps: vec![Step::Send(body.into_bytes())],
    }
}

type Handler = Arc<dyn Fn(usize, &str) -> Reply + Send + Sync>;

/// A loopback server: each connection's request head is recorded and answered by `handler`
/// (given the request's index and head).
async fn serve(handler: Handler) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let index = {
                let mut s = record.lock().unwrap();
                s.push(head.clone());
                s.len() - 1
            };
            let reply = handler(index, &head);
            let handler_done = async move {
                sock.write_all(format!("{}\r\n", reply.head).as_bytes())
                    .await
                    .ok()?;
                for step in reply.steps {
                    match step {
                        Step::Send(bytes) => {
                            sock.write_all(&bytes).await.ok()?;
                            sock.flush().await.ok()?;
                        }
                        Step::Sleep(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
                    }
                }
                sock.shutdown().await.ok()
            };
            tokio::spawn(handler_done);
        }
    });
    (base, seen)
}

fn new_client(base: &str) -> Client {
    Client::builder(base)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn get(path: &'static str) -> RequestSpec {
    let mut req = RequestSpec::new(reqwest::Method::GET, path, path);
    req.security = NO_AUTH;
    req
}

#[derive(Debug, Deserialize, PartialEq)]
struct Delta {
    n: u32,
    text: String,
}

async fn collect<T: serde::de::DeserializeOwned>(
    stream: EventStream<'_, T, Value>,
) -> Vec<Result<Event<T>, Error<Value>>> {
    stream.collect().await
}

/// The `stream` flag a stream method sets (and its JSON twin clears) is written into
/// multipart and form bodies too, replacing the request model's own value: OpenAI's
/// transcriptions take it as a multipart field.
#[tokio::test]
async fn the_stream_flag_replaces_the_field_of_multipart_and_form_bodies() {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let client = new_client(&server.uri());
    let post = || {
        let mut req = RequestSpec::new(reqwest::Method::POST, "/t", "/t");
        req.security = NO_AUTH;
        req
    };
    let mut form = runtime::Multipart::new();
    form.text("model", "whisper-1").text("stream", "false");
    let mut req = post();
    req.set_body(Ok(runtime::Body::Multipart(form)));
    req.set_json_flag("stream", true);
    runtime::ResponseFuture::<Value, Value>::json(&client, req, NO_ERRORS)
        .await
        .unwrap();
    let mut req = post();
    req.set_body(Ok(runtime::Body::Form(vec![
        ("stream".into(), "true".into()),
        ("model".into(), "m".into()),
    ])));
    req.set_json_flag("stream", false);
    runtime::ResponseFuture::<Value, Value>::json(&client, req, NO_ERRORS)
        .await
        .unwrap();
    let reqs = server.received_requests().await.unwrap();
    let multipart = String::from_utf8_lossy(&reqs[0].body).into_owned();
    assert_eq!(
        multipart.matches("name=\"stream\"").count(),
        1,
        "{multipart}"
    );
    assert!(
        multipart.contains("name=\"stream\"\r\n\r\ntrue\r\n"),
        "{multipart}"
    );
    assert!(
        multipart.contains("name=\"model\"\r\n\r\nwhisper-1\r\n"),
        "{multipart}"
    );
    assert_eq!(
        String::from_utf8_lossy(&reqs[1].body),
        "model=m&stream=false"
    );
}

// ------------------------------------------------------------------------------------------
// Server-sent events
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn json_events_with_multi_line_data_ids_types_and_retry() {
    let (base, seen) = serve(Arc::new(|_, _| {
        sse_reply(vec![send(
            ": keep-alive comment\n\nid: 1\nevent: delta\ndata: {\"n\": 1,\ndata:  \"text\": \"a\"}\n\n\
             retry: 1500\ndata: {\"n\": 2, \"text\": \"b\\nc\"}\n\n:ping\n\n",
        )])
    }))
    .await;
    let client = new_client(&base);
    let events = collect::<Delta>(EventStream::new(&client, get("/events"), NO_ERRORS, None)).await;
    let events: Vec<Event<Delta>> = events.into_iter().map(Result::unwrap).collect();
    assert_eq!(
        events,
        vec![
            Event {
                event: Some("delta".into()),
                id: Some("1".into()),
                retry: None,
                data: Delta {
                    n: 1,
                    text: "a".into()
                },
            },
            Event {
                event: None,
                // The last ID carries over to later events, as the standard says.
                id: Some("1".into()),
                retry: Some(Duration::from_millis(1500)),
                data: Delta {
                    n: 2,
                    text: "b\nc".into()
                },
            },
        ]
    );
    let head = seen.lock().unwrap()[0].to_ascii_lowercase();
    assert!(head.contains("accept: text/event-stream"), "{head}");
}

#[tokio::test]
async fn an_event_split_across_tcp_writes_byte_by_byte() {
    let body = "\u{feff}id: 7\r\ndata: {\"n\": 3,\r\ndata: \"text\": \"é\"}\r\n\r\ndata: {\"n\": 4, \"text\": \"x\"}\r\r";
    let steps: Vec<Step> = body
        .as_bytes()
        .iter()
        .flat_map(|b| [Step::Send(vec![*b]), Step::Sleep(1)])
        .collect();
    let (base, _) = serve(Arc::new(move |_, _| sse_reply(steps.clone()))).await;
    let client = new_client(&base);
    let events = collect::<Delta>(EventStream::new(&client, get("/e"), NO_ERRORS, None)).await;
    let data: Vec<(Option<String>, Delta)> = events
        .into_iter()
        .map(|e| e.map(|e| (e.id, e.data)).unwrap())
        .collect();
    assert_eq!(
        data,
        vec![
            (
                Some("7".into()),
                Delta {
                    n: 3,
                    text: "é".into()
                }
            ),
            (
                Some("7".into()),
                Delta {
                    n: 4,
                    text: "x".into()
                }
            ),
        ]
    );
}

#[tokio::test]
async fn a_malformed_event_is_an_error_item_and_the_stream_goes_on() {
    let (base, _) = serve(Arc::new(|_, _| {
        sse_reply(vec![send(
            "data: {\"n\": 1, \"text\": \"a\"}\n\nevent: delta\ndata: {not json\n\ndata: {\"n\": 2}\n\ndata: {\"n\": 3, \"text\": \"c\"}\n\n",
        )])
    }))
    .await;
    let client = new_client(&base);
    let events = collect::<Delta>(EventStream::new(&client, get("/e"), NO_ERRORS, None)).await;
    assert_eq!(events.len(), 4);
    assert_eq!(events[0].as_ref().unwrap().data.n, 1);
    match &events[1] {
        Err(Error::Decode(d)) => {
            assert!(d.message.starts_with("event `delta`"), "{}", d.message);
            assert_eq!(&d.raw[..], b"{not json");
        }
        other => panic!("{other:?}"),
    }
    match &events[2] {
        Err(Error::Decode(d)) => assert!(d.message.contains("text"), "{}", d.message),
        other => panic!("{other:?}"),
    }
    assert_eq!(events[3].as_ref().unwrap().data.n, 3);
}

#[tokio::test]
async fn a_server_closing_mid_event_ends_the_stream_without_the_partial_event() {
    let (base, seen) = serve(Arc::new(|_, _| {
        sse_reply(vec![
            send("data: {\"n\": 1, \"text\": \"a\"}\n\n"),
            Step::Sleep(20),
            send("data: {\"n\": 2, \"te"),
        ])
    }))
    .await;
    let client = new_client(&base);
    let events = collect::<Delta>(EventStream::new(&client, get("/e"), NO_ERRORS, None)).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].as_ref().unwrap().data.n, 1);
    // Reconnection is opt-in: one request only.
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn reconnection_sends_last_event_id_and_waits_the_retry_delay() {
    let (base, seen) = serve(Arc::new(|i, _| match i {
        0 => sse_reply(vec![send(
            "retry: 50\nid: 41\ndata: {\"n\": 1, \"text\": \"a\"}\n\nid: 42\ndata: {\"n\": 2, \"text\": \"b\"}\n\ndata: {\"n\": 99",
        )]),
        _ => sse_reply(vec![send("id: 43\ndata: {\"n\": 3, \"text\": \"c\"}\n\n")]),
    }))
    .await;
    let client = new_client(&base);
    let start = std::time::Instant::now();
    let stream = EventStream::new(&client, get("/e"), NO_ERRORS, None).reconnect(1);
    let events = collect::<Delta>(stream).await;
    let got: Vec<(u32, Option<String>)> = events
        .into_iter()
        .map(|e| e.map(|e| (e.data.n, e.id)).unwrap())
        .collect();
    assert_eq!(
        got,
        vec![
            (1, Some("41".into())),
            (2, Some("42".into())),
            (3, Some("43".into()))
        ]
    );
    assert!(start.elapsed() >= Duration::from_millis(50));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "one reconnection allowed");
    assert!(!seen[0].to_ascii_lowercase().contains("last-event-id"));
    assert!(
        seen[1]
            .to_ascii_lowercase()
            .contains("last-event-id: 42\r\n"),
        "{}",
        seen[1]
    );
}

#[tokio::test]
async fn the_done_sentinel_ends_the_stream_while_the_connection_stays_open() {
    let (base, _) = serve(Arc::new(|_, _| {
        sse_reply(vec![
            send("data: {\"n\": 1, \"text\": \"a\"}\n\ndata: [DONE]\n\n"),
            Step::Sleep(30_000),
        ])
    }))
    .await;
    let client = new_client(&base);
    let stream = EventStream::new(&client, get("/e"), NO_ERRORS, Some("[DONE]"));
    let events = tokio::time::timeout(Duration::from_secs(5), collect::<Delta>(stream))
        .await
        .expect("the stream ends at [DONE]");
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn the_idle_timeout_is_separate_from_the_request_timeout() {
    let (base, _) = serve(Arc::new(|_, _| {
        sse_reply(vec![
            send("data: {\"n\": 1, \"text\": \"a\"}\n\n"),
            Step::Sleep(150),
            send(": still here\n\n"),
            Step::Sleep(150),
            send("data: {\"n\": 2, \"text\": \"b\"}\n\n"),
            Step::Sleep(2_000),
        ])
    }))
    .await;
    // A request timeout shorter than the stream: it bounds the response headers only.
    let client = Client::builder(&base)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(250))
        .build()
        .unwrap();
    let stream = EventStream::new(&client, get("/e"), NO_ERRORS, None)
        .idle_timeout(Duration::from_millis(400));
    let events = collect::<Delta>(stream).await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[1].as_ref().unwrap().data.n, 2);
    assert!(matches!(events[2], Err(Error::Timeout)), "{:?}", events[2]);
}

#[tokio::test]
async fn an_error_status_is_the_only_item() {
    let (base, _) = serve(Arc::new(|_, _| {
        json_reply(&json!({"code": "NOPE"}), "").with_status(404)
    }))
    .await;
    let client = new_client(&base);
    let events = collect::<Delta>(EventStream::new(&client, get("/e"), NO_ERRORS, None)).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].as_ref().unwrap_err().status().map(|s| s.as_u16()),
        Some(404)
    );
}

impl Reply {
    fn with_status(mut self, status: u16) -> Reply {
        self.head = self.head.replacen("200 OK", &format!("{status} X"), 1);
        self
    }
}

/// The hand-written parser and `eventsource-stream` agree on the same bytes, whatever the
/// chunking.
#[tokio::test]
async fn the_parser_agrees_with_eventsource_stream() {
    use eventsource_stream::Eventsource;
    let inputs: [&str; 7] = [
        "data: a\n\ndata: b\ndata: c\n\n",
        "event: e1\nid: 5\ndata: x\r\n\r\n:comment\r\ndata:y\r\rdata: z\n\n",
        "data\n\ndata:\ndata:\n\nid: 9\nevent: up\ndata: 1\n\n",
        "retry: 10\ndata: r\n\nretry: x\ndata: s\n\nunknown: 1\ndata: t\n\n",
        "data: {\"a\": [1, 2]}\n\nid\ndata: after-empty-id\n\n",
        "\u{feff}data: bom\n\ndata: end-without-blank-line",
        "data:  two spaces\n\nevent:\ndata: empty event\n\n",
    ];
    for input in inputs {
        let bytes = input.as_bytes();
        for cut in 0..=bytes.len() {
            let mut ours = SseParser::new();
            ours.feed(&bytes[..cut]);
            ours.feed(&bytes[cut..]);
            let mut mine = Vec::new();
            while let Some(e) = ours.next_event() {
                mine.push((
                    e.event.unwrap_or_else(|| "message".into()),
                    e.data,
                    e.id.unwrap_or_default(),
                    e.retry,
                ));
            }
            // eventsource-stream 0.2.3 panics on any leading BOM ("start byte index 1 is not a
            // char boundary"; it strips one byte): it gets those inputs without the BOM, whole.
            let (a, b) = match input.strip_prefix('\u{feff}') {
                Some(rest) => (rest.as_bytes(), &b""[..]),
                None => (&bytes[..cut], &bytes[cut..]),
            };
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(a.to_vec()), Ok(b.to_vec())];
            let theirs: Vec<_> = futures_util::stream::iter(chunks)
                .eventsource()
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .map(|e| {
                    let e = e.unwrap();
                    (e.event, e.data, e.id, e.retry)
                })
                .collect();
            assert_eq!(mine, theirs, "input {input:?} cut at {cut}");
        }
    }
}

#[test]
fn the_parser_takes_cr_lf_and_crlf_line_ends_split_anywhere() {
    let input = b"data: 1\r\n\r\ndata: 2\r\rdata: 3\n\ndata: 4\r\n\n";
    for cut in 0..=input.len() {
        let mut p = SseParser::new();
        p.feed(&input[..cut]);
        p.feed(&input[cut..]);
        let data: Vec<String> = std::iter::from_fn(|| p.next_event())
            .map(|e| e.data)
            .collect();
        assert_eq!(data, ["1", "2", "3", "4"], "cut at {cut}");
    }
}

// ------------------------------------------------------------------------------------------
// Pagination
// ------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, PartialEq, Clone)]
struct Item {
    id: String,
}

fn query_of(head: &str) -> String {
    let target = head.split_whitespace().nth(1).unwrap_or("");
    target
        .split_once('?')
        .map(|(_, q)| q.to_string())
        .unwrap_or_default()
}

fn ids(items: &[Result<Item, Error<Value>>]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.as_ref().unwrap().id.clone())
        .collect()
}

/// Messages 1..=7, newest first, two per page, `before` an ID.
fn history(_: usize, head: &str) -> Reply {
    let q = query_of(head);
    let before: u64 = q
        .split('&')
        .find_map(|p| p.strip_prefix("before="))
        .map_or(u64::MAX, |v| v.parse().unwrap());
    let page: Vec<Value> = (1..=7u64)
        .rev()
        .filter(|id| *id < before)
        .take(2)
        .map(|id| json!({"id": id.to_string()}))
        .collect();
    json_reply(&Value::Array(page), "")
}

#[tokio::test]
async fn item_cursor_walks_back_and_stops_at_the_empty_page() {
    let (base, seen) = serve(Arc::new(history)).await;
    let client = new_client(&base);
    let spec = PageSpec {
        cursor: Cursor::Item {
            param: "before",
            id_field: "id",
        },
        items: None,
        limit: Some("limit"),
    };
    let items: Vec<_> = Pages::<Item, Value>::new(&client, get("/messages"), NO_ERRORS, spec)
        .collect()
        .await;
    assert_eq!(ids(&items), ["7", "6", "5", "4", "3", "2", "1"]);
    let queries: Vec<String> = seen.lock().unwrap().iter().map(|h| query_of(h)).collect();
    // No limit set: the page after the short one is asked for, and it is empty.
    assert_eq!(
        queries,
        ["", "before=6", "before=4", "before=2", "before=1"]
    );
}

#[tokio::test]
async fn item_cursor_stops_at_a_short_page_and_take_fetches_only_what_it_needs() {
    let (base, seen) = serve(Arc::new(history)).await;
    let client = new_client(&base);
    let spec = PageSpec {
        cursor: Cursor::Item {
            param: "before",
            id_field: "id",
        },
        items: None,
        limit: Some("limit"),
    };
    let mut req = get("/messages");
    req.query.push(("limit".into(), "2".into()));
    let items: Vec<_> = Pages::<Item, Value>::new(&client, req, NO_ERRORS, spec)
        .collect()
        .await;
    assert_eq!(items.len(), 7);
    // The fourth page has one item, fewer than the limit: no fifth request.
    assert_eq!(seen.lock().unwrap().len(), 4);

    let (base, seen) = serve(Arc::new(history)).await;
    let client2 = new_client(&base);
    let items: Vec<_> = Pages::<Item, Value>::new(&client2, get("/messages"), NO_ERRORS, spec)
        .take(3)
        .collect()
        .await;
    assert_eq!(ids(&items), ["7", "6", "5"]);
    assert_eq!(seen.lock().unwrap().len(), 2, "two pages hold three items");
}

#[tokio::test]
async fn link_header_pagination_follows_rel_next_until_there_is_none() {
    let (base, seen) = serve(Arc::new(|_, head| {
        let q = query_of(head);
        let page: u32 = q
            .split('&')
            .find_map(|p| p.strip_prefix("page="))
            .map_or(1, |v| v.parse().unwrap());
        let port = head
            .lines()
            .find_map(|l| l.strip_prefix("host: "))
            .unwrap_or("")
            .to_string();
        let link = if page < 3 {
            format!(
                "link: <http://{port}/repos?per_page=2&page={}>; rel=\"next\", <http://{port}/repos?per_page=2&page=3>; rel=\"last\"\r\n",
                page + 1
            )
        } else {
            format!("link: <http://{port}/repos?per_page=2&page=1>; rel=\"first\"\r\n")
        };
        let items: Vec<Value> = (0..2)
            .map(|i| json!({"id": format!("{page}-{i}")}))
            .collect();
        json_reply(&Value::Array(items), &link)
    }))
    .await;
    let client = new_client(&base);
    let spec = PageSpec {
        cursor: Cursor::Link,
        items: None,
        limit: Some("per_page"),
    };
    let mut req = get("/repos");
    req.query.push(("per_page".into(), "2".into()));
    let items: Vec<_> = Pages::<Item, Value>::new(&client, req, NO_ERRORS, spec)
        .collect()
        .await;
    assert_eq!(ids(&items), ["1-0", "1-1", "2-0", "2-1", "3-0", "3-1"]);
    let queries: Vec<String> = seen.lock().unwrap().iter().map(|h| query_of(h)).collect();
    assert_eq!(
        queries,
        ["per_page=2", "per_page=2&page=2", "per_page=2&page=3"]
    );
}

#[tokio::test]
async fn body_cursor_pagination_stops_at_a_null_cursor() {
    let (base, seen) = serve(Arc::new(|_, head| {
        let q = query_of(head);
        let (items, next) = if q.contains("cursor=c2") {
            (vec![json!({"id": "c"})], Value::Null)
        } else if q.contains("cursor=c1") {
            (vec![json!({"id": "b"})], json!("c2"))
        } else {
            (vec![json!({"id": "a"})], json!("c1"))
        };
        json_reply(&json!({"data": items, "next_cursor": next}), "")
    }))
    .await;
    let client = new_client(&base);
    let spec = PageSpec {
        cursor: Cursor::Body {
            param: "cursor",
            next: Some("next_cursor"),
            has_more: None,
            from_last_item: None,
        },
        items: Some("data"),
        limit: None,
    };
    let items: Vec<_> = Pages::<Item, Value>::new(&client, get("/events"), NO_ERRORS, spec)
        .collect()
        .await;
    assert_eq!(ids(&items), ["a", "b", "c"]);
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn stripe_style_has_more_and_starting_after_the_last_item() {
    let (base, seen) = serve(Arc::new(|_, head| {
        let q = query_of(head);
        let (items, more) = match q.as_str() {
            "limit=2" => (vec!["ch_1", "ch_2"], true),
            "limit=2&starting_after=ch_2" => (vec!["ch_3", "ch_4"], true),
            "limit=2&starting_after=ch_4" => (vec!["ch_5", "ch_6"], false),
            other => panic!("unexpected query {other}"),
        };
        let items: Vec<Value> = items.iter().map(|i| json!({"id": i})).collect();
        json_reply(
            &json!({"object": "list", "data": items, "has_more": more}),
            "",
        )
    }))
    .await;
    let client = new_client(&base);
    let spec = PageSpec {
        cursor: Cursor::Body {
            param: "starting_after",
            next: None,
            has_more: Some("has_more"),
            from_last_item: Some("id"),
        },
        items: Some("data"),
        limit: Some("limit"),
    };
    let mut req = get("/v1/charges");
    req.query.push(("limit".into(), "2".into()));
    let items: Vec<_> = Pages::<Item, Value>::new(&client, req, NO_ERRORS, spec)
        .collect()
        .await;
    assert_eq!(
        ids(&items),
        ["ch_1", "ch_2", "ch_3", "ch_4", "ch_5", "ch_6"]
    );
    assert_eq!(seen.lock().unwrap().len(), 3, "has_more: false is the end");
}

#[tokio::test]
async fn offset_pagination_advances_by_the_items_received() {
    let (base, seen) = serve(Arc::new(|_, head| {
        let q = query_of(head);
        let offset: usize = q
            .split('&')
            .find_map(|p| p.strip_prefix("offset="))
            .map_or(0, |v| v.parse().unwrap());
        let items: Vec<Value> = (offset..5.min(offset + 2))
            .map(|i| json!({"id": i.to_string()}))
            .collect();
        json_reply(&json!({"results": items}), "")
    }))
    .await;
    let client = new_client(&base);
    let spec = PageSpec {
        cursor: Cursor::Offset { param: "offset" },
        items: Some("results"),
        limit: Some("limit"),
    };
    let mut req = get("/rows");
    req.query.push(("limit".into(), "2".into()));
    let items: Vec<_> = Pages::<Item, Value>::new(&client, req, NO_ERRORS, spec)
        .collect()
        .await;
    assert_eq!(ids(&items), ["0", "1", "2", "3", "4"]);
    let queries: Vec<String> = seen.lock().unwrap().iter().map(|h| query_of(h)).collect();
    assert_eq!(queries, ["limit=2", "limit=2&offset=2", "limit=2&offset=4"]);
}

#[tokio::test]
async fn a_page_error_is_the_last_item() {
    let (base, seen) = serve(Arc::new(|i, _| match i {
        0 => json_reply(&json!([{"id": "9"}, {"id": "8"}]), ""),
        _ => json_reply(&json!({"code": "BOOM"}), "").with_status(500),
    }))
    .await;
    let client = new_client(&base);
    let spec = PageSpec {
        cursor: Cursor::Item {
            param: "before",
            id_field: "id",
        },
        items: None,
        limit: None,
    };
    let items: Vec<_> = Pages::<Item, Value>::new(&client, get("/m"), NO_ERRORS, spec)
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[2].as_ref().unwrap_err().status().map(|s| s.as_u16()),
        Some(500)
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
}

// ------------------------------------------------------------------------------------------
// A generated crate: events told apart by their `event:` name
// ------------------------------------------------------------------------------------------

/// `codegen/tests/fixtures/streams/openapi.yaml` generated into a crate whose integration test
/// (`tests/streams/events.rs`) reads events from a loopback server: each event decodes into the
/// variant of the enum its `event:` name selects.
#[test]
fn a_generated_crate_dispatches_events_by_name() {
    use std::path::{Path, PathBuf};
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let spec = repo.join("codegen/tests/fixtures/streams/openapi.yaml");
    let work = repo.join("target/streams-fixture");
    let _ = std::fs::remove_dir_all(&work);
    let config = codegen::Config::beside(&spec).unwrap();
    let mut out = codegen::generate(&spec, &config).unwrap_or_else(|e| panic!("{e}"));
    let test = std::fs::read_to_string(repo.join("tests/streams/events.rs")).unwrap();
    out.files.insert("tests/events.rs".into(), test);
    let manifest = out.files.get_mut(&PathBuf::from("Cargo.toml")).unwrap();
    assert!(manifest.trim_end().contains("[dev-dependencies]"));
    manifest.push_str("wiremock = \"0.6\"\nserde_json = \"1\"\n\n[workspace]\n");
    codegen::write::write(&work, &out.files).unwrap();
    // The workspace lock file: dependency versions as tested.
    std::fs::copy(repo.join("Cargo.lock"), work.join("Cargo.lock")).unwrap();
    let output =
        integration_tests::aux_cargo(&work, &["test", "--all-features", "--test", "events"])
            .output()
            .unwrap();
    let text = integration_tests::output_text(&output);
    assert!(output.status.success(), "streams fixture failed:\n{text}");
    assert!(
        text.contains("test result: ok. 2 passed"),
        "the event tests did not run:\n{text}"
    );
}
