//! The `Queue` trait: where the event-driven mode's events come from (the SQS queue on AWS, the
//! simulated accounts' announcements offline), as `Backend` is where snapshots come from.

use std::future::Future;

use crate::lab::ErrorKind;

/// One message taken from the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// What DeleteMessage(Batch) needs to delete it.
    pub receipt: String,
    pub body: String,
}

/// A failed queue call, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueError {
    pub kind: ErrorKind,
    pub message: String,
}

/// Where events come from: the SQS queue, or the simulator's accounts announcing their changes.
pub trait Queue: Send + Sync + 'static {
    /// Wait for messages (a long poll: at most 20 s) and return up to 10.
    fn receive(&self) -> impl Future<Output = Result<Vec<Message>, QueueError>> + Send;
    /// Delete these messages.
    fn delete(&self, receipts: &[String]) -> impl Future<Output = Result<(), QueueError>> + Send;

    /// A quick look that the queue answers (GetQueueAttributes on SQS), so the feed is live
    /// at once rather than after the first long poll.
    fn probe(&self) -> impl Future<Output = Result<(), QueueError>> + Send {
        async { Ok(()) }
    }

    /// False when messages are left in the queue rather than deleted (`--read-only`: they
    /// come back after their visibility timeout, are known by their id, and end in the
    /// dead-letter queue after the queue's receive limit).
    fn deletes(&self) -> bool {
        true
    }
}
