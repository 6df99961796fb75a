//! Benchmark: the simulated class polled with the live defaults (3 s active, 30 s steady, 120 s
//! once quiet for 5 minutes) hour by simulated hour in paused tokio time, without events and
//! with the simulator's event feed (steady polls 300 s apart while it is live): account reads,
//! the AWS read calls they stand for, and the time from each announced change to the first
//! read of its account. `cargo bench --bench events` runs 300 labs for two hours (the busy hour
//! and the one after); without `--bench` (as `cargo test` runs it) 6 labs for an hour, as a
//! smoke test.

use std::time::{Duration, Instant};

use crossdeck::backend::sim::{SimOptions, SimQueue};
use crossdeck::lab::{Role, Timestamp};
use crossdeck::poller::PollConfig;

#[allow(dead_code)]
#[path = "../tests/it/simfeed.rs"]
mod simfeed;

/// AWS read calls of one poll of an account whose caches are warm (src/backend/aws/poll.rs):
/// Tools DescribeStacks, GetPipelineState, ListPipelineExecutions, ListEndpoints; DataScience
/// DescribeStacks, SearchProvisionedProducts, ListNotebookInstances; Stage DescribeStacks,
/// ListEndpoints. Each stack in progress or failed adds a DescribeStackEvents. An estimate:
/// the first reads of a bucket, an endpoint's DescribeEndpoint on a status change, ListPipelines
/// before the pipeline stack names its pipeline and GetCallerIdentity after a credential
/// refresh come on top, and Tools makes one call fewer before it has a pipeline.
fn calls_per_read(role: Role) -> u64 {
    match role {
        Role::Tools => 4,
        Role::DataScience => 3,
        Role::Stage | Role::Production => 2,
    }
}

/// What one mode measured over one window of the run.
struct Figures {
    reads: u64,
    moving: u64,
    calls: u64,
    sqs: u64,
    changes: usize,
    unread: usize,
    all: Vec<i64>,
}

/// Poll the class for `hours` simulated hours, with the feed (`safety`) or without.
fn run(opts: &SimOptions, safety: Option<Duration>, hours: u64) -> (simfeed::Run, Duration) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let started = Instant::now();
    let run = rt.block_on(simfeed::run(
        opts.clone(),
        PollConfig::default(),
        safety,
        SimQueue::DEFAULT_DELAY,
        Duration::from_secs(hours * 3600),
    ));
    (run, started.elapsed())
}

/// The figures of `run` from `from` for `secs` seconds of sim time.
fn window(run: &simfeed::Run, from: Timestamp, secs: i64, fed: bool) -> Figures {
    let to = from.plus_secs(secs);
    let reads: Vec<&simfeed::Read> = run
        .reads
        .iter()
        .filter(|r| r.at >= from && r.at < to)
        .collect();
    let calls = reads
        .iter()
        .map(|r| calls_per_read(r.key.role) + r.stack_events as u64)
        .sum();
    // Changes late enough that a steady poll (120 s and its jitter) could miss the window's
    // end are left out in both modes.
    let latencies = run.latencies(from, to.plus_secs(-150));
    let mut all: Vec<i64> = latencies.iter().flatten().copied().collect();
    all.sort_unstable();
    // ReceiveMessage and DeleteMessageBatch, when the feed is read.
    let sqs = if fed {
        run.queue_calls
            .iter()
            .filter(|t| **t >= from && **t < to)
            .count() as u64
    } else {
        0
    };
    Figures {
        reads: reads.len() as u64,
        moving: reads.iter().filter(|r| r.in_progress).count() as u64,
        calls,
        sqs,
        changes: latencies.len(),
        unread: latencies.iter().filter(|l| l.is_none()).count(),
        all,
    }
}

/// The nearest-rank percentile of sorted milliseconds, in seconds.
fn pct(sorted: &[i64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1] as f64 / 1000.0
}

fn secs_row(what: &str, polled: f64, fed: f64) {
    let ratio = if polled == 0.0 {
        f64::NAN
    } else {
        fed / polled
    };
    println!("| {what} | {polled:.1} s | {fed:.1} s | {ratio:.3} |");
}

fn count_row(what: &str, polled: u64, fed: u64) {
    let ratio = if polled == 0 {
        f64::NAN
    } else {
        fed as f64 / polled as f64
    };
    println!("| {what} | {polled} | {fed} | {ratio:.2} |");
}

fn table(title: &str, p: &Figures, f: &Figures) {
    println!();
    println!("{title}");
    println!();
    println!("| | polling | events | events / polling |");
    println!("|---|---|---|---|");
    count_row("account reads", p.reads, f.reads);
    count_row("with something in progress", p.moving, f.moving);
    count_row(
        "with nothing in progress",
        p.reads - p.moving,
        f.reads - f.moving,
    );
    count_row("AWS read calls (estimate)", p.calls, f.calls);
    count_row(
        "with SQS Receive and DeleteBatch",
        p.calls + p.sqs,
        f.calls + f.sqs,
    );
    count_row("changes measured", p.changes as u64, f.changes as u64);
    secs_row(
        "change to read, median",
        pct(&p.all, 50.0),
        pct(&f.all, 50.0),
    );
    secs_row(
        "change to read, 90th percentile",
        pct(&p.all, 90.0),
        pct(&f.all, 90.0),
    );
    println!(
        "({} changes in an account that cannot be read, never read, left out)",
        p.unread
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    // The full class for an hour, and the hour after it; as a smoke test a small class.
    let (labs, hours) = if full { (300, 2) } else { (6, 1) };
    let opts = SimOptions {
        participants: labs,
        speed: 1.0,
        ..SimOptions::default()
    };
    let (polled, polled_wall) = run(&opts, None, hours);
    let (fed, fed_wall) = run(&opts, Some(Duration::from_secs(300)), hours);
    println!(
        "events: {labs} labs ({} accounts), PollConfig::default() (3 s active, 30 s steady, \
         120 s once quiet), safety poll 300 s, delivery delay {} s; run in {:.1} s / {:.1} s",
        labs * 3,
        SimQueue::DEFAULT_DELAY.as_secs(),
        polled_wall.as_secs_f64(),
        fed_wall.as_secs_f64()
    );
    let mut firsts = None;
    for h in 0..hours {
        let from = polled.start.plus_secs(h as i64 * 3600);
        let p = window(&polled, from, 3600, false);
        let f = window(&fed, from, 3600, true);
        let title = match h {
            0 => "The first hour (the class working through the guide)",
            _ => "The second hour (most labs done)",
        };
        table(title, &p, &f);
        firsts.get_or_insert((p, f));
    }

    // As a smoke test: the same story either way, and the feed brings changes to a read sooner.
    let (p, f) = firsts.expect("an hour");
    assert_eq!(polled.changes, fed.changes, "the same story in both modes");
    assert!(p.changes > 0, "the class changed nothing");
    assert!(
        pct(&f.all, 50.0) < pct(&p.all, 50.0) && pct(&f.all, 90.0) < pct(&p.all, 90.0),
        "the feed did not bring changes to a read sooner"
    );
}
