//! The `Backend` trait: where snapshots come from and where actions go (the simulator now, AWS next).

mod action;
pub mod aws;
mod queue;
pub mod sim;

pub use action::{
    Action, ActionDone, ActionError, LaunchOptions, LaunchParameter, LaunchRequest, RecordState,
    read_only_refusal,
};
pub use queue::{Message, Queue, QueueError};

use std::future::Future;

use crate::lab::metrics::EndpointMetrics;
use crate::lab::smoke::Invocation;
use crate::lab::{AccountError, AccountSnapshot, Role, Timestamp};

/// Names one account of one lab: the tag every poll result and action carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountKey {
    /// Index of the lab in the configured (or simulated) list.
    pub lab: usize,
    pub role: Role,
}

/// The source of truth for accounts: reads snapshots and carries out actions.
///
/// Implementations are cheap to share (`Arc`) and safe to call from many tasks at once.
pub trait Backend: Send + Sync + 'static {
    /// Read everything the dashboard shows for one account.
    fn snapshot(
        &self,
        account: AccountKey,
    ) -> impl Future<Output = Result<AccountSnapshot, AccountError>> + Send;

    /// Carry out one action in one account.
    fn act(
        &self,
        account: AccountKey,
        action: Action,
    ) -> impl Future<Output = Result<ActionDone, ActionError>> + Send;

    /// The launch form for a product (by name) in a DataScience account: SearchProducts,
    /// ListLaunchPaths, DescribeProvisioningParameters. Reads only.
    fn launch_options(
        &self,
        account: AccountKey,
        product_name: &str,
    ) -> impl Future<Output = Result<LaunchOptions, ActionError>> + Send;

    /// DescribeRecord: how a launch is going, and its outputs once it succeeded.
    fn record(
        &self,
        account: AccountKey,
        record_id: &str,
    ) -> impl Future<Output = Result<RecordState, ActionError>> + Send;

    /// CreatePresignedNotebookInstanceUrl: a URL that opens the notebook in a browser.
    fn notebook_url(
        &self,
        account: AccountKey,
        name: &str,
    ) -> impl Future<Output = Result<String, ActionError>> + Send;

    /// GetMetricData, once: the last hour of an endpoint's `AWS/SageMaker` metrics per minute
    /// (see `lab::metrics`) for each of its variants, in the window ending at `now`. Reads only.
    fn endpoint_metrics(
        &self,
        account: AccountKey,
        endpoint: &str,
        variants: &[String],
        now: Timestamp,
    ) -> impl Future<Output = Result<EndpointMetrics, ActionError>> + Send;

    /// InvokeEndpoint: send `body` to an endpoint (the smoke test). It counts in the endpoint's
    /// metrics and is billed per request, so read-only mode refuses it.
    fn invoke_endpoint(
        &self,
        account: AccountKey,
        endpoint: &str,
        body: &str,
        content_type: &str,
    ) -> impl Future<Output = Result<Invocation, ActionError>> + Send;

    /// The backend's notion of now (simulated time for the simulator).
    fn now(&self) -> Timestamp;
}
