//! End-to-end tests across crates live in `tests/`:
//!
//! - `service_conformance.rs`: for every conformance vector (`conformance/vectors/`), the
//!   verification service (started in-process with `app(state)`, the vector's clock and
//!   policy, and its trust data: a trust store, or a signed trust list and status lists in
//!   the service's trust cache, verified against the vector's pinned roots) gives the same
//!   verdict, reason code, stage and report as the SDK.
