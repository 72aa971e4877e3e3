//! Keeping trust data current: the disk cache that holds the last good trust list and
//! status lists and swaps verified updates in, and (cargo feature `sync`) the HTTP client
//! that fetches them. This is the only layer that does I/O.

pub mod admission;
pub mod disk;
#[cfg(feature = "sync")]
pub mod sync;
