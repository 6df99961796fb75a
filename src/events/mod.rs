//! The event-driven mode: EventBridge events collected in an SQS queue are hints to read an
//! account now; polls stay the truth, and steady polling relaxes while the queue is read.

pub mod coalesce;
pub mod consumer;
pub mod envelope;
pub mod router;
pub mod status;

pub use consumer::{Feed, Message, Queue, QueueError, Starter, spawn};
pub use router::{Miss, Router};
pub use status::{Counts, EventsStatus, EventsView, FeedState};
