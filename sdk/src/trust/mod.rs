//! The trust layer: what a verifier trusts. The trust store (issuer keys and their
//! status), root-signed trust lists that update it, the issuers' status lists for
//! revocation, and the trust bundle that carries a list and its status lists in one file.
//! Verifying these is signature work on the wire layer; nothing here reads a file or the
//! network.

pub mod bundle;
pub mod status_list;
pub mod store;
pub mod trust_list;
