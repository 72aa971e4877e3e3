//! The trust layer: what a verifier trusts. The trust store (issuer keys and their
//! status), root-signed trust lists that update it, and the issuers' status lists for
//! revocation. Verifying these is signature work on the wire layer; nothing here reads a
//! file or the network.

pub mod status_list;
pub mod store;
pub mod trust_list;
