//! The fewest calls per poll: with every service mocked, a second poll of a steady account
//! makes only the calls the README lists, and a credential refresh brings GetCallerIdentity back.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_cloudformation::types::{Output as CfnOutput, Stack as CfnStack, StackStatus};
use aws_sdk_codepipeline::types as cpt;
use aws_sdk_s3::types::{Bucket as S3Bucket, BucketVersioningStatus, Object};
use aws_sdk_sagemaker::types::{
    EndpointStatus, EndpointSummary, NotebookInstanceStatus, NotebookInstanceSummary,
    ProductionVariant, ProductionVariantInstanceType, ProductionVariantSummary,
};
use aws_sdk_servicecatalog::types::{
    PortfolioShareDetail, ProvisionedProductAttribute, ProvisionedProductStatus, RecordOutput,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::DateTime;

use crossdeck::backend::aws::clients::Clients;
use crossdeck::backend::aws::poll::{self, Cache, Ctx};
use crossdeck::lab::{LabInfo, LabNames, PerRole, Role, Timestamp};

const T: &str = "111111111111";
const DS: &str = "222222222222";
const S: &str = "333333333333";
const PIPELINE: &str = "MLOpsPipeline-CodePipeline-ABC";

fn info() -> LabInfo {
    LabInfo {
        name: "alice".into(),
        unique_id: Some("ali".into()),
        accounts: PerRole([Some(T.into()), Some(DS.into()), Some(S.into()), None]),
        switch_roles: PerRole::default(),
    }
}

fn when() -> DateTime {
    DateTime::from_secs(1_795_770_000)
}

/// A rule that answers every call of its operation, counting them.
macro_rules! always {
    ($op:path, $out:expr) => {
        mock!($op).sequence().output($out).repeatedly().build()
    };
}

fn stack(name: &str, outputs: &[(&str, &str)]) -> CfnStack {
    let mut b = CfnStack::builder()
        .stack_name(name)
        .stack_status(StackStatus::CreateComplete)
        .creation_time(when());
    for (k, v) in outputs {
        b = b.outputs(CfnOutput::builder().output_key(*k).output_value(*v).build());
    }
    b.build()
}

fn cfn(stacks: Vec<CfnStack>) -> (Rule, aws_sdk_cloudformation::Client) {
    let rule = always!(aws_sdk_cloudformation::Client::describe_stacks, move || {
        aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput::builder()
            .set_stacks(Some(stacks.clone()))
            .build()
    });
    let client = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&rule]);
    (rule, client)
}

fn sts(account: &'static str) -> (Rule, aws_sdk_sts::Client) {
    let rule = always!(aws_sdk_sts::Client::get_caller_identity, move || {
        aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput::builder()
            .account(account)
            .arn(format!("arn:aws:sts::{account}:assumed-role/R/crossdeck"))
            .build()
    });
    let client = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&rule]);
    (rule, client)
}

fn endpoints(name: &'static str) -> (Vec<Rule>, aws_sdk_sagemaker::Client) {
    use aws_sdk_sagemaker::operation as op;
    let list = always!(aws_sdk_sagemaker::Client::list_endpoints, move || {
        op::list_endpoints::ListEndpointsOutput::builder()
            .endpoints(
                EndpointSummary::builder()
                    .endpoint_name(name)
                    .endpoint_arn(format!("arn:aws:sagemaker:us-east-1:{T}:endpoint/{name}"))
                    .creation_time(when())
                    .last_modified_time(when())
                    .endpoint_status(EndpointStatus::InService)
                    .build(),
            )
            .build()
    });
    let describe = always!(aws_sdk_sagemaker::Client::describe_endpoint, move || {
        op::describe_endpoint::DescribeEndpointOutput::builder()
            .endpoint_name(name)
            .endpoint_arn("arn")
            .endpoint_config_name(name)
            .endpoint_status(EndpointStatus::InService)
            .creation_time(when())
            .last_modified_time(when())
            .production_variants(
                ProductionVariantSummary::builder()
                    .variant_name("AllTraffic")
                    .current_instance_count(1)
                    .build(),
            )
            .build()
    });
    let config = always!(aws_sdk_sagemaker::Client::describe_endpoint_config, || {
        op::describe_endpoint_config::DescribeEndpointConfigOutput::builder()
            .endpoint_config_name("c")
            .endpoint_config_arn("arn")
            .creation_time(when())
            .production_variants(
                ProductionVariant::builder()
                    .variant_name("AllTraffic")
                    .instance_type(ProductionVariantInstanceType::MlT2Medium)
                    .initial_instance_count(1)
                    .build(),
            )
            .build()
    });
    let notebooks = always!(aws_sdk_sagemaker::Client::list_notebook_instances, || {
        op::list_notebook_instances::ListNotebookInstancesOutput::builder()
            .notebook_instances(
                NotebookInstanceSummary::builder()
                    .notebook_instance_name("SC-222222222222-pp-x-NotebookInstance-mnist")
                    .notebook_instance_arn("arn")
                    .notebook_instance_status(NotebookInstanceStatus::InService)
                    .build(),
            )
            .build()
    });
    let client = mock_client!(
        aws_sdk_sagemaker,
        RuleMode::MatchAny,
        [&list, &describe, &config, &notebooks]
    );
    (vec![list, describe, config, notebooks], client)
}

fn s3(objects: &'static [&'static str]) -> (Vec<Rule>, aws_sdk_s3::Client) {
    use aws_sdk_s3::operation as op;
    let list = always!(aws_sdk_s3::Client::list_objects_v2, move || {
        op::list_objects_v2::ListObjectsV2Output::builder()
            .set_contents(Some(
                objects
                    .iter()
                    .map(|k| Object::builder().key(*k).build())
                    .collect(),
            ))
            .build()
    });
    let versioning = always!(aws_sdk_s3::Client::get_bucket_versioning, || {
        op::get_bucket_versioning::GetBucketVersioningOutput::builder()
            .status(BucketVersioningStatus::Enabled)
            .build()
    });
    let head = always!(aws_sdk_s3::Client::head_bucket, || {
        op::head_bucket::HeadBucketOutput::builder().build()
    });
    let buckets = always!(aws_sdk_s3::Client::list_buckets, || {
        op::list_buckets::ListBucketsOutput::builder()
            .buckets(
                S3Bucket::builder()
                    .name("mlops-bia-codepipeline-artifacts-ali-0a1b2c3d")
                    .build(),
            )
            .build()
    });
    let client = mock_client!(
        aws_sdk_s3,
        RuleMode::MatchAny,
        [&list, &versioning, &head, &buckets]
    );
    (vec![list, versioning, head, buckets], client)
}

fn catalog() -> (Vec<Rule>, aws_sdk_servicecatalog::Client) {
    use aws_sdk_servicecatalog::operation as op;
    let shares = always!(
        aws_sdk_servicecatalog::Client::describe_portfolio_shares,
        || {
            op::describe_portfolio_shares::DescribePortfolioSharesOutput::builder()
                .portfolio_share_details(
                    PortfolioShareDetail::builder()
                        .principal_id(DS)
                        .accepted(true)
                        .build(),
                )
                .build()
        }
    );
    let search = always!(
        aws_sdk_servicecatalog::Client::search_provisioned_products,
        || {
            op::search_provisioned_products::SearchProvisionedProductsOutput::builder()
                .provisioned_products(
                    ProvisionedProductAttribute::builder()
                        .name("alice-notebook")
                        .id("pp-abc")
                        .product_name("Amazon Secure Sagemaker")
                        .status(ProvisionedProductStatus::Available)
                        .created_time(when())
                        .build(),
                )
                .build()
        }
    );
    let outputs = always!(
        aws_sdk_servicecatalog::Client::get_provisioned_product_outputs,
        || {
            op::get_provisioned_product_outputs::GetProvisionedProductOutputsOutput::builder()
                .outputs(
                    RecordOutput::builder()
                        .output_key("BucketName")
                        .output_value("mnist-notebook-data-x1")
                        .build(),
                )
                .build()
        }
    );
    let client = mock_client!(
        aws_sdk_servicecatalog,
        RuleMode::MatchAny,
        [&shares, &search, &outputs]
    );
    (vec![shares, search, outputs], client)
}

fn pipeline() -> (Vec<Rule>, aws_sdk_codepipeline::Client) {
    use aws_sdk_codepipeline::operation as op;
    let state = always!(aws_sdk_codepipeline::Client::get_pipeline_state, || {
        op::get_pipeline_state::GetPipelineStateOutput::builder()
            .pipeline_name(PIPELINE)
            .pipeline_version(1)
            .stage_states(
                cpt::StageState::builder()
                    .stage_name("Source")
                    .action_states(
                        cpt::ActionState::builder()
                            .action_name("Data")
                            .latest_execution(
                                cpt::ActionExecution::builder()
                                    .status(cpt::ActionExecutionStatus::Succeeded)
                                    .last_status_change(when())
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let structure = always!(aws_sdk_codepipeline::Client::get_pipeline, || {
        let action = cpt::ActionDeclaration::builder()
            .name("Data")
            .action_type_id(
                cpt::ActionTypeId::builder()
                    .category(cpt::ActionCategory::Source)
                    .owner(cpt::ActionOwner::Aws)
                    .provider("S3")
                    .version("1")
                    .build()
                    .expect("action type"),
            )
            .build()
            .expect("action");
        op::get_pipeline::GetPipelineOutput::builder()
            .pipeline(
                cpt::PipelineDeclaration::builder()
                    .name(PIPELINE)
                    .role_arn("arn:aws:iam::111111111111:role/R")
                    .version(1)
                    .stages(
                        cpt::StageDeclaration::builder()
                            .name("Source")
                            .actions(action)
                            .build()
                            .expect("stage"),
                    )
                    .build()
                    .expect("pipeline"),
            )
            .build()
    });
    let executions = always!(
        aws_sdk_codepipeline::Client::list_pipeline_executions,
        || {
            op::list_pipeline_executions::ListPipelineExecutionsOutput::builder()
                .pipeline_execution_summaries(
                    cpt::PipelineExecutionSummary::builder()
                        .pipeline_execution_id("exec-1")
                        .status(cpt::PipelineExecutionStatus::Succeeded)
                        .start_time(when())
                        .build(),
                )
                .build()
        }
    );
    let list = always!(aws_sdk_codepipeline::Client::list_pipelines, || {
        op::list_pipelines::ListPipelinesOutput::builder().build()
    });
    let client = mock_client!(
        aws_sdk_codepipeline,
        RuleMode::MatchAny,
        [&state, &structure, &executions, &list]
    );
    (vec![state, structure, executions, list], client)
}

/// Calls per rule since the last look.
struct Counter {
    rules: Vec<(&'static str, Rule)>,
    seen: Vec<usize>,
}

impl Counter {
    fn new(rules: Vec<(&'static str, Rule)>) -> Self {
        let seen = vec![0; rules.len()];
        Counter { rules, seen }
    }

    /// The operations called since the last look, with how often.
    fn since(&mut self) -> Vec<(&'static str, usize)> {
        let mut out = Vec::new();
        for (i, (name, rule)) in self.rules.iter().enumerate() {
            let n = rule.num_calls();
            if n > self.seen[i] {
                out.push((*name, n - self.seen[i]));
            }
            self.seen[i] = n;
        }
        out
    }
}

/// One account with every service mocked, and a counter over every rule.
fn account(
    account: &'static str,
    stacks: Vec<CfnStack>,
    endpoint: &'static str,
    objects: &'static [&'static str],
) -> (Clients, Counter, Arc<AtomicU64>) {
    let (sts_rule, sts) = sts(account);
    let (cfn_rule, cfn) = cfn(stacks);
    let (sc_rules, sc) = catalog();
    let (cp_rules, cp) = pipeline();
    let (sm_rules, sm) = endpoints(endpoint);
    let (s3_rules, s3) = s3(objects);
    let fetches = Arc::new(AtomicU64::new(1));
    let c = Clients {
        sts: sts.into(),
        cfn: cfn.into(),
        sc: sc.into(),
        cp: cp.into(),
        sm: sm.into(),
        s3: s3.into(),
        cw: mock_client!(
            aws_sdk_cloudwatch,
            RuleMode::Sequential,
            Vec::<&Rule>::new()
        )
        .into(),
        smr: mock_client!(
            aws_sdk_sagemakerruntime,
            RuleMode::Sequential,
            Vec::<&Rule>::new()
        )
        .into(),
        fetches: fetches.clone(),
        source: "mock".into(),
        region: "us-east-1".into(),
        account: None,
    };
    let mut rules: Vec<(&'static str, Rule)> = vec![
        ("GetCallerIdentity", sts_rule),
        ("DescribeStacks", cfn_rule),
    ];
    let groups: [(&[&'static str], Vec<Rule>); 4] = [
        (
            &[
                "DescribePortfolioShares",
                "SearchProvisionedProducts",
                "GetProvisionedProductOutputs",
            ],
            sc_rules,
        ),
        (
            &[
                "GetPipelineState",
                "GetPipeline",
                "ListPipelineExecutions",
                "ListPipelines",
            ],
            cp_rules,
        ),
        (
            &[
                "ListEndpoints",
                "DescribeEndpoint",
                "DescribeEndpointConfig",
                "ListNotebookInstances",
            ],
            sm_rules,
        ),
        (
            &[
                "ListObjectsV2",
                "GetBucketVersioning",
                "HeadBucket",
                "ListBuckets",
            ],
            s3_rules,
        ),
    ];
    for (names, group) in groups {
        rules.extend(names.iter().copied().zip(group));
    }
    (c, Counter::new(rules), fetches)
}

async fn poll_ok(c: &Clients, cache: &mut Cache, role: Role, account: &str) {
    let info = info();
    let names = LabNames::default();
    let ctx = Ctx {
        role,
        account_id: account,
        info: &info,
        names: &names,
        now: Timestamp(0),
    };
    let snap = poll::poll(c, cache, ctx).await.expect("poll");
    assert!(snap.warnings.is_empty(), "{:?}", snap.warnings);
}

#[tokio::test]
async fn a_steady_tools_account_costs_four_calls_a_poll() {
    let (c, mut count, fetches) = account(
        T,
        vec![
            stack("LabSCToolsAccountSetup", &[("MasterPortfolioId", "port-1")]),
            stack("MLOpsPipelinePrep", &[]),
            stack("MLOpsPipeline", &[("CodePipeline", PIPELINE)]),
        ],
        "datascience-project-2026-11-27-09-00-00-Tools",
        &[
            "MLOps-BIA-DeployModel.py.zip",
            "MLOps-BIA-GetStatus.py.zip",
            "MLOps-BIA-EvaluateModel.py.zip",
            "models/model.tar.gz",
        ],
    );
    let mut cache = Cache::default();

    poll_ok(&c, &mut cache, Role::Tools, T).await;
    let first = count.since();
    for op in [
        "GetCallerIdentity",
        "DescribeStacks",
        "DescribePortfolioShares",
        "GetPipelineState",
        "GetPipeline",
        "ListPipelineExecutions",
        "ListEndpoints",
        "DescribeEndpoint",
        "DescribeEndpointConfig",
        "ListObjectsV2",
        "GetBucketVersioning",
        "ListBuckets",
    ] {
        assert!(
            first.iter().any(|(o, _)| *o == op),
            "first poll lacks {op}: {first:?}"
        );
    }
    // The pipeline is named by the stack: no ListPipelines.
    assert!(
        !first.iter().any(|(o, _)| *o == "ListPipelines"),
        "{first:?}"
    );

    poll_ok(&c, &mut cache, Role::Tools, T).await;
    assert_eq!(
        count.since(),
        [
            ("DescribeStacks", 1),
            ("GetPipelineState", 1),
            ("ListPipelineExecutions", 1),
            ("ListEndpoints", 1)
        ]
    );

    // Credentials refreshed: the identity is checked once more, then not again.
    fetches.fetch_add(1, Ordering::Relaxed);
    poll_ok(&c, &mut cache, Role::Tools, T).await;
    assert!(count.since().contains(&("GetCallerIdentity", 1)));
    poll_ok(&c, &mut cache, Role::Tools, T).await;
    assert!(!count.since().iter().any(|(o, _)| *o == "GetCallerIdentity"));
}

#[tokio::test]
async fn steady_datascience_and_stage_accounts_cost_three_and_two_calls() {
    for (role, account, steady) in [
        (
            Role::DataScience,
            DS,
            vec![
                ("DescribeStacks", 1),
                ("SearchProvisionedProducts", 1),
                ("ListNotebookInstances", 1),
            ],
        ),
        (
            Role::Stage,
            S,
            vec![("DescribeStacks", 1), ("ListEndpoints", 1)],
        ),
    ] {
        let (c, mut count, _) = self::account(
            account,
            vec![
                stack("LabDSAccountSCSetup", &[]),
                stack("StageResources", &[]),
            ],
            "datascience-project-2026-11-27-09-00-00-Stage",
            &[],
        );
        let mut cache = Cache::default();
        poll_ok(&c, &mut cache, role, account).await;
        let first = count.since();
        // The bucket of note is checked once (HeadBucket and versioning), then kept.
        assert!(first.contains(&("HeadBucket", 1)), "{role}: {first:?}");
        poll_ok(&c, &mut cache, role, account).await;
        assert_eq!(count.since(), steady, "{role}");
    }
}
