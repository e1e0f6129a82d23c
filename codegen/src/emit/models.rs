//! `src/models.rs`: one Rust type per named schema, plus the crate-wide error body enum.

use super::rust::{doc, ident, ty, Ctx};
use crate::ir::*;
use proc_macro2::{Delimiter, Literal, TokenStream, TokenTree};
use quote::quote;

/// The start of `models.rs`: module docs, lints, imports. Then come [`types`] (in runs) and
/// [`error_body`]; every part is whole items, so each can be formatted apart.
pub fn header() -> TokenStream {
    quote! {
        //! Request and response models.
        #![allow(deprecated)]
        #![allow(clippy::large_enum_variant, clippy::too_many_arguments)]

        #[allow(unused_imports)]
        use serde::Deserialize;
        #[allow(unused_imports)]
        use crate::types::Nullable;
    }
}

/// The items of `api.types[range]`.
pub fn types(api: &Api, range: std::ops::Range<usize>) -> TokenStream {
    let types = api.types[range]
        .iter()
        .map(|t| gate(cfg_for(api, &t.reach), type_def(api, t)));
    quote!(#(#types)*)
}

/// Puts `cfg` on every item of `items` (a type and its impls go together).
fn gate(cfg: TokenStream, items: TokenStream) -> TokenStream {
    if cfg.is_empty() {
        return items;
    }
    let gated = split_items(items)
        .into_iter()
        .map(|item| quote!(#cfg #item));
    quote!(#(#gated)*)
}

/// Splits a sequence of items at their ends without parsing them (parsing costs more than the
/// rest of emitting): an item ends with a `;` or with a `{ … }` block not followed by `;` (the
/// items generated here are structs, enums, impls, type aliases and macro calls).
fn split_items(items: TokenStream) -> Vec<TokenStream> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut tokens = items.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let ends = match &token {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => {
                g.delimiter() == Delimiter::Brace
                    && !matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';')
            }
            _ => false,
        };
        current.push(token);
        if ends {
            out.push(current.drain(..).collect());
        }
    }
    if !current.is_empty() {
        out.push(current.into_iter().collect());
    }
    out
}

/// `#[cfg(any(feature = …))]` for a type reached only by some tags' operations, or by types no
/// operation uses (`extra-models`).
pub fn cfg_for(api: &Api, reach: &Reach) -> TokenStream {
    let mut features: Vec<&str> = reach
        .tags
        .iter()
        .map(|&i| api.tags[i].feature.as_str())
        .collect();
    if reach.extra {
        features.push(EXTRA_MODELS_FEATURE);
    }
    if features.is_empty() {
        return quote!();
    }
    if let [one] = features.as_slice() {
        return quote!(#[cfg(feature = #one)]);
    }
    quote!(#[cfg(any(#(feature = #features),*))])
}

fn type_def(api: &Api, t: &TypeDef) -> TokenStream {
    let name = ident(&t.name);
    let docs = doc(t
        .docs
        .as_deref()
        .unwrap_or(&format!("The `{}` model.", t.name)));
    let deprecated = if t.deprecated {
        quote!(#[deprecated])
    } else {
        quote!()
    };
    match &t.kind {
        TypeKind::Struct(s) => structure(api, &name, docs, deprecated, t.reach.received, s),
        TypeKind::Enum(e) => enumeration(&name, docs, deprecated, e),
        TypeKind::Union(u) => union(&name, docs, deprecated, t.reach.received, u),
        TypeKind::Alias(target) => {
            let target = ty(target, Ctx::Models);
            quote!(#docs #deprecated pub type #name = #target;)
        }
        TypeKind::Flags(f) => flags(&name, docs, deprecated, f),
    }
}

/// Types only requests use get `Deserialize` only on request (`deserialize-requests`): the SDK
/// never reads them, and serde impls are most of what a large crate spends compiling.
fn request_mode(received: bool) -> TokenStream {
    if received {
        quote!()
    } else {
        quote!(request)
    }
}

fn structure(
    api: &Api,
    name: &proc_macro2::Ident,
    docs: TokenStream,
    deprecated: TokenStream,
    received: bool,
    s: &StructDef,
) -> TokenStream {
    let mode = request_mode(received);
    let mut fields = Vec::new();
    let mut wire_fields = Vec::new();
    let mut ctor_args = Vec::new();
    let mut ctor_init = Vec::new();
    let all_optional = s
        .fields
        .iter()
        .all(|f| matches!(f.presence, Presence::Optional | Presence::OptionalNullable));
    for f in &s.fields {
        let fname = ident(&f.rust_name);
        let base = ty(&f.ty, Ctx::Models);
        let wire = &f.name;
        let mut text = f
            .docs
            .clone()
            .unwrap_or_else(|| format!("The `{wire}` property."));
        if f.read_only {
            text.push_str("\n\nRead-only: set by the server; leave it out of requests.");
        }
        if let Some(d) = &f.default {
            text.push_str(&format!("\n\nDefault: `{d}`."));
        }
        let fdocs = doc(&text);
        let fdep = if f.deprecated {
            quote!(#[deprecated])
        } else {
            quote!()
        };
        let (field_ty, presence) = match f.presence {
            Presence::Required => (base.clone(), quote!(required)),
            Presence::RequiredNullable => (quote!(Option<#base>), quote!(required_nullable)),
            Presence::Optional => (quote!(Option<#base>), quote!(optional)),
            Presence::OptionalNullable => (quote!(Nullable<#base>), quote!(optional_nullable)),
        };
        fields.push(quote!(#fdocs #fdep pub #fname: #field_ty,));
        wire_fields.push(quote!(#fname = #wire #presence));
        match f.presence {
            // A field with one legal value (a `const` tag) is filled in, not asked for.
            Presence::Required if single_value(api, &f.ty).is_some() => {
                let (enum_name, variant) = single_value(api, &f.ty).unwrap_or_default();
                let (e, v) = (ident(&enum_name), ident(&variant));
                ctor_init.push(quote!(#fname: #e::#v));
            }
            Presence::Required | Presence::RequiredNullable => {
                ctor_args.push(quote!(#fname: #field_ty));
                ctor_init.push(quote!(#fname));
            }
            _ => ctor_init.push(quote!(#fname: Default::default())),
        }
    }
    let mut extra = None;
    if let Some(extra_ty) = &s.additional {
        let v = ty(extra_ty, Ctx::Models);
        let fname = ident(
            if s.fields
                .iter()
                .any(|f| f.rust_name == "additional_properties")
            {
                "additional_properties_"
            } else {
                "additional_properties"
            },
        );
        fields.push(quote! {
            /// Properties beyond the declared ones, by name.
            pub #fname: std::collections::BTreeMap<String, #v>,
        });
        ctor_init.push(quote!(#fname: Default::default()));
        extra = Some(fname);
    }
    let default = if all_optional {
        quote!(Default,)
    } else {
        quote!()
    };
    let ctor_doc = if ctor_args.is_empty() {
        "A value with every optional field left out.".to_string()
    } else {
        "A value from its required fields; optional fields are left out.".to_string()
    };
    quote! {
        #docs
        #deprecated
        #[derive(Clone, Debug, PartialEq, #default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        crate::types::serde_struct!(#mode #name { #(#wire_fields),* } #extra);

        impl #name {
            #[doc = #ctor_doc]
            #[allow(clippy::new_without_default)]
            pub fn new(#(#ctor_args),*) -> Self {
                Self { #(#ctor_init),* }
            }
        }
    }
}

/// The enum and variant of a one-value string enum type.
fn single_value(api: &Api, t: &TypeRef) -> Option<(String, String)> {
    let TypeRef::Named(n) = t else { return None };
    match &api.type_def(n)?.kind {
        TypeKind::Enum(e) if e.variants.len() == 1 => {
            Some((n.clone(), e.variants[0].rust_name.clone()))
        }
        _ => None,
    }
}

fn enumeration(
    name: &proc_macro2::Ident,
    docs: TokenStream,
    deprecated: TokenStream,
    e: &EnumDef,
) -> TokenStream {
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.rust_name)).collect();
    let vdocs = e.variants.iter().map(|v| {
        let d = v.docs.clone().unwrap_or_else(|| format!("`{}`", v.value));
        doc(&d)
    });
    match e.repr {
        EnumRepr::String => {
            let values: Vec<String> = e
                .variants
                .iter()
                .map(|v| v.value.as_str().unwrap_or_default().to_string())
                .collect();
            quote! {
                #docs
                #deprecated
                #[derive(Clone, Debug, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                pub enum #name {
                    #(#vdocs #variants,)*
                    /// A value this version of the SDK does not know; kept as received and sent back unchanged.
                    Unknown(String),
                }

                crate::types::string_enum!(#name { #(#variants = #values),* });
            }
        }
        EnumRepr::Integer => {
            let values: Vec<Literal> = e
                .variants
                .iter()
                .map(|v| Literal::i64_unsuffixed(v.value.as_i64().unwrap_or_default()))
                .collect();
            quote! {
                #docs
                #deprecated
                #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                pub enum #name {
                    #(#vdocs #variants,)*
                    /// A value this version of the SDK does not know; kept as received and sent back unchanged.
                    Unknown(i64),
                }

                crate::types::int_enum!(#name { #(#variants = #values),* });
            }
        }
    }
}

fn union(
    name: &proc_macro2::Ident,
    docs: TokenStream,
    deprecated: TokenStream,
    received: bool,
    u: &UnionDef,
) -> TokenStream {
    let variants: Vec<_> = u.variants.iter().map(|v| ident(&v.rust_name)).collect();
    let tys: Vec<_> = u.variants.iter().map(|v| ty(&v.ty, Ctx::Models)).collect();
    let vdocs: Vec<_> = u
        .variants
        .iter()
        .map(|v| {
            let d = match (&v.docs, v.tag_values.first()) {
                (Some(d), _) => d.clone(),
                (None, Some(t)) => format!("The `{t}` variant."),
                (None, None) => format!("A `{}`.", v.rust_name),
            };
            doc(&d)
        })
        .collect();
    let decodes = if received {
        quote!()
    } else {
        quote!(#[cfg(feature = #DESERIALIZE_REQUESTS_FEATURE)])
    };
    match &u.tag {
        Some(tag) => {
            let told_apart = format!(" Told apart by the `{tag}` property.");
            // A tag value that several variants share (OpenAI's input and output `message`)
            // tries them in order; every other value selects its one variant.
            let owners = |value: &String| -> Vec<&proc_macro2::Ident> {
                u.variants
                    .iter()
                    .zip(&variants)
                    .filter(|(v, _)| v.tag_values.contains(value))
                    .map(|(_, id)| id)
                    .collect()
            };
            let mut shared_done: Vec<&String> = Vec::new();
            let mut arms = Vec::new();
            for (v, id) in u.variants.iter().zip(&variants) {
                let own: Vec<&String> = v
                    .tag_values
                    .iter()
                    .filter(|t| owners(t).len() == 1)
                    .collect();
                if !own.is_empty() {
                    arms.push(quote!(#(Some(#own))|* => serde_json::from_value(value).map(Self::#id).map_err(serde::de::Error::custom),));
                }
                for t in v.tag_values.iter().filter(|t| owners(t).len() > 1) {
                    if shared_done.contains(&t) {
                        continue;
                    }
                    shared_done.push(t);
                    let ids = owners(t);
                    let (last, first) = ids.split_last().expect("shared by several");
                    arms.push(quote!(Some(#t) => {
                        #(if let Ok(v) = serde_json::from_value(value.clone()) { return Ok(Self::#first(v)); })*
                        serde_json::from_value(value).map(Self::#last).map_err(serde::de::Error::custom)
                    }));
                }
            }
            quote! {
                #docs
                #deprecated
                #[doc = ""]
                #[doc = #told_apart]
                #[derive(Clone, Debug, PartialEq)]
                #[non_exhaustive]
                pub enum #name {
                    #(#vdocs #variants(#tys),)*
                    /// A variant this version of the SDK does not know; kept as received.
                    Unknown(serde_json::Value),
                }

                crate::types::serde_union!(tagged #name { #(#variants),* });

                #decodes
                impl<'de> Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        let value = serde_json::Value::deserialize(d)?;
                        match value.get(#tag).and_then(serde_json::Value::as_str) {
                            #(#arms)*
                            _ => Ok(Self::Unknown(value)),
                        }
                    }
                }
            }
        }
        None => {
            let mode = request_mode(received);
            quote! {
                #docs
                #deprecated
                #[derive(Clone, Debug, PartialEq)]
                #[non_exhaustive]
                pub enum #name {
                    #(#vdocs #variants(#tys),)*
                    /// A value matching none of the known variants; kept as received.
                    Unknown(serde_json::Value),
                }

                crate::types::serde_union!(#mode #name { #(#variants),* });
            }
        }
    }
}

fn flags(
    name: &proc_macro2::Ident,
    docs: TokenStream,
    deprecated: TokenStream,
    f: &FlagsDef,
) -> TokenStream {
    let with = if f.as_string {
        quote!(bits_as_string)
    } else {
        quote!(bits_as_number)
    };
    let consts = f.flags.iter().map(|flag| {
        let c = ident(&flag.rust_name);
        let v = Literal::u64_unsuffixed(flag.value);
        let d = doc(flag.docs.as_deref().unwrap_or(&format!("`{}`", flag.name)));
        quote!(#d pub const #c: Self = Self(#v);)
    });
    quote! {
        #docs
        #deprecated
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
        pub struct #name(u64);

        impl #name {
            #(#consts)*
        }

        crate::types::flag_ops!(#name, #with);
    }
}

pub fn error_body(api: &Api) -> TokenStream {
    let variants: Vec<_> = api.error_models.iter().map(|m| ident(&m.variant)).collect();
    let tys: Vec<_> = api
        .error_models
        .iter()
        .map(|m| ty(&m.ty, Ctx::Models))
        .collect();
    let docs = api
        .error_models
        .iter()
        .map(|m| format!(" A `{}` error body.", m.variant));
    quote! {
        /// The decoded body of an error response: which model it is depends on the status the
        /// operation's description gives it.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum ErrorBody {
            #(#[doc = #docs] #variants(#tys),)*
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_tag_values_try_each_variant_in_order() {
        let variant = |name: &str, tags: &[&str]| UnionVariant {
            rust_name: name.into(),
            ty: TypeRef::Named(name.into()),
            tag_values: tags.iter().map(|t| t.to_string()).collect(),
            docs: None,
        };
        let u = UnionDef {
            variants: vec![
                variant("Input", &["message"]),
                variant("Output", &["message", "output"]),
                variant("Call", &["call"]),
            ],
            tag: Some("type".into()),
        };
        let code = union(&ident("Item"), quote!(), quote!(), true, &u).to_string();
        // One arm per value: no unreachable patterns under `-D warnings`.
        assert_eq!(code.matches("Some (\"message\")").count(), 1, "{code}");
        assert!(code.contains("return Ok (Self :: Input (v))"), "{code}");
        assert!(
            code.contains(
                "Some (\"output\") => serde_json :: from_value (value) . map (Self :: Output)"
            ),
            "{code}"
        );
        assert!(code.contains("Some (\"call\")"), "{code}");
    }
}
