//! One participant's world: their accounts, the queue of scheduled events, and the loop applying them.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use crate::lab::{
    AccountSnapshot, Bucket, Endpoint, LabNames, NotebookInstance, PerRole, Pipeline,
    PortfolioShare, ProvisionedProduct, Role, Timestamp,
};

use super::announce::Outbox;
use super::endpoint_health::Answered;
use super::pipeline::Run;
use super::rng::Rng;
use super::script::{Ids, Plan, Step};
use super::stacks::{ResStatus, SimStack, StackPhase};
use super::templates::StackKind;

/// Something that happens at a scheduled sim time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Event {
    /// The participant begins a step of the guide.
    Step(Step),
    Resource {
        kind: StackKind,
        idx: u8,
        status: ResStatus,
    },
    Stack {
        kind: StackKind,
        phase: StackPhase,
    },
    ActionStart {
        stage: u8,
        action: u8,
    },
    ActionFinish {
        stage: u8,
        action: u8,
    },
    /// A GetStatus action looks at its endpoint again (CodePipeline continuation tokens).
    ActionCheck {
        stage: u8,
        action: u8,
    },
    /// An endpoint leaves `Creating`.
    EndpointSettle {
        role: Role,
        ok: bool,
    },
    /// A notebook instance that was stopping or starting settles.
    NotebookSettle {
        running: bool,
    },
    /// Endpoints that were `Deleting` are gone.
    EndpointGone {
        role: Role,
    },
}

/// A queue entry, ordered so `BinaryHeap` pops the earliest (then the first scheduled).
#[derive(Debug)]
struct Scheduled {
    at: Timestamp,
    seq: u64,
    event: Event,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        other.at.cmp(&self.at).then(other.seq.cmp(&self.seq))
    }
}

/// What one AWS account holds.
#[derive(Debug, Default)]
pub(super) struct Account {
    pub id: String,
    pub stacks: Vec<SimStack>,
    pub shares: Vec<PortfolioShare>,
    pub products: Vec<ProvisionedProduct>,
    pub pipelines: Vec<Pipeline>,
    pub endpoints: Vec<Endpoint>,
    pub notebooks: Vec<NotebookInstance>,
    pub buckets: Vec<Bucket>,
    /// Object versions and delete markers left in a bucket being emptied, by bucket name.
    pub versions_left: HashMap<String, u64>,
    /// Invocations its endpoints answered, oldest first (bounded), for their metrics.
    pub answered: Vec<Answered>,
}

impl Account {
    fn snapshot(&self, at: Timestamp) -> AccountSnapshot {
        AccountSnapshot {
            account_id: self.id.clone(),
            region: crate::config::DEFAULT_REGION.into(),
            fetched_at: at,
            stacks: self.stacks.iter().map(|s| s.stack.clone()).collect(),
            portfolio_shares: self.shares.clone(),
            provisioned_products: self.products.clone(),
            pipelines: self.pipelines.clone(),
            endpoints: self.endpoints.clone(),
            notebooks: self.notebooks.clone(),
            buckets: self.buckets.clone(),
            warnings: Vec::new(),
            unknown: Vec::new(),
            error: None,
        }
    }

    pub(super) fn bucket(&self, name: &str) -> Option<&Bucket> {
        self.buckets.iter().find(|b| b.name == name)
    }

    pub(super) fn bucket_mut(&mut self, name: &str) -> Option<&mut Bucket> {
        self.buckets.iter_mut().find(|b| b.name == name)
    }

    /// Put an object (once) into a bucket, if the bucket exists.
    pub(super) fn put_object(&mut self, bucket: &str, key: &str) -> bool {
        match self.bucket_mut(bucket) {
            Some(b) => {
                if !b.has(key) {
                    b.objects.push(key.to_string());
                }
                true
            }
            None => false,
        }
    }
}

/// One participant: who they are, their accounts, and what happens next.
pub(super) struct Participant {
    pub plan: Plan,
    pub names: Arc<LabNames>,
    pub rng: Rng,
    /// The time of the event being applied, or of the last advance.
    pub now: Timestamp,
    pub accounts: PerRole<Account>,
    /// Names and ids made up along the way.
    pub ids: Ids,
    pub run: Option<Run>,
    /// What the accounts announced, while a queue listens ([`super::SimQueue`]).
    pub outbox: Option<Outbox>,
    queue: BinaryHeap<Scheduled>,
    seq: u64,
}

impl Participant {
    /// A participant whose story begins with `first` at `plan.start`.
    pub(super) fn with_plan(plan: Plan, names: Arc<LabNames>, rng: Rng, first: Step) -> Self {
        let ids = [plan.tools.clone(), plan.ds.clone(), plan.stage.clone()];
        let accounts = PerRole::from_fn(|role| Account {
            id: ids.get(role.index()).cloned().unwrap_or_default(),
            ..Account::default()
        });
        let start = plan.start;
        let mut p = Participant {
            plan,
            names,
            rng,
            now: start,
            accounts,
            ids: Ids::default(),
            run: None,
            outbox: None,
            queue: BinaryHeap::new(),
            seq: 0,
        };
        p.schedule(start, Event::Step(first));
        p
    }

    pub(super) fn schedule(&mut self, at: Timestamp, event: Event) {
        self.seq += 1;
        self.queue.push(Scheduled {
            at,
            seq: self.seq,
            event,
        });
    }

    /// Schedule `event` `secs` seconds after the current time.
    pub(super) fn after(&mut self, secs: i64, event: Event) {
        self.schedule(self.now.plus_secs(secs), event);
    }

    /// Apply, in order, every event due at or before `t`.
    pub(super) fn advance_to(&mut self, t: Timestamp) {
        while self.queue.peek().is_some_and(|s| s.at <= t) {
            let Some(next) = self.queue.pop() else { break };
            self.now = self.now.max(next.at);
            self.apply(next.event);
        }
        self.now = self.now.max(t);
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Step(step) => self.begin(step),
            Event::Resource { kind, idx, status } => self.on_resource(kind, idx.into(), status),
            Event::Stack { kind, phase } => self.on_stack_phase(kind, phase),
            Event::ActionStart { stage, action } => self.action_start(stage.into(), action.into()),
            Event::ActionFinish { stage, action } => {
                self.action_finish(stage.into(), action.into())
            }
            Event::ActionCheck { stage, action } => self.action_check(stage.into(), action.into()),
            Event::EndpointSettle { role, ok } => self.endpoint_settle(role, ok),
            Event::NotebookSettle { running } => self.notebook_settle(running),
            Event::EndpointGone { role } => self.endpoint_gone(role),
        }
    }

    pub(super) fn snapshot(&self, role: Role) -> AccountSnapshot {
        self.accounts[role].snapshot(self.now)
    }

    pub(super) fn stack(&self, kind: StackKind) -> Option<&SimStack> {
        self.accounts[kind.role()]
            .stacks
            .iter()
            .find(|s| s.kind == kind)
    }

    pub(super) fn stack_mut(&mut self, kind: StackKind) -> Option<&mut SimStack> {
        self.accounts[kind.role()]
            .stacks
            .iter_mut()
            .find(|s| s.kind == kind)
    }

    /// A human pause between steps, stretched by the participant's pace.
    pub(super) fn think_secs(&mut self) -> i64 {
        (self.rng.range(60, 240) as f64 * self.plan.pace).round() as i64
    }
}
