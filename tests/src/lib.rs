//! End-to-end tests across crates live in `tests/`:
//!
//! - `service_conformance.rs`: for every conformance vector (`conformance/vectors/`), the
//!   verification service (started in-process with `app(state)`, the vector's clock and
//!   policy, and its trust data: a trust store, or a signed trust list and status lists in
//!   the service's trust cache, verified against the vector's pinned roots) gives the same
//!   verdict, reason code, stage and report as the SDK.
//! - `runner_service.rs`: the conformance runner (`ikd_conformance::run_target`) drives the
//!   service over loopback HTTP through the runner protocol, with one service instance per
//!   distinct trust data, clock and policy; every vector must agree, and only those the
//!   service's configuration cannot express (a presentation leeway or largest age other
//!   than 30 s and 90 s) may be unsupported.
