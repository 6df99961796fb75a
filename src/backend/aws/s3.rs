//! S3: whether the lab's buckets exist, their versioning, and which of the objects the guide's
//! steps create are there.

use aws_sdk_s3::Client;
use aws_sdk_s3::types::BucketVersioningStatus;

use super::errors::CallError;

/// ListObjectsV2 under `prefix`, every page, keeping only the keys in `wanted`.
/// `Ok(None)` when the bucket does not exist.
pub async fn find_objects(
    client: &Client,
    bucket: &str,
    prefix: &str,
    wanted: &[String],
) -> Result<Option<Vec<String>>, CallError> {
    let mut found = Vec::new();
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                let e = CallError::from_sdk("ListObjectsV2", e);
                return if e.is_not_found() { Ok(None) } else { Err(e) };
            }
        };
        for o in page.contents() {
            if let Some(k) = o.key().filter(|k| wanted.iter().any(|w| w == k))
                && !found.iter().any(|f| f == k)
            {
                found.push(k.to_string());
            }
        }
        if wanted.iter().all(|w| found.contains(w)) {
            break;
        }
    }
    Ok(Some(found))
}

/// GetBucketVersioning: true when versioning is enabled (or suspended: versions remain).
pub async fn versioned(client: &Client, bucket: &str) -> Result<bool, CallError> {
    let out = client
        .get_bucket_versioning()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| CallError::from_sdk("GetBucketVersioning", e))?;
    Ok(matches!(
        out.status(),
        Some(BucketVersioningStatus::Enabled | BucketVersioningStatus::Suspended)
    ))
}

/// HeadBucket: `Ok(false)` when the bucket does not exist.
pub async fn exists(client: &Client, bucket: &str) -> Result<bool, CallError> {
    match client.head_bucket().bucket(bucket).send().await {
        Ok(_) => Ok(true),
        Err(e) => {
            let e = CallError::from_sdk("HeadBucket", e);
            if e.is_not_found() { Ok(false) } else { Err(e) }
        }
    }
}

/// ListBuckets with a name prefix: the first bucket under it that `fits`.
pub async fn find_bucket(
    client: &Client,
    prefix: &str,
    fits: impl Fn(&str) -> bool,
) -> Result<Option<String>, CallError> {
    let mut pages = client.list_buckets().prefix(prefix).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CallError::from_sdk("ListBuckets", e))?;
        if let Some(b) = page
            .buckets()
            .iter()
            .filter_map(|b| b.name())
            .find(|n| n.starts_with(prefix) && fits(n))
        {
            return Ok(Some(b.to_string()));
        }
    }
    Ok(None)
}
