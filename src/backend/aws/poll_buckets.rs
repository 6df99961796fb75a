//! The buckets a poll looks at: which ones per account, and their objects of note, read
//! until all are seen and then kept.

use std::collections::HashMap;

use super::clients::Clients;
use super::errors::CallError;
use super::poll::Ctx;
use super::s3;
use crate::lab::Bucket;

/// The Tools buckets to look at, each with the objects of note: the Lambda bucket once the prep
/// stack exists, the data-model bucket once the pipeline stack does.
pub(super) fn tools_buckets(
    ctx: Ctx<'_>,
    has: &impl Fn(&str) -> bool,
) -> Vec<(String, Vec<String>)> {
    let n = ctx.names;
    let mut plan = Vec::new();
    if has(&n.prep_stack) {
        plan.push((n.lambda_bucket(ctx.account_id), n.lambda_zips.to_vec()));
    }
    if has(&n.pipeline_stack) {
        plan.push((
            n.data_model_bucket(ctx.account_id),
            vec![n.model_key.clone()],
        ));
    }
    plan
}

/// Each planned bucket: from the cache once all its objects of note were seen, else
/// ListObjectsV2 (or HeadBucket when nothing in it is of note) and GetBucketVersioning.
pub(super) async fn read_buckets(
    c: &Clients,
    cache: &mut HashMap<String, Bucket>,
    artifacts: &mut Option<String>,
    mut plan: Vec<(String, Vec<String>)>,
    artifacts_prefix: Option<String>,
) -> Result<(Vec<Bucket>, Vec<String>), CallError> {
    let mut warnings = Vec::new();
    match &artifacts_prefix {
        None => *artifacts = None,
        Some(prefix) if artifacts.is_none() => *artifacts = s3::find_bucket(&c.s3, prefix).await?,
        Some(_) => {}
    }
    if let Some(a) = artifacts.clone() {
        plan.push((a, Vec::new()));
    }
    cache.retain(|k, _| plan.iter().any(|(b, _)| b == k));
    let mut out = Vec::new();
    for (name, wanted) in plan {
        if let Some(b) = cache.get(&name) {
            out.push(b.clone());
            continue;
        }
        let objects = if wanted.is_empty() {
            s3::exists(&c.s3, &name).await?.then(Vec::new)
        } else {
            s3::find_objects(&c.s3, &name, &common_prefix(&wanted), &wanted).await?
        };
        let Some(objects) = objects else {
            continue;
        };
        // The bucket still shows when its versioning cannot be read.
        let (versioned, known) = match s3::versioned(&c.s3, &name).await {
            Ok(v) => (v, true),
            Err(e) if e.account_wide() => return Err(e),
            Err(e) => {
                warnings.push(e.warning());
                (false, false)
            }
        };
        let bucket = Bucket {
            versioned,
            name: name.clone(),
            objects,
        };
        if known && wanted.iter().all(|w| bucket.has(w)) {
            cache.insert(name, bucket.clone());
        }
        out.push(bucket);
    }
    Ok((out, warnings))
}

/// The longest prefix the keys share (a narrower listing).
fn common_prefix(keys: &[String]) -> String {
    let Some(first) = keys.first() else {
        return String::new();
    };
    let mut len = first.len();
    for k in &keys[1..] {
        len = first
            .char_indices()
            .zip(k.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(len);
    }
    first[..len].to_string()
}

#[cfg(test)]
mod tests {
    use super::common_prefix;

    #[test]
    fn listing_prefix_is_what_the_keys_share() {
        let keys = ["MLOps-BIA-DeployModel.py.zip", "MLOps-BIA-GetStatus.py.zip"].map(String::from);
        assert_eq!(common_prefix(&keys), "MLOps-BIA-");
        assert_eq!(
            common_prefix(&["models/model.tar.gz".to_string()]),
            "models/model.tar.gz"
        );
        assert_eq!(common_prefix(&["a".to_string(), "b".to_string()]), "");
    }
}
