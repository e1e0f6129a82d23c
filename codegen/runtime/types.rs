//! Value types shared by the generated models: IDs, three-state optional fields, byte
//! strings and flag sets. Hand-written; the generator copies this file into each crate.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A 64-bit ID that travels as a decimal string (`"1234567890123456789"`).
///
/// JSON numbers lose precision above 2^53, so APIs send such IDs as strings; this type
/// writes a string and reads either a string or a number.
///
/// ```
/// # use fluxer_sdk::types::Snowflake;
/// let id: Snowflake = serde_json::from_str("\"1234567890123456789\"").unwrap();
/// assert_eq!(id.get(), 1234567890123456789);
/// assert_eq!(serde_json::to_string(&id).unwrap(), "\"1234567890123456789\"");
/// let from_number: Snowflake = serde_json::from_str("42").unwrap();
/// assert_eq!(from_number, Snowflake::new(42));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Snowflake(u64);

impl Snowflake {
    /// Wraps a raw ID.
    pub const fn new(id: u64) -> Self {
        Snowflake(id)
    }

    /// The raw ID.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl From<u64> for Snowflake {
    fn from(id: u64) -> Self {
        Snowflake(id)
    }
}

impl From<Snowflake> for u64 {
    fn from(id: Snowflake) -> Self {
        id.0
    }
}

impl FromStr for Snowflake {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Snowflake)
    }
}

impl fmt::Display for Snowflake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Snowflake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Snowflake {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Snowflake {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(U64Visitor("a decimal ID as a string or a number")).map(Snowflake)
    }
}

/// Reads a u64 from a decimal string or a non-negative integer.
struct U64Visitor(&'static str);

impl Visitor<'_> for U64Visitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        v.parse().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// An optional field that may also be explicitly `null`: three states on the wire.
///
/// `Absent` leaves the field out of the JSON object, `Null` writes `null` (a PATCH that
/// clears the field), `Value` writes the value.
///
/// In a generated model, an `Absent` field is left out of the object; on its own, a value
/// reads and writes like an `Option` whose `None` is `Null`:
///
/// ```
/// # use fluxer_sdk::types::Nullable;
/// let clear: Nullable<String> = None.into();
/// assert!(clear.is_null());
/// assert_eq!(serde_json::to_string(&clear).unwrap(), "null");
/// let set: Nullable<String> = serde_json::from_str(r#""hi""#).unwrap();
/// assert_eq!(set.as_deref(), Nullable::Value("hi"));
/// assert_eq!(set.as_deref().map(str::len).unwrap_or(0), 2);
/// assert_eq!(set.as_ref().map_or(0, String::len), 2);
/// assert_eq!(clear.as_ref().map_or(0, String::len), 0);
/// let from_text: Nullable<String> = "hi".into();
/// assert_eq!(from_text, set);
/// let left_out = Nullable::<String>::default();
/// assert!(left_out.is_absent());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum Nullable<T> {
    /// Not present on the wire.
    #[default]
    Absent,
    /// Present as `null`.
    Null,
    /// Present with a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the field is left out.
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// Whether the field is explicitly `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// Whether the field holds a value.
    pub fn is_value(&self) -> bool {
        matches!(self, Nullable::Value(_))
    }

    /// `Nullable<&T>`: the same state, borrowing the value (like [`Option::as_ref`]).
    pub fn as_ref(&self) -> Nullable<&T> {
        match self {
            Nullable::Value(v) => Nullable::Value(v),
            Nullable::Null => Nullable::Null,
            Nullable::Absent => Nullable::Absent,
        }
    }

    /// `Nullable<&mut T>`: the same state, borrowing the value mutably.
    pub fn as_mut(&mut self) -> Nullable<&mut T> {
        match self {
            Nullable::Value(v) => Nullable::Value(v),
            Nullable::Null => Nullable::Null,
            Nullable::Absent => Nullable::Absent,
        }
    }

    /// The same state, the value dereferenced (`Nullable<String>` to `Nullable<&str>`), like
    /// [`Option::as_deref`].
    pub fn as_deref(&self) -> Nullable<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.as_ref().map(|v| &**v)
    }

    /// The value changed by `f`; `Null` and `Absent` stay as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Nullable::Value(v) => Nullable::Value(f(v)),
            Nullable::Null => Nullable::Null,
            Nullable::Absent => Nullable::Absent,
        }
    }

    /// `f` of the value, or `default` when `Null` or `Absent` (like [`Option::map_or`]).
    pub fn map_or<U>(self, default: U, f: impl FnOnce(T) -> U) -> U {
        self.into_option().map_or(default, f)
    }

    /// `f` of the value, or `default()` when `Null` or `Absent`.
    pub fn map_or_else<U>(self, default: impl FnOnce() -> U, f: impl FnOnce(T) -> U) -> U {
        self.into_option().map_or_else(default, f)
    }

    /// The value, or `default` when `Null` or `Absent`.
    pub fn unwrap_or(self, default: T) -> T {
        self.into_option().unwrap_or(default)
    }

    /// The value, or the result of `f` when `Null` or `Absent`.
    pub fn unwrap_or_else(self, f: impl FnOnce() -> T) -> T {
        self.into_option().unwrap_or_else(f)
    }

    /// The value, or `T::default()` when `Null` or `Absent`.
    pub fn unwrap_or_default(self) -> T
    where
        T: Default,
    {
        self.into_option().unwrap_or_default()
    }

    /// The value, if there is one: `Null` and `Absent` both become `None` (use
    /// [`is_null`](Self::is_null) to tell them apart).
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }

    /// A borrowed value, if there is one (`Null` and `Absent` both become `None`).
    pub fn value(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Takes the value out, leaving `Absent` (like [`Option::take`]).
    pub fn take(&mut self) -> Nullable<T> {
        std::mem::replace(self, Nullable::Absent)
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(v: T) -> Self {
        Nullable::Value(v)
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    /// `None` becomes an explicit `null` (an `Option` field of a response reads `null` as
    /// `None` the same way); to leave a field out, use `Nullable::Absent`.
    fn from(v: Option<T>) -> Self {
        v.map_or(Nullable::Null, Nullable::Value)
    }
}

impl From<&str> for Nullable<String> {
    /// A string value, so a setter of a nullable string field takes `"text"` as well.
    fn from(v: &str) -> Self {
        Nullable::Value(v.to_string())
    }
}

impl<T> From<Nullable<T>> for Option<T> {
    /// The value, if there is one ([`Nullable::into_option`]).
    fn from(v: Nullable<T>) -> Self {
        v.into_option()
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(v) => v.serialize(s),
            // A model leaves `Absent` fields out; on its own, null is the honest form.
            Nullable::Null | Nullable::Absent => s.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(d).map(Nullable::from)
    }
}

/// Bytes that travel as a base64 string (`format: byte`).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Base64(pub Vec<u8>);

impl fmt::Debug for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64({} bytes)", self.0.len())
    }
}

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine;
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use base64::Engine;
        let s = String::deserialize(d)?;
        let engines = [&base64::engine::general_purpose::STANDARD, &base64::engine::general_purpose::URL_SAFE];
        for e in engines {
            if let Ok(v) = e.decode(s.trim_end_matches('=')).or_else(|_| e.decode(&s)) {
                return Ok(Base64(v));
            }
        }
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(s.trim_end_matches('='))
            .map(Base64)
            .map_err(de::Error::custom)
    }
}

/// File contents (`type: string, format: binary`).
///
/// In a multipart body it is sent as a file part (with its file name and media type). In a
/// JSON document, where raw octets cannot appear, its form is its contents as a string:
/// decoding takes the string's UTF-8 bytes, and encoding contents that are not UTF-8 fails
/// (they have no JSON form; send them as a file part).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Binary {
    /// File name sent in the part's `Content-Disposition`.
    pub file_name: Option<String>,
    /// Media type of the part; `application/octet-stream` when not given.
    pub content_type: Option<String>,
    /// The contents.
    pub data: Vec<u8>,
}

impl Binary {
    /// Contents with a file name.
    pub fn new(file_name: impl Into<String>, data: impl Into<Vec<u8>>) -> Self {
        Binary { file_name: Some(file_name.into()), content_type: None, data: data.into() }
    }

    /// Sets the media type.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Binary({:?}, {} bytes)", self.file_name, self.data.len())
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // In a multipart body the operation adds the file part itself.
        if crate::runtime::serializing_file_parts() {
            return s.serialize_none();
        }
        match std::str::from_utf8(&self.data) {
            Ok(text) => s.serialize_str(text),
            Err(_) => Err(serde::ser::Error::custom(
                "binary contents that are not UTF-8 have no JSON form (send them as a multipart file part)",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Binary { file_name: None, content_type: None, data: s.into_bytes() })
    }
}

/// (De)serializes a flag set's bits as a decimal string (`type: string` flags).
pub mod bits_as_string {
    use super::*;

    /// Writes the bits as a decimal string.
    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    /// Reads bits from a decimal string or a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(U64Visitor("flag bits as a decimal string or a number"))
    }
}

/// (De)serializes a flag set's bits as a number, accepting a decimal string too.
pub mod bits_as_number {
    use super::*;

    /// Writes the bits as a number.
    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(*v)
    }

    /// Reads bits from a number or a decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(U64Visitor("flag bits as a number or a decimal string"))
    }
}

/// Operators, queries and serde impls shared by every generated flag set (`struct X(u64)`),
/// whose bits travel as a number or a decimal string (`bits_as_number`, `bits_as_string`).
#[allow(unused_macros)]
macro_rules! flag_ops {
    ($t:ident, $with:ident) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $crate::types::$with::serialize(&self.0, s)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::types::$with::deserialize(d).map(Self)
            }
        }
        impl $t {
            /// No flags set.
            pub const fn empty() -> Self {
                Self(0)
            }
            /// The raw bits, unknown ones included.
            pub const fn bits(self) -> u64 {
                self.0
            }
            /// A set from raw bits; unknown bits are kept.
            pub const fn from_bits_retain(bits: u64) -> Self {
                Self(bits)
            }
            /// Whether every flag of `other` is set.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }
            /// Whether any flag of `other` is set.
            pub const fn intersects(self, other: Self) -> bool {
                self.0 & other.0 != 0
            }
            /// Sets the flags of `other`.
            pub fn insert(&mut self, other: Self) {
                self.0 |= other.0;
            }
            /// Clears the flags of `other`.
            pub fn remove(&mut self, other: Self) {
                self.0 &= !other.0;
            }
        }
        impl ::std::ops::BitOr for $t {
            type Output = Self;
            fn bitor(self, o: Self) -> Self {
                Self(self.0 | o.0)
            }
        }
        impl ::std::ops::BitAnd for $t {
            type Output = Self;
            fn bitand(self, o: Self) -> Self {
                Self(self.0 & o.0)
            }
        }
        impl ::std::ops::BitOrAssign for $t {
            fn bitor_assign(&mut self, o: Self) {
                self.0 |= o.0;
            }
        }
    };
}

// Path-scoped so generated models can call `crate::types::flag_ops!`.
#[allow(unused_imports)]
pub(crate) use flag_ops;

/// A string read from the wire (a property name or an enum value): borrowed from the input
/// where the format allows, so matching it costs no allocation.
#[doc(hidden)]
pub struct WireStr<'de>(std::borrow::Cow<'de, str>);

impl<'de> WireStr<'de> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text as an owned `String` (for a model's extra properties).
    pub fn into_owned(self) -> String {
        self.0.into_owned()
    }

    /// Reads a string value (an enum's wire value).
    pub fn deserialize_str<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(WireStrVisitor)
    }
}

/// Reads a property name.
impl<'de> Deserialize<'de> for WireStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_identifier(WireStrVisitor)
    }
}

struct WireStrVisitor;

impl<'de> Visitor<'de> for WireStrVisitor {
    type Value = WireStr<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(WireStr(std::borrow::Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(WireStr(std::borrow::Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(WireStr(std::borrow::Cow::Owned(v)))
    }
}

/// Whether a model writes one of its optional constant properties (one allowed value, not
/// `required`): always for a value built in code (the constant is not user input), and for a
/// value read, as it was read, so that reading and writing again gives back the same JSON.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConstPresence {
    /// Written (a value built in code, or read with the property).
    #[default]
    Written,
    /// Read without the property: left out when written.
    LeftOut,
}

/// A property with one allowed value, read and checked: `Const("user", "role")` accepts
/// only `"user"`, and its error names the property. For the model macros.
#[doc(hidden)]
pub struct Const<T>(pub T, pub &'static str);

impl<T: fmt::Debug> Const<T> {
    fn expected(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{:?}` (the only value of `{}`)", self.0, self.1)
    }
}

impl<'de> de::DeserializeSeed<'de> for Const<&'static str> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Const<&'static str> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expected(f)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if v == self.0 {
            Ok(())
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
}

impl<'de> de::DeserializeSeed<'de> for Const<i64> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_i64(self)
    }
}

impl Visitor<'_> for Const<i64> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expected(f)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        if v == self.0 {
            Ok(())
        } else {
            Err(E::invalid_value(de::Unexpected::Signed(v), &self))
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        if i64::try_from(v) == Ok(self.0) {
            Ok(())
        } else {
            Err(E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
    }
}

impl<'de> de::DeserializeSeed<'de> for Const<bool> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_bool(self)
    }
}

impl Visitor<'_> for Const<bool> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expected(f)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        if v == self.0 {
            Ok(())
        } else {
            Err(E::invalid_value(de::Unexpected::Bool(v), &self))
        }
    }
}

/// The tag property of a JSON value, as a tagged union's `Deserialize` matches it.
#[doc(hidden)]
pub enum Tag<'a> {
    Str(&'a str),
    Int(i64),
    Bool(bool),
    /// An object without the property.
    Absent,
    /// Not an object (a string, number, array, …): variants that are not objects take it.
    NotObject,
    /// A tag of another kind (null, a fraction, an array, …).
    Other,
}

impl<'a> Tag<'a> {
    /// The property `name` of `value`.
    pub fn of(value: &'a serde_json::Value, name: &str) -> Self {
        use serde_json::Value;
        let Value::Object(map) = value else {
            return Tag::NotObject;
        };
        match map.get(name) {
            None => Tag::Absent,
            Some(Value::String(s)) => Tag::Str(s),
            Some(Value::Bool(b)) => Tag::Bool(*b),
            Some(Value::Number(n)) => n.as_i64().map_or(Tag::Other, Tag::Int),
            Some(_) => Tag::Other,
        }
    }
}

/// `Serialize` and `Deserialize` for a generated model struct, from its fields' wire names and
/// presence (`required`, `required_nullable`, `optional`, `optional_nullable`), its required
/// constant properties (`, const { local = "wire" value required, … }`: no struct field, one
/// allowed value), its optional ones (`, const_optional { field = "wire" value, … }`: a
/// private [`ConstPresence`] field each), and the name of its extra-properties map if it has one. With `request` first, only
/// requests use the model, and `Deserialize` comes with the `deserialize-requests` feature.
///
/// Written out, not derived, because this is most of what a large SDK spends compiling:
/// `Deserialize` is a single `visit_map` with one local per field, where the derive adds a
/// field enum with three matchers and a sequence form; and the SDK then needs no proc macro.
/// Writing: constants first, always (an optional one left out only when it was read without
/// it); `optional` fields are left out when `None`,
/// `optional_nullable` ones when `Absent`; `null` is written for the others when
/// `None`/`Null`. Reading: a constant with another value is an error naming it; a missing
/// `required` field or constant is an error, any other missing field is `Default` (`None`,
/// `Absent`); undeclared properties are skipped (or kept in the extra map); a repeated
/// property: the last one wins.
#[allow(unused_macros)]
macro_rules! serde_struct {
    (@ser $name:ident { $($field:ident = $wire:literal $presence:ident),* }
        { $($cfield:ident = $cwire:literal $cvalue:literal $cpresence:ident),* }
        { $($ofield:ident = $owire:literal $ovalue:literal),* } $($extra:ident)?) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                #[allow(unused_mut)]
                let mut map = s.serialize_map(None)?;
                $(map.serialize_entry($cwire, &$cvalue)?;)*
                $(if self.$ofield == $crate::types::ConstPresence::Written {
                    map.serialize_entry($owire, &$ovalue)?;
                })*
                $($crate::types::serde_struct!(@put map $wire, &self.$field, $presence);)*
                $(for (k, v) in &self.$extra {
                    map.serialize_entry(k, v)?;
                })?
                map.end()
            }
        }
    };
    (@put $map:ident $wire:literal, $value:expr, optional) => {
        if let Some(v) = $value {
            $map.serialize_entry($wire, v)?;
        }
    };
    (@put $map:ident $wire:literal, $value:expr, read_required) => {
        $crate::types::serde_struct!(@put $map $wire, $value, optional)
    };
    (@put $map:ident $wire:literal, $value:expr, read_required_nullable) => {
        $crate::types::serde_struct!(@put $map $wire, $value, optional_nullable)
    };
    (@put $map:ident $wire:literal, $value:expr, optional_nullable) => {
        if !$value.is_absent() {
            $map.serialize_entry($wire, $value)?;
        }
    };
    (@put $map:ident $wire:literal, $value:expr, $presence:ident) => {
        $map.serialize_entry($wire, $value)?;
    };
    (@de $name:ident { $($field:ident = $wire:literal $presence:ident),* }
        { $($cfield:ident = $cwire:literal $cvalue:literal $cpresence:ident),* }
        { $($ofield:ident = $owire:literal $ovalue:literal),* } $($extra:ident)?) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct ModelVisitor;
                impl<'de> serde::de::Visitor<'de> for ModelVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        $(let mut $field = None;)*
                        $(let mut $cfield = false;)*
                        $(let mut $ofield = $crate::types::ConstPresence::LeftOut;)*
                        $(let mut $extra = std::collections::BTreeMap::new();)?
                        while let Some(key) = map.next_key::<$crate::types::WireStr<'de>>()? {
                            match key.as_str() {
                                $($wire => $field = Some(map.next_value()?),)*
                                $($cwire => {
                                    map.next_value_seed($crate::types::Const($cvalue, $cwire))?;
                                    $cfield = true;
                                })*
                                $($owire => {
                                    map.next_value_seed($crate::types::Const($ovalue, $owire))?;
                                    $ofield = $crate::types::ConstPresence::Written;
                                })*
                                _ => $crate::types::serde_struct!(@other map key $($extra)?),
                            }
                        }
                        $($crate::types::serde_struct!(@check $cfield $cwire $cpresence);)*
                        Ok($name {
                            $($field: $crate::types::serde_struct!(@finish $field $wire $presence),)*
                            $($ofield,)*
                            $($extra,)?
                        })
                    }
                }
                d.deserialize_map(ModelVisitor)
            }
        }
    };
    (@other $map:ident $key:ident) => {{
        drop($key);
        $map.next_value::<serde::de::IgnoredAny>()?;
    }};
    (@other $map:ident $key:ident $extra:ident) => {{
        $extra.insert($key.into_owned(), $map.next_value()?);
    }};
    (@check $seen:ident $wire:literal required) => {
        if !$seen {
            return Err(serde::de::Error::missing_field($wire));
        }
    };
    (@check $seen:ident $wire:literal $presence:ident) => {
        let _ = $seen;
    };
    (@finish $field:ident $wire:literal required) => {
        match $field {
            Some(v) => v,
            None => return Err(serde::de::Error::missing_field($wire)),
        }
    };
    // A required `readOnly` property: optional in requests (the field is an `Option`), always
    // sent by the server, so reading one without it fails. Nullable, a missing one reads as
    // null (as `required_nullable` does).
    (@finish $field:ident $wire:literal read_required) => {
        match $field {
            Some(v) => v,
            None => return Err(serde::de::Error::missing_field($wire)),
        }
    };
    (@finish $field:ident $wire:literal read_required_nullable) => {
        $field.unwrap_or($crate::types::Nullable::Null)
    };
    (@finish $field:ident $wire:literal $presence:ident) => {
        $field.unwrap_or_default()
    };
    (request $name:ident { $($field:ident = $wire:literal $presence:ident),* $(,)? }
        $(, const { $($cfield:ident = $cwire:literal $cvalue:literal $cpresence:ident),* $(,)? })?
        $(, const_optional { $($ofield:ident = $owire:literal $ovalue:literal),* $(,)? })?
        $($extra:ident)?) => {
        $crate::types::serde_struct!(@ser $name { $($field = $wire $presence),* }
            { $($($cfield = $cwire $cvalue $cpresence),*)? }
            { $($($ofield = $owire $ovalue),*)? } $($extra)?);
        #[cfg(feature = "deserialize-requests")]
        $crate::types::serde_struct!(@de $name { $($field = $wire $presence),* }
            { $($($cfield = $cwire $cvalue $cpresence),*)? }
            { $($($ofield = $owire $ovalue),*)? } $($extra)?);
    };
    ($name:ident { $($field:ident = $wire:literal $presence:ident),* $(,)? }
        $(, const { $($cfield:ident = $cwire:literal $cvalue:literal $cpresence:ident),* $(,)? })?
        $(, const_optional { $($ofield:ident = $owire:literal $ovalue:literal),* $(,)? })?
        $($extra:ident)?) => {
        $crate::types::serde_struct!(@ser $name { $($field = $wire $presence),* }
            { $($($cfield = $cwire $cvalue $cpresence),*)? }
            { $($($ofield = $owire $ovalue),*)? } $($extra)?);
        $crate::types::serde_struct!(@de $name { $($field = $wire $presence),* }
            { $($($cfield = $cwire $cvalue $cpresence),*)? }
            { $($($ofield = $owire $ovalue),*)? } $($extra)?);
    };
}

#[allow(unused_imports)]
pub(crate) use serde_struct;

/// Whether a variant that declares the properties `keys` (and keeps no others) keeps every
/// property of `value` (always true when `value` is not an object): how an untagged union
/// picks, among the variants that accept an object, one that loses nothing.
pub fn declares_every_key(value: &serde_json::Value, keys: &[&str], keeping_null: &[&str]) -> bool {
    match value {
        // A `null` counts only where the variant keeps it: elsewhere it is read as absent, and
        // would not be written back.
        serde_json::Value::Object(map) => map.iter().all(|(k, v)| {
            let list = if v.is_null() { keeping_null } else { keys };
            list.contains(&k.as_str())
        }),
        _ => true,
    }
}

/// `Serialize` and `Deserialize` for a generated union (`enum X { A(A), B(B), Unknown(Value) }`)
/// from its variants: a value is written as its variant's value, and read as the first variant
/// that accepts it (for an object, the first whose key lists `["a", "b"] ["b"]` declare every
/// property it holds, the second those whose `null` it keeps, if one does), else kept as `Unknown`. With `request` first, `Deserialize` comes with the
/// `deserialize-requests` feature. With `tagged`, a value is read by its tag property: each arm
/// (`Str("a")`, `Int(2)`, `Bool(true)`, `Absent` for an object without the property, or
/// `NotObject` for a value that is not an object) lists the variants it selects, tried in order
/// (the last one's error is reported); values no arm names are kept as `Unknown`.
#[allow(unused_macros)]
macro_rules! serde_union {
    (@ser $name:ident { $($variant:ident),* }) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Self::$variant(v) => serde::Serialize::serialize(v, s),)*
                    Self::Unknown(v) => serde::Serialize::serialize(v, s),
                }
            }
        }
    };
    (@de $name:ident { $($variant:ident $([$($key:literal),*] [$($null:literal),*])?),* }) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                // Open objects accept each other's properties and drop the ones they do not
                // declare: the first variant that declares them all wins, else the first
                // that accepts. A variant without a key list (not a struct, or one that keeps
                // extra properties) keeps everything.
                let mut first = None;
                $(if let Ok(v) = serde::Deserialize::deserialize(&value) {
                    if $crate::types::serde_union!(@keeps value $([$($key),*] [$($null),*])?) {
                        return Ok(Self::$variant(v));
                    }
                    first.get_or_insert(Self::$variant(v));
                })*
                Ok(first.unwrap_or(Self::Unknown(value)))
            }
        }
    };
    (@keeps $value:ident [$($key:literal),*] [$($null:literal),*]) => {
        $crate::types::declares_every_key(&$value, &[$($key),*], &[$($null),*])
    };
    (@keeps $value:ident) => {
        true
    };
    (@tagged $name:ident by $tag:literal {
        $($kind:ident $(($value:literal))? => [$($candidate:ident),+]),* $(,)?
    }) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                match $crate::types::Tag::of(&value, $tag) {
                    $($crate::types::Tag::$kind $(($value))? => {
                        $crate::types::serde_union!(@try value $($candidate),+)
                    })*
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }
    };
    (@try $value:ident $last:ident) => {
        serde_json::from_value($value)
            .map(Self::$last)
            .map_err(serde::de::Error::custom)
    };
    (@try $value:ident $first:ident, $($rest:ident),+) => {{
        if let Ok(v) = serde::Deserialize::deserialize(&$value) {
            return Ok(Self::$first(v));
        }
        $crate::types::serde_union!(@try $value $($rest),+)
    }};
    (tagged $name:ident { $($variant:ident),* $(,)? } by $tag:literal { $($arms:tt)* }) => {
        $crate::types::serde_union!(@ser $name { $($variant),* });
        $crate::types::serde_union!(@tagged $name by $tag { $($arms)* });
    };
    (request tagged $name:ident { $($variant:ident),* $(,)? } by $tag:literal { $($arms:tt)* }) => {
        $crate::types::serde_union!(@ser $name { $($variant),* });
        #[cfg(feature = "deserialize-requests")]
        $crate::types::serde_union!(@tagged $name by $tag { $($arms)* });
    };
    (request $name:ident { $($variant:ident $([$($key:literal),*] [$($null:literal),*])?),* $(,)? }) => {
        $crate::types::serde_union!(@ser $name { $($variant),* });
        #[cfg(feature = "deserialize-requests")]
        $crate::types::serde_union!(@de $name { $($variant $([$($key),*] [$($null),*])?),* });
    };
    ($name:ident { $($variant:ident $([$($key:literal),*] [$($null:literal),*])?),* $(,)? }) => {
        $crate::types::serde_union!(@ser $name { $($variant),* });
        $crate::types::serde_union!(@de $name { $($variant $([$($key),*] [$($null),*])?),* });
    };
}

#[allow(unused_imports)]
pub(crate) use serde_union;

/// The impls of a generated open string enum (`enum X { A, B, Unknown(String) }`): `as_str`,
/// `From<&str>`, `Display`, `Serialize` and `Deserialize`, from its variants' wire values.
#[allow(unused_macros)]
macro_rules! string_enum {
    ($name:ident { $($variant:ident = $value:literal),* $(,)? }) => {
        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(v) => v,
                }
            }
        }
        impl From<&str> for $name {
            fn from(v: &str) -> Self {
                match v {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = $crate::types::WireStr::deserialize_str(d)?;
                Ok(Self::from(v.as_str()))
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use string_enum;

/// The impls of a generated open integer enum (`enum X { A, B, Unknown(i64) }`): `value`,
/// `From<i64>`, `Serialize` and `Deserialize`, from its variants' wire values.
#[allow(unused_macros)]
macro_rules! int_enum {
    ($name:ident { $($variant:ident = $value:literal),* $(,)? }) => {
        impl $name {
            /// The wire value.
            pub fn value(self) -> i64 {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(v) => v,
                }
            }
        }
        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                match v {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other),
                }
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.value())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <i64 as serde::Deserialize>::deserialize(d).map(Self::from)
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use int_enum;
