//! `src/registry.rs`: a test-only way to decode and encode any model by the JSON pointer of its
//! schema, for the round-trip gate (`cargo xtask roundtrip`).
//!
//! Compiled only with the generated crate's `test-registry` feature (which turns on every
//! model and both serde directions), so it costs users nothing. Every named type is listed:
//! components and inline request/response body schemas alike, by `TypeDef::pointer`; when two
//! types come from one schema, the first (by name) answers for it.

use super::rust::lit;
use crate::ir::*;
use std::collections::HashSet;
use std::fmt::Write;

/// The generated crate's feature that compiles [`text`]'s module.
pub const FEATURE: &str = "test-registry";

/// The module's text (with the generated-file header).
pub fn text(api: &Api) -> String {
    let mut seen = HashSet::new();
    let types: Vec<&TypeDef> = api
        .types
        .iter()
        .filter(|t| !t.pointer.is_empty() && seen.insert(t.pointer.as_str()))
        .collect();
    let mut out = String::from(super::HEADER);
    out.push_str(
        "//! Test-only registry: decode and encode any model by the JSON pointer of its schema in\n\
         //! the OpenAPI document (for the schema round-trip gate).\n\
         #![allow(deprecated)]\n\n\
         /// The JSON pointers (in the original document) of the schemas of every model.\n\
         pub const SCHEMAS: &[&str] = &[\n",
    );
    for t in &types {
        let _ = writeln!(out, "    {},", lit(&t.pointer));
    }
    out.push_str(
        "];\n\n\
         /// Decodes `value` as the model of the schema at `pointer` and encodes it back; `None`\n\
         /// when no model comes from that schema. A decode error starts with the path of the\n\
         /// property at fault.\n\
         pub fn roundtrip(\n    pointer: &str,\n    value: serde_json::Value,\n\
         ) -> Option<Result<serde_json::Value, String>> {\n    Some(match pointer {\n",
    );
    for t in &types {
        let _ = writeln!(
            out,
            "        {} => roundtrip_as::<crate::models::{}>(value),",
            lit(&t.pointer),
            t.name
        );
    }
    out.push_str(
        "        _ => return None,\n    })\n}\n\n\
         fn roundtrip_as<T: serde::Serialize + serde::de::DeserializeOwned>(\n    \
         value: serde_json::Value,\n) -> Result<serde_json::Value, String> {\n    \
         let decoded: T = serde_path_to_error::deserialize(value)\n        \
         .map_err(|e| format!(\"{}: {}\", e.path(), e.inner()))?;\n    \
         serde_json::to_value(&decoded).map_err(|e| e.to_string())\n}\n",
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_components_and_inline_bodies_and_parses() {
        let spec = r##"{
          "openapi": "3.1.0", "info": {"title": "T", "version": "1"},
          "paths": {"/a/{id}": {"post": {"operationId": "make",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema":
              {"type": "object", "properties": {"n": {"type": "integer"}}}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema":
              {"$ref": "#/components/schemas/Thing"}}}}}}}},
          "components": {"schemas": {
            "Thing": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            "Kind": {"type": "string", "enum": ["a", "b"]}}}
        }"##;
        let root = crate::load::parse(spec, "t.json").unwrap();
        let doc = crate::load::Document::new("t.json", root);
        let config = crate::Config {
            crate_name: "t".into(),
            ..Default::default()
        };
        let out = crate::generate_document(doc, &config, Vec::new()).unwrap();
        let text = &out.files[std::path::Path::new("src/registry.rs")];
        syn::parse_file(text).expect("parses");
        for pointer in [
            "/components/schemas/Thing",
            "/components/schemas/Kind",
            "/paths/~1a~1{id}/post/requestBody/content/application~1json/schema",
        ] {
            assert!(
                text.contains(&format!("\"{pointer}\" => roundtrip_as::<crate::models::")),
                "{pointer}:\n{text}"
            );
        }
        let manifest = &out.files[std::path::Path::new("Cargo.toml")];
        assert!(
            manifest.contains(
                "test-registry = [\"default-api\", \"extra-models\", \"deserialize-requests\"]"
            ),
            "{manifest}"
        );
        let lib = &out.files[std::path::Path::new("src/lib.rs")];
        assert!(lib.contains("#[cfg(feature = \"test-registry\")]"), "{lib}");
    }
}
