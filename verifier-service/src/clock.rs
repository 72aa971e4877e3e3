//! The service's clock. The SDK never reads a clock; the service reads it once per
//! request and passes the time to the SDK.

use ikd_sdk::UnixTime;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the current time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    System,
    /// Always this time (for tests and reproducible runs).
    Fixed(UnixTime),
}

impl Clock {
    /// The current time, in whole seconds.
    pub fn now(self) -> UnixTime {
        match self {
            Clock::Fixed(time) => time,
            Clock::System => match SystemTime::now().duration_since(UNIX_EPOCH) {
                Ok(since) => UnixTime(i64::try_from(since.as_secs()).unwrap_or(i64::MAX)),
                Err(before) => {
                    UnixTime(i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s))
                }
            },
        }
    }
}
