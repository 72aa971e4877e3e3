//! The IKD verification service.
fn main() {}
