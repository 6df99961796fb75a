//! Actions on real accounts: each typed `Action` as the SDK calls it makes, the launch form's
//! reads, provisioning records and notebook URLs.

use aws_sdk_codepipeline::types::{ApprovalResult, ApprovalStatus};

use super::cleanup;
use super::clients::Clients;
use super::errors::CallError;
use crate::backend::{Action, ActionDone, ActionError, LaunchOptions, RecordState};
use crate::lab::LabNames;

/// Carry out one action (read-only mode is refused before this is reached).
pub async fn act(c: &Clients, names: &LabNames, action: Action) -> Result<ActionDone, ActionError> {
    match action {
        Action::ApproveAction {
            pipeline,
            stage,
            action,
            token,
            approve,
            comment,
        } => {
            let status = if approve {
                ApprovalStatus::Approved
            } else {
                ApprovalStatus::Rejected
            };
            let result = ApprovalResult::builder()
                .summary(comment)
                .status(status.clone())
                .build()
                .map_err(|e| ActionError::Refused(e.to_string()))?;
            c.cp.put_approval_result()
                .pipeline_name(&pipeline)
                .stage_name(&stage)
                .action_name(&action)
                .token(token)
                .result(result)
                .send()
                .await
                .map_err(|e| action_error(CallError::from_sdk("PutApprovalResult", e)))?;
            Ok(ActionDone::new(format!(
                "{} {pipeline} / {stage} / {action}",
                status.as_str().to_ascii_lowercase()
            )))
        }
        Action::TerminateProduct { id } => cleanup::terminate_product(c, &id).await,
        Action::DeleteStack { stack } => cleanup::delete_stack(c, names, &stack).await,
        Action::EmptyBucket { bucket } => cleanup::empty_bucket(c, &bucket).await,
        Action::DeleteBucket { bucket } => cleanup::delete_bucket(c, &bucket).await,
        Action::DeleteEndpoint { endpoint } => cleanup::delete_endpoint(c, names, &endpoint).await,
        other => Err(ActionError::Refused(format!(
            "{other}: not available for AWS accounts in this version"
        ))),
    }
}

/// The launch form for a product, by name.
pub async fn launch_options(
    _c: &Clients,
    product_name: &str,
) -> Result<LaunchOptions, ActionError> {
    Err(ActionError::Refused(format!(
        "launching {product_name} is not available for AWS accounts in this version"
    )))
}

/// DescribeRecord.
pub async fn record(_c: &Clients, record_id: &str) -> Result<RecordState, ActionError> {
    Err(ActionError::Refused(format!(
        "record {record_id}: not available for AWS accounts in this version"
    )))
}

/// CreatePresignedNotebookInstanceUrl.
pub async fn notebook_url(_c: &Clients, name: &str) -> Result<String, ActionError> {
    Err(ActionError::Refused(format!(
        "notebook {name}: not available for AWS accounts in this version"
    )))
}

/// A failed call as an action error: "not found" is its own case.
pub fn action_error(e: CallError) -> ActionError {
    if e.is_not_found() {
        ActionError::NotFound(e.message)
    } else if e.account_wide() {
        ActionError::Account(e.into_account_error())
    } else {
        ActionError::Failed(e.to_string())
    }
}
