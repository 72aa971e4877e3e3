//! Conformance vectors and runner.
