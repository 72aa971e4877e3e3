//! Time crosses the boundary as Unix seconds. Languages whose numbers are floats
//! (JavaScript, Python) convert through [`unix_seconds`], which refuses what is not a
//! whole number of seconds rather than rounding it.

use crate::error::{Error, ErrorCode};

/// The largest magnitude accepted: 2^53, the last integer every float language holds
/// exactly.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Unix seconds from a float: a finite whole number within ±2^53.
pub fn unix_seconds(seconds: f64) -> Result<i64, Error> {
    if !seconds.is_finite() || seconds.fract() != 0.0 || seconds.abs() > MAX_EXACT {
        return Err(Error::new(
            ErrorCode::TimeInvalid,
            "a time is a whole number of Unix seconds",
        ));
    }
    // Whole and within ±2^53: the conversion is exact.
    #[allow(clippy::cast_possible_truncation)]
    Ok(seconds as i64)
}

/// A documented convenience: the host's clock, in Unix seconds. Every verification still
/// takes the time as an argument; a caller passes this value, or its own trusted time.
/// Not available on `wasm32-unknown-unknown`, whose bindings read JavaScript's clock.
#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
pub fn system_now() -> Result<i64, Error> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .ok_or_else(|| Error::new(ErrorCode::ClockUnavailable, "the clock is before 1970"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_seconds_in_range() {
        assert_eq!(unix_seconds(1_790_000_000.0), Ok(1_790_000_000));
        assert_eq!(unix_seconds(-5.0), Ok(-5));
        for bad in [f64::NAN, f64::INFINITY, 1.5, 1e300, -1e17] {
            assert_eq!(
                unix_seconds(bad).unwrap_err().code(),
                ErrorCode::TimeInvalid
            );
        }
    }

    #[test]
    fn the_host_clock_is_after_2025() {
        assert!(system_now().unwrap() > 1_735_689_600);
    }
}
