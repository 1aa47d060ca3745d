//! What `cached-stubs-server` needs of this crate, kept in step with it by the exact version
//! pin: the stubs of HTTP requests (keys, reading, writing, miss messages), single flight for
//! identical requests while recording, and the timing settings. Not public API; compiled only
//! with the `_server` feature, which `cached-stubs-server` enables.

use std::path::Path;
use std::time::Duration;

pub use crate::request_stub::{Answer, Found, Request, miss, read, write};
pub use crate::single_flight::{Flight, Leader, Outcome, Role, join};
pub use crate::stub_file::{Http, Inspected, InspectedBody};

/// Whether `CACHED_STUBS_TIMING` is on: keep timings while recording, wait for them while
/// replaying. Panics on a value it doesn't know, as annotated calls do.
pub fn timing_enabled() -> bool {
    crate::timing::enabled()
}

/// `CACHED_STUBS_TIMING_SPEED`: how much faster than recorded a timed replay goes; 1 when
/// unset. Panics on a value that is no speed.
pub fn timing_speed() -> f64 {
    crate::timing::speed()
}

/// A speed as `CACHED_STUBS_TIMING_SPEED` takes it (a finite number above 0), for `--speed`;
/// `Err` says why `text` is none.
pub fn parse_speed(text: &str) -> Result<f64, String> {
    crate::timing::parse_speed(text)
}

/// How long a replay at `speed` waits for `ms` milliseconds recorded.
pub fn scaled(ms: u64, speed: f64) -> Duration {
    crate::timing::scaled(ms, speed)
}

/// When an event recorded `ms` milliseconds after `start` is due at `speed`; in 30 years
/// (never, in practice) when that is too far for the clock.
pub fn due(start: std::time::Instant, ms: u64, speed: f64) -> std::time::Instant {
    crate::timing::due(start, ms, speed)
}

/// Milliseconds since `started`, as stubs keep them.
pub fn ms_since(started: std::time::Instant) -> u64 {
    crate::timing::ms_since(started)
}

/// A path as messages show it: relative to the folder the server was started from when it
/// lies below it.
pub fn shown(path: &Path) -> String {
    crate::report::shown(path)
}

/// The most a stub may hold, in bytes: the largest answer worth buffering to record.
pub const MAX_STUB_BYTES: u64 = crate::store::MAX_STUB_BYTES;
