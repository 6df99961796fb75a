//! The simulator's side of cleanup: terminating products, emptying and deleting buckets,
//! deleting endpoints, as the AWS backend would.
//!
//! A terminated product goes `UNDER_CHANGE` while its stack deletes (the notebook goes
//! `Deleting`, the retained bucket stays), then leaves the account. A versioned bucket holds
//! older versions of each object of note, so emptying it takes several batches of at most 1000.
//! A deleted endpoint goes `Deleting`, then leaves the account.

use crate::backend::{Action, ActionDone, ActionError};
use crate::lab::{Bucket, Role};

use super::templates::StackKind;
use super::world::{Account, Event, Participant};

/// Most versions one EmptyBucket call deletes, as DeleteObjects allows.
const BATCH: u64 = 1000;

/// FNV-1a: a stable number from a name, so made-up history costs no draw from the story's rng.
fn stable(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Versions and delete markers in a bucket never emptied: in a versioned bucket each object of
/// note was written over 300 to 999 times before (re-uploads, runs of the pipeline).
fn history(b: &Bucket) -> u64 {
    if !b.versioned {
        return b.objects.len() as u64;
    }
    b.objects
        .iter()
        .map(|k| 1 + 300 + stable(&format!("{}/{k}", b.name)) % 700)
        .sum()
}

impl Account {
    /// What is left in a bucket: versions not yet deleted, at least its objects of note.
    fn versions_in(&self, b: &Bucket) -> u64 {
        match self.versions_left.get(&b.name) {
            Some(&left) => left.max(b.objects.len() as u64),
            None => history(b),
        }
    }
}

impl Participant {
    /// A cleanup action in one account of this lab.
    pub(super) fn cleanup(
        &mut self,
        role: Role,
        action: Action,
    ) -> Result<ActionDone, ActionError> {
        match action {
            Action::DeleteStack { stack } => self.delete_stack(role, &stack).map(ActionDone::new),
            Action::TerminateProduct { id } => self.terminate(role, &id),
            Action::EmptyBucket { bucket } => self.empty_batch(role, &bucket),
            Action::DeleteBucket { bucket } => self.delete_bucket(role, &bucket),
            Action::DeleteEndpoint { endpoint } => self.delete_endpoint(role, &endpoint),
            other => Err(ActionError::Refused(format!(
                "{other}: not a cleanup action"
            ))),
        }
    }

    /// TerminateProvisionedProduct: the product goes UNDER_CHANGE and its stack deletes.
    fn terminate(&mut self, role: Role, id: &str) -> Result<ActionDone, ActionError> {
        let acct = &self.accounts[role];
        let Some(product) = acct.products.iter().find(|p| p.id == id) else {
            return Err(ActionError::NotFound(format!(
                "provisioned product {id} in account {}",
                acct.id
            )));
        };
        if product.status == "UNDER_CHANGE" {
            return Err(ActionError::Failed(format!(
                "InvalidStateException: provisioned product {id} is UNDER_CHANGE"
            )));
        }
        let name = product.name.clone();
        let stack = (self.ids.provisioned == id)
            .then(|| self.stack(StackKind::Product))
            .flatten()
            .map(|s| s.stack.name.clone());
        match stack {
            Some(stack) => {
                self.delete_stack(role, &stack)?;
                if let Some(p) = self.accounts[role].products.iter_mut().find(|p| p.id == id) {
                    p.status = "UNDER_CHANGE".into();
                    p.status_message = None;
                }
            }
            // Nothing was provisioned: the record goes at once.
            None => self.accounts[role].products.retain(|p| p.id != id),
        }
        Ok(ActionDone::new(format!(
            "terminating provisioned product {name} ({id})"
        )))
    }

    /// One batch of ListObjectVersions + DeleteObjects.
    fn empty_batch(&mut self, role: Role, bucket: &str) -> Result<ActionDone, ActionError> {
        let acct = &mut self.accounts[role];
        let Some(b) = acct.bucket(bucket) else {
            return Err(no_bucket(bucket, &acct.id));
        };
        let left = acct.versions_in(b);
        let n = left.min(BATCH);
        acct.versions_left.insert(bucket.to_string(), left - n);
        if left == n
            && let Some(b) = acct.bucket_mut(bucket)
        {
            b.objects.clear();
        }
        let mut done = ActionDone::new(format!("deleted {n} object versions in {bucket}"));
        done.count = n;
        done.more = left > n;
        Ok(done)
    }

    /// DeleteBucket: only an empty one.
    fn delete_bucket(&mut self, role: Role, bucket: &str) -> Result<ActionDone, ActionError> {
        let acct = &mut self.accounts[role];
        let Some(b) = acct.bucket(bucket) else {
            return Err(no_bucket(bucket, &acct.id));
        };
        if acct.versions_in(b) > 0 {
            return Err(ActionError::Failed(format!(
                "BucketNotEmpty: {bucket}: the bucket you tried to delete is not empty. \
                 You must delete all versions in the bucket."
            )));
        }
        acct.buckets.retain(|b| b.name != bucket);
        acct.versions_left.remove(bucket);
        Ok(ActionDone::new(format!("deleted bucket {bucket}")))
    }

    /// DeleteEndpoint (with its config and model): `Deleting`, then gone.
    fn delete_endpoint(&mut self, role: Role, endpoint: &str) -> Result<ActionDone, ActionError> {
        let acct = &mut self.accounts[role];
        let Some(e) = acct.endpoints.iter_mut().find(|e| e.name == endpoint) else {
            return Err(ActionError::NotFound(format!(
                "endpoint {endpoint} in account {}",
                acct.id
            )));
        };
        match e.status.as_str() {
            "Deleting" => return Ok(ActionDone::new(format!("{endpoint} is already deleting"))),
            "Creating" | "Updating" | "SystemUpdating" => {
                return Err(ActionError::Failed(format!(
                    "ValidationException: cannot delete endpoint {endpoint} while it is {}",
                    e.status
                )));
            }
            _ => e.status = "Deleting".into(),
        }
        self.announce_endpoint(role, endpoint, "Deleting");
        let secs = self.rng.range(45, 120);
        self.after(secs, Event::EndpointGone { role });
        let mut done = ActionDone::new(format!(
            "deleting endpoint {endpoint}, its endpoint config and model"
        ));
        done.count = 3;
        Ok(done)
    }

    /// Endpoints that were deleting are gone (announced as a last state change, `DELETED`:
    /// the simulator's word for an endpoint that left the account).
    pub(super) fn endpoint_gone(&mut self, role: Role) {
        let gone: Vec<String> = self.accounts[role]
            .endpoints
            .iter()
            .filter(|e| e.status == "Deleting")
            .map(|e| e.name.clone())
            .collect();
        self.accounts[role]
            .endpoints
            .retain(|e| e.status != "Deleting");
        for name in gone {
            self.announce_endpoint(role, &name, "Deleted");
        }
    }
}

fn no_bucket(bucket: &str, account: &str) -> ActionError {
    ActionError::NotFound(format!("bucket {bucket} in account {account}"))
}
