//! The poller on a fake backend in paused tokio time: adaptive intervals, bounded concurrency,
//! generations, refresh on demand, and one failing account never slowing the others.

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
                });
            }
        }
        Ok(snap)
    }

    async fn act(&self, _: AccountKey, _: Action) -> Result<ActionDone, ActionError> {
        Err(ActionError::Refused("read only".into()))
    }

    async fn launch_options(&self, _: AccountKey, _: &str) -> Result<LaunchOptions, ActionError> {
        Err(ActionError::Refused("read only".into()))
    }

    async fn record(&self, _: AccountKey, _: &str) -> Result<RecordState, ActionError> {
        Err(ActionError::Refused("read only".into()))
    }

    async fn notebook_url(&self, _: AccountKey, _: &str) -> Result<String, ActionError> {
        Err(ActionError::Refused("read only".into()))
    }

    fn now(&self) -> Timestamp {
        T0
    }
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
