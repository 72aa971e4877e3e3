//! The JSON Schemas of spec/schemas, embedded, and checks of input against them.
//!
//! Failures name the JSON pointer of each failing value and what was expected, never the
//! value itself: issuance input holds NIKs and names.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

pub(crate) use ikd_sdk::schemas::validator;

/// Most problems listed before the rest are summarised.
const MAX_LISTED: usize = 20;

/// Checks `instance` against `validator`; on failure, one line per problem.
pub(crate) fn check(validator: &Validator, instance: &Value) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    for error in validator.iter_errors(instance) {
        describe(&error, &mut problems);
    }
    problems.dedup();
    if problems.is_empty() {
        return Ok(());
    }
    if problems.len() > MAX_LISTED {
        let more = problems.len() - MAX_LISTED;
        problems.truncate(MAX_LISTED);
        problems.push(format!("… and {more} more"));
    }
    Err(problems)
}

/// Describes one error without the offending value. For `oneOf`/`anyOf`, descends into
/// the alternative that failed least, so a KTP with a bad field is reported as that field
/// rather than as "matches neither KTP nor KK".
fn describe(error: &ValidationError<'_>, out: &mut Vec<String>) {
    let path = pointer(error.instance_path().as_str());
    let alternatives = match error.kind() {
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            Some(context)
        }
        _ => None,
    };
    if let Some(context) = alternatives {
        // The alternative whose discriminator (a `const` on /type) held, if one did.
        let best = context
            .iter()
            .filter(|errors| !errors.is_empty())
            .min_by_key(|errors| {
                let type_failed = errors.iter().any(|e| {
                    e.instance_path().as_str() == "/type"
                        && matches!(e.kind(), ValidationErrorKind::Constant { .. })
                });
                (type_failed, errors.len())
            });
        match best {
            Some(errors) => {
                for e in errors {
                    describe(e, out);
                }
            }
            None => out.push(format!("{path}: matches none of the allowed forms")),
        }
        return;
    }
    out.push(format!("{path}: {}", expectation(error.kind())));
}

fn pointer(path: &str) -> String {
    if path.is_empty() {
        "/".to_owned()
    } else {
        path.to_owned()
    }
}

/// What the schema expected, in words taken from the schema only.
fn expectation(kind: &ValidationErrorKind) -> String {
    match kind {
        ValidationErrorKind::Required { property } => match property.as_str() {
            Some(name) => format!("missing required field \"{name}\""),
            None => "missing a required field".to_owned(),
        },
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            // Field names are shown only when they look like field names, so that a value
            // pasted in the place of a key is not echoed.
            let names: Vec<&str> = unexpected
                .iter()
                .map(String::as_str)
                .filter(|n| looks_like_field_name(n))
                .collect();
            if names.len() == unexpected.len() {
                format!("unknown field(s) {}", names.join(", "))
            } else {
                format!("{} unknown field(s)", unexpected.len())
            }
        }
        ValidationErrorKind::Type { kind } => {
            let names: Vec<&str> = match kind {
                TypeKind::Single(t) => vec![t.as_str()],
                TypeKind::Multiple(set) => set.into_iter().map(|t| t.as_str()).collect(),
            };
            format!("must be of type {}", names.join(" or "))
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("must be {expected_value}")
        }
        ValidationErrorKind::Enum { options } => format!("must be one of {options}"),
        ValidationErrorKind::Minimum { limit } => format!("must be at least {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("must be at most {limit}"),
        ValidationErrorKind::MinLength { limit } => {
            format!("must have at least {limit} character(s)")
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("must have at most {limit} characters")
        }
        ValidationErrorKind::MinItems { limit } => format!("must have at least {limit} item(s)"),
        ValidationErrorKind::MaxItems { limit } => format!("must have at most {limit} items"),
        ValidationErrorKind::Pattern { .. } => "has the wrong format".to_owned(),
        ValidationErrorKind::Not { .. } => "is not an allowed value".to_owned(),
        ValidationErrorKind::UniqueItems => "must not repeat items".to_owned(),
        other => format!("fails the schema's \"{}\" rule", other.keyword()),
    }
}

fn looks_like_field_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_schema_compiles() {
        for (file, _) in ikd_sdk::schemas::FILES {
            validator(file).unwrap();
        }
    }

    #[test]
    fn samples_are_valid_documents() {
        let document = validator("document.schema.json").unwrap();
        for (name, text) in ikd_sdk::samples::ALL {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(check(&document, &value), Ok(()), "{name}");
        }
    }

    #[test]
    fn problems_name_paths_not_values() {
        let document = validator("document.schema.json").unwrap();
        let mut ktp: Value = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
        ktp["agama"] = json!("ISLAM");
        ktp["rt"] = json!("3");
        ktp.as_object_mut().unwrap().remove("nama");
        ktp["nik"] = json!("32730157089200");
        let problems = check(&document, &ktp).unwrap_err();
        assert_eq!(
            problems,
            [
                "/: missing required field \"nama\"",
                "/nik: has the wrong format",
                "/rt: must be of type integer",
            ]
        );

        let mut kk: Value = serde_json::from_str(ikd_sdk::samples::KK_4_JSON).unwrap();
        kk["anggota"][1]["shdk"] = json!(12);
        kk["anggota"][2]["hobi"] = json!("x");
        kk["anggota"][3]["3273015708920003"] = json!("x");
        let problems = check(&document, &kk).unwrap_err();
        assert_eq!(
            problems,
            [
                "/anggota/1/shdk: must be at most 11",
                "/anggota/2: unknown field(s) hobi",
                "/anggota/3: 1 unknown field(s)",
            ]
        );

        let wrong_type = json!({"type": "sim"});
        let problems = check(&document, &wrong_type).unwrap_err();
        assert!(
            problems.contains(
                &"/type: must be one of [\"ktp\",\"kk\",\"identity\",\"age_over_17\",\"domicile\"]"
                    .to_owned()
            )
        );
    }
}
