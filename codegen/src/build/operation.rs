//! Paths and webhooks -> operations.

use super::schema::json_kind;
use super::{Builder, Lookup, Name};
use crate::diag::{join, Error};
use crate::ir::*;
use crate::naming::{camel, camel_stem, snake, Holder, Scope};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// The schema of a parameter whose media type gives none: anything.
static ANY_SCHEMA: Value = Value::Bool(true);

const METHODS: [(&str, Method); 8] = [
    ("get", Method::Get),
    ("put", Method::Put),
    ("post", Method::Post),
    ("delete", Method::Delete),
    ("options", Method::Options),
    ("head", Method::Head),
    ("patch", Method::Patch),
    ("trace", Method::Trace),
];

type Built = (Vec<Operation>, Vec<Tag>, Vec<ErrorModel>, usize);

impl Builder<'_> {
    pub(crate) fn operations(&mut self, schemes: &[SecurityScheme]) -> Result<Built, Error> {
        let root = self.root_static();
        let mut tags = TagSet::declared(root);
        let mut ops = Vec::new();
        let mut ids: HashMap<String, String> = HashMap::new();
        let mut names = Scope::new();
        let mut chosen: Vec<Option<String>> = Vec::new();
        let mut errors = ErrorModels::default();
        let mut callbacks_seen = std::collections::HashSet::new();

        let mut items: Vec<(String, &Value, bool)> = Vec::new();
        for (section, webhook) in [("paths", false), ("webhooks", true)] {
            match root.get(section) {
                None => {}
                Some(Value::Object(paths)) => {
                    for (key, item) in paths {
                        items.push((join(&format!("/{section}"), key), item, webhook));
                    }
                }
                Some(_) => {
                    return Err(self.err(
                        &format!("/{section}"),
                        format!("`{section}` must be an object"),
                    ))
                }
            }
        }
        let mut i = 0;
        while i < items.len() {
            let (ptr, item, webhook) = items[i].clone();
            i += 1;
            let (item, item_ptr) = self.deref(item, &ptr)?;
            let Some(item_obj) = item.as_object() else {
                return Err(self.err(&ptr, "a path item must be an object"));
            };
            let key = ptr
                .rsplit('/')
                .next()
                .unwrap_or("")
                .replace("~1", "/")
                .replace("~0", "~");
            for (m, method) in METHODS {
                let Some(op) = item_obj.at(m) else { continue };
                let op_ptr = join(&item_ptr, m);
                if !op.is_object() {
                    return Err(self.err(&op_ptr, "an operation must be an object"));
                }
                // Callbacks describe requests the server makes: their payloads become models.
                if let Some(Value::Object(cbs)) = op.at("callbacks") {
                    for (name, cb) in cbs {
                        let cb_ptr = join(&format!("{op_ptr}/callbacks"), name);
                        let (cb, cb_ptr) = self.deref(cb, &cb_ptr)?;
                        // Once each: a callback may be shared, or reached again from inside itself.
                        if !callbacks_seen.insert(cb_ptr.clone()) {
                            continue;
                        }
                        if let Some(cb) = cb.as_object() {
                            for expr in cb.keys() {
                                items.push((join(&cb_ptr, expr), &cb[expr], true));
                            }
                        }
                    }
                }
                let id = match op.at("operationId").and_then(Value::as_str) {
                    Some(id) if !id.is_empty() => id.to_string(),
                    _ => format!("{m}_{}", key),
                };
                let id_key = if webhook {
                    format!("webhook:{id}")
                } else {
                    id.clone()
                };
                if let Some(first) = ids.insert(id_key, op_ptr.clone()) {
                    if !webhook {
                        return Err(self.err(
                            &join(&op_ptr, "operationId"),
                            format!(
                                "duplicate operationId `{id}` (also at #{})",
                                self.origins.original(&first)
                            ),
                        ));
                    }
                }
                // The full name (inline types are named after it); the method's own name is
                // decided per tag once every operation is known (`names::methods`).
                let chosen_name = self.rust_name_ext(op, &op_ptr, false)?;
                let wanted = chosen_name.clone().unwrap_or_else(|| snake(&id));
                let (rust_name, holder) = names.claim_at(wanted.clone(), &op_ptr);
                if let (Some(Holder::At(other)), false) = (&holder, webhook) {
                    if chosen_name.is_none() {
                        self.warn(
                            &join(&op_ptr, "operationId"),
                            format!(
                                "operationId `{id}` gives the Rust name `{wanted}` of another operation (also #{}): generated as `{rust_name}`",
                                self.origins.original(other)
                            ),
                        );
                    }
                }
                chosen.push(chosen_name);
                let built = self.operation(
                    &id,
                    rust_name,
                    method,
                    &key,
                    item,
                    &item_ptr,
                    op,
                    &op_ptr,
                    webhook,
                    schemes,
                    &mut tags,
                    &mut errors,
                )?;
                ops.push(built);
            }
        }
        let tags = tags.finish(self, schemes);
        self.method_names(&mut ops, &chosen, &tags)?;
        Ok((ops, tags, errors.models, 0))
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        id: &str,
        rust_name: String,
        method: Method,
        key: &str,
        item: &Value,
        item_ptr: &str,
        op: &Value,
        op_ptr: &str,
        is_webhook: bool,
        schemes: &[SecurityScheme],
        tags: &mut TagSet,
        errors: &mut ErrorModels,
    ) -> Result<Operation, Error> {
        let type_name = camel_stem(&rust_name);
        let text = |k: &str| {
            op.at(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .filter(|s| !s.trim().is_empty())
        };

        // `/files/{id}#add_link` and `/responses/{id}?beta=true` are real path keys.
        let without_fragment = key.split('#').next().unwrap_or(key);
        let (path, query) = without_fragment
            .split_once('?')
            .unwrap_or((without_fragment, ""));
        let fixed_query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect();

        // Parameters: path-item ones, overridden by the operation's (same name and location).
        let mut raw: Vec<(&Value, String)> = Vec::new();
        for (holder, hptr) in [(item, item_ptr), (op, op_ptr)] {
            match holder.at("parameters") {
                None => {}
                Some(Value::Array(list)) => {
                    for (i, p) in list.iter().enumerate() {
                        let pptr = format!("{hptr}/parameters/{i}");
                        let (p, pptr) = self.deref(p, &pptr)?;
                        fn key(v: &Value) -> (Option<&Value>, Option<&Value>) {
                            (v.at("name"), v.at("in"))
                        }
                        raw.retain(|(q, _)| key(q) != key(p));
                        raw.push((p, pptr));
                    }
                }
                Some(_) => {
                    return Err(self.err(
                        &format!("{hptr}/parameters"),
                        "`parameters` must be an array",
                    ))
                }
            }
        }
        let mut scope = Scope::seeded(crate::naming::METHOD_LOCALS.iter().copied());
        let mut params = Vec::new();
        for (p, pptr) in &raw {
            if let Some(param) = self.parameter(p, pptr, &type_name, &mut scope)? {
                params.push(param);
            }
        }

        // Path template: every `{name}` must be declared.
        let mut path_parts = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| c + open) else {
                break;
            };
            if open > 0 {
                path_parts.push(PathPart::Literal(rest[..open].to_string()));
            }
            let name = &rest[open + 1..close];
            match params
                .iter()
                .position(|p: &Param| p.location == ParamLocation::Path && p.name == name)
            {
                Some(i) => path_parts.push(PathPart::Param(i)),
                None if is_webhook => {
                    path_parts.push(PathPart::Literal(rest[open..=close].to_string()))
                }
                None => {
                    return Err(self.err(
                        op_ptr,
                        format!(
                            "path parameter `{name}` of `{path}` is not declared in `parameters`"
                        ),
                    ))
                }
            }
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            path_parts.push(PathPart::Literal(rest.to_string()));
        }
        let used: Vec<usize> = path_parts
            .iter()
            .filter_map(|p| {
                if let PathPart::Param(i) = p {
                    Some(*i)
                } else {
                    None
                }
            })
            .collect();
        let mut unused = Vec::new();
        for (i, p) in params.iter().enumerate() {
            if p.location == ParamLocation::Path && !used.contains(&i) {
                unused.push(i);
            }
        }
        if !unused.is_empty() {
            self.warn(
                op_ptr,
                "path parameters not in the path template are ignored",
            );
            // Drop them and re-index the template.
            let keep: Vec<usize> = (0..params.len()).filter(|i| !unused.contains(i)).collect();
            for part in &mut path_parts {
                if let PathPart::Param(i) = part {
                    *i = keep.iter().position(|k| k == i).unwrap_or(0);
                }
            }
            params = keep.into_iter().map(|i| params[i].clone()).collect();
        }

        let mut body = match op.at("requestBody") {
            Some(b) => self.request_body(b, &format!("{op_ptr}/requestBody"), &type_name)?,
            None => None,
        };
        if let Some(b) = &mut body {
            // After the parameters: `PUT /users/{user}` with a `User` body takes `user` and
            // `user_body`.
            let wanted = std::mem::take(&mut b.param_name);
            let alt = format!("{wanted}_body");
            b.param_name = if crate::naming::BODY_LOCALS.contains(&wanted.as_str()) {
                scope.claim(alt)
            } else {
                scope.claim_or_at(wanted, alt, op_ptr).0
            };
            if b.choice.is_none() && b.primary().is_wildcard() {
                b.media_type_arg = Some(scope.claim("media_type".into()));
            }
        }
        let (success, errs) = self.responses(op, op_ptr, &type_name, errors)?;

        let event_stream =
            self.event_stream(op, op_ptr, &type_name, &rust_name, &success, body.as_ref())?;
        let pagination = self.pagination(op, op_ptr, id, &rust_name, method, &params, &success)?;

        let produces = self.produces(op, op_ptr);
        let accept = accept_header(&success.kind, &produces);
        let server = self.operation_server(op, op_ptr, item, item_ptr);
        let security = self.security(op, op_ptr, schemes);
        let tag_name = op
            .at("tags")
            .and_then(Value::as_array)
            .and_then(|t| t.first())
            .and_then(Value::as_str)
            .unwrap_or("default");
        let tag = tags.index(tag_name, &format!("{op_ptr}/tags/0"));

        Ok(Operation {
            id: id.to_string(),
            rust_name,
            type_name,
            params_type: String::new(),
            builder_type: String::new(),
            method,
            path: path.to_string(),
            fixed_query,
            path_parts,
            params,
            body,
            success,
            errors: errs,
            produces,
            accept,
            server,
            security,
            tag,
            summary: text("summary"),
            description: text("description"),
            deprecated: op.at("deprecated").and_then(Value::as_bool) == Some(true),
            pointer: self.origins.original(op_ptr),
            is_webhook,
            event_stream,
            pagination,
            major_params: Vec::new(),
        })
    }

    fn parameter(
        &mut self,
        p: &Value,
        ptr: &str,
        op_type: &str,
        scope: &mut Scope,
    ) -> Result<Option<Param>, Error> {
        if !p.is_object() {
            return Err(self.err(
                ptr,
                format!("a parameter must be an object, not {}", json_kind(p)),
            ));
        }
        let name = p
            .at("name")
            .and_then(Value::as_str)
            .ok_or_else(|| self.err(ptr, "parameter without a `name`"))?;
        let location = match p.at("in").and_then(Value::as_str) {
            Some("path") => ParamLocation::Path,
            Some("query") => ParamLocation::Query,
            Some("header") => ParamLocation::Header,
            Some("cookie") => ParamLocation::Cookie,
            Some(other) => {
                return Err(self.err(
                    &format!("{ptr}/in"),
                    format!("unknown parameter location `{other}`"),
                ))
            }
            None => return Err(self.err(ptr, format!("parameter `{name}` has no `in`"))),
        };
        // The client sets these itself; OpenAPI says such parameters are ignored.
        if location == ParamLocation::Header
            && ["accept", "content-type", "authorization"]
                .contains(&name.to_ascii_lowercase().as_str())
        {
            return Ok(None);
        }
        let (schema, sptr) = if let Some(s) = p.at("schema") {
            (s, format!("{ptr}/schema"))
        } else if let Some(Value::Object(content)) = p.at("content") {
            match content.iter().next() {
                Some((media, m)) => (
                    m.at("schema").unwrap_or(&ANY_SCHEMA),
                    join(&format!("{ptr}/content"), media) + "/schema",
                ),
                None => {
                    return Err(self.err(
                        ptr,
                        format!("parameter `{name}` has neither `schema` nor `content`"),
                    ))
                }
            }
        } else {
            return Err(self.err(
                ptr,
                format!("parameter `{name}` has neither `schema` nor `content`"),
            ));
        };
        let ty = self.convert(
            schema,
            &sptr,
            Name::Hint(format!("{op_type}{}", camel(name))),
        )?;
        let style = style_of(p, location);
        if let Some(written) = p.at("style").and_then(Value::as_str) {
            let supported = match location {
                ParamLocation::Query => {
                    ["form", "spaceDelimited", "pipeDelimited", "deepObject"].contains(&written)
                }
                ParamLocation::Path | ParamLocation::Header => written == "simple",
                ParamLocation::Cookie => written == "form",
            };
            if !supported {
                self.warn(
                    &format!("{ptr}/style"),
                    format!("style `{written}` is not supported here: the value is sent in the location's default style"),
                );
            }
        }
        if p.at("allowReserved").and_then(Value::as_bool) == Some(true) {
            self.warn(
                ptr,
                "`allowReserved` is not supported: reserved characters are percent-encoded",
            );
        }
        // OpenAPI's styles (but `deepObject`) spell scalars, arrays of scalars and flat objects:
        // say so when the value nests (Box's `mdfilters`, an array of objects in a query).
        if style != ParamStyle::DeepObject && self.nests(&ty, 0) {
            self.warn(
                ptr,
                format!("parameter `{name}` holds objects or arrays inside an array or object, which its style does not define: they are written in `simple` form (`k,v,…`); `style: deepObject` or `content: application/json` would say how"),
            );
        }
        let constant = if location == ParamLocation::Path {
            None
        } else {
            self.constant_of(schema, &sptr)
        };
        let rust_name = match self.rust_name_ext(p, ptr, false)? {
            Some(chosen) => scope
                .claim_chosen(chosen.clone(), ptr)
                .map_err(|h| self.chosen_taken(ptr, &chosen, &h, "method argument"))?,
            None => {
                let wanted = snake(name);
                match scope.claim_at(wanted.clone(), ptr) {
                    (_, Some(Holder::Chosen(other))) => {
                        return Err(self.collision(&other, &wanted, ptr))
                    }
                    (given, Some(Holder::At(other))) => {
                        self.warn(
                            ptr,
                            format!(
                                "parameter `{name}` is the argument `{given}`: `{wanted}` is another parameter's (also #{})",
                                self.origins.original(&other)
                            ),
                        );
                        given
                    }
                    (given, _) => given,
                }
            }
        };
        Ok(Some(Param {
            name: name.to_string(),
            rust_name,
            location,
            required: location == ParamLocation::Path
                || p.at("required").and_then(Value::as_bool) == Some(true),
            ty,
            style,
            constant,
            // The parameter's own description, else the one its schema carries.
            description: p
                .at("description")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .or_else(|| super::schema::described(self.root_static(), schema)),
            deprecated: p.at("deprecated").and_then(Value::as_bool) == Some(true),
        }))
    }

    /// The wire text of a schema that allows one scalar value (`const`, which normalize spells
    /// as a one-value `enum`), following `$ref`s.
    fn constant_of(&self, schema: &Value, ptr: &str) -> Option<String> {
        let (schema, _) = self.deref(schema, ptr).ok()?;
        match schema.at("enum")?.as_array()?.as_slice() {
            [Value::String(s)] => Some(s.clone()),
            [v @ (Value::Number(_) | Value::Bool(_))] => Some(v.to_string()),
            _ => None,
        }
    }

    fn request_body(
        &mut self,
        b: &Value,
        ptr: &str,
        op_type: &str,
    ) -> Result<Option<RequestBody>, Error> {
        let (b, ptr) = self.deref(b, ptr)?;
        if !b.is_object() {
            return Err(self.err(
                &ptr,
                format!("a request body must be an object, not {}", json_kind(b)),
            ));
        }
        let Some(content) = self.content(b, &ptr)? else {
            return Ok(None);
        };
        let mut medias: Vec<(&String, &Value)> = content.iter().collect();
        medias.sort_by_key(|(media, _)| body_rank(media));
        let mut variants = Scope::new();
        let mut contents = Vec::new();
        for (media, m) in medias {
            let kind = body_kind(media);
            let mptr = join(&format!("{ptr}/content"), media);
            let ty = match kind {
                BodyKind::Bytes => TypeRef::Prim(Prim::Binary),
                BodyKind::Text => TypeRef::Prim(Prim::String),
                _ => match m.at("schema") {
                    Some(s) => self.convert(
                        s,
                        &format!("{mptr}/schema"),
                        Name::Hint(format!("{op_type}Request")),
                    )?,
                    None if kind == BodyKind::Json => TypeRef::Any,
                    None => TypeRef::Prim(Prim::Binary),
                },
            };
            // A form or multipart body without a schema has no fields to send: raw bytes.
            let kind = match (kind, &ty) {
                (BodyKind::Form | BodyKind::Multipart, TypeRef::Prim(Prim::Binary)) => {
                    BodyKind::Bytes
                }
                _ => kind,
            };
            let file_fields = if kind == BodyKind::Multipart {
                self.binary_fields(&ty)
            } else {
                vec![]
            };
            let encodings = match kind {
                BodyKind::Form | BodyKind::Multipart => self.encodings(m, &mptr, kind),
                _ => vec![],
            };
            contents.push(BodyContent {
                variant: variants.claim(media_variant(media)),
                content_type: media.clone(),
                kind,
                ty,
                file_fields,
                encodings,
            });
        }
        if contents.is_empty() {
            return Ok(None);
        }
        let param_name = if contents.len() > 1 {
            format!("{}_body", snake(op_type))
        } else {
            match &contents[0].ty {
                TypeRef::Named(n) => snake(n),
                _ => format!("{}_request", snake(op_type)),
            }
        };
        Ok(Some(RequestBody {
            param_name,
            required: b.at("required").and_then(Value::as_bool) == Some(true),
            description: b
                .at("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            choice: (contents.len() > 1).then(|| format!("{op_type}Body")),
            media_type_arg: None,
            contents,
        }))
    }

    /// The `encoding` entries of a form or multipart media type that differ from the defaults.
    fn encodings(&mut self, m: &Value, mptr: &str, kind: BodyKind) -> Vec<FieldEncoding> {
        let Some(Value::Object(map)) = m.at("encoding") else {
            return vec![];
        };
        let mut out = Vec::new();
        for (name, e) in map {
            let eptr = join(&format!("{mptr}/encoding"), name);
            let Ok((e, _)) = self.deref(e, &eptr) else {
                continue;
            };
            let content_type = e
                .at("contentType")
                .and_then(Value::as_str)
                .map(str::to_string);
            let enc = FieldEncoding {
                name: name.clone(),
                style: style_of(e, ParamLocation::Query),
                content_type: if kind == BodyKind::Multipart {
                    content_type
                } else {
                    None
                },
            };
            if e.at("allowReserved").and_then(Value::as_bool) == Some(true) {
                self.warn(
                    &eptr,
                    "`allowReserved` is not supported: reserved characters are percent-encoded",
                );
            }
            if kind == BodyKind::Multipart && e.at("headers").is_some() {
                self.warn(&eptr, "per-part `headers` are not sent");
            }
            // Of the styles, multipart fields take `deepObject` (Stripe's file upload: one part
            // per leaf, `name[key]`); the others keep OpenAPI's multipart defaults.
            if kind == BodyKind::Multipart
                && (e.at("style").is_some() || e.at("explode").is_some())
                && enc.style != ParamStyle::DeepObject
                && enc.style != (ParamStyle::Form { explode: true })
            {
                self.warn(
                    &eptr,
                    "a multipart field's `style` other than `deepObject` is not supported: sent as OpenAPI's multipart default (one part per array item, objects as JSON)",
                );
            }
            if kind == BodyKind::Form && content_type_given(e) {
                self.warn(
                    &eptr,
                    "`contentType` of a form field is not supported: the field is sent by its style",
                );
            }
            let default = FieldEncoding {
                name: name.clone(),
                style: ParamStyle::Form { explode: true },
                content_type: None,
            };
            if enc != default {
                out.push(enc);
            }
        }
        out
    }

    /// Whether a value of the type is an array or object holding an array or object (`depth`:
    /// how many containers are around it already).
    fn nests(&self, ty: &TypeRef, depth: usize) -> bool {
        if depth > 1 {
            return true;
        }
        match ty {
            TypeRef::Array(inner) | TypeRef::Map(inner) => self.nests(inner, depth + 1),
            TypeRef::Option(inner) | TypeRef::Boxed(inner) => self.nests(inner, depth),
            TypeRef::Named(n) => match self.types.iter().find(|t| &t.name == n).map(|t| &t.kind) {
                Some(TypeKind::Alias(target)) => self.nests(target, depth),
                Some(TypeKind::Struct(s)) => {
                    depth > 0
                        || s.fields.iter().any(|f| self.nests(&f.ty, depth + 1))
                        || s.additional
                            .as_ref()
                            .is_some_and(|a| self.nests(a, depth + 1))
                }
                Some(TypeKind::Union(u)) => u.variants.iter().any(|v| self.nests(&v.ty, depth)),
                _ => false,
            },
            _ => false,
        }
    }

    /// Fields of a multipart body struct that hold files or lists of files.
    fn binary_fields(&self, ty: &TypeRef) -> Vec<String> {
        let TypeRef::Named(n) = ty else { return vec![] };
        let Some(def) = self.types.iter().find(|t| &t.name == n) else {
            return vec![];
        };
        let TypeKind::Struct(s) = &def.kind else {
            return vec![];
        };
        // A union with a file branch (openai's `video`: a file or a reference to one) too:
        // its file variants serialize as nothing, like a plain file field.
        let file_union = |ty: &TypeRef| {
            let TypeRef::Named(u) = ty.unwrapped() else {
                return false;
            };
            self.types.iter().any(|t| {
                &t.name == u
                    && matches!(&t.kind, TypeKind::Union(d)
                        if d.variants.iter().any(|v| v.ty.is_binary() || v.ty.is_binary_array()))
            })
        };
        s.fields
            .iter()
            .filter(|f| f.ty.is_binary() || f.ty.is_binary_array() || file_union(&f.ty))
            .map(|f| f.name.clone())
            .collect()
    }

    fn responses(
        &mut self,
        op: &Value,
        op_ptr: &str,
        op_type: &str,
        models: &mut ErrorModels,
    ) -> Result<(Success, Vec<ErrorResponse>), Error> {
        let rptr = format!("{op_ptr}/responses");
        let none = serde_json::Map::new();
        let responses = match op.at("responses") {
            Some(Value::Object(r)) => r,
            Some(_) => return Err(self.err(&rptr, "`responses` must be an object")),
            None => &none,
        };
        let statuses: Vec<(StatusMatch, &String)> =
            responses.keys().map(|k| (status_of(k), k)).collect();
        let success_key = statuses
            .iter()
            .filter(|(s, _)| matches!(s, StatusMatch::Code(200..=299) | StatusMatch::Range(2)))
            .min_by_key(|(s, _)| *s)
            .or_else(|| statuses.iter().find(|(s, _)| *s == StatusMatch::Default))
            .map(|(_, k)| (*k).clone());

        let mut success = Success {
            status: 200,
            kind: SuccessKind::Empty,
            description: None,
            headers: vec![],
        };
        let mut errors = Vec::new();
        for (status, key) in &statuses {
            let ptr = join(&rptr, key);
            let (r, ptr) = self.deref(&responses[key.as_str()], &ptr)?;
            if !r.is_object() {
                return Err(self.err(
                    &ptr,
                    format!("a response must be an object, not {}", json_kind(r)),
                ));
            }
            self.content(r, &ptr)?;
            let description = r
                .at("description")
                .and_then(Value::as_str)
                .map(str::to_string);
            let headers: Vec<String> = r
                .at("headers")
                .and_then(Value::as_object)
                .map(|h| h.keys().cloned().collect())
                .unwrap_or_default();
            let json = r.at("content").and_then(Value::as_object).and_then(|c| {
                c.iter()
                    .min_by_key(|(media, _)| body_rank(media))
                    .map(|(media, m)| (media.clone(), m))
            });
            if Some(*key) == success_key.as_ref() {
                // JSON beside a media type the client cannot decode as JSON (a video, a zip):
                // the server chooses, so the body is returned raw. Event streams are left
                // out: servers send them only when the request asks for one.
                let raw_too = r.at("content").and_then(Value::as_object).and_then(|c| {
                    c.keys()
                        .find(|m| body_kind(m) != BodyKind::Json && !is_event_stream(m))
                });
                if let (Some(raw), Some((media, _))) = (raw_too, &json) {
                    if body_kind(media) == BodyKind::Json {
                        success.status = match status {
                            StatusMatch::Code(c) => *c,
                            _ => 200,
                        };
                        success.description = description;
                        success.headers = headers;
                        success.kind = SuccessKind::Bytes {
                            content_type: raw.clone(),
                        };
                        continue;
                    }
                }
                success.status = match status {
                    StatusMatch::Code(c) => *c,
                    _ => 200,
                };
                success.description = description;
                success.headers = headers;
                success.kind = match json {
                    None => SuccessKind::Empty,
                    Some((media, m)) => match body_kind(&media) {
                        BodyKind::Json => match m.at("schema") {
                            Some(s) => {
                                let sptr =
                                    format!("{}/schema", join(&format!("{ptr}/content"), &media));
                                let ty = self.convert(
                                    s,
                                    &sptr,
                                    Name::Hint(format!("{op_type}Response")),
                                )?;
                                // A body that may be `null` (e.g. `$ref` to `anyOf: [X, null]`,
                                // whose alias is plain `X`) decodes into `Option<X>`.
                                SuccessKind::Json(if self.is_nullable(s, &sptr) {
                                    TypeRef::Option(Box::new(ty))
                                } else {
                                    ty
                                })
                            }
                            None => SuccessKind::Json(TypeRef::Any),
                        },
                        BodyKind::Text => SuccessKind::Text,
                        _ => SuccessKind::Bytes {
                            content_type: media,
                        },
                    },
                };
                continue;
            }
            if matches!(
                status,
                StatusMatch::Code(100..=399) | StatusMatch::Range(1..=3)
            ) {
                continue;
            }
            let model = match json {
                Some((media, m)) if body_kind(&media) == BodyKind::Json => match m.at("schema") {
                    Some(s) => {
                        let sptr = format!("{}/schema", join(&format!("{ptr}/content"), &media));
                        let ty = if s.at("$ref").is_some() {
                            self.convert(s, &sptr, Name::Hint(format!("{op_type}Error")))?
                        } else {
                            // Identical inline error bodies share one type.
                            let canonical = serde_json::to_string(s).unwrap_or_default();
                            match self.error_schemas.get(&canonical) {
                                Some(t) => t.clone(),
                                None => {
                                    let t = self.convert(
                                        s,
                                        &sptr,
                                        Name::Hint(format!("{}Error", status_word(*status))),
                                    )?;
                                    self.error_schemas.insert(canonical, t.clone());
                                    t
                                }
                            }
                        };
                        Some(models.index(ty))
                    }
                    None => None,
                },
                _ => None,
            };
            errors.push(ErrorResponse {
                status: *status,
                description,
                model,
                headers,
            });
        }
        Ok((success, errors))
    }

    /// The `content` map of a request body, response or parameter, checked to be one.
    fn content<'v>(
        &self,
        holder: &'v Value,
        ptr: &str,
    ) -> Result<Option<&'v Map<String, Value>>, Error> {
        let content = match holder.at("content") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Object(content)) => content,
            Some(other) => {
                return Err(self.err(
                    &format!("{ptr}/content"),
                    format!(
                        "`content` must be an object keyed by media type, not {}",
                        json_kind(other)
                    ),
                ))
            }
        };
        for (media, m) in content {
            if !m.is_object() && !m.is_null() {
                return Err(self.err(
                    &join(&format!("{ptr}/content"), media),
                    format!(
                        "a media type object must be an object, not {}",
                        json_kind(m)
                    ),
                ));
            }
        }
        Ok(Some(content))
    }

    fn security(
        &mut self,
        op: &Value,
        op_ptr: &str,
        schemes: &[SecurityScheme],
    ) -> Vec<Vec<String>> {
        let (reqs, ptr) = match op.at("security") {
            Some(s) => (s, format!("{op_ptr}/security")),
            None => match self.root_static().at("security") {
                Some(s) => (s, "/security".to_string()),
                None => return vec![],
            },
        };
        let mut out = Vec::new();
        for (i, req) in reqs
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(req) = req.as_object() else { continue };
            let names: Vec<String> = req.keys().cloned().collect();
            if let Some(unknown) = names
                .iter()
                .find(|n| !schemes.iter().any(|s| &s.name == *n))
            {
                self.warn(
                    &format!("{ptr}/{i}"),
                    format!(
                        "unknown or unsupported security scheme `{unknown}`: alternative ignored"
                    ),
                );
                continue;
            }
            out.push(names);
        }
        // Only anonymous alternatives: no auth at all.
        if out.iter().all(Vec::is_empty) {
            out.clear();
        }
        out
    }
}

impl Builder<'_> {
    /// The first of the operation's `servers`, else of its path item's: `None` when neither
    /// declares one or it is the API's own.
    fn operation_server(
        &mut self,
        op: &Value,
        op_ptr: &str,
        item: &Value,
        item_ptr: &str,
    ) -> Option<String> {
        let (servers, ptr) =
            [(op, op_ptr), (item, item_ptr)]
                .into_iter()
                .find_map(|(holder, ptr)| {
                    let list = holder.at("servers")?.as_array()?;
                    (!list.is_empty()).then(|| (list, format!("{ptr}/servers")))
                })?;
        let url = super::server_url(&servers[0]);
        let url = url.trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            self.warn(
                &format!("{ptr}/0"),
                format!(
                    "server `{url}` is not an absolute http(s) URL: the client's base URL is used"
                ),
            );
            return None;
        }
        let root = self
            .root_static()
            .at("servers")
            .and_then(Value::as_array)
            .and_then(|s| s.first())
            .map(super::server_url);
        if servers.len() > 1 {
            self.warn(
                &ptr,
                "only the first of several servers is used (the caller may override it)",
            );
        }
        (root.as_deref().map(|r| r.trim_end_matches('/')) != Some(url.as_str())).then_some(url)
    }

    /// Media types of every response of `op`, distinct, in document order.
    fn produces(&self, op: &Value, op_ptr: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let responses = op.at("responses").and_then(Value::as_object);
        for (status, r) in responses.into_iter().flat_map(|r| r.iter()) {
            let Ok((r, _)) = self.deref(r, &join(&format!("{op_ptr}/responses"), status)) else {
                continue;
            };
            for media in r
                .at("content")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|c| c.keys())
            {
                if !out.contains(media) {
                    out.push(media.clone());
                }
            }
        }
        out
    }
}

/// The `Accept` header an operation sends, when it is not the runtime's default: JSON media
/// types for a JSON (or empty) success, every declared one but event streams for a raw one.
fn accept_header(success: &SuccessKind, produces: &[String]) -> Option<String> {
    let raw = matches!(success, SuccessKind::Bytes { .. } | SuccessKind::Text);
    let list: Vec<&str> = produces
        .iter()
        .filter(|m| !is_event_stream(m))
        .filter(|m| raw || body_kind(m) == BodyKind::Json)
        .map(String::as_str)
        .collect();
    let default = if raw { "*/*" } else { "application/json" };
    match list.as_slice() {
        [] => None,
        [one] if *one == default => None,
        _ => Some(list.join(", ")),
    }
}

pub(crate) fn is_event_stream(media: &str) -> bool {
    media
        .trim()
        .to_ascii_lowercase()
        .starts_with("text/event-stream")
}

fn content_type_given(e: &Value) -> bool {
    e.at("contentType").and_then(Value::as_str).is_some()
}

/// The body enum's variant for a media type: `Json`, `Form`, `Multipart`, else the subtype
/// (`text/csv` -> `Csv`; `image/*` -> `Image`; `*/*` -> `Any`).
fn media_variant(media: &str) -> String {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match m.as_str() {
        "application/json" => return "Json".into(),
        "application/x-www-form-urlencoded" => return "Form".into(),
        "multipart/form-data" => return "Multipart".into(),
        "*/*" => return "Any".into(),
        _ => {}
    }
    let (top, sub) = m.split_once('/').unwrap_or((&m, ""));
    let word = if sub.is_empty() || sub == "*" {
        top
    } else {
        sub
    };
    let name = camel(word);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Media{name}")
    } else {
        name
    }
}

/// A parameter's or encoding entry's `style`/`explode` (`location` decides the default).
fn style_of(p: &Value, location: ParamLocation) -> ParamStyle {
    let explode = p.at("explode").and_then(Value::as_bool);
    match (p.at("style").and_then(Value::as_str), location) {
        (Some("deepObject"), _) => ParamStyle::DeepObject,
        (Some("pipeDelimited"), _) => ParamStyle::Delimited('|'),
        (Some("spaceDelimited"), _) => ParamStyle::Delimited(' '),
        (Some("form"), _) | (None, ParamLocation::Query | ParamLocation::Cookie) => {
            ParamStyle::Form {
                explode: explode.unwrap_or(true),
            }
        }
        _ => ParamStyle::Simple,
    }
}

/// Preference among a body's media types: JSON first, then forms, then the rest.
fn body_rank(media: &str) -> (u8, String) {
    let rank = match body_kind(media) {
        BodyKind::Json => 0,
        BodyKind::Multipart => 1,
        BodyKind::Form => 2,
        BodyKind::Bytes => 3,
        BodyKind::Text => 4,
    };
    (rank, media.to_string())
}

pub(crate) fn body_kind(media: &str) -> BodyKind {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if m == "application/json"
        || m.ends_with("+json")
        || (m.starts_with("application/") && m.contains("json"))
    {
        BodyKind::Json
    } else if m == "multipart/form-data" || m.starts_with("multipart/") {
        BodyKind::Multipart
    } else if m == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if m.starts_with("text/") && m != "text/event-stream" {
        BodyKind::Text
    } else {
        BodyKind::Bytes
    }
}

fn status_of(key: &str) -> StatusMatch {
    if let Ok(c) = key.parse::<u16>() {
        return StatusMatch::Code(c);
    }
    let k = key.to_ascii_uppercase();
    if k.len() == 3 && k.ends_with("XX") {
        if let Ok(d) = k[..1].parse::<u16>() {
            return StatusMatch::Range(d);
        }
    }
    StatusMatch::Default
}

fn status_word(s: StatusMatch) -> String {
    match s {
        StatusMatch::Code(c) => match c {
            400 => "BadRequest".into(),
            401 => "Unauthorized".into(),
            403 => "Forbidden".into(),
            404 => "NotFound".into(),
            405 => "MethodNotAllowed".into(),
            409 => "Conflict".into(),
            410 => "Gone".into(),
            413 => "PayloadTooLarge".into(),
            415 => "UnsupportedMediaType".into(),
            422 => "UnprocessableEntity".into(),
            429 => "TooManyRequests".into(),
            500 => "InternalServerError".into(),
            502 => "BadGateway".into(),
            503 => "ServiceUnavailable".into(),
            504 => "GatewayTimeout".into(),
            c => format!("Status{c}"),
        },
        StatusMatch::Range(d) => format!("Status{d}xx"),
        StatusMatch::Default => "Default".into(),
    }
}

/// Distinct error-body types, in first-use order.
#[derive(Default)]
struct ErrorModels {
    models: Vec<ErrorModel>,
    variants: Scope,
    /// Functions in `apis` beside `file_part`.
    decoders: Scope,
}

impl ErrorModels {
    fn index(&mut self, ty: TypeRef) -> usize {
        if let Some(i) = self.models.iter().position(|m| m.ty == ty) {
            return i;
        }
        let base = match &ty {
            TypeRef::Named(n) => n.clone(),
            TypeRef::External(p) => camel(p.rsplit("::").next().unwrap_or(p)),
            TypeRef::Prim(_) => "Text".into(),
            TypeRef::Array(_) => "List".into(),
            TypeRef::Map(_) | TypeRef::Any => "Json".into(),
            TypeRef::Option(_) | TypeRef::Boxed(_) => "Other".into(),
        };
        let variant = self.variants.claim(base);
        if !self.decoders.contains("file_part") {
            self.decoders.claim("file_part".into());
        }
        let decoder = self.decoders.claim(format!("decode_{}", snake(&variant)));
        self.models.push(ErrorModel {
            variant,
            decoder,
            ty,
        });
        self.models.len() - 1
    }
}

/// Tags in declaration order, then in order of first use.
struct TagSet {
    /// Name, description, pointer (the tag object, or the first operation's `tags/0`).
    tags: Vec<(String, Option<String>, String)>,
    used: Vec<bool>,
}

impl TagSet {
    fn declared(root: &Value) -> Self {
        let tags: Vec<(String, Option<String>, String)> = root
            .at("tags")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .enumerate()
                    .filter_map(|(i, t)| {
                        Some((
                            t.at("name")?.as_str()?.to_string(),
                            t.at("description")
                                .and_then(Value::as_str)
                                .map(str::to_string),
                            format!("/tags/{i}"),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let used = vec![false; tags.len()];
        TagSet { tags, used }
    }

    fn index(&mut self, name: &str, ptr: &str) -> usize {
        let i = match self.tags.iter().position(|(n, _, _)| n == name) {
            Some(i) => i,
            None => {
                self.tags.push((name.to_string(), None, ptr.to_string()));
                self.used.push(false);
                self.tags.len() - 1
            }
        };
        self.used[i] = true;
        i
    }

    /// The tags' names: a module (and `Client` accessor, the same name) that is no method of
    /// the client (`execute` -> `execute_api`, with a warning), a struct, a cargo feature.
    fn finish(self, b: &mut Builder, schemes: &[SecurityScheme]) -> Vec<Tag> {
        let mut modules = Scope::seeded(["runtime", "types", "models", "client", "error"]);
        for m in crate::naming::CLIENT_METHODS {
            modules.claim(m.to_string());
        }
        for s in schemes {
            modules.claim(s.client_method.clone());
        }
        let mut types = Scope::new();
        // Cargo reserves the feature name `default` (untagged operations land in tag `default`);
        // the generated crate has features of its own besides the tags'.
        let mut features = Scope::new();
        features.claim("default".into());
        features.claim(EXTRA_MODELS_FEATURE.into());
        features.claim(DESERIALIZE_REQUESTS_FEATURE.into());
        features.claim("native-tls".into());
        features.claim("rustls-tls".into());
        self.tags
            .into_iter()
            .map(|(name, description, ptr)| {
                let wanted = module_name(&name);
                let (module, holder) = match modules.holder(&wanted) {
                    Some(Holder::Reserved) => {
                        (modules.claim_at(format!("{wanted}_api"), &ptr).0, Some(Holder::Reserved))
                    }
                    _ => modules.claim_at(wanted.clone(), &ptr),
                };
                match holder {
                    None => {}
                    Some(Holder::Reserved) => b.warn(
                        &ptr,
                        format!("tag `{name}` gets the module and `Client` accessor `{module}`: `{wanted}` is a name the client or the crate uses already"),
                    ),
                    Some(Holder::At(other) | Holder::Chosen(other)) => b.warn(
                        &ptr,
                        format!(
                            "tag `{name}` gets the module and `Client` accessor `{module}`: `{wanted}` is another tag's (also #{})",
                            b.origins.original(&other)
                        ),
                    ),
                }
                // A module named `_1_click` (digits first) gives feature `1-click`: cargo
                // features start with a letter, a digit or `_`, never `-`.
                let feature = match module.trim_matches('_').replace('_', "-") {
                    f if f == "default" || f.is_empty() => features.claim("default-api".into()),
                    f => features.claim(f),
                };
                Tag {
                    feature,
                    api_type: format!("{}Api", types.claim(camel_stem(&name))),
                    doc_file: String::new(),
                    module,
                    name,
                    description,
                }
            })
            .collect()
    }
}

impl Builder<'_> {
    /// The names of each tag's methods and of the types in its module: an operation's method
    /// drops the tag's prefix (`gists_check_is_starred` in tag `gists` -> `check_is_starred`)
    /// when the rest is an identifier no other operation of the tag has or would get;
    /// `x-rust-name`s are kept as they are (a collision is an error); stream methods follow;
    /// then the optional-parameter structs and body enums of the tag module.
    fn method_names(
        &mut self,
        ops: &mut [Operation],
        chosen: &[Option<String>],
        tags: &[Tag],
    ) -> Result<(), Error> {
        for (t, tag) in tags.iter().enumerate() {
            let idx: Vec<usize> = (0..ops.len())
                .filter(|&i| ops[i].tag == t && !ops[i].is_webhook)
                .collect();
            let mut methods = Scope::new();
            for &i in &idx {
                if let Some(c) = &chosen[i] {
                    let ptr = ops[i].pointer.clone();
                    ops[i].rust_name = methods
                        .claim_chosen(c.clone(), &ptr)
                        .map_err(|h| self.chosen_taken(&ptr, c, &h, "method"))?;
                }
            }
            let full: std::collections::BTreeSet<&str> =
                idx.iter().map(|&i| ops[i].rust_name.as_str()).collect();
            let prefix = format!("{}_", tag.module);
            let stripped: Vec<Option<String>> = idx
                .iter()
                .map(|&i| {
                    let rest = ops[i].rust_name.strip_prefix(&prefix)?;
                    (chosen[i].is_none()
                        && crate::naming::is_snake_ident(rest)
                        && !full.contains(rest)
                        && !methods.contains(rest))
                    .then(|| rest.to_string())
                })
                .collect();
            // A shorter name two operations would both get is given to neither.
            let mut count: BTreeMap<&str, usize> = BTreeMap::new();
            for r in stripped.iter().flatten() {
                *count.entry(r.as_str()).or_default() += 1;
            }
            let names: Vec<Option<String>> = stripped
                .iter()
                .map(|r| r.clone().filter(|r| count[r.as_str()] == 1))
                .collect();
            for (k, &i) in idx.iter().enumerate() {
                if chosen[i].is_some() {
                    continue;
                }
                let wanted = names[k].clone().unwrap_or_else(|| ops[i].rust_name.clone());
                let ptr = ops[i].pointer.clone();
                // The operation's own name, before numbering, taken by a chosen one.
                let natural = snake(&ops[i].id);
                if let Some(Holder::Chosen(other)) = methods.holder(&natural) {
                    return Err(self.collision(&other, &natural, &ptr));
                }
                let (given, holder) = methods.claim_at(wanted.clone(), &ptr);
                if let Some(Holder::Chosen(other)) = holder {
                    return Err(self.collision(&other, &wanted, &ptr));
                }
                ops[i].rust_name = given;
            }
            for &i in &idx {
                let base = ops[i].rust_name.clone();
                if let Some(s) = &mut ops[i].event_stream {
                    s.rust_name =
                        super::streams::free(&mut methods, &base, &["_stream", "_events"]);
                }
                if let Some(p) = &mut ops[i].pagination {
                    p.rust_name =
                        super::streams::free(&mut methods, &base, &["_stream", "_items", "_pages"]);
                }
            }
            // The tag module's types: its `…Api`, optional parameters, body enums.
            let mut types = Scope::seeded([tag.api_type.as_str(), "RequestSpec"]);
            for &i in &idx {
                let op = &mut ops[i];
                if op.params.iter().any(|p| !p.required && p.is_argument()) {
                    op.params_type = types.claim(format!("{}Params", op.type_name));
                    op.builder_type = types.claim(format!("{}Builder", op.type_name));
                }
                if let Some(b) = &mut op.body {
                    if b.choice.is_some() {
                        b.choice = Some(types.claim(format!("{}Body", op.type_name)));
                    }
                }
                if let Some(d) = op.event_stream.as_mut().and_then(|e| e.dispatch.as_mut()) {
                    d.type_name = types.claim(format!("{}Event", op.type_name));
                }
            }
        }
        // Webhooks are no methods; their names only appear in docs.
        for op in ops.iter_mut().filter(|o| o.is_webhook) {
            if op.params.iter().any(|p| !p.required && p.is_argument()) {
                op.params_type = format!("{}Params", op.type_name);
                op.builder_type = format!("{}Builder", op.type_name);
            }
            let base = op.rust_name.clone();
            if let Some(s) = &mut op.event_stream {
                s.rust_name = format!("{base}_stream");
            }
            if let Some(p) = &mut op.pagination {
                p.rust_name = format!("{base}_stream");
            }
        }
        Ok(())
    }
}

/// `OAuth2` -> `oauth2`, `Saved Media` -> `saved_media`: snake case without one-letter words.
fn module_name(tag: &str) -> String {
    let snake = snake(tag);
    let mut words: Vec<String> = Vec::new();
    let mut carry = String::new();
    for w in snake.split('_').filter(|w| !w.is_empty()) {
        if w.len() == 1 && w.chars().all(|c| c.is_ascii_alphabetic()) {
            carry.push_str(w);
            continue;
        }
        words.push(format!("{carry}{w}"));
        carry.clear();
    }
    if !carry.is_empty() {
        words.push(carry);
    }
    let n = words.join("_");
    if n.is_empty() {
        "default".into()
    } else {
        crate::naming::snake(&n)
    }
}

impl TypeRef {
    /// Whether values of this type are lists of files (one multipart part each).
    pub fn is_binary_array(&self) -> bool {
        match self {
            TypeRef::Array(t) => t.is_binary(),
            TypeRef::Option(t) | TypeRef::Boxed(t) => t.is_binary_array(),
            _ => false,
        }
    }

    /// The type without `Option`/`Box` around it.
    pub fn unwrapped(&self) -> &TypeRef {
        match self {
            TypeRef::Option(t) | TypeRef::Boxed(t) => t.unwrapped(),
            t => t,
        }
    }

    /// Whether values of this type are file contents.
    pub fn is_binary(&self) -> bool {
        match self {
            TypeRef::Prim(Prim::Binary) => true,
            TypeRef::Option(t) | TypeRef::Boxed(t) => t.is_binary(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_modules() {
        assert_eq!(module_name("OAuth2"), "oauth2");
        assert_eq!(module_name("Saved Media"), "saved_media");
        assert_eq!(module_name("Users"), "users");
        assert_eq!(module_name("A"), "a");
    }

    #[test]
    fn body_variants_and_accept() {
        assert_eq!(media_variant("application/json"), "Json");
        assert_eq!(media_variant("multipart/form-data"), "Multipart");
        assert_eq!(media_variant("application/x-www-form-urlencoded"), "Form");
        assert_eq!(media_variant("text/csv"), "Csv");
        assert_eq!(media_variant("image/*"), "Image");
        assert_eq!(media_variant("*/*"), "Any");
        assert_eq!(
            media_variant("application/json-patch+json"),
            "JsonPatchPlusJson"
        );
        let produces = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let json = SuccessKind::Json(TypeRef::Any);
        let raw = SuccessKind::Bytes {
            content_type: "audio/wav".into(),
        };
        assert_eq!(accept_header(&json, &produces(&["application/json"])), None);
        assert_eq!(
            accept_header(&json, &produces(&["application/json", "application/xml"])),
            None
        );
        assert_eq!(
            accept_header(
                &raw,
                &produces(&["audio/wav", "text/event-stream", "application/json"])
            ),
            Some("audio/wav, application/json".into())
        );
        assert_eq!(accept_header(&raw, &produces(&[])), None);
    }

    fn build_json(mut root: Value) -> Api {
        let (_, origins) = crate::normalize::normalize("t.json", &mut root).unwrap();
        super::super::build("t.json", &root, &origins, &crate::Config::default()).unwrap()
    }

    #[test]
    fn tag_default_gets_a_feature_cargo_allows() {
        let api = build_json(serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"operationId": "a", "responses": {"204": {"description": "ok"}}},
                             "put": {"operationId": "b", "tags": ["default api"],
                                     "responses": {"204": {"description": "ok"}}}}}
        }));
        let tags = api.tags;
        assert_eq!(tags[0].module, "default");
        assert_eq!(tags[0].feature, "default-api");
        assert_eq!(tags[1].feature, "default-api2");
    }

    /// A success body referencing a nullable component (`anyOf: [X, null]`, whose alias is
    /// plain `X`) must decode `null`: found by the Prism contract test (Fluxer's
    /// `GET /users/@me/harvest/latest`).
    #[test]
    fn nullable_success_body_is_an_option() {
        let mut root = serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/latest": {"get": {
                "operationId": "latest",
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ThingNullable"}}}}}
            }}},
            "components": {"schemas": {
                "Thing": {"type": "object", "properties": {"id": {"type": "string"}}},
                "ThingNullable": {"anyOf": [{"$ref": "#/components/schemas/Thing"}, {"type": "null"}]}
            }}
        });
        let (_, origins) = crate::normalize::normalize("t.json", &mut root).unwrap();
        let api =
            super::super::build("t.json", &root, &origins, &crate::Config::default()).unwrap();
        match &api.operations[0].success.kind {
            SuccessKind::Json(TypeRef::Option(inner)) => {
                assert!(matches!(&**inner, TypeRef::Named(_)), "{inner:?}")
            }
            other => panic!("expected an optional body, got {other:?}"),
        }
    }
}
