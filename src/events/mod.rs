//! The event-driven mode: EventBridge events collected in an SQS queue are hints to read an
//! account now; polls stay the truth, and steady polling relaxes while the queue is read. Here:
//! reading a message, routing it to accounts, and the feed's line; the queue itself is a
//! [`Queue`] of the backend, and its consumer runs beside the poller (`poller::feed`).

pub mod envelope;
pub mod router;
pub mod status;

pub use crate::backend::{Message, Queue, QueueError};
pub use crate::poller::feed::{Feed, Starter, spawn};
pub use router::{Miss, Router};
pub use status::{Counts, EventsStatus, EventsView, FeedState};
