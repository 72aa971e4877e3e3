//! The SDK's layers depend one way: each folder of `src/` may use the layers below it and
//! never one above, and no two modules import each other, directly or around a circle.
//!
//! This reads the sources: every `crate::` path (and `super::` path) outside comments and
//! outside the `#[cfg(test)]` part of a file is an import. Tests may use anything.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. A layer may import from layers of a lower rank only; two
/// layers of the same rank are independent of each other.
const LAYERS: &[(&str, u8)] = &[
    ("codes", 0),
    ("wire", 1),
    ("model", 2),
    ("trust", 3),
    ("verification", 4),
    ("output", 5),
    ("issue", 6),
    ("cache", 6),
    ("scan", 7),
];

/// Layers whose submodules are one unit for the circle check (their parts share one job).
const WHOLE: &[&str] = &["codes", "scan"];

fn rank(layer: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == layer)
        .map(|(_, r)| *r)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `model/document/kk.rs` is `["model", "document", "kk"]`; a `mod.rs` is its folder.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    if last != "mod.rs" {
        parts.push(last.trim_end_matches(".rs").to_owned());
    }
    parts
}

/// The code of a file that counts: before its `#[cfg(test)] mod`, without comment lines.
fn code(text: &str) -> String {
    let end = text
        .match_indices("#[cfg(test)]")
        .find(|(at, marker)| text[at + marker.len()..].trim_start().starts_with("mod "))
        .map_or(text.len(), |(at, _)| at);
    let text = &text[..end];
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses a use tree at the start of `s` (after `crate::` or `super::`): every path it
/// names, as segments.
fn use_tree(s: &str, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut path = prefix.to_vec();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'{' {
            i += 1;
            loop {
                i += use_tree(&s[i..], &path, out);
                // Past `as name` or `*`, to the next member or the group's end.
                while i < bytes.len() && bytes[i] != b',' && bytes[i] != b'}' {
                    i += 1;
                }
                if i < bytes.len() && bytes[i] == b',' {
                    i += 1;
                }
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'}' {
                    return i + 1;
                }
            }
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if start < i {
            path.push(s[start..i].to_owned());
        }
        if s[i..].starts_with("::") {
            i += 2;
            continue;
        }
        // `as name`, `*`, or the end of the path.
        out.push(path);
        return i;
    }
}

/// Every module path a file imports, resolved from the crate root.
fn imports(module: &[String], code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        use_tree(&code[at + "crate::".len()..], &[], &mut out);
    }
    for (at, _) in code.match_indices("super::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &code[at..];
        let mut base = module.to_vec();
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        use_tree(rest, &base, &mut out);
    }
    out
}

/// The unit a module belongs to for the circle check: `layer::module`, or the layer alone
/// for the layers in [`WHOLE`] and for files at the top of `src/`.
fn unit(path: &[String]) -> String {
    match path {
        [layer, module, ..] if !WHOLE.contains(&layer.as_str()) => format!("{layer}::{module}"),
        [layer, ..] => layer.clone(),
        [] => String::new(),
    }
}

struct Graph {
    /// unit -> units it imports
    edges: BTreeMap<String, BTreeSet<String>>,
    problems: Vec<String>,
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for file in &files {
        if file == &src.join("lib.rs") {
            continue; // The front door re-exports from every layer.
        }
        let module = module_path(&src, file);
        let Some(layer) = module.first() else {
            continue;
        };
        let Some(own_rank) = rank(layer) else {
            problems.push(format!(
                "src/{layer} is in no layer: add it to a folder (or to LAYERS in this test)"
            ));
            continue;
        };
        let from = unit(&module);
        edges.entry(from.clone()).or_default();
        let text = std::fs::read_to_string(file).unwrap();
        for path in imports(&module, &code(&text)) {
            let Some(target) = path.first() else { continue };
            let Some(target_rank) = rank(target) else {
                problems.push(format!(
                    "{}: `crate::{}` is not a layer path; import from the layer, not from \
                     the crate root",
                    file.display(),
                    path.join("::")
                ));
                continue;
            };
            if target != layer && target_rank >= own_rank {
                problems.push(format!(
                    "{}: layer `{layer}` imports `crate::{}` from a layer that is not below it",
                    file.display(),
                    path.join("::")
                ));
            }
            let to = unit(&path);
            if to != from {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    Graph { edges, problems }
}

/// The strongly connected sets of more than one unit (Tarjan).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let edges = s.edges;
        for w in edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut set = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                set.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if set.len() > 1 {
                set.sort();
                s.out.push(set);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.out
}

#[test]
fn every_layer_imports_only_layers_below_it() {
    let graph = graph();
    assert!(
        graph.problems.is_empty(),
        "layering broken:\n{}",
        graph.problems.join("\n")
    );
}

#[test]
fn no_two_modules_import_each_other() {
    let graph = graph();
    let found = circles(&graph.edges);
    assert!(found.is_empty(), "import circles: {found:?}");
}

#[test]
fn the_reader_sees_the_imports() {
    // Guards the checks above against a parser that silently finds nothing.
    let graph = graph();
    let pipeline = &graph.edges["verification::pipeline"];
    for expected in ["trust::store", "wire::cose", "model::claims", "codes"] {
        assert!(pipeline.contains(expected), "{expected} in {pipeline:?}");
    }
    let total: usize = graph.edges.values().map(BTreeSet::len).sum();
    assert!(total > 60, "only {total} imports found");

    let mut found = Vec::new();
    use_tree("a::{b, c::{d as e, f}, g::*}", &[], &mut found);
    let found: Vec<String> = found.iter().map(|p| p.join("::")).collect();
    assert_eq!(found, ["a::b", "a::c::d", "a::c::f", "a::g"]);

    let circle: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["a".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]
    .into();
    assert_eq!(circles(&circle), [vec!["a".to_owned(), "b".to_owned()]]);
}
