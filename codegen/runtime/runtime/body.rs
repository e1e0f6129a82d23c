//! Request bodies: [`Body`], [`Multipart`] and [`FilePart`].

use std::convert::Infallible;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::*;

/// A request body.
#[derive(Clone, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// A JSON document (`Content-Type: application/json`).
    Json(Vec<u8>),
    /// `application/x-www-form-urlencoded` pairs, not yet encoded.
    Form(Vec<(String, String)>),
    /// `multipart/form-data`.
    Multipart(Multipart),
    /// Raw bytes with their media type.
    Bytes {
        /// The `Content-Type` to send.
        content_type: String,
        /// The body.
        data: bytes::Bytes,
    },
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bodies may hold passwords: show only their shape.
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Json(data) => write!(f, "Json({} bytes)", data.len()),
            Body::Form(pairs) => write!(f, "Form({} fields)", pairs.len()),
            Body::Multipart(m) => write!(f, "Multipart({} parts)", m.parts.len()),
            Body::Bytes { content_type, data } => {
                write!(f, "Bytes({content_type}, {} bytes)", data.len())
            }
        }
    }
}

impl Body {
    /// Serializes `v` as a JSON body.
    pub fn json<T: Serialize + ?Sized>(v: &T) -> Result<Body, serde_json::Error> {
        serde_json::to_vec(v).map(Body::Json)
    }

    /// Serializes `v` (which must serialize to a JSON object) as a form body, every field in
    /// OpenAPI's default style for forms (`form`, exploded; see [`push_styled`]); nulls are
    /// skipped.
    pub fn form<T: Serialize + ?Sized>(v: &T) -> Result<Body, serde_json::Error> {
        Body::form_styled(v, &[])
    }

    /// [`Body::form`] with the fields named in `styles` encoded in their style (the body's
    /// `encoding` object).
    pub fn form_styled<T: Serialize + ?Sized>(
        v: &T,
        styles: &[(&str, Style)],
    ) -> Result<Body, serde_json::Error> {
        // File fields are added as file parts by the operation: here they serialize as
        // nothing (`types::Binary`'s JSON form is its text, which is not what is sent).
        let value = files_as_parts(|| serde_json::to_value(v))?;
        let Value::Object(map) = value else {
            return Err(<serde_json::Error as serde::ser::Error>::custom(
                "a form body must serialize to an object",
            ));
        };
        let mut pairs = Vec::new();
        for (key, value) in &map {
            let style = styles
                .iter()
                .find(|(name, _)| name == key)
                .map_or(Style::Form, |(_, style)| *style);
            push_styled(&mut pairs, key, value, style);
        }
        Ok(Body::Form(pairs))
    }

    /// A raw body with its media type.
    pub fn bytes(content_type: impl Into<String>, data: impl Into<bytes::Bytes>) -> Body {
        Body::Bytes {
            content_type: content_type.into(),
            data: data.into(),
        }
    }
}

impl From<Multipart> for Body {
    fn from(value: Multipart) -> Self {
        Body::Multipart(value)
    }
}

/// A `multipart/form-data` body described as data, so that it can be cloned and rebuilt for
/// each attempt.
#[derive(Clone, Debug, Default)]
pub struct Multipart {
    parts: Vec<(String, PartData)>,
}

#[derive(Clone)]
enum PartData {
    Text(String),
    Json(String),
    /// Text with a declared media type.
    Typed(String, String),
    File(FilePart),
}

/// Whether a media type is JSON (`application/json`, `…+json`).
fn is_json_media(media: &str) -> bool {
    let media = media.split(';').next().unwrap_or("").trim();
    media.eq_ignore_ascii_case("application/json") || media.to_ascii_lowercase().ends_with("+json")
}

impl fmt::Debug for PartData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartData::Text(text) => write!(f, "Text({} bytes)", text.len()),
            PartData::Json(text) => write!(f, "Json({} bytes)", text.len()),
            PartData::Typed(content_type, text) => {
                write!(f, "Typed({content_type}, {} bytes)", text.len())
            }
            PartData::File(file) => write!(
                f,
                "File({:?}, {:?}, {} bytes)",
                file.file_name,
                file.content_type,
                file.data.len()
            ),
        }
    }
}

impl Multipart {
    /// An empty multipart body.
    pub fn new() -> Self {
        Multipart::default()
    }

    /// Adds a text part.
    pub fn text(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.parts.push((name.into(), PartData::Text(value.into())));
        self
    }

    /// Adds a part holding `value` as JSON text, with `Content-Type: application/json`.
    pub fn json<T: Serialize + ?Sized>(
        &mut self,
        name: impl Into<String>,
        value: &T,
    ) -> Result<&mut Self, serde_json::Error> {
        let text = serde_json::to_string(value)?;
        self.parts.push((name.into(), PartData::Json(text)));
        Ok(self)
    }

    /// Adds a file part.
    pub fn file(&mut self, name: impl Into<String>, file: FilePart) -> &mut Self {
        self.parts.push((name.into(), PartData::File(file)));
        self
    }

    /// Replaces every part named `name` by one text part (an operation's `stream` flag).
    pub(crate) fn set_text(&mut self, name: &str, value: &str) {
        self.parts.retain(|(n, _)| n != name);
        self.parts
            .push((name.to_string(), PartData::Text(value.to_string())));
    }

    /// Number of parts.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether there are no parts.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Builds parts from the top-level fields of `v` (which must serialize to an object), as
    /// OpenAPI's defaults for multipart say: a string as a text part, a number or bool as its
    /// text, an object as an `application/json` part, an array as one part per item (the same
    /// name repeated; items that are objects or arrays as JSON parts); nulls skipped.
    pub fn from_serialize<T: Serialize + ?Sized>(v: &T) -> Result<Multipart, serde_json::Error> {
        Multipart::from_serialize_with(v, &[], &[])
    }

    /// [`Multipart::from_serialize`] with the media types of the parts of the fields named in
    /// `content_types` (the body's `encoding.contentType`): a JSON media type sends the whole
    /// field as one JSON part, another one each item (or the value) as text of that type. The
    /// fields named in `deep_objects` (an `encoding` entry with `style: deepObject`, as
    /// Stripe's file upload has) go as one text part per leaf, named as `deepObject` spells
    /// it: `file_link_data[create]`, `expand[]`, `items[0][price]`.
    pub fn from_serialize_with<T: Serialize + ?Sized>(
        v: &T,
        content_types: &[(&str, &str)],
        deep_objects: &[&str],
    ) -> Result<Multipart, serde_json::Error> {
        // File fields are added as file parts by the operation: here they serialize as
        // nothing (`types::Binary`'s JSON form is its text, which is not what is sent).
        let value = files_as_parts(|| serde_json::to_value(v))?;
        let Value::Object(map) = value else {
            return Err(<serde_json::Error as serde::ser::Error>::custom(
                "a multipart body must serialize to an object",
            ));
        };
        let mut multipart = Multipart::new();
        for (name, value) in map {
            if deep_objects.contains(&name.as_str()) {
                let mut pairs = Vec::new();
                push_styled(&mut pairs, &name, &value, Style::DeepObject);
                for (name, text) in pairs {
                    multipart.parts.push((name, PartData::Text(text)));
                }
                continue;
            }
            let declared = content_types
                .iter()
                .find(|(field, _)| *field == name)
                .map(|(_, content_type)| *content_type);
            match declared {
                Some(content_type) if is_json_media(content_type) => {
                    if !value.is_null() {
                        multipart.parts.push((
                            name,
                            PartData::Typed(content_type.to_owned(), value.to_string()),
                        ));
                    }
                }
                _ => {
                    let items = match value {
                        Value::Array(items) => items,
                        value => vec![value],
                    };
                    for item in items {
                        let part = match item {
                            Value::Null => continue,
                            Value::String(text) => PartData::Text(text),
                            Value::Bool(_) | Value::Number(_) => PartData::Text(item.to_string()),
                            Value::Array(_) | Value::Object(_) => PartData::Json(item.to_string()),
                        };
                        let part = match (declared, part) {
                            (Some(content_type), PartData::Text(text) | PartData::Json(text)) => {
                                PartData::Typed(content_type.to_owned(), text)
                            }
                            (_, part) => part,
                        };
                        multipart.parts.push((name.clone(), part));
                    }
                }
            }
        }
        Ok(multipart)
    }

    /// Checks that every file's media type parses (done before the first attempt).
    pub(super) fn validate(&self) -> Result<(), Error<Infallible>> {
        for (name, part) in &self.parts {
            let content_type = match part {
                PartData::File(FilePart {
                    content_type: Some(content_type),
                    ..
                })
                | PartData::Typed(content_type, _) => Some(content_type),
                _ => None,
            };
            if let Some(content_type) = content_type {
                reqwest::multipart::Part::text("")
                    .mime_str(content_type)
                    .map_err(|_| {
                        Error::InvalidRequest(format!(
                            "invalid content type `{content_type}` for part `{name}`"
                        ))
                    })?;
            }
        }
        Ok(())
    }

    /// Converts to a `reqwest` form (cheap: file data is reference-counted). A part whose media
    /// type does not parse is sent without one; [`Client`] rejects such bodies before sending.
    pub fn to_form(&self) -> reqwest::multipart::Form {
        use reqwest::multipart::{Form, Part};
        let mut form = Form::new();
        for (name, part) in &self.parts {
            let part = match part {
                PartData::Text(text) => Part::text(text.clone()),
                PartData::Json(text) => {
                    let build = || Part::text(text.clone());
                    build()
                        .mime_str("application/json")
                        .unwrap_or_else(|_| build())
                }
                PartData::Typed(content_type, text) => {
                    let build = || Part::text(text.clone());
                    build().mime_str(content_type).unwrap_or_else(|_| build())
                }
                PartData::File(file) => {
                    let build = || {
                        let len = file.data.len() as u64;
                        let part =
                            Part::stream_with_length(reqwest::Body::from(file.data.clone()), len);
                        match &file.file_name {
                            Some(file_name) => part.file_name(file_name.clone()),
                            None => part,
                        }
                    };
                    let mime = file
                        .content_type
                        .as_deref()
                        .unwrap_or("application/octet-stream");
                    build().mime_str(mime).unwrap_or_else(|_| build())
                }
            };
            form = form.part(name.clone(), part);
        }
        form
    }
}

thread_local! {
    /// Whether a multipart body is being serialized on this thread (see [`files_as_parts`]).
    static FILES_AS_PARTS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (a serialization) with binary values serializing as nothing, as a multipart body
/// needs: its file fields become file parts, added by the operation. Serialization is
/// synchronous, so a thread-local flag is enough; it is reset even if `f` panics.
fn files_as_parts<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            FILES_AS_PARTS.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(FILES_AS_PARTS.with(|c| c.replace(true)));
    f()
}

/// Whether binary values serialize as nothing here because they are sent as file parts
/// (inside [`Multipart::from_serialize_with`]); elsewhere their JSON form is their text.
pub(crate) fn serializing_file_parts() -> bool {
    FILES_AS_PARTS.with(std::cell::Cell::get)
}

/// A file in a multipart body.
#[derive(Clone, Debug)]
pub struct FilePart {
    /// The `filename` of the part's `Content-Disposition`.
    pub file_name: Option<String>,
    /// The part's media type (`application/octet-stream` when `None`).
    pub content_type: Option<String>,
    /// The file's content.
    pub data: bytes::Bytes,
}

impl FilePart {
    /// A file part without file name or media type.
    pub fn new(data: impl Into<bytes::Bytes>) -> Self {
        FilePart {
            file_name: None,
            content_type: None,
            data: data.into(),
        }
    }

    /// A file part with a file name.
    pub fn named(file_name: impl Into<String>, data: impl Into<bytes::Bytes>) -> Self {
        FilePart::new(data).with_file_name(file_name)
    }

    /// Sets the file name.
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// Sets the media type.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}
