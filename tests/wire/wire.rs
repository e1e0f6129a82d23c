//! What a crate generated from `tests/wire/openapi.yaml` puts on the wire, read back from a
//! loopback server (wiremock on 127.0.0.1): one test per defect of issue 13.

use fixture_wire::apis::choice::CreateThingBody;
use fixture_wire::apis::form::GetQueryParams;
use fixture_wire::models::{
    Attachment, EditBody, EditBodyFiles, EditBodyVideo, FileBody, FileBodyLink, FormBody, Item,
    Point, Range, Thing, UploadBody,
};
use fixture_wire::types::Binary;
use fixture_wire::{Client, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn server() -> MockServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = MockServer::builder().listener(listener).start().await;
    let raw = |ct: &str, body: &[u8]| ResponseTemplate::new(200).set_body_raw(body.to_vec(), ct);
    for (p, ct, body) in [
        ("/api/audio", "audio/wav", &b"RIFF\0\0WAVE"[..]),
        ("/api/text", "text/plain", &b"not json"[..]),
        ("/api/video", "video/mp4", &b"\0\0\0\x18ftypmp42"[..]),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(raw(ct, body))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/api/attach"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(&br#"{"filename":"b.txt","content":"stored"}"#[..], "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    Client::builder(&format!("{}/api", server.uri()))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn only_request(server: &MockServer) -> Request {
    let mut all = server.received_requests().await.unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

fn header(req: &Request, name: &str) -> String {
    req.headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The query string as sent, percent-decoded pair by pair.
fn query(req: &Request) -> Vec<(String, String)> {
    req.url
        .query_pairs()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Defect 1: form bodies and query strings in the style their description declares.
#[tokio::test]
async fn form_and_query_styles() {
    let server = server().await;
    let c = client(&server);
    let mut body = FormBody::new("n");
    body.tags = Some(vec!["a".into(), "b".into()]);
    body.metadata = Some([("key".to_string(), "v".to_string())].into_iter().collect());
    body.expand = Some(vec!["customer".into(), "invoice".into()]);
    let mut item = Item::new();
    item.price = Some("price_1".into());
    item.quantity = Some(2);
    body.items = Some(vec![item]);
    body.csv = Some(vec!["x".into(), "y".into()]);
    body.piped = Some(vec!["p".into(), "q".into()]);
    c.form().post_form(&body).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        header(&req, "content-type"),
        "application/x-www-form-urlencoded"
    );
    let sent: Vec<(String, String)> = url::form_urlencoded::parse(&req.body)
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    assert_eq!(
        sent,
        // Fields in name order (the runtime serializes through a sorted JSON map).
        pairs(&[
            ("csv", "x,y"),
            ("expand[]", "customer"),
            ("expand[]", "invoice"),
            ("items[0][price]", "price_1"),
            ("items[0][quantity]", "2"),
            ("metadata[key]", "v"),
            ("name", "n"),
            ("piped", "p|q"),
            ("tags", "a"),
            ("tags", "b"),
        ])
    );

    let server2 = self::server().await;
    let c = client(&server2);
    let mut created = Range::new();
    created.gte = Some(10);
    let mut point = Point::new();
    point.x = Some(1);
    point.y = Some(2);
    let params = GetQueryParams::new()
        .ids(vec![1, 2])
        .csv(vec!["a".into(), "b".into()])
        .spaced(vec!["c".into(), "d".into()])
        .piped(vec!["e".into(), "f".into()])
        .expand(vec!["g".into()])
        .created(created)
        .point(point.clone())
        .spread(point);
    c.form().get_query().params(params).await.unwrap();
    let req = only_request(&server2).await;
    assert_eq!(
        query(&req),
        pairs(&[
            ("ids", "1"),
            ("ids", "2"),
            ("csv", "a,b"),
            ("spaced", "c d"),
            ("piped", "e|f"),
            ("expand[]", "g"),
            ("created[gte]", "10"),
            ("point", "x,1,y,2"),
            ("x", "1"),
            ("y", "2"),
        ])
    );
}

fn parts(req: &Request) -> Vec<(String, String, Vec<u8>)> {
    let content_type = header(req, "content-type");
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .unwrap()
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let body = String::from_utf8_lossy(&req.body).into_owned();
    let mut out = Vec::new();
    for chunk in body.split(&delimiter).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        let chunk = chunk
            .strip_prefix("\r\n")
            .unwrap()
            .strip_suffix("\r\n")
            .unwrap();
        let (headers, data) = chunk.split_once("\r\n\r\n").unwrap();
        let name = headers
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let ct = headers
            .lines()
            .find_map(|l| {
                l.strip_prefix("content-type: ")
                    .or(l.strip_prefix("Content-Type: "))
            })
            .unwrap_or("")
            .to_string();
        out.push((name.to_string(), ct, data.as_bytes().to_vec()));
    }
    out
}

/// Defect 2: multipart arrays as one part per item, objects as JSON parts, declared media types.
#[tokio::test]
async fn multipart_parts_per_item_and_declared_types() {
    let server = server().await;
    let c = client(&server);
    // Not UTF-8: a file part carries any bytes (only a JSON form needs text).
    let mut body = UploadBody::new(Binary::new("a.png", b"\x89PNG".to_vec()));
    body.tags = Some(vec!["t1".into(), "t2".into()]);
    body.attachments = Some(vec![
        Binary::new("b.txt", b"one".to_vec()),
        Binary::new("c.txt", b"two".to_vec()),
    ]);
    let mut p = Point::new();
    p.x = Some(1);
    body.meta = Some(p.clone());
    body.notes = Some(vec![p.clone(), p.clone()]);
    body.session = Some(p);
    body.sdp = Some("v=0".into());
    c.multipart().upload(&body).await.unwrap();
    let req = only_request(&server).await;
    let got: Vec<(String, String, String)> = parts(&req)
        .into_iter()
        .map(|(n, ct, d)| (n, ct, String::from_utf8(d).unwrap()))
        .collect();
    // Fields in name order, then the files.
    let want: Vec<(String, String, String)> = [
        ("meta", "application/json", r#"{"x":1}"#),
        ("notes", "application/json", r#"{"x":1}"#),
        ("notes", "application/json", r#"{"x":1}"#),
        ("sdp", "application/sdp", "v=0"),
        ("session", "application/json", r#"{"x":1}"#),
        ("tags", "", "t1"),
        ("tags", "", "t2"),
        ("file", "application/octet-stream", "\u{fffd}PNG"),
        ("attachments", "application/octet-stream", "one"),
        ("attachments", "application/octet-stream", "two"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
    assert!(req.body.windows(4).any(|w| w == b"\x89PNG"), "file bytes");
}

/// A multipart field whose `encoding` says `style: deepObject` (Stripe's `POST /v1/files`
/// `file_link_data` and `expand`) goes as one text part per leaf, `link[create]`, as Stripe
/// reads it; it used to be one `application/json` part, which Prism refuses too.
#[tokio::test]
async fn multipart_deep_object_fields_are_a_part_per_leaf() {
    let server = server().await;
    let c = client(&server);
    let link = FileBodyLink::new(true).metadata([("k".to_string(), "v".to_string())]);
    let body = FileBody::new(Binary::new("a.txt", b"hi".to_vec()), "dispute_evidence")
        .expand(vec!["link".into(), "owner".into()])
        .link(link);
    c.multipart().upload_file_with_link(&body).await.unwrap();
    let req = only_request(&server).await;
    let text = |n: &str, d: &[u8]| (n.to_string(), String::new(), d.to_vec());
    assert_eq!(
        parts(&req),
        vec![
            text("expand[]", b"link"),
            text("expand[]", b"owner"),
            text("link[create]", b"true"),
            text("link[metadata][k]", b"v"),
            text("purpose", b"dispute_evidence"),
            (
                "file".to_string(),
                "application/octet-stream".to_string(),
                b"hi".to_vec()
            ),
        ]
    );
}

/// A file under a union (openai's `CreateVideoEdit` `video`: a file or a reference to one;
/// `CreateSkillVersion` `files`: a list of files or one) is a file part, one per file; the
/// union's other branches are sent like any field. These used to be left out of the body.
#[tokio::test]
async fn files_under_a_union_are_file_parts() {
    let server = server().await;
    let c = client(&server);
    let files = EditBodyFiles::BytesList(vec![
        Binary::new("a.md", b"one".to_vec()),
        Binary::new("b.md", b"two".to_vec()),
    ]);
    let body = EditBody::new(
        EditBodyVideo::Bytes(Binary::new("v.mp4", b"\0\0\0\x18ftyp".to_vec())),
        "slower",
    )
    .files(files);
    c.multipart().edit_video(&body).await.unwrap();
    let one = EditBody::new(EditBodyVideo::Point(Point::new().x(3)), "faster")
        .files(EditBodyFiles::Bytes(Binary::new("s.zip", b"PK".to_vec())));
    c.multipart().edit_video(&one).await.unwrap();
    let all = server.received_requests().await.unwrap();
    assert_eq!(all.len(), 2);
    let want = |list: &[(&str, &str, &[u8])]| -> Vec<(String, String, Vec<u8>)> {
        list.iter()
            .map(|(n, ct, d)| (n.to_string(), ct.to_string(), d.to_vec()))
            .collect()
    };
    assert_eq!(
        parts(&all[0]),
        want(&[
            ("prompt", "", b"slower"),
            ("video", "application/octet-stream", b"\0\0\0\x18ftyp"),
            ("files", "application/octet-stream", b"one"),
            ("files", "application/octet-stream", b"two"),
        ])
    );
    assert_eq!(
        parts(&all[1]),
        want(&[
            ("prompt", "", b"faster"),
            ("video", "application/json", br#"{"x":3}"#),
            ("files", "application/octet-stream", b"PK"),
        ])
    );
}

/// Issue 12: a `format: binary` property of a JSON body is its contents as a string, both
/// ways (it used to be written as `null`).
#[tokio::test]
async fn binary_in_a_json_body_is_its_text() {
    let server = server().await;
    let c = client(&server);
    let body = Attachment::new("a.txt", Binary::new("ignored.txt", b"hello".to_vec()));
    let stored = c.binary().attach(&body).await.unwrap().into_inner();
    let req = only_request(&server).await;
    assert_eq!(
        String::from_utf8_lossy(&req.body),
        r#"{"filename":"a.txt","content":"hello"}"#
    );
    assert_eq!(stored.content.data, b"stored");
    assert_eq!(stored.filename, "b.txt");
    // Contents that are not UTF-8 have no JSON form: an error, not a corrupted body.
    let bad = Attachment::new("x", Binary::new("x", vec![0xff, 0xfe]));
    assert!(c.binary().attach(&bad).await.is_err());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// Defect 3: raw bodies carry the media type the caller names, or the one the spec declares.
#[tokio::test]
async fn raw_bodies_carry_a_concrete_media_type() {
    let server = server().await;
    let c = client(&server);
    c.raw()
        .post_any("application/pdf", bytes::Bytes::from_static(b"%PDF"))
        .await
        .unwrap();
    c.raw()
        .put_image("image/png", bytes::Bytes::from_static(b"\x89PNG"))
        .await
        .unwrap();
    c.raw().post_csv("a,b\n1,2\n").await.unwrap();
    let all = server.received_requests().await.unwrap();
    let seen: Vec<(String, String, Vec<u8>)> = all
        .iter()
        .map(|r| {
            (
                r.url.path().to_string(),
                header(r, "content-type"),
                r.body.clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "/api/raw/any".into(),
                "application/pdf".into(),
                b"%PDF".to_vec()
            ),
            (
                "/api/raw/image".into(),
                "image/png".into(),
                b"\x89PNG".to_vec()
            ),
            (
                "/api/raw/csv".into(),
                "text/csv".into(),
                b"a,b\n1,2\n".to_vec()
            ),
        ]
    );
}

/// Defect 4: each request media type of an operation can be sent.
#[tokio::test]
async fn every_request_media_type_is_offered() {
    let server = server().await;
    let c = client(&server);
    let mut thing = Thing::new("t");
    thing.size = Some(3);
    c.choice()
        .create_thing(&CreateThingBody::Json(thing.clone()))
        .await
        .unwrap();
    c.choice()
        .create_thing(&CreateThingBody::Multipart(thing))
        .await
        .unwrap();
    c.choice()
        .create_thing(&CreateThingBody::Csv("name,size\nt,3\n".into()))
        .await
        .unwrap();
    let all = server.received_requests().await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(header(&all[0], "content-type"), "application/json");
    assert_eq!(all[0].body, br#"{"name":"t","size":3}"#);
    assert!(header(&all[1], "content-type").starts_with("multipart/form-data; boundary="));
    let names: Vec<(String, Vec<u8>)> =
        parts(&all[1]).into_iter().map(|(n, _, d)| (n, d)).collect();
    assert_eq!(
        names,
        vec![
            ("name".into(), b"t".to_vec()),
            ("size".into(), b"3".to_vec())
        ]
    );
    assert_eq!(header(&all[2], "content-type"), "text/csv");
    assert_eq!(all[2].body, b"name,size\nt,3\n");
}

/// Defect 5: non-JSON responses come back as bytes, and `Accept` names what the operation
/// declares.
#[tokio::test]
async fn non_json_responses_are_not_decoded_as_json() {
    let server = server().await;
    let c = client(&server);
    let audio = c.responses().get_audio().await.unwrap();
    assert_eq!(&audio.body()[..], b"RIFF\0\0WAVE");
    let text = c.responses().get_text().await.unwrap();
    assert_eq!(&text.body()[..], b"not json");
    let video = c.responses().get_video().await.unwrap();
    assert_eq!(&video.body()[..], b"\0\0\0\x18ftypmp42");
    let accepts: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| header(r, "accept"))
        .collect();
    assert_eq!(
        accepts,
        vec![
            "audio/wav",
            "text/plain, application/json",
            "application/json, video/mp4"
        ]
    );
}

/// Defect 6: an operation's and a path item's servers are used, and the caller can redirect
/// or ignore them.
#[tokio::test]
async fn operation_and_path_item_servers() {
    let server = server().await;
    let base = server.uri();
    let c = Client::builder(&format!("{base}/api"))
        .server_url("https://files.example.com/v1", format!("{base}/files-host"))
        .server_url("https://eu.example.com/v2", format!("{base}/eu-host/"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    c.servers().upload_file().await.unwrap();
    c.servers().get_regional().await.unwrap();
    c.servers().get_plain().await.unwrap();
    let ignoring = Client::builder(&format!("{base}/api"))
        .operation_servers(false)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    ignoring.servers().upload_file().await.unwrap();
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        vec![
            "/files-host/files",
            "/eu-host/regional",
            "/api/plain",
            "/api/files"
        ]
    );
}

/// Defect 7: constant parameters are always sent and are not arguments.
#[tokio::test]
async fn constant_parameters_are_always_sent() {
    let server = server().await;
    let c = client(&server);
    c.constants()
        .search("q1")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        query(&req),
        pairs(&[
            ("q", "q1"),
            ("type", "artist"),
            ("include_external", "audio")
        ])
    );
    assert_eq!(header(&req, "x-api-version"), "2");
}

/// Issue 16, item 2 and 3: required arguments in the first call (an ID as anything that
/// converts into a `Snowflake`), optional ones chained on the builder, `.await`ed directly.
#[tokio::test]
async fn builder_calls_send_required_and_chained_optional_parameters() {
    use fixture_wire::types::Snowflake;
    let server = server().await;
    let c = client(&server);
    c.ergo()
        .list_messages(1100000000000000001_u64, "needle")
        .limit(50)
        .before(Snowflake::new(1200000000000000002))
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.url.path(), "/api/channels/1100000000000000001/messages");
    assert_eq!(
        query(&req),
        pairs(&[
            ("q", "needle"),
            ("limit", "50"),
            ("before", "1200000000000000002")
        ])
    );

    // Without optional parameters, and with them all at once (`params`), replacing earlier ones.
    let server = self::server().await;
    let c = client(&server);
    let id = Snowflake::new(7);
    c.ergo().list_messages(id, "a").send().await.unwrap();
    c.ergo()
        .list_messages(id, "b")
        .limit(1)
        .params(fixture_wire::apis::ergo::ListMessagesParams::new().before(8_u64))
        .await
        .unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 2);
    assert_eq!(query(&reqs[0]), pairs(&[("q", "a")]));
    assert_eq!(query(&reqs[1]), pairs(&[("q", "b"), ("before", "8")]));
}

/// Issue 16, item 1: a request model built with its constructor and chained setters
/// (`impl Into` values, `Nullable::Null` clearing a field, a union from its variant) sends
/// exactly the fields set.
#[tokio::test]
async fn request_models_built_with_setters_send_what_was_set() {
    use fixture_wire::models::{ChannelEdit, Target};
    use fixture_wire::types::{Nullable, Snowflake};
    let server = server().await;
    let c = client(&server);
    let mut point = Point::new();
    point.x = Some(3);
    let edit = ChannelEdit::new("general")
        .topic(Nullable::Null)
        .owner(42_u64)
        .tags(["a".to_string(), "b".to_string()])
        .nsfw(false)
        .position(2)
        .target(point);
    assert!(matches!(edit.target, Some(Target::Point(_))));
    c.ergo()
        .edit_channel(Snowflake::new(5), &edit)
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method.as_str(), "PATCH");
    assert_eq!(req.url.path(), "/api/channels/5/messages");
    assert_eq!(
        String::from_utf8(req.body).unwrap(),
        r#"{"name":"general","topic":null,"owner":"42","tags":["a","b"],"nsfw":false,"position":2,"target":{"x":3}}"#
    );

    // A string value for a nullable field, and a field left out.
    let server = self::server().await;
    let c = client(&server);
    let edit = ChannelEdit::new(String::from("x")).topic("news");
    c.ergo().edit_channel(1_u64, &edit).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        String::from_utf8(req.body).unwrap(),
        r#"{"name":"x","topic":"news"}"#
    );
}
