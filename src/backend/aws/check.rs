//! `crossdeck check`: per account, the credentials used, the account id seen against the one
//! configured, and whether each call its polls make is allowed, named by the IAM permissions
//! the poll needs.

use super::AwsBackend;
use super::clients::Clients;
use super::errors::CallError;
use super::{catalog, identity, pipelines, s3, sagemaker, stacks};
use crate::backend::AccountKey;
use crate::lab::{LabInfo, LabNames, Role, Stack};

/// DescribeStacks without a StackName, as the poll lists the lab's stacks.
pub const LIST_STACKS: &str = "cloudformation:DescribeStacks + ListStacks";
pub const STACK_EVENTS: &str = "cloudformation:DescribeStackEvents";
pub const SHARES: &str = "servicecatalog:DescribePortfolioShares";
pub const LIST_PIPELINES: &str = "codepipeline:ListPipelines";
pub const PIPELINE_STATE: &str = "codepipeline:GetPipelineState";
pub const PIPELINE_EXECUTIONS: &str = "codepipeline:ListPipelineExecutions";
pub const PIPELINE: &str = "codepipeline:GetPipeline";
pub const LIST_ENDPOINTS: &str = "sagemaker:ListEndpoints";
/// DescribeEndpoint and the DescribeEndpointConfig of its config.
pub const ENDPOINT: &str = "sagemaker:DescribeEndpoint + DescribeEndpointConfig";
/// ListBuckets with the artifact bucket's prefix.
pub const LIST_BUCKETS: &str = "s3:ListAllMyBuckets (ListBuckets)";
/// ListObjectsV2 or HeadBucket on a lab bucket.
pub const BUCKET: &str = "s3:ListBucket (ListObjectsV2, HeadBucket)";
pub const VERSIONING: &str = "s3:GetBucketVersioning";
pub const PRODUCTS: &str = "servicecatalog:SearchProvisionedProducts";
pub const PRODUCT_OUTPUTS: &str = "servicecatalog:GetProvisionedProductOutputs";
pub const NOTEBOOKS: &str = "sagemaker:ListNotebookInstances";

/// How one probe went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Probe {
    Ok,
    /// Not sent: the call needs a resource the lab does not have (yet), or the call that
    /// finds it failed; why, in words.
    NotYet(String),
    Failed(String),
}

/// The outcome of checking one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountCheck {
    pub key: AccountKey,
    pub configured: String,
    /// Where the credentials come from, in words.
    pub source: String,
    /// The account and ARN STS reports, or why it could not be asked.
    pub identity: Result<identity::Identity, String>,
    /// Each call the account's polls make, by the permissions it needs, and how it went.
    pub calls: Vec<(&'static str, Probe)>,
}

impl AccountCheck {
    pub fn passed(&self) -> bool {
        self.identity
            .as_ref()
            .is_ok_and(|i| i.account == self.configured)
            && self
                .calls
                .iter()
                .all(|(_, p)| !matches!(p, Probe::Failed(_)))
    }
}

/// Check one account: GetCallerIdentity, then each call its polls make, in the poll's order,
/// on the lab's own resources where the call needs one.
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
    c.run(async {
        check.identity = identity::caller(&c.sts)
            .await
            .map_err(|e| super::explain(backend.account(key), e).message);
        if check.identity.is_err() {
            return;
        }
        let Some(info) = backend.labs().get(key.lab) else {
            return;
        };
        let mut probes = Probes::default();
        probes
            .run(c, key.role, &check.configured, info, backend.names())
            .await;
        check.calls = probes.0;
    })
    .await;
    check
}

/// The probes so far.
#[derive(Default)]
struct Probes(Vec<(&'static str, Probe)>);

impl Probes {
    /// Record a call's outcome; its value when it worked.
    fn call<T>(&mut self, label: &'static str, r: Result<T, CallError>) -> Option<T> {
        match r {
            Ok(v) => {
                self.0.push((label, Probe::Ok));
                Some(v)
            }
            Err(e) => {
                self.0.push((label, Probe::Failed(e.message)));
                None
            }
        }
    }

    fn not_yet(&mut self, label: &'static str, why: impl Into<String>) {
        self.0.push((label, Probe::NotYet(why.into())));
    }

    async fn run(
        &mut self,
        c: &Clients,
        role: Role,
        account_id: &str,
        info: &LabInfo,
        n: &LabNames,
    ) {
        let listed = self.stacks(c, role, account_id, n).await;
        let stacks = listed.unwrap_or_default();
        let has = |name: &str| {
            stacks
                .iter()
                .any(|s| s.name == name && !s.status.starts_with("DELETE_COMPLETE"))
        };
        let output = |stack: &str, key: &str| {
            stacks
                .iter()
                .find(|s| s.name == stack)
                .and_then(|s| s.outputs.get(key).cloned())
        };
        match role {
            Role::Tools => {
                match output(&n.tools_catalog_stack, "MasterPortfolioId") {
                    Some(id) => {
                        let r = catalog::shares(&c.sc, &id, &n.portfolio_name).await;
                        self.call(SHARES, r);
                    }
                    None => self.not_yet(
                        SHARES,
                        format!(
                            "no portfolio yet ({} has no MasterPortfolioId)",
                            n.tools_catalog_stack
                        ),
                    ),
                }
                let listed = self.call(
                    LIST_PIPELINES,
                    pipelines::list(&c.cp, &n.pipeline_prefix).await,
                );
                let pipeline = output(&n.pipeline_stack, "CodePipeline")
                    .or_else(|| listed.and_then(|l| l.into_iter().next()));
                self.pipeline(c, pipeline.as_deref()).await;
                self.endpoints(c, n).await;
                let uid = info
                    .unique_id
                    .as_deref()
                    .or_else(|| crate::lab::stack_unique_id(&stacks, &n.pipeline_stack))
                    .unwrap_or_default();
                let prefix = format!("{}{uid}-", n.artifacts_bucket_prefix);
                let artifacts = self.call(
                    LIST_BUCKETS,
                    s3::find_bucket(&c.s3, &prefix, |b| n.is_artifacts_bucket(uid, b)).await,
                );
                let bucket = if has(&n.prep_stack) {
                    Some(n.lambda_bucket(account_id))
                } else if has(&n.pipeline_stack) {
                    Some(n.data_model_bucket(account_id))
                } else {
                    artifacts.flatten()
                };
                self.bucket(c, bucket, "no lab bucket yet").await;
            }
            Role::DataScience => {
                let products = self.call(PRODUCTS, catalog::products(&c.sc).await);
                let product = products.and_then(|p| {
                    p.into_iter()
                        .find(|x| n.is_lab_product(&x.product_name, &x.product_id, None))
                });
                let bucket = match &product {
                    Some(p) => {
                        let outputs =
                            self.call(PRODUCT_OUTPUTS, catalog::outputs(&c.sc, &p.id).await);
                        outputs.and_then(|o| o.get("BucketName").cloned())
                    }
                    None => {
                        self.not_yet(PRODUCT_OUTPUTS, "no provisioned product yet");
                        None
                    }
                };
                self.call(NOTEBOOKS, sagemaker::notebooks(&c.sm).await);
                self.bucket(c, bucket, "no product bucket yet").await;
            }
            Role::Stage | Role::Production => {
                self.endpoints(c, n).await;
                let bucket = has(&n.stage_stack).then(|| n.data_model_bucket(account_id));
                self.bucket(c, bucket, format!("no {} stack yet", n.stage_stack))
                    .await;
            }
        }
    }

    /// DescribeStacks without a name, then DescribeStackEvents of the first lab stack listed.
    async fn stacks(
        &mut self,
        c: &Clients,
        role: Role,
        account_id: &str,
        n: &LabNames,
    ) -> Option<Vec<Stack>> {
        let names: Vec<&str> = match role {
            Role::Tools => vec![&n.tools_catalog_stack, &n.prep_stack, &n.pipeline_stack],
            Role::DataScience => vec![&n.ds_catalog_stack, &n.ds_resources_stack],
            Role::Stage | Role::Production => vec![&n.stage_stack],
        };
        let product_prefix = format!("SC-{account_id}-pp-");
        let listed = stacks::describe(&c.cfn, |s| {
            names.contains(&s) || (role == Role::DataScience && s.starts_with(&product_prefix))
        })
        .await;
        let listed = self.call(LIST_STACKS, listed)?;
        match listed.first() {
            Some(s) => {
                let r = stacks::events(&c.cfn, &s.name).await;
                self.call(STACK_EVENTS, r);
            }
            None => self.not_yet(STACK_EVENTS, "no lab stack yet"),
        }
        Some(listed)
    }

    /// GetPipelineState, ListPipelineExecutions and GetPipeline of the lab's pipeline.
    async fn pipeline(&mut self, c: &Clients, name: Option<&str>) {
        let Some(name) = name else {
            for label in [PIPELINE_STATE, PIPELINE_EXECUTIONS, PIPELINE] {
                self.not_yet(label, "no pipeline yet");
            }
            return;
        };
        let (state, latest, structure) = tokio::join!(
            pipelines::state(&c.cp, name),
            pipelines::latest_execution(&c.cp, name),
            pipelines::structure(&c.cp, name),
        );
        self.call(PIPELINE_STATE, state);
        self.call(PIPELINE_EXECUTIONS, latest);
        self.call(PIPELINE, structure);
    }

    /// ListEndpoints under the lab's prefix, then DescribeEndpoint (+ config) of the first.
    async fn endpoints(&mut self, c: &Clients, n: &LabNames) {
        let listed = sagemaker::list_endpoints(&c.sm, &n.endpoint_prefix).await;
        match self
            .call(LIST_ENDPOINTS, listed)
            .and_then(|l| l.into_iter().next())
        {
            Some(e) => {
                let r = sagemaker::describe_endpoint(&c.sm, &e.name).await;
                self.call(ENDPOINT, r);
            }
            None => self.not_yet(ENDPOINT, "no lab endpoint yet"),
        }
    }

    /// HeadBucket and GetBucketVersioning of a lab bucket the poll reads.
    async fn bucket(&mut self, c: &Clients, bucket: Option<String>, why: impl Into<String>) {
        let Some(b) = bucket else {
            let why = why.into();
            self.not_yet(BUCKET, why.clone());
            self.not_yet(VERSIONING, why);
            return;
        };
        match self.call(BUCKET, s3::exists(&c.s3, &b).await) {
            Some(true) => {
                let r = s3::versioned(&c.s3, &b).await;
                self.call(VERSIONING, r);
            }
            Some(false) => self.not_yet(VERSIONING, format!("no bucket {b} yet")),
            None => self.not_yet(VERSIONING, format!("HeadBucket {b} failed")),
        }
    }
}
