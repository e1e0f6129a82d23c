//! What a crate generated from `codegen/tests/fixtures/streams/openapi.yaml` reads from a
//! loopback server (wiremock on 127.0.0.1): events told apart by their `event:` name decode
//! into the variant that name selects.

use std::future::poll_fn;
use std::pin::pin;

use futures_core::Stream;
use streams_fixture::apis::default::WatchUpdatesEvent;
use streams_fixture::{Client, Error, Event, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn events(body: &str) -> (Vec<Result<Event<WatchUpdatesEvent>, Error>>, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(method("GET"))
        .and(path("/updates"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/event-stream"),
        )
        .mount(&server)
        .await;
    let client = Client::builder(&server.uri())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let mut stream = pin!(client.default().watch_updates_stream());
    let mut out = Vec::new();
    while let Some(item) = poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
        out.push(item);
    }
    let requests = server.received_requests().await.unwrap();
    let accept = requests[0]
        .headers
        .get("accept")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (out, accept)
}

#[tokio::test]
async fn events_decode_into_the_variant_their_name_selects() {
    let (items, accept) = events(concat!(
        "event: delta\nid: 1\ndata: {\"n\": 1,\ndata: \"text\": \"a\"}\n\n",
        "event: item.added\ndata: {\"id\": \"7\"}\n\n",
        ": keep-alive\n\n",
        "event: done\ndata: {\"text\": \"ok\"}\n\n",
    ))
    .await;
    assert_eq!(accept, "text/event-stream");
    let items: Vec<Event<WatchUpdatesEvent>> = items.into_iter().map(Result::unwrap).collect();
    assert_eq!(items.len(), 3, "{items:?}");
    match &items[0].data {
        WatchUpdatesEvent::Delta(d) => {
            assert_eq!(d.n, 1);
            assert_eq!(d.text.as_deref(), Some("a"));
        }
        other => panic!("expected a delta: {other:?}"),
    }
    assert_eq!(items[0].event.as_deref(), Some("delta"));
    assert_eq!(items[0].id.as_deref(), Some("1"));
    match &items[1].data {
        WatchUpdatesEvent::ItemAdded(item) => assert_eq!(item.id, "7"),
        other => panic!("expected an added item: {other:?}"),
    }
    match &items[2].data {
        WatchUpdatesEvent::Done(c) => assert_eq!(c.text.as_deref(), Some("ok")),
        other => panic!("expected done: {other:?}"),
    }
}

#[tokio::test]
async fn an_unnamed_event_is_other_and_a_bad_one_is_an_error_item() {
    let (items, _) = events(concat!(
        "event: ping\ndata: {\"at\": 5}\n\n",
        "data: plain text\n\n",
        // `n` is required in a delta: an error item, and the stream goes on.
        "event: delta\ndata: {\"text\": \"no n\"}\n\n",
        "event: done\ndata: {}\n\n",
    ))
    .await;
    assert_eq!(items.len(), 4, "{items:?}");
    match &items[0] {
        Ok(Event {
            data: WatchUpdatesEvent::Other(v),
            event,
            ..
        }) => {
            assert_eq!(v, &serde_json::json!({"at": 5}));
            assert_eq!(event.as_deref(), Some("ping"));
        }
        other => panic!("expected other: {other:?}"),
    }
    match &items[1] {
        Ok(Event {
            data: WatchUpdatesEvent::Other(v),
            ..
        }) => assert_eq!(v, &serde_json::json!("plain text")),
        other => panic!("expected other: {other:?}"),
    }
    match &items[2] {
        Err(Error::Decode(e)) => assert!(e.message.contains("event `delta`"), "{e:?}"),
        other => panic!("expected a decode error: {other:?}"),
    }
    assert!(matches!(
        &items[3],
        Ok(Event {
            data: WatchUpdatesEvent::Done(_),
            ..
        })
    ));
}
