//! SageMaker Runtime: InvokeEndpoint for the smoke test, timed from sending to the whole answer.

use std::time::{Duration, Instant};

use aws_smithy_types::Blob;

use super::actions::action_error;
use super::clients::Clients;
use super::errors::CallError;
use crate::backend::ActionError;
use crate::lab::smoke::Invocation;

/// How long one InvokeEndpoint attempt may take: above SageMaker's own 60 s limit for a model's
/// answer, so a slow model is never cut short.
pub const INVOKE_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(65);

/// How long the whole InvokeEndpoint call may take (it is tried once).
pub const INVOKE_TIMEOUT: Duration = Duration::from_secs(70);

/// InvokeEndpoint with `body` as `content_type`; the answer and the round trip in milliseconds.
pub async fn invoke_endpoint(
    c: &Clients,
    endpoint: &str,
    body: &str,
    content_type: &str,
) -> Result<Invocation, ActionError> {
    let started = Instant::now();
    let out = c
        .smr
        .invoke_endpoint()
        .endpoint_name(endpoint)
        .content_type(content_type)
        .body(Blob::new(body.as_bytes().to_vec()))
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("InvokeEndpoint", e)))?;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let answer = out
        .body()
        .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
        .unwrap_or_default();
    Ok(Invocation::new(
        &answer,
        latency_ms,
        out.invoked_production_variant().map(str::to_string),
    ))
}
