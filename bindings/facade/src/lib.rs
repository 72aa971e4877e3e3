//! The one layer every language binding of the IKD SDK calls (WebAssembly, Python, C,
//! Java): the spec's JSON and byte forms in, the verdict JSON out.
//!
//! - **Inputs** are the spec's forms: the trust store JSON ([`TrustData::from_store_json`]),
//!   a signed trust list with its pinned roots ([`TrustData::from_trust_list`],
//!   [`Roots`]), status-list tokens ([`TrustData::add_status_list`]) and the policy JSON
//!   ([`Policy::from_json`]).
//! - **Outputs** are the verdict JSON of `spec/schemas/verdict.schema.json`
//!   ([`Outcome::to_json`]) and of `disclosed-verdict.schema.json`
//!   ([`Outcome::to_disclosed_json`]), with typed accessors beside them.
//! - **Defaults** are the Rust SDK's: [`Policy::default`] is `ikd_sdk::Policy::default()`,
//!   and [`ReplayMode::Off`] is `VerifyOptions::default()`. No default turns a check off.
//! - **Time** is an argument of every call that needs it, in Unix seconds;
//!   [`time::system_now`] is a convenience for hosts that trust their clock.
//! - **A rejection is a value** ([`Outcome`] with a reason code); an [`Error`] with a
//!   stable [`ErrorCode`] means the caller's inputs could not be used.
//! - **No callbacks**, so nothing a host returns can make a check pass. A replay store
//!   shared between instances is out of reach through the facade; a host that cannot
//!   reach its own says so with [`ReplayMode::Unavailable`], and presentations are refused.
//! - **Test issuance**: [`Issuer`] signs documents with a key in memory, for tests and
//!   demonstrations of the bindings.
//! - **No panics** on any input, by construction; [`guard`] turns one into an
//!   [`ErrorCode::Internal`] error at a boundary where unwinding must stop.
//!
//! `bindings/README.md` describes how a binding maps this API into its language.

mod error;
mod holder;
mod inspect;
mod issuer;
mod policy;
pub mod region_tables;
#[cfg(feature = "scan")]
pub mod scan;
pub mod time;
mod trust;
mod verifier;

pub use error::{Error, ErrorCode, guard};
pub use holder::{DEFAULT_PRESENTATION_SECONDS, DeviceKey, present};
pub use inspect::inspect_json;
pub use issuer::{Issuer, sample_document_json};
pub use policy::Policy;
pub use trust::{
    BundlePart, BundleSummary, Roots, StatusListSummary, TrustData, TrustListSummary, TrustSummary,
};
pub use verifier::{
    Challenge, MAX_REPLAY_CAPACITY, Outcome, ReplayMode, Verifier, disclosure_purposes,
};
