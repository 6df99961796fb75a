//! Messages into the reducer and the commands it hands back to the loop.

use std::time::Duration;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::backend::{AccountKey, Action, ActionDone, ActionError, LaunchOptions, RecordState};
use crate::cleanup::{Event as CleanupEvent, Outcome};
use crate::lab::cleanup::Plan;
use crate::lab::metrics::EndpointMetrics;
use crate::lab::smoke::Invocation;
use crate::lab::{AccountError, AccountSnapshot, Timestamp};

/// Everything that can change the app's state arrives as one of these.
#[derive(Clone, Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The 1 Hz clock, carrying the backend's now.
    Tick(Timestamp),
    /// One poll of one account; `generation` increases per account, stale ones are dropped.
    Poll {
        key: AccountKey,
        generation: u64,
        result: Result<Box<AccountSnapshot>, AccountError>,
    },
    /// An action crossdeck sent came back.
    ActionResult {
        key: AccountKey,
        action: Box<Action>,
        result: Result<ActionDone, ActionError>,
    },
    /// The launch form's inputs were read (or not).
    LaunchOptions {
        key: AccountKey,
        result: Result<Box<LaunchOptions>, ActionError>,
    },
    /// A launch's record, as DescribeRecord tells it.
    Record {
        key: AccountKey,
        record_id: String,
        result: Result<RecordState, ActionError>,
    },
    /// One step of a running cleanup.
    Cleanup {
        lab: usize,
        event: CleanupEvent,
    },
    /// A cleanup run ended.
    CleanupDone {
        lab: usize,
        outcome: Outcome,
    },
    /// A presigned notebook URL (or why not).
    NotebookUrl {
        name: String,
        result: Result<String, ActionError>,
    },
    /// An endpoint's metrics, for the request of that generation.
    EndpointMetrics {
        key: AccountKey,
        endpoint: String,
        generation: u64,
        result: Result<Box<EndpointMetrics>, ActionError>,
    },
    /// The event feed's state and counts changed.
    Events(crate::events::EventsStatus),
    /// A smoke test's answer.
    Invoked {
        key: AccountKey,
        endpoint: String,
        result: Result<Invocation, ActionError>,
    },
}

/// Effects the reducer asks the loop to carry out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Poll these accounts now instead of waiting for their interval.
    Refresh(Vec<AccountKey>),
    /// Send a confirmed action; the answer comes back as `Msg::ActionResult`.
    Act { key: AccountKey, action: Action },
    /// Read the launch form's inputs for a product (`Msg::LaunchOptions`).
    LaunchOptions { key: AccountKey, product: String },
    /// Read a launch's record once `after` has passed (`Msg::Record`); the reducer asks for the
    /// next read until the record finishes.
    FollowRecord {
        key: AccountKey,
        record_id: String,
        after: Duration,
    },
    /// Ask for a presigned notebook URL (`Msg::NotebookUrl`).
    NotebookUrl { key: AccountKey, name: String },
    /// Run a confirmed cleanup plan; progress comes back as `Msg::Cleanup`, then `CleanupDone`.
    RunCleanup { lab: usize, plan: Box<Plan> },
    /// Read an endpoint's last hour of metrics, one GetMetricData call (`Msg::EndpointMetrics`).
    EndpointMetrics {
        key: AccountKey,
        endpoint: String,
        variants: Vec<String>,
        generation: u64,
    },
    /// Send a row to an endpoint: the smoke test (`Msg::Invoked`).
    InvokeEndpoint {
        key: AccountKey,
        endpoint: String,
        body: String,
        content_type: String,
    },
    /// Open a URL in the browser.
    OpenUrl(String),
    /// Put text on the clipboard (OSC 52, which works over SSH).
    Copy(String),
}
