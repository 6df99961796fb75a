//! The AWS backend against mocked SDK clients (aws-smithy-mocks): responses shaped as the API
//! reference documents them, mapped into `lab::model`, errors classified, and whole-account polls.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_sdk_cloudformation::config::retry::RetryPartition;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::types::{self as cf, ResourceStatus, StackStatus};
use aws_sdk_servicecatalog::operation::describe_portfolio_shares::DescribePortfolioSharesInput;
use aws_sdk_servicecatalog::operation::search_provisioned_products::SearchProvisionedProductsInput;
use aws_sdk_servicecatalog::types::{AccessLevelFilterKey, DescribePortfolioShareType};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::DateTime;

use crossdeck::backend::aws::clients::Clients;
use crossdeck::backend::aws::poll::{self, Cache, Ctx};
use crossdeck::backend::aws::{catalog, pipelines, stacks};
use crossdeck::lab::progress::root_cause;
use crossdeck::lab::*;

use crate::fixtures::{DS, STAGE, T0, info};

/// Seconds since the epoch of `T0` plus `secs`, as the JSON protocols write timestamps.
fn at(secs: i64) -> i64 {
    T0.millis() / 1000 + secs
}

/// `T0` plus `secs`, as crossdeck keeps it.
fn t(secs: i64) -> Timestamp {
    T0.plus_secs(secs)
}

/// An SDK timestamp `secs` after `T0`.
fn dt(secs: i64) -> DateTime {
    DateTime::from_secs(at(secs))
}

/// A response body as the service sends it (CodePipeline and Service Catalog speak JSON).
pub fn body(text: impl Into<String>) -> Option<String> {
    Some(text.into())
}

/// An awsQuery error body, as CloudFormation and STS send them.
fn query_error(code: &str, message: &str) -> Option<String> {
    Some(format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
         <Message>{message}</Message></Error>\
         <RequestId>5d2c1b7e-0000-4000-8000-000000000000</RequestId></ErrorResponse>"
    ))
}

/// An awsJson error body, as SageMaker, CodePipeline and Service Catalog send them.
pub fn json_error(code: &str, message: &str) -> Option<String> {
    Some(format!(r#"{{"__type":"{code}","Message":"{message}"}}"#))
}

/// A client that must not be called: it has no rules, so any call panics.
macro_rules! no_calls {
    ($sdk:ident) => {
        mock_client!($sdk, RuleMode::Sequential, Vec::<&Rule>::new())
    };
}

/// One account's clients from mocks; Service Catalog and CodePipeline are never called in the
/// Stage role, so theirs panic if they are.
fn clients(
    sts: aws_sdk_sts::Client,
    cfn: aws_sdk_cloudformation::Client,
    sm: aws_sdk_sagemaker::Client,
    s3: aws_sdk_s3::Client,
) -> Clients {
    Clients {
        sts: sts.into(),
        cfn: cfn.into(),
        sc: no_calls!(aws_sdk_servicecatalog).into(),
        cp: no_calls!(aws_sdk_codepipeline).into(),
        sm: sm.into(),
        s3: s3.into(),
        cw: no_calls!(aws_sdk_cloudwatch).into(),
        smr: no_calls!(aws_sdk_sagemakerruntime).into(),
        fetches: Arc::new(AtomicU64::new(0)),
        source: "mock".into(),
        region: "us-east-1".into(),
        account: None,
    }
}

fn caller(account: &'static str) -> Rule {
    mock!(aws_sdk_sts::Client::get_caller_identity).then_output(move || {
        aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput::builder()
            .user_id("AROAEXAMPLEID:crossdeck")
            .account(account)
            .arn(format!(
                "arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/crossdeck"
            ))
            .build()
    })
}

fn stage_ctx<'a>(info: &'a LabInfo, names: &'a LabNames) -> Ctx<'a> {
    Ctx {
        role: Role::Stage,
        account_id: STAGE,
        info,
        names,
        now: T0,
    }
}

const PIPELINE: &str = "MLOpsPipeline-CodePipeline-ABCDEF123456";

/// GetPipelineState while execution E3 runs in DeployModel-Tools and E2 failed in
/// DeployModel-Stage after its approval went through (so no token is left to hint the kind).
fn state_running_and_failed() -> String {
    format!(
        r#"{{
  "pipelineName": "{PIPELINE}",
  "pipelineVersion": 3,
  "created": {created},
  "updated": {updated},
  "stageStates": [
    {{
      "stageName": "Source",
      "inboundTransitionState": {{ "enabled": true }},
      "latestExecution": {{ "pipelineExecutionId": "e3", "status": "Succeeded" }},
      "actionStates": [
        {{
          "actionName": "Data",
          "currentRevision": {{ "revisionId": "3Lx1k0Fm", "created": {src} }},
          "latestExecution": {{
            "actionExecutionId": "a-e3-data",
            "status": "Succeeded",
            "summary": "Amazon S3 version id: 3Lx1k0Fm",
            "lastStatusChange": {src}
          }}
        }}
      ]
    }},
    {{
      "stageName": "DeployModel-Tools",
      "inboundTransitionState": {{ "enabled": true }},
      "latestExecution": {{ "pipelineExecutionId": "e3", "status": "InProgress" }},
      "actionStates": [
        {{
          "actionName": "DeployToToolsEnv",
          "latestExecution": {{
            "actionExecutionId": "a-e3-deploy",
            "status": "Succeeded",
            "lastStatusChange": {deployed}
          }}
        }},
        {{
          "actionName": "GetDeployStatus",
          "latestExecution": {{
            "actionExecutionId": "a-e3-status",
            "status": "InProgress",
            "externalExecutionId": "c0ffee00-1111-2222-3333-444455556666",
            "lastStatusChange": {running}
          }}
        }},
        {{ "actionName": "SmokeTest" }}
      ]
    }},
    {{
      "stageName": "DeployModel-Stage",
      "inboundTransitionState": {{ "enabled": true }},
      "latestExecution": {{ "pipelineExecutionId": "e2", "status": "Failed" }},
      "actionStates": [
        {{
          "actionName": "ApproveForStage",
          "latestExecution": {{
            "actionExecutionId": "a-e2-approve",
            "status": "Succeeded",
            "summary": "Looks good",
            "lastUpdatedBy": "arn:aws:iam::111111111111:user/alice",
            "lastStatusChange": {approved}
          }}
        }},
        {{
          "actionName": "DeployToStageEnv",
          "latestExecution": {{
            "actionExecutionId": "a-e2-deploy",
            "status": "Failed",
            "summary": "Lambda function returned an error",
            "errorDetails": {{
              "code": "JobFailed",
              "message": "AccessDenied: User is not authorized to perform sagemaker:CreateModel in 333333333333"
            }},
            "lastStatusChange": {failed}
          }}
        }},
        {{ "actionName": "GetStageDeployStatus" }},
        {{ "actionName": "FullTest" }}
      ]
    }}
  ]
}}"#,
        created = at(-86_400),
        updated = at(-3_600),
        src = at(0),
        deployed = at(300),
        running = at(330),
        approved = at(-600),
        failed = at(-540),
    )
}

/// GetPipeline: the declared structure, version 3, with an Approval action before Stage.
fn declaration() -> String {
    let action = |name: &str, category: &str, provider: &str| {
        format!(
            r#"{{ "name": "{name}", "runOrder": 1,
                  "actionTypeId": {{ "category": "{category}", "owner": "AWS",
                                    "provider": "{provider}", "version": "1" }},
                  "configuration": {{}} }}"#
        )
    };
    format!(
        r#"{{
  "pipeline": {{
    "name": "{PIPELINE}",
    "roleArn": "arn:aws:iam::111111111111:role/MLOpsPipeline-CodePipelineRole",
    "artifactStore": {{ "type": "S3", "location": "mlops-bia-codepipeline-artifacts-abcdef123456-x" }},
    "stages": [
      {{ "name": "Source", "actions": [{data}] }},
      {{ "name": "DeployModel-Tools", "actions": [{dt}, {gs}, {st}] }},
      {{ "name": "DeployModel-Stage", "actions": [{ap}, {ds}, {gss}, {ft}] }}
    ],
    "version": 3,
    "pipelineType": "V2"
  }},
  "metadata": {{
    "pipelineArn": "arn:aws:codepipeline:us-east-1:111111111111:{PIPELINE}",
    "created": {created},
    "updated": {updated}
  }}
}}"#,
        data = action("Data", "Source", "S3"),
        dt = action("DeployToToolsEnv", "Invoke", "Lambda"),
        gs = action("GetDeployStatus", "Invoke", "Lambda"),
        st = action("SmokeTest", "Invoke", "Lambda"),
        ap = action("ApproveForStage", "Approval", "Manual"),
        ds = action("DeployToStageEnv", "Invoke", "Lambda"),
        gss = action("GetStageDeployStatus", "Invoke", "Lambda"),
        ft = action("FullTest", "Invoke", "Lambda"),
        created = at(-86_400),
        updated = at(-3_600),
    )
}

#[tokio::test]
async fn pipeline_state_running_and_failed_then_kinds_from_the_declaration() {
    let state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .match_requests(|r| r.name() == Some(PIPELINE))
        .sequence()
        .http_status(200, body(state_running_and_failed()))
        .build();
    let structure = mock!(aws_sdk_codepipeline::Client::get_pipeline)
        .match_requests(|r| r.name() == Some(PIPELINE))
        .sequence()
        .http_status(200, body(declaration()))
        .build();
    let cp = mock_client!(
        aws_sdk_codepipeline,
        RuleMode::Sequential,
        [&state, &structure]
    );

    let (mut p, version) = pipelines::state(&cp, PIPELINE)
        .await
        .expect("GetPipelineState");
    assert_eq!(version, 3);
    assert_eq!(p.name, PIPELINE);
    let names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Source", "DeployModel-Tools", "DeployModel-Stage"]);

    let tools = p.stage("DeployModel-Tools").expect("tools stage");
    assert_eq!(tools.status.as_deref(), Some("InProgress"));
    assert_eq!(tools.execution_id.as_deref(), Some("e3"));
    assert!(tools.inbound_enabled);
    assert_eq!(tools.disabled_reason, None);
    let running = tools.action("GetDeployStatus").expect("running action");
    assert_eq!(running.status.as_deref(), Some("InProgress"));
    assert_eq!(running.started, Some(t(330)));
    assert_eq!(running.last_change, Some(t(330)));
    assert_eq!(running.execution_id.as_deref(), Some("a-e3-status"));
    assert_eq!(running.error, None);
    assert_eq!(running.approval_token, None);
    let never_ran = tools.action("SmokeTest").expect("SmokeTest");
    assert_eq!(never_ran.status, None);
    assert_eq!(never_ran.last_change, None);

    let stage = p.stage("DeployModel-Stage").expect("stage stage");
    assert_eq!(stage.status.as_deref(), Some("Failed"));
    let failed = stage.action("DeployToStageEnv").expect("failed action");
    assert_eq!(failed.status.as_deref(), Some("Failed"));
    assert_eq!(
        failed.error.as_deref(),
        Some(
            "AccessDenied: User is not authorized to perform sagemaker:CreateModel in 333333333333"
        ),
        "errorDetails.message wins over the summary"
    );
    assert_eq!(failed.last_change, Some(t(-540)));
    let approved = stage.action("ApproveForStage").expect("approval");
    assert_eq!(approved.status.as_deref(), Some("Succeeded"));
    assert_eq!(
        approved.error, None,
        "a summary is no error when nothing failed"
    );
    assert_eq!(approved.approval_token, None);
    // Without a token nothing in the state says which actions approve or fetch the source.
    assert_eq!(approved.kind, ActionKind::Invoke);
    assert_eq!(p.stages[0].actions[0].kind, ActionKind::Invoke);

    let declared = pipelines::structure(&cp, PIPELINE)
        .await
        .expect("GetPipeline");
    assert_eq!(declared.version, version);
    assert_eq!(declared.stages.len(), 3);
    assert_eq!(
        declared.stages[2].1[0],
        ("ApproveForStage".to_string(), ActionKind::Approval)
    );
    pipelines::apply_structure(&mut p, &declared);
    let kind = |stage: &str, action: &str| {
        p.stage(stage)
            .and_then(|s| s.action(action))
            .map(|a| a.kind)
    };
    assert_eq!(kind("Source", "Data"), Some(ActionKind::Source));
    assert_eq!(
        kind("DeployModel-Stage", "ApproveForStage"),
        Some(ActionKind::Approval)
    );
    assert_eq!(
        kind("DeployModel-Tools", "GetDeployStatus"),
        Some(ActionKind::Invoke)
    );
    // Applying the structure changes kinds only: the state read stays as it was.
    let failed = p
        .stage("DeployModel-Stage")
        .and_then(|s| s.action("DeployToStageEnv"))
        .expect("failed action");
    assert_eq!(failed.status.as_deref(), Some("Failed"));
    assert!(failed.error.is_some());
}

#[tokio::test]
async fn pipeline_state_maps_a_waiting_approval_and_a_disabled_transition() {
    let state = format!(
        r#"{{
  "pipelineName": "{PIPELINE}",
  "pipelineVersion": 3,
  "stageStates": [
    {{
      "stageName": "DeployModel-Tools",
      "inboundTransitionState": {{ "enabled": true }},
      "latestExecution": {{ "pipelineExecutionId": "e2", "status": "Succeeded" }},
      "actionStates": [
        {{ "actionName": "SmokeTest",
           "latestExecution": {{ "status": "Succeeded", "lastStatusChange": {smoke} }} }}
      ]
    }},
    {{
      "stageName": "DeployModel-Stage",
      "inboundTransitionState": {{
        "enabled": false,
        "disabledReason": "Hold until the Stage endpoint quota is raised",
        "lastChangedBy": "arn:aws:iam::111111111111:user/instructor",
        "lastChangedAt": {disabled}
      }},
      "latestExecution": {{ "pipelineExecutionId": "e2", "status": "InProgress" }},
      "actionStates": [
        {{
          "actionName": "ApproveForStage",
          "latestExecution": {{
            "actionExecutionId": "a-e2-approve",
            "status": "InProgress",
            "token": "3f2c9a7e-5b1d-4c8e-9f60-0a1b2c3d4e5f",
            "lastStatusChange": {waiting}
          }}
        }},
        {{ "actionName": "DeployToStageEnv" }}
      ]
    }}
  ]
}}"#,
        smoke = at(600),
        disabled = at(660),
        waiting = at(610),
    );
    let rule = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .match_requests(|r| r.name() == Some(PIPELINE))
        .sequence()
        .http_status(200, body(state))
        .build();
    let cp = mock_client!(aws_sdk_codepipeline, RuleMode::Sequential, [&rule]);

    let (p, _) = pipelines::state(&cp, PIPELINE)
        .await
        .expect("GetPipelineState");
    let tools = p.stage("DeployModel-Tools").expect("tools stage");
    assert!(tools.inbound_enabled);
    assert_eq!(tools.disabled_reason, None);

    let stage = p.stage("DeployModel-Stage").expect("stage stage");
    assert!(!stage.inbound_enabled);
    let reason = stage.disabled_reason.as_deref().expect("disabled reason");
    assert!(
        reason.contains("Hold until the Stage endpoint quota is raised"),
        "{reason}"
    );
    assert!(
        reason.contains("arn:aws:iam::111111111111:user/instructor"),
        "{reason}"
    );
    assert!(reason.contains(&t(660).to_string()), "{reason}");
    assert_eq!(stage.status.as_deref(), Some("InProgress"));

    let approval = stage.action("ApproveForStage").expect("approval");
    assert_eq!(approval.status.as_deref(), Some("InProgress"));
    assert_eq!(
        approval.approval_token.as_deref(),
        Some("3f2c9a7e-5b1d-4c8e-9f60-0a1b2c3d4e5f")
    );
    assert_eq!(
        approval.kind,
        ActionKind::Approval,
        "a token means an approval"
    );
    assert_eq!(approval.started, Some(t(610)));
    let next = stage.action("DeployToStageEnv").expect("next action");
    assert_eq!(next.status, None);
    assert_eq!(next.approval_token, None);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn latest_execution_is_the_newest_summary() {
    let summaries = format!(
        r#"{{
  "pipelineExecutionSummaries": [
    {{ "pipelineExecutionId": "e3", "status": "InProgress", "startTime": {e3},
       "lastUpdateTime": {e3}, "trigger": {{ "triggerType": "CloudWatchEvent" }} }},
    {{ "pipelineExecutionId": "e2", "status": "Failed", "startTime": {e2},
       "lastUpdateTime": {e2} }}
  ],
  "nextToken": "more"
}}"#,
        e3 = at(0),
        e2 = at(-1_200),
    );
    let rule = mock!(aws_sdk_codepipeline::Client::list_pipeline_executions)
        .match_requests(|r| {
            r.pipeline_name() == Some(PIPELINE)
                && r.max_results() == Some(pipelines::EXECUTIONS_READ)
        })
        .sequence()
        .http_status(200, body(summaries))
        .build();
    let empty = mock!(aws_sdk_codepipeline::Client::list_pipeline_executions)
        .sequence()
        .http_status(200, body(r#"{"pipelineExecutionSummaries": []}"#))
        .build();
    let cp = mock_client!(aws_sdk_codepipeline, RuleMode::Sequential, [&rule, &empty]);

    let latest = pipelines::latest_execution(&cp, PIPELINE)
        .await
        .expect("ListPipelineExecutions");
    assert_eq!(
        latest,
        Some(PipelineExecution {
            id: "e3".into(),
            status: "InProgress".into(),
            started: T0,
        })
    );
    let none = pipelines::latest_execution(&cp, PIPELINE)
        .await
        .expect("ListPipelineExecutions, never ran");
    assert_eq!(none, None);
}

const PRODUCT: &str = "Amazon Secure Sagemaker";

#[tokio::test]
async fn provisioned_products_are_read_over_every_page_and_unnamed_ones_are_dropped() {
    let page1 = format!(
        r#"{{
  "ProvisionedProducts": [
    {{ "Name": "ds-notebook", "Arn": "arn:aws:servicecatalog:us-east-1:{DS}:stack/ds-notebook/pp-aaaaaaaaaaaaa",
       "Type": "CFN_STACK", "Id": "pp-aaaaaaaaaaaaa", "Status": "AVAILABLE", "StatusMessage": "",
       "CreatedTime": {a}, "ProductId": "prod-lab1234567890", "ProductName": "{PRODUCT}",
       "ProvisioningArtifactId": "pa-1111111111111", "ProvisioningArtifactName": "v1",
       "UserArn": "arn:aws:sts::{DS}:assumed-role/DataScientist/alice" }},
    {{ "Name": "someone-elses-vpc", "Type": "CFN_STACK", "Id": "pp-zzzzzzzzzzzzz",
       "Status": "AVAILABLE", "CreatedTime": {z}, "ProductId": "prod-other000000",
       "ProductName": "Corporate VPC" }}
  ],
  "TotalResultsCount": 3,
  "NextPageToken": "page-2"
}}"#,
        a = at(-7_200),
        z = at(-99_000),
    );
    let page2 = format!(
        r#"{{
  "ProvisionedProducts": [
    {{ "Name": "ds-notebook-2", "Type": "CFN_STACK", "Id": "pp-bbbbbbbbbbbbb",
       "Status": "UNDER_CHANGE", "StatusMessage": "Provisioning in progress",
       "CreatedTime": {b}, "ProductId": "prod-lab1234567890", "ProductName": "{PRODUCT}" }},
    {{ "Name": "nameless", "Type": "CFN_STACK", "Id": "pp-nnnnnnnnnnnnn",
       "Status": "AVAILABLE", "CreatedTime": {b}, "ProductId": "prod-lab1234567890" }}
  ],
  "TotalResultsCount": 4
}}"#,
        b = at(-60),
    );
    let account_self = |r: &SearchProvisionedProductsInput| {
        r.access_level_filter().is_some_and(|f| {
            f.key() == Some(&AccessLevelFilterKey::Account) && f.value() == Some("self")
        })
    };
    let first = mock!(aws_sdk_servicecatalog::Client::search_provisioned_products)
        .match_requests(move |r| account_self(r) && r.page_token().is_none())
        .sequence()
        .http_status(200, body(page1))
        .build();
    let second = mock!(aws_sdk_servicecatalog::Client::search_provisioned_products)
        .match_requests(move |r| account_self(r) && r.page_token() == Some("page-2"))
        .sequence()
        .http_status(200, body(page2))
        .build();
    let outputs = mock!(aws_sdk_servicecatalog::Client::get_provisioned_product_outputs)
        .match_requests(|r| r.provisioned_product_id() == Some("pp-aaaaaaaaaaaaa"))
        .sequence()
        .http_status(
            200,
            body(
                r#"{
  "Outputs": [
    { "OutputKey": "SageMakerNoteBookURL",
      "OutputValue": "https://console.aws.amazon.com/sagemaker/home?region=us-east-1#/notebook-instances/openNotebook/ds-notebook",
      "Description": "SageMaker Notebook Instance URL" },
    { "OutputKey": "SageMakerNoteBookTerminalURL",
      "OutputValue": "https://console.aws.amazon.com/sagemaker/home?region=us-east-1#/notebook-instances/openNotebook/ds-notebook?view=terminals",
      "Description": "SageMaker Notebook Terminal URL" },
    { "OutputKey": "BucketName", "OutputValue": "ds-notebook-bucket-222222222222",
      "Description": "S3 bucket for the notebook" }
  ]
}"#,
            ),
        )
        .build();
    let sc = mock_client!(
        aws_sdk_servicecatalog,
        RuleMode::Sequential,
        [&first, &second, &outputs]
    );

    let products = catalog::products(&sc)
        .await
        .expect("SearchProvisionedProducts");
    assert_eq!(first.num_calls(), 1);
    assert_eq!(second.num_calls(), 1, "the second page is read");
    // Every named product is kept (which are the lab's is decided with the Tools account's
    // product id); one without a product name, though its ProductId matches, is never the lab's.
    assert_eq!(
        products,
        vec![
            ProvisionedProduct {
                name: "ds-notebook".into(),
                id: "pp-aaaaaaaaaaaaa".into(),
                product_name: PRODUCT.into(),
                product_id: "prod-lab1234567890".into(),
                status: "AVAILABLE".into(),
                status_message: None,
                outputs: Default::default(),
                created: t(-7_200),
            },
            ProvisionedProduct {
                name: "someone-elses-vpc".into(),
                id: "pp-zzzzzzzzzzzzz".into(),
                product_name: "Corporate VPC".into(),
                product_id: "prod-other000000".into(),
                status: "AVAILABLE".into(),
                status_message: None,
                outputs: Default::default(),
                created: t(-99_000),
            },
            ProvisionedProduct {
                name: "ds-notebook-2".into(),
                id: "pp-bbbbbbbbbbbbb".into(),
                product_name: PRODUCT.into(),
                product_id: "prod-lab1234567890".into(),
                status: "UNDER_CHANGE".into(),
                status_message: Some("Provisioning in progress".into()),
                outputs: Default::default(),
                created: t(-60),
            },
        ]
    );

    let out = catalog::outputs(&sc, "pp-aaaaaaaaaaaaa")
        .await
        .expect("GetProvisionedProductOutputs");
    assert_eq!(
        out.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "BucketName",
            "SageMakerNoteBookTerminalURL",
            "SageMakerNoteBookURL"
        ]
    );
    assert_eq!(out["BucketName"], "ds-notebook-bucket-222222222222");
    assert!(out["SageMakerNoteBookURL"].ends_with("/openNotebook/ds-notebook"));
    assert!(out["SageMakerNoteBookTerminalURL"].ends_with("?view=terminals"));
}

#[tokio::test]
async fn portfolio_shares_are_the_account_shares_of_every_page() {
    let of_portfolio = |r: &DescribePortfolioSharesInput| {
        r.portfolio_id() == Some("port-abcdefghijklm")
            && r.r#type() == Some(&DescribePortfolioShareType::Account)
    };
    let first = mock!(aws_sdk_servicecatalog::Client::describe_portfolio_shares)
        .match_requests(move |r| of_portfolio(r) && r.page_token().is_none())
        .sequence()
        .http_status(
            200,
            body(format!(
                r#"{{ "PortfolioShareDetails": [
                      {{ "PrincipalId": "{DS}", "Type": "ACCOUNT", "Accepted": true,
                         "ShareTagOptions": false, "SharePrincipals": false }} ],
                    "NextPageToken": "next" }}"#
            )),
        )
        .build();
    let second = mock!(aws_sdk_servicecatalog::Client::describe_portfolio_shares)
        .match_requests(move |r| of_portfolio(r) && r.page_token() == Some("next"))
        .sequence()
        .http_status(
            200,
            body(
                r#"{ "PortfolioShareDetails": [
                     { "PrincipalId": "444444444444", "Type": "ACCOUNT", "Accepted": false } ] }"#,
            ),
        )
        .build();
    let sc = mock_client!(
        aws_sdk_servicecatalog,
        RuleMode::Sequential,
        [&first, &second]
    );

    let names = LabNames::default();
    let shares = catalog::shares(&sc, "port-abcdefghijklm", &names.portfolio_name)
        .await
        .expect("DescribePortfolioShares");
    assert_eq!(
        shares,
        vec![
            PortfolioShare {
                portfolio_id: "port-abcdefghijklm".into(),
                portfolio_name: names.portfolio_name.clone(),
                shared_with: DS.into(),
                accepted: true,
            },
            PortfolioShare {
                portfolio_id: "port-abcdefghijklm".into(),
                portfolio_name: names.portfolio_name.clone(),
                shared_with: "444444444444".into(),
                accepted: false,
            },
        ]
    );
}

const STACK_ARN: &str = "arn:aws:cloudformation:us-east-1:111111111111:stack";
const ROLLBACK_REASON: &str = "The following resource(s) failed to create: \
    [CodePipelineRole, Pipeline]. Rollback requested by user.";
const DENIED_ROLE: &str = "Resource handler returned message: \
    \"User: arn:aws:sts::111111111111:assumed-role/Lab/alice is not authorized to perform: \
    iam:CreateRole on resource: arn:aws:iam::111111111111:role/MLOpsPipeline-CodePipelineRole\" \
    (Service: Iam, Status Code: 403)";

fn cfn_stack(name: &str, status: StackStatus, created: i64) -> cf::builders::StackBuilder {
    cf::Stack::builder()
        .stack_id(format!(
            "{STACK_ARN}/{name}/0c1d2e3f-0000-4000-8000-000000000000"
        ))
        .stack_name(name)
        .stack_status(status)
        .creation_time(dt(created))
}

fn cfn_event(
    logical: &str,
    kind: &str,
    status: &str,
    reason: Option<&str>,
    secs: i64,
) -> cf::StackEvent {
    cf::StackEvent::builder()
        .stack_id(format!("{STACK_ARN}/MLOpsPipeline/0c1d2e3f"))
        .event_id(format!("{logical}-{status}-{secs}"))
        .stack_name("MLOpsPipeline")
        .logical_resource_id(logical)
        .resource_type(kind)
        .resource_status(ResourceStatus::from(status))
        .set_resource_status_reason(reason.map(str::to_string))
        .timestamp(dt(secs))
        .build()
}

/// DescribeStackEvents of a pipeline stack that failed to create, newest first as
/// CloudFormation lists them: the role was denied, the pipeline cancelled because of it.
fn rollback_events() -> Vec<cf::StackEvent> {
    const STACK: &str = "AWS::CloudFormation::Stack";
    const ROLE: &str = "AWS::IAM::Role";
    const BUCKET: &str = "AWS::S3::Bucket";
    const PIPE: &str = "AWS::CodePipeline::Pipeline";
    vec![
        cfn_event("MLOpsPipeline", STACK, "ROLLBACK_COMPLETE", None, 60),
        cfn_event("ArtifactsBucket", BUCKET, "DELETE_COMPLETE", None, 55),
        cfn_event("Pipeline", PIPE, "DELETE_COMPLETE", None, 50),
        cfn_event(
            "MLOpsPipeline",
            STACK,
            "ROLLBACK_IN_PROGRESS",
            Some(ROLLBACK_REASON),
            40,
        ),
        cfn_event(
            "Pipeline",
            PIPE,
            "CREATE_FAILED",
            Some("Resource creation cancelled"),
            35,
        ),
        cfn_event(
            "CodePipelineRole",
            ROLE,
            "CREATE_FAILED",
            Some(DENIED_ROLE),
            30,
        ),
        cfn_event("CodePipelineRole", ROLE, "CREATE_IN_PROGRESS", None, 20),
        cfn_event("ArtifactsBucket", BUCKET, "CREATE_COMPLETE", None, 15),
        cfn_event(
            "MLOpsPipeline",
            STACK,
            "CREATE_IN_PROGRESS",
            Some("User Initiated"),
            0,
        ),
    ]
}

#[tokio::test]
async fn a_rolled_back_stack_gets_its_events_and_its_root_cause_is_found() {
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|r| r.stack_name().is_none() && r.next_token().is_none())
        .then_output(|| {
            let unique_id = cf::Parameter::builder()
                .parameter_key("UniqueID")
                .parameter_value("ABCDEF123456")
                .build();
            let lambda_bucket = cf::Output::builder()
                .output_key("LambdaBucket")
                .output_value("mlops-bia-lambda-functions-111111111111")
                .build();
            DescribeStacksOutput::builder()
                .stacks(
                    cfn_stack("MLOpsPipeline", StackStatus::RollbackComplete, 0)
                        .stack_status_reason(ROLLBACK_REASON)
                        .last_updated_time(dt(60))
                        .parameters(unique_id)
                        .build(),
                )
                .stacks(
                    cfn_stack("MLOpsPipelinePrep", StackStatus::CreateComplete, -3_600)
                        .outputs(lambda_bucket)
                        .build(),
                )
                .stacks(cfn_stack("SomeoneElsesStack", StackStatus::CreateInProgress, -10).build())
                .build()
        });
    let events = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .match_requests(|r| r.stack_name() == Some("MLOpsPipeline"))
        .then_output(|| {
            DescribeStackEventsOutput::builder()
                .set_stack_events(Some(rollback_events()))
                .build()
        });
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::Sequential,
        [&describe, &events]
    );

    let ours = ["MLOpsPipeline", "MLOpsPipelinePrep"];
    let mut list = stacks::describe(&cfn, |s| ours.contains(&s))
        .await
        .expect("DescribeStacks");
    assert_eq!(
        list.iter()
            .map(|s| (s.name.as_str(), s.status.as_str()))
            .collect::<Vec<_>>(),
        [
            ("MLOpsPipeline", "ROLLBACK_COMPLETE"),
            ("MLOpsPipelinePrep", "CREATE_COMPLETE")
        ],
        "stacks that are not the lab's are left out"
    );
    let prep = &list[1];
    assert_eq!(
        prep.outputs.get("LambdaBucket").map(String::as_str),
        Some("mlops-bia-lambda-functions-111111111111")
    );
    assert_eq!(prep.created, t(-3_600));
    assert_eq!(prep.updated, t(-3_600), "never updated: the creation time");
    assert!(!stacks::needs_events(prep));

    let failed = &mut list[0];
    assert_eq!(failed.reason.as_deref(), Some(ROLLBACK_REASON));
    assert_eq!(
        failed.parameters.get("UniqueID").map(String::as_str),
        Some("ABCDEF123456")
    );
    assert_eq!((failed.created, failed.updated), (T0, t(60)));
    assert!(stacks::needs_events(failed));

    failed.events = stacks::events(&cfn, "MLOpsPipeline")
        .await
        .expect("DescribeStackEvents");
    assert_eq!(failed.events.len(), 9);
    assert_eq!(
        failed.events[0],
        StackEvent {
            at: t(60),
            logical_id: "MLOpsPipeline".into(),
            resource_type: "AWS::CloudFormation::Stack".into(),
            status: "ROLLBACK_COMPLETE".into(),
            reason: None,
        },
        "newest first, as listed"
    );
    assert_eq!(failed.events[8].reason.as_deref(), Some("User Initiated"));

    let cause = root_cause(failed).expect("a root cause");
    assert_eq!(cause.logical_id, "CodePipelineRole");
    assert_eq!(cause.resource_type, "AWS::IAM::Role");
    assert_eq!(cause.status, "CREATE_FAILED");
    assert_eq!(cause.at, t(30));
    assert_eq!(cause.reason.as_deref(), Some(DENIED_ROLE));
}

#[tokio::test]
async fn stack_events_keep_the_newest_ones_only() {
    let n = stacks::EVENTS_KEPT + 20;
    let newest = i64::try_from(n).expect("small");
    let events =
        mock!(aws_sdk_cloudformation::Client::describe_stack_events).then_output(move || {
            let listed = (0..newest)
                .rev()
                .map(|i| {
                    cfn_event(
                        &format!("Res{i}"),
                        "AWS::S3::Bucket",
                        "CREATE_COMPLETE",
                        None,
                        i,
                    )
                })
                .collect();
            DescribeStackEventsOutput::builder()
                .set_stack_events(Some(listed))
                .next_token("older")
                .build()
        });
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::Sequential, [&events]);
    let got = stacks::events(&cfn, "MLOpsPipeline")
        .await
        .expect("DescribeStackEvents");
    assert_eq!(got.len(), stacks::EVENTS_KEPT);
    assert_eq!(got[0].at, t(newest - 1));
    assert!(got.windows(2).all(|w| w[0].at > w[1].at), "order kept");
    assert_eq!(events.num_calls(), 1, "older pages are not read");
}

/// A client whose retry strategy is crossdeck's (adaptive) with `attempts` attempts and next to
/// no backoff. The SDK keeps one adaptive rate limiter and retry quota per retry partition for
/// the whole process (by default one per service), so each test gets its own partition: a
/// throttle seen here must not slow other tests' CloudFormation clients.
fn cfn_with_attempts(
    rule: &Rule,
    attempts: u32,
    partition: &'static str,
) -> aws_sdk_cloudformation::Client {
    mock_client!(
        aws_sdk_cloudformation,
        RuleMode::Sequential,
        [rule],
        move |c| c
            .retry_config(
                RetryConfig::adaptive()
                    .with_max_attempts(attempts)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(5)),
            )
            .retry_partition(RetryPartition::new(partition))
    )
}

fn throttled_then_stacks() -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .http_status(400, query_error("Throttling", "Rate exceeded"))
        .output(|| {
            DescribeStacksOutput::builder()
                .stacks(cfn_stack("StageResources", StackStatus::CreateComplete, 0).build())
                .build()
        })
        .build()
}

#[tokio::test]
async fn a_throttled_call_is_retried_and_succeeds() {
    let rule = throttled_then_stacks();
    let cfn = cfn_with_attempts(&rule, 3, "aws_mock-throttled-then-ok");
    let list = tokio::time::timeout(Duration::from_secs(20), stacks::describe(&cfn, |_| true))
        .await
        .expect("the retry does not hang")
        .expect("DescribeStacks succeeds on the second attempt");
    assert_eq!(rule.num_calls(), 2, "one throttled attempt, one retry");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "StageResources");
    assert_eq!(list[0].status, "CREATE_COMPLETE");
}

#[tokio::test]
async fn throttling_past_the_retries_is_an_account_wide_throttled_error() {
    let rule = throttled_then_stacks();
    let cfn = cfn_with_attempts(&rule, 1, "aws_mock-throttled-once");
    let err = stacks::describe(&cfn, |_| true)
        .await
        .expect_err("one attempt only");
    assert_eq!(rule.num_calls(), 1, "no retry with max attempts 1");
    assert_eq!(err.op, "DescribeStacks");
    assert_eq!(err.kind, ErrorKind::Throttled);
    assert_eq!(err.code.as_deref(), Some("Throttling"));
    assert_eq!(err.message, "Throttling: Rate exceeded");
    assert!(err.account_wide());
    assert_eq!(
        err.warning(),
        "DescribeStacks failed: Throttling: Rate exceeded"
    );
    assert!(!err.is_not_found());
}

#[tokio::test]
async fn expired_credentials_end_the_poll_before_anything_else_is_read() {
    let expired = mock!(aws_sdk_sts::Client::get_caller_identity)
        .sequence()
        .http_status(
            400,
            query_error(
                "ExpiredToken",
                "The security token included in the request is expired",
            ),
        )
        .build();
    let sts = mock_client!(aws_sdk_sts, RuleMode::Sequential, [&expired]);
    // Every other client panics if called: the poll must stop at STS.
    let c = clients(
        sts,
        no_calls!(aws_sdk_cloudformation),
        no_calls!(aws_sdk_sagemaker),
        no_calls!(aws_sdk_s3),
    );
    let (info, names) = (info(), LabNames::default());
    let mut cache = Cache::default();

    let err = poll::poll(&c, &mut cache, stage_ctx(&info, &names))
        .await
        .expect_err("expired credentials");
    assert_eq!(expired.num_calls(), 1, "ExpiredToken is not retried");
    assert_eq!(err.op, "GetCallerIdentity");
    assert_eq!(err.kind, ErrorKind::Expired);
    assert_eq!(err.code.as_deref(), Some("ExpiredToken"));
    assert!(
        err.message
            .contains("security token included in the request is expired")
    );
    assert!(err.account_wide());
    assert_eq!(cache.identity, None, "nothing verified");
    assert_eq!(poll::account_error(err).kind, ErrorKind::Expired);
}

#[tokio::test]
async fn credentials_expiring_mid_poll_end_it_too() {
    let expired = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .http_status(
            403,
            query_error(
                "ExpiredToken",
                "The security token included in the request is expired",
            ),
        )
        .build();
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::Sequential, [&expired]);
    let sts = mock_client!(aws_sdk_sts, RuleMode::Sequential, [&caller(STAGE)]);
    let c = clients(
        sts,
        cfn,
        no_calls!(aws_sdk_sagemaker),
        no_calls!(aws_sdk_s3),
    );
    let (info, names) = (info(), LabNames::default());

    let err = poll::poll(&c, &mut Cache::default(), stage_ctx(&info, &names))
        .await
        .expect_err("an account-wide failure is no warning");
    assert_eq!(err.op, "DescribeStacks");
    assert_eq!(err.kind, ErrorKind::Expired);
}

#[tokio::test]
async fn credentials_of_another_account_are_refused() {
    let sts = mock_client!(aws_sdk_sts, RuleMode::Sequential, [&caller("999999999999")]);
    let c = clients(
        sts,
        no_calls!(aws_sdk_cloudformation),
        no_calls!(aws_sdk_sagemaker),
        no_calls!(aws_sdk_s3),
    );
    let (info, names) = (info(), LabNames::default());
    let mut cache = Cache::default();

    let err = poll::poll(&c, &mut cache, stage_ctx(&info, &names))
        .await
        .expect_err("wrong account");
    assert_eq!(err.kind, ErrorKind::WrongAccount);
    assert!(err.account_wide());
    assert!(err.message.contains("999999999999"), "{}", err.message);
    assert!(err.message.contains(STAGE), "{}", err.message);
    assert_eq!(cache.identity, None);
}

#[tokio::test]
async fn a_denied_part_is_a_warning_and_the_rest_of_the_account_still_shows() {
    let names = LabNames::default();
    let info = info();
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(|| {
        DescribeStacksOutput::builder()
            .stacks(cfn_stack("StageResources", StackStatus::CreateComplete, -3_600).build())
            .stacks(cfn_stack("NotTheLab", StackStatus::CreateComplete, -3_600).build())
            .build()
    });
    let denied = mock!(aws_sdk_sagemaker::Client::list_endpoints)
        .match_requests(|r| r.name_contains() == Some("datascience-project-"))
        .sequence()
        .http_status(
            400,
            json_error(
                "AccessDeniedException",
                "User: arn:aws:sts::333333333333:assumed-role/Lab/alice is not authorized \
                 to perform: sagemaker:ListEndpoints because no identity-based policy allows the \
                 sagemaker:ListEndpoints action",
            ),
        )
        .build();
    let bucket = names.data_model_bucket(STAGE);
    let b1 = bucket.clone();
    let head = mock!(aws_sdk_s3::Client::head_bucket)
        .match_requests(move |r| r.bucket() == Some(b1.as_str()))
        .then_output(|| aws_sdk_s3::operation::head_bucket::HeadBucketOutput::builder().build());
    let b2 = bucket.clone();
    let versioning = mock!(aws_sdk_s3::Client::get_bucket_versioning)
        .match_requests(move |r| r.bucket() == Some(b2.as_str()))
        .then_output(|| {
            aws_sdk_s3::operation::get_bucket_versioning::GetBucketVersioningOutput::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build()
        });
    let c = clients(
        mock_client!(aws_sdk_sts, RuleMode::Sequential, [&caller(STAGE)]),
        mock_client!(aws_sdk_cloudformation, RuleMode::Sequential, [&describe]),
        mock_client!(aws_sdk_sagemaker, RuleMode::Sequential, [&denied]),
        mock_client!(aws_sdk_s3, RuleMode::Sequential, [&head, &versioning]),
    );
    let mut cache = Cache::default();

    let snap = poll::poll(&c, &mut cache, stage_ctx(&info, &names))
        .await
        .expect("a denied part does not sink the account");
    assert_eq!(snap.account_id, STAGE);
    assert_eq!(snap.fetched_at, T0);
    assert_eq!(snap.error, None);
    assert_eq!(
        snap.stacks
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["StageResources"]
    );
    assert_eq!(snap.stacks[0].status, "CREATE_COMPLETE");
    assert!(snap.endpoints.is_empty());
    // The endpoints are unknown (not "none"), with the read that failed; the rest is known.
    assert!(snap.warnings.is_empty(), "{:?}", snap.warnings);
    assert_eq!(snap.unknown.len(), 1, "{:?}", snap.unknown);
    assert_eq!(snap.unknown[0].part, Part::Endpoints);
    assert!(
        snap.unknown[0]
            .cause
            .starts_with("ListEndpoints failed: AccessDeniedException"),
        "{}",
        snap.unknown[0].cause
    );
    assert!(snap.known(&Part::Stacks) && !snap.known(&Part::Endpoints));
    assert_eq!(
        snap.buckets,
        vec![Bucket {
            name: bucket,
            versioned: true,
            objects: Vec::new(),
        }]
    );
    assert_eq!(
        denied.num_calls(),
        1,
        "AccessDeniedException is not retried"
    );
    assert_eq!(
        cache.identity.as_ref().map(|i| i.account.as_str()),
        Some(STAGE),
        "the identity is verified and kept"
    );
}

#[tokio::test]
async fn a_long_rollback_is_read_back_to_its_root_cause() {
    // Page 1: the rollback's newest events, more than are kept; page 2: the failure and the
    // operation's start; page 3 must never be asked for.
    let deletes = i64::try_from(stacks::EVENTS_KEPT + 10).expect("small");
    let page1: Vec<cf::StackEvent> = std::iter::once(cfn_event(
        "MLOpsPipeline",
        "AWS::CloudFormation::Stack",
        "ROLLBACK_COMPLETE",
        None,
        1000,
    ))
    .chain((0..deletes).rev().map(|i| {
        cfn_event(
            &format!("Res{i}"),
            "AWS::S3::Bucket",
            "DELETE_COMPLETE",
            None,
            500 + i,
        )
    }))
    .collect();
    let page2 = vec![
        cfn_event(
            "Res0",
            "AWS::S3::Bucket",
            "CREATE_FAILED",
            Some("Resource creation cancelled"),
            41,
        ),
        cfn_event(
            "CodePipelineRole",
            "AWS::IAM::Role",
            "CREATE_FAILED",
            Some(DENIED_ROLE),
            40,
        ),
        cfn_event(
            "CodePipelineRole",
            "AWS::IAM::Role",
            "CREATE_IN_PROGRESS",
            None,
            20,
        ),
        cfn_event(
            "MLOpsPipeline",
            "AWS::CloudFormation::Stack",
            "CREATE_IN_PROGRESS",
            Some("User Initiated"),
            10,
        ),
    ];
    let rule = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .match_requests(|r| r.stack_name() == Some("MLOpsPipeline"))
        .sequence()
        .output(move || {
            DescribeStackEventsOutput::builder()
                .set_stack_events(Some(page1.clone()))
                .next_token("page-2")
                .build()
        })
        .output(move || {
            DescribeStackEventsOutput::builder()
                .set_stack_events(Some(page2.clone()))
                .next_token("page-3")
                .build()
        })
        .build();
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::Sequential, [&rule]);
    let events = stacks::failure_events(&cfn, "MLOpsPipeline")
        .await
        .expect("DescribeStackEvents");
    assert_eq!(rule.num_calls(), 2, "stops at the operation's start");
    // The newest ones, then the failures and the start beyond them.
    assert_eq!(events.len(), stacks::EVENTS_KEPT + 3);
    assert_eq!(events[0].status, "ROLLBACK_COMPLETE");
    let stack = Stack {
        name: "MLOpsPipeline".into(),
        status: "ROLLBACK_COMPLETE".into(),
        events,
        ..Stack::default()
    };
    let cause = root_cause(&stack).expect("the root cause is kept");
    assert_eq!(cause.logical_id, "CodePipelineRole");
    assert_eq!(cause.reason.as_deref(), Some(DENIED_ROLE));
}
