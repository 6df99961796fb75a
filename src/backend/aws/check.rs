//! `crossdeck check`: per account, the credentials used, the account id seen against the one
//! configured, and which of the read calls polling needs succeed.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::AwsBackend;
use super::errors::CallError;
use super::identity;
use crate::backend::AccountKey;
use crate::lab::Role;

/// The outcome of checking one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountCheck {
    pub key: AccountKey,
    pub configured: String,
    /// Where the credentials come from, in words.
    pub source: String,
    /// The account and ARN STS reports, or why it could not be asked.
    pub identity: Result<identity::Identity, String>,
    /// Each read call and its outcome.
    pub calls: Vec<(&'static str, Result<(), String>)>,
}

impl AccountCheck {
    pub fn passed(&self) -> bool {
        self.identity
            .as_ref()
            .is_ok_and(|i| i.account == self.configured)
            && self.calls.iter().all(|(_, r)| r.is_ok())
    }
}

/// Check one account: GetCallerIdentity, then one read call of each kind its polls make.
pub async fn account(backend: &AwsBackend, key: AccountKey) -> AccountCheck {
    let configured = backend
        .account(key)
        .map(|a| a.account_id.clone())
        .unwrap_or_default();
    let mut check = AccountCheck {
        key,
        configured,
        source: backend
            .account(key)
            .map(|a| a.credentials.describe())
            .unwrap_or_default(),
        identity: Err(String::new()),
        calls: Vec::new(),
    };
    let c = match backend.account_clients(key).await {
        Ok(c) => c,
        Err(e) => {
            check.identity = Err(e.message);
            return check;
        }
    };
    check.identity = identity::caller(&c.sts)
        .await
        .map_err(|e| super::explain(backend.account(key), e).message);
    if check.identity.is_err() {
        return check;
    }
    let calls = match key.role {
        Role::Tools => vec![
            probe(
                "cloudformation:DescribeStacks",
                c.cfn.describe_stacks().send(),
            )
            .await,
            probe("codepipeline:ListPipelines", c.cp.list_pipelines().send()).await,
            probe("sagemaker:ListEndpoints", c.sm.list_endpoints().send()).await,
            probe("s3:ListBuckets", c.s3.list_buckets().send()).await,
        ],
        Role::DataScience => vec![
            probe(
                "cloudformation:DescribeStacks",
                c.cfn.describe_stacks().send(),
            )
            .await,
            probe(
                "sagemaker:ListNotebookInstances",
                c.sm.list_notebook_instances().send(),
            )
            .await,
        ],
        Role::Stage | Role::Production => vec![
            probe(
                "cloudformation:DescribeStacks",
                c.cfn.describe_stacks().send(),
            )
            .await,
            probe("sagemaker:ListEndpoints", c.sm.list_endpoints().send()).await,
        ],
    };
    check.calls = calls;
    check
}

/// Run one read call and keep only whether it worked.
async fn probe<T, E>(
    op: &'static str,
    call: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
) -> (&'static str, Result<(), String>)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let result = call
        .await
        .map(drop)
        .map_err(|e| CallError::from_sdk(op, e).message);
    (op, result)
}
