//! SageMaker: the lab's endpoints (detail read when their status changes) and notebook instances.

use aws_sdk_sagemaker::Client;

use super::errors::CallError;
use super::time::ts;
use crate::lab::{Endpoint, NotebookInstance, Variant};

/// ListEndpoints, every page, keeping names that start with `prefix`; only name, status and
/// creation time are filled.
pub async fn list_endpoints(client: &Client, prefix: &str) -> Result<Vec<Endpoint>, CallError> {
    let mut out = Vec::new();
    let mut pages = client
        .list_endpoints()
        .name_contains(prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CallError::from_sdk("ListEndpoints", e))?;
        out.extend(
            page.endpoints()
                .iter()
                .filter(|e| e.endpoint_name().is_some_and(|n| n.starts_with(prefix)))
                .map(|e| Endpoint {
                    name: e.endpoint_name().unwrap_or_default().to_string(),
                    status: e.endpoint_status().map_or("", |s| s.as_str()).to_string(),
                    created: ts(e.creation_time()),
                    modified: ts(e.last_modified_time()),
                    ..Endpoint::default()
                }),
        );
    }
    Ok(out)
}

/// DescribeEndpoint, then DescribeEndpointConfig for each variant's instance type (and its
/// count while no instance runs yet).
pub async fn describe_endpoint(client: &Client, name: &str) -> Result<Endpoint, CallError> {
    let ep = client
        .describe_endpoint()
        .endpoint_name(name)
        .send()
        .await
        .map_err(|e| CallError::from_sdk("DescribeEndpoint", e))?;
    let mut endpoint = Endpoint {
        name: name.to_string(),
        status: ep.endpoint_status().map_or("", |s| s.as_str()).to_string(),
        failure_reason: ep
            .failure_reason()
            .filter(|r| !r.is_empty())
            .map(str::to_string),
        created: ts(ep.creation_time()),
        modified: ts(ep.last_modified_time()),
        variants: ep
            .production_variants()
            .iter()
            .map(|v| Variant {
                name: v.variant_name().unwrap_or_default().to_string(),
                instance_type: String::new(),
                instance_count: v
                    .current_instance_count()
                    .map_or(0, |c| u32::try_from(c).unwrap_or(0)),
            })
            .collect(),
        instance_count: ep
            .production_variants()
            .iter()
            .filter_map(|v| v.current_instance_count())
            .map(|c| u32::try_from(c).unwrap_or(0))
            .sum(),
        ..Endpoint::default()
    };
    if let Some(config) = ep.endpoint_config_name() {
        let cfg = client
            .describe_endpoint_config()
            .endpoint_config_name(config)
            .send()
            .await
            .map_err(|e| CallError::from_sdk("DescribeEndpointConfig", e))?;
        for cv in cfg.production_variants() {
            let name = cv.variant_name().unwrap_or_default();
            let kind = cv.instance_type().map_or("", |t| t.as_str()).to_string();
            let initial = cv
                .initial_instance_count()
                .map_or(0, |c| u32::try_from(c).unwrap_or(0));
            match endpoint.variants.iter_mut().find(|v| v.name == name) {
                Some(v) => {
                    v.instance_type = kind;
                    if v.instance_count == 0 {
                        v.instance_count = initial;
                    }
                }
                None => endpoint.variants.push(Variant {
                    name: name.to_string(),
                    instance_type: kind,
                    instance_count: initial,
                }),
            }
        }
        if let Some(v) = endpoint.variants.first() {
            endpoint.instance_type = v.instance_type.clone();
        }
        if endpoint.instance_count == 0 {
            endpoint.instance_count = endpoint.variants.iter().map(|v| v.instance_count).sum();
        }
    }
    Ok(endpoint)
}

/// ListNotebookInstances, every page.
pub async fn notebooks(client: &Client) -> Result<Vec<NotebookInstance>, CallError> {
    let mut out = Vec::new();
    let mut pages = client.list_notebook_instances().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CallError::from_sdk("ListNotebookInstances", e))?;
        out.extend(page.notebook_instances().iter().map(|n| {
            NotebookInstance {
                name: n.notebook_instance_name().unwrap_or_default().to_string(),
                status: n
                    .notebook_instance_status()
                    .map_or("", |s| s.as_str())
                    .to_string(),
                instance_type: n.instance_type().map_or("", |t| t.as_str()).to_string(),
                created: ts(n.creation_time()),
                modified: ts(n.last_modified_time()),
            }
        }));
    }
    Ok(out)
}
