//! Simulated time: the sim epoch, a real clock running at a chosen speed, and a manual clock for tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tokio::time::Instant;

use crate::lab::Timestamp;

/// 2026-11-27T09:00:00Z: the moment the simulated class opens.
pub const SIM_EPOCH: Timestamp = Timestamp::from_secs(1_795_770_000);

/// Where the simulator reads the time from.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// Sim time that runs with the wall clock: `SIM_EPOCH + real elapsed * speed`. It reads tokio's
/// clock, which is the wall clock except in paused time (tests and benchmarks), where it follows
/// the paused clock.
#[derive(Debug)]
pub struct RealClock {
    start: Instant,
    speed: f64,
}

impl RealClock {
    /// A clock starting at [`SIM_EPOCH`] now. A negative or non-finite speed counts as 1.0.
    pub fn new(speed: f64) -> Self {
        let speed = if speed.is_finite() && speed >= 0.0 {
            speed
        } else {
            1.0
        };
        RealClock {
            start: Instant::now(),
            speed,
        }
    }
}

impl Clock for RealClock {
    fn now(&self) -> Timestamp {
        let ms = self.start.elapsed().as_secs_f64() * 1000.0 * self.speed;
        SIM_EPOCH.plus_millis(ms as i64)
    }
}

/// A clock that moves only when told to; clones share the same time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    millis: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock standing at [`SIM_EPOCH`].
    pub fn new() -> Self {
        ManualClock {
            millis: Arc::new(AtomicI64::new(SIM_EPOCH.millis())),
        }
    }

    pub fn advance_secs(&self, s: i64) {
        self.millis.fetch_add(s * 1000, Ordering::SeqCst);
    }

    pub fn set(&self, t: Timestamp) {
        self.millis.store(t.millis(), Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.millis.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_the_class_start() {
        assert_eq!(SIM_EPOCH.to_string(), "2026-11-27T09:00:00Z");
    }

    #[test]
    fn manual_clock_clones_share_time() {
        let a = ManualClock::new();
        let b = a.clone();
        a.advance_secs(90);
        assert_eq!(b.now(), SIM_EPOCH.plus_secs(90));
        b.set(SIM_EPOCH);
        assert_eq!(a.now(), SIM_EPOCH);
    }

    #[test]
    fn real_clock_starts_at_epoch() {
        let c = RealClock::new(0.0);
        assert_eq!(c.now(), SIM_EPOCH);
    }
}
