//! The event feed's consumer: long-polls the queue, asks the poller to read the accounts the events name
//! (coalesced), deletes every message it took or cannot use, and tells the poller and the app
//! whether the feed is live; on a queue failure it falls back to polling and retries with backoff.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::Wake;
use super::coalesce::{Coalescer, Seen, WINDOW};
use crate::app::Msg;
use crate::backend::{AccountKey, Queue};
use crate::events::envelope::{Body, classify};
use crate::events::router::{Miss, Router};
use crate::events::status::{Counts, EventsStatus, FeedState};

/// Event ids remembered to tell duplicates.
const SEEN: usize = 8192;
/// The first retry of a failing queue, doubling up to [`MAX_RETRY`].
const FIRST_RETRY: Duration = Duration::from_secs(2);
const MAX_RETRY: Duration = Duration::from_secs(120);
/// Ignored messages logged at info level, per kind, before the rest go to debug.
const LOUD: u64 = 10;

/// The running feed; dropping it stops the consumer.
pub struct Feed {
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Feed {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// A feed ready to start once the poller runs: the queue, where its events go, and the
/// safety interval of steady polling while it is live.
pub struct Starter {
    pub safety: Duration,
    start: StartFn,
}

/// Starts a feed: the poller's waker, the live flag to set, and where reports go.
type StartFn = Box<dyn FnOnce(Wake, watch::Sender<bool>, mpsc::Sender<Msg>) -> Feed + Send>;

impl Starter {
    pub fn new<Q: Queue>(queue: Arc<Q>, name: String, router: Router, safety: Duration) -> Self {
        Starter {
            safety,
            start: Box::new(move |wake, live, tx| spawn(queue, name, router, wake, live, tx)),
        }
    }

    /// Start the consumer, waking the poller's accounts through `wake`.
    pub fn start(self, wake: Wake, live: watch::Sender<bool>, tx: mpsc::Sender<Msg>) -> Feed {
        (self.start)(wake, live, tx)
    }
}

/// The wait before retry number `failures` (1-based) of a failing queue.
pub fn retry_after(failures: u32) -> Duration {
    FIRST_RETRY
        .saturating_mul(1 << failures.saturating_sub(1).min(10))
        .min(MAX_RETRY)
}

/// Start the consumer of `queue` (named `name` in reports). It sets `live` while the queue is
/// read without error, wakes the accounts its events name through `wake`, and sends
/// `Msg::Events` on `tx` at each change; it stops when `tx` closes.
pub fn spawn<Q: Queue>(
    queue: Arc<Q>,
    name: String,
    router: Router,
    wake: Wake,
    live: watch::Sender<bool>,
    tx: mpsc::Sender<Msg>,
) -> Feed {
    let (hint_tx, hint_rx) = mpsc::unbounded_channel();
    let reads = Arc::new(AtomicU64::new(0));
    let coalescer = tokio::spawn(coalesce(hint_rx, wake, reads.clone()));
    let consumer = tokio::spawn(consume(Consumer {
        queue,
        name,
        router,
        live,
        tx,
        hints: hint_tx,
        reads,
    }));
    Feed {
        tasks: vec![coalescer, consumer],
    }
}

/// Read each hinted account at once, folding hints that follow within [`WINDOW`] into one
/// more read at the window's end.
async fn coalesce(
    mut hints: mpsc::UnboundedReceiver<AccountKey>,
    wake: Wake,
    reads: Arc<AtomicU64>,
) {
    let mut c = Coalescer::new(WINDOW);
    loop {
        let next = c.next_due();
        tokio::select! {
            hint = hints.recv() => match hint {
                Some(key) => {
                    if c.hint(key, tokio::time::Instant::now()) {
                        reads.fetch_add(1, Ordering::Relaxed);
                        wake.refresh(&[key]);
                    }
                }
                None => return,
            },
            _ = sleep_until_opt(next), if next.is_some() => {
                let due = c.take_due(tokio::time::Instant::now());
                reads.fetch_add(due.len() as u64, Ordering::Relaxed);
                wake.refresh(&due);
            }
        }
    }
}

async fn sleep_until_opt(at: Option<tokio::time::Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

struct Consumer<Q> {
    queue: Arc<Q>,
    name: String,
    router: Router,
    live: watch::Sender<bool>,
    tx: mpsc::Sender<Msg>,
    hints: mpsc::UnboundedSender<AccountKey>,
    reads: Arc<AtomicU64>,
}

impl<Q> Consumer<Q> {
    fn status(&self, state: &FeedState, counts: &Counts) -> EventsStatus {
        let mut counts = counts.clone();
        counts.reads = self.reads.load(Ordering::Relaxed);
        EventsStatus {
            state: state.clone(),
            counts,
            queue: self.name.clone(),
        }
    }

    /// Tell the app; false once it has gone.
    async fn report(&self, state: &FeedState, counts: &Counts) -> bool {
        self.tx
            .send(Msg::Events(self.status(state, counts)))
            .await
            .is_ok()
    }

    /// Fall back to polling (the poller first, then the app), then wait before retry number
    /// `failures`; false once the app has gone.
    async fn fail(
        &self,
        state: &mut FeedState,
        counts: &Counts,
        reason: String,
        failures: u32,
    ) -> bool {
        self.live.send_replace(false);
        tracing::warn!(queue = %self.name, %reason, "event queue failed: polling as usual");
        *state = FeedState::Off { reason };
        if !self.report(state, counts).await {
            return false;
        }
        tokio::time::sleep(retry_after(failures)).await;
        true
    }

    /// The queue answers: relax the poller's steady polling.
    fn go_live(&self, state: &mut FeedState) {
        *state = FeedState::Live;
        self.live.send_replace(true);
        tracing::info!(queue = %self.name, "event queue live: steady polling relaxed");
    }
}

async fn consume<Q: Queue>(c: Consumer<Q>) {
    let mut state = FeedState::Starting;
    let mut counts = Counts::default();
    let mut seen = Seen::new(SEEN);
    let mut failures = 0u32;
    match c.queue.probe().await {
        Ok(()) => {
            c.go_live(&mut state);
            if !c.report(&state, &counts).await {
                return;
            }
        }
        Err(e) => {
            failures = 1;
            let reason = format!("cannot read the queue: {}", e.message);
            if !c.fail(&mut state, &counts, reason, failures).await {
                return;
            }
        }
    }
    loop {
        let messages = match c.queue.receive().await {
            Ok(m) => m,
            Err(e) => {
                failures = failures.saturating_add(1);
                let reason = format!("cannot read the queue: {}", e.message);
                if !c.fail(&mut state, &counts, reason, failures).await {
                    return;
                }
                continue;
            }
        };
        let was_live = state == FeedState::Live;
        let mut receipts = Vec::with_capacity(messages.len());
        // One hint per account per batch: the events of one batch arrive before its read.
        let mut accounts = BTreeSet::new();
        for m in messages {
            take(&c.router, &m.body, &mut counts, &mut seen, &mut accounts);
            receipts.push(m.receipt);
        }
        for key in accounts {
            // The coalescer lives as long as the consumer.
            let _ = c.hints.send(key);
        }
        let taken = receipts.len() as u64;
        if taken > 0 && !c.queue.deletes() {
            counts.left += taken;
        } else if taken > 0 {
            if let Err(e) = c.queue.delete(&receipts).await {
                failures = failures.saturating_add(1);
                let reason = format!("cannot delete the messages taken: {}", e.message);
                if !c.fail(&mut state, &counts, reason, failures).await {
                    return;
                }
                continue;
            }
            counts.deleted += taken;
        }
        failures = 0;
        if !was_live {
            c.go_live(&mut state);
        }
        if (!was_live || !receipts.is_empty()) && !c.report(&state, &counts).await {
            return;
        }
    }
}

/// Count one message and add the accounts a new lab event names to `accounts`.
fn take(
    router: &Router,
    body: &str,
    counts: &mut Counts,
    seen: &mut Seen,
    accounts: &mut BTreeSet<AccountKey>,
) {
    match classify(body) {
        Body::Lab(env) => match router.route(&env.account, &env.region) {
            Ok(keys) => {
                if !seen.first_time(&env.id) {
                    counts.duplicates += 1;
                    return;
                }
                counts.taken += 1;
                tracing::debug!(account = %env.account, source = %env.source,
                    detail_type = %env.detail_type, "event taken");
                accounts.extend(keys);
            }
            Err(miss) => {
                counts.unknown_account += 1;
                let why = match miss {
                    Miss::UnknownAccount => "an account no lab has",
                    Miss::OtherRegion => "a region the lab does not use",
                };
                ignored(counts.unknown_account, || {
                    format!(
                        "{} in {} from {why}: {}",
                        env.detail_type, env.region, env.account
                    )
                });
            }
        },
        Body::Unrelated(env) => {
            counts.unrelated += 1;
            ignored(counts.unrelated, || {
                format!(
                    "a source the lab does not watch: {} {:?} from {}",
                    env.source, env.detail_type, env.account
                )
            });
        }
        Body::Junk(why) => {
            counts.junk += 1;
            ignored(counts.junk, || format!("a message that is {why}"));
        }
    }
}

/// Log an ignored message: the first few loudly, the rest quietly.
fn ignored(count: u64, what: impl FnOnce() -> String) {
    if count <= LOUD {
        tracing::info!(count, "event ignored and deleted: {}", what());
    } else {
        tracing::debug!(count, "event ignored and deleted: {}", what());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_retries_double_up_to_two_minutes() {
        assert_eq!(retry_after(1), Duration::from_secs(2));
        assert_eq!(retry_after(2), Duration::from_secs(4));
        assert_eq!(retry_after(6), Duration::from_secs(64));
        assert_eq!(retry_after(7), Duration::from_secs(120));
        assert_eq!(retry_after(40), Duration::from_secs(120));
    }
}
