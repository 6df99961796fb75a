//! The simulator's event queue: what the simulated accounts announce, delivered like an SQS queue
//! fed by EventBridge (a long poll of up to 20 s, at most 10 messages a call, each receivable a
//! delivery delay after its change), so the event-driven mode runs offline.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::backend::{Message, Queue, QueueError};
use crate::events::{Router, Starter};

use super::SimBackend;
use super::announce::{Announcement, Outbox, REGION};

/// The longest a receive waits for something to arrive, as SQS's long poll.
const LONG_POLL: Duration = Duration::from_secs(20);
/// How often a waiting receive looks again (real, or tokio's, time).
const RECHECK: Duration = Duration::from_millis(200);
/// Most messages one receive returns.
const BATCH: usize = 10;

/// How the queue has been used, for the demo's log and the benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimQueueStats {
    /// Announcements taken from the accounts.
    pub announced: u64,
    /// Announcements lost because an outbox or the queue was full.
    pub dropped: u64,
    /// Announcements waiting for their delivery time or a receive.
    pub waiting: usize,
    /// Receive calls (ReceiveMessage).
    pub receives: u64,
    /// Delete calls (DeleteMessageBatch) and the messages they named.
    pub deletes: u64,
    pub deleted: u64,
}

#[derive(Default)]
struct Held {
    waiting: VecDeque<Announcement>,
    announced: u64,
    dropped: u64,
    sent: u64,
}

/// A [`Queue`] over the simulated class: creating one turns the accounts' announcing on.
pub struct SimQueue {
    sim: Arc<SimBackend>,
    delay_ms: i64,
    capacity: usize,
    held: Mutex<Held>,
    receives: AtomicU64,
    deletes: AtomicU64,
    deleted: AtomicU64,
}

impl SimQueue {
    /// EventBridge to SQS takes about 0.5 to 2 s: one simulated second by default.
    pub const DEFAULT_DELAY: Duration = Duration::from_secs(1);
    /// Most announcements kept per participant, and in the queue, before the oldest go.
    pub const CAPACITY: usize = 4096;

    /// A queue of `sim`'s announcements, each receivable `delay` of sim time after its change.
    pub fn new(sim: Arc<SimBackend>, delay: Duration) -> Self {
        Self::with_capacity(sim, delay, Self::CAPACITY)
    }

    /// [`SimQueue::new`] keeping at most `capacity` announcements per participant and in all.
    pub fn with_capacity(sim: Arc<SimBackend>, delay: Duration, capacity: usize) -> Self {
        sim.start_announcing(capacity);
        SimQueue {
            sim,
            delay_ms: i64::try_from(delay.as_millis()).unwrap_or(i64::MAX),
            capacity: capacity.max(1),
            held: Mutex::new(Held::default()),
            receives: AtomicU64::new(0),
            deletes: AtomicU64::new(0),
            deleted: AtomicU64::new(0),
        }
    }

    /// A feed of `sim`'s announcements for the dashboard, with a [`Router`] of its accounts.
    pub fn starter(sim: Arc<SimBackend>, delay: Duration, safety: Duration) -> Starter {
        let router = sim.router();
        let queue = Arc::new(SimQueue::new(sim, delay));
        Starter::new(queue, "simulated".to_string(), router, safety)
    }

    pub fn stats(&self) -> SimQueueStats {
        let mut held = self.lock();
        self.gather(&mut held);
        SimQueueStats {
            announced: held.announced,
            dropped: held.dropped,
            waiting: held.waiting.len(),
            receives: self.receives.load(Ordering::Relaxed),
            deletes: self.deletes.load(Ordering::Relaxed),
            deleted: self.deleted.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Bring every participant to now and move what they announced into the queue, in time
    /// order; the oldest go when it is full.
    fn gather(&self, held: &mut Held) {
        let fresh = self.sim.collect_announcements();
        if fresh.announced.is_empty() && fresh.dropped == 0 {
            return;
        }
        held.dropped += fresh.dropped;
        held.announced += fresh.announced.len() as u64;
        held.waiting.extend(fresh.announced);
        held.waiting.make_contiguous().sort_by_key(|a| a.at);
        while held.waiting.len() > self.capacity {
            held.waiting.pop_front();
            held.dropped += 1;
        }
    }

    /// Up to [`BATCH`] announcements whose delivery time has come.
    fn take_ready(&self) -> Vec<Message> {
        let now = self.sim.clock.now();
        let mut held = self.lock();
        self.gather(&mut held);
        let mut out = Vec::new();
        while out.len() < BATCH
            && held
                .waiting
                .front()
                .is_some_and(|a| a.at.plus_millis(self.delay_ms) <= now)
        {
            let Some(a) = held.waiting.pop_front() else {
                break;
            };
            held.sent += 1;
            out.push(Message {
                receipt: format!("sim-{}", held.sent),
                body: a.body,
            });
        }
        out
    }
}

impl Queue for SimQueue {
    async fn receive(&self) -> Result<Vec<Message>, QueueError> {
        self.receives.fetch_add(1, Ordering::Relaxed);
        let deadline = tokio::time::Instant::now() + LONG_POLL;
        loop {
            let got = self.take_ready();
            let now = tokio::time::Instant::now();
            if !got.is_empty() || now >= deadline {
                return Ok(got);
            }
            tokio::time::sleep(RECHECK.min(deadline - now)).await;
        }
    }

    async fn delete(&self, receipts: &[String]) -> Result<(), QueueError> {
        self.deletes.fetch_add(1, Ordering::Relaxed);
        self.deleted
            .fetch_add(receipts.len() as u64, Ordering::Relaxed);
        Ok(())
    }
}

/// What the participants announced since the last look.
pub(super) struct Collected {
    pub announced: Vec<Announcement>,
    pub dropped: u64,
}

impl SimBackend {
    /// Every lab account by id, in the simulator's one region, for matching its events.
    pub fn router(&self) -> Router {
        Router::for_labs(&self.labs, |_| Some(REGION.to_string()))
    }

    /// Give every participant an outbox of `capacity` (kept if it has one already).
    fn start_announcing(&self, capacity: usize) {
        for (lab, p) in self.participants.iter().enumerate() {
            let mut p = p.lock().unwrap_or_else(PoisonError::into_inner);
            if p.outbox.is_none() {
                p.outbox = Some(Outbox::new(lab, capacity));
            }
        }
    }

    /// Advance every participant to the clock's now (nothing to do for one with nothing due)
    /// and take what each announced.
    fn collect_announcements(&self) -> Collected {
        let now = self.clock.now();
        let mut out = Collected {
            announced: Vec::new(),
            dropped: 0,
        };
        for p in &self.participants {
            let mut p = p.lock().unwrap_or_else(PoisonError::into_inner);
            p.advance_to(now);
            if let Some(outbox) = p.outbox.as_mut() {
                out.dropped += std::mem::take(&mut outbox.dropped);
                out.announced.extend(outbox.drain());
            }
        }
        out
    }

    /// Announcements recorded and not yet taken by a queue, over all participants (none while
    /// no queue listens).
    pub fn announcements_pending(&self) -> usize {
        self.participants
            .iter()
            .map(|p| {
                let p = p.lock().unwrap_or_else(PoisonError::into_inner);
                p.outbox.as_ref().map_or(0, Outbox::len)
            })
            .sum()
    }
}
