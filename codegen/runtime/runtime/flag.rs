//! Setting a boolean property of a request's JSON body: the `stream` flag of operations that
//! answer with JSON or with server-sent events depending on it.

use serde_json::Value;

use super::{Body, RequestSpec};

impl RequestSpec {
    /// Sets the boolean property `name` of the body (an operation's `stream` flag), so that
    /// one request type serves the JSON and the streamed form of the operation: a JSON
    /// body's property, or a multipart or form body's field (`true`/`false`), replacing what
    /// the request model wrote there.
    pub fn set_json_flag(&mut self, name: &str, value: bool) {
        match &mut self.body {
            Body::Json(data) => {
                if let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(data) {
                    map.insert(name.to_string(), Value::Bool(value));
                    if let Ok(data) = serde_json::to_vec(&map) {
                        self.body = Body::Json(data);
                    }
                }
            }
            Body::Multipart(form) => form.set_text(name, if value { "true" } else { "false" }),
            Body::Form(pairs) => {
                pairs.retain(|(n, _)| n != name);
                pairs.push((name.to_string(), value.to_string()));
            }
            Body::Empty | Body::Bytes { .. } => {}
        }
    }
}
