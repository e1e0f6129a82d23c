//! Stage 3's output: the intermediate model of an API. Plain data, no tokens, no JSON
//! (literal enum values and defaults are kept as JSON values because they are data).
//!
//! Names here are already Rust names (`rust_name`) beside the wire names they map to, so
//! every emitter (Rust, Markdown) agrees on them.

use serde_json::Value;

/// A whole API.
#[derive(Debug, Clone)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// `info.license`: its SPDX `identifier` (3.1), else its `name`.
    pub license: Option<String>,
    /// The first server's URL (the client's default base URL).
    pub base_url: String,
    pub security_schemes: Vec<SecurityScheme>,
    /// Tags in document order (declared ones first, then ones only operations use).
    pub tags: Vec<Tag>,
    /// Operations in document order (path, then method).
    pub operations: Vec<Operation>,
    /// Named types, sorted by name.
    pub types: Vec<TypeDef>,
    /// The distinct error-body types, sorted: the variants of the crate's error-body enum.
    pub error_models: Vec<ErrorModel>,
    /// The Markdown file (under `docs/`) of each of `types`, by index: `{name}.md`, unless a
    /// tag's doc has it (`{name}.model.md`) or it is longer than a file name may be.
    pub type_doc_files: Vec<String>,
    /// Unsupported constructs that fell back, with where.
    pub warnings: Vec<crate::diag::Warning>,
    /// Operations in the spec that were not generated (the goal is none).
    pub skipped_operations: usize,
    /// Proactive rate limiting by default: the header names and global limit the runtime uses;
    /// `None` when off.
    pub rate_limit: Option<RateLimitInfo>,
}

/// What the generated runtime knows about the API's rate limits (`runtime/spec.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimitInfo {
    /// Lowercase header names, per role (`None`: not sent).
    pub limit: Option<String>,
    pub remaining: Option<String>,
    pub reset: Option<String>,
    pub reset_after: Option<String>,
    pub bucket: Option<String>,
    pub global: Option<String>,
    pub retry_after: Option<String>,
    /// `(requests, window in ms)`.
    pub global_limit: Option<(u32, u64)>,
}

/// An operation group (OpenAPI tag).
#[derive(Debug, Clone)]
pub struct Tag {
    /// As written in the spec (`OAuth2`).
    pub name: String,
    /// snake_case module and `Client` accessor name (`oauth2`).
    pub module: String,
    /// The struct of the tag's operations (`OAuth2Api`).
    pub api_type: String,
    /// Its Markdown file under `docs/` (`OAuth2Api.md`).
    pub doc_file: String,
    /// Cargo feature name (kebab-case).
    pub feature: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// The key in `components/securitySchemes`.
    pub name: String,
    /// snake_case name of the `ClientBuilder` setter.
    pub rust_name: String,
    /// The `Client` method giving a handle with another token (`with_bot_token`).
    pub client_method: String,
    /// The `pub static` in `apis` describing the scheme (`BOT_TOKEN`).
    pub static_name: String,
    pub kind: SchemeKind,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    ApiKeyHeader {
        header: String,
        prefix: String,
    },
    ApiKeyQuery {
        param: String,
    },
    ApiKeyCookie {
        cookie: String,
    },
    /// http bearer, oauth2, openIdConnect.
    Bearer,
    Basic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// operationId as written (or derived from method and path when absent).
    pub id: String,
    /// snake_case method name (in its tag's `…Api`; the tag's prefix dropped when the rest
    /// is a name of its own).
    pub rust_name: String,
    /// UpperCamelCase stem for types belonging to the operation (inline models are named
    /// after it).
    pub type_name: String,
    /// The struct of the optional parameters, in the tag module (`ListMessagesParams`); empty
    /// when the operation has none.
    pub params_type: String,
    /// The call builder an operation with optional parameters returns, in the tag module
    /// (`ListMessagesBuilder`); empty when the operation has none.
    pub builder_type: String,
    pub method: Method,
    /// The path template as written, without `#fragment`/`?query` suffixes.
    pub path: String,
    /// Literal query pairs from a `?a=b` suffix on the path key.
    pub fixed_query: Vec<(String, String)>,
    pub path_parts: Vec<PathPart>,
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    pub success: Success,
    pub errors: Vec<ErrorResponse>,
    /// Media types of all responses, distinct, in document order.
    pub produces: Vec<String>,
    /// The `Accept` header to send when it differs from the runtime's default for the success
    /// kind (`application/json` for JSON and empty bodies, `*/*` for raw ones): the media types
    /// the operation declares that the client can take.
    pub accept: Option<String>,
    /// The operation's own server URL (its `servers`, else its path item's), variables
    /// substituted; requests go there instead of the client's base URL, unless the caller
    /// overrides it (`ClientBuilder::server_url`, `ClientBuilder::operation_servers`).
    pub server: Option<String>,
    /// OR of alternatives, each an AND of scheme names. Empty: no auth.
    pub security: Vec<Vec<String>>,
    /// Index into `Api::tags`.
    pub tag: usize,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// JSON pointer of the operation in the original document.
    pub pointer: String,
    /// Whether this is a webhook/callback description rather than a client call.
    pub is_webhook: bool,
    /// A `text/event-stream` success response: the operation also gets a method returning a
    /// stream of events.
    pub event_stream: Option<EventStream>,
    /// How the operation's results continue on further pages: the operation also gets a
    /// method returning a stream of items across pages.
    pub pagination: Option<Pagination>,
    /// Indexes into `params` of the path parameters that partition the route's rate limits,
    /// in path order (empty when rate limiting is off).
    pub major_params: Vec<usize>,
}

/// A server-sent events response of an operation.
#[derive(Debug, Clone)]
pub struct EventStream {
    /// The method returning the stream (`create_chat_completion_stream`).
    pub rust_name: String,
    /// The type of one event's `data`, decoded as JSON (3.1 `itemSchema`, the schema's `data`
    /// property when the schema describes the whole event, else the schema itself).
    pub item: TypeRef,
    /// The wire name of the request body's boolean property that asks for a stream
    /// (`stream`), when the operation also answers with JSON: the stream method sets it to
    /// `true`, the other method to `false`.
    pub flag: Option<String>,
    /// A `data` value that ends the stream instead of carrying a payload (`[DONE]`).
    pub sentinel: Option<String>,
    /// Events whose `data` type depends on their `event:` field (a `oneOf`/`anyOf` of event
    /// schemas, each with its own `event` name): the stream's items are an enum of them (and
    /// [`EventStream::item`] is unused).
    pub dispatch: Option<EventDispatch>,
}

/// The events of a stream told apart by their `event:` name: an enum in the tag module.
#[derive(Debug, Clone)]
pub struct EventDispatch {
    /// The enum's name (`CreateChatEvent`), unique among the tag module's types.
    pub type_name: String,
    /// One per event name, in the spec's order.
    pub variants: Vec<EventVariant>,
}

/// One named event of an [`EventDispatch`].
#[derive(Debug, Clone)]
pub struct EventVariant {
    /// The `event:` field's value selecting it (`message` also matches an event without one).
    pub event: String,
    pub rust_name: String,
    /// The type of its `data`, decoded as JSON.
    pub ty: TypeRef,
    pub docs: Option<String>,
}

/// A paginated list operation.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The method returning the stream of items (`list_messages_stream`).
    pub rust_name: String,
    pub kind: PageKind,
    /// The type of one item.
    pub item: TypeRef,
    /// The body property holding the page's items; `None`: the body is the array.
    pub items_field: Option<String>,
    /// The wire name of the query parameter bounding a page's size (`limit`, `per_page`), if
    /// any: a page shorter than the limit the caller set is the last one.
    pub limit_param: Option<String>,
    /// Where the pattern came from: `detected`, `codegen.toml` or `x-pagination`.
    pub source: &'static str,
}

/// How the next page is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageKind {
    /// The query parameter `param` takes a property (`id_field`) of the last item of the
    /// page (Fluxer's and Discord's `before`/`after`).
    ItemCursor { param: String, id_field: String },
    /// The URL of the `Link` header's `rel="next"` (GitHub's `page`/`per_page`).
    LinkHeader,
    /// The query parameter `param` takes a body property (`next_field`, e.g. `next_cursor`);
    /// the end is a missing or null cursor, or `has_more_field` being `false`. With
    /// `from_last_item`, the cursor is that property of the last item instead (Stripe's
    /// `starting_after` with `has_more`).
    BodyCursor {
        param: String,
        next_field: Option<String>,
        has_more_field: Option<String>,
        from_last_item: Option<String>,
    },
    /// The query parameter `param` is advanced by the number of items received.
    Offset { param: String },
}

impl PageKind {
    /// How the next page is asked for, as a clause of the docs (rustdoc and Markdown).
    pub fn describe(&self) -> String {
        match self {
            PageKind::ItemCursor { param, id_field } => format!(
                "the next page is asked for with `{param}` set to the `{id_field}` of the page's items (the {} when they are numbers)",
                if param == "before" { "smallest" } else { "largest" }
            ),
            PageKind::LinkHeader => {
                "the next page is the `Link` header's `rel=\"next\"` URL".to_string()
            }
            PageKind::BodyCursor {
                param,
                next_field,
                has_more_field,
                from_last_item,
            } => {
                let from = match (next_field, from_last_item) {
                    (Some(n), _) => format!("the body's `{n}`"),
                    (None, Some(f)) => format!("the last item's `{f}`"),
                    (None, None) => "nothing".to_string(),
                };
                let more = has_more_field
                    .as_deref()
                    .map(|h| format!(", while `{h}` is true"))
                    .unwrap_or_default();
                format!("the next page is asked for with `{param}` set to {from}{more}")
            }
            PageKind::Offset { param } => {
                format!("`{param}` is advanced by the number of items received")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Literal(String),
    /// Index into `Operation::params`.
    Param(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// `form` (query default); `explode` decides `a=1&a=2` vs `a=1,2`.
    Form {
        explode: bool,
    },
    DeepObject,
    /// path/header default.
    Simple,
    /// pipeDelimited / spaceDelimited.
    Delimited(char),
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub rust_name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: TypeRef,
    pub style: ParamStyle,
    /// The one value a `const` or one-value `enum` parameter can take (query, header and
    /// cookie parameters only): always sent, and no argument of the method.
    pub constant: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
}

impl Param {
    /// Whether the caller gives this parameter (required argument or optional field): not a
    /// constant.
    pub fn is_argument(&self) -> bool {
        self.constant.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Multipart,
    Form,
    /// Raw bytes with the given content type (octet-stream, images, …).
    Bytes,
    Text,
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    /// snake_case argument name: the body type's name (`application_create_request`), or
    /// `<operation>_request` for inline schemas.
    pub param_name: String,
    pub required: bool,
    pub description: Option<String>,
    /// The media types offered, preferred first (JSON, multipart, form, raw); never empty.
    pub contents: Vec<BodyContent>,
    /// With several contents: the name of the enum (in the tag module) whose variants are the
    /// contents; the method takes one of them.
    pub choice: Option<String>,
    /// The argument naming the media type of a single raw content declared as a range
    /// (`*/*`, `image/*`): the caller gives the concrete one.
    pub media_type_arg: Option<String>,
}

impl RequestBody {
    /// The preferred content (the only one unless [`RequestBody::choice`] is set).
    pub fn primary(&self) -> &BodyContent {
        &self.contents[0]
    }
}

/// One media type of a request body.
#[derive(Debug, Clone)]
pub struct BodyContent {
    /// The media type as written (`application/json`, `image/*`).
    pub content_type: String,
    pub kind: BodyKind,
    pub ty: TypeRef,
    /// Variant name in the body enum (`Json`, `Multipart`, `Form`, `Csv`…).
    pub variant: String,
    /// Field names (wire) of the body type that carry binary data (multipart file parts).
    pub file_fields: Vec<String>,
    /// Per-field `encoding` (form and multipart bodies), only where it differs from the default.
    pub encodings: Vec<FieldEncoding>,
}

impl BodyContent {
    /// Whether this is raw content declared with a media range (`*/*`, `image/*`): the caller
    /// must name the concrete media type.
    pub fn is_wildcard(&self) -> bool {
        matches!(self.kind, BodyKind::Bytes | BodyKind::Text) && self.content_type.contains('*')
    }
}

/// How one field of a form or multipart body is encoded (an `encoding` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEncoding {
    /// The field's wire name.
    pub name: String,
    /// Form bodies: the style (default `form`, exploded).
    pub style: ParamStyle,
    /// Multipart bodies: the part's media type.
    pub content_type: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Success {
    pub status: u16,
    pub kind: SuccessKind,
    pub description: Option<String>,
    /// Response header names the spec documents.
    pub headers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SuccessKind {
    Empty,
    Json(TypeRef),
    Bytes { content_type: String },
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    Code(u16),
    /// First digit of an `4XX`-style range.
    Range(u16),
    Default,
}

#[derive(Debug, Clone)]
pub struct ErrorResponse {
    pub status: StatusMatch,
    pub description: Option<String>,
    /// Index into `Api::error_models` when the response has a JSON body.
    pub model: Option<usize>,
    pub headers: Vec<String>,
}

/// One distinct error body type (a variant of the crate-wide error body enum).
#[derive(Debug, Clone)]
pub struct ErrorModel {
    /// Variant name.
    pub variant: String,
    /// The function in `apis` decoding a body into this variant (`decode_api_error`).
    pub decoder: String,
    pub ty: TypeRef,
}

/// A reference to a Rust type from a field, parameter or body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeRef {
    Prim(Prim),
    /// A generated type, by its Rust name.
    Named(String),
    /// A user-configured type path (`crate::types::Snowflake`).
    External(String),
    Array(Box<TypeRef>),
    /// String-keyed map.
    Map(Box<TypeRef>),
    /// A value that may be null (a nullable field whose presence is required, or an array item).
    Option(Box<TypeRef>),
    /// Any JSON (also the documented fallback for unsupported constructs).
    Any,
    /// Heap indirection that breaks a by-value recursion cycle.
    Boxed(Box<TypeRef>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prim {
    String,
    Bool,
    I32,
    I64,
    U32,
    U64,
    F32,
    F64,
    DateTime,
    Date,
    Uri,
    Uuid,
    /// base64 in JSON (`format: byte`).
    Base64,
    /// Raw bytes (`format: binary`).
    Binary,
    /// Decimal-string u64 ID.
    Snowflake,
}

/// A named type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    pub docs: Option<String>,
    pub deprecated: bool,
    pub kind: TypeKind,
    /// Pointer of the schema in the original document.
    pub pointer: String,
    /// Who uses the type: decides its cargo features and which serde impls it gets.
    pub reach: Reach,
}

/// The generated crate's feature for types no operation uses (on by default).
pub const EXTRA_MODELS_FEATURE: &str = "extra-models";
/// The generated crate's feature that adds `Deserialize` to types only requests use.
pub const DESERIALIZE_REQUESTS_FEATURE: &str = "deserialize-requests";

/// How a type is reached from the API's operations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// Indices into `Api::tags` whose operations reach this type (for per-tag features). Empty
    /// and not `extra`: always compiled (error bodies, webhook payloads and what they contain).
    pub tags: Vec<usize>,
    /// Reached from a type no operation uses: compiled with the `extra-models` feature.
    pub extra: bool,
    /// Sent: reached from a request body or parameter (needs `Serialize`).
    pub sent: bool,
    /// Received: reached from a response, error or webhook body, or from no operation at all
    /// (needs `Deserialize`).
    pub received: bool,
    /// Built by users: reached from a request body or parameter, or only from types no
    /// operation uses (not from a response, error or webhook body). Such a model gets chained
    /// setters and `impl Into` constructor arguments; the others are read, not built.
    pub built: bool,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(StructDef),
    Enum(EnumDef),
    Union(UnionDef),
    /// `pub type Name = Target;`
    Alias(TypeRef),
    /// A flags type from `x-bitflagValues`.
    Flags(FlagsDef),
}

#[derive(Debug, Clone)]
pub struct StructDef {
    pub fields: Vec<Field>,
    /// Properties with exactly one allowed value: not fields (nothing for a user to set), but
    /// always written and checked when read.
    pub consts: Vec<ConstProp>,
    /// Value type of extra keys (`additionalProperties` / `patternProperties`), flattened.
    pub additional: Option<TypeRef>,
}

impl StructDef {
    /// The Rust name of the extra-properties map: `additional_properties`, unless a declared
    /// field already has that name.
    pub fn extra_field_name(&self) -> &'static str {
        if self
            .fields
            .iter()
            .map(|f| &f.rust_name)
            .chain(self.consts.iter().map(|c| &c.rust_name))
            .any(|n| n == "additional_properties")
        {
            "additional_properties_"
        } else {
            "additional_properties"
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Always present, never null.
    Required,
    /// Always present, may be null.
    RequiredNullable,
    /// May be absent, never null.
    Optional,
    /// May be absent, null, or a value: three states.
    OptionalNullable,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub presence: Presence,
    pub docs: Option<String>,
    pub deprecated: bool,
    pub read_only: bool,
    /// A required `readOnly` property: optional in requests (its presence is `Optional` or
    /// `OptionalNullable`), but the server always sends it, so reading requires it.
    pub read_required: bool,
    pub default: Option<Value>,
    /// Pointer of the property in the original document (an `allOf` part's, a `$ref`'d
    /// schema's, …).
    pub pointer: String,
}

/// A property fixed to one value (`const`, or an `enum` of one value that is not nullable):
/// a string, an integer or a boolean.
#[derive(Debug, Clone)]
pub struct ConstProp {
    pub name: String,
    /// snake_case name, unique among the struct's fields (the macros use it as a local).
    pub rust_name: String,
    pub value: Value,
    /// Whether reading requires it to be present. A required one is always written; an
    /// optional one is a private `ConstPresence` field of the struct (named `rust_name`),
    /// written unless the value was read without it.
    pub required: bool,
    pub docs: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumRepr {
    String,
    Integer,
}

#[derive(Debug, Clone)]
pub struct EnumDef {
    pub repr: EnumRepr,
    pub variants: Vec<EnumVariant>,
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub rust_name: String,
    /// The wire value (a JSON string or integer).
    pub value: Value,
    pub docs: Option<String>,
}

#[derive(Debug, Clone)]
pub struct UnionDef {
    pub variants: Vec<UnionVariant>,
    /// Property that tells the object variants apart, when one does (variants that are not
    /// objects are told apart by the value's JSON shape). Without one, a value is read as the
    /// first variant that accepts it, preferring one that keeps every property of an object.
    pub tag: Option<String>,
}

#[derive(Debug, Clone)]
pub struct UnionVariant {
    pub rust_name: String,
    pub ty: TypeRef,
    /// Values of the tag property selecting this variant (JSON strings, integers or booleans).
    pub tag_values: Vec<Value>,
    /// Whether the variant allows the tag property to be absent (it is not `required` there):
    /// a value without the tag tries such variants in order.
    pub tag_optional: bool,
    /// The variant is never a JSON object (a string, number, array, …): in a tagged union a
    /// value that is not an object tries such variants in order, and they need no tag value.
    pub not_object: bool,
    pub docs: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FlagsDef {
    /// Whether the wire form is a decimal string (`type: string`) rather than a number.
    pub as_string: bool,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone)]
pub struct Flag {
    pub rust_name: String,
    pub name: String,
    pub value: u64,
    pub docs: Option<String>,
}

impl Api {
    /// Whether some models are used by no operation (they make the `extra-models` feature).
    pub fn has_extra_models(&self) -> bool {
        self.types.iter().any(|t| t.reach.extra)
    }

    /// Whether some models with serde impls are used only by requests (they make the
    /// `deserialize-requests` feature).
    pub fn has_request_only_models(&self) -> bool {
        self.types.iter().any(|t| {
            !t.reach.received && matches!(t.kind, TypeKind::Struct(_) | TypeKind::Union(_))
        })
    }

    /// Operations that a client calls (webhooks excluded).
    pub fn client_operations(&self) -> impl Iterator<Item = &Operation> {
        self.operations.iter().filter(|o| !o.is_webhook)
    }

    /// Tags that have client operations, with their indices: one API struct, module and
    /// cargo feature each.
    pub fn operation_tags(&self) -> impl Iterator<Item = (usize, &Tag)> {
        self.tags
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.client_operations().any(|o| o.tag == *i))
    }

    /// Looks a named type up.
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types
            .binary_search_by(|t| t.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.types[i])
    }
}
