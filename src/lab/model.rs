//! The lab's domain: roles, per-account snapshots and the resources the guide creates, free of AWS types.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Index, IndexMut};

pub use super::status::Category;
pub use super::time::Timestamp;

/// The part an AWS account plays in the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Tools,
    DataScience,
    Stage,
    Production,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 4] = [
        Role::Tools,
        Role::DataScience,
        Role::Stage,
        Role::Production,
    ];
    /// The three accounts the guide uses.
    pub const LAB: [Role; 3] = [Role::Tools, Role::DataScience, Role::Stage];

    pub fn label(self) -> &'static str {
        match self {
            Role::Tools => "Tools",
            Role::DataScience => "DataScience",
            Role::Stage => "Stage",
            Role::Production => "Production",
        }
    }

    /// Lower-case key, as used in config and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Role::Tools => "tools",
            Role::DataScience => "datascience",
            Role::Stage => "stage",
            Role::Production => "production",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One value per role, indexable by [`Role`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PerRole<T>(pub [T; 4]);

impl<T> PerRole<T> {
    pub fn from_fn(mut f: impl FnMut(Role) -> T) -> Self {
        PerRole(Role::ALL.map(&mut f))
    }

    pub fn iter(&self) -> impl Iterator<Item = (Role, &T)> {
        Role::ALL.into_iter().zip(self.0.iter())
    }
}

impl<T> Index<Role> for PerRole<T> {
    type Output = T;
    fn index(&self, role: Role) -> &T {
        &self.0[role.index()]
    }
}

impl<T> IndexMut<Role> for PerRole<T> {
    fn index_mut(&mut self, role: Role) -> &mut T {
        &mut self.0[role.index()]
    }
}

/// Why an account could not be read at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The credentials were refused (AccessDenied, InvalidClientTokenId).
    AccessDenied,
    /// The credentials expired (ExpiredToken, an expired SSO session).
    Expired,
    /// The account id seen is not the one configured.
    WrongAccount,
    /// Too many requests; backing off.
    Throttled,
    /// Timeout, DNS, connection refused.
    Unreachable,
    Other,
}

impl ErrorKind {
    /// The failure in words.
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::AccessDenied => "access denied",
            ErrorKind::Expired => "credentials expired",
            ErrorKind::WrongAccount => "wrong account",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::Other => "failed",
        }
    }
}

/// An account-level failure: nothing of the account could be read.
#[derive(Clone, Debug)]
pub struct AccountError {
    pub kind: ErrorKind,
    /// One line: the cause as a sentence.
    pub message: String,
    /// The whole error with every cause in its chain (empty when `message` says it all), for
    /// the account's detail view. Two errors with the same kind and message are the same
    /// failure, whatever their request ids.
    pub detail: String,
}

impl AccountError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AccountError {
            kind,
            message: message.into(),
            detail: String::new(),
        }
    }
}

impl PartialEq for AccountError {
    fn eq(&self, other: &Self) -> bool {
        (self.kind, &self.message) == (other.kind, &other.message)
    }
}

impl Eq for AccountError {}

impl std::hash::Hash for AccountError {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.message.hash(state);
    }
}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AccountError {}

/// Everything crossdeck knows of one account at one poll.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountSnapshot {
    pub account_id: String,
    /// The region it was read in (empty when unknown), for console links and ARNs.
    pub region: String,
    /// When this snapshot was read.
    pub fetched_at: Timestamp,
    pub stacks: Vec<Stack>,
    pub portfolio_shares: Vec<PortfolioShare>,
    pub provisioned_products: Vec<ProvisionedProduct>,
    pub pipelines: Vec<Pipeline>,
    pub endpoints: Vec<Endpoint>,
    pub notebooks: Vec<NotebookInstance>,
    pub buckets: Vec<Bucket>,
    /// Parts of the account that could not be read this time (the rest still shows).
    pub warnings: Vec<String>,
    /// Parts whose read failed: their content is not known (it is the last known one, carried
    /// over by whoever keeps the previous snapshot, or empty on a first read).
    pub unknown: Vec<Unknown>,
    /// Set when the latest poll failed as a whole; the content is then the last good one.
    pub error: Option<AccountError>,
}

impl AccountSnapshot {
    pub fn empty(account_id: impl Into<String>, fetched_at: Timestamp) -> Self {
        AccountSnapshot {
            account_id: account_id.into(),
            fetched_at,
            ..Default::default()
        }
    }

    /// Equal in everything but `fetched_at`: nothing seen changed between two polls.
    pub fn same_content(&self, other: &AccountSnapshot) -> bool {
        self.account_id == other.account_id
            && self.error == other.error
            && self.warnings == other.warnings
            && self.unknown == other.unknown
            && self.stacks == other.stacks
            && self.portfolio_shares == other.portfolio_shares
            && self.provisioned_products == other.provisioned_products
            && self.pipelines == other.pipelines
            && self.endpoints == other.endpoints
            && self.notebooks == other.notebooks
            && self.buckets == other.buckets
    }

    /// A hash of everything but `fetched_at`: equal content gives equal hashes, so the poller
    /// can tell an unchanged account without keeping its snapshot.
    pub fn content_hash(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.account_id.hash(&mut h);
        self.error.hash(&mut h);
        self.warnings.hash(&mut h);
        self.unknown.hash(&mut h);
        self.stacks.hash(&mut h);
        self.portfolio_shares.hash(&mut h);
        self.provisioned_products.hash(&mut h);
        self.pipelines.hash(&mut h);
        self.endpoints.hash(&mut h);
        self.notebooks.hash(&mut h);
        self.buckets.hash(&mut h);
        h.finish()
    }

    /// Why a part could not be read, when it could not (an account-wide error covers every part).
    pub fn unknown(&self, part: &Part) -> Option<&str> {
        if let Some(e) = &self.error {
            return Some(&e.message);
        }
        self.unknown
            .iter()
            .find(|u| u.part == *part)
            .map(|u| u.cause.as_str())
    }

    /// True when the part was read this time.
    pub fn known(&self, part: &Part) -> bool {
        self.unknown(part).is_none()
    }

    /// Mark a part unknown (once), with the read that failed.
    pub fn mark_unknown(&mut self, part: Part, cause: impl Into<String>) {
        if !self.unknown.iter().any(|u| u.part == part) {
            self.unknown.push(Unknown {
                part,
                cause: cause.into(),
                stale: false,
            });
        }
    }

    /// For every part this snapshot could not read, keep what `prev` last knew of it, marked
    /// stale, instead of showing it as empty.
    pub fn carry_unknown_from(&mut self, prev: &AccountSnapshot) {
        for i in 0..self.unknown.len() {
            let part = self.unknown[i].part.clone();
            let carried = match &part {
                Part::Stacks => carry(&mut self.stacks, &prev.stacks),
                Part::Shares => carry(&mut self.portfolio_shares, &prev.portfolio_shares),
                Part::Products => carry(&mut self.provisioned_products, &prev.provisioned_products),
                Part::Pipelines => carry(&mut self.pipelines, &prev.pipelines),
                Part::Endpoints => carry(&mut self.endpoints, &prev.endpoints),
                Part::Notebooks => carry(&mut self.notebooks, &prev.notebooks),
                Part::ProductOutputs | Part::BucketList => false,
                Part::Bucket(name) => match prev.buckets.iter().find(|b| &b.name == name) {
                    Some(b) if !self.buckets.iter().any(|x| &x.name == name) => {
                        self.buckets.push(b.clone());
                        true
                    }
                    _ => false,
                },
            };
            self.unknown[i].stale = carried;
        }
    }

    /// One line per unknown part, for panes and reports.
    pub fn unknown_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.unknown.iter().map(ToString::to_string)
    }

    pub fn stack(&self, name: &str) -> Option<&Stack> {
        self.stacks.iter().find(|s| s.name == name)
    }

    pub fn bucket_with_prefix(&self, prefix: &str) -> Option<&Bucket> {
        self.buckets.iter().find(|b| b.name.starts_with(prefix))
    }

    /// True while anything in the account is moving (drives the fast poll interval).
    pub fn in_progress(&self) -> bool {
        let moving = |s: &str| Category::of(s) == Category::InProgress;
        self.stacks.iter().any(|s| moving(&s.status))
            || self.provisioned_products.iter().any(|p| moving(&p.status))
            || self.endpoints.iter().any(|e| moving(&e.status))
            || self.notebooks.iter().any(|n| moving(&n.status))
            || self.pipelines.iter().any(|p| {
                p.stages
                    .iter()
                    .flat_map(|s| &s.actions)
                    .any(|a| a.status.as_deref().is_some_and(moving))
            })
    }
}

/// Replace `now` by `prev` (the last known content); true when there was any to keep.
fn carry<T: Clone>(now: &mut Vec<T>, prev: &[T]) -> bool {
    if prev.is_empty() {
        return false;
    }
    *now = prev.to_vec();
    true
}

/// A part of an account's snapshot that is read on its own, and can fail on its own.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    Stacks,
    Shares,
    Products,
    /// The outputs of a provisioned product (its retained bucket's name among them).
    ProductOutputs,
    Pipelines,
    Endpoints,
    Notebooks,
    /// The listing that finds a bucket by its name's pattern (the artifacts bucket).
    BucketList,
    /// One bucket, by name.
    Bucket(String),
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Stacks => f.write_str("stacks"),
            Part::Shares => f.write_str("portfolio shares"),
            Part::Products => f.write_str("provisioned products"),
            Part::ProductOutputs => f.write_str("provisioned product outputs"),
            Part::Pipelines => f.write_str("pipelines"),
            Part::Endpoints => f.write_str("endpoints"),
            Part::Notebooks => f.write_str("notebook instances"),
            Part::BucketList => f.write_str("bucket list"),
            Part::Bucket(b) => write!(f, "bucket {b}"),
        }
    }
}

/// A part whose read failed, with the failure.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unknown {
    pub part: Part,
    /// The read that failed and why, e.g. `SearchProvisionedProducts failed: HTTP 500`.
    pub cause: String,
    /// The part shows its last known content (carried from an earlier snapshot).
    pub stale: bool,
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.stale {
            "showing the last read"
        } else {
            "nothing known"
        };
        write!(f, "{} unknown ({shown}): {}", self.part, self.cause)
    }
}

/// A CloudFormation stack.
#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct Stack {
    pub name: String,
    /// The raw status, e.g. `CREATE_IN_PROGRESS`.
    pub status: String,
    pub reason: Option<String>,
    pub outputs: BTreeMap<String, String>,
    pub parameters: BTreeMap<String, String>,
    /// Newest first, a bounded number.
    pub events: Vec<StackEvent>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct StackEvent {
    pub at: Timestamp,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
}

/// A Service Catalog portfolio shared from this account to another.
#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct PortfolioShare {
    pub portfolio_id: String,
    pub portfolio_name: String,
    pub shared_with: String,
    pub accepted: bool,
}

/// A Service Catalog provisioned product (the launched notebook).
#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct ProvisionedProduct {
    pub name: String,
    pub id: String,
    pub product_name: String,
    /// The catalog product it was launched from (`prod-...`), when known.
    pub product_id: String,
    /// `AVAILABLE`, `UNDER_CHANGE`, `TAINTED`, `ERROR`, `PLAN_IN_PROGRESS`.
    pub status: String,
    pub status_message: Option<String>,
    pub outputs: BTreeMap<String, String>,
    pub created: Timestamp,
}

/// A CodePipeline pipeline and the state of its latest run.
#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct Pipeline {
    pub name: String,
    /// The S3 bucket of its artifact store (GetPipeline's `artifactStore.location`), when read.
    pub artifact_bucket: Option<String>,
    pub stages: Vec<PipelineStage>,
    pub latest_execution: Option<PipelineExecution>,
}

impl Pipeline {
    pub fn stage(&self, name: &str) -> Option<&PipelineStage> {
        self.stages.iter().find(|s| s.name == name)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct PipelineExecution {
    pub id: String,
    /// `InProgress`, `Succeeded`, `Failed`, `Stopped`, `Superseded`.
    pub status: String,
    pub started: Timestamp,
}

#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct PipelineStage {
    pub name: String,
    pub inbound_enabled: bool,
    /// Why the inbound transition was disabled, when it is.
    pub disabled_reason: Option<String>,
    /// The stage's latest status, `None` before it ever ran.
    pub status: Option<String>,
    pub execution_id: Option<String>,
    pub actions: Vec<PipelineAction>,
}

impl PipelineStage {
    pub fn action(&self, name: &str) -> Option<&PipelineAction> {
        self.actions.iter().find(|a| a.name == name)
    }
}

/// What an action does, as far as the dashboard cares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Source,
    #[default]
    Invoke,
    Approval,
}

#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct PipelineAction {
    pub name: String,
    pub kind: ActionKind,
    /// `InProgress`, `Succeeded`, `Failed`, `Abandoned`; `None` before it ever ran.
    pub status: Option<String>,
    pub started: Option<Timestamp>,
    pub last_change: Option<Timestamp>,
    pub error: Option<String>,
    /// Present while a manual approval waits.
    pub approval_token: Option<String>,
    pub execution_id: Option<String>,
}

/// A SageMaker real-time endpoint.
#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct Endpoint {
    pub name: String,
    /// `Creating`, `InService`, `Failed`, `Updating`, `Deleting`, ...
    pub status: String,
    pub failure_reason: Option<String>,
    /// The first variant's instance type (the lab's endpoints have one variant).
    pub instance_type: String,
    /// Instances across every variant.
    pub instance_count: u32,
    pub created: Timestamp,
    /// When the endpoint last changed (InService since, for a running one).
    pub modified: Timestamp,
    /// The production variants, as DescribeEndpoint and its config tell them.
    pub variants: Vec<Variant>,
}

/// One production variant of an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Variant {
    pub name: String,
    pub instance_type: String,
    pub instance_count: u32,
}

/// A SageMaker notebook instance.
#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct NotebookInstance {
    pub name: String,
    /// `Pending`, `InService`, `Stopping`, `Stopped`, `Failed`, ...
    pub status: String,
    pub instance_type: String,
    pub created: Timestamp,
    /// When its status last changed (running since, for an InService one).
    pub modified: Timestamp,
}

/// An S3 bucket the lab uses, with the objects of note the guide's steps put there.
#[derive(Clone, Debug, Default, PartialEq, Hash)]
pub struct Bucket {
    pub name: String,
    pub versioned: bool,
    /// Keys of note present in the bucket (the Lambda zips, `models/model.tar.gz`).
    pub objects: Vec<String>,
}

impl Bucket {
    pub fn has(&self, key: &str) -> bool {
        self.objects.iter().any(|o| o == key)
    }
}

/// One participant's lab: its name, the UniqueID given to the pipeline stack, and its account ids.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabInfo {
    pub name: String,
    /// The configured UniqueID; `None` reads it from the pipeline stack's `UniqueID` parameter.
    pub unique_id: Option<String>,
    /// Account id per role; `None` for a role the lab does not use (Production, usually).
    pub accounts: PerRole<Option<String>>,
    /// The IAM role crossdeck assumes in each account, when it goes through one: the console's
    /// switch-role link names it.
    pub switch_roles: PerRole<Option<String>>,
}

/// Where a lab's UniqueID came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UidSource {
    /// The config file (or the roster) gives it.
    Config,
    /// The Tools account's pipeline stack has it as its `UniqueID` parameter.
    Stack,
}

impl UidSource {
    /// `config` or `stack`, as `status --json` writes it.
    pub fn key(self) -> &'static str {
        match self {
            UidSource::Config => "config",
            UidSource::Stack => "stack",
        }
    }
}

/// The `UniqueID` parameter of the stack named `pipeline_stack` among `stacks`.
pub fn stack_unique_id<'a>(stacks: &'a [Stack], pipeline_stack: &str) -> Option<&'a str> {
    stacks
        .iter()
        .find(|s| s.name == pipeline_stack && !s.status.starts_with("DELETE_COMPLETE"))
        .and_then(|s| s.parameters.get("UniqueID"))
        .map(String::as_str)
        .filter(|u| !u.is_empty())
}

impl LabInfo {
    /// The UniqueID and where it came from: the configured one, else the pipeline stack's
    /// parameter as the Tools account's snapshot shows it; `None` when neither has one.
    pub fn uid<'a>(
        &'a self,
        tools: Option<&'a AccountSnapshot>,
        pipeline_stack: &str,
    ) -> Option<(&'a str, UidSource)> {
        if let Some(u) = self.unique_id.as_deref() {
            return Some((u, UidSource::Config));
        }
        tools
            .and_then(|t| stack_unique_id(&t.stacks, pipeline_stack))
            .map(|u| (u, UidSource::Stack))
    }

    /// The roles this lab has accounts for, in display order.
    pub fn roles(&self) -> impl Iterator<Item = Role> + '_ {
        Role::ALL
            .into_iter()
            .filter(|r| self.accounts[*r].is_some())
    }
}
