//! Cleanup on real accounts: terminate a provisioned product, delete one of the lab's stacks,
//! empty a bucket one batch at a time, delete a bucket, delete an endpoint with its config and model.

use aws_sdk_s3::types::{Delete, ObjectIdentifier};

use super::actions::action_error;
use super::clients::Clients;
use super::errors::CallError;
use crate::backend::{ActionDone, ActionError};
use crate::lab::LabNames;

/// Most object versions one DeleteObjects call may carry.
pub const BATCH: i32 = 1000;

/// TerminateProvisionedProduct (the backend follows the product until it is gone).
pub async fn terminate_product(c: &Clients, id: &str) -> Result<ActionDone, ActionError> {
    let out =
        c.sc.terminate_provisioned_product()
            .provisioned_product_id(id)
            .send()
            .await
            .map_err(|e| action_error(CallError::from_sdk("TerminateProvisionedProduct", e)))?;
    let mut done = ActionDone::new(format!("terminating provisioned product {id}"));
    done.id = out
        .record_detail()
        .and_then(|r| r.record_id())
        .map(str::to_string);
    Ok(done)
}

/// DeleteStack, for the lab's own stacks only; with `role_arn`, CloudFormation deletes the
/// stack's resources as that service role instead of as the caller.
pub async fn delete_stack(
    c: &Clients,
    names: &LabNames,
    stack: &str,
    role_arn: Option<&str>,
) -> Result<ActionDone, ActionError> {
    let n = names;
    let ours = [
        &n.tools_catalog_stack,
        &n.prep_stack,
        &n.pipeline_stack,
        &n.ds_catalog_stack,
        &n.ds_resources_stack,
        &n.stage_stack,
    ];
    if !ours.iter().any(|s| s.as_str() == stack) {
        return Err(ActionError::Refused(format!(
            "{stack} is not one of the lab's stacks"
        )));
    }
    c.cfn
        .delete_stack()
        .stack_name(stack)
        .set_role_arn(role_arn.map(str::to_string))
        .send()
        .await
        .map_err(|e| delete_stack_error(CallError::from_sdk("DeleteStack", e)))?;
    Ok(ActionDone::new(format!("deleting stack {stack}")))
}

/// DeleteStack of a stack that does not exist succeeds, so its ValidationError is a refusal
/// (termination protection, a stack in a state that cannot be deleted), never "already gone".
fn delete_stack_error(e: CallError) -> ActionError {
    if e.code.as_deref() == Some("ValidationError") {
        ActionError::Refused(format!("DeleteStack refused: {}", e.message))
    } else {
        action_error(e)
    }
}

/// One batch: ListObjectVersions (at most 1000 versions and delete markers), then one quiet
/// DeleteObjects of them. `more` when the listing was cut short.
pub async fn empty_bucket(c: &Clients, bucket: &str) -> Result<ActionDone, ActionError> {
    let page =
        c.s3.list_object_versions()
            .bucket(bucket)
            .max_keys(BATCH)
            .send()
            .await
            .map_err(|e| action_error(CallError::from_sdk("ListObjectVersions", e)))?;
    let listed = page
        .versions()
        .iter()
        .map(|v| (v.key(), v.version_id()))
        .chain(
            page.delete_markers()
                .iter()
                .map(|m| (m.key(), m.version_id())),
        );
    let mut objects = Vec::new();
    for (key, version) in listed {
        let Some(key) = key else { continue };
        let id = ObjectIdentifier::builder()
            .key(key)
            .set_version_id(version.map(str::to_string))
            .build()
            .map_err(unbuilt(bucket))?;
        objects.push(id);
    }
    let more = page.is_truncated().unwrap_or(false);
    if objects.is_empty() {
        let mut done = ActionDone::new(format!("{bucket} is empty"));
        done.more = more;
        return Ok(done);
    }
    let listed = objects.len() as u64;
    let delete = Delete::builder()
        .set_objects(Some(objects))
        .quiet(true)
        .build()
        .map_err(unbuilt(bucket))?;
    let out =
        c.s3.delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .map_err(|e| action_error(CallError::from_sdk("DeleteObjects", e)))?;
    if let Some(e) = out.errors().first() {
        return Err(ActionError::Failed(format!(
            "DeleteObjects in {bucket}: {} of {listed} not deleted, e.g. {} ({}): {}",
            out.errors().len(),
            e.key().unwrap_or_default(),
            e.code().unwrap_or("error"),
            e.message().unwrap_or_default()
        )));
    }
    let mut done = ActionDone::new(format!("deleted {listed} object versions in {bucket}"));
    done.count = listed;
    done.more = more;
    Ok(done)
}

/// A request crossdeck could not build (an SDK builder missing a required field).
fn unbuilt(bucket: &str) -> impl Fn(aws_sdk_s3::error::BuildError) -> ActionError + '_ {
    move |e| ActionError::Failed(format!("{bucket}: {e}"))
}

/// DeleteBucket (it must be empty).
pub async fn delete_bucket(c: &Clients, bucket: &str) -> Result<ActionDone, ActionError> {
    c.s3.delete_bucket()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("DeleteBucket", e)))?;
    Ok(ActionDone::new(format!("deleted bucket {bucket}")))
}

/// SageMaker says "Could not find ..." with a ValidationException.
fn missing(e: &CallError) -> bool {
    e.is_not_found()
        || (e.code.as_deref() == Some("ValidationException")
            && e.message.contains("Could not find"))
}

/// A SageMaker call whose "not found" means the thing is already gone (`Ok(false)`).
fn deleted<T>(r: Result<T, CallError>) -> Result<bool, ActionError> {
    match r {
        Ok(_) => Ok(true),
        Err(e) if missing(&e) => Ok(false),
        Err(e) => Err(action_error(e)),
    }
}

/// DescribeEndpoint and DescribeEndpointConfig for the names, then DeleteEndpoint,
/// DeleteEndpointConfig and DeleteModel. Only names under the lab's endpoint prefix are deleted;
/// whatever is already missing counts as done.
pub async fn delete_endpoint(
    c: &Clients,
    names: &LabNames,
    endpoint: &str,
) -> Result<ActionDone, ActionError> {
    let prefix = &names.endpoint_prefix;
    if !endpoint.starts_with(prefix.as_str()) {
        return Err(ActionError::Refused(format!(
            "{endpoint} is not one of the lab's endpoints (they start with {prefix})"
        )));
    }
    let described =
        c.sm.describe_endpoint()
            .endpoint_name(endpoint)
            .send()
            .await
            .map_err(|e| CallError::from_sdk("DescribeEndpoint", e));
    let config = match described {
        Ok(d) => d.endpoint_config_name().map(str::to_string),
        Err(e) if missing(&e) => return Err(ActionError::NotFound(format!("endpoint {endpoint}"))),
        Err(e) => return Err(action_error(e)),
    };
    let mut models = Vec::new();
    if let Some(cfg) = &config {
        let d =
            c.sm.describe_endpoint_config()
                .endpoint_config_name(cfg)
                .send()
                .await
                .map_err(|e| CallError::from_sdk("DescribeEndpointConfig", e));
        match d {
            Ok(d) => models.extend(
                d.production_variants()
                    .iter()
                    .filter_map(|v| v.model_name())
                    .map(str::to_string),
            ),
            Err(e) if missing(&e) => {}
            Err(e) => return Err(action_error(e)),
        }
    }
    let mut gone = vec![format!("endpoint {endpoint}")];
    let mut left = Vec::new();
    let r = c.sm.delete_endpoint().endpoint_name(endpoint).send().await;
    deleted(r.map_err(|e| CallError::from_sdk("DeleteEndpoint", e)))?;
    if let Some(cfg) = config {
        if cfg.starts_with(prefix.as_str()) {
            let r =
                c.sm.delete_endpoint_config()
                    .endpoint_config_name(&cfg)
                    .send()
                    .await;
            if deleted(r.map_err(|e| CallError::from_sdk("DeleteEndpointConfig", e)))? {
                gone.push(format!("endpoint config {cfg}"));
            }
        } else {
            left.push(format!("endpoint config {cfg}"));
        }
    }
    models.dedup();
    for m in models {
        if m.starts_with(prefix.as_str()) {
            let r = c.sm.delete_model().model_name(&m).send().await;
            if deleted(r.map_err(|e| CallError::from_sdk("DeleteModel", e)))? {
                gone.push(format!("model {m}"));
            }
        } else {
            left.push(format!("model {m}"));
        }
    }
    let mut summary = format!("deleted {}", gone.join(", "));
    if !left.is_empty() {
        summary.push_str(&format!(
            "; left {} (not under the lab's prefix {prefix})",
            left.join(", ")
        ));
    }
    let mut done = ActionDone::new(summary);
    done.count = gone.len() as u64;
    Ok(done)
}
