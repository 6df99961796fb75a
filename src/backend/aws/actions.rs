//! Actions on real accounts: each typed `Action` as the SDK calls it makes, the launch form's
//! reads, provisioning records and notebook URLs.

use super::cleanup;
use super::clients::Clients;
use super::errors::CallError;
use super::gates::{self, Gate};
use super::launch;
use crate::backend::{Action, ActionDone, ActionError, LaunchOptions, RecordState};
use crate::lab::LabNames;

/// How long a presigned notebook URL's session lasts, in seconds (AWS allows 1800 to 43200).
pub const NOTEBOOK_SESSION_SECS: i32 = 43_200;

/// Carry out one action (read-only mode is refused before this is reached).
pub async fn act(c: &Clients, names: &LabNames, action: Action) -> Result<ActionDone, ActionError> {
    act_with(c, names, action, None).await
}

/// [`act`], with DeleteStack passing `cleanup_role` (a role ARN) as its service role.
pub async fn act_with(
    c: &Clients,
    names: &LabNames,
    action: Action,
    cleanup_role: Option<&str>,
) -> Result<ActionDone, ActionError> {
    match action {
        Action::ApproveAction {
            pipeline,
            stage,
            action,
            token,
            approve,
            comment,
        } => {
            let gate = Gate {
                pipeline: &pipeline,
                stage: &stage,
            };
            gates::approve(&c.cp, gate, &action, &token, approve, &comment).await
        }
        Action::EnableTransition { pipeline, stage } => {
            let gate = Gate {
                pipeline: &pipeline,
                stage: &stage,
            };
            gates::enable(&c.cp, gate).await
        }
        Action::DisableTransition {
            pipeline,
            stage,
            reason,
        } => {
            let gate = Gate {
                pipeline: &pipeline,
                stage: &stage,
            };
            gates::disable(&c.cp, gate, &reason).await
        }
        Action::RetryStage {
            pipeline,
            stage,
            execution_id,
        } => {
            let gate = Gate {
                pipeline: &pipeline,
                stage: &stage,
            };
            gates::retry(&c.cp, gate, &execution_id).await
        }
        Action::StartPipeline { pipeline } => gates::start(&c.cp, &pipeline).await,
        Action::LaunchProduct(request) => launch::provision(&c.sc, request).await,
        Action::StopNotebook { name } => stop_notebook(c, &name).await,
        Action::StartNotebook { name } => start_notebook(c, &name).await,
        Action::TerminateProduct { id } => cleanup::terminate_product(c, &id).await,
        Action::DeleteStack { stack } => {
            cleanup::delete_stack(c, names, &stack, cleanup_role).await
        }
        Action::EmptyBucket { bucket } => cleanup::empty_bucket(c, &bucket).await,
        Action::DeleteBucket { bucket } => cleanup::delete_bucket(c, &bucket).await,
        Action::DeleteEndpoint { endpoint } => cleanup::delete_endpoint(c, names, &endpoint).await,
    }
}

/// The launch form for a product, by name.
pub async fn launch_options(c: &Clients, product_name: &str) -> Result<LaunchOptions, ActionError> {
    launch::options(&c.sc, product_name).await
}

/// DescribeRecord.
pub async fn record(c: &Clients, record_id: &str) -> Result<RecordState, ActionError> {
    launch::record(&c.sc, record_id).await
}

/// StopNotebookInstance.
async fn stop_notebook(c: &Clients, name: &str) -> Result<ActionDone, ActionError> {
    c.sm.stop_notebook_instance()
        .notebook_instance_name(name)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("StopNotebookInstance", e)))?;
    Ok(ActionDone::new(format!(
        "stopping notebook instance {name}"
    )))
}

/// StartNotebookInstance.
async fn start_notebook(c: &Clients, name: &str) -> Result<ActionDone, ActionError> {
    c.sm.start_notebook_instance()
        .notebook_instance_name(name)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("StartNotebookInstance", e)))?;
    Ok(ActionDone::new(format!(
        "starting notebook instance {name}"
    )))
}

/// CreatePresignedNotebookInstanceUrl: a URL that opens the notebook without the console.
pub async fn notebook_url(c: &Clients, name: &str) -> Result<String, ActionError> {
    let out = c
        .sm
        .create_presigned_notebook_instance_url()
        .notebook_instance_name(name)
        .session_expiration_duration_in_seconds(NOTEBOOK_SESSION_SECS)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("CreatePresignedNotebookInstanceUrl", e)))?;
    out.authorized_url()
        .filter(|u| !u.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            ActionError::Failed(format!(
                "CreatePresignedNotebookInstanceUrl returned no URL for {name}"
            ))
        })
}

/// A failed call as an action error: "not found" is its own case.
pub fn action_error(e: CallError) -> ActionError {
    let missing = matches!(
        e.code.as_deref(),
        Some(
            "StageNotFoundException"
                | "ActionNotFoundException"
                | "PipelineExecutionNotFoundException"
        )
    );
    if e.is_not_found() || missing {
        ActionError::NotFound(e.message)
    } else if e.account_wide() {
        ActionError::Account(e.into_account_error())
    } else {
        ActionError::Failed(e.to_string())
    }
}
