//! The simulated class polled for a while in paused tokio time, with or without its event feed,
//! noting every change the accounts announced and every read: when a change reached a read, and
//! what the reads would have cost on AWS. Shared by the event tests and the events benchmark.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crossdeck::app::Msg;
use crossdeck::backend::aws::stacks::needs_events;
use crossdeck::backend::sim::{Clock, RealClock, SimBackend, SimOptions, SimQueue, SimQueueStats};
use crossdeck::backend::{
    AccountKey, Action, ActionDone, ActionError, Backend, LaunchOptions, RecordState,
};
use crossdeck::events::envelope::{Body, classify};
use crossdeck::events::{self, Message, Queue, QueueError, Router};
use crossdeck::lab::metrics::EndpointMetrics;
use crossdeck::lab::smoke::Invocation;
use crossdeck::lab::{AccountError, AccountSnapshot, Role, Timestamp};
use crossdeck::poller::{self, EventPolling, PollConfig};

/// One announced change: when it happened and the account it happened in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    pub at: Timestamp,
    pub key: AccountKey,
}

/// One read of an account: when it started (sim time), whether it answered and found
/// something in progress, and how many of its stacks a real poll would read the events of.
#[derive(Clone, Copy, Debug)]
pub struct Read {
    pub key: AccountKey,
    pub at: Timestamp,
    pub ok: bool,
    pub in_progress: bool,
    pub stack_events: usize,
}

/// The simulator's queue, noting the change each message it hands out announces and when
/// each call to it (a ReceiveMessage or a DeleteMessageBatch on SQS) was made.
pub struct Tap {
    pub queue: SimQueue,
    sim: Arc<SimBackend>,
    router: Router,
    pub changes: Mutex<Vec<Change>>,
    pub calls: Mutex<Vec<Timestamp>>,
}

impl Tap {
    fn note(&self, messages: &[Message]) {
        let mut changes = self.changes.lock().expect("lock");
        for m in messages {
            let Body::Lab(env) = classify(&m.body) else {
                panic!(
                    "the simulator announced something that is no lab event: {}",
                    m.body
                );
            };
            let keys = self
                .router
                .route(&env.account, &env.region)
                .expect("a lab account");
            let at = event_time(&m.body);
            changes.extend(keys.into_iter().map(|key| Change { at, key }));
        }
    }
}

/// The `time` of an EventBridge envelope.
pub fn event_time(body: &str) -> Timestamp {
    let v: serde_json::Value = serde_json::from_str(body).expect("JSON");
    let t: jiff::Timestamp = v["time"]
        .as_str()
        .expect("a time")
        .parse()
        .expect("an RFC 3339 time");
    Timestamp::from(t)
}

impl Queue for Tap {
    async fn receive(&self) -> Result<Vec<Message>, QueueError> {
        self.calls.lock().expect("lock").push(self.sim.now());
        let got = self.queue.receive().await?;
        self.note(&got);
        Ok(got)
    }

    async fn delete(&self, receipts: &[String]) -> Result<(), QueueError> {
        self.calls.lock().expect("lock").push(self.sim.now());
        self.queue.delete(receipts).await
    }
}

/// The simulator, noting every read.
pub struct Logged {
    pub sim: Arc<SimBackend>,
    pub reads: Mutex<Vec<Read>>,
}

impl Backend for Logged {
    async fn snapshot(&self, account: AccountKey) -> Result<AccountSnapshot, AccountError> {
        let at = self.sim.now();
        let result = self.sim.snapshot(account).await;
        let stack_events = result
            .as_ref()
            .map_or(0, |s| s.stacks.iter().filter(|st| needs_events(st)).count());
        self.reads.lock().expect("lock").push(Read {
            key: account,
            at,
            ok: result.is_ok(),
            in_progress: result.as_ref().is_ok_and(AccountSnapshot::in_progress),
            stack_events,
        });
        result
    }

    async fn act(&self, key: AccountKey, action: Action) -> Result<ActionDone, ActionError> {
        self.sim.act(key, action).await
    }

    async fn launch_options(
        &self,
        key: AccountKey,
        product: &str,
    ) -> Result<LaunchOptions, ActionError> {
        self.sim.launch_options(key, product).await
    }

    async fn record(&self, key: AccountKey, id: &str) -> Result<RecordState, ActionError> {
        self.sim.record(key, id).await
    }

    async fn notebook_url(&self, key: AccountKey, name: &str) -> Result<String, ActionError> {
        self.sim.notebook_url(key, name).await
    }

    async fn endpoint_metrics(
        &self,
        key: AccountKey,
        endpoint: &str,
        variants: &[String],
        now: Timestamp,
    ) -> Result<EndpointMetrics, ActionError> {
        self.sim
            .endpoint_metrics(key, endpoint, variants, now)
            .await
    }

    async fn invoke_endpoint(
        &self,
        key: AccountKey,
        endpoint: &str,
        body: &str,
        content_type: &str,
    ) -> Result<Invocation, ActionError> {
        self.sim
            .invoke_endpoint(key, endpoint, body, content_type)
            .await
    }

    fn now(&self) -> Timestamp {
        self.sim.now()
    }
}

/// What one run saw.
pub struct Run {
    /// When the run started and ended (sim time).
    pub start: Timestamp,
    pub end: Timestamp,
    pub changes: Vec<Change>,
    pub reads: Vec<Read>,
    /// When the queue was called (by the consumer, or by the task emptying it).
    pub queue_calls: Vec<Timestamp>,
    pub queue: SimQueueStats,
}

/// Poll the class `opts` describes for `length` of paused tokio time (the sim at `opts.speed`),
/// with the event feed (steady polls `safety` apart while it is live) or without (its queue then
/// emptied by a task of its own, only to note the changes). Must run in paused time.
pub async fn run(
    opts: SimOptions,
    config: PollConfig,
    safety: Option<Duration>,
    delay: Duration,
    length: Duration,
) -> Run {
    let clock = Arc::new(RealClock::new(opts.speed));
    let start = clock.now();
    let sim = Arc::new(SimBackend::new(opts, clock));
    let router = sim.router();
    let tap = Arc::new(Tap {
        queue: SimQueue::new(sim.clone(), delay),
        sim: sim.clone(),
        router: router.clone(),
        changes: Mutex::new(Vec::new()),
        calls: Mutex::new(Vec::new()),
    });
    let backend = Arc::new(Logged {
        sim: sim.clone(),
        reads: Mutex::new(Vec::new()),
    });
    let keys: Vec<AccountKey> = (0..sim.labs().len())
        .flat_map(|lab| {
            Role::LAB
                .into_iter()
                .map(move |role| AccountKey { lab, role })
        })
        .collect();
    let (tx, mut rx) = mpsc::channel::<Msg>(4096);
    let sink = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let (live_tx, live_rx) = watch::channel(false);
    let polling = safety.map(|safety| EventPolling {
        live: live_rx,
        safety,
    });
    let p = poller::spawn_with_events(backend.clone(), keys, config, tx.clone(), polling);
    let (feed, drain) = if safety.is_some() {
        let feed = events::spawn(
            tap.clone(),
            "simulated".into(),
            router,
            p.waker(),
            live_tx,
            tx,
        );
        (Some(feed), None)
    } else {
        let t = tap.clone();
        let drain = tokio::spawn(async move {
            loop {
                if let Ok(m) = t.receive().await {
                    let receipts: Vec<String> = m.into_iter().map(|m| m.receipt).collect();
                    let _ = t.delete(&receipts).await;
                }
            }
        });
        (None, Some(drain))
    };
    tokio::time::sleep(length).await;
    let end = sim.now();
    drop(feed);
    if let Some(d) = drain {
        d.abort();
    }
    drop(p);
    sink.abort();
    let changes = std::mem::take(&mut *tap.changes.lock().expect("lock"));
    let reads = std::mem::take(&mut *backend.reads.lock().expect("lock"));
    let queue_calls = std::mem::take(&mut *tap.calls.lock().expect("lock"));
    Run {
        start,
        end,
        changes,
        reads,
        queue_calls,
        queue: tap.queue.stats(),
    }
}

impl Run {
    /// For each change from `from` to `until`, the milliseconds until the first successful
    /// read of its account that started at or after it (`None`: none before the run ended).
    pub fn latencies(&self, from: Timestamp, until: Timestamp) -> Vec<Option<i64>> {
        let mut reads: HashMap<AccountKey, Vec<Timestamp>> = HashMap::new();
        for r in self.reads.iter().filter(|r| r.ok) {
            reads.entry(r.key).or_default().push(r.at);
        }
        self.changes
            .iter()
            .filter(|c| c.at >= from && c.at <= until)
            .map(|c| {
                let times = reads.get(&c.key).map(Vec::as_slice).unwrap_or_default();
                let i = times.partition_point(|t| *t < c.at);
                times.get(i).map(|t| t.millis() - c.at.millis())
            })
            .collect()
    }

    /// Reads of one account, in order.
    pub fn reads_of(&self, key: AccountKey) -> Vec<Timestamp> {
        self.reads
            .iter()
            .filter(|r| r.key == key)
            .map(|r| r.at)
            .collect()
    }
}
