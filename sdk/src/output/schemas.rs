//! The JSON Schemas of `spec/schemas/`, embedded, for checking issuance input and every
//! JSON output against the published forms.
//!
//! With the `schema-validation` feature, [`validator`] compiles one of them with every
//! other resolvable by `$ref`, offline.

/// Where the schemas live; each schema's `$id` is this plus its file name.
pub const BASE_URI: &str = "https://example.invalid/ikd-verify/schemas/";

/// Every schema file, by name.
pub const FILES: [(&str, &str); 8] = [
    (
        "common.schema.json",
        include_str!("../../../spec/schemas/common.schema.json"),
    ),
    (
        "ktp.schema.json",
        include_str!("../../../spec/schemas/ktp.schema.json"),
    ),
    (
        "kk.schema.json",
        include_str!("../../../spec/schemas/kk.schema.json"),
    ),
    (
        "profile.schema.json",
        include_str!("../../../spec/schemas/profile.schema.json"),
    ),
    (
        "document.schema.json",
        include_str!("../../../spec/schemas/document.schema.json"),
    ),
    (
        "trust-store.schema.json",
        include_str!("../../../spec/schemas/trust-store.schema.json"),
    ),
    (
        "verdict.schema.json",
        include_str!("../../../spec/schemas/verdict.schema.json"),
    ),
    (
        "disclosed-verdict.schema.json",
        include_str!("../../../spec/schemas/disclosed-verdict.schema.json"),
    ),
];

/// A validator for the schema file `name`. Nothing is fetched: every reference resolves to
/// the embedded files.
#[cfg(feature = "schema-validation")]
pub fn validator(name: &str) -> Result<jsonschema::Validator, String> {
    let mut resources = Vec::with_capacity(FILES.len());
    for (file, text) in FILES {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("embedded schema {file} is not JSON: {e}"))?;
        resources.push((format!("{BASE_URI}{file}"), value));
    }
    let registry = jsonschema::Registry::new()
        .extend(resources)
        .and_then(|builder| builder.prepare())
        .map_err(|e| format!("embedded schemas do not load: {e}"))?;
    let root = serde_json::json!({ "$ref": format!("{BASE_URI}{name}") });
    jsonschema::draft202012::options()
        .offline()
        .with_registry(&registry)
        .build(&root)
        .map_err(|e| format!("embedded schema {name} does not compile: {e}"))
}

#[cfg(all(test, feature = "schema-validation"))]
mod tests {
    use super::*;

    #[test]
    fn every_schema_compiles() {
        for (name, _) in FILES {
            validator(name).unwrap();
        }
    }

    #[test]
    fn verdict_schemas_list_every_reason_code_in_registry_order() {
        let registry: Vec<&str> = crate::codes::REGISTRY.iter().map(|r| r.code).collect();
        for name in ["verdict.schema.json", "disclosed-verdict.schema.json"] {
            let (_, text) = FILES.iter().find(|(n, _)| *n == name).unwrap();
            let schema: serde_json::Value = serde_json::from_str(text).unwrap();
            let codes: Vec<&str> = schema["$defs"]["reason"]["properties"]["code"]["enum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            assert_eq!(codes, registry, "{name}");
        }
    }
}
