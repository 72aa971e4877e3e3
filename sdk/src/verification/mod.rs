//! The verification layer: from QR text and trust data to a verdict. The pipeline runs
//! every stage in order; the policy says what the caller accepts; presentations carry the
//! holder binding and its replay protection.

pub mod pipeline;
pub mod policy;
pub mod presentation;
