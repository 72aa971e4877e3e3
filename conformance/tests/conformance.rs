#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ikd_conformance::format::{Expected, Group};
use ikd_conformance::{generate, run_vectors, runner, vectors_dir};
use ikd_sdk::reason::{REGISTRY, WARNING_REGISTRY};
use std::collections::BTreeSet;

/// (a) The committed files are exactly what the generator produces, and nothing else.
#[test]
fn committed_vectors_equal_the_generators_output() {
    let generated = generate().unwrap();
    let dir = vectors_dir();
    for file in &generated {
        let committed = std::fs::read_to_string(dir.join(&file.name))
            .unwrap_or_else(|e| panic!("{}: {e}", file.name));
        assert!(
            committed == file.contents,
            "vectors/{} differs from the generator's output; run \
             `cargo run -p ikd-conformance --bin generate`",
            file.name
        );
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    let expected: BTreeSet<String> = generated.iter().map(|f| f.name.clone()).collect();
    assert_eq!(on_disk, expected, "stray or missing vector files");
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(generate().unwrap(), generate().unwrap());
}

/// (b) Every vector passes against the SDK.
#[test]
fn every_vector_passes_against_the_sdk() {
    let report = run_vectors(&vectors_dir());
    let failures: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let total: usize = runner::load_dir(&vectors_dir())
        .unwrap()
        .iter()
        .map(|(_, file)| file.vectors.len())
        .sum();
    assert_eq!(report.passed, total);
    assert!(report.all_passed());
}

/// (c) The codes the vectors produce are exactly the registries' codes.
#[test]
fn vectors_cover_every_reason_and_warning_code_exactly() {
    let report = run_vectors(&vectors_dir());
    let reasons: BTreeSet<String> = REGISTRY.iter().map(|i| i.code.to_owned()).collect();
    let warnings: BTreeSet<String> = WARNING_REGISTRY.iter().map(|i| i.code.to_owned()).collect();
    assert_eq!(
        report.reason_codes, reasons,
        "reason codes covered by passing vectors"
    );
    assert_eq!(
        report.warning_codes, warnings,
        "warning codes covered by passing vectors"
    );
}

/// The files are well formed beyond what serde checks.
#[test]
fn vector_files_are_consistent() {
    let files = runner::load_dir(&vectors_dir()).unwrap();
    let groups: BTreeSet<Group> = files.iter().map(|(_, f)| f.group).collect();
    assert_eq!(groups, Group::ALL.into_iter().collect());
    let mut ids = BTreeSet::new();
    for (name, file) in &files {
        assert_eq!(*name, format!("{}.json", file.group.as_str()));
        let mut used = BTreeSet::new();
        let mut used_lists = BTreeSet::new();
        let mut used_status = BTreeSet::new();
        for v in &file.vectors {
            assert!(ids.insert(v.id.clone()), "duplicate id {}", v.id);
            assert!(
                v.id.starts_with(&format!("{}/", file.group.as_str())),
                "{}",
                v.id
            );
            assert_eq!(v.group, file.group, "{}", v.id);
            assert!(!v.description.is_empty(), "{}", v.id);
            match (&v.trust_store, &v.trust_list) {
                (Some(store), None) => {
                    assert!(file.trust_stores.contains_key(store), "{}", v.id);
                    used.insert(store.clone());
                }
                (None, Some(list)) => {
                    assert!(file.trust_lists.contains_key(list), "{}", v.id);
                    used_lists.insert(list.clone());
                }
                _ => panic!("{}: exactly one of trust_store and trust_list", v.id),
            }
            for name in &v.status_lists {
                assert!(file.status_lists.contains_key(name), "{}", v.id);
                used_status.insert(name.clone());
            }
            match &v.expected {
                Expected::Rejected(r) => {
                    let info = ikd_sdk::reason::lookup(&r.reason_code)
                        .unwrap_or_else(|| panic!("{}: unregistered {}", v.id, r.reason_code));
                    assert_eq!(r.stage, info.stage.as_str(), "{}", v.id);
                }
                Expected::Valid(ok) => {
                    assert_ne!(file.group, Group::Invalid, "{}", v.id);
                    for w in &ok.warnings {
                        assert!(
                            WARNING_REGISTRY.iter().any(|i| i.code == w.code),
                            "{}: {}",
                            v.id,
                            w.code
                        );
                    }
                }
            }
            if file.group == Group::Valid {
                assert!(matches!(v.expected, Expected::Valid(_)), "{}", v.id);
            }
        }
        let declared: BTreeSet<String> = file.trust_stores.keys().cloned().collect();
        assert_eq!(declared, used, "{name}: unused trust stores");
        let declared: BTreeSet<String> = file.trust_lists.keys().cloned().collect();
        assert_eq!(declared, used_lists, "{name}: unused trust lists");
        let declared: BTreeSet<String> = file.status_lists.keys().cloned().collect();
        assert_eq!(declared, used_status, "{name}: unused status lists");
    }
}

/// A wrong expectation is reported, with the vector's id.
#[test]
fn the_runner_reports_mismatches() {
    let files = runner::load_dir(&vectors_dir()).unwrap();
    let (name, file) = files
        .iter()
        .find(|(_, f)| f.group == Group::Invalid)
        .unwrap();
    let mut file = file.clone();
    file.vectors.truncate(2);
    if let Expected::Rejected(r) = &mut file.vectors[0].expected {
        r.reason_code = "kid_unknown".into();
    }
    let mut report = runner::Report::default();
    runner::run_file(name, &file, &mut BTreeSet::new(), &mut report);
    assert_eq!(report.passed, 1);
    assert_eq!(report.failed(), 1);
    assert_eq!(report.failures[0].id, file.vectors[0].id);
    assert_eq!(report.summary(), "conformance: 1 passed, 1 failed");
}
