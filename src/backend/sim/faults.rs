//! Which participants misbehave, and the exact words AWS uses when they do.

use crate::lab::{AccountError, ErrorKind};

/// A scripted way for a participant's lab to go wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forgets one Lambda zip, so `MLOpsPipeline` fails and rolls back.
    StackRollback,
    /// `DeployToStageEnv` cannot assume the Stage account's role.
    ActionFails,
    /// The Tools endpoint fails on a service quota.
    EndpointFails,
    /// The instructor's credentials are refused in the Stage account.
    CredentialsDenied,
}

impl Fault {
    /// The fault participant `index` plays: fixed by index so demos are predictable.
    pub(crate) fn assigned(index: usize, participants: usize, enabled: bool) -> Option<Fault> {
        if !enabled || participants < 2 {
            return None;
        }
        match index {
            1 => Some(Fault::StackRollback),
            2 => Some(Fault::ActionFails),
            3 => Some(Fault::EndpointFails),
            4 => Some(Fault::CredentialsDenied),
            _ => None,
        }
    }
}

/// A Lambda function whose code zip is missing from the bucket.
pub(crate) fn missing_key_reason(request_id: &str) -> String {
    format!(
        "Resource handler returned message: \"Error occurred while GetObject. S3 Error Code: \
         NoSuchKey. S3 Error Message: The specified key does not exist. (Service: Lambda, Status \
         Code: 400, Request ID: {request_id})\""
    )
}

pub(crate) fn create_failed_reason(logical_ids: &[&str]) -> String {
    format!(
        "The following resource(s) failed to create: [{}]. Rollback requested by user.",
        logical_ids.join(", ")
    )
}

pub(crate) fn bucket_not_empty_reason(request_id: &str) -> String {
    format!(
        "Resource handler returned message: \"The bucket you tried to delete is not empty. You \
         must delete all versions in the bucket. (Service: S3, Status Code: 409, Request ID: \
         {request_id})\""
    )
}

pub(crate) fn delete_failed_reason(logical_ids: &[&str]) -> String {
    format!(
        "The following resource(s) failed to delete: [{}]. ",
        logical_ids.join(", ")
    )
}

/// The DeployModel Lambda in Tools cannot assume the Stage account's role.
pub(crate) fn assume_role_denied(tools: &str, stage: &str, uid: &str) -> String {
    format!(
        "Unable to assume role arn:aws:iam::{stage}:role/AllowAccessToToolsAccountRole-{stage}: \
         AccessDenied: User: arn:aws:sts::{tools}:assumed-role/MLOps-BIA-DeployModel-ServiceRole-\
         {uid}/MLOps-BIA-DeployModel-{uid} is not authorized to perform: sts:AssumeRole"
    )
}

pub(crate) const ENDPOINT_LIMIT_REASON: &str = "ResourceLimitExceeded: The account-level service \
     limit 'ml.t2.medium for endpoint usage' is 0 Instances, with current utilization of 0 \
     Instances and a request delta of 1 Instances. Please use AWS Service Quotas to request an \
     increase for this quota.";

/// What reading the Stage account answers for [`Fault::CredentialsDenied`].
pub(crate) fn credentials_denied(stage: &str) -> AccountError {
    AccountError {
        kind: ErrorKind::AccessDenied,
        message: format!(
            "AccessDenied: User: arn:aws:iam::999900000000:user/instructor is not authorized to \
             perform: sts:AssumeRole on resource: arn:aws:iam::{stage}:role/\
             OrganizationAccountAccessRole"
        ),
        detail: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_go_to_fixed_participants() {
        assert_eq!(Fault::assigned(0, 6, true), None);
        assert_eq!(Fault::assigned(1, 6, true), Some(Fault::StackRollback));
        assert_eq!(Fault::assigned(4, 6, true), Some(Fault::CredentialsDenied));
        assert_eq!(Fault::assigned(5, 6, true), None);
        assert_eq!(Fault::assigned(1, 6, false), None);
        assert_eq!(Fault::assigned(0, 1, true), None);
    }

    #[test]
    fn messages_read_as_aws_writes_them() {
        assert_eq!(
            assume_role_denied("111", "333", "ali0"),
            "Unable to assume role arn:aws:iam::333:role/AllowAccessToToolsAccountRole-333: \
             AccessDenied: User: arn:aws:sts::111:assumed-role/MLOps-BIA-DeployModel-ServiceRole-ali0/\
             MLOps-BIA-DeployModel-ali0 is not authorized to perform: sts:AssumeRole"
        );
        assert!(ENDPOINT_LIMIT_REASON.contains("is 0 Instances, with current utilization"));
        assert!(missing_key_reason("x").contains("NoSuchKey. S3 Error Message: The specified"));
        assert_eq!(
            create_failed_reason(&["EvaluateModelLambda"]),
            "The following resource(s) failed to create: [EvaluateModelLambda]. Rollback requested by user."
        );
    }
}
