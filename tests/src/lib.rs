//! End-to-end tests across crates live in `tests/`:
//!
//! - `service_conformance.rs`: for every conformance vector (`conformance/vectors/`), the
//!   verification service (started in-process with `app(state)`, the vector's trust store,
//!   clock and policy) gives the same verdict, reason code, stage and report as the SDK.
