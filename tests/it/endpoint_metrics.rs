//! CloudWatch GetMetricData for the endpoint health view, through aws-smithy-mocks (moto cannot
//! serve the CBOR protocol the SDK speaks to CloudWatch): one call with the four metrics per
//! variant, and its answer on the wire (CBOR, newest first as CloudWatch sends by default)
//! mapped oldest first.

use std::sync::{Arc, Mutex};

use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataInput;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

use crossdeck::backend::aws::metrics;
use crossdeck::lab::Timestamp;
use crossdeck::lab::metrics::{Metric, SLOTS, window};

use crate::cbor::Cbor;
use crate::fixtures::T0;

const ENDPOINT: &str = "datascience-project-2026-11-27-09-36-29-Tools";

/// 10:30:25 on the fixtures' day: the window is 09:30 to 10:30.
fn now() -> Timestamp {
    T0.plus_secs(5425)
}

/// `at` minutes into the window, in seconds since the epoch.
fn minute(at: i64) -> f64 {
    let (start, _) = window(now());
    start.plus_secs(at * 60).millis() as f64 / 1000.0
}

/// One result as the API reference documents it: Id, Label, Timestamps and Values (newest
/// first, CloudWatch's default order), StatusCode.
fn result(id: &str, label: &str, points: &[(i64, f64)], status: &str) -> Cbor {
    let mut points = points.to_vec();
    points.sort_by_key(|(m, _)| -m);
    Cbor::Map(vec![
        ("Id", Cbor::text(id)),
        ("Label", Cbor::text(label)),
        (
            "Timestamps",
            Cbor::Array(
                points
                    .iter()
                    .map(|(m, _)| Cbor::Timestamp(minute(*m)))
                    .collect(),
            ),
        ),
        (
            "Values",
            Cbor::Array(points.iter().map(|(_, v)| Cbor::F64(*v)).collect()),
        ),
        ("StatusCode", Cbor::text(status)),
    ])
}

/// A GetMetricData answer on the wire: Smithy RPC v2 CBOR, as CloudWatch sends it to the SDK.
fn wire(results: Vec<Cbor>, messages: &[(&str, &str)]) -> HttpResponse {
    let messages = messages
        .iter()
        .map(|(code, value)| {
            Cbor::Map(vec![
                ("Code", Cbor::text(code)),
                ("Value", Cbor::text(value)),
            ])
        })
        .collect();
    let body = Cbor::Map(vec![
        ("MetricDataResults", Cbor::Array(results)),
        ("Messages", Cbor::Array(messages)),
    ])
    .encode();
    let mut r = HttpResponse::new(
        StatusCode::try_from(200).expect("a status"),
        SdkBody::from(body),
    );
    r.headers_mut().insert("smithy-protocol", "rpc-v2-cbor");
    r.headers_mut().insert("content-type", "application/cbor");
    r
}

fn answer() -> HttpResponse {
    let minutes = [3, 4, 58, 59];
    let table: [(&str, &str, [f64; 4], &str); 4] = [
        ("inv_0", "Invocations", [31.0, 2.0, 1.0, 4.0], "Complete"),
        (
            "lat_0",
            "ModelLatency",
            [2100.0, 2500.0, 3900.0, 3500.0],
            "Complete",
        ),
        (
            "err4_0",
            "Invocation4XXErrors",
            [0.0, 1.0, 0.0, 0.0],
            "PartialData",
        ),
        ("err5_0", "Invocation5XXErrors", [0.0; 4], "Complete"),
    ];
    let results = table
        .iter()
        .map(|(id, name, values, status)| {
            let points: Vec<(i64, f64)> = minutes.into_iter().zip(*values).collect();
            result(id, &format!("AllTraffic {name}"), &points, status)
        })
        .collect();
    wire(
        results,
        &[("MaxMetricsExceeded", "a made-up service message")],
    )
}

fn dims(q: &aws_sdk_cloudwatch::types::MetricDataQuery) -> Vec<(String, String)> {
    let metric = q.metric_stat().and_then(|s| s.metric()).expect("a metric");
    metric
        .dimensions()
        .iter()
        .map(|d| {
            (
                d.name().unwrap_or_default().to_string(),
                d.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn one_get_metric_data_call_asks_for_the_four_metrics_of_the_last_hour() {
    let seen: Arc<Mutex<Vec<GetMetricDataInput>>> = Arc::default();
    let record = seen.clone();
    let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .match_requests(move |r| {
            record.lock().expect("lock").push(r.clone());
            true
        })
        .then_http_response(answer);
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::Sequential, [&rule]);

    let m = metrics::endpoint_metrics(&client, ENDPOINT, &["AllTraffic".into()], now())
        .await
        .expect("metrics");

    assert_eq!(rule.num_calls(), 1, "one GetMetricData call per refresh");
    let seen = seen.lock().expect("lock");
    let input = seen.last().expect("a request");
    let (start, end) = (
        input.start_time().expect("start").to_millis().expect("ms"),
        input.end_time().expect("end").to_millis().expect("ms"),
    );
    assert_eq!(end - start, 3_600_000, "a 60-minute window");
    assert_eq!(end % 60_000, 0, "whole minutes");
    assert!(
        end <= now().millis() && now().millis() - end < 60_000,
        "ends now"
    );
    let queries = input.metric_data_queries();
    let asked: Vec<(&str, &str, &str, i32)> = queries
        .iter()
        .map(|q| {
            let stat = q.metric_stat().expect("a metric stat");
            let metric = stat.metric().expect("a metric");
            assert_eq!(metric.namespace(), Some("AWS/SageMaker"));
            assert_eq!(
                dims(q),
                [
                    ("EndpointName".to_string(), ENDPOINT.to_string()),
                    ("VariantName".to_string(), "AllTraffic".to_string())
                ]
            );
            assert_eq!(q.return_data(), Some(true));
            (
                q.id().expect("an id"),
                metric.metric_name().expect("a name"),
                stat.stat().expect("a stat"),
                stat.period().expect("a period"),
            )
        })
        .collect();
    assert_eq!(
        asked,
        [
            ("inv_0", "Invocations", "Sum", 60),
            ("lat_0", "ModelLatency", "Average", 60),
            ("err4_0", "Invocation4XXErrors", "Sum", 60),
            ("err5_0", "Invocation5XXErrors", "Sum", 60),
        ]
    );

    // Mapped oldest first, whatever order CloudWatch answered in.
    let inv = m
        .series("AllTraffic", Metric::Invocations)
        .expect("invocations");
    let values: Vec<f64> = inv.points.iter().map(|(_, v)| *v).collect();
    assert_eq!(values, [31.0, 2.0, 1.0, 4.0]);
    assert!(inv.points.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!((inv.last(), inv.overall()), (Some(4.0), Some(38.0)));
    let slots = inv.slots(m.start, SLOTS);
    assert_eq!(
        (slots[3], slots[4], slots[5]),
        (Some(31.0), Some(2.0), None)
    );
    assert_eq!(slots[59], Some(4.0), "the newest minute is the last slot");
    let lat = m
        .series("AllTraffic", Metric::ModelLatency)
        .expect("latency");
    assert_eq!((lat.last(), lat.overall()), (Some(3500.0), Some(3000.0)));
    let e4 = m.series("AllTraffic", Metric::Errors4xx).expect("4xx");
    assert_eq!(e4.overall(), Some(1.0));
    assert_eq!(
        m.notes,
        [
            "AllTraffic Invocation4XXErrors: PartialData",
            "a made-up service message"
        ]
    );
    assert_eq!(m.variants(), ["AllTraffic"]);
}

#[tokio::test]
async fn two_variants_are_still_one_call_and_a_denial_reads_as_such() {
    let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .match_requests(|r| {
            let ids: Vec<&str> = r
                .metric_data_queries()
                .iter()
                .filter_map(|q| q.id())
                .collect();
            ids == [
                "inv_0", "lat_0", "err4_0", "err5_0", "inv_1", "lat_1", "err4_1", "err5_1",
            ]
        })
        .then_http_response(|| {
            wire(
                vec![result(
                    "inv_1",
                    "Canary Invocations",
                    &[(10, 5.0)],
                    "Complete",
                )],
                &[],
            )
        });
    let denied = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_error(|| {
        aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError::generic(
            aws_smithy_types::error::ErrorMetadata::builder()
                .code("AccessDenied")
                .message("User is not authorized to perform: cloudwatch:GetMetricData")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::Sequential, [&rule, &denied]);
    let variants = ["AllTraffic".to_string(), "Canary".to_string()];

    let m = metrics::endpoint_metrics(&client, ENDPOINT, &variants, now())
        .await
        .expect("metrics");
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(m.variants(), ["AllTraffic", "Canary"]);
    let canary = m.series("Canary", Metric::Invocations).expect("canary");
    assert_eq!(canary.points.len(), 1);
    assert!(
        m.series("AllTraffic", Metric::Invocations)
            .is_some_and(|s| s.points.is_empty()),
        "a metric without datapoints is an empty series"
    );

    let err = metrics::endpoint_metrics(&client, ENDPOINT, &variants, now())
        .await
        .expect_err("denied");
    assert!(err.to_string().contains("GetMetricData"), "{err}");
    assert!(err.to_string().contains("not authorized"), "{err}");
}

#[tokio::test]
async fn an_endpoint_without_variants_makes_no_call() {
    let client = mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::Sequential,
        Vec::<&Rule>::new()
    );
    let m = metrics::endpoint_metrics(&client, ENDPOINT, &[], now())
        .await
        .expect("no call, no error");
    assert!(m.series.is_empty());
    assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
}
