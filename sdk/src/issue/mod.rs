//! The issuing side: an issuer signs credentials, and the demo data issues the samples
//! with fixed keys. It builds on the model and on the wire layer's signing.

pub mod demo;
pub mod issuer;
