//! The AWS side of cleanup where moto cannot prove it: the bytes TerminateProvisionedProduct and
//! DeleteObjects send (a replayed HTTP exchange), and with SDK mocks the order of the endpoint's
//! deletes, "not found" as done, and refusals made before any call.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_sagemaker::operation as sm;
use aws_sdk_sagemaker::types::ProductionVariant;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::http::{Request, Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;

use crossdeck::backend::aws::actions::act;
use crossdeck::backend::aws::clients::Clients;
use crossdeck::backend::{Action, ActionDone, ActionError};
use crossdeck::lab::LabNames;

macro_rules! no_calls {
    ($sdk:ident) => {
        mock_client!($sdk, RuleMode::Sequential, Vec::<&Rule>::new())
    };
}

/// Every client of one account sending to a replayed HTTP exchange.
fn replayed(events: Vec<ReplayEvent>) -> (StaticReplayClient, Clients) {
    let replay = StaticReplayClient::new(events);
    let cfg = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .retry_config(RetryConfig::disabled())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        )))
        .http_client(replay.clone())
        .build();
    let fetches = Arc::new(AtomicU64::new(0));
    let clients = Clients::new(&cfg, true, fetches, "replay".into(), "222222222222");
    (replay, clients)
}

/// One exchange: the request is only recorded (checked below), the response is `body`.
fn answer(status: u16, body: &str) -> ReplayEvent {
    let status = StatusCode::try_from(status).expect("a status");
    ReplayEvent::new(
        Request::new(SdkBody::empty()),
        Response::new(status, SdkBody::from(body.to_string())),
    )
}

fn body(r: &HttpRequest) -> String {
    String::from_utf8_lossy(r.body().bytes().unwrap_or_default()).into_owned()
}

fn clients(
    sc: aws_sdk_servicecatalog::Client,
    cfn: aws_sdk_cloudformation::Client,
    sm: aws_sdk_sagemaker::Client,
) -> Clients {
    Clients {
        sts: no_calls!(aws_sdk_sts).into(),
        cfn: cfn.into(),
        sc: sc.into(),
        cp: no_calls!(aws_sdk_codepipeline).into(),
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

async fn run(c: &Clients, action: Action) -> Result<ActionDone, ActionError> {
    c.run(act(c, &LabNames::default(), action)).await
}

fn versions_page(truncated: bool) -> String {
    let version = |k: &str, v: &str| {
        format!(
            "<Version><Key>{k}</Key><VersionId>{v}</VersionId><IsLatest>false</IsLatest>\
             <LastModified>2026-11-27T09:00:00.000Z</LastModified><ETag>\"e\"</ETag><Size>1</Size>\
             <StorageClass>STANDARD</StorageClass></Version>"
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <ListVersionsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <Name>b</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><IsTruncated>{truncated}</IsTruncated>\
         {}{}<DeleteMarker><Key>models/b.tar.gz</Key><VersionId>m1</VersionId><IsLatest>true</IsLatest>\
         <LastModified>2026-11-27T09:00:00.000Z</LastModified></DeleteMarker></ListVersionsResult>",
        version("models/a.tar.gz", "v2"),
        version("models/a.tar.gz", "v1"),
    )
}

const DELETED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
    <DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></DeleteResult>";

#[tokio::test]
async fn empty_bucket_deletes_versions_and_markers_in_quiet_batches() {
    let (replay, c) = replayed(vec![
        answer(200, &versions_page(true)),
        answer(200, DELETED),
        answer(200, &versions_page(false)),
        answer(200, DELETED),
    ]);
    let bucket = || Action::EmptyBucket {
        bucket: "mlops-bia-data-model-333333333333".into(),
    };
    let first = run(&c, bucket()).await.expect("first batch");
    assert_eq!((first.count, first.more), (3, true), "{first:?}");
    let second = run(&c, bucket()).await.expect("second batch");
    assert_eq!((second.count, second.more), (3, false), "{second:?}");

    let sent: Vec<&HttpRequest> = replay.actual_requests().collect();
    assert_eq!(sent.len(), 4);
    for list in [sent[0], sent[2]] {
        assert_eq!(list.method(), "GET");
        let uri = list.uri();
        assert!(
            uri.contains("/mlops-bia-data-model-333333333333")
                && uri.contains("versions")
                && uri.contains("max-keys=1000"),
            "{uri}"
        );
    }
    for delete in [sent[1], sent[3]] {
        assert_eq!(delete.method(), "POST");
        assert!(delete.uri().contains("delete"), "{}", delete.uri());
        let xml = body(delete);
        for object in [
            "<Object><Key>models/a.tar.gz</Key><VersionId>v2</VersionId></Object>",
            "<Object><Key>models/a.tar.gz</Key><VersionId>v1</VersionId></Object>",
            "<Object><Key>models/b.tar.gz</Key><VersionId>m1</VersionId></Object>",
        ] {
            assert!(xml.contains(object), "{object} not in {xml}");
        }
        assert_eq!(xml.matches("<Object>").count(), 3, "{xml}");
        assert!(xml.contains("<Quiet>true</Quiet>"), "{xml}");
    }
}

#[tokio::test]
async fn empty_bucket_reports_objects_it_could_not_delete_and_a_missing_bucket() {
    let refused = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Error>\
        <Key>models/a.tar.gz</Key><VersionId>v1</VersionId><Code>AccessDenied</Code>\
        <Message>Access Denied</Message></Error></DeleteResult>";
    let missing = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchBucket</Code>\
        <Message>The specified bucket does not exist</Message><BucketName>b</BucketName></Error>";
    let (_replay, c) = replayed(vec![
        answer(200, &versions_page(false)),
        answer(200, refused),
        answer(404, missing),
        answer(404, missing),
    ]);
    let b = |a: fn(String) -> Action| a("b".into());
    match run(&c, b(|bucket| Action::EmptyBucket { bucket })).await {
        Err(ActionError::Failed(m)) => assert!(
            m.contains("1 of 3 not deleted")
                && m.contains("models/a.tar.gz (AccessDenied): Access Denied"),
            "{m}"
        ),
        other => panic!("expected a failure, got {other:?}"),
    }
    for action in [
        b(|bucket| Action::EmptyBucket { bucket }),
        b(|bucket| Action::DeleteBucket { bucket }),
    ] {
        let r = run(&c, action).await;
        assert!(matches!(r, Err(ActionError::NotFound(_))), "{r:?}");
    }
}

#[tokio::test]
async fn terminate_sends_the_provisioned_product_id_and_a_missing_one_is_not_found() {
    let (replay, c) = replayed(vec![
        answer(
            200,
            r#"{"RecordDetail":{"RecordId":"rec-7","ProvisionedProductId":"pp-abc","Status":"CREATED","RecordType":"TERMINATE_PROVISIONED_PRODUCT"}}"#,
        ),
        answer(
            400,
            r#"{"__type":"ResourceNotFoundException","Message":"Provisioned product not found"}"#,
        ),
    ]);
    let done = run(
        &c,
        Action::TerminateProduct {
            id: "pp-abc".into(),
        },
    )
    .await
    .expect("terminating");
    assert_eq!(done.id.as_deref(), Some("rec-7"));
    assert_eq!(done.summary, "terminating provisioned product pp-abc");
    let gone = run(
        &c,
        Action::TerminateProduct {
            id: "pp-gone".into(),
        },
    )
    .await;
    assert!(matches!(gone, Err(ActionError::NotFound(_))), "{gone:?}");

    let sent: Vec<&HttpRequest> = replay.actual_requests().collect();
    let target = sent[0].headers().get("x-amz-target");
    assert_eq!(
        target,
        Some("AWS242ServiceCatalogService.TerminateProvisionedProduct")
    );
    let json: serde_json::Value = serde_json::from_str(&body(sent[0])).expect("a JSON body");
    assert_eq!(json["ProvisionedProductId"], "pp-abc");
    // The SDK fills the idempotency token; nothing else is sent (no IgnoreErrors, no name).
    assert!(
        json["TerminateToken"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    let mut keys: Vec<&String> = json.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["ProvisionedProductId", "TerminateToken"]);
    let json: serde_json::Value = serde_json::from_str(&body(sent[1])).expect("a JSON body");
    assert_eq!(json["ProvisionedProductId"], "pp-gone");
}

const ENDPOINT: &str = "datascience-project-2026-11-27-09-00-00-Tools";

fn described(config: &'static str, model: &'static str) -> [Rule; 2] {
    [
        mock!(aws_sdk_sagemaker::Client::describe_endpoint)
            .match_requests(|r| r.endpoint_name() == Some(ENDPOINT))
            .then_output(move || {
                sm::describe_endpoint::DescribeEndpointOutput::builder()
                    .endpoint_name(ENDPOINT)
                    .endpoint_config_name(config)
                    .build()
            }),
        mock!(aws_sdk_sagemaker::Client::describe_endpoint_config)
            .match_requests(move |r| r.endpoint_config_name() == Some(config))
            .then_output(move || {
                sm::describe_endpoint_config::DescribeEndpointConfigOutput::builder()
                    .endpoint_config_name(config)
                    .production_variants(
                        ProductionVariant::builder()
                            .variant_name("AllTraffic")
                            .model_name(model)
                            .build(),
                    )
                    .build()
            }),
    ]
}

#[tokio::test]
async fn delete_endpoint_reads_its_config_and_model_then_deletes_all_three_in_order() {
    let config = "datascience-project-2026-11-27-09-00-00-Tools-config";
    let model = "datascience-project-2026-11-27-09-00-00";
    let [d1, d2] = described(config, model);
    let delete = mock!(aws_sdk_sagemaker::Client::delete_endpoint)
        .match_requests(|r| r.endpoint_name() == Some(ENDPOINT))
        .then_output(|| sm::delete_endpoint::DeleteEndpointOutput::builder().build());
    let delete_config = mock!(aws_sdk_sagemaker::Client::delete_endpoint_config)
        .match_requests(move |r| r.endpoint_config_name() == Some(config))
        .then_output(|| sm::delete_endpoint_config::DeleteEndpointConfigOutput::builder().build());
    // The model went already: "not found" counts as done.
    let delete_model = mock!(aws_sdk_sagemaker::Client::delete_model)
        .match_requests(move |r| r.model_name() == Some(model))
        .then_error(|| {
            sm::delete_model::DeleteModelError::generic(
                ErrorMetadata::builder()
                    .code("ValidationException")
                    .message("Could not find model \"datascience-project-2026-11-27-09-00-00\".")
                    .build(),
            )
        });
    let rules = [&d1, &d2, &delete, &delete_config, &delete_model];
    let sm = mock_client!(aws_sdk_sagemaker, RuleMode::Sequential, rules);
    let c = clients(
        no_calls!(aws_sdk_servicecatalog),
        no_calls!(aws_sdk_cloudformation),
        sm,
    );
    let done = run(
        &c,
        Action::DeleteEndpoint {
            endpoint: ENDPOINT.into(),
        },
    )
    .await
    .expect("deleted");
    assert_eq!(
        done.summary,
        format!("deleted endpoint {ENDPOINT}, endpoint config {config}")
    );
    for r in rules {
        assert_eq!(r.num_calls(), 1);
    }
}

#[tokio::test]
async fn delete_endpoint_leaves_what_is_not_the_labs_and_a_missing_endpoint_is_not_found() {
    let [d1, d2] = described("shared-config", "shared-model");
    let delete = mock!(aws_sdk_sagemaker::Client::delete_endpoint)
        .then_output(|| sm::delete_endpoint::DeleteEndpointOutput::builder().build());
    let missing = mock!(aws_sdk_sagemaker::Client::describe_endpoint).then_error(|| {
        sm::describe_endpoint::DescribeEndpointError::generic(
            ErrorMetadata::builder()
                .code("ValidationException")
                .message("Could not find endpoint \"x\".")
                .build(),
        )
    });
    let sm = mock_client!(
        aws_sdk_sagemaker,
        RuleMode::Sequential,
        [&d1, &d2, &delete, &missing]
    );
    let c = clients(
        no_calls!(aws_sdk_servicecatalog),
        no_calls!(aws_sdk_cloudformation),
        sm,
    );
    let ep = || Action::DeleteEndpoint {
        endpoint: ENDPOINT.into(),
    };
    let done = run(&c, ep()).await.expect("deleted");
    assert_eq!(
        done.summary,
        format!(
            "deleted endpoint {ENDPOINT}; left endpoint config shared-config, model \
             shared-model (not under the lab's prefix datascience-project-)"
        )
    );
    let gone = run(&c, ep()).await;
    assert!(matches!(gone, Err(ActionError::NotFound(_))), "{gone:?}");
}

#[tokio::test]
async fn other_stacks_and_endpoints_are_refused_before_any_call() {
    let delete_stack = mock!(aws_sdk_cloudformation::Client::delete_stack)
        .match_requests(|r| r.stack_name() == Some("StageResources"))
        .then_output(|| {
            aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput::builder().build()
        });
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::Sequential,
        [&delete_stack]
    );
    let c = clients(
        no_calls!(aws_sdk_servicecatalog),
        cfn,
        no_calls!(aws_sdk_sagemaker),
    );
    for action in [
        Action::DeleteStack {
            stack: "SomeoneElsesStack".into(),
        },
        Action::DeleteStack {
            stack: "StageResourcesCopy".into(),
        },
        Action::DeleteEndpoint {
            endpoint: "unrelated-endpoint".into(),
        },
    ] {
        let r = run(&c, action.clone()).await;
        assert!(matches!(r, Err(ActionError::Refused(_))), "{action}: {r:?}");
    }
    let done = run(
        &c,
        Action::DeleteStack {
            stack: "StageResources".into(),
        },
    )
    .await
    .expect("deleting");
    assert_eq!(done.summary, "deleting stack StageResources");
    assert_eq!(delete_stack.num_calls(), 1);
}
