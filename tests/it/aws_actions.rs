//! Actions on real accounts against mocked SDK clients: each typed `Action` sends the request
//! AWS documents (checked field by field, each rule called exactly once), the launch form is
//! read from the product end to end, records and notebook URLs are mapped, invalid input is
//! refused before any call, and read-only mode refuses everything.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_sdk_codepipeline::types::{ApprovalStatus, StageRetryMode, StageTransitionType};
use aws_sdk_servicecatalog::operation::provision_product::{
    ProvisionProductError, ProvisionProductInput, ProvisionProductOutput,
};
use aws_sdk_servicecatalog::types::ProductViewFilterBy;
use aws_smithy_mocks::{Rule, RuleBuilder, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crossdeck::backend::aws::AwsBackend;
use crossdeck::backend::aws::actions;
use crossdeck::backend::aws::clients::Clients;
use crossdeck::backend::aws::gates::MAX_REASON;
use crossdeck::backend::{
    AccountKey, Action, ActionError, Backend, LaunchOptions, LaunchParameter, LaunchRequest,
    RecordState, read_only_refusal,
};
use crossdeck::config::Config;
use crossdeck::lab::{LabNames, Role};

use crate::aws_mock::{body, json_error};
use crate::fixtures::DS;

/// A client with no rules: any call it gets fails the test.
macro_rules! no_calls {
    ($sdk:ident) => {
        mock_client!($sdk, RuleMode::Sequential, Vec::<&Rule>::new())
    };
}

/// One account's clients: the given ones, every other client refusing all calls.
fn clients(
    sc: aws_sdk_servicecatalog::Client,
    cp: aws_sdk_codepipeline::Client,
    sm: aws_sdk_sagemaker::Client,
) -> Clients {
    Clients {
        sts: no_calls!(aws_sdk_sts).into(),
        cfn: no_calls!(aws_sdk_cloudformation).into(),
        sc: sc.into(),
        cp: cp.into(),
        sm: sm.into(),
        s3: no_calls!(aws_sdk_s3).into(),
        cw: no_calls!(aws_sdk_cloudwatch).into(),
        smr: no_calls!(aws_sdk_sagemakerruntime).into(),
        fetches: Arc::new(AtomicU64::new(0)),
        source: "mock".into(),
        region: "us-east-1".into(),
        account: None,
    }
}

fn sc_only(sc: aws_sdk_servicecatalog::Client) -> Clients {
    clients(
        sc,
        no_calls!(aws_sdk_codepipeline),
        no_calls!(aws_sdk_sagemaker),
    )
}

fn cp_only(cp: aws_sdk_codepipeline::Client) -> Clients {
    clients(
        no_calls!(aws_sdk_servicecatalog),
        cp,
        no_calls!(aws_sdk_sagemaker),
    )
}

fn sm_only(sm: aws_sdk_sagemaker::Client) -> Clients {
    clients(
        no_calls!(aws_sdk_servicecatalog),
        no_calls!(aws_sdk_codepipeline),
        sm,
    )
}

fn no_clients() -> Clients {
    clients(
        no_calls!(aws_sdk_servicecatalog),
        no_calls!(aws_sdk_codepipeline),
        no_calls!(aws_sdk_sagemaker),
    )
}

const PRODUCT: &str = "Amazon Secure Sagemaker";
const PRODUCT_ID: &str = "prod-4v6rc4hwaiiha";
const ARTIFACT_ID: &str = "pa-2mdxbsqlq3jjm";
const PATH_ID: &str = "lpv3-6u3lyfmtqnlla";
const RECORD_ID: &str = "rec-3zq4cw2mkqf2e";
const PP_ID: &str = "pp-5cyu2rpgaxfbk";
const PIPELINE: &str = "MLOpsPipeline-CodePipeline-ABCDEF123456";
const NOTEBOOK: &str = "SC-222222222222-pp-5cyu2rpgaxfbk-NotebookInstance-mnist";

// ---- Service Catalog: the launch form ----

/// SearchProducts: a similarly named product first, then the lab's.
fn search_products_body() -> String {
    format!(
        r#"{{
  "ProductViewSummaries": [
    {{ "Id": "prodview-aaaaaaaaaaaaa", "ProductId": "prod-oldoldoldold1",
       "Name": "{PRODUCT} (retired)", "Owner": "IT", "Type": "CLOUD_FORMATION_TEMPLATE",
       "HasDefaultPath": false }},
    {{ "Id": "prodview-kbqt2ytlaxpom", "ProductId": "{PRODUCT_ID}", "Name": "{PRODUCT}",
       "Owner": "Central IT", "ShortDescription": "SageMaker notebook in a private VPC",
       "Type": "CLOUD_FORMATION_TEMPLATE", "Distributor": "", "HasDefaultPath": false,
       "SupportEmail": "", "SupportDescription": "", "SupportUrl": "" }}
  ],
  "ProductViewAggregations": {{}}
}}"#
    )
}

/// DescribeProduct: the active versions; a newer beta is marked DEPRECATED.
fn describe_product_body() -> String {
    format!(
        r#"{{
  "ProductViewSummary": {{ "Id": "prodview-kbqt2ytlaxpom", "ProductId": "{PRODUCT_ID}",
                          "Name": "{PRODUCT}", "Owner": "Central IT",
                          "Type": "CLOUD_FORMATION_TEMPLATE" }},
  "ProvisioningArtifacts": [
    {{ "Id": "pa-oldversion0001", "Name": "Version - 0.9", "Description": "first cut",
       "CreatedTime": 1700000000, "Guidance": "DEFAULT" }},
    {{ "Id": "{ARTIFACT_ID}", "Name": "Version - 1.0", "Description": "the lab's",
       "CreatedTime": 1710000000, "Guidance": "DEFAULT" }},
    {{ "Id": "pa-betabetabeta1", "Name": "Version - 2.0-beta", "Description": "do not use",
       "CreatedTime": 1720000000, "Guidance": "DEPRECATED" }}
  ],
  "Budgets": [],
  "LaunchPaths": [ {{ "Id": "{PATH_ID}", "Name": "Spoke Data Scientists Portfolio" }} ]
}}"#
    )
}

/// DescribeProvisioningParameters as the lab's product template declares them.
fn provisioning_parameters_body() -> String {
    r#"{
  "ProvisioningArtifactParameters": [
    { "ParameterKey": "SagemakerInstance", "DefaultValue": "Small", "ParameterType": "String",
      "IsNoEcho": false, "Description": "Instance type for Sagemaker Notebook.",
      "ParameterConstraints": { "AllowedValues": ["Small", "Medium", "Large"] } },
    { "ParameterKey": "TeamName", "DefaultValue": "mnist", "ParameterType": "String",
      "IsNoEcho": false, "Description": "Name of your team",
      "ParameterConstraints": { "AllowedValues": ["forecasting", "sentiment-analysis", "mnist"] } }
  ],
  "ConstraintSummaries": [ { "Type": "LAUNCH", "Description": "SCSMLaunchRole" } ],
  "UsageInstructions": [ { "Type": "rules", "Value": "{}" } ],
  "TagOptions": [ { "Key": "cost-center", "Values": ["8457", "6534"] } ],
  "ProvisioningArtifactPreferences": {},
  "ProvisioningArtifactOutputKeys": [
    { "Key": "SageMakerNoteBookURL", "Description": "SageMaker Notebook Instance URL" }
  ]
}"#
    .to_string()
}

fn search_products_rule() -> Rule {
    mock!(aws_sdk_servicecatalog::Client::search_products)
        .match_requests(|r| {
            r.filters().is_some_and(|f| {
                f.len() == 1
                    && f.get(&ProductViewFilterBy::FullTextSearch)
                        == Some(&vec![PRODUCT.to_string()])
            }) && r.page_token().is_none()
        })
        .sequence()
        .http_status(200, body(search_products_body()))
        .build()
}

fn list_launch_paths_rule(answer: String) -> Rule {
    mock!(aws_sdk_servicecatalog::Client::list_launch_paths)
        .match_requests(|r| r.product_id() == Some(PRODUCT_ID))
        .sequence()
        .http_status(200, body(answer))
        .build()
}

#[tokio::test]
async fn launch_options_are_read_from_the_product_end_to_end() {
    let search = search_products_rule();
    let paths = list_launch_paths_rule(format!(
        r#"{{ "LaunchPathSummaries": [
              {{ "Id": "{PATH_ID}", "Name": "Spoke Data Scientists Portfolio",
                 "ConstraintSummaries": [ {{ "Type": "LAUNCH", "Description": "SCSMLaunchRole" }} ],
                 "Tags": [] }},
              {{ "Id": "lpv3-secondpath0000", "Name": "Another portfolio" }} ] }}"#
    ));
    let product = mock!(aws_sdk_servicecatalog::Client::describe_product)
        .match_requests(|r| r.id() == Some(PRODUCT_ID))
        .sequence()
        .http_status(200, body(describe_product_body()))
        .build();
    let parameters = mock!(aws_sdk_servicecatalog::Client::describe_provisioning_parameters)
        .match_requests(|r| {
            r.product_id() == Some(PRODUCT_ID)
                && r.provisioning_artifact_id() == Some(ARTIFACT_ID)
                && r.path_id() == Some(PATH_ID)
        })
        .sequence()
        .http_status(200, body(provisioning_parameters_body()))
        .build();
    let sc = mock_client!(
        aws_sdk_servicecatalog,
        RuleMode::Sequential,
        [&search, &paths, &product, &parameters]
    );

    let options = actions::launch_options(&sc_only(sc), PRODUCT)
        .await
        .expect("launch options");
    for (rule, op) in [
        (&search, "SearchProducts"),
        (&paths, "ListLaunchPaths"),
        (&product, "DescribeProduct"),
        (&parameters, "DescribeProvisioningParameters"),
    ] {
        assert_eq!(rule.num_calls(), 1, "{op} called once");
    }
    let param = |key: &str, description: &str, default: &str, allowed: &[&str]| LaunchParameter {
        key: key.into(),
        description: description.into(),
        default: Some(default.into()),
        allowed: allowed.iter().map(|s| s.to_string()).collect(),
    };
    assert_eq!(
        options,
        LaunchOptions {
            product_id: PRODUCT_ID.into(),
            product_name: PRODUCT.into(),
            artifact_id: ARTIFACT_ID.into(),
            artifact_name: "Version - 1.0".into(),
            path_id: PATH_ID.into(),
            path_name: "Spoke Data Scientists Portfolio".into(),
            parameters: vec![
                param(
                    "SagemakerInstance",
                    "Instance type for Sagemaker Notebook.",
                    "Small",
                    &["Small", "Medium", "Large"]
                ),
                param(
                    "TeamName",
                    "Name of your team",
                    "mnist",
                    &["forecasting", "sentiment-analysis", "mnist"]
                ),
            ],
            tag_options: vec![("cost-center".into(), vec!["8457".into(), "6534".into()])],
        }
    );
}

#[tokio::test]
async fn a_product_not_shared_with_the_caller_is_not_found_by_its_exact_name() {
    // Only a similar name matches the full-text search: no exact match, and nothing else is read.
    let search = mock!(aws_sdk_servicecatalog::Client::search_products)
        .sequence()
        .http_status(
            200,
            body(format!(
                r#"{{ "ProductViewSummaries": [
                      {{ "Id": "prodview-aaaaaaaaaaaaa", "ProductId": "prod-oldoldoldold1",
                         "Name": "{PRODUCT} (retired)" }} ] }}"#
            )),
        )
        .build();
    let sc = mock_client!(aws_sdk_servicecatalog, RuleMode::Sequential, [&search]);
    let err = actions::launch_options(&sc_only(sc), PRODUCT)
        .await
        .expect_err("no exact match");
    assert_eq!(search.num_calls(), 1);
    match err {
        ActionError::NotFound(m) => {
            assert!(
                m.contains(&format!("no product named \"{PRODUCT}\"")),
                "{m}"
            )
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn a_product_without_a_launch_path_says_so() {
    let search = search_products_rule();
    let paths = list_launch_paths_rule(r#"{ "LaunchPathSummaries": [] }"#.into());
    let sc = mock_client!(
        aws_sdk_servicecatalog,
        RuleMode::Sequential,
        [&search, &paths]
    );
    let err = actions::launch_options(&sc_only(sc), PRODUCT)
        .await
        .expect_err("no path");
    assert_eq!(paths.num_calls(), 1);
    match err {
        ActionError::NotFound(m) => assert!(m.contains("has no launch path"), "{m}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

// ---- Service Catalog: provisioning and its record ----

fn request() -> LaunchRequest {
    LaunchRequest {
        product_id: PRODUCT_ID.into(),
        product_name: PRODUCT.into(),
        artifact_id: ARTIFACT_ID.into(),
        path_id: PATH_ID.into(),
        name: "alice-notebook".into(),
        parameters: vec![
            ("SagemakerInstance".into(), "Small".into()),
            ("TeamName".into(), "mnist".into()),
        ],
        tags: vec![("cost-center".into(), "8457".into())],
    }
}

/// ProvisionProduct's answer: the record, just created.
fn provisioned_body() -> String {
    format!(
        r#"{{ "RecordDetail": {{
  "RecordId": "{RECORD_ID}", "ProvisionedProductName": "alice-notebook", "Status": "CREATED",
  "CreatedTime": 1717000000, "UpdatedTime": 1717000000,
  "ProvisionedProductType": "CFN_STACK", "RecordType": "PROVISION_PRODUCT",
  "ProvisionedProductId": "{PP_ID}", "ProductId": "{PRODUCT_ID}",
  "ProvisioningArtifactId": "{ARTIFACT_ID}", "PathId": "{PATH_ID}",
  "RecordErrors": [], "RecordTags": [ {{ "Key": "cost-center", "Value": "8457" }} ] }} }}"#
    )
}

/// A token AWS accepts: `[a-zA-Z0-9][a-zA-Z0-9_-]*`, at most 128 characters.
fn valid_token(t: &str) -> bool {
    t.len() <= 128
        && t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// ProvisionProduct with the request's every field checked; each token seen is kept.
fn provision_rule(
    tokens: Arc<Mutex<Vec<String>>>,
) -> RuleBuilder<ProvisionProductInput, ProvisionProductOutput, ProvisionProductError> {
    mock!(aws_sdk_servicecatalog::Client::provision_product).match_requests(move |r| {
        let params: Vec<(&str, &str)> = r
            .provisioning_parameters()
            .iter()
            .map(|p| (p.key().unwrap_or(""), p.value().unwrap_or("")))
            .collect();
        let tags: Vec<(&str, &str)> = r.tags().iter().map(|t| (t.key(), t.value())).collect();
        if let Some(t) = r.provision_token() {
            tokens.lock().expect("tokens").push(t.to_string());
        }
        r.product_id() == Some(PRODUCT_ID)
            && r.provisioning_artifact_id() == Some(ARTIFACT_ID)
            && r.path_id() == Some(PATH_ID)
            && r.provisioned_product_name() == Some("alice-notebook")
            && params == [("SagemakerInstance", "Small"), ("TeamName", "mnist")]
            && tags == [("cost-center", "8457")]
            && r.provision_token().is_some_and(valid_token)
    })
}

#[tokio::test]
async fn a_launch_provisions_the_product_and_its_record_is_followed_to_the_outputs() {
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let provision = provision_rule(tokens.clone())
        .sequence()
        .http_status(200, body(provisioned_body()))
        .build();
    let detail = |status: &str| {
        format!(
            r#""RecordDetail": {{ "RecordId": "{RECORD_ID}", "ProvisionedProductName": "alice-notebook",
                 "Status": "{status}", "CreatedTime": 1717000000, "UpdatedTime": 1717000300,
                 "ProvisionedProductType": "CFN_STACK", "RecordType": "PROVISION_PRODUCT",
                 "ProvisionedProductId": "{PP_ID}", "ProductId": "{PRODUCT_ID}",
                 "ProvisioningArtifactId": "{ARTIFACT_ID}", "PathId": "{PATH_ID}",
                 "RecordErrors": [] }}"#
        )
    };
    let in_progress = format!(r#"{{ {}, "RecordOutputs": [] }}"#, detail("IN_PROGRESS"));
    let succeeded = format!(
        r#"{{ {}, "RecordOutputs": [
  {{ "OutputKey": "SageMakerNoteBookURL",
     "OutputValue": "https://console.aws.amazon.com/sagemaker/home?region=us-east-1#/notebook-instances/openNotebook/{NOTEBOOK}",
     "Description": "SageMaker Notebook Instance URL" }},
  {{ "OutputKey": "SageMakerNoteBookTerminalURL",
     "OutputValue": "https://console.aws.amazon.com/sagemaker/home?region=us-east-1#/notebook-instances/openNotebook/{NOTEBOOK}?view=terminals",
     "Description": "SageMaker Notebook Terminal URL" }},
  {{ "OutputKey": "BucketName", "OutputValue": "sc-222222222222-pp-5cyu2rpgaxfbk-s3bucket-1x2y3z",
     "Description": "Bucket for the team's data" }}
] }}"#,
        detail("SUCCEEDED")
    );
    let record = mock!(aws_sdk_servicecatalog::Client::describe_record)
        .match_requests(|r| r.id() == Some(RECORD_ID) && r.page_token().is_none())
        .sequence()
        .http_status(200, body(in_progress))
        .http_status(200, body(succeeded))
        .build();
    let sc = mock_client!(
        aws_sdk_servicecatalog,
        RuleMode::Sequential,
        [&provision, &record]
    );
    let c = sc_only(sc);

    let done = actions::act(&c, &LabNames::default(), Action::LaunchProduct(request()))
        .await
        .expect("launched");
    assert_eq!(provision.num_calls(), 1, "ProvisionProduct called once");
    assert_eq!(
        done.id.as_deref(),
        Some(RECORD_ID),
        "the record id to follow"
    );
    assert_eq!(
        done.summary,
        format!("launching {PRODUCT} as alice-notebook")
    );
    assert_eq!(
        tokens.lock().expect("tokens").len(),
        1,
        "a ProvisionToken was sent"
    );

    let first = actions::record(&c, RECORD_ID).await.expect("record");
    assert_eq!(
        first,
        RecordState {
            status: "IN_PROGRESS".into(),
            provisioned_product_id: PP_ID.into(),
            errors: vec![],
            outputs: BTreeMap::new(),
        }
    );
    assert!(!first.finished());

    let last = actions::record(&c, RECORD_ID).await.expect("record");
    assert_eq!(record.num_calls(), 2);
    assert_eq!(last.status, "SUCCEEDED");
    assert!(last.finished());
    assert_eq!(last.provisioned_product_id, PP_ID);
    assert!(last.errors.is_empty());
    assert_eq!(
        last.outputs.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "BucketName",
            "SageMakerNoteBookTerminalURL",
            "SageMakerNoteBookURL"
        ]
    );
    assert_eq!(
        last.outputs["BucketName"],
        "sc-222222222222-pp-5cyu2rpgaxfbk-s3bucket-1x2y3z"
    );
    assert!(last.outputs["SageMakerNoteBookURL"].ends_with(&format!("/openNotebook/{NOTEBOOK}")));
    assert!(last.outputs["SageMakerNoteBookTerminalURL"].ends_with("?view=terminals"));
}

#[tokio::test]
async fn a_failed_record_carries_its_errors() {
    let failed = format!(
        r#"{{ "RecordDetail": {{
  "RecordId": "{RECORD_ID}", "ProvisionedProductName": "alice-notebook", "Status": "FAILED",
  "CreatedTime": 1717000000, "UpdatedTime": 1717000200, "RecordType": "PROVISION_PRODUCT",
  "ProvisionedProductId": "{PP_ID}", "ProductId": "{PRODUCT_ID}",
  "RecordErrors": [
    {{ "Code": "ValidationError",
       "Description": "Parameter validation failed: parameter value ml.t3.huge for parameter name SagemakerInstance does not exist" }},
    {{ "Code": "AccessDenied" }}
  ] }},
  "RecordOutputs": [] }}"#
    );
    let record = mock!(aws_sdk_servicecatalog::Client::describe_record)
        .match_requests(|r| r.id() == Some(RECORD_ID))
        .sequence()
        .http_status(200, body(failed))
        .build();
    let sc = mock_client!(aws_sdk_servicecatalog, RuleMode::Sequential, [&record]);
    let state = actions::record(&sc_only(sc), RECORD_ID)
        .await
        .expect("record");
    assert_eq!(record.num_calls(), 1);
    assert_eq!(state.status, "FAILED");
    assert!(state.finished());
    assert_eq!(
        state.errors,
        [
            "Parameter validation failed: parameter value ml.t3.huge for parameter name \
             SagemakerInstance does not exist",
            "AccessDenied",
        ],
        "descriptions, or the code when a record error has none"
    );
    assert!(state.outputs.is_empty());
}

/// Keeps the ProvisionToken of every request as it goes on the wire, attempt by attempt.
#[derive(Clone, Debug, Default)]
struct WireTokens(Arc<Mutex<Vec<String>>>);

impl Intercept for WireTokens {
    fn name(&self) -> &'static str {
        "WireTokens"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body: serde_json::Value =
            serde_json::from_slice(context.request().body().bytes().unwrap_or_default())?;
        let token = body["ProvisionToken"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.0.lock().expect("tokens").push(token);
        Ok(())
    }
}

#[tokio::test]
async fn a_retried_launch_resends_its_token_and_the_next_launch_gets_a_new_one() {
    let provision = provision_rule(Arc::default())
        .sequence()
        .http_status(500, json_error("InternalFailure", "try again"))
        .http_status(200, body(provisioned_body()))
        .http_status(200, body(provisioned_body()))
        .build();
    let wire = WireTokens::default();
    let sc = mock_client!(
        aws_sdk_servicecatalog,
        RuleMode::Sequential,
        [&provision],
        |c| c
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(2)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(5)),
            )
            .retry_partition(aws_sdk_servicecatalog::config::retry::RetryPartition::new(
                "aws_actions-provision-token"
            ))
            .interceptor(wire.clone())
    );
    let c = sc_only(sc);
    let names = LabNames::default();
    for _ in 0..2 {
        actions::act(&c, &names, Action::LaunchProduct(request()))
            .await
            .expect("launched");
    }
    assert_eq!(
        provision.num_calls(),
        3,
        "one failed attempt, its retry, one more launch"
    );
    let sent = wire.0.lock().expect("tokens").clone();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(sent.iter().all(|t| valid_token(t)), "{sent:?}");
    assert_eq!(sent[0], sent[1], "the retry resends the same token");
    assert_ne!(sent[1], sent[2], "a new launch is a new token");
}

#[tokio::test]
async fn an_invalid_launch_is_refused_before_any_call() {
    let c = no_clients();
    let names = LabNames::default();
    for (name, why) in [
        ("alice notebook", "a space"),
        ("-alice", "a leading dash"),
        ("", "nothing"),
    ] {
        let mut r = request();
        r.name = name.into();
        let err = actions::act(&c, &names, Action::LaunchProduct(r))
            .await
            .expect_err(why);
        assert!(
            matches!(&err, ActionError::Refused(m) if m.contains("not a valid product name")),
            "{why}: {err:?}"
        );
    }
    let mut r = request();
    r.artifact_id.clear();
    let err = actions::act(&c, &names, Action::LaunchProduct(r))
        .await
        .expect_err("no version");
    assert!(
        matches!(&err, ActionError::Refused(m) if m.contains("no version")),
        "{err:?}"
    );
}

// ---- CodePipeline ----

#[tokio::test]
async fn approvals_send_the_token_and_the_comment_as_summary() {
    let answer = |status: ApprovalStatus, summary: &'static str| {
        mock!(aws_sdk_codepipeline::Client::put_approval_result)
            .match_requests(move |r| {
                r.pipeline_name() == Some(PIPELINE)
                    && r.stage_name() == Some("DeployModel-Stage")
                    && r.action_name() == Some("ApproveForStage")
                    && r.token() == Some("3f2c9a7e-5b1d-4c8e-9f60-0a1b2c3d4e5f")
                    && r.result()
                        .is_some_and(|a| a.status() == &status && a.summary() == summary)
            })
            .sequence()
            .http_status(200, body(r#"{ "approvedAt": 1717000000.5 }"#))
            .build()
    };
    let approved = answer(ApprovalStatus::Approved, "smoke test passed");
    let rejected = answer(ApprovalStatus::Rejected, "wrong model version");
    let cp = mock_client!(
        aws_sdk_codepipeline,
        RuleMode::Sequential,
        [&approved, &rejected]
    );
    let c = cp_only(cp);
    let names = LabNames::default();
    let approve = |ok: bool, comment: &str| Action::ApproveAction {
        pipeline: PIPELINE.into(),
        stage: "DeployModel-Stage".into(),
        action: "ApproveForStage".into(),
        token: "3f2c9a7e-5b1d-4c8e-9f60-0a1b2c3d4e5f".into(),
        approve: ok,
        comment: comment.into(),
    };
    let yes = actions::act(&c, &names, approve(true, "smoke test passed"))
        .await
        .expect("approved");
    assert_eq!(approved.num_calls(), 1);
    assert_eq!(
        yes.summary,
        format!("approved {PIPELINE} / DeployModel-Stage / ApproveForStage")
    );
    let no = actions::act(&c, &names, approve(false, "wrong model version"))
        .await
        .expect("rejected");
    assert_eq!(rejected.num_calls(), 1);
    assert!(no.summary.starts_with("rejected "), "{}", no.summary);
}

#[tokio::test]
async fn enabling_a_transition_sends_inbound() {
    let rule = mock!(aws_sdk_codepipeline::Client::enable_stage_transition)
        .match_requests(|r| {
            r.pipeline_name() == Some(PIPELINE)
                && r.stage_name() == Some("DeployModel-Stage")
                && r.transition_type() == Some(&StageTransitionType::Inbound)
        })
        .sequence()
        .http_status(200, body("{}"))
        .build();
    let cp = mock_client!(aws_sdk_codepipeline, RuleMode::Sequential, [&rule]);
    let done = actions::act(
        &cp_only(cp),
        &LabNames::default(),
        Action::EnableTransition {
            pipeline: PIPELINE.into(),
            stage: "DeployModel-Stage".into(),
        },
    )
    .await
    .expect("enabled");
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(
        done.summary,
        format!("enabled the transition into {PIPELINE} / DeployModel-Stage")
    );
}

fn disable(reason: &str) -> Action {
    Action::DisableTransition {
        pipeline: PIPELINE.into(),
        stage: "DeployModel-Stage".into(),
        reason: reason.into(),
    }
}

#[tokio::test]
async fn disabling_a_transition_sends_inbound_and_the_reason() {
    let longest = "x".repeat(MAX_REASON);
    let expected = [
        "Hold until the Stage endpoint quota is raised (ticket 42)".to_string(),
        longest.clone(),
    ];
    let rule = mock!(aws_sdk_codepipeline::Client::disable_stage_transition)
        .match_requests(move |r| {
            r.pipeline_name() == Some(PIPELINE)
                && r.stage_name() == Some("DeployModel-Stage")
                && r.transition_type() == Some(&StageTransitionType::Inbound)
                && r.reason().is_some_and(|x| expected.iter().any(|e| e == x))
        })
        .sequence()
        .http_status(200, body("{}"))
        .http_status(200, body("{}"))
        .build();
    let cp = mock_client!(aws_sdk_codepipeline, RuleMode::Sequential, [&rule]);
    let c = cp_only(cp);
    let names = LabNames::default();
    let done = actions::act(
        &c,
        &names,
        disable("Hold until the Stage endpoint quota is raised (ticket 42)"),
    )
    .await
    .expect("disabled");
    assert_eq!(
        done.summary,
        format!("disabled the transition into {PIPELINE} / DeployModel-Stage")
    );
    actions::act(&c, &names, disable(&longest))
        .await
        .expect("300 characters are accepted");
    assert_eq!(rule.num_calls(), 2);
}

#[tokio::test]
async fn a_reason_aws_would_reject_is_refused_before_any_call() {
    let c = no_clients();
    let names = LabNames::default();
    let too_long = "x".repeat(MAX_REASON + 1);
    let cases = [
        (too_long.as_str(), "301 characters; AWS takes at most 300"),
        ("", "a reason is required"),
        ("hold, please", "may not contain ','"),
        ("don't release", "may not contain '\\''"),
    ];
    for (reason, expected) in cases {
        match actions::act(&c, &names, disable(reason)).await {
            Err(ActionError::Refused(m)) => assert!(m.contains(expected), "{m}"),
            other => panic!("{reason:?}: expected a refusal, got {other:?}"),
        }
    }
}

fn retry_stage(stage: &str, execution_id: &str) -> Action {
    Action::RetryStage {
        pipeline: PIPELINE.into(),
        stage: stage.into(),
        execution_id: execution_id.into(),
    }
}

#[tokio::test]
async fn retrying_a_stage_sends_failed_actions_and_the_execution_id() {
    let rule = mock!(aws_sdk_codepipeline::Client::retry_stage_execution)
        .match_requests(|r| {
            r.pipeline_name() == Some(PIPELINE)
                && r.stage_name() == Some("DeployModel-Stage")
                && r.pipeline_execution_id() == Some("e2a1b3c4-0000-4000-8000-00000000e002")
                && r.retry_mode() == Some(&StageRetryMode::FailedActions)
        })
        .sequence()
        .http_status(
            200,
            body(r#"{ "pipelineExecutionId": "e2a1b3c4-0000-4000-8000-00000000e002" }"#),
        )
        .build();
    let cp = mock_client!(aws_sdk_codepipeline, RuleMode::Sequential, [&rule]);
    let retry = retry_stage("DeployModel-Stage", "e2a1b3c4-0000-4000-8000-00000000e002");
    let done = actions::act(&cp_only(cp), &LabNames::default(), retry)
        .await
        .expect("retried");
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(
        done.id.as_deref(),
        Some("e2a1b3c4-0000-4000-8000-00000000e002")
    );
}

#[tokio::test]
async fn a_stage_that_does_not_exist_is_not_found() {
    let rule = mock!(aws_sdk_codepipeline::Client::retry_stage_execution)
        .sequence()
        .http_status(
            400,
            json_error(
                "StageNotFoundException",
                "Stage DeployModel-Prod not found in pipeline",
            ),
        )
        .build();
    let cp = mock_client!(aws_sdk_codepipeline, RuleMode::Sequential, [&rule]);
    let err = actions::act(
        &cp_only(cp),
        &LabNames::default(),
        retry_stage("DeployModel-Prod", "e2"),
    )
    .await
    .expect_err("no such stage");
    assert_eq!(rule.num_calls(), 1, "not retried");
    assert!(
        matches!(&err, ActionError::NotFound(m) if m.contains("DeployModel-Prod not found")),
        "{err:?}"
    );
}

#[tokio::test]
async fn starting_a_pipeline_returns_the_execution_id() {
    let rule = mock!(aws_sdk_codepipeline::Client::start_pipeline_execution)
        .match_requests(|r| r.name() == Some(PIPELINE))
        .sequence()
        .http_status(
            200,
            body(r#"{ "pipelineExecutionId": "4f5e6d7c-1111-4222-8333-944455556666" }"#),
        )
        .build();
    let cp = mock_client!(aws_sdk_codepipeline, RuleMode::Sequential, [&rule]);
    let done = actions::act(
        &cp_only(cp),
        &LabNames::default(),
        Action::StartPipeline {
            pipeline: PIPELINE.into(),
        },
    )
    .await
    .expect("started");
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(
        done.id.as_deref(),
        Some("4f5e6d7c-1111-4222-8333-944455556666")
    );
    assert_eq!(
        done.summary,
        format!("started {PIPELINE} (execution 4f5e6d7c-1111-4222-8333-944455556666)")
    );
}

// ---- SageMaker notebooks ----

#[tokio::test]
async fn notebooks_are_stopped_and_started_by_name() {
    let stop = mock!(aws_sdk_sagemaker::Client::stop_notebook_instance)
        .match_requests(|r| r.notebook_instance_name() == Some(NOTEBOOK))
        .sequence()
        .http_status(200, body("{}"))
        .build();
    let start = mock!(aws_sdk_sagemaker::Client::start_notebook_instance)
        .match_requests(|r| r.notebook_instance_name() == Some(NOTEBOOK))
        .sequence()
        .http_status(200, body("{}"))
        .build();
    let sm = mock_client!(aws_sdk_sagemaker, RuleMode::Sequential, [&stop, &start]);
    let c = sm_only(sm);
    let names = LabNames::default();
    let stopped = actions::act(
        &c,
        &names,
        Action::StopNotebook {
            name: NOTEBOOK.into(),
        },
    )
    .await
    .expect("stopped");
    assert_eq!(stop.num_calls(), 1);
    assert_eq!(start.num_calls(), 0);
    assert_eq!(
        stopped.summary,
        format!("stopping notebook instance {NOTEBOOK}")
    );
    let started = actions::act(
        &c,
        &names,
        Action::StartNotebook {
            name: NOTEBOOK.into(),
        },
    )
    .await
    .expect("started");
    assert_eq!(start.num_calls(), 1);
    assert_eq!(
        started.summary,
        format!("starting notebook instance {NOTEBOOK}")
    );
}

#[tokio::test]
async fn a_notebook_url_is_presigned_for_the_named_instance() {
    let url = "https://sc-222222222222-pp-5cyu2rpgaxfbk-notebookinstance-mnist.notebook.us-east-1.sagemaker.aws?authToken=eyJhbGciOi";
    let rule = mock!(aws_sdk_sagemaker::Client::create_presigned_notebook_instance_url)
        .match_requests(|r| {
            r.notebook_instance_name() == Some(NOTEBOOK)
                && r.session_expiration_duration_in_seconds()
                    == Some(actions::NOTEBOOK_SESSION_SECS)
        })
        .sequence()
        .http_status(200, body(format!(r#"{{ "AuthorizedUrl": "{url}" }}"#)))
        .build();
    let sm = mock_client!(aws_sdk_sagemaker, RuleMode::Sequential, [&rule]);
    let got = actions::notebook_url(&sm_only(sm), NOTEBOOK)
        .await
        .expect("url");
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(got, url);
    assert!((1800..=43_200).contains(&actions::NOTEBOOK_SESSION_SECS));
}

// ---- Read-only ----

/// Which variant an action is; the match is exhaustive, so a new variant fails to compile here
/// until [`every_action`] covers it.
fn variant(a: &Action) -> usize {
    match a {
        Action::ApproveAction { .. } => 0,
        Action::EnableTransition { .. } => 1,
        Action::DisableTransition { .. } => 2,
        Action::RetryStage { .. } => 3,
        Action::StartPipeline { .. } => 4,
        Action::LaunchProduct(_) => 5,
        Action::StopNotebook { .. } => 6,
        Action::StartNotebook { .. } => 7,
        Action::TerminateProduct { .. } => 8,
        Action::DeleteStack { .. } => 9,
        Action::EmptyBucket { .. } => 10,
        Action::DeleteBucket { .. } => 11,
        Action::DeleteEndpoint { .. } => 12,
    }
}

/// One action of each variant, on the lab's names.
pub fn every_action() -> Vec<Action> {
    let p = || PIPELINE.to_string();
    let s = || "DeployModel-Stage".to_string();
    vec![
        Action::ApproveAction {
            pipeline: p(),
            stage: s(),
            action: "ApproveForStage".into(),
            token: "t".into(),
            approve: true,
            comment: "ok".into(),
        },
        Action::EnableTransition {
            pipeline: p(),
            stage: s(),
        },
        Action::DisableTransition {
            pipeline: p(),
            stage: s(),
            reason: "hold".into(),
        },
        Action::RetryStage {
            pipeline: p(),
            stage: s(),
            execution_id: "e2".into(),
        },
        Action::StartPipeline { pipeline: p() },
        Action::LaunchProduct(request()),
        Action::StopNotebook {
            name: NOTEBOOK.into(),
        },
        Action::StartNotebook {
            name: NOTEBOOK.into(),
        },
        Action::TerminateProduct { id: PP_ID.into() },
        Action::DeleteStack {
            stack: "StageResources".into(),
        },
        Action::EmptyBucket {
            bucket: "mlops-bia-data-model-333333333333".into(),
        },
        Action::DeleteBucket {
            bucket: "mlops-bia-data-model-333333333333".into(),
        },
        Action::DeleteEndpoint {
            endpoint: "datascience-project-2024-06-01-12-00-00-Stage".into(),
        },
    ]
}

#[tokio::test]
async fn read_only_refuses_every_action_before_any_call() {
    // Every call would go to this listener; it must never see a connection.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let text = format!(
        r#"
read_only = true
region = "us-east-1"
endpoint_url = "http://127.0.0.1:{port}"
max_attempts = 1

[[labs]]
name = "alice"
unique_id = "ali"
tools       = {{ account_id = "111111111111", profile = "crossdeck-test-no-such-profile" }}
datascience = {{ account_id = "{DS}", profile = "crossdeck-test-no-such-profile" }}
stage       = {{ account_id = "333333333333", profile = "crossdeck-test-no-such-profile" }}
"#
    );
    let config = Config::parse(Path::new("read-only.toml"), &text).expect("config parses");
    assert!(config.read_only);
    let backend = AwsBackend::new(&config);
    let actions = every_action();
    let mut seen: Vec<usize> = actions.iter().map(variant).collect();
    seen.dedup();
    assert_eq!(
        seen,
        (0..13).collect::<Vec<_>>(),
        "every variant of Action, once"
    );
    for role in [Role::Tools, Role::DataScience, Role::Stage] {
        for action in actions.clone() {
            let shown = action.to_string();
            let result = tokio::time::timeout(
                Duration::from_secs(5),
                backend.act(AccountKey { lab: 0, role }, action),
            )
            .await
            .expect("refused at once, without waiting on any call");
            assert_eq!(result, Err(read_only_refusal()), "{role:?}: {shown}");
        }
    }
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("read-only mode connected to the endpoint: {other:?}"),
    }
}
