//! Cleanup as a real account behaves where moto is silent: DeleteStack refused by termination
//! protection, a stack stuck in DELETE_FAILED reported with each resource and its reason (read
//! through the poll's DescribeStackEvents), waits that never take an unreadable status for
//! "gone", and destructive actions whose target is not the lab's refused before any call.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_cloudformation::operation as cf;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::error::ErrorMetadata;

use crossdeck::backend::aws::AwsBackend;
use crossdeck::backend::aws::actions::act;
use crossdeck::backend::aws::clients::Clients;
use crossdeck::backend::aws::poll::{self, Cache, Ctx};
use crossdeck::backend::aws::targets::{self, Seen, Target};
use crossdeck::backend::{
    AccountKey, Action, ActionDone, ActionError, Backend, LaunchOptions, RecordState,
};
use crossdeck::cleanup::{self, Event, RunOptions, StepResult};
use crossdeck::config::Config;
use crossdeck::lab::cleanup::{Plan, Step, Wait};
use crossdeck::lab::metrics::EndpointMetrics;
use crossdeck::lab::smoke::Invocation;
use crossdeck::lab::*;

use crate::fixtures::{T0, info};

const STAGE: &str = "333333333333";

macro_rules! no_calls {
    ($sdk:ident) => {
        mock_client!($sdk, RuleMode::Sequential, Vec::<&Rule>::new())
    };
}

fn clients(cfn: aws_sdk_cloudformation::Client, sts: aws_sdk_sts::Client) -> Clients {
    with_sm_s3(
        cfn,
        sts,
        no_calls!(aws_sdk_sagemaker),
        no_calls!(aws_sdk_s3),
    )
}

fn with_sm_s3(
    cfn: aws_sdk_cloudformation::Client,
    sts: aws_sdk_sts::Client,
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

#[tokio::test]
async fn delete_stack_refused_by_termination_protection_is_a_refusal_not_gone() {
    let protected = mock!(aws_sdk_cloudformation::Client::delete_stack)
        .match_requests(|r| r.stack_name() == Some("MLOpsPipeline"))
        .then_error(|| {
            cf::delete_stack::DeleteStackError::generic(
                ErrorMetadata::builder()
                    .code("ValidationError")
                    .message(
                        "Stack [MLOpsPipeline] cannot be deleted while TerminationProtection is enabled",
                    )
                    .build(),
            )
        });
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::Sequential, [&protected]);
    let c = clients(cfn, no_calls!(aws_sdk_sts));
    let r = act(
        &c,
        &LabNames::default(),
        Action::DeleteStack {
            stack: "MLOpsPipeline".into(),
        },
    )
    .await;
    match r {
        Err(ActionError::Refused(m)) => assert!(
            m.contains("DeleteStack refused")
                && m.contains("cannot be deleted while TerminationProtection is enabled"),
            "{m}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(protected.num_calls(), 1);
}

/// DescribeStacks: StageResources in DELETE_FAILED; its events: the role and the bucket that
/// could not be deleted, as CloudFormation reports them.
fn delete_failed_rules() -> [Rule; 3] {
    let caller = mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
        aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput::builder()
            .user_id("AROAEXAMPLEID:crossdeck")
            .account(STAGE)
            .arn(format!("arn:aws:sts::{STAGE}:assumed-role/Ops/crossdeck"))
            .build()
    });
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(|| {
        use aws_sdk_cloudformation::types::{Stack, StackStatus};
        cf::describe_stacks::DescribeStacksOutput::builder()
            .stacks(
                Stack::builder()
                    .stack_name("StageResources")
                    .stack_status(StackStatus::DeleteFailed)
                    .stack_status_reason(
                        "The following resource(s) failed to delete: [SageMakerExecutionRole, S3Bucket]. ",
                    )
                    .creation_time(aws_smithy_types::DateTime::from_secs(1_796_000_000))
                    .build(),
            )
            .build()
    });
    let events = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .match_requests(|r| r.stack_name() == Some("StageResources"))
        .then_output(|| {
            use aws_sdk_cloudformation::types::{ResourceStatus, StackEvent};
            let ev = |id: &str, ty: &str, status: ResourceStatus, reason: Option<&str>, at: i64| {
                StackEvent::builder()
                    .stack_id("arn:aws:cloudformation:us-east-1:333333333333:stack/StageResources/1")
                    .event_id(format!("{id}-{at}"))
                    .stack_name("StageResources")
                    .logical_resource_id(id)
                    .resource_type(ty)
                    .resource_status(status)
                    .set_resource_status_reason(reason.map(str::to_string))
                    .timestamp(aws_smithy_types::DateTime::from_secs(1_796_000_000 + at))
                    .build()
            };
            cf::describe_stack_events::DescribeStackEventsOutput::builder()
                .stack_events(ev(
                    "StageResources",
                    "AWS::CloudFormation::Stack",
                    ResourceStatus::DeleteFailed,
                    Some("The following resource(s) failed to delete: [SageMakerExecutionRole, S3Bucket]. "),
                    50,
                ))
                .stack_events(ev(
                    "SageMakerExecutionRole",
                    "AWS::IAM::Role",
                    ResourceStatus::DeleteFailed,
                    Some("User: arn:aws:sts::333333333333:assumed-role/Ops/crossdeck is not authorized to perform: iam:DeleteRole"),
                    40,
                ))
                .stack_events(ev(
                    "S3Bucket",
                    "AWS::S3::Bucket",
                    ResourceStatus::DeleteFailed,
                    Some("The bucket you tried to delete is not empty"),
                    30,
                ))
                .stack_events(ev(
                    "StageResources",
                    "AWS::CloudFormation::Stack",
                    ResourceStatus::DeleteInProgress,
                    Some("User Initiated"),
                    10,
                ))
                .build()
        });
    [caller, describe, events]
}

/// A backend whose snapshots come from a list (the last one repeats) and whose actions succeed.
struct Scripted {
    snaps: Mutex<Vec<Result<AccountSnapshot, AccountError>>>,
    reads: AtomicUsize,
}

impl Scripted {
    fn new(snaps: Vec<Result<AccountSnapshot, AccountError>>) -> Self {
        Scripted {
            snaps: Mutex::new(snaps),
            reads: AtomicUsize::new(0),
        }
    }
}

impl Backend for Scripted {
    async fn snapshot(&self, _: AccountKey) -> Result<AccountSnapshot, AccountError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        let mut s = self.snaps.lock().expect("lock");
        if s.len() > 1 {
            s.remove(0)
        } else {
            s[0].clone()
        }
    }
    async fn act(&self, _: AccountKey, a: Action) -> Result<ActionDone, ActionError> {
        Ok(ActionDone::new(format!("sent {a}")))
    }
    no_extras_at_t0!();
}

/// One step: delete StageResources and wait for it.
fn stage_stack_plan() -> Plan {
    Plan {
        lab: "alice".into(),
        steps: vec![Step {
            role: Role::Stage,
            account_id: STAGE.into(),
            title: "delete stack StageResources".into(),
            actions: vec![Action::DeleteStack {
                stack: "StageResources".into(),
            }],
            resources: vec!["stack StageResources".into()],
            why: "test".into(),
            wait: Some(Wait::StackGone("StageResources".into())),
            after: Vec::new(),
        }],
        ..Plan::default()
    }
}

fn fast() -> RunOptions {
    RunOptions {
        poll: Duration::from_millis(1),
        timeout: Duration::from_secs(30),
    }
}

#[tokio::test]
async fn delete_failed_stops_the_wait_at_once_naming_each_resource_and_its_reason() {
    let [caller, describe, events] = delete_failed_rules();
    let no_endpoints = mock!(aws_sdk_sagemaker::Client::list_endpoints).then_output(|| {
        aws_sdk_sagemaker::operation::list_endpoints::ListEndpointsOutput::builder().build()
    });
    let no_bucket = mock!(aws_sdk_s3::Client::head_bucket).then_error(|| {
        aws_sdk_s3::operation::head_bucket::HeadBucketError::NotFound(
            aws_sdk_s3::types::error::NotFound::builder().build(),
        )
    });
    let c = with_sm_s3(
        mock_client!(
            aws_sdk_cloudformation,
            RuleMode::MatchAny,
            [&describe, &events]
        ),
        mock_client!(aws_sdk_sts, RuleMode::Sequential, [&caller]),
        mock_client!(aws_sdk_sagemaker, RuleMode::Sequential, [&no_endpoints]),
        mock_client!(aws_sdk_s3, RuleMode::Sequential, [&no_bucket]),
    );
    let info = info();
    let names = LabNames::default();
    let ctx = Ctx {
        role: Role::Stage,
        account_id: STAGE,
        info: &info,
        names: &names,
        now: T0,
    };
    let snap = poll::poll(&c, &mut Cache::default(), ctx)
        .await
        .expect("the poll reads the failed stack and its events");
    assert_eq!(snap.stacks[0].status, "DELETE_FAILED");
    assert_eq!(events.num_calls(), 1);

    let backend = Scripted::new(vec![Ok(snap)]);
    let mut seen = Vec::new();
    let outcome = cleanup::run(&backend, 0, &stage_stack_plan(), fast(), |e| {
        seen.push(e.clone());
        std::ops::ControlFlow::Continue(())
    })
    .await;
    // One look at DELETE_FAILED ends the wait: no second read.
    assert_eq!(backend.reads.load(Ordering::SeqCst), 1);
    let [(0, StepResult::Failed(why))] = outcome.results.as_slice() else {
        panic!("expected the step to fail: {outcome:?}");
    };
    assert!(
        why.starts_with(
            "stack StageResources DELETE_COMPLETE not reached: DELETE_FAILED: resources not deleted: "
        ),
        "{why}"
    );
    for part in [
        "SageMakerExecutionRole (AWS::IAM::Role): User: arn:aws:sts::333333333333:assumed-role/Ops/crossdeck is not authorized to perform: iam:DeleteRole",
        "S3Bucket (AWS::S3::Bucket): The bucket you tried to delete is not empty",
    ] {
        assert!(why.contains(part), "{part} not in {why}");
    }
    assert!(
        seen.iter().any(|e| matches!(e, Event::StepFailed { .. })),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_wait_never_takes_an_unreadable_status_for_gone() {
    // First the stacks cannot be read (empty, unknown), then the stack is really gone.
    let mut unreadable = AccountSnapshot::empty(STAGE, T0);
    unreadable.mark_unknown(Part::Stacks, "DescribeStacks failed: AccessDenied: no");
    let mut deleting = AccountSnapshot::empty(STAGE, T0);
    deleting.stacks.push(Stack {
        name: "StageResources".into(),
        status: "DELETE_IN_PROGRESS".into(),
        ..Stack::default()
    });
    let gone = AccountSnapshot::empty(STAGE, T0);
    let backend = Scripted::new(vec![
        Ok(unreadable.clone()),
        Ok(deleting),
        Ok(unreadable),
        Ok(gone),
    ]);
    let mut waiting = Vec::new();
    let outcome = cleanup::run(&backend, 0, &stage_stack_plan(), fast(), |e| {
        if let Event::Waiting { status, .. } = e {
            waiting.push(status.clone());
        }
        std::ops::ControlFlow::Continue(())
    })
    .await;
    assert_eq!(backend.reads.load(Ordering::SeqCst), 4);
    assert!(
        matches!(outcome.results.as_slice(), [(0, StepResult::Done(_))]),
        "{outcome:?}"
    );
    assert_eq!(
        waiting,
        [
            "unknown, stacks could not be read: DescribeStacks failed: AccessDenied: no",
            "DELETE_IN_PROGRESS",
            "unknown, stacks could not be read: DescribeStacks failed: AccessDenied: no",
        ]
    );
}

fn seen(products: &[(&str, &str, &str)], artifacts: Option<&str>) -> Seen {
    Seen {
        products: products
            .iter()
            .map(|(id, name, product)| (id.to_string(), (name.to_string(), product.to_string())))
            .collect::<HashMap<_, _>>(),
        artifacts_bucket: artifacts.map(str::to_string),
        stack_unique_id: None,
    }
}

#[test]
fn destructive_targets_are_checked_against_the_labs_names() {
    let info = info();
    let names = LabNames::default();
    let s = seen(
        &[
            ("pp-lab", "Amazon Secure Sagemaker", "prod-1"),
            ("pp-renamed", "Secure notebook v2", "prod-lab"),
            ("pp-other", "Corporate VPC", "prod-9"),
            ("pp-nameless", "", "prod-lab"),
        ],
        Some("store-of-the-pipeline"),
    );
    let target = |role, account_id| Target {
        info: &info,
        names: &names,
        role,
        account_id,
        seen: &s,
        product_id: Some("prod-lab"),
    };
    let ds = target(Role::DataScience, "222222222222");
    let tools = target(Role::Tools, "111111111111");
    let terminate = |id: &str| Action::TerminateProduct { id: id.into() };
    let empty = |b: &str| Action::EmptyBucket { bucket: b.into() };
    let delete = |b: &str| Action::DeleteBucket { bucket: b.into() };
    for (t, a) in [
        (&ds, terminate("pp-lab")),
        (&ds, terminate("pp-renamed")),
        (&ds, delete("sc-222222222222-pp-lab-sagemakerbucket-1x2y")),
        (&ds, empty("datascience-project-222222222222")),
        (&tools, empty("store-of-the-pipeline")),
        (
            &tools,
            empty("mlops-bia-codepipeline-artifacts-ali-0a1b2c3d"),
        ),
        (&tools, empty("mlops-bia-data-model-111111111111")),
    ] {
        assert_eq!(targets::check(t, &a), Ok(()), "{a}");
    }
    for (t, a, why) in [
        (&ds, terminate("pp-other"), "not the lab's"),
        (&ds, terminate("pp-nameless"), "has no product name"),
        (&ds, terminate("pp-never-seen"), "was not seen"),
        (
            &ds,
            delete("their-bucket"),
            "not one of lab alice's buckets",
        ),
        (&ds, delete("sc-999999999999-pp-x-bucket"), "not one of"),
        (
            &tools,
            empty("mlops-bia-codepipeline-artifacts-ali-x-0a1b2c3d"),
            "not one of",
        ),
        (
            &tools,
            empty("datascience-project-222222222222"),
            "not one of",
        ),
    ] {
        match targets::check(t, &a) {
            Err(ActionError::Refused(m)) => assert!(m.contains(why), "{a}: {m}"),
            other => panic!("{a}: expected a refusal, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_aws_backend_refuses_a_foreign_target_before_any_call() {
    // Every call would go to this listener; a refused action never reaches it.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let text = format!(
        r#"
region = "us-east-1"
endpoint_url = "http://127.0.0.1:{port}"
max_attempts = 1

[[labs]]
name = "alice"
unique_id = "ali"
tools       = {{ account_id = "111111111111", profile = "crossdeck-test-no-such-profile" }}
datascience = {{ account_id = "222222222222", profile = "crossdeck-test-no-such-profile" }}
stage       = {{ account_id = "{STAGE}", profile = "crossdeck-test-no-such-profile" }}
"#
    );
    let config = Config::parse(Path::new("targets.toml"), &text).expect("config parses");
    let backend = AwsBackend::new(&config);
    let ds = AccountKey {
        lab: 0,
        role: Role::DataScience,
    };
    let stage = AccountKey {
        lab: 0,
        role: Role::Stage,
    };
    for (key, action) in [
        (ds, Action::TerminateProduct { id: "pp-x".into() }),
        (
            ds,
            Action::EmptyBucket {
                bucket: "their-bucket".into(),
            },
        ),
        (
            stage,
            Action::DeleteBucket {
                bucket: "mlops-bia-data-model-111111111111".into(),
            },
        ),
    ] {
        let shown = action.to_string();
        let r = tokio::time::timeout(Duration::from_secs(5), backend.act(key, action))
            .await
            .expect("refused at once");
        assert!(matches!(r, Err(ActionError::Refused(_))), "{shown}: {r:?}");
    }
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("a refused action connected to the endpoint: {other:?}"),
    }
}
