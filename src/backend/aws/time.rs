//! SDK timestamps into crossdeck's.

use aws_smithy_types::DateTime;

use crate::lab::Timestamp;

/// Milliseconds since the epoch; a missing time is the epoch.
pub fn ts(t: Option<&DateTime>) -> Timestamp {
    Timestamp(t.and_then(|d| d.to_millis().ok()).unwrap_or(0))
}

/// The same for an optional field that should stay optional.
pub fn opt_ts(t: Option<&DateTime>) -> Option<Timestamp> {
    t.and_then(|d| d.to_millis().ok()).map(Timestamp)
}
