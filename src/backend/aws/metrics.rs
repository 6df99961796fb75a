//! CloudWatch: an endpoint's last hour of `AWS/SageMaker` metrics in one GetMetricData call,
//! mapped into `lab::metrics` (oldest first, whatever order CloudWatch answers in).

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
use aws_sdk_cloudwatch::types::{Dimension, MetricDataQuery, MetricStat, StatusCode};
use aws_smithy_types::DateTime;

use super::actions::action_error;
use super::errors::CallError;
use super::time::ts;
use crate::backend::ActionError;
use crate::lab::Timestamp;
use crate::lab::metrics::{EndpointMetrics, Metric, NAMESPACE, PERIOD_SECS, Series, window};

/// The four queries per variant, ids `inv_0`, `lat_0`, … naming the metric and the variant's index.
pub fn queries(endpoint: &str, variants: &[String]) -> Vec<MetricDataQuery> {
    let mut out = Vec::with_capacity(variants.len() * Metric::ALL.len());
    for (i, variant) in variants.iter().enumerate() {
        for metric in Metric::ALL {
            let cw_metric = aws_sdk_cloudwatch::types::Metric::builder()
                .namespace(NAMESPACE)
                .metric_name(metric.name())
                .dimensions(dimension("EndpointName", endpoint))
                .dimensions(dimension("VariantName", variant))
                .build();
            let stat = MetricStat::builder()
                .metric(cw_metric)
                .period(PERIOD_SECS)
                .stat(metric.stat())
                .build();
            out.push(
                MetricDataQuery::builder()
                    .id(metric.query_id(i))
                    .label(format!("{variant} {}", metric.name()))
                    .metric_stat(stat)
                    .return_data(true)
                    .build(),
            );
        }
    }
    out
}

fn dimension(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

/// GetMetricData for the window ending at `now`: one call, every variant's four metrics.
pub async fn endpoint_metrics(
    client: &Client,
    endpoint: &str,
    variants: &[String],
    now: Timestamp,
) -> Result<EndpointMetrics, ActionError> {
    let mut metrics = EndpointMetrics::empty(endpoint, now);
    if variants.is_empty() {
        metrics
            .notes
            .push("the endpoint has no variants yet: no metrics to read".into());
        return Ok(metrics);
    }
    let (start, end) = window(now);
    let out = client
        .get_metric_data()
        .start_time(DateTime::from_millis(start.millis()))
        .end_time(DateTime::from_millis(end.millis()))
        .set_metric_data_queries(Some(queries(endpoint, variants)))
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("GetMetricData", e)))?;
    fill(&mut metrics, variants, &out);
    Ok(metrics)
}

/// Map the answer into series, in the order asked, each sorted oldest first (CloudWatch sends
/// newest first unless told otherwise).
pub fn fill(metrics: &mut EndpointMetrics, variants: &[String], out: &GetMetricDataOutput) {
    for variant in variants {
        for metric in Metric::ALL {
            metrics.series.push(Series::new(metric, variant.clone()));
        }
    }
    for r in out.metric_data_results() {
        let Some((metric, i)) = r.id().and_then(Metric::from_query_id) else {
            continue;
        };
        let Some(series) = metrics
            .series
            .iter_mut()
            .find(|s| s.metric == metric && variants.get(i) == Some(&s.variant))
        else {
            continue;
        };
        series.points = r
            .timestamps()
            .iter()
            .map(|t| ts(Some(t)))
            .zip(r.values().iter().copied())
            .collect();
        series.points.sort_by_key(|(t, _)| *t);
        series.points.dedup_by_key(|(t, _)| *t);
        match r.status_code() {
            Some(StatusCode::Complete) | None => {}
            Some(code) => metrics.notes.push(format!(
                "{}: {}{}",
                r.label().unwrap_or(metric.name()),
                code.as_str(),
                r.messages()
                    .iter()
                    .filter_map(|m| m.value())
                    .map(|v| format!(" ({v})"))
                    .collect::<String>()
            )),
        }
    }
    metrics.notes.extend(
        out.messages()
            .iter()
            .filter_map(|m| m.value().map(str::to_string)),
    );
    if out.next_token().is_some() {
        metrics
            .notes
            .push("CloudWatch has more datapoints than one answer holds; shown in part".into());
    }
}
