//! Adaptive polling: one task per account, fast while anything moves, slow when steady and
//! slower still when nothing changed for long, first polls spread out, timers on a 100 ms grid,
//! bounded concurrency, jitter, backoff on failure; results tagged with account and generation.
//! While an event feed is live, steady accounts wait the longer safety interval instead; the
//! feed's consumer (feed.rs) reads the queue and wakes the accounts its events name.

pub mod coalesce;
pub mod feed;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, Semaphore, mpsc, watch};
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
    /// Once an account has not changed for `quiet_after`, its steady interval doubles at each
    /// unchanged poll up to this (never below `steady`); any change brings it back to `steady`.
    pub max_steady: Duration,
    /// How long an account must stay unchanged before its steady interval grows.
    pub quiet_after: Duration,
    /// The first polls start evenly over this window (account `i` of `n` at `i * spread / n`),
    /// but no further apart than [`FIRST_POLL_GAP`], so a large class does not poll all at once
    /// and a small one still shows at once. Zero polls everything at once.
    pub spread: Duration,
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
            max_steady: Duration::from_secs(120),
            quiet_after: Duration::from_secs(300),
            spread: Duration::from_secs(30),
            max_concurrency: 16,
            max_backoff: Duration::from_secs(300),
            jitter: 0.2,
        }
    }
}

/// The longest gap between two accounts' first polls: `spread` only stretches the start of a
/// class big enough to need it.
pub const FIRST_POLL_GAP: Duration = Duration::from_millis(50);

/// Polls start on a grid of this step from the poller's start (waits are rounded up to it), so
/// however many accounts there are, their timers wake the runtime at most ten times a second;
/// jitter still spreads the accounts over the grid's slots.
pub const SLOT: Duration = Duration::from_millis(100);

/// The first slot of the grid starting at `origin` at or after `at`.
fn on_grid(origin: tokio::time::Instant, at: tokio::time::Instant) -> tokio::time::Instant {
    let since = at.saturating_duration_since(origin).as_nanos();
    let slot = SLOT.as_nanos();
    let slots = since.div_ceil(slot);
    origin + Duration::from_nanos(u64::try_from(slots * slot).unwrap_or(u64::MAX))
}

/// When the first poll of account `index` of `count` starts, after the poller starts.
pub fn first_poll_offset(config: &PollConfig, index: usize, count: usize) -> Duration {
    let count = count.max(1) as u32;
    let gap = (config.spread / count).min(FIRST_POLL_GAP);
    gap.saturating_mul(index.min(u32::MAX as usize) as u32)
}

/// The running poll tasks; dropping it stops them.
pub struct Poller {
    tasks: Vec<JoinHandle<()>>,
    wake: Wake,
}

impl Poller {
    /// Ask for an immediate poll of these accounts.
    pub fn refresh(&self, keys: &[AccountKey]) {
        self.wake.refresh(keys);
    }

    /// A handle that asks for polls from elsewhere (the event feed).
    pub fn waker(&self) -> Wake {
        self.wake.clone()
    }
}

/// Asks the poll tasks for an immediate poll; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Wake {
    tasks: Arc<HashMap<AccountKey, Arc<Notify>>>,
}

impl Wake {
    /// Poll these accounts now (an account already being polled is polled once more after).
    pub fn refresh(&self, keys: &[AccountKey]) {
        for k in keys {
            if let Some(n) = self.tasks.get(k) {
                n.notify_one();
            }
        }
    }
}

/// How polling follows an event feed: while `live` holds true, an account with nothing in
/// progress waits at least `safety` between polls; the moment it turns false, every account
/// goes back to its usual interval.
#[derive(Clone, Debug)]
pub struct EventPolling {
    pub live: watch::Receiver<bool>,
    pub safety: Duration,
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
    spawn_with_events(backend, accounts, config, tx, None)
}

/// [`spawn`], with steady polling relaxed while an event feed is live.
pub fn spawn_with_events<B: Backend>(
    backend: Arc<B>,
    accounts: Vec<AccountKey>,
    config: PollConfig,
    tx: mpsc::Sender<Msg>,
    events: Option<EventPolling>,
) -> Poller {
    let permits = Arc::new(Semaphore::new(config.max_concurrency.max(1)));
    let mut tasks = Vec::with_capacity(accounts.len());
    let mut wake = HashMap::with_capacity(accounts.len());
    let count = accounts.len();
    let origin = tokio::time::Instant::now();
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
            Start {
                rng: seed,
                origin,
                after: first_poll_offset(&config, i, count),
                events: events.clone(),
            },
        )));
    }
    Poller {
        tasks,
        wake: Wake {
            tasks: Arc::new(wake),
        },
    }
}

/// How one account's polling starts: its jitter stream's seed, the start of the slot grid, and
/// its first poll's delay.
struct Start {
    rng: u64,
    origin: tokio::time::Instant,
    after: Duration,
    events: Option<EventPolling>,
}

/// Why an account waits before its next poll.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Wait {
    /// Something is in progress: the active interval, events or not.
    Active(Duration),
    /// Nothing moves: this steady interval, or the safety interval while events flow.
    Steady(Duration),
    /// After failures.
    Backoff(Duration),
}

impl Wait {
    /// The wait, given whether an event feed is live and its safety interval.
    fn length(self, live: bool, safety: Duration) -> Duration {
        match self {
            Wait::Active(d) | Wait::Backoff(d) => d,
            Wait::Steady(d) if live => d.max(safety),
            Wait::Steady(d) => d,
        }
    }
}

async fn poll_account<B: Backend>(
    backend: Arc<B>,
    key: AccountKey,
    config: PollConfig,
    permits: Arc<Semaphore>,
    wake: Arc<Notify>,
    tx: mpsc::Sender<Msg>,
    start: Start,
) {
    let mut rng = start.rng;
    let mut generation = 0u64;
    let mut failures = 0u32;
    let mut quiet = Quiet::new(config.steady);
    let (mut live, safety) = match start.events {
        Some(e) => (Some(e.live), e.safety),
        None => (None, Duration::ZERO),
    };
    if !start.after.is_zero() {
        tokio::select! {
            _ = tokio::time::sleep_until(on_grid(start.origin, start.origin + start.after)) => {}
            _ = wake.notified() => {}
        }
    }
    loop {
        let result = {
            let Ok(_permit) = permits.acquire().await else {
                return;
            };
            backend.snapshot(key).await.map(Box::new)
        };
        generation += 1;
        let wait = match &result {
            Ok(snap) => {
                failures = 0;
                if snap.in_progress() {
                    quiet.moved(&config);
                    Wait::Active(config.active)
                } else {
                    Wait::Steady(quiet.observe(&config, snap.content_hash()))
                }
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                Wait::Backoff(backoff(&config, failures, e.kind))
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
        let done = tokio::time::Instant::now();
        let spread = next_unit(&mut rng);
        // Until woken or due; a change of the feed's state moves the due time.
        loop {
            let is_live = live.as_ref().is_some_and(|l| *l.borrow());
            let base = wait.length(is_live, safety);
            let at = on_grid(
                start.origin,
                done + base.mul_f64(1.0 + config.jitter.clamp(0.0, 1.0) * spread),
            );
            tokio::select! {
                _ = tokio::time::sleep_until(at) => break,
                _ = wake.notified() => break,
                changed = feed_changed(&mut live) => {
                    if !changed {
                        // The feed is gone: poll as usual from now on.
                        live = None;
                    }
                }
            }
        }
    }
}

/// Wait for the feed's state to change: false once its sender is gone (never returns without
/// a feed).
async fn feed_changed(live: &mut Option<watch::Receiver<bool>>) -> bool {
    match live {
        Some(l) => l.changed().await.is_ok(),
        None => std::future::pending().await,
    }
}

/// How long an account has stayed the same, and the steady interval that earns it.
struct Quiet {
    hash: Option<u64>,
    since: tokio::time::Instant,
    steady: Duration,
}

impl Quiet {
    fn new(steady: Duration) -> Self {
        Quiet {
            hash: None,
            since: tokio::time::Instant::now(),
            steady,
        }
    }

    /// Something in the account is moving: it is not quiet.
    fn moved(&mut self, config: &PollConfig) {
        self.hash = None;
        self.since = tokio::time::Instant::now();
        self.steady = config.steady;
    }

    /// Note a poll finding nothing moving, with its content's hash; the steady interval to wait.
    fn observe(&mut self, config: &PollConfig, hash: u64) -> Duration {
        let now = tokio::time::Instant::now();
        if self.hash != Some(hash) {
            self.hash = Some(hash);
            self.since = now;
            self.steady = config.steady;
        } else if now.duration_since(self.since) >= config.quiet_after {
            self.steady = self
                .steady
                .saturating_mul(2)
                .min(config.max_steady.max(config.steady));
        }
        self.steady
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

/// The next number in [0, 1) of a SplitMix64 stream.
fn next_unit(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// `base` plus up to `jitter * base`, from a SplitMix64 stream.
#[cfg(test)]
fn with_jitter(base: Duration, jitter: f64, state: &mut u64) -> Duration {
    base.mul_f64(1.0 + jitter.clamp(0.0, 1.0) * next_unit(state))
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
    fn first_polls_spread_over_the_window_but_never_further_apart_than_the_gap() {
        let c = PollConfig {
            spread: Duration::from_secs(30),
            ..PollConfig::default()
        };
        // 900 accounts: 33 ms apart, the last just under 30 s in.
        assert_eq!(first_poll_offset(&c, 0, 900), Duration::ZERO);
        assert_eq!(
            first_poll_offset(&c, 899, 900),
            Duration::from_nanos(33_333_333 * 899)
        );
        // 30 accounts: 50 ms apart, all started within 1.5 s.
        assert_eq!(
            first_poll_offset(&c, 29, 30),
            Duration::from_millis(50 * 29)
        );
        let now = PollConfig {
            spread: Duration::ZERO,
            ..c
        };
        assert_eq!(first_poll_offset(&now, 899, 900), Duration::ZERO);
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
