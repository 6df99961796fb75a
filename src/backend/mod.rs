//! The `Backend` trait: where snapshots come from and where actions go (the simulator now, AWS next).

pub mod aws;
pub mod sim;

use std::future::Future;

use crate::lab::{AccountError, AccountSnapshot, Role, Timestamp};

/// Names one account of one lab: the tag every poll result and action carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountKey {
    /// Index of the lab in the configured (or simulated) list.
    pub lab: usize,
    pub role: Role,
}

/// A change crossdeck can ask an account to make. Typed, never a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Answer a waiting manual approval with the token from the pipeline's state.
    ApproveAction {
        pipeline: String,
        stage: String,
        action: String,
        token: String,
        approve: bool,
        comment: String,
    },
    /// Delete a CloudFormation stack by name.
    DeleteStack { stack: String },
}

/// Why an action did not happen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("{0}")]
    Account(#[from] AccountError),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("refused: {0}")]
    Refused(String),
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

    /// Carry out one action in one account; returns a one-line description of what was done.
    fn act(
        &self,
        account: AccountKey,
        action: Action,
    ) -> impl Future<Output = Result<String, ActionError>> + Send;

    /// The backend's notion of now (simulated time for the simulator).
    fn now(&self) -> Timestamp;
}
