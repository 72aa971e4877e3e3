//! # IKD Verify verification service
//!
//! A thin HTTP shell over the SDK for businesses: `POST /v1/verify` takes scanned QR text
//! and answers with the SDK's verdict, filtered to the fields the client's purpose may
//! see (the SDK's [`ikd_sdk::disclosure`]). Around it: per-client API keys and rate
//! limits, an audit log without personal data, Prometheus metrics, health checks and
//! graceful shutdown.
//!
//! Tests build the router with [`app()`] and call it directly:
//!
//! ```no_run
//! # async fn example(
//! #     config: ikd_verifier_service::config::Config,
//! # ) -> Result<(), ikd_verifier_service::server::StartError> {
//! use ikd_verifier_service::{app, clock::Clock, server};
//! let state = server::build(&config, Clock::System)?;
//! let router = app(state);
//! # let _ = router;
//! # Ok(())
//! # }
//! ```

pub mod app;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod connections;
pub mod counter;
pub mod demo;
pub mod error;
mod input;
pub mod metrics;
pub mod offline_page;
pub mod openapi;
pub mod problem;
pub mod receipt;
pub mod replay;
pub mod server;
pub mod state;
pub mod telemetry;
pub mod trust;
pub mod trust_import;
pub mod trust_report;
pub mod upload;
pub mod verification;

pub use app::app;
pub use state::AppState;
