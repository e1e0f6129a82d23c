//! The fixed part of a generated crate's `conformance` module (feature `test-registry`): the
//! outcome of a call, the entry point the gate's driver calls, and the helpers the generated
//! `op_N` functions use to read their arguments from JSON. Copied verbatim to
//! `src/conformance/support.rs`; the generated `src/conformance.rs` re-exports the public part.
use serde_json::Value;

use super::start;

/// One operation the client calls.
#[derive(Clone, Copy, Debug)]
pub struct OperationInfo {
    /// The operationId (or the name derived from method and path without one).
    pub id: &'static str,
    /// JSON pointer of the operation in the original document.
    pub pointer: &'static str,
    /// The request body's media types as written, the preferred one (the default) first;
    /// empty without a body.
    pub body_media_types: &'static [&'static str],
}

/// What one call produced.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CallOutcome {
    /// The response status, when a response came.
    pub status: Option<u16>,
    /// The values of the response's `sl-violations` headers (Prism's request violations, a
    /// JSON array each), as received.
    pub violations: Vec<String>,
    /// How the call ended.
    pub kind: OutcomeKind,
}

/// How a call ended.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum OutcomeKind {
    /// A 2xx response whose body decoded into the operation's response type.
    Success,
    /// A non-2xx response.
    Api {
        /// Whether the body decoded into an error model of the operation.
        decoded: bool,
        /// The raw body.
        raw: String,
    },
    /// A 2xx response whose body did not decode into the response type.
    Decode {
        /// JSON path of the failure.
        path: String,
        /// The decoder's message.
        message: String,
        /// The raw body.
        raw: String,
    },
    /// No response: transport failure, timeout, or a request the client refused to build.
    Transport(String),
    /// The JSON arguments did not fit the operation's Rust arguments: nothing was sent.
    Arguments(String),
}

impl CallOutcome {
    fn arguments(message: String) -> CallOutcome {
        CallOutcome {
            status: None,
            violations: Vec::new(),
            kind: OutcomeKind::Arguments(message),
        }
    }

    fn from_result<T>(result: crate::Result<T>) -> CallOutcome {
        let (status, headers, kind) = match result {
            Ok(response) => (
                Some(response.status()),
                Some(response.headers().clone()),
                OutcomeKind::Success,
            ),
            Err(crate::Error::Api(api)) => (
                Some(api.status),
                Some(api.headers.clone()),
                OutcomeKind::Api {
                    decoded: api.body.is_some(),
                    raw: String::from_utf8_lossy(&api.raw).into_owned(),
                },
            ),
            Err(crate::Error::Decode(decode)) => (
                Some(decode.status),
                Some(decode.headers.clone()),
                OutcomeKind::Decode {
                    path: decode.path.clone(),
                    message: decode.message.clone(),
                    raw: String::from_utf8_lossy(&decode.raw).into_owned(),
                },
            ),
            Err(other) => (
                other.status(),
                None,
                OutcomeKind::Transport(other.to_string()),
            ),
        };
        let violations = headers
            .iter()
            .flat_map(|h| h.get_all("sl-violations"))
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        CallOutcome {
            status: status.map(|s| s.as_u16()),
            violations,
            kind,
        }
    }

    /// The outcome as one JSON object: `status`, `violations` (the headers' arrays joined),
    /// `outcome` (`success`, `api`, `decode`, `transport`, `arguments`) and its details.
    pub fn to_json(&self) -> Value {
        let mut violations = Vec::new();
        for v in &self.violations {
            match serde_json::from_str::<Value>(v) {
                Ok(Value::Array(items)) => violations.extend(items),
                Ok(other) => violations.push(other),
                Err(_) => violations.push(Value::String(v.clone())),
            }
        }
        let mut out = serde_json::Map::new();
        out.insert(
            "status".into(),
            self.status.map_or(Value::Null, Value::from),
        );
        out.insert("violations".into(), Value::Array(violations));
        let (outcome, details): (&str, Vec<(&str, Value)>) = match &self.kind {
            OutcomeKind::Success => ("success", vec![]),
            OutcomeKind::Api { decoded, raw } => (
                "api",
                vec![
                    ("decoded", Value::Bool(*decoded)),
                    ("raw", Value::from(raw.as_str())),
                ],
            ),
            OutcomeKind::Decode { path, message, raw } => (
                "decode",
                vec![
                    ("path", Value::from(path.as_str())),
                    ("message", Value::from(message.as_str())),
                    ("raw", Value::from(raw.as_str())),
                ],
            ),
            OutcomeKind::Transport(m) => ("transport", vec![("message", Value::from(m.as_str()))]),
            OutcomeKind::Arguments(m) => ("arguments", vec![("message", Value::from(m.as_str()))]),
        };
        out.insert("outcome".into(), Value::from(outcome));
        for (k, v) in details {
            out.insert(k.into(), v);
        }
        Value::Object(out)
    }
}

/// Calls operation `operation_id` with `args`; `None` when the client has no such operation.
pub async fn call(client: &crate::Client, operation_id: &str, args: Value) -> Option<CallOutcome> {
    match start(client, operation_id, &args)? {
        Ok(future) => Some(future.await),
        Err(message) => Some(CallOutcome::arguments(message)),
    }
}

pub(super) type Started<'a> = Result<crate::runtime::BoxFuture<'a, CallOutcome>, String>;

/// The call's future, its response turned into a [`CallOutcome`].
#[allow(dead_code)] // an API without such arguments does not use it
pub(super) fn finish<'a, T, F>(future: F) -> Started<'a>
where
    F: std::future::Future<Output = crate::Result<T>> + Send + 'a,
{
    Ok(Box::pin(
        async move { CallOutcome::from_result(future.await) },
    ))
}

/// The JSON at `args[place][name]`, if given.
#[allow(dead_code)] // an API without such arguments does not use it
pub(super) fn given<'v>(args: &'v Value, place: &str, name: &str) -> Option<&'v Value> {
    if place.is_empty() {
        args.get(name)
    } else {
        args.get(place)?.get(name)
    }
}

#[allow(dead_code)] // an API without such arguments does not use it
fn decode<T: serde::de::DeserializeOwned>(v: &Value, place: &str, name: &str) -> Result<T, String> {
    T::deserialize(v).map_err(|e| format!("{place} `{name}`: {e}"))
}

/// A required argument.
#[allow(dead_code)] // an API without such arguments does not use it
pub(super) fn required<T: serde::de::DeserializeOwned>(
    args: &Value,
    place: &str,
    name: &str,
) -> Result<T, String> {
    match given(args, place, name) {
        Some(v) => decode(v, place, name),
        None => Err(format!("{place} `{name}` is required")),
    }
}

/// An optional argument: absent is `None`.
#[allow(dead_code)] // an API without such arguments does not use it
pub(super) fn optional<T: serde::de::DeserializeOwned>(
    args: &Value,
    place: &str,
    name: &str,
) -> Result<Option<T>, String> {
    given(args, place, name)
        .map(|v| decode(v, place, name))
        .transpose()
}

/// A raw body: a JSON string's text, or the JSON text of anything else.
#[allow(dead_code)] // an API without such arguments does not use it
pub(super) fn raw_body(args: &Value) -> String {
    match args.get("body") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}
