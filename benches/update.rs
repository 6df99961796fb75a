//! Benchmarks of update throughput with a class of 300 participants (900 accounts): reading every
//! account from the simulator, and applying a poll result of every account to the app, once with
//! nothing changed since the last poll (most polls of a class) and once a sim minute on (the
//! accounts that moved in that minute get a real diff and progress; it prints how many).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

use crossdeck::app::{App, Msg, update};
use crossdeck::backend::sim::{Clock, ManualClock, SIM_EPOCH, SimBackend, SimOptions};
use crossdeck::backend::{AccountKey, Backend};
use crossdeck::lab::{AccountError, AccountSnapshot};

type Read = Result<AccountSnapshot, AccountError>;

const PARTICIPANTS: usize = 300;
/// Sim seconds after the epoch: the class is mid-lab, many stacks and pipelines under way.
const AT: i64 = 3600;

fn class() -> SimOptions {
    SimOptions {
        participants: PARTICIPANTS,
        ..SimOptions::default()
    }
}

/// Every account's snapshot at `at` (or why it cannot be read: one participant plays a denied
/// account), in key order.
fn read_all(sim: &SimBackend, clock: &ManualClock, keys: &[AccountKey], at: i64) -> Vec<Read> {
    clock.set(SIM_EPOCH.plus_secs(at));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    keys.iter().map(|k| rt.block_on(sim.snapshot(*k))).collect()
}

fn apply_all(app: &mut App, keys: &[AccountKey], snaps: Vec<Read>, generation: u64) {
    for (key, snap) in keys.iter().zip(snaps) {
        update(
            app,
            Msg::Poll {
                key: *key,
                generation,
                result: snap.map(Box::new),
            },
        );
    }
}

fn throughput(c: &mut Criterion) {
    let clock = ManualClock::new();
    let sim = SimBackend::new(class(), Arc::new(clock.clone()));
    let mut app = App::new(sim.labs(), sim.names().clone(), clock.now()).simulated(30.0);
    let keys = app.account_keys();
    assert_eq!(keys.len(), 3 * PARTICIPANTS);
    let before = read_all(&sim, &clock, &keys, AT - 60);
    let now = read_all(&sim, &clock, &keys, AT);
    let changed = keys
        .iter()
        .zip(before.iter().zip(&now))
        .filter(|(_, (b, n))| match (b, n) {
            (Ok(b), Ok(n)) => !b.same_content(n),
            (b, n) => b.as_ref().err() != n.as_ref().err(),
        })
        .count();
    eprintln!(
        "{changed} of {} accounts change in the minute benchmarked",
        keys.len()
    );

    let mut group = c.benchmark_group("update_900_accounts");
    group.throughput(Throughput::Elements(keys.len() as u64));
    group.sample_size(20);

    group.bench_function("sim_read_all", |b| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        b.iter(|| {
            for k in &keys {
                let _ = black_box(rt.block_on(sim.snapshot(*k)));
            }
        })
    });

    // Generations rise across both benches, so no poll is dropped as stale.
    let generation = std::cell::Cell::new(1u64);
    let next = || {
        generation.set(generation.get() + 1);
        generation.get()
    };
    apply_all(&mut app, &keys, now.clone(), next());
    group.bench_function("apply_all_unchanged", |b| {
        b.iter_batched(
            || now.clone(),
            |snaps| apply_all(&mut app, &keys, snaps, next()),
            BatchSize::LargeInput,
        )
    });

    // Two rounds per iteration: a minute earlier, then now.
    group.throughput(Throughput::Elements(2 * keys.len() as u64));
    group.bench_function("apply_all_a_sim_minute_on", |b| {
        b.iter_batched(
            || (before.clone(), now.clone()),
            |(before, now)| {
                // A minute earlier, then now: every diff of an account that moved is real.
                apply_all(&mut app, &keys, before, next());
                apply_all(&mut app, &keys, now, next());
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
