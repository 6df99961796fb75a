//! The cleanup plan: the guide's cleanup, in its order, derived from a lab's snapshots (pure).
//!
//! Only what carries the lab's names in the lab's own accounts is ever in a plan: stacks by exact
//! name, buckets by exact name (the artifacts bucket by its `<prefix><uid>-` prefix, the notebook's
//! retained bucket by the product's `BucketName` output), endpoints by the endpoint prefix and the
//! `-Tools` / `-Stage` suffix. Anything else is left alone, however alike it looks.
//!
//! Nothing is planned from what could not be read: when a read that a step depends on failed,
//! that step and every step that needs the missing knowledge are withheld (listed with the read
//! that failed), and the plan is incomplete. The order is the one real deletions need: the
//! `-Stage` endpoint before `StageResources` (which holds the role SageMaker deletes it with),
//! the notebook product before `LabDSAccountSCSetup` (its launch role and the VPC the product's
//! security group lives in), each bucket emptied before the stack that made it.
//!
//! One departure from the guide's order: the notebook's retained bucket is emptied and deleted
//! before its product is terminated, not after. Only the product's `BucketName` output names it,
//! and that goes with the product, so a cleanup interrupted after the termination could never
//! find the bucket again; the termination skips it either way (DeletionPolicy Retain).

use std::fmt;

use super::model::{AccountSnapshot, LabInfo, Part, Role, Stack};
use super::names::LabNames;
use super::progress::LabSnapshots;
use crate::backend::Action;

/// What a step waits for before the steps that depend on it may run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wait {
    /// The stack reaches DELETE_COMPLETE (or leaves DescribeStacks).
    StackGone(String),
    /// The provisioned product leaves SearchProvisionedProducts.
    ProductGone { id: String, name: String },
    /// The endpoint leaves ListEndpoints.
    EndpointGone(String),
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wait::StackGone(s) => write!(f, "stack {s} DELETE_COMPLETE"),
            Wait::ProductGone { id, name } => write!(f, "provisioned product {name} ({id}) gone"),
            Wait::EndpointGone(e) => write!(f, "endpoint {e} gone"),
        }
    }
}

/// One step of the plan: in one account, the actions it sends, what they touch and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub role: Role,
    pub account_id: String,
    /// A few words, e.g. "empty bucket mlops-bia-data-model-333333333333".
    pub title: String,
    /// Sent in order; `EmptyBucket` again while the backend says there is more.
    pub actions: Vec<Action>,
    /// The exact resources the step touches.
    pub resources: Vec<String>,
    pub why: String,
    pub wait: Option<Wait>,
    /// Indices of earlier steps that must have succeeded first.
    pub after: Vec<usize>,
}

/// A step not planned because what it needs could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withheld {
    pub role: Role,
    pub account_id: String,
    /// What would have been done, e.g. "delete stack LabDSAccountSCSetup".
    pub title: String,
    /// The read that failed, and why the step needs it.
    pub cause: String,
}

impl fmt::Display for Withheld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{} {}] {}: {}",
            self.role, self.account_id, self.title, self.cause
        )
    }
}

/// The ordered cleanup of one lab.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub lab: String,
    pub steps: Vec<Step>,
    /// Accounts that could not be read: their part of the plan is missing.
    pub unreadable: Vec<(Role, String)>,
    /// Steps not planned because a read they depend on failed.
    pub withheld: Vec<Withheld>,
    /// Other things that could not be read (the snapshots' warnings), worth knowing first.
    pub warnings: Vec<String>,
}

impl Plan {
    /// Nothing left to do, every account was read, and nothing was withheld.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.complete()
    }

    /// True when every account of the lab was read (the plan covers every account).
    pub fn accounts_read(&self) -> bool {
        self.unreadable.is_empty()
    }

    /// True when the plan covers the whole lab: every account read and no step withheld.
    pub fn complete(&self) -> bool {
        self.unreadable.is_empty() && self.withheld.is_empty()
    }
}

impl fmt::Display for Plan {
    /// The plan as `crossdeck cleanup` prints it: numbered steps, account, resources, why.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (role, e) in &self.unreadable {
            writeln!(f, "cannot read the {role} account: {e}")?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        if self.steps.is_empty() {
            if self.complete() {
                return writeln!(f, "{}: nothing to clean up", self.lab);
            }
            writeln!(f, "{}: no step planned in what could be read", self.lab)?;
            return self.fmt_withheld(f);
        }
        if self.withheld.is_empty() {
            writeln!(
                f,
                "Cleanup plan for lab {}: {} steps",
                self.lab,
                self.steps.len()
            )?;
        } else {
            writeln!(
                f,
                "Cleanup plan for lab {}: {} steps, incomplete: {} withheld",
                self.lab,
                self.steps.len(),
                self.withheld.len()
            )?;
        }
        for (i, s) in self.steps.iter().enumerate() {
            writeln!(f, "{:>2}. [{} {}] {}", i + 1, s.role, s.account_id, s.title)?;
            for r in &s.resources {
                writeln!(f, "      touches: {r}")?;
            }
            for a in &s.actions {
                writeln!(f, "      sends:   {a} ({})", a.operations().join(", "))?;
            }
            if let Some(w) = &s.wait {
                writeln!(f, "      waits:   {w}")?;
            }
            if !s.after.is_empty() {
                let after: Vec<String> = s.after.iter().map(|a| (a + 1).to_string()).collect();
                writeln!(f, "      after:   step {}", after.join(", "))?;
            }
            writeln!(f, "      why:     {}", s.why)?;
        }
        self.fmt_withheld(f)
    }
}

impl Plan {
    fn fmt_withheld(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.withheld.is_empty() {
            return Ok(());
        }
        writeln!(
            f,
            "incomplete: {} step(s) withheld, because a read they depend on failed:",
            self.withheld.len()
        )?;
        for w in &self.withheld {
            writeln!(f, "  withheld: {w}")?;
        }
        Ok(())
    }
}

/// Build the plan from one lab's snapshots. An account without a snapshot, or whose snapshot
/// carries an error, is listed as unreadable and planned for no further; a part of an account
/// that could not be read withholds the steps that need it.
pub fn plan(info: &LabInfo, names: &LabNames, snaps: &LabSnapshots) -> Plan {
    let mut b = Builder {
        plan: Plan {
            lab: info.name.clone(),
            ..Plan::default()
        },
    };
    let stage = b.account(info, snaps, Role::Stage);
    let ds = b.account(info, snaps, Role::DataScience);
    let tools = b.account(info, snaps, Role::Tools);
    if let Some((id, s)) = stage {
        b.stage(names, id, s);
    }
    // The Tools catalog stack's `SagemakerProductID` tells the lab's products by id.
    let product_id = snaps[Role::Tools]
        .as_ref()
        .and_then(|t| t.stack(&names.tools_catalog_stack))
        .and_then(|st| st.outputs.get("SagemakerProductID"))
        .map(String::as_str);
    let terminations = match ds {
        Some((id, s)) => b.datascience(names, id, s, product_id),
        None => Vec::new(),
    };
    if let Some((id, s)) = tools {
        b.tools(info, names, id, s, &terminations);
    }
    b.plan
}

struct Builder {
    plan: Plan,
}

/// A stack still to delete (present, and not already DELETE_COMPLETE).
fn live_stack<'a>(s: &'a AccountSnapshot, name: &str) -> Option<&'a Stack> {
    s.stack(name).filter(|st| st.status != "DELETE_COMPLETE")
}

fn has_bucket(s: &AccountSnapshot, name: &str) -> bool {
    s.buckets.iter().any(|b| b.name == name)
}

/// Why `part` of `snap` is not known, as the withheld step says it.
fn unknown(role: Role, snap: &AccountSnapshot, part: &Part) -> Option<String> {
    snap.unknown(part)
        .map(|cause| format!("{role} {part} could not be read ({cause})"))
}

/// What a stack step needs: the stacks themselves, then the other reads it depends on.
enum Stacked<'a> {
    /// The stacks could not be read.
    Unknown(String),
    Absent,
    Live(&'a Stack),
}

fn stacked<'a>(role: Role, snap: &'a AccountSnapshot, name: &str) -> Stacked<'a> {
    if let Some(why) = unknown(role, snap, &Part::Stacks) {
        return Stacked::Unknown(why);
    }
    match live_stack(snap, name) {
        Some(st) => Stacked::Live(st),
        None => Stacked::Absent,
    }
}

impl Builder {
    /// The account's id and snapshot when the lab has it and it was read.
    fn account<'a>(
        &mut self,
        info: &'a LabInfo,
        snaps: &'a LabSnapshots,
        role: Role,
    ) -> Option<(&'a str, &'a AccountSnapshot)> {
        let id = info.accounts[role].as_deref()?;
        let Some(snap) = snaps[role].as_ref() else {
            self.plan.unreadable.push((role, "not read".into()));
            return None;
        };
        if let Some(e) = &snap.error {
            self.plan.unreadable.push((role, e.message.clone()));
            return None;
        }
        if snap.account_id != id {
            self.plan.unreadable.push((
                role,
                format!("read account {}, but {id} is configured", snap.account_id),
            ));
            return None;
        }
        self.plan
            .warnings
            .extend(snap.warnings.iter().map(|w| format!("{role}: {w}")));
        Some((id, snap))
    }

    fn push(&mut self, step: Step) -> usize {
        self.plan.steps.push(step);
        self.plan.steps.len() - 1
    }

    fn withhold(&mut self, role: Role, id: &str, title: String, cause: String) {
        self.plan.withheld.push(Withheld {
            role,
            account_id: id.to_string(),
            title,
            cause,
        });
    }

    fn step(&self, role: Role, id: &str, title: String, why: &str) -> Step {
        Step {
            role,
            account_id: id.to_string(),
            title,
            actions: Vec::new(),
            resources: Vec::new(),
            why: why.to_string(),
            wait: None,
            after: Vec::new(),
        }
    }

    fn empty_bucket(&mut self, role: Role, id: &str, bucket: &str, why: &str) -> usize {
        let mut s = self.step(role, id, format!("empty bucket {bucket}"), why);
        s.resources.push(format!(
            "bucket {bucket}: every object version and delete marker"
        ));
        s.actions.push(Action::EmptyBucket {
            bucket: bucket.to_string(),
        });
        self.push(s)
    }

    /// Empty `bucket` when it is there: `Ok(step)` (none when absent), or `Err(why)` when it
    /// could not be read (the emptying is then withheld).
    fn empty_known(
        &mut self,
        role: Role,
        id: &str,
        snap: &AccountSnapshot,
        bucket: &str,
        why: &str,
    ) -> Result<Option<usize>, String> {
        if let Some(cause) = unknown(role, snap, &Part::Bucket(bucket.to_string())) {
            self.withhold(role, id, format!("empty bucket {bucket}"), cause.clone());
            return Err(cause);
        }
        Ok(has_bucket(snap, bucket).then(|| self.empty_bucket(role, id, bucket, why)))
    }

    /// A step that sends `action`, or only waits when the thing is already going (a resumed
    /// cleanup sent it before).
    fn send_or_wait(
        &self,
        role: Role,
        id: &str,
        going: bool,
        (send, wait): (String, String),
        action: Action,
        why: &str,
    ) -> Step {
        if going {
            return self.step(role, id, wait, why);
        }
        let mut s = self.step(role, id, send, why);
        s.actions.push(action);
        s
    }

    fn delete_stack(&mut self, role: Role, id: &str, stack: &Stack, why: &str) -> usize {
        let name = &stack.name;
        let titles = (
            format!("delete stack {name}"),
            format!("wait for stack {name} to delete"),
        );
        let action = Action::DeleteStack {
            stack: name.clone(),
        };
        let going = stack.status == "DELETE_IN_PROGRESS";
        let mut s = self.send_or_wait(role, id, going, titles, action, why);
        s.resources.push(format!(
            "stack {name} ({}) and the resources it created",
            stack.status
        ));
        s.wait = Some(Wait::StackGone(name.clone()));
        self.push(s)
    }

    /// Delete stack `name` after `after`, unless the stacks could not be read or `needs` says
    /// what else it depends on could not be: then it is withheld. Returns its step.
    fn delete_stack_needing(
        &mut self,
        (role, id, snap): (Role, &str, &AccountSnapshot),
        name: &str,
        needs: Option<String>,
        after: Vec<usize>,
        why: &str,
    ) -> Result<Option<usize>, String> {
        let title = format!("delete stack {name}");
        match stacked(role, snap, name) {
            Stacked::Unknown(cause) => {
                self.withhold(role, id, format!("{title} (if present)"), cause.clone());
                Err(cause)
            }
            Stacked::Absent => Ok(None),
            Stacked::Live(st) => match needs {
                Some(cause) => {
                    self.withhold(role, id, title, cause.clone());
                    Err(cause)
                }
                None => {
                    let n = self.delete_stack(role, id, st, why);
                    self.plan.steps[n].after.extend(after);
                    Ok(Some(n))
                }
            },
        }
    }

    /// The lab's endpoints in this account (prefix and `-Tools` / `-Stage`), each deleted with
    /// its config and model; withheld when the endpoints could not be read.
    fn delete_endpoints(
        &mut self,
        role: Role,
        id: &str,
        snap: &AccountSnapshot,
        prefix: &str,
    ) -> Result<Vec<usize>, String> {
        let suffix = format!("-{}", role.label());
        if let Some(cause) = unknown(role, snap, &Part::Endpoints) {
            self.withhold(
                role,
                id,
                format!("delete the lab's {prefix}*{suffix} endpoints, configs and models"),
                cause.clone(),
            );
            return Err(cause);
        }
        let why = match role {
            Role::Tools => {
                "the pipeline's DeployModel-Tools made it; the guide forgets it and it bills by the hour"
            }
            _ => "the pipeline's DeployModel-Stage made it; it bills by the hour",
        };
        let mut steps = Vec::new();
        for e in snap
            .endpoints
            .iter()
            .filter(|e| e.name.starts_with(prefix) && e.name.ends_with(&suffix))
        {
            let name = &e.name;
            let titles = (
                format!("delete endpoint {name}"),
                format!("wait for endpoint {name} to go"),
            );
            let action = Action::DeleteEndpoint {
                endpoint: name.clone(),
            };
            let going = e.status == "Deleting";
            let mut s = self.send_or_wait(role, id, going, titles, action, why);
            s.resources.push(format!(
                "endpoint {name} ({}), its endpoint config and model",
                e.status
            ));
            s.wait = Some(Wait::EndpointGone(name.clone()));
            steps.push(self.push(s));
        }
        Ok(steps)
    }

    /// Stage: delete the `-Stage` endpoint (with its config and model) and empty the data-model
    /// bucket, then delete StageResources, which holds the execution role SageMaker needs to
    /// delete the endpoint.
    fn stage(&mut self, names: &LabNames, id: &str, snap: &AccountSnapshot) {
        let role = Role::Stage;
        let endpoints = self.delete_endpoints(role, id, snap, &names.endpoint_prefix);
        let bucket = names.data_model_bucket(id);
        let emptied = self.empty_known(
            role,
            id,
            snap,
            &bucket,
            "StageResources cannot delete a bucket that still holds versions",
        );
        let needs = match (&endpoints, &emptied) {
            (Err(cause), _) => Some(format!(
                "it holds the execution role SageMaker needs to delete the -Stage endpoint,                  and {cause}"
            )),
            (_, Err(cause)) => Some(format!("its bucket must be emptied first, and {cause}")),
            _ => None,
        };
        let after = endpoints
            .unwrap_or_default()
            .into_iter()
            .chain(emptied.ok().flatten())
            .collect();
        let _ = self.delete_stack_needing(
            (role, id, snap),
            &names.stage_stack,
            needs,
            after,
            "step 1.7.2 made it: the data-model bucket and the roles the pipeline deploys through",
        );
    }

    /// DataScience: empty and delete each of the lab's products' retained buckets, terminate
    /// the products, then delete the catalog stack (the launch role and the VPC the product's
    /// security group lives in) and `DSResources` (its bucket emptied first). Returns the
    /// termination steps (the Tools catalog waits on them).
    fn datascience(
        &mut self,
        names: &LabNames,
        id: &str,
        snap: &AccountSnapshot,
        product_id: Option<&str>,
    ) -> Vec<usize> {
        let role = Role::DataScience;
        let mut terminations = Vec::new();
        // Without its outputs, a product's retained bucket has no name: it cannot be
        // terminated without losing the bucket, so the outputs count as the products.
        let products_unknown = unknown(role, snap, &Part::Products)
            .or_else(|| unknown(role, snap, &Part::ProductOutputs));
        if let Some(cause) = &products_unknown {
            self.withhold(
                role,
                id,
                "terminate the lab's provisioned products (and empty and delete their retained buckets)"
                    .into(),
                cause.clone(),
            );
        }
        let mut products_withheld = products_unknown.clone();
        for p in snap
            .provisioned_products
            .iter()
            .filter(|_| products_unknown.is_none())
            .filter(|p| names.is_lab_product(&p.product_name, &p.product_id, product_id))
        {
            // The retained bucket is named only by the product's output, which goes with the
            // product: it is emptied and deleted first, so an interrupted cleanup still finds it.
            let bucket = p.outputs.get("BucketName");
            if let Some(cause) = bucket.and_then(|b| unknown(role, snap, &Part::Bucket(b.clone())))
            {
                self.withhold(
                    role,
                    id,
                    format!(
                        "empty and delete bucket {}, then terminate provisioned product {}",
                        bucket.map_or("", String::as_str),
                        p.name
                    ),
                    format!("only the product's output names the bucket, and {cause}"),
                );
                products_withheld = Some(cause);
                continue;
            }
            let bucket_step = bucket.filter(|b| has_bucket(snap, b)).map(|bucket| {
                let mut s = self.step(
                    role,
                    id,
                    format!("empty and delete bucket {bucket}"),
                    "the product's bucket has DeletionPolicy Retain: it survives the \
                     termination, and only the product's output names it",
                );
                s.resources.push(format!(
                    "bucket {bucket} (output BucketName of {}): every object version, then \
                     the bucket",
                    p.name
                ));
                s.actions.push(Action::EmptyBucket {
                    bucket: bucket.clone(),
                });
                s.actions.push(Action::DeleteBucket {
                    bucket: bucket.clone(),
                });
                self.push(s)
            });
            let why = "step 2.4 launched it: the notebook instance and its KMS key go with it";
            let titles = (
                format!("terminate provisioned product {}", p.name),
                format!("wait for provisioned product {} to settle", p.name),
            );
            let action = Action::TerminateProduct { id: p.id.clone() };
            let going = p.status == "UNDER_CHANGE";
            let mut s = self.send_or_wait(role, id, going, titles, action, why);
            s.resources.push(format!(
                "provisioned product {} ({}, {}) of {}",
                p.name, p.id, p.status, p.product_name
            ));
            s.wait = Some(Wait::ProductGone {
                id: p.id.clone(),
                name: p.name.clone(),
            });
            s.after.extend(bucket_step);
            terminations.push(self.push(s));
        }
        let needs = products_withheld.as_ref().map(|cause| {
            format!(
                "the notebook product must be terminated first (its launch role and the VPC its \
                 security group lives in are in this stack), and {cause}"
            )
        });
        let _ = self.delete_stack_needing(
            (role, id, snap),
            &names.ds_catalog_stack,
            needs,
            terminations.clone(),
            "step 1.5.1 made it: the accepted share, the launch role, the DataScientist role, the VPC",
        );
        self.ds_resources(names, id, snap, products_withheld.as_deref(), &terminations);
        terminations
    }

    /// `DSResources`: its versioned bucket `datascience-project-<account>` emptied, then the
    /// stack, after the notebook product that used its data.
    fn ds_resources(
        &mut self,
        names: &LabNames,
        id: &str,
        snap: &AccountSnapshot,
        products_withheld: Option<&str>,
        terminations: &[usize],
    ) {
        let role = Role::DataScience;
        let name = &names.ds_resources_stack;
        if !matches!(stacked(role, snap, name), Stacked::Live(_)) {
            // Absent, or withheld (unknown stacks) below with the same words.
            let _ = self.delete_stack_needing((role, id, snap), name, None, Vec::new(), "");
            return;
        }
        let bucket = names.ds_data_bucket(id);
        let emptied = if products_withheld.is_some() {
            Ok(None)
        } else {
            self.empty_known(
                role,
                id,
                snap,
                &bucket,
                "DSResources cannot delete a bucket that still holds versions",
            )
        };
        let needs = match (products_withheld, &emptied) {
            (Some(cause), _) => Some(format!(
                "the notebook product that used its data must be terminated first, and {cause}"
            )),
            (None, Err(cause)) => Some(format!("its bucket must be emptied first, and {cause}")),
            _ => None,
        };
        let after = terminations
            .iter()
            .copied()
            .chain(emptied.ok().flatten())
            .collect();
        let _ = self.delete_stack_needing(
            (role, id, snap),
            name,
            needs,
            after,
            "step 1.6.1 made it: the notebook's data bucket",
        );
    }

    /// Tools: the `-Tools` endpoint, the catalog stack, the three buckets, the pipeline stack
    /// (and its wait), then the prep stack.
    fn tools(
        &mut self,
        info: &LabInfo,
        names: &LabNames,
        id: &str,
        snap: &AccountSnapshot,
        terminations: &[usize],
    ) {
        let role = Role::Tools;
        let endpoints = self.delete_endpoints(role, id, snap, &names.endpoint_prefix);
        let _ = self.delete_stack_needing(
            (role, id, snap),
            &names.tools_catalog_stack,
            None,
            terminations.to_vec(),
            "step 1.2.1 made it: the portfolio, the product and the share to DataScience",
        );
        let why = "its stack cannot delete a bucket that still holds versions";
        let lambda = self.empty_known(role, id, snap, &names.lambda_bucket(id), why);
        let data = self.empty_known(role, id, snap, &names.data_model_bucket(id), why);
        let artifacts = match artifacts_bucket(info, names, role, snap) {
            Ok(Some(a)) => self.empty_known(role, id, snap, &a, why),
            Ok(None) => Ok(None),
            Err(cause) => {
                self.withhold(
                    role,
                    id,
                    format!(
                        "empty the artifacts bucket {}{}-…",
                        names.artifacts_bucket_prefix,
                        info.uid(Some(snap), &names.pipeline_stack)
                            .map_or("<UniqueID>", |u| u.0)
                    ),
                    cause.clone(),
                );
                Err(cause)
            }
        };
        let needs = match (&endpoints, &data, &artifacts) {
            (Err(cause), _, _) => Some(format!(
                "its roles made the -Tools endpoint, which goes first, and {cause}"
            )),
            (_, Err(cause), _) | (_, _, Err(cause)) => {
                Some(format!("its buckets must be emptied first, and {cause}"))
            }
            _ => None,
        };
        let after = endpoints
            .unwrap_or_default()
            .into_iter()
            .chain(data.ok().flatten())
            .chain(artifacts.ok().flatten())
            .collect();
        let pipeline = self.delete_stack_needing(
            (role, id, snap),
            &names.pipeline_stack,
            needs,
            after,
            "step 1.3.3 made it: the pipeline, its Lambdas, roles, KMS key and two buckets",
        );
        let needs = match (&lambda, &pipeline) {
            (Err(cause), _) => Some(format!("its bucket must be emptied first, and {cause}")),
            (_, Err(cause)) => Some(format!(
                "the pipeline stack, whose functions came from its bucket, goes first, and {cause}"
            )),
            _ => None,
        };
        let after = lambda
            .ok()
            .flatten()
            .into_iter()
            .chain(pipeline.ok().flatten())
            .collect();
        let _ = self.delete_stack_needing(
            (role, id, snap),
            &names.prep_stack,
            needs,
            after,
            "step 1.3.1 made it: the Lambda code bucket the pipeline's functions came from",
        );
    }
}

/// The pipeline's artifacts bucket: its artifact store when the pipeline was read, else the one
/// bucket named exactly `<prefix><uid>-<8 hex>`; `Err` when neither could be read.
fn artifacts_bucket(
    info: &LabInfo,
    names: &LabNames,
    role: Role,
    snap: &AccountSnapshot,
) -> Result<Option<String>, String> {
    if snap.known(&Part::Pipelines)
        && let Some(b) = snap
            .pipelines
            .iter()
            .filter(|p| p.name.starts_with(&names.pipeline_prefix))
            .find_map(|p| p.artifact_bucket.clone())
    {
        return Ok(Some(b));
    }
    let uid = info
        .uid(Some(snap), &names.pipeline_stack)
        .map_or("", |u| u.0);
    let fits = snap
        .buckets
        .iter()
        .find(|b| names.is_artifacts_bucket(uid, &b.name))
        .map(|b| b.name.clone());
    match (fits, unknown(role, snap, &Part::BucketList)) {
        (Some(b), _) => Ok(Some(b)),
        (None, Some(cause)) => Err(cause),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
#[path = "cleanup_tests.rs"]
mod tests;
