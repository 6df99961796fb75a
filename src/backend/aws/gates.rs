//! CodePipeline actions: answer an approval, enable or disable a stage's inbound transition,
//! retry a stage's failed actions, release a change.

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::types::{
    ApprovalResult, ApprovalStatus, StageRetryMode, StageTransitionType,
};

use super::actions::action_error;
use super::errors::CallError;
use crate::backend::{ActionDone, ActionError};

/// Longest reason DisableStageTransition accepts, in characters.
pub const MAX_REASON: usize = 300;
/// Longest summary PutApprovalResult accepts, in characters.
pub const MAX_APPROVAL_SUMMARY: usize = 512;

/// Where a gate is: the pipeline and the stage.
#[derive(Clone, Copy, Debug)]
pub struct Gate<'a> {
    pub pipeline: &'a str,
    pub stage: &'a str,
}

/// PutApprovalResult: approve or reject with the comment as the summary.
pub async fn approve(
    client: &Client,
    gate: Gate<'_>,
    action: &str,
    token: &str,
    approve: bool,
    comment: &str,
) -> Result<ActionDone, ActionError> {
    if comment.chars().count() > MAX_APPROVAL_SUMMARY {
        return Err(ActionError::Refused(format!(
            "the comment has {} characters; AWS takes at most {MAX_APPROVAL_SUMMARY}",
            comment.chars().count()
        )));
    }
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
    client
        .put_approval_result()
        .pipeline_name(gate.pipeline)
        .stage_name(gate.stage)
        .action_name(action)
        .token(token)
        .result(result)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("PutApprovalResult", e)))?;
    Ok(ActionDone::new(format!(
        "{} {} / {} / {action}",
        status.as_str().to_ascii_lowercase(),
        gate.pipeline,
        gate.stage
    )))
}

/// EnableStageTransition (inbound).
pub async fn enable(client: &Client, gate: Gate<'_>) -> Result<ActionDone, ActionError> {
    client
        .enable_stage_transition()
        .pipeline_name(gate.pipeline)
        .stage_name(gate.stage)
        .transition_type(StageTransitionType::Inbound)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("EnableStageTransition", e)))?;
    Ok(ActionDone::new(format!(
        "enabled the transition into {} / {}",
        gate.pipeline, gate.stage
    )))
}

/// DisableStageTransition (inbound) with a reason AWS accepts; any other reason is refused
/// before the call.
pub async fn disable(
    client: &Client,
    gate: Gate<'_>,
    reason: &str,
) -> Result<ActionDone, ActionError> {
    check_reason(reason)?;
    client
        .disable_stage_transition()
        .pipeline_name(gate.pipeline)
        .stage_name(gate.stage)
        .transition_type(StageTransitionType::Inbound)
        .reason(reason)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("DisableStageTransition", e)))?;
    Ok(ActionDone::new(format!(
        "disabled the transition into {} / {}",
        gate.pipeline, gate.stage
    )))
}

/// A transition's reason as AWS takes it: 1 to 300 characters of `[a-zA-Z0-9!@ ().*?-]`.
pub fn check_reason(reason: &str) -> Result<(), ActionError> {
    let len = reason.chars().count();
    if len == 0 {
        return Err(ActionError::Refused(
            "a reason is required to disable a transition".into(),
        ));
    }
    if len > MAX_REASON {
        return Err(ActionError::Refused(format!(
            "the reason has {len} characters; AWS takes at most {MAX_REASON}"
        )));
    }
    let allowed = |ch: char| ch.is_ascii_alphanumeric() || "!@ ().*?-".contains(ch);
    if let Some(bad) = reason.chars().find(|&ch| !allowed(ch)) {
        return Err(ActionError::Refused(format!(
            "the reason may not contain {bad:?}: AWS takes only letters, digits, spaces and ! @ ( ) . * ? -"
        )));
    }
    Ok(())
}

/// RetryStageExecution of the failed actions of one execution.
pub async fn retry(
    client: &Client,
    gate: Gate<'_>,
    execution_id: &str,
) -> Result<ActionDone, ActionError> {
    let out = client
        .retry_stage_execution()
        .pipeline_name(gate.pipeline)
        .stage_name(gate.stage)
        .pipeline_execution_id(execution_id)
        .retry_mode(StageRetryMode::FailedActions)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("RetryStageExecution", e)))?;
    let mut done = ActionDone::new(format!(
        "retrying the failed actions of {} / {} (execution {execution_id})",
        gate.pipeline, gate.stage
    ));
    done.id = out.pipeline_execution_id().map(str::to_string);
    Ok(done)
}

/// StartPipelineExecution; the new execution's id is the result's `id`.
pub async fn start(client: &Client, pipeline: &str) -> Result<ActionDone, ActionError> {
    let out = client
        .start_pipeline_execution()
        .name(pipeline)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("StartPipelineExecution", e)))?;
    let id = out.pipeline_execution_id().map(str::to_string);
    let mut done = ActionDone::new(match &id {
        Some(id) => format!("started {pipeline} (execution {id})"),
        None => format!("started {pipeline}"),
    });
    done.id = id;
    Ok(done)
}
