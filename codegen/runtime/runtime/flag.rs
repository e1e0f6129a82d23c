//! Setting a boolean property of a request's JSON body: the `stream` flag of operations that
//! answer with JSON or with server-sent events depending on it.

use serde_json::Value;

use super::{Body, RequestSpec};

impl RequestSpec {
    /// Sets the boolean property `name` of the JSON body (an operation's `stream` flag), so
    /// that one request type serves the JSON and the streamed form of the operation.
    pub fn set_json_flag(&mut self, name: &str, value: bool) {
        if let Body::Json(data) = &self.body {
            if let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(data) {
                map.insert(name.to_string(), Value::Bool(value));
                if let Ok(data) = serde_json::to_vec(&map) {
                    self.body = Body::Json(data);
                }
            }
        }
    }
}
