//! Service Catalog launches: the launch form read from the product (SearchProducts,
//! ListLaunchPaths, DescribeProduct, DescribeProvisioningParameters), ProvisionProduct, and the
//! provisioning record (DescribeRecord).

use std::collections::BTreeMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_servicecatalog::Client;
use aws_sdk_servicecatalog::types::{
    ProductViewFilterBy, ProvisioningArtifact, ProvisioningArtifactGuidance,
    ProvisioningArtifactParameter, ProvisioningParameter, Tag,
};

use super::actions::action_error;
use super::errors::CallError;
use crate::backend::{
    ActionDone, ActionError, LaunchOptions, LaunchParameter, LaunchRequest, RecordState,
};

/// Longest provisioned product name AWS accepts.
pub const MAX_NAME: usize = 128;

/// The launch form for a product, by its exact name: its id, launch path, current artifact,
/// parameters and TagOptions.
pub async fn options(client: &Client, product_name: &str) -> Result<LaunchOptions, ActionError> {
    let product_id = find_product(client, product_name).await?;
    let (path_id, path_name) = first_path(client, &product_id, product_name).await?;
    let artifact = current_artifact(client, &product_id, product_name).await?;
    let artifact_id = artifact.id().unwrap_or_default().to_string();
    let out = client
        .describe_provisioning_parameters()
        .product_id(&product_id)
        .provisioning_artifact_id(&artifact_id)
        .path_id(&path_id)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("DescribeProvisioningParameters", e)))?;
    Ok(LaunchOptions {
        product_id,
        product_name: product_name.to_string(),
        artifact_id,
        artifact_name: artifact.name().unwrap_or_default().to_string(),
        path_id,
        path_name,
        parameters: out
            .provisioning_artifact_parameters()
            .iter()
            .map(parameter)
            .collect(),
        tag_options: out
            .tag_options()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.values().to_vec())))
            .collect(),
    })
}

/// SearchProducts with a full-text filter, every page; the product whose name is exactly
/// `name` (the search also matches descriptions and similar names).
async fn find_product(client: &Client, name: &str) -> Result<String, ActionError> {
    let mut token: Option<String> = None;
    loop {
        let page = client
            .search_products()
            .filters(ProductViewFilterBy::FullTextSearch, vec![name.to_string()])
            .set_page_token(token.take())
            .send()
            .await
            .map_err(|e| action_error(CallError::from_sdk("SearchProducts", e)))?;
        if let Some(id) = page
            .product_view_summaries()
            .iter()
            .find(|p| p.name() == Some(name))
            .and_then(|p| p.product_id())
        {
            return Ok(id.to_string());
        }
        match page.next_page_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Err(ActionError::NotFound(format!(
        "no product named \"{name}\" is available to these credentials (is the portfolio \
         shared, accepted, and granted to this role?)"
    )))
}

/// ListLaunchPaths: the first path to the product.
async fn first_path(
    client: &Client,
    product_id: &str,
    product_name: &str,
) -> Result<(String, String), ActionError> {
    let out = client
        .list_launch_paths()
        .product_id(product_id)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("ListLaunchPaths", e)))?;
    out.launch_path_summaries()
        .iter()
        .find_map(|p| {
            let id = p.id().filter(|id| !id.is_empty())?;
            Some((id.to_string(), p.name().unwrap_or_default().to_string()))
        })
        .ok_or_else(|| {
            ActionError::NotFound(format!(
                "{product_name} ({product_id}) has no launch path for these credentials: \
                 grant this role access to a portfolio that holds it"
            ))
        })
}

/// DescribeProduct: the artifact (version) to launch. It lists only the active artifacts; the
/// newest one not marked DEPRECATED is taken (the console's default), else the newest.
async fn current_artifact(
    client: &Client,
    product_id: &str,
    product_name: &str,
) -> Result<ProvisioningArtifact, ActionError> {
    let out = client
        .describe_product()
        .id(product_id)
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("DescribeProduct", e)))?;
    pick_artifact(out.provisioning_artifacts()).ok_or_else(|| {
        ActionError::NotFound(format!(
            "{product_name} ({product_id}) has no active version to launch"
        ))
    })
}

/// The newest artifact that is not deprecated, else the newest.
fn pick_artifact(artifacts: &[ProvisioningArtifact]) -> Option<ProvisioningArtifact> {
    let usable = |a: &&ProvisioningArtifact| a.id().is_some_and(|id| !id.is_empty());
    let newest = |a: &&ProvisioningArtifact| a.created_time().map(|t| (t.secs(), t.subsec_nanos()));
    let deprecated =
        |a: &&ProvisioningArtifact| a.guidance() == Some(&ProvisioningArtifactGuidance::Deprecated);
    artifacts
        .iter()
        .filter(usable)
        .filter(|a| !deprecated(a))
        .max_by_key(newest)
        .or_else(|| artifacts.iter().filter(usable).max_by_key(newest))
        .cloned()
}

fn parameter(p: &ProvisioningArtifactParameter) -> LaunchParameter {
    LaunchParameter {
        key: p.parameter_key().unwrap_or_default().to_string(),
        description: p.description().unwrap_or_default().to_string(),
        default: p.default_value().map(str::to_string),
        allowed: p
            .parameter_constraints()
            .map(|c| c.allowed_values().to_vec())
            .unwrap_or_default(),
    }
}

/// ProvisionProduct with a fresh ProvisionToken (kept across the SDK's retries, so a retried
/// request never launches twice); the result's `id` is the record id.
pub async fn provision(client: &Client, r: LaunchRequest) -> Result<ActionDone, ActionError> {
    check_request(&r)?;
    let tags = r
        .tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ActionError::Refused(format!("a tag is incomplete: {e}")))?;
    let parameters = r
        .parameters
        .iter()
        .map(|(k, v)| ProvisioningParameter::builder().key(k).value(v).build())
        .collect();
    let out = client
        .provision_product()
        .product_id(&r.product_id)
        .provisioning_artifact_id(&r.artifact_id)
        .set_path_id(Some(r.path_id.clone()).filter(|p| !p.is_empty()))
        .provisioned_product_name(&r.name)
        .set_provisioning_parameters(Some(parameters))
        .set_tags(Some(tags))
        .provision_token(provision_token())
        .send()
        .await
        .map_err(|e| action_error(CallError::from_sdk("ProvisionProduct", e)))?;
    let record = out
        .record_detail()
        .and_then(|d| d.record_id())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            ActionError::Failed(format!(
                "ProvisionProduct accepted {} but returned no record id to follow",
                r.name
            ))
        })?;
    let mut done = ActionDone::new(format!("launching {} as {}", r.product_name, r.name));
    done.id = Some(record.to_string());
    Ok(done)
}

/// Refuse a request AWS would reject, before any call.
fn check_request(r: &LaunchRequest) -> Result<(), ActionError> {
    for (what, value) in [("product id", &r.product_id), ("version", &r.artifact_id)] {
        if value.is_empty() {
            return Err(ActionError::Refused(format!(
                "the launch has no {what}: read the launch options first"
            )));
        }
    }
    let name = &r.name;
    let first_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !first_ok || !rest_ok || name.chars().count() > MAX_NAME {
        return Err(ActionError::Refused(format!(
            "\"{name}\" is not a valid product name: up to {MAX_NAME} letters, digits, '.', '_' \
             and '-', starting with a letter or digit"
        )));
    }
    Ok(())
}

/// A ProvisionToken unique to this launch: `crossdeck-<ms>-<random>`, within AWS's 128
/// characters of `[a-zA-Z0-9][a-zA-Z0-9_-]*`.
pub fn provision_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let random = RandomState::new().hash_one((ms, n));
    format!("crossdeck-{ms:x}-{random:016x}")
}

/// DescribeRecord, every page of outputs: the status, the provisioned product, the errors'
/// descriptions and the outputs.
pub async fn record(client: &Client, record_id: &str) -> Result<RecordState, ActionError> {
    let mut state = RecordState::default();
    let mut outputs = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_record()
            .id(record_id)
            .set_page_token(token.take())
            .send()
            .await
            .map_err(|e| action_error(CallError::from_sdk("DescribeRecord", e)))?;
        if let Some(d) = page.record_detail() {
            state.status = d.status().map_or("", |s| s.as_str()).to_string();
            state.provisioned_product_id = d.provisioned_product_id().unwrap_or_default().into();
            state.errors = d
                .record_errors()
                .iter()
                .filter_map(|e| e.description().or(e.code()).map(str::to_string))
                .collect();
        }
        for o in page.record_outputs() {
            if let Some(k) = o.output_key() {
                outputs.insert(k.to_string(), o.output_value().unwrap_or_default().into());
            }
        }
        match page.next_page_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    if state.status.is_empty() {
        return Err(ActionError::Failed(format!(
            "DescribeRecord said nothing about record {record_id}"
        )));
    }
    state.outputs = outputs;
    Ok(state)
}
