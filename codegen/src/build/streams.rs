//! Operations that continue past one response: server-sent event streams
//! (`text/event-stream` responses) and paginated lists. Both give an operation a second method
//! returning a `Stream` (see `runtime/sse.rs` and `runtime/paginate.rs`).
//!
//! An event's `data` type is 3.1's `itemSchema`, the `data` property of a schema describing
//! the whole event, or the schema; a `oneOf`/`anyOf` whose every variant names its `event`
//! (and has a `data`) is dispatched by that name instead ([`EventDispatch`]).
//!
//! Pagination is detected only where the spec leaves one reading:
//!
//! * `Link` response header and a `page` query parameter: follow `rel="next"` (GitHub);
//! * a `has_more` body property and a `starting_after` (Stripe) or `after` (OpenAI)
//!   parameter: the last item's `id` while `has_more` is true;
//! * a `next_cursor`/`next_page_token`/`cursor`/`next` body property and a parameter of that
//!   cursor's name (`cursor`, `page_token`, `starting_after`, `after`);
//! * an array body, items with an `id`, and one of `before`/`after` (with both, `before` only
//!   when an `around` parameter marks a timeline read newest first, Fluxer's and Discord's
//!   message history);
//! * `offset` beside a page-size parameter.
//!
//! Anything else is declared in `codegen.toml` (`[pagination]`) or `x-pagination` on the
//! operation (same keys, [`PaginationConfig`]).

use super::{Builder, Lookup, Name};
use crate::config::PaginationConfig;
use crate::diag::{join, Error};
use crate::ir::*;
use serde_json::Value;

/// Query parameters that bound a page's size, preferred first.
const LIMIT_PARAMS: [&str; 5] = ["limit", "per_page", "page_size", "pageSize", "max_results"];
/// Body properties holding the next page's cursor, preferred first.
const NEXT_FIELDS: [&str; 5] = [
    "next_cursor",
    "next_page_token",
    "nextPageToken",
    "nextCursor",
    "cursor",
];
/// Query parameters that take a cursor from the body.
const CURSOR_PARAMS: [&str; 5] = [
    "cursor",
    "page_token",
    "pageToken",
    "after",
    "starting_after",
];

impl Builder<'_> {
    /// The event stream of an operation whose success response offers `text/event-stream`.
    pub(crate) fn event_stream(
        &mut self,
        op: &Value,
        op_ptr: &str,
        op_type: &str,
        rust_name: &str,
        success: &Success,
        body: Option<&RequestBody>,
    ) -> Result<Option<EventStream>, Error> {
        let rptr = format!("{op_ptr}/responses");
        let Some(responses) = op.at("responses").and_then(Value::as_object) else {
            return Ok(None);
        };
        let Some(key) = responses
            .keys()
            .filter(|k| k.starts_with('2'))
            .min()
            .cloned()
        else {
            return Ok(None);
        };
        let (r, ptr) = self.deref(&responses[&key], &join(&rptr, &key))?;
        let Some((media, m)) = r.at("content").and_then(Value::as_object).and_then(|c| {
            c.iter()
                .find(|(media, _)| super::operation::is_event_stream(media))
        }) else {
            return Ok(None);
        };
        let mptr = join(&format!("{ptr}/content"), media);
        // The type of one event's `data`: 3.1's `itemSchema`, the `data` property of a schema
        // that describes the whole event (`{event, data, id}`), else the schema itself.
        // Events told apart by their `event:` field (each variant of a `oneOf`/`anyOf` names
        // its event): an enum of their `data` types.
        let dispatch = match m
            .at("itemSchema")
            .map(|s| (s, "itemSchema"))
            .or_else(|| m.at("schema").map(|s| (s, "schema")))
        {
            Some((s, key)) => self.event_dispatch(s, &format!("{mptr}/{key}"), op_type)?,
            None => None,
        };
        let item = if dispatch.is_some() {
            TypeRef::Any
        } else if let Some(s) = m.at("itemSchema") {
            self.convert(
                s,
                &format!("{mptr}/itemSchema"),
                Name::Hint(format!("{op_type}Event")),
            )?
        } else if let Some(s) = m.at("schema") {
            let sptr = format!("{mptr}/schema");
            let (target, tptr) = self.deref(s, &sptr)?;
            let props = target.at("properties").and_then(Value::as_object);
            let frame = props.is_some_and(|p| {
                p.contains_key("data")
                    && ["event", "id", "retry"].iter().any(|k| p.contains_key(*k))
                    && p.len() <= 4
            });
            match props.filter(|_| frame).and_then(|p| p.get("data")) {
                Some(data) => self.convert(
                    data,
                    &format!("{tptr}/properties/data"),
                    Name::Hint(format!("{op_type}EventData")),
                )?,
                None => self.convert(s, &sptr, Name::Hint(format!("{op_type}Event")))?,
            }
        } else {
            TypeRef::Any
        };
        // A boolean `stream` property of a JSON, multipart or form request body selects the
        // stream when the operation also answers with JSON (OpenAI's transcriptions take it
        // as a multipart field).
        let flag = match (&success.kind, body) {
            (SuccessKind::Json(_), Some(b))
                if matches!(
                    b.primary().kind,
                    BodyKind::Json | BodyKind::Multipart | BodyKind::Form
                ) =>
            {
                self.request_flag(op, op_ptr, b.primary().kind, "stream")
                    .then(|| "stream".to_string())
            }
            _ => None,
        };
        // The sentinel OpenAI ends its streams with; named in the operation's text or examples.
        // (OpenAI says so in examples, or in the request's `stream`/`stream_options` docs.)
        let text = serde_json::to_string(op).unwrap_or_default();
        let sentinel = (text.contains("[DONE]") || self.request_mentions(op, op_ptr, "[DONE]"))
            .then(|| "[DONE]".to_string());
        Ok(Some(EventStream {
            rust_name: format!("{rust_name}_stream"),
            item,
            flag,
            sentinel,
            dispatch,
        }))
    }

    /// The events of an event schema that is a `oneOf`/`anyOf` whose every variant names its
    /// `event` (a `const`, a one-value `enum`, or a key of a `discriminator` on `event`) and
    /// has a `data` property (its own or the union's): `None` when it is not such a union.
    fn event_dispatch(
        &mut self,
        s: &Value,
        ptr: &str,
        op_type: &str,
    ) -> Result<Option<EventDispatch>, Error> {
        let (s, sptr) = self.deref(s, ptr)?;
        let Some((key, parts)) = ["oneOf", "anyOf"]
            .into_iter()
            .find_map(|k| s.at(k).and_then(Value::as_array).map(|a| (k, a)))
        else {
            return Ok(None);
        };
        let mapping = s
            .at("discriminator")
            .filter(|d| d.at("propertyName").and_then(Value::as_str) == Some("event"))
            .and_then(|d| d.at("mapping"))
            .and_then(Value::as_object);
        let mut found = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let pptr = format!("{sptr}/{key}/{i}");
            let (v, vptr) = self.deref(part, &pptr)?;
            let name = self
                .property(v, "event", 0)
                .and_then(|e| {
                    e.at("const").or_else(|| {
                        e.at("enum")
                            .and_then(Value::as_array)
                            .filter(|a| a.len() == 1)
                            .and_then(|a| a.first())
                    })
                })
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| {
                    let r = part.at("$ref")?;
                    mapping?
                        .iter()
                        .find(|(_, m)| *m == r)
                        .map(|(k, _)| k.clone())
                });
            let data = match v.at("properties").and_then(|p| p.at("data")) {
                Some(d) => Some((d, format!("{vptr}/properties/data"))),
                None => s
                    .at("properties")
                    .and_then(|p| p.at("data"))
                    .map(|d| (d, format!("{sptr}/properties/data"))),
            };
            let (Some(name), Some((data, dptr))) = (name, data) else {
                return Ok(None);
            };
            let docs = v
                .at("description")
                .and_then(Value::as_str)
                .map(str::to_string);
            found.push((name, data, dptr, docs));
        }
        let mut names = std::collections::BTreeSet::new();
        if found.is_empty() || !found.iter().all(|(n, ..)| names.insert(n.clone())) {
            return Ok(None);
        }
        let mut scope = crate::naming::Scope::seeded(["Other"]);
        let mut variants = Vec::new();
        for (name, data, dptr, docs) in found {
            let stem = crate::naming::camel(&name);
            let stem = if stem.starts_with(|c: char| c.is_ascii_alphabetic()) {
                stem
            } else {
                format!("Event{stem}")
            };
            // SSE data is text: a JSON payload may be described as a string whose
            // `contentSchema` is the JSON's.
            let (data, dptr) = match self.deref(data, &dptr)?.0.at("contentSchema") {
                Some(c) => (c, format!("{dptr}/contentSchema")),
                None => (data, dptr),
            };
            let ty = self.convert(data, &dptr, Name::Hint(format!("{op_type}{stem}Data")))?;
            variants.push(EventVariant {
                event: name,
                rust_name: scope.claim(stem),
                ty,
                docs,
            });
        }
        Ok(Some(EventDispatch {
            type_name: format!("{op_type}Event"),
            variants,
        }))
    }

    /// Whether the JSON request body's schema has a boolean property `name` that is not a
    /// constant.
    fn request_flag(&self, op: &Value, op_ptr: &str, kind: BodyKind, name: &str) -> bool {
        let Some(content) = op
            .at("requestBody")
            .and_then(|b| self.deref(b, &format!("{op_ptr}/requestBody")).ok())
            .and_then(|(b, _)| b.at("content").and_then(Value::as_object))
        else {
            return false;
        };
        let Some(schema) = content
            .iter()
            .find(|(m, _)| super::operation::body_kind(m) == kind)
            .and_then(|(_, m)| m.at("schema"))
        else {
            return false;
        };
        let boolean = |p: &Value| {
            p.at("type").is_some_and(|t| {
                t == "boolean"
                    || t.as_array()
                        .is_some_and(|a| a.iter().any(|x| x == "boolean"))
            }) && p.at("enum").is_none()
                && p.at("const").is_none()
        };
        self.property(schema, name, 0).is_some_and(|p| {
            // `{type: boolean}`, or a nullable one written `anyOf: [{type: boolean}, {type:
            // null}]` (OpenAI's `stream`).
            boolean(p)
                || ["anyOf", "oneOf"].iter().any(|k| {
                    p.at(k).and_then(Value::as_array).is_some_and(|parts| {
                        let parts: Vec<&Value> = parts
                            .iter()
                            .filter_map(|x| self.deref(x, "").ok().map(|(x, _)| x))
                            .collect();
                        parts.iter().any(|x| boolean(x))
                            && parts
                                .iter()
                                .all(|x| boolean(x) || x.at("type").is_some_and(|t| t == "null"))
                    })
                })
        })
    }

    /// Whether the JSON request body's schema or one of its properties (one `$ref` deep)
    /// mentions `text`.
    fn request_mentions(&self, op: &Value, op_ptr: &str, text: &str) -> bool {
        let Some(schema) = op
            .at("requestBody")
            .and_then(|b| self.deref(b, &format!("{op_ptr}/requestBody")).ok())
            .and_then(|(b, _)| b.at("content").and_then(Value::as_object))
            .and_then(|c| {
                c.iter()
                    .find(|(m, _)| super::operation::body_kind(m) == BodyKind::Json)
                    .and_then(|(_, m)| m.at("schema"))
            })
            .and_then(|s| self.deref(s, "").ok())
            .map(|(s, _)| s)
        else {
            return false;
        };
        let mut parts = vec![schema];
        parts.extend(
            schema
                .at("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| self.deref(p, "").ok().map(|(p, _)| p)),
        );
        parts.iter().any(|s| {
            s.at("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|p| p.values())
                .filter_map(|p| self.deref(p, "").ok().map(|(p, _)| p))
                .any(|p| serde_json::to_string(p).is_ok_and(|t| t.contains(text)))
        })
    }

    /// The schema of property `name` of an object schema, through `$ref`s and `allOf` parts.
    fn property<'v>(&'v self, s: &'v Value, name: &str, depth: usize) -> Option<&'v Value> {
        if depth > 8 {
            return None;
        }
        let (s, _) = self.deref(s, "").ok()?;
        if let Some(p) = s.at("properties").and_then(|p| p.at(name)) {
            return self.deref(p, "").ok().map(|(p, _)| p);
        }
        s.at("allOf")
            .and_then(Value::as_array)?
            .iter()
            .find_map(|part| self.property(part, name, depth + 1))
    }

    /// How the operation's results continue on further pages, if they do.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pagination(
        &mut self,
        op: &Value,
        op_ptr: &str,
        id: &str,
        rust_name: &str,
        method: Method,
        params: &[Param],
        success: &Success,
    ) -> Result<Option<Pagination>, Error> {
        let declared = match self.config.pagination.get(id) {
            Some(c) => Some((c.clone(), "codegen.toml")),
            None => match op.at("x-pagination") {
                Some(v) => match serde_json::from_value::<PaginationConfig>(v.clone()) {
                    Ok(c) => Some((c, "x-pagination")),
                    Err(e) => {
                        return Err(self.err(
                            &join(op_ptr, "x-pagination"),
                            format!("invalid `x-pagination`: {e}"),
                        ))
                    }
                },
                None => None,
            },
        };
        let SuccessKind::Json(body) = &success.kind else {
            if let Some((_, source)) = declared {
                self.warn(
                    op_ptr,
                    format!("pagination declared in {source}, but the response is not JSON: no stream method"),
                );
            }
            return Ok(None);
        };
        let query = |name: &str| {
            params
                .iter()
                .find(|p| p.location == ParamLocation::Query && p.name == name && p.is_argument())
        };
        let fields = self.fields_of(body);
        let array_fields: Vec<(&str, TypeRef)> = fields
            .iter()
            .filter_map(|f| match &f.ty {
                TypeRef::Array(t) => Some((f.name.as_str(), (**t).clone())),
                _ => None,
            })
            .collect();
        let has_field = |name: &str| fields.iter().any(|f| f.name == name);

        if let Some((c, source)) = declared {
            let ptr = if source == "x-pagination" {
                join(op_ptr, "x-pagination")
            } else {
                op_ptr.to_string()
            };
            let items_field = c.items.clone();
            let item = match &items_field {
                None => match body {
                    TypeRef::Array(t) => Some((**t).clone()),
                    _ => None,
                },
                Some(name) => array_fields
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, t)| t.clone()),
            };
            let param = c.param.clone();
            let kind = match (c.kind.as_str(), param) {
                ("none", _) => return Ok(None),
                ("link", _) => Some(PageKind::LinkHeader),
                ("cursor", Some(param)) => Some(PageKind::ItemCursor {
                    param,
                    id_field: c.id_field.clone().unwrap_or_else(|| "id".into()),
                }),
                ("body", Some(param)) => Some(PageKind::BodyCursor {
                    param,
                    next_field: c.next.clone(),
                    has_more_field: c.has_more.clone(),
                    from_last_item: c.from_last_item.clone(),
                }),
                ("offset", Some(param)) => Some(PageKind::Offset { param }),
                _ => None,
            };
            let (Some(kind), Some(item)) = (kind, item) else {
                self.warn(
                    &ptr,
                    format!(
                        "pagination of `{id}` in {source} needs `kind` (cursor, link, body, offset or none), `param` (but for link) and `items` when the body is not an array: no stream method"
                    ),
                );
                return Ok(None);
            };
            let limit_param = c.limit.clone().or_else(|| {
                LIMIT_PARAMS
                    .iter()
                    .find(|l| query(l).is_some())
                    .map(|l| l.to_string())
            });
            return Ok(Some(Pagination {
                rust_name: format!("{rust_name}_stream"),
                kind,
                item,
                items_field,
                limit_param,
                source,
            }));
        }

        if method != Method::Get {
            return Ok(None);
        }
        let limit_param = LIMIT_PARAMS
            .iter()
            .find(|l| query(l).is_some())
            .map(|l| l.to_string());
        // The items: the body itself, or its only array property.
        let (items_field, item) = match body {
            TypeRef::Array(t) => (None, (**t).clone()),
            _ => match array_fields.as_slice() {
                [(name, t)] => (Some(name.to_string()), t.clone()),
                _ => return Ok(None),
            },
        };
        let item_has_id = self.fields_of(&item).iter().any(|f| f.name == "id");
        let headers = success
            .headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("link"));
        let kind = if headers && query("page").is_some() {
            PageKind::LinkHeader
        } else if items_field.is_some() && has_field("has_more") && item_has_id {
            // Stripe's `starting_after`, OpenAI's `after`.
            match ["starting_after", "after"]
                .into_iter()
                .find(|p| query(p).is_some())
            {
                Some(param) => PageKind::BodyCursor {
                    param: param.into(),
                    next_field: None,
                    has_more_field: Some("has_more".into()),
                    from_last_item: Some("id".into()),
                },
                None => return Ok(None),
            }
        } else if let (Some(next), Some(param)) = (
            NEXT_FIELDS.iter().find(|f| has_field(f)),
            CURSOR_PARAMS.iter().find(|p| query(p).is_some()),
        ) {
            PageKind::BodyCursor {
                param: param.to_string(),
                next_field: Some(next.to_string()),
                has_more_field: has_field("has_more").then(|| "has_more".to_string()),
                from_last_item: None,
            }
        } else if items_field.is_none() && item_has_id {
            let before = query("before").is_some();
            let after = query("after").is_some();
            let param = match (before, after) {
                (true, false) => "before",
                (false, true) => "after",
                // A timeline read newest first (it can be read `around` a point): walking
                // back through history is the paging direction.
                (true, true) if query("around").is_some() => "before",
                _ => return Ok(None),
            };
            PageKind::ItemCursor {
                param: param.into(),
                id_field: "id".into(),
            }
        } else if query("offset").is_some() && limit_param.is_some() {
            PageKind::Offset {
                param: "offset".into(),
            }
        } else {
            return Ok(None);
        };
        Ok(Some(Pagination {
            rust_name: format!("{rust_name}_stream"),
            kind,
            item,
            items_field,
            limit_param,
            source: "detected",
        }))
    }

    /// The fields of a named struct (through aliases); none for anything else.
    fn fields_of(&self, t: &TypeRef) -> Vec<Field> {
        let mut t = t.clone();
        for _ in 0..8 {
            let name = match &t {
                TypeRef::Named(n) => n.clone(),
                TypeRef::Boxed(inner) => {
                    t = (**inner).clone();
                    continue;
                }
                _ => return Vec::new(),
            };
            match self.types.iter().find(|d| d.name == name).map(|d| &d.kind) {
                Some(TypeKind::Struct(s)) => return s.fields.clone(),
                Some(TypeKind::Alias(a)) => t = a.clone(),
                _ => return Vec::new(),
            }
        }
        Vec::new()
    }
}

/// A stream method's name no method of its tag has (they are claimed first): `_stream`, else
/// `_events` (event streams) or `_items` (pages), numbered if need be. The first of `{base}{suffix}`, then `{base}{suffix}2`, … that is free in `taken`.
pub(crate) fn free(taken: &mut crate::naming::Scope, base: &str, suffixes: &[&str]) -> String {
    let mut n = 1;
    loop {
        for s in suffixes {
            let name = if n == 1 {
                format!("{base}{s}")
            } else {
                format!("{base}{s}{n}")
            };
            if !taken.contains(&name) {
                return taken.claim(name);
            }
        }
        n += 1;
    }
}
