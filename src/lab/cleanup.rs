//! The cleanup plan: the guide's cleanup, in its order, derived from a lab's snapshots (pure).
//!
//! Only what carries the lab's names in the lab's own accounts is ever in a plan: stacks by exact
//! name, buckets by exact name (the artifacts bucket by its `<prefix><uid>-` prefix, the notebook's
//! retained bucket by the product's `BucketName` output), endpoints by the endpoint prefix and the
//! `-Tools` / `-Stage` suffix. Anything else is left alone, however alike it looks.
//!
//! One departure from the guide's order: the notebook's retained bucket is emptied and deleted
//! before its product is terminated, not after. Only the product's `BucketName` output names it,
//! and that goes with the product, so a cleanup interrupted after the termination could never
//! find the bucket again; the termination skips it either way (DeletionPolicy Retain).

use std::fmt;

use super::model::{AccountSnapshot, LabInfo, Role, Stack};
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

/// The ordered cleanup of one lab.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub lab: String,
    pub steps: Vec<Step>,
    /// Accounts that could not be read: their part of the plan is missing.
    pub unreadable: Vec<(Role, String)>,
    /// Parts of accounts that could not be read (the snapshots' warnings), worth knowing first.
    pub warnings: Vec<String>,
}

impl Plan {
    /// Nothing left to do, and every account was read.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.unreadable.is_empty()
    }

    /// True when every account of the lab was read (the plan covers the whole lab).
    pub fn complete(&self) -> bool {
        self.unreadable.is_empty()
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
            if self.unreadable.is_empty() {
                return writeln!(f, "{}: nothing to clean up", self.lab);
            }
            return writeln!(f, "{}: no step planned in the accounts read", self.lab);
        }
        writeln!(
            f,
            "Cleanup plan for lab {}: {} steps",
            self.lab,
            self.steps.len()
        )?;
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
        Ok(())
    }
}

/// Build the plan from one lab's snapshots. An account without a snapshot, or whose snapshot
/// carries an error, is listed as unreadable and planned for no further.
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
    let terminations = match ds {
        Some((id, s)) => b.datascience(names, id, s),
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

    fn delete_endpoints(&mut self, role: Role, id: &str, snap: &AccountSnapshot, prefix: &str) {
        let suffix = format!("-{}", role.label());
        let why = match role {
            Role::Tools => {
                "the pipeline's DeployModel-Tools made it; the guide forgets it and it bills by the hour"
            }
            _ => "the pipeline's DeployModel-Stage made it; it bills by the hour",
        };
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
            self.push(s);
        }
    }

    /// Stage: empty the data-model bucket, delete StageResources, delete the `-Stage` endpoint.
    fn stage(&mut self, names: &LabNames, id: &str, snap: &AccountSnapshot) {
        let bucket = names.data_model_bucket(id);
        let emptied = has_bucket(snap, &bucket).then(|| {
            self.empty_bucket(
                Role::Stage,
                id,
                &bucket,
                "StageResources cannot delete a bucket that still holds versions",
            )
        });
        if let Some(st) = live_stack(snap, &names.stage_stack) {
            let n = self.delete_stack(
                Role::Stage,
                id,
                st,
                "step 1.7.2 made it: the data-model bucket and the roles the pipeline deploys through",
            );
            self.plan.steps[n].after.extend(emptied);
        }
        self.delete_endpoints(Role::Stage, id, snap, &names.endpoint_prefix);
    }

    /// DataScience: empty and delete each product's retained bucket, terminate the product,
    /// delete the catalog and resources stacks. Returns the termination steps (the Tools catalog waits on them).
    fn datascience(&mut self, names: &LabNames, id: &str, snap: &AccountSnapshot) -> Vec<usize> {
        let role = Role::DataScience;
        let mut terminations = Vec::new();
        for p in snap
            .provisioned_products
            .iter()
            .filter(|p| p.product_name == names.product_name)
        {
            // The retained bucket is named only by the product's output, which goes with the
            // product: it is emptied and deleted first, so an interrupted cleanup still finds it.
            let bucket_step = p
                .outputs
                .get("BucketName")
                .filter(|b| has_bucket(snap, b))
                .map(|bucket| {
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
        if let Some(st) = live_stack(snap, &names.ds_catalog_stack) {
            let n = self.delete_stack(
                role,
                id,
                st,
                "step 1.5.1 made it: the accepted share, the launch role, the DataScientist role, the VPC",
            );
            self.plan.steps[n].after.extend(&terminations);
        }
        if let Some(st) = live_stack(snap, &names.ds_resources_stack) {
            self.delete_stack(role, id, st, "step 1.6.1 made it: a data bucket");
        }
        terminations
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
        self.delete_endpoints(role, id, snap, &names.endpoint_prefix);
        if let Some(st) = live_stack(snap, &names.tools_catalog_stack) {
            let n = self.delete_stack(
                role,
                id,
                st,
                "step 1.2.1 made it: the portfolio, the product and the share to DataScience",
            );
            self.plan.steps[n].after.extend(terminations);
        }
        let lambda = names.lambda_bucket(id);
        let data = names.data_model_bucket(id);
        let artifacts_prefix = format!("{}{}-", names.artifacts_bucket_prefix, info.unique_id);
        let artifacts = snap
            .buckets
            .iter()
            .find(|b| b.name.starts_with(&artifacts_prefix))
            .map(|b| b.name.clone());
        let why = "its stack cannot delete a bucket that still holds versions";
        let lambda_step =
            has_bucket(snap, &lambda).then(|| self.empty_bucket(role, id, &lambda, why));
        let data_step = has_bucket(snap, &data).then(|| self.empty_bucket(role, id, &data, why));
        let artifacts_step = artifacts.map(|a| self.empty_bucket(role, id, &a, why));
        let pipeline = live_stack(snap, &names.pipeline_stack).map(|st| {
            let n = self.delete_stack(
                role,
                id,
                st,
                "step 1.3.3 made it: the pipeline, its Lambdas, roles, KMS key and two buckets",
            );
            self.plan.steps[n]
                .after
                .extend(data_step.into_iter().chain(artifacts_step));
            n
        });
        if let Some(st) = live_stack(snap, &names.prep_stack) {
            let n = self.delete_stack(
                role,
                id,
                st,
                "step 1.3.1 made it: the Lambda code bucket the pipeline's functions came from",
            );
            self.plan.steps[n]
                .after
                .extend(lambda_step.into_iter().chain(pipeline));
        }
    }
}

#[cfg(test)]
#[path = "cleanup_tests.rs"]
mod tests;
