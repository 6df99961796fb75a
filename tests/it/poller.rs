//! The poller on a fake backend in paused tokio time: adaptive intervals, bounded concurrency,
//! generations, refresh on demand, one failing or throttled account never slowing the others,
//! and at a class's scale (900 accounts) first polls spread out and quiet accounts polled less.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;

use crossdeck::app::Msg;
use crossdeck::backend::{
    AccountKey, Action, ActionDone, ActionError, Backend, LaunchOptions, RecordState,
};
use crossdeck::lab::metrics::EndpointMetrics;
use crossdeck::lab::smoke::Invocation;
use crossdeck::lab::*;
use crossdeck::poller::{self, PollConfig};

use crate::fixtures::{T0, stack};

/// Lab 0 is "moving" (a stack in progress), lab 1 steady, lab 2 denied.
#[derive(Default)]
struct Fake {
    calls: Mutex<HashMap<AccountKey, usize>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Backend for Fake {
    async fn snapshot(&self, account: AccountKey) -> Result<AccountSnapshot, AccountError> {
        *self.calls.lock().expect("lock").entry(account).or_default() += 1;
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let mut snap = AccountSnapshot::empty("111111111111", T0);
        match account.lab {
            0 => snap
                .stacks
                .push(stack("MLOpsPipeline", "CREATE_IN_PROGRESS")),
            1 => snap.stacks.push(stack("MLOpsPipeline", "CREATE_COMPLETE")),
            _ => {
                return Err(AccountError {
                    kind: ErrorKind::AccessDenied,
                    message: "AccessDenied".into(),
                    detail: String::new(),
                });
            }
        }
        Ok(snap)
    }

    read_only_at_t0!();
}

impl Fake {
    fn calls(&self, lab: usize) -> usize {
        self.calls
            .lock()
            .expect("lock")
            .iter()
            .filter(|(k, _)| k.lab == lab)
            .map(|(_, n)| *n)
            .sum()
    }
}

fn key(lab: usize) -> AccountKey {
    AccountKey {
        lab,
        role: Role::Tools,
    }
}

fn config(max_concurrency: usize) -> PollConfig {
    PollConfig {
        active: Duration::from_secs(1),
        steady: Duration::from_secs(10),
        max_steady: Duration::from_secs(10),
        quiet_after: Duration::from_secs(3600),
        spread: Duration::ZERO,
        max_concurrency,
        max_backoff: Duration::from_secs(60),
        jitter: 0.0,
    }
}

fn drain(rx: &mut mpsc::Receiver<Msg>) -> Vec<(AccountKey, u64, bool)> {
    let mut out = Vec::new();
    while let Ok(Msg::Poll {
        key,
        generation,
        result,
    }) = rx.try_recv()
    {
        out.push((key, generation, result.is_ok()));
    }
    out
}

#[tokio::test(start_paused = true)]
async fn moving_accounts_are_polled_fast_steady_ones_slowly_failing_ones_back_off() {
    let fake = Arc::new(Fake::default());
    let (tx, mut rx) = mpsc::channel(10_000);
    let _p = poller::spawn(fake.clone(), vec![key(0), key(1), key(2)], config(16), tx);
    tokio::time::sleep(Duration::from_secs(60)).await;
    let (moving, steady, failing) = (fake.calls(0), fake.calls(1), fake.calls(2));
    // 1.1 s per cycle for 60 s; 10.1 s per cycle; 10, 20, 40 s backoff.
    assert!(
        (50..=56).contains(&moving),
        "moving account polled {moving} times"
    );
    assert!(
        (5..=7).contains(&steady),
        "steady account polled {steady} times"
    );
    assert!(
        (3..=4).contains(&failing),
        "failing account polled {failing} times"
    );
    let msgs = drain(&mut rx);
    assert!(
        msgs.iter().filter(|m| m.0.lab == 2).all(|m| !m.2),
        "errors are delivered as errors"
    );
}

#[tokio::test(start_paused = true)]
async fn concurrency_is_bounded() {
    let fake = Arc::new(Fake::default());
    let (tx, _rx) = mpsc::channel(10_000);
    let keys: Vec<AccountKey> = (0..2)
        .flat_map(|lab| Role::ALL.map(|role| AccountKey { lab, role }))
        .collect();
    assert_eq!(keys.len(), 8);
    let _p = poller::spawn(fake.clone(), keys, config(3), tx);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn results_carry_their_account_and_rising_generations() {
    let fake = Arc::new(Fake::default());
    let (tx, mut rx) = mpsc::channel(10_000);
    let _p = poller::spawn(fake.clone(), vec![key(0), key(1)], config(16), tx);
    tokio::time::sleep(Duration::from_secs(25)).await;
    let msgs = drain(&mut rx);
    for lab in [0, 1] {
        let gens: Vec<u64> = msgs
            .iter()
            .filter(|m| m.0 == key(lab))
            .map(|m| m.1)
            .collect();
        let expected: Vec<u64> = (1..=gens.len() as u64).collect();
        assert_eq!(gens, expected, "lab {lab}");
    }
}

#[tokio::test(start_paused = true)]
async fn refresh_polls_at_once() {
    let fake = Arc::new(Fake::default());
    let (tx, mut rx) = mpsc::channel(10_000);
    let p = poller::spawn(fake.clone(), vec![key(1)], config(16), tx);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(fake.calls(1), 1, "steady: one poll, next in 10 s");
    p.refresh(&[key(1)]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.calls(1), 2, "refreshed now");
    assert_eq!(drain(&mut rx).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn polling_stops_when_the_app_goes_away() {
    let fake = Arc::new(Fake::default());
    let (tx, rx) = mpsc::channel(10_000);
    let _p = poller::spawn(fake.clone(), vec![key(0)], config(16), tx);
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop(rx);
    let before = fake.calls(0);
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(
        fake.calls(0) <= before + 1,
        "no polling after the receiver closed"
    );
}

/// Answers at once and records when each account was polled. Lab 0 never changes, lab 1
/// changes at every poll, lab 2 changes once, 150 s in; every lab is steady (nothing moving).
struct Class {
    start: tokio::time::Instant,
    polls: Mutex<Vec<(AccountKey, Duration)>>,
}

impl Class {
    fn new() -> Self {
        Class {
            start: tokio::time::Instant::now(),
            polls: Mutex::new(Vec::new()),
        }
    }

    /// Seconds after the start at which `key` was polled.
    fn times(&self, key: AccountKey) -> Vec<f64> {
        self.polls
            .lock()
            .expect("lock")
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, t)| t.as_secs_f64())
            .collect()
    }

    fn all_times(&self) -> Vec<f64> {
        let polls = self.polls.lock().expect("lock");
        polls.iter().map(|(_, t)| t.as_secs_f64()).collect()
    }
}

impl Backend for Class {
    async fn snapshot(&self, account: AccountKey) -> Result<AccountSnapshot, AccountError> {
        let elapsed = self.start.elapsed();
        let n = {
            let mut polls = self.polls.lock().expect("lock");
            polls.push((account, elapsed));
            polls.iter().filter(|(k, _)| *k == account).count()
        };
        let mut snap = AccountSnapshot::empty("111111111111", T0);
        let mut s = stack("MLOpsPipeline", "UPDATE_COMPLETE");
        match account.lab {
            1 => s.reason = Some(format!("update {n}")),
            2 if elapsed >= Duration::from_secs(150) => s.status = "CREATE_COMPLETE".into(),
            _ => {}
        }
        snap.stacks.push(s);
        Ok(snap)
    }

    read_only_at_t0!();
}

fn class_keys(labs: usize) -> Vec<AccountKey> {
    (0..labs)
        .flat_map(|lab| {
            [Role::Tools, Role::DataScience, Role::Stage].map(|role| AccountKey { lab, role })
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn first_polls_of_900_accounts_are_spread_over_the_steady_interval() {
    let class = Arc::new(Class::new());
    let (tx, _rx) = mpsc::channel(100_000);
    let keys = class_keys(300);
    assert_eq!(keys.len(), 900);
    let c = PollConfig {
        steady: Duration::from_secs(30),
        max_steady: Duration::from_secs(30),
        spread: Duration::from_secs(30),
        jitter: 0.2,
        ..config(16)
    };
    let _p = poller::spawn(class.clone(), keys.clone(), c, tx);
    tokio::time::sleep(Duration::from_millis(110)).await;
    assert_eq!(
        class.all_times().len(),
        4,
        "the first polls start 33 ms apart (at 0, 33, 67 and 100 ms), not all at once"
    );
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(
        keys.iter().all(|k| !class.times(*k).is_empty()),
        "every account is polled once within the steady interval"
    );
    tokio::time::sleep(Duration::from_secs(90)).await;
    // Spread first polls and jitter keep the load even: with 900 accounts on a 30 to 36 s cycle,
    // about 27 polls a second, never a burst of the whole class.
    let times = class.all_times();
    let busiest = (0..120)
        .map(|s| {
            let s = s as f64;
            times.iter().filter(|t| **t >= s && **t < s + 1.0).count()
        })
        .max()
        .unwrap_or(0);
    assert!(busiest <= 45, "{busiest} polls in the busiest second");
    // Timers on the 100 ms grid: the runtime wakes at most ten times a second for polls.
    let off_grid: Vec<f64> = times
        .iter()
        .copied()
        .filter(|t| ((t * 10.0).round() - t * 10.0).abs() > 1e-6)
        .collect();
    assert!(off_grid.is_empty(), "polls off the grid at {off_grid:?}");
    assert!(times.len() >= 900 * 3, "{} polls in 120 s", times.len());
}

#[tokio::test(start_paused = true)]
async fn accounts_unchanged_for_long_are_polled_less_up_to_a_cap_and_a_change_resets() {
    let class = Arc::new(Class::new());
    let (tx, _rx) = mpsc::channel(100_000);
    let c = PollConfig {
        steady: Duration::from_secs(10),
        max_steady: Duration::from_secs(40),
        quiet_after: Duration::from_secs(60),
        ..config(16)
    };
    let keys: Vec<AccountKey> = (0..3).map(key).collect();
    let _p = poller::spawn(class.clone(), keys, c, tx);
    tokio::time::sleep(Duration::from_secs(300)).await;

    let gaps = |lab: usize| -> Vec<f64> {
        let t = class.times(key(lab));
        t.windows(2).map(|w| (w[1] - w[0]).round()).collect()
    };
    // Unchanged: 10 s until quiet for 60 s, then 20, then 40 s at most.
    let quiet = gaps(0);
    assert_eq!(
        quiet[..9],
        [10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 20.0, 40.0, 40.0],
        "gaps of the unchanged account: {quiet:?}"
    );
    assert!(quiet.iter().all(|g| *g <= 40.0), "capped: {quiet:?}");
    // Changing at every poll: always the steady interval.
    assert!(gaps(1).iter().all(|g| *g == 10.0), "{:?}", gaps(1));
    assert_eq!(class.times(key(1)).len(), 30);
    // Quiet, then a change seen at 160 s: back to 10 s, until quiet again.
    let t2 = class.times(key(2));
    let after_change: Vec<f64> = t2
        .windows(2)
        .filter(|w| w[0] >= 160.0 && w[0] < 220.0)
        .map(|w| (w[1] - w[0]).round())
        .collect();
    assert!(
        !after_change.is_empty() && after_change.iter().all(|g| *g == 10.0),
        "times of the account that changed: {t2:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_demos_quiet_class_of_900_accounts_costs_under_50_polls_a_second() {
    let class = Arc::new(Class::new());
    let (tx, _rx) = mpsc::channel(100_000);
    let keys = class_keys(300);
    let c = crossdeck::commands::dashboard::demo_poll_config();
    let _p = poller::spawn(class.clone(), keys.clone(), c, tx);
    tokio::time::sleep(Duration::from_secs(60)).await;
    // Nothing moves (lab 1 changes at every poll, lab 2 once): after the first 40 s the quiet
    // accounts are polled every 20 to 24 s, not every 5 s.
    let late: Vec<(AccountKey, Duration)> = class
        .polls
        .lock()
        .expect("lock")
        .iter()
        .filter(|(_, t)| *t >= Duration::from_secs(40))
        .copied()
        .collect();
    assert!(late.len() <= 1000, "{} polls from 40 to 60 s", late.len());
    let quiet_polled = keys
        .iter()
        .filter(|k| k.lab != 1)
        .filter(|k| late.iter().any(|(p, _)| p == *k))
        .count();
    assert!(
        quiet_polled >= 700,
        "{quiet_polled} quiet accounts polled from 40 to 60 s: still watched"
    );
    let changing = late.iter().filter(|(k, _)| k.lab == 1).count();
    assert!(
        changing >= 9,
        "an account that changes stays at 5 s: {changing}"
    );
}

/// The class above, with lab 1 throttled for its first seven polls.
struct Throttled(Class);

impl Backend for Throttled {
    async fn snapshot(&self, account: AccountKey) -> Result<AccountSnapshot, AccountError> {
        let snap = self.0.snapshot(account).await?;
        if account.lab == 1 && self.0.times(account).len() <= 7 {
            return Err(AccountError {
                kind: ErrorKind::Throttled,
                message: "Throttling: Rate exceeded".into(),
                detail: String::new(),
            });
        }
        Ok(snap)
    }

    read_only_at_t0!();
}

#[tokio::test(start_paused = true)]
async fn a_throttled_account_backs_off_alone_while_the_others_keep_their_interval() {
    let throttled = Arc::new(Throttled(Class::new()));
    let (tx, _rx) = mpsc::channel(100_000);
    // One poll at a time: a throttled account waiting out its backoff must not hold the others.
    let keys: Vec<AccountKey> = (0..3).map(key).collect();
    let _p = poller::spawn(throttled.clone(), keys, config(1), tx);
    tokio::time::sleep(Duration::from_secs(305)).await;

    let gaps = |lab: usize| -> Vec<f64> {
        let t = throttled.0.times(key(lab));
        t.windows(2).map(|w| (w[1] - w[0]).round()).collect()
    };
    // Throttled: 1 s (the active interval), doubling to the 60 s cap; then, answered again,
    // the steady 10 s.
    let backed_off = gaps(1);
    assert_eq!(
        backed_off[..8],
        [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 10.0],
        "gaps of the throttled account: {backed_off:?}"
    );
    assert!(backed_off[7..].iter().all(|g| *g == 10.0), "{backed_off:?}");
    // The others: the steady 10 s throughout, 31 polls in 300 s.
    for lab in [0, 2] {
        assert!(
            gaps(lab).iter().all(|g| *g == 10.0),
            "lab {lab}: {:?}",
            gaps(lab)
        );
        assert_eq!(throttled.0.times(key(lab)).len(), 31, "lab {lab}");
    }
}
