//! The simulated lab: participants following the guide on a clock, with seeded pace and faults.
//!
//! Each participant is an event-driven state machine behind its own mutex, advanced lazily to the
//! clock's time whenever one of its accounts is read or acted on. While a [`SimQueue`] listens,
//! the accounts announce their changes as EventBridge events.

mod announce;
mod cleanup;
mod clock;
mod endpoint_health;
mod faults;
mod operate;
mod outputs;
mod pipeline;
mod queue;
mod rng;
mod script;
mod stacks;
mod templates;
mod world;

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::backend::{
    AccountKey, Action, ActionDone, ActionError, Backend, LaunchOptions, RecordState,
    read_only_refusal,
};
use crate::lab::metrics::EndpointMetrics;
use crate::lab::smoke::Invocation;
use crate::lab::{AccountError, AccountSnapshot, ErrorKind, LabInfo, LabNames, Role, Timestamp};

pub use clock::{Clock, ManualClock, RealClock, SIM_EPOCH};
pub use faults::Fault;
pub use queue::{SimQueue, SimQueueStats};

use rng::Rng;
use script::{Plan, Step};
use world::Participant;

/// How the simulated class is set up.
#[derive(Clone, Debug, PartialEq)]
pub struct SimOptions {
    pub participants: usize,
    /// Sim seconds per real second, for [`RealClock::new`] (the backend itself reads its clock).
    pub speed: f64,
    pub seed: u64,
    /// Let participants 1 to 4 play the scripted [`Fault`]s (needs at least two participants).
    pub faults: bool,
    /// Put a manual approval (`ApproveForStage`) in front of the Stage deployment.
    pub approval_gate: bool,
    /// Refuse every action, as `--read-only` does for real accounts.
    pub read_only: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            participants: 6,
            speed: 30.0,
            seed: 7,
            faults: true,
            approval_gate: false,
            read_only: false,
        }
    }
}

/// A [`Backend`] serving a simulated class.
pub struct SimBackend {
    clock: Arc<dyn Clock>,
    names: Arc<LabNames>,
    labs: Vec<LabInfo>,
    faults: Vec<Option<Fault>>,
    participants: Vec<Mutex<Participant>>,
    read_only: bool,
    /// Seeds the made-up endpoint traffic, apart from the participants' own streams.
    seed: u64,
}

impl SimBackend {
    pub fn new(opts: SimOptions, clock: Arc<dyn Clock>) -> Self {
        let names = Arc::new(LabNames::default());
        let n = opts.participants;
        let mut labs = Vec::with_capacity(n);
        let mut faults = Vec::with_capacity(n);
        let mut participants = Vec::with_capacity(n);
        for i in 0..n {
            let mut rng = Rng::for_participant(opts.seed, i);
            let fault = Fault::assigned(i, n, opts.faults);
            let plan = Plan::new(i, &mut rng, fault, opts.approval_gate);
            labs.push(plan.info());
            faults.push(fault);
            let p = Participant::with_plan(plan, names.clone(), rng, Step::ToolsCatalog);
            participants.push(Mutex::new(p));
        }
        SimBackend {
            clock,
            names,
            labs,
            faults,
            participants,
            read_only: opts.read_only,
            seed: opts.seed,
        }
    }

    /// One entry per participant, in index order.
    pub fn labs(&self) -> Vec<LabInfo> {
        self.labs.clone()
    }

    pub fn names(&self) -> &LabNames {
        &self.names
    }

    /// The fault participant `lab` plays, if any.
    pub fn fault_of(&self, lab: usize) -> Option<Fault> {
        self.faults.get(lab).copied().flatten()
    }

    /// The salt of one lab's endpoint traffic.
    fn salt(&self, lab: usize) -> u64 {
        Rng::for_participant(self.seed ^ 0x5EED_CAFE, lab).next_u64()
    }

    /// The participant owning `key`, advanced to now, or why the account does not exist.
    fn participant(&self, key: AccountKey) -> Result<MutexGuard<'_, Participant>, AccountError> {
        let p = match (key.role, self.participants.get(key.lab)) {
            (Role::Tools | Role::DataScience | Role::Stage, Some(p)) => p,
            _ => {
                return Err(AccountError {
                    kind: ErrorKind::Other,
                    message: format!("no such account: lab {} {}", key.lab, key.role),
                    detail: String::new(),
                });
            }
        };
        let mut guard = p.lock().unwrap_or_else(PoisonError::into_inner);
        guard.advance_to(self.clock.now());
        if key.role == Role::Stage && self.fault_of(key.lab) == Some(Fault::CredentialsDenied) {
            return Err(faults::credentials_denied(&guard.plan.stage));
        }
        Ok(guard)
    }

    fn read(&self, key: AccountKey) -> Result<AccountSnapshot, AccountError> {
        Ok(self.participant(key)?.snapshot(key.role))
    }

    fn apply(&self, key: AccountKey, action: Action) -> Result<ActionDone, ActionError> {
        if self.read_only {
            return Err(read_only_refusal());
        }
        let mut p = self.participant(key)?;
        match action {
            Action::TerminateProduct { .. }
            | Action::DeleteStack { .. }
            | Action::EmptyBucket { .. }
            | Action::DeleteBucket { .. }
            | Action::DeleteEndpoint { .. } => p.cleanup(key.role, action),
            _ => p.operate(key.role, action),
        }
    }
}

impl Backend for SimBackend {
    fn snapshot(
        &self,
        account: AccountKey,
    ) -> impl Future<Output = Result<AccountSnapshot, AccountError>> + Send {
        let result = self.read(account);
        async move { result }
    }

    fn act(
        &self,
        account: AccountKey,
        action: Action,
    ) -> impl Future<Output = Result<ActionDone, ActionError>> + Send {
        let result = self.apply(account, action);
        async move { result }
    }

    fn launch_options(
        &self,
        account: AccountKey,
        product_name: &str,
    ) -> impl Future<Output = Result<LaunchOptions, ActionError>> + Send {
        let result = self
            .participant(account)
            .map_err(ActionError::from)
            .and_then(|p| p.launch_options(product_name));
        async move { result }
    }

    fn record(
        &self,
        account: AccountKey,
        record_id: &str,
    ) -> impl Future<Output = Result<RecordState, ActionError>> + Send {
        let result = self
            .participant(account)
            .map_err(ActionError::from)
            .and_then(|p| p.record(record_id));
        async move { result }
    }

    fn notebook_url(
        &self,
        account: AccountKey,
        name: &str,
    ) -> impl Future<Output = Result<String, ActionError>> + Send {
        let result = self
            .participant(account)
            .map_err(ActionError::from)
            .and_then(|p| p.notebook_url(name));
        async move { result }
    }

    fn endpoint_metrics(
        &self,
        account: AccountKey,
        endpoint: &str,
        variants: &[String],
        now: Timestamp,
    ) -> impl Future<Output = Result<EndpointMetrics, ActionError>> + Send {
        let salt = self.salt(account.lab);
        let result = self
            .participant(account)
            .map_err(ActionError::from)
            .map(|p| p.endpoint_metrics(account.role, endpoint, variants, now, salt));
        async move { result }
    }

    fn invoke_endpoint(
        &self,
        account: AccountKey,
        endpoint: &str,
        body: &str,
        content_type: &str,
    ) -> impl Future<Output = Result<Invocation, ActionError>> + Send {
        let result = if self.read_only {
            Err(read_only_refusal())
        } else {
            self.participant(account)
                .map_err(ActionError::from)
                .and_then(|mut p| {
                    p.invoke(
                        account.role,
                        endpoint,
                        body,
                        content_type,
                        self.salt(account.lab),
                    )
                })
        };
        async move { result }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
