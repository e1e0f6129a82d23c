//! Parameter serialization: path segments, query strings and form fields in the OpenAPI styles.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::Value;

/// How a query parameter or form field is written (OpenAPI `style` and `explode`).
///
/// Values are what the parameter serializes to as JSON; `null`s are skipped everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    /// `form`, exploded (the default): `name=v`; arrays `name=a&name=b`; objects `k1=v1&k2=v2`.
    Form,
    /// `form`, not exploded: `name=a,b`; objects `name=k1,v1,k2,v2`.
    FormUnexploded,
    /// `spaceDelimited`: `name=a b` (arrays; objects `k1 v1 k2 v2`).
    SpaceDelimited,
    /// `pipeDelimited`: `name=a|b` (arrays; objects `k1|v1|k2|v2`).
    PipeDelimited,
    /// `deepObject` as Stripe and Rails read it: `name[k]=v`, nested `name[k][k2]=v`; arrays
    /// of scalars `name[]=a&name[]=b`, arrays holding objects or arrays by index,
    /// `name[0][k]=v`.
    DeepObject,
}

/// Adds `value` as parameter `name` in `style` to `out` (query pairs or form fields, not yet
/// percent-encoded).
///
/// OpenAPI defines the styles for scalars, arrays of scalars and flat objects. What it leaves
/// undefined is written as follows: an object or array nested inside a `form` or delimited
/// value is written in its `simple` form (`k,v,…`, `a,b`); a scalar in a delimited style is
/// `name=v`.
pub fn push_styled(out: &mut Vec<(String, String)>, name: &str, value: &Value, style: Style) {
    let join = |items: Vec<String>, sep: &str, out: &mut Vec<(String, String)>| {
        if !items.is_empty() {
            out.push((name.to_owned(), items.join(sep)));
        }
    };
    match (style, value) {
        (_, Value::Null) => {}
        (Style::DeepObject, value) => flatten_deep(name.to_owned(), value, out),
        (_, Value::Bool(_) | Value::Number(_) | Value::String(_)) => {
            out.push((name.to_owned(), value_param_string(value)))
        }
        (Style::Form, Value::Array(items)) => out.extend(
            items
                .iter()
                .filter(|item| !item.is_null())
                .map(|item| (name.to_owned(), value_param_string(item))),
        ),
        (Style::Form, Value::Object(map)) => out.extend(
            map.iter()
                .filter(|(_, item)| !item.is_null())
                .map(|(key, item)| (key.clone(), value_param_string(item))),
        ),
        (style, value) => {
            let sep = match style {
                Style::SpaceDelimited => " ",
                Style::PipeDelimited => "|",
                _ => ",",
            };
            let items: Vec<String> = match value {
                Value::Array(items) => items
                    .iter()
                    .filter(|item| !item.is_null())
                    .map(value_param_string)
                    .collect(),
                Value::Object(map) => map
                    .iter()
                    .filter(|(_, item)| !item.is_null())
                    .flat_map(|(key, item)| [key.clone(), value_param_string(item)])
                    .collect(),
                _ => Vec::new(),
            };
            join(items, sep, out)
        }
    }
}

/// `deepObject` flattening (see [`Style::DeepObject`]); nulls are skipped.
fn flatten_deep(name: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (key, value) in map {
                flatten_deep(format!("{name}[{key}]"), value, out);
            }
        }
        Value::Array(items) => {
            let scalars = items
                .iter()
                .all(|item| !matches!(item, Value::Object(_) | Value::Array(_)));
            for (index, value) in items.iter().enumerate() {
                if scalars {
                    flatten_deep(format!("{name}[]"), value, out);
                } else {
                    flatten_deep(format!("{name}[{index}]"), value, out);
                }
            }
        }
        scalar => out.push((name, value_param_string(scalar))),
    }
}

/// Characters left alone by [`encode_path_segment`] and query encoding: RFC 3986 unreserved.
const UNRESERVED_COMPLEMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes everything except unreserved characters (`A-Z a-z 0-9 - . _ ~`), so the
/// result is safe as one path segment (`"a/b c"` → `"a%2Fb%20c"`).
pub fn encode_path_segment(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED_COMPLEMENT).to_string()
}

/// Encodes query pairs as `a=1&b=2`, percent-encoding everything but unreserved characters.
pub fn encode_query(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(utf8_percent_encode(name, UNRESERVED_COMPLEMENT));
        out.push('=');
        out.extend(utf8_percent_encode(value, UNRESERVED_COMPLEMENT));
    }
    out
}

/// Encodes pairs as `application/x-www-form-urlencoded` (space as `+`).
pub fn form_urlencode(pairs: &[(String, String)]) -> String {
    encode_query(pairs).replace("%20", "+")
}

/// Turns any serializable value into the string used in a path/query/header: strings without
/// quotes, numbers, bools, enums via their serde wire form. Arrays become comma-separated
/// lists and objects `key,value,...` (OpenAPI `simple` style); `null` (and a value that fails
/// to serialize) becomes an empty string.
pub fn param_string<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_value(v)
        .map(|value| value_param_string(&value))
        .unwrap_or_default()
}

pub(super) fn value_param_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter(|item| !item.is_null())
            .map(value_param_string)
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .flat_map(|(k, v)| [k.clone(), value_param_string(v)])
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// Adds query parameter `name` (OpenAPI `form` style, exploded): `null`/`None` adds nothing,
/// arrays add one `name=item` per item, objects add one `key=value` per field, anything else
/// one `name=value`.
pub fn query_push<T: Serialize + ?Sized>(query: &mut Vec<(String, String)>, name: &str, value: &T) {
    let Ok(value) = serde_json::to_value(value) else {
        return;
    };
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for item in items.iter().filter(|item| !item.is_null()) {
                query.push((name.to_owned(), value_param_string(item)));
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter().filter(|(_, item)| !item.is_null()) {
                query.push((key.clone(), value_param_string(item)));
            }
        }
        scalar => query.push((name.to_owned(), value_param_string(&scalar))),
    }
}

/// Adds an array query parameter: `explode` → `name=a&name=b`, otherwise `name=a,b`. An empty
/// array adds nothing; `null` items are skipped.
pub fn query_push_array<T: Serialize>(
    query: &mut Vec<(String, String)>,
    name: &str,
    values: &[T],
    explode: bool,
) {
    let items: Vec<String> = values
        .iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .filter(|v| !v.is_null())
        .map(|v| value_param_string(&v))
        .collect();
    if items.is_empty() {
        return;
    }
    if explode {
        query.extend(items.into_iter().map(|item| (name.to_owned(), item)));
    } else {
        query.push((name.to_owned(), items.join(",")));
    }
}

/// Adds a `deepObject` query parameter (see [`Style::DeepObject`]): `name[key]=value`, nested
/// objects as `name[key][sub]=value`, arrays of scalars as `name[key][]=value`; nulls skipped.
/// A scalar value adds `name=value`.
pub fn query_push_deep<T: Serialize + ?Sized>(
    query: &mut Vec<(String, String)>,
    name: &str,
    value: &T,
) {
    query_push_styled(query, name, value, Style::DeepObject);
}

/// Adds query parameter `name` in `style` (see [`push_styled`]).
pub fn query_push_styled<T: Serialize + ?Sized>(
    query: &mut Vec<(String, String)>,
    name: &str,
    value: &T,
    style: Style,
) {
    if let Ok(value) = serde_json::to_value(value) {
        push_styled(query, name, &value, style);
    }
}
