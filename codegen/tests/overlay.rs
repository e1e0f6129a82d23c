//! Overlay Specification 1.0 conformance: how actions select, merge, append and remove, in
//! which order, and what they report (`codegen::overlay`).

use codegen::overlay::{self, Provenance};
use codegen::{Config, Error, Warning};
use serde_json::{json, Value};

fn overlay(actions: Value) -> overlay::Overlay {
    overlay::parse(
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions}),
        "fix.yaml",
    )
    .expect("valid overlay")
}

fn apply(doc: &mut Value, actions: Value) -> (Provenance, Vec<(String, Warning)>) {
    let mut provenance = Provenance::default();
    let mut warnings = Vec::new();
    overlay(actions)
        .apply(doc, &mut provenance, &mut warnings)
        .expect("applies");
    (provenance, warnings)
}

fn apply_err(doc: &mut Value, actions: Value) -> String {
    let mut provenance = Provenance::default();
    let mut warnings = Vec::new();
    overlay(actions)
        .apply(doc, &mut provenance, &mut warnings)
        .expect_err("fails")
        .to_string()
}

fn parse_err(doc: Value) -> String {
    overlay::parse(doc, "fix.yaml")
        .expect_err("refused")
        .to_string()
}

#[test]
fn update_merges_objects_recursively() {
    let mut doc = json!({"info": {"title": "Old", "contact": {"name": "a", "email": "e"}}});
    apply(
        &mut doc,
        json!([{"target": "$.info", "update": {"title": "New", "contact": {"name": "b"}, "x-new": 1}}]),
    );
    assert_eq!(
        doc,
        json!({"info": {"title": "New", "contact": {"name": "b", "email": "e"}, "x-new": 1}})
    );
}

#[test]
fn update_on_an_array_appends_one_entry_and_arrays_in_objects_concatenate() {
    let mut doc = json!({"tags": [{"name": "a"}], "info": {"list": [1, 2]}});
    apply(
        &mut doc,
        json!([
            {"target": "$.tags", "update": {"name": "b"}},
            {"target": "$.info", "update": {"list": [3]}}
        ]),
    );
    assert_eq!(
        doc,
        json!({"tags": [{"name": "a"}, {"name": "b"}], "info": {"list": [1, 2, 3]}})
    );
}

#[test]
fn remove_takes_nodes_out_of_objects_and_arrays() {
    let mut doc =
        json!({"paths": {"/a": {}, "/b": {}}, "tags": [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]});
    apply(
        &mut doc,
        json!([
            {"target": "$.paths['/a']", "remove": true},
            // Several array entries at once: indices must not shift under the removal.
            {"target": "$.tags[?@.n == 1 || @.n == 2]", "remove": true}
        ]),
    );
    assert_eq!(
        doc,
        json!({"paths": {"/b": {}}, "tags": [{"n": 0}, {"n": 3}]})
    );
}

#[test]
fn one_target_may_select_many_nodes() {
    let mut doc = json!({"paths": {
        "/a": {"get": {"responses": {}}, "post": {"responses": {}}},
        "/b": {"get": {"responses": {}}}
    }});
    apply(
        &mut doc,
        json!([{"target": "$.paths.*.get", "update": {"x-safe": true}}]),
    );
    assert_eq!(doc["paths"]["/a"]["get"]["x-safe"], json!(true));
    assert_eq!(doc["paths"]["/b"]["get"]["x-safe"], json!(true));
    assert_eq!(doc["paths"]["/a"]["post"].get("x-safe"), None);
}

#[test]
fn actions_apply_in_order_each_to_the_result_of_the_last() {
    // Replacing a value: remove it, then add it again (an update alone would merge).
    let mut doc = json!({"info": {"title": "Old", "contact": {"name": "a", "email": "e"}}});
    apply(
        &mut doc,
        json!([
            {"target": "$.info.contact", "remove": true},
            {"target": "$.info", "update": {"contact": {"name": "b"}}},
            {"target": "$.info.contact", "update": {"url": "u"}}
        ]),
    );
    assert_eq!(
        doc,
        json!({"info": {"title": "Old", "contact": {"name": "b", "url": "u"}}})
    );
    // The other order gives another result: order is part of the meaning.
    let mut doc = json!({"info": {"contact": {"name": "a"}}});
    apply(
        &mut doc,
        json!([
            {"target": "$.info", "update": {"contact": {"name": "b"}}},
            {"target": "$.info.contact", "remove": true}
        ]),
    );
    assert_eq!(doc, json!({"info": {}}));
}

#[test]
fn a_target_matching_nothing_is_a_warning_naming_the_action() {
    let mut doc = json!({"info": {}});
    let before = doc.clone();
    let (_, warnings) = apply(
        &mut doc,
        json!([{"target": "$.paths['/gone']", "update": {"x": 1}}]),
    );
    assert_eq!(doc, before);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].0, "fix.yaml");
    assert_eq!(warnings[0].1.pointer, "/actions/0/target");
    assert!(warnings[0].1.message.contains("matches nothing"));
}

#[test]
fn bad_jsonpath_is_an_error_with_its_location() {
    let msg = parse_err(
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"},
        "actions": [{"target": "$.ok", "remove": true}, {"target": "$.paths[", "remove": true}]}),
    );
    assert!(
        msg.starts_with("fix.yaml#/actions/1/target: `$.paths[` is not a valid JSONPath"),
        "{msg}"
    );
}

#[test]
fn malformed_overlays_are_errors_with_pointers() {
    let info = json!({"title": "t", "version": "1"});
    let cases = [
        (
            json!({"info": info, "actions": []}),
            "fix.yaml#: not an overlay",
        ),
        (
            json!({"overlay": "2.0.0", "info": info, "actions": []}),
            "fix.yaml#/overlay: overlay version `2.0.0`",
        ),
        (
            json!({"overlay": "1.0.0", "actions": [{"target": "$", "remove": true}]}),
            "fix.yaml#: `info` is required",
        ),
        (
            json!({"overlay": "1.0.0", "info": {"title": "t"}, "actions": []}),
            "fix.yaml#/info: `info.version`",
        ),
        (
            json!({"overlay": "1.0.0", "info": info, "actions": []}),
            "fix.yaml#/actions: `actions` must list",
        ),
        (
            json!({"overlay": "1.0.0", "info": info, "actions": [{"update": {}}]}),
            "fix.yaml#/actions/0/target: `target` is required",
        ),
        (
            json!({"overlay": "1.0.0", "info": info, "actions": [{"target": "$.a"}]}),
            "fix.yaml#/actions/0: an action needs",
        ),
        (
            json!({"overlay": "1.0.0", "info": info, "actions": [{"target": "$.a", "remove": "yes"}]}),
            "fix.yaml#/actions/0/remove: `remove` must be a boolean",
        ),
    ];
    for (doc, want) in cases {
        let msg = parse_err(doc);
        assert!(msg.starts_with(want), "{msg}\n  wanted: {want}");
    }
}

#[test]
fn updates_that_do_not_fit_their_target_are_errors() {
    let mut doc = json!({"info": {"title": "x", "list": [1]}});
    let msg = apply_err(
        &mut doc,
        json!([{"target": "$.info.title", "update": {"a": 1}}]),
    );
    assert!(
        msg.starts_with(
            "fix.yaml#/actions/0/update: cannot apply to `#/info/title`: the target is a string"
        ),
        "{msg}"
    );
    let msg = apply_err(
        &mut doc,
        json!([{"target": "$.info", "update": {"title": {"a": 1}}}]),
    );
    assert!(
        msg.contains("`#/info/title` is a string and the update gives an object"),
        "{msg}"
    );
    let msg = apply_err(&mut doc, json!([{"target": "$.info", "update": "x"}]));
    assert!(
        msg.contains("`update` must be an object, not a string"),
        "{msg}"
    );
}

#[test]
fn provenance_names_the_action_that_added_content() {
    let mut doc = json!({"components": {"schemas": {"A": {"type": "object"}}}});
    let (provenance, _) = apply(
        &mut doc,
        json!([
            {"target": "$.components.schemas", "update": {"B": {"type": "object"}}},
            {"target": "$.components.schemas.A", "update": {"description": "d"}}
        ]),
    );
    assert_eq!(
        provenance.source_of("/components/schemas/B/properties/x"),
        Some("fix.yaml#/actions/0")
    );
    assert_eq!(
        provenance.source_of("/components/schemas/A/description"),
        Some("fix.yaml#/actions/1")
    );
    assert_eq!(provenance.source_of("/components/schemas/A"), None);
    // A prefix that is not a whole token does not count.
    assert_eq!(provenance.source_of("/components/schemas/Bee"), None);
}

/// End to end: `codegen.toml` lists an overlay; the generated crate has what it added, and a
/// warning about added content names the overlay action.
#[test]
fn generate_applies_overlays_from_config_and_names_them_in_warnings() {
    let dir = std::env::temp_dir().join(format!("overlay-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("overlays")).expect("dir");
    let spec = dir.join("openapi.json");
    std::fs::write(
        &spec,
        json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "paths": {"/things": {"post": {"operationId": "create_thing",
                "responses": {"204": {"description": "done"}}}}}
        })
        .to_string(),
    )
    .expect("write spec");
    std::fs::write(
        dir.join("overlays/body.yaml"),
        "overlay: 1.0.0\ninfo:\n  title: add a body\n  version: '1'\nactions:\n  - target: $.paths['/things'].post\n    update:\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              $ref: '#/components/schemas/ThingCreate'\n  - target: $\n    update:\n      components:\n        schemas:\n          ThingCreate:\n            type: object\n            required: [name]\n            properties:\n              name: {type: string}\n              odd: {type: frob}\n  - target: $.paths['/nothing']\n    remove: true\n",
    )
    .expect("write overlay");
    std::fs::write(
        dir.join("codegen.toml"),
        "overlays = [\"overlays/body.yaml\"]\n",
    )
    .expect("write config");
    let config = Config::beside(&spec).expect("config");
    let out = codegen::generate(&spec, &config).expect("generates");
    let apis: String = out
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("src/apis"))
        .map(|(_, t)| t.as_str())
        .collect();
    assert!(
        apis.contains("thing_create: &crate::models::ThingCreate"),
        "the overlay's body is an argument"
    );
    assert!(out.files[std::path::Path::new("src/models.rs")].contains("pub struct ThingCreate"));
    let stale = &out.overlay_warnings;
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert!(stale[0].0.ends_with("body.yaml") && stale[0].1.pointer == "/actions/2/target");
    let odd = out
        .warnings
        .iter()
        .find(|w| w.pointer.starts_with("/components/schemas/ThingCreate"))
        .expect("a warning about the overlay's odd type");
    assert!(
        odd.message.contains("(added by overlay ")
            && odd.message.ends_with("body.yaml#/actions/1)"),
        "{}",
        odd.message
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An error about content an overlay added names the overlay, too.
#[test]
fn errors_in_overlay_content_name_the_action() {
    let mut doc = json!({
        "openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}
    });
    let (provenance, _) = apply(
        &mut doc,
        json!([{"target": "$.paths", "update": {"/x": {"get": {"responses": {"200": {
            "description": "d", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}}}}}}}]),
    );
    let err = codegen::generate_document(
        codegen::load::Document::new("spec.json", doc),
        &Config::default(),
        Vec::new(),
    )
    .expect_err("dangling ref");
    let annotated = provenance.annotate_error(err);
    let msg = annotated.to_string();
    assert!(msg.starts_with("spec.json#/paths/~1x/get"), "{msg}");
    assert!(
        msg.ends_with("(added by overlay fix.yaml#/actions/0)"),
        "{msg}"
    );
    assert!(matches!(annotated, Error::Spec { .. }));
}
