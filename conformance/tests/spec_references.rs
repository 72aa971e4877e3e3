#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! The specification's references into the vectors hold: every vector id that
//! `spec/format.md` cites exists (an id ending in `…` names a prefix), and its sections
//! are numbered in order.

use ikd_conformance::{runner, vectors_dir};
use std::collections::BTreeSet;

fn format_md() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/format.md"),
    )
    .unwrap()
}

#[test]
fn every_vector_the_spec_cites_exists() {
    let ids: BTreeSet<String> = runner::load_dir(&vectors_dir())
        .unwrap()
        .iter()
        .flat_map(|(_, file)| file.vectors.iter().map(|v| v.id.clone()))
        .collect();
    let spec = format_md();
    let mut cited = 0;
    for quoted in spec.split('`').skip(1).step_by(2) {
        let Some((group, rest)) = quoted.split_once('/') else {
            continue;
        };
        if !["valid", "invalid", "edge", "trust"].contains(&group)
            || rest.is_empty()
            || quoted.contains(' ')
        {
            continue;
        }
        cited += 1;
        match quoted.split_once('…') {
            Some((prefix, _)) => assert!(
                ids.iter().any(|id| id.starts_with(prefix)),
                "format.md cites {quoted}, but no vector id starts with {prefix}"
            ),
            None => assert!(
                ids.contains(quoted),
                "format.md cites {quoted}: no such vector"
            ),
        }
    }
    assert!(cited > 40, "only {cited} citations found");
}

#[test]
fn sections_are_numbered_in_order() {
    let mut previous: Vec<u32> = Vec::new();
    for line in format_md().lines() {
        let Some(heading) = line
            .strip_prefix("### ")
            .or_else(|| line.strip_prefix("## "))
        else {
            continue;
        };
        let number = heading.split(' ').next().unwrap().trim_end_matches('.');
        let Ok(parts) = number
            .split('.')
            .map(str::parse::<u32>)
            .collect::<Result<Vec<_>, _>>()
        else {
            continue;
        };
        assert!(
            parts > previous,
            "section {number} comes after {previous:?}"
        );
        previous = parts;
    }
    assert!(previous.first().is_some_and(|n| *n >= 19), "{previous:?}");
}
