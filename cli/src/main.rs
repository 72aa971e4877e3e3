//! The `ikd` command.
fn main() {}
