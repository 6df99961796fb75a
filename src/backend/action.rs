//! Typed actions on an account, what they report when done, and the launch form's inputs.

use std::collections::BTreeMap;
use std::fmt;

use crate::lab::{AccountError, ErrorKind};

/// A change crossdeck can ask an account to make. Typed, never a string; each one is shown in
/// a confirm dialog (or a cleanup plan) before it is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// PutApprovalResult: answer a waiting manual approval with the token from the pipeline's state.
    ApproveAction {
        pipeline: String,
        stage: String,
        action: String,
        token: String,
        approve: bool,
        comment: String,
    },
    /// EnableStageTransition (inbound): promote into a stage whose transition was disabled.
    EnableTransition { pipeline: String, stage: String },
    /// DisableStageTransition (inbound), with the reason people will read.
    DisableTransition {
        pipeline: String,
        stage: String,
        reason: String,
    },
    /// RetryStageExecution with FAILED_ACTIONS.
    RetryStage {
        pipeline: String,
        stage: String,
        execution_id: String,
    },
    /// StartPipelineExecution: release a change.
    StartPipeline { pipeline: String },
    /// ProvisionProduct; the summary's `id` is the record id to follow with `Backend::record`.
    LaunchProduct(LaunchRequest),
    /// StopNotebookInstance.
    StopNotebook { name: String },
    /// StartNotebookInstance.
    StartNotebook { name: String },
    /// TerminateProvisionedProduct.
    TerminateProduct { id: String },
    /// DeleteStack by name (the lab's stacks only).
    DeleteStack { stack: String },
    /// One batch of emptying a bucket: up to 1000 object versions and delete markers
    /// (ListObjectVersions + DeleteObjects). `more` in the result says whether to call again.
    EmptyBucket { bucket: String },
    /// DeleteBucket (it must be empty).
    DeleteBucket { bucket: String },
    /// DeleteEndpoint, then its endpoint config and model.
    DeleteEndpoint { endpoint: String },
}

impl Action {
    /// The AWS operation(s) the action makes, for plans, dialogs and the IAM policy.
    pub fn operations(&self) -> &'static [&'static str] {
        match self {
            Action::ApproveAction { .. } => &["codepipeline:PutApprovalResult"],
            Action::EnableTransition { .. } => &["codepipeline:EnableStageTransition"],
            Action::DisableTransition { .. } => &["codepipeline:DisableStageTransition"],
            Action::RetryStage { .. } => &["codepipeline:RetryStageExecution"],
            Action::StartPipeline { .. } => &["codepipeline:StartPipelineExecution"],
            Action::LaunchProduct(_) => &["servicecatalog:ProvisionProduct"],
            Action::StopNotebook { .. } => &["sagemaker:StopNotebookInstance"],
            Action::StartNotebook { .. } => &["sagemaker:StartNotebookInstance"],
            Action::TerminateProduct { .. } => &["servicecatalog:TerminateProvisionedProduct"],
            Action::DeleteStack { .. } => &["cloudformation:DeleteStack"],
            Action::EmptyBucket { .. } => &["s3:ListBucketVersions", "s3:DeleteObjectVersion"],
            Action::DeleteBucket { .. } => &["s3:DeleteBucket"],
            Action::DeleteEndpoint { .. } => &[
                "sagemaker:DeleteEndpoint",
                "sagemaker:DeleteEndpointConfig",
                "sagemaker:DeleteModel",
            ],
        }
    }
}

impl fmt::Display for Action {
    /// One line saying what the action will do, as a confirm dialog shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::ApproveAction {
                pipeline,
                stage,
                action,
                approve,
                ..
            } => {
                let verb = if *approve { "approve" } else { "reject" };
                write!(f, "{verb} {pipeline} / {stage} / {action}")
            }
            Action::EnableTransition { pipeline, stage } => {
                write!(f, "enable the transition into {pipeline} / {stage}")
            }
            Action::DisableTransition {
                pipeline,
                stage,
                reason,
            } => write!(
                f,
                "disable the transition into {pipeline} / {stage} (\"{reason}\")"
            ),
            Action::RetryStage {
                pipeline, stage, ..
            } => write!(f, "retry the failed actions of {pipeline} / {stage}"),
            Action::StartPipeline { pipeline } => write!(f, "release a change in {pipeline}"),
            Action::LaunchProduct(r) => write!(f, "launch {} as {}", r.product_name, r.name),
            Action::StopNotebook { name } => write!(f, "stop notebook instance {name}"),
            Action::StartNotebook { name } => write!(f, "start notebook instance {name}"),
            Action::TerminateProduct { id } => write!(f, "terminate provisioned product {id}"),
            Action::DeleteStack { stack } => write!(f, "delete stack {stack}"),
            Action::EmptyBucket { bucket } => {
                write!(f, "delete every object version in {bucket}")
            }
            Action::DeleteBucket { bucket } => write!(f, "delete bucket {bucket}"),
            Action::DeleteEndpoint { endpoint } => {
                write!(f, "delete endpoint {endpoint}, its config and model")
            }
        }
    }
}

/// What a launch needs: the product, its artifact and path, the parameters and tags chosen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaunchRequest {
    pub product_id: String,
    pub product_name: String,
    pub artifact_id: String,
    pub path_id: String,
    /// The provisioned product's name.
    pub name: String,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
}

/// The launch form's inputs, read from the product itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaunchOptions {
    pub product_id: String,
    pub product_name: String,
    pub artifact_id: String,
    pub artifact_name: String,
    pub path_id: String,
    pub path_name: String,
    pub parameters: Vec<LaunchParameter>,
    /// TagOption keys and the values allowed for each.
    pub tag_options: Vec<(String, Vec<String>)>,
}

/// One provisioning parameter: allowed values become a picker, the default is preselected.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaunchParameter {
    pub key: String,
    pub description: String,
    pub default: Option<String>,
    pub allowed: Vec<String>,
}

/// A provisioning record as DescribeRecord tells it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordState {
    /// `CREATED`, `IN_PROGRESS`, `IN_PROGRESS_IN_ERROR`, `SUCCEEDED`, `FAILED`.
    pub status: String,
    pub provisioned_product_id: String,
    pub errors: Vec<String>,
    pub outputs: BTreeMap<String, String>,
}

impl RecordState {
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "SUCCEEDED" | "FAILED")
    }
}

/// What an action did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionDone {
    /// One line, past tense.
    pub summary: String,
    /// Work remains: call the same action again (a bucket emptied in batches).
    pub more: bool,
    /// Things removed or changed by this call (object versions deleted, ...).
    pub count: u64,
    /// An id to follow up (the record id of a launch).
    pub id: Option<String>,
}

impl ActionDone {
    pub fn new(summary: impl Into<String>) -> Self {
        ActionDone {
            summary: summary.into(),
            ..ActionDone::default()
        }
    }
}

/// Why an action did not happen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("{0}")]
    Account(#[from] AccountError),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
}

/// Error codes of a service too busy or briefly failing: the same call may succeed later.
const TRANSIENT_CODES: [&str; 14] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "InternalFailure",
    "InternalError",
    "InternalServerError",
    "InternalServiceError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "RequestTimeout",
];

impl ActionError {
    /// True when the same call may succeed if made again later: throttled, out of reach for a
    /// moment, or the service failing briefly. Access denied, not found, a refusal or a
    /// validation error stay what they are.
    pub fn retryable(&self) -> bool {
        match self {
            ActionError::Account(e) => {
                matches!(e.kind, ErrorKind::Throttled | ErrorKind::Unreachable)
            }
            ActionError::Failed(m) => m
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|word| TRANSIENT_CODES.contains(&word)),
            ActionError::NotFound(_) | ActionError::Refused(_) => false,
        }
    }
}

/// The refusal every backend gives in read-only mode, before any call.
pub fn read_only_refusal() -> ActionError {
    ActionError::Refused(
        "crossdeck is read-only (--read-only or read_only = true): no change is made".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(kind: ErrorKind) -> ActionError {
        ActionError::Account(AccountError {
            kind,
            message: "x".into(),
            detail: String::new(),
        })
    }

    #[test]
    fn only_throttling_and_brief_failures_are_retried() {
        assert!(account(ErrorKind::Throttled).retryable());
        assert!(account(ErrorKind::Unreachable).retryable());
        assert!(
            ActionError::Failed("DescribeRecord: ThrottlingException: Rate exceeded".into())
                .retryable()
        );
        assert!(
            ActionError::Failed("DescribeRecord: InternalFailure: try again".into()).retryable()
        );
        assert!(!account(ErrorKind::AccessDenied).retryable());
        assert!(!account(ErrorKind::Expired).retryable());
        assert!(
            !ActionError::Failed("DescribeRecord: AccessDeniedException: no".into()).retryable()
        );
        assert!(
            !ActionError::Failed("DescribeRecord: ValidationException: bad id".into()).retryable()
        );
        assert!(!ActionError::NotFound("record".into()).retryable());
        assert!(!read_only_refusal().retryable());
    }
}
