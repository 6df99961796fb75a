//! Calls that behave on a real account: a smoke test tried once with room for SageMaker's 60 s,
//! a launch followed through throttling, and a HeadBucket refused without a body.

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::types::{Stack as CfStack, StackStatus};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::DateTime;

use crossdeck::app::{App, Command, Launch, Msg, update};
use crossdeck::backend::aws::clients::Clients;
use crossdeck::backend::aws::poll::{self, Cache, Ctx};
use crossdeck::backend::aws::{launch, runtime, s3};
use crossdeck::backend::{AccountKey, Action, ActionDone, ActionError, LaunchRequest, RecordState};
use crossdeck::lab::{AccountError, ErrorKind, LabNames, Part, Role};

use crate::aws_mock::{body, json_error};
use crate::fixtures::{self, STAGE, T0};

/// A client that must not be called: it has no rules, so any call panics.
macro_rules! no_calls {
    ($sdk:ident) => {
        mock_client!($sdk, RuleMode::Sequential, Vec::<&Rule>::new())
    };
}

/// A listener on 127.0.0.1 that takes connections and reads requests but never answers.
struct Silent {
    port: u16,
    stop: Arc<AtomicBool>,
    received: Arc<Mutex<Vec<u8>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Silent {
    fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (stop.clone(), received.clone());
        let thread = std::thread::spawn(move || {
            let mut open = Vec::new();
            while !s.load(Ordering::Relaxed) {
                if let Ok((stream, _)) = listener.accept() {
                    stream.set_nonblocking(true).expect("nonblocking");
                    open.push(stream);
                }
                let mut buf = [0u8; 4096];
                for stream in &mut open {
                    while let Ok(n) = stream.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        r.lock().expect("received").extend_from_slice(&buf[..n]);
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        Silent {
            port,
            stop,
            received,
            thread: Some(thread),
        }
    }

    /// InvokeEndpoint requests received so far.
    fn invocations(&self) -> usize {
        let text = String::from_utf8_lossy(&self.received.lock().expect("received")).into_owned();
        text.matches("POST /endpoints/").count()
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// An account's configuration as `load_base` makes it (20 s attempts, retries), pointed at
/// `endpoint`.
fn config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        )))
        .retry_config(RetryConfig::adaptive().with_max_attempts(3))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_attempt_timeout(Duration::from_secs(20))
                .build(),
        )
        .build()
}

#[tokio::test(start_paused = true)]
async fn a_smoke_test_waits_past_sagemakers_limit_and_is_sent_once_even_when_it_times_out() {
    let silent = Silent::start();
    let cfg = config(&format!("http://127.0.0.1:{}", silent.port));
    let c = Clients::new(
        &cfg,
        false,
        Arc::new(AtomicU64::new(0)),
        "test".into(),
        STAGE,
    );

    let timeouts = c.smr.config().timeout_config().expect("timeouts");
    let attempt = timeouts
        .operation_attempt_timeout()
        .expect("attempt timeout");
    assert!(attempt > Duration::from_secs(60), "{attempt:?}");
    assert_eq!(attempt, runtime::INVOKE_ATTEMPT_TIMEOUT);
    assert!(timeouts.operation_timeout().is_some_and(|t| t > attempt));
    assert_eq!(
        timeouts.connect_timeout(),
        Some(Duration::from_secs(3)),
        "the account's connect timeout stays"
    );
    let retries = c.smr.config().retry_config().expect("retries");
    assert_eq!(retries.max_attempts(), 1);
    // The other services keep the account's settings.
    assert_eq!(
        c.sm.config()
            .timeout_config()
            .and_then(|t| t.operation_attempt_timeout()),
        Some(Duration::from_secs(20))
    );

    let started = tokio::time::Instant::now();
    let invoke = runtime::invoke_endpoint(&c, "datascience-project-x-Stage", "1,2,3", "text/csv");
    let result = c.run(invoke).await;
    let waited = started.elapsed();
    assert!(result.is_err(), "no answer is a failure: {result:?}");
    assert!(
        waited >= Duration::from_secs(60) && waited < Duration::from_secs(120),
        "gave up after {waited:?}"
    );
    // Let the listener read whatever reached it.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        silent.invocations(),
        1,
        "a timed-out smoke test is not sent again"
    );
}

const RECORD_ID: &str = "rec-3m5ni7fjpk3ek";

fn in_progress_record(status: &str) -> Option<String> {
    body(format!(
        r#"{{ "RecordDetail": {{
  "RecordId": "{RECORD_ID}", "ProvisionedProductName": "alice-notebook", "Status": "{status}",
  "CreatedTime": 1717000000, "UpdatedTime": 1717000100, "RecordType": "PROVISION_PRODUCT",
  "ProvisionedProductId": "pp-abc", "RecordErrors": [] }},
  "RecordOutputs": [] }}"#
    ))
}

const KEY: AccountKey = AccountKey {
    lab: 0,
    role: Role::DataScience,
};

/// One lab whose launch was just accepted: the commands the reducer gave back.
fn launched() -> (App, Vec<Command>) {
    let mut app = App::new(vec![fixtures::info()], LabNames::default(), T0);
    let mut done = ActionDone::new("launching Amazon Secure Sagemaker as alice-notebook");
    done.id = Some(RECORD_ID.into());
    let cmds = update(
        &mut app,
        Msg::ActionResult {
            key: KEY,
            action: Box::new(Action::LaunchProduct(LaunchRequest {
                name: "alice-notebook".into(),
                ..LaunchRequest::default()
            })),
            result: Ok(done),
        },
    );
    (app, cmds)
}

/// The waits of the record reads among `cmds`.
fn follow_ups(cmds: &[Command]) -> Vec<Duration> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::FollowRecord {
                key,
                record_id,
                after,
            } if *key == KEY && record_id == RECORD_ID => Some(*after),
            _ => None,
        })
        .collect()
}

fn record_msg(result: Result<RecordState, ActionError>) -> Msg {
    Msg::Record {
        key: KEY,
        record_id: RECORD_ID.into(),
        result,
    }
}

fn throttled() -> ActionError {
    ActionError::Account(AccountError {
        kind: ErrorKind::Throttled,
        message: "ThrottlingException: Rate exceeded".into(),
        detail: String::new(),
    })
}

#[test]
fn a_throttled_record_is_read_again_later_and_a_denied_one_stops_the_following() {
    let (mut app, cmds) = launched();
    assert_eq!(follow_ups(&cmds), [Duration::ZERO], "read at once");

    // Throttled: still followed, each read waits longer (2 s, 4 s, 8 s, ... at most 30 s).
    let mut waits = Vec::new();
    for _ in 0..6 {
        let cmds = update(&mut app, record_msg(Err(throttled())));
        waits.extend(follow_ups(&cmds));
        assert_eq!(app.launches.len(), 1, "still followed");
    }
    let secs = |s: &[u64]| {
        s.iter()
            .map(|s| Duration::from_secs(*s))
            .collect::<Vec<_>>()
    };
    assert_eq!(waits, secs(&[2, 4, 8, 16, 30, 30]));
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("reading it again in 30s")),
        "{:?}",
        app.notice
    );

    // A good read resets the backoff; the next one comes at the usual pace.
    let moving = RecordState {
        status: "IN_PROGRESS_IN_ERROR".into(),
        errors: vec!["Rollback requested".into()],
        ..RecordState::default()
    };
    let cmds = update(&mut app, record_msg(Ok(moving)));
    assert_eq!(follow_ups(&cmds), secs(&[3]));
    assert_eq!(
        app.notice.as_deref(),
        Some("launching alice-notebook: IN_PROGRESS_IN_ERROR: Rollback requested"),
        "the error of a launch in progress shows"
    );
    assert_eq!(app.launches[0].failures, 0);
    let cmds = update(&mut app, record_msg(Err(throttled())));
    assert_eq!(follow_ups(&cmds), secs(&[2]));

    // Access denied will not get better by waiting: following stops and says why.
    let denied = ActionError::Account(AccountError {
        kind: ErrorKind::AccessDenied,
        message: "AccessDeniedException: not authorized to perform servicecatalog:DescribeRecord"
            .into(),
        detail: String::new(),
    });
    let cmds = update(&mut app, record_msg(Err(denied)));
    assert!(follow_ups(&cmds).is_empty(), "{cmds:?}");
    assert!(app.launches.is_empty());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("cannot follow the launch of alice-notebook")),
        "{:?}",
        app.notice
    );

    // Not found and validation errors stop it too.
    for e in [
        ActionError::NotFound("record rec-3m5ni7fjpk3ek".into()),
        ActionError::Failed("DescribeRecord: ValidationException: bad id".into()),
    ] {
        let (mut app, _) = launched();
        assert!(follow_ups(&update(&mut app, record_msg(Err(e)))).is_empty());
        assert!(app.launches.is_empty());
    }
}

#[tokio::test]
async fn a_launch_is_followed_through_a_throttled_describe_record_to_succeeded() {
    let record = mock!(aws_sdk_servicecatalog::Client::describe_record)
        .match_requests(|r| r.id() == Some(RECORD_ID))
        .sequence()
        .http_status(400, json_error("ThrottlingException", "Rate exceeded"))
        .http_status(200, in_progress_record("IN_PROGRESS"))
        .http_status(200, in_progress_record("SUCCEEDED"))
        .build();
    // As if the SDK's own retries were used up: the throttling reaches crossdeck.
    let sc = mock_client!(
        aws_sdk_servicecatalog,
        RuleMode::Sequential,
        [&record],
        |c| c.retry_config(RetryConfig::disabled())
    );

    let (mut app, mut queue) = launched();
    let mut waits = Vec::new();
    let mut reads = 0;
    while let Some(i) = queue
        .iter()
        .position(|c| matches!(c, Command::FollowRecord { .. }))
    {
        let Command::FollowRecord {
            key,
            record_id,
            after,
        } = queue.remove(i)
        else {
            unreachable!()
        };
        waits.push(after);
        reads += 1;
        assert!(reads <= 5, "followed forever: {waits:?}");
        let result = launch::record(&sc, &record_id).await;
        queue = update(
            &mut app,
            Msg::Record {
                key,
                record_id,
                result,
            },
        );
    }
    assert_eq!(record.num_calls(), 3);
    assert_eq!(
        waits,
        [
            Duration::ZERO,
            Duration::from_secs(2),
            Duration::from_secs(3)
        ]
    );
    assert_eq!(app.launches, Vec::<Launch>::new());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("alice-notebook is launched")),
        "{:?}",
        app.notice
    );
    assert!(queue.contains(&Command::Refresh(vec![KEY])));
}

#[tokio::test]
async fn a_bodiless_403_on_head_bucket_is_access_denied_to_that_bucket_only() {
    let bucket = "mlops-bia-data-model-333333333333";
    let denied = mock!(aws_sdk_s3::Client::head_bucket)
        .match_requests(move |r| r.bucket() == Some(bucket))
        .sequence()
        .http_status(403, None)
        .build();
    let missing = mock!(aws_sdk_s3::Client::head_bucket)
        .sequence()
        .http_status(404, None)
        .build();
    let client = mock_client!(aws_sdk_s3, RuleMode::Sequential, [&denied, &missing]);

    let e = s3::exists(&client, bucket).await.expect_err("denied");
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert_eq!(e.message, "access denied (s3:ListBucket?)");
    assert_eq!(
        e.warning(),
        "HeadBucket failed: access denied (s3:ListBucket?)"
    );
    assert!(!e.account_wide(), "only the bucket is unreadable");

    assert!(
        !s3::exists(&client, "gone")
            .await
            .expect("a 404 is an answer"),
        "a bodiless 404 is a missing bucket"
    );
}

#[tokio::test]
async fn a_stage_poll_with_its_bucket_denied_still_shows_the_account() {
    let names = LabNames::default();
    let info = fixtures::info();
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(|| {
        DescribeStacksOutput::builder()
            .stacks(
                CfStack::builder()
                    .stack_name("StageResources")
                    .stack_status(StackStatus::CreateComplete)
                    .creation_time(DateTime::from_secs(1_717_000_000))
                    .build(),
            )
            .build()
    });
    let endpoints = mock!(aws_sdk_sagemaker::Client::list_endpoints).then_output(|| {
        aws_sdk_sagemaker::operation::list_endpoints::ListEndpointsOutput::builder().build()
    });
    let head = mock!(aws_sdk_s3::Client::head_bucket)
        .sequence()
        .http_status(403, None)
        .build();
    let caller = mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
        aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput::builder()
            .account(STAGE)
            .arn(format!("arn:aws:sts::{STAGE}:assumed-role/Lab/crossdeck"))
            .build()
    });
    let c = Clients {
        sts: mock_client!(aws_sdk_sts, RuleMode::Sequential, [&caller]).into(),
        cfn: mock_client!(aws_sdk_cloudformation, RuleMode::Sequential, [&describe]).into(),
        sc: no_calls!(aws_sdk_servicecatalog).into(),
        cp: no_calls!(aws_sdk_codepipeline).into(),
        sm: mock_client!(aws_sdk_sagemaker, RuleMode::Sequential, [&endpoints]).into(),
        s3: mock_client!(aws_sdk_s3, RuleMode::Sequential, [&head]).into(),
        cw: no_calls!(aws_sdk_cloudwatch).into(),
        smr: no_calls!(aws_sdk_sagemakerruntime).into(),
        fetches: Arc::new(AtomicU64::new(0)),
        source: "mock".into(),
        region: "us-east-1".into(),
        account: None,
    };
    let ctx = Ctx {
        role: Role::Stage,
        account_id: STAGE,
        info: &info,
        names: &names,
        now: T0,
    };
    let snap = poll::poll(&c, &mut Cache::default(), ctx)
        .await
        .expect("a denied bucket does not sink the account");
    assert_eq!(snap.error, None);
    assert_eq!(snap.stacks.len(), 1);
    // The bucket is unknown (not absent), with the read that failed.
    let bucket = format!("mlops-bia-data-model-{STAGE}");
    assert_eq!(
        snap.unknown(&Part::Bucket(bucket)),
        Some("HeadBucket failed: access denied (s3:ListBucket?)")
    );
    assert_eq!(head.num_calls(), 1);
}
