//! Adaptive polling: one task per account, fast while anything moves, slow when steady, bounded
//! concurrency, jitter, backoff on failure; results tagged with account and generation.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, Semaphore, mpsc};
use tokio::task::JoinHandle;

use crate::app::Msg;
use crate::backend::{AccountKey, Backend};
use crate::lab::ErrorKind;

/// How often to poll.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PollConfig {
    /// While anything in the account is in progress.
    pub active: Duration,
    /// When nothing moves.
    pub steady: Duration,
    /// Accounts polled at once.
    pub max_concurrency: usize,
    /// Longest wait after repeated failures.
    pub max_backoff: Duration,
    /// Fraction of the interval added at random so polls do not align (0.0..=1.0).
    pub jitter: f64,
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig {
            active: Duration::from_secs(3),
            steady: Duration::from_secs(30),
            max_concurrency: 16,
            max_backoff: Duration::from_secs(300),
            jitter: 0.2,
        }
    }
}

/// The running poll tasks; dropping it stops them.
pub struct Poller {
    tasks: Vec<JoinHandle<()>>,
    wake: HashMap<AccountKey, Arc<Notify>>,
}

impl Poller {
    /// Ask for an immediate poll of these accounts.
    pub fn refresh(&self, keys: &[AccountKey]) {
        for k in keys {
            if let Some(n) = self.wake.get(k) {
                n.notify_one();
            }
        }
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Start one polling task per account. Each sends `Msg::Poll` on `tx` and stops when `tx` closes.
pub fn spawn<B: Backend>(
    backend: Arc<B>,
    accounts: Vec<AccountKey>,
    config: PollConfig,
    tx: mpsc::Sender<Msg>,
) -> Poller {
    let permits = Arc::new(Semaphore::new(config.max_concurrency.max(1)));
    let mut tasks = Vec::with_capacity(accounts.len());
    let mut wake = HashMap::with_capacity(accounts.len());
    for (i, key) in accounts.into_iter().enumerate() {
        let notify = Arc::new(Notify::new());
        wake.insert(key, notify.clone());
        let seed = 0x9E37_79B9_7F4A_7C15u64 ^ (i as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        tasks.push(tokio::spawn(poll_account(
            backend.clone(),
            key,
            config,
            permits.clone(),
            notify,
            tx.clone(),
            seed,
        )));
    }
    Poller { tasks, wake }
}

async fn poll_account<B: Backend>(
    backend: Arc<B>,
    key: AccountKey,
    config: PollConfig,
    permits: Arc<Semaphore>,
    wake: Arc<Notify>,
    tx: mpsc::Sender<Msg>,
    mut rng: u64,
) {
    let mut generation = 0u64;
    let mut failures = 0u32;
    loop {
        let result = {
            let Ok(_permit) = permits.acquire().await else {
                return;
            };
            backend.snapshot(key).await.map(Box::new)
        };
        generation += 1;
        let base = match &result {
            Ok(snap) => {
                failures = 0;
                if snap.in_progress() {
                    config.active
                } else {
                    config.steady
                }
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                backoff(&config, failures, e.kind)
            }
        };
        if tx
            .send(Msg::Poll {
                key,
                generation,
                result,
            })
            .await
            .is_err()
        {
            return;
        }
        let wait = with_jitter(base, config.jitter, &mut rng);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.notified() => {}
        }
    }
}

/// The wait after `failures` failures in a row: doubling from the steady interval (from the
/// active one when throttled), capped.
pub fn backoff(config: &PollConfig, failures: u32, kind: ErrorKind) -> Duration {
    let start = if kind == ErrorKind::Throttled {
        config.active
    } else {
        config.steady
    };
    let factor = 1u32 << failures.saturating_sub(1).min(10);
    start
        .saturating_mul(factor)
        .min(config.max_backoff.max(start))
}

/// `base` plus up to `jitter * base`, from a SplitMix64 stream.
fn with_jitter(base: Duration, jitter: f64, state: &mut u64) -> Duration {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
    base.mul_f64(1.0 + jitter.clamp(0.0, 1.0) * unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let c = PollConfig {
            active: Duration::from_secs(2),
            steady: Duration::from_secs(10),
            max_backoff: Duration::from_secs(60),
            ..PollConfig::default()
        };
        assert_eq!(
            backoff(&c, 1, ErrorKind::AccessDenied),
            Duration::from_secs(10)
        );
        assert_eq!(
            backoff(&c, 2, ErrorKind::AccessDenied),
            Duration::from_secs(20)
        );
        assert_eq!(
            backoff(&c, 3, ErrorKind::AccessDenied),
            Duration::from_secs(40)
        );
        assert_eq!(
            backoff(&c, 9, ErrorKind::AccessDenied),
            Duration::from_secs(60)
        );
        assert_eq!(backoff(&c, 1, ErrorKind::Throttled), Duration::from_secs(2));
        assert_eq!(backoff(&c, 3, ErrorKind::Throttled), Duration::from_secs(8));
    }

    #[test]
    fn jitter_stays_within_its_fraction() {
        let mut s = 1;
        let base = Duration::from_secs(10);
        let waits: Vec<Duration> = (0..200).map(|_| with_jitter(base, 0.2, &mut s)).collect();
        assert!(
            waits
                .iter()
                .all(|w| *w >= base && *w <= Duration::from_secs(12))
        );
        assert!(waits.iter().any(|w| *w != waits[0]), "jitter varies");
    }
}
