//! Destructive actions checked against the lab's names before anything is sent: a bucket is
//! emptied or deleted, and a provisioned product terminated, only when it is the lab's.

use std::collections::HashMap;

use super::poll::Cache;
use crate::backend::{Action, ActionError};
use crate::lab::{LabInfo, LabNames, Role};

/// What the last poll of an account saw that the checks need.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// Provisioned products by id: (product name, product id).
    pub products: HashMap<String, (String, String)>,
    /// The pipeline's artifacts bucket.
    pub artifacts_bucket: Option<String>,
    /// The pipeline stack's UniqueID, when none is configured.
    pub stack_unique_id: Option<String>,
}

impl Seen {
    pub fn of(cache: &Cache) -> Self {
        Seen {
            products: cache.products.clone(),
            artifacts_bucket: cache.artifacts_bucket.clone(),
            stack_unique_id: cache.stack_unique_id.clone(),
        }
    }
}

/// What the check needs of the account: its lab, role and id, and what its polls saw.
pub struct Target<'a> {
    pub info: &'a LabInfo,
    pub names: &'a LabNames,
    pub role: Role,
    pub account_id: &'a str,
    pub seen: &'a Seen,
    /// The Tools catalog stack's `SagemakerProductID`, when a poll of Tools saw it.
    pub product_id: Option<&'a str>,
}

/// `Err(Refused)` when `action` would touch something that is not the lab's. Actions without a
/// name-checked target (stacks and endpoints check theirs where they are sent) pass.
pub fn check(t: &Target<'_>, action: &Action) -> Result<(), ActionError> {
    match action {
        Action::EmptyBucket { bucket } | Action::DeleteBucket { bucket } => {
            let ours = t.names.is_lab_bucket(
                t.role,
                t.account_id,
                t.info
                    .unique_id
                    .as_deref()
                    .or(t.seen.stack_unique_id.as_deref())
                    .unwrap_or_default(),
                t.seen.artifacts_bucket.as_deref(),
                bucket,
            );
            if ours {
                Ok(())
            } else {
                Err(ActionError::Refused(format!(
                    "bucket {bucket} is not one of lab {}'s buckets in its {} account: not touched",
                    t.info.name, t.role
                )))
            }
        }
        Action::TerminateProduct { id } => match t.seen.products.get(id) {
            Some((name, product)) if t.names.is_lab_product(name, product, t.product_id) => Ok(()),
            Some((name, _)) if name.is_empty() => Err(ActionError::Refused(format!(
                "provisioned product {id} has no product name, so it is not the lab's: not terminated"
            ))),
            Some((name, _)) => Err(ActionError::Refused(format!(
                "provisioned product {id} is of product \"{name}\", not the lab's \"{}\": not terminated",
                t.names.product_name
            ))),
            None => Err(ActionError::Refused(format!(
                "provisioned product {id} was not seen in the {} account's last read: not terminated",
                t.role
            ))),
        },
        _ => Ok(()),
    }
}
