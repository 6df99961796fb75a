//! The buckets a poll looks at: which ones per account, and their objects of note, read
//! until all are seen and then kept. Each bucket is read on its own: one that cannot be read is
//! unknown, and the others still show.

use std::collections::HashMap;

use super::clients::Clients;
use super::errors::CallError;
use super::poll::Ctx;
use super::s3;
use crate::lab::{Bucket, Part};

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

/// Where the artifacts bucket's name comes from.
pub(super) enum Artifacts {
    /// No pipeline stack: no artifacts bucket to look for.
    None,
    /// The pipeline's artifact store names it.
    Named(String),
    /// The pipeline could not say: a ListBuckets under `prefix`, keeping only a name that `fits`.
    Find {
        prefix: String,
        fits: Box<dyn Fn(&str) -> bool + Send + Sync>,
    },
}

/// What reading the buckets found: the buckets, the parts that could not be read, and warnings.
#[derive(Default)]
pub(super) struct BucketsRead {
    pub buckets: Vec<Bucket>,
    pub unknown: Vec<(Part, String)>,
    pub warnings: Vec<String>,
}

/// Each planned bucket: from the cache once all its objects of note were seen, else
/// ListObjectsV2 (or HeadBucket when nothing in it is of note) and GetBucketVersioning.
/// Only an account-wide failure is an `Err`.
pub(super) async fn read_buckets(
    c: &Clients,
    cache: &mut HashMap<String, Bucket>,
    found: &mut Option<String>,
    mut plan: Vec<(String, Vec<String>)>,
    artifacts: Artifacts,
) -> Result<BucketsRead, CallError> {
    let mut read = BucketsRead::default();
    match artifacts {
        Artifacts::None => *found = None,
        Artifacts::Named(name) => *found = Some(name),
        Artifacts::Find { prefix, fits } => {
            if found.as_deref().is_none_or(|f| !fits(f)) {
                match s3::find_bucket(&c.s3, &prefix, fits).await {
                    Ok(f) => *found = f,
                    Err(e) if e.account_wide() => return Err(e),
                    Err(e) => read.unknown.push((Part::BucketList, e.warning())),
                }
            }
        }
    }
    if let Some(a) = found.clone() {
        plan.push((a, Vec::new()));
    }
    cache.retain(|k, _| plan.iter().any(|(b, _)| b == k));
    for (name, wanted) in plan {
        if let Some(b) = cache.get(&name) {
            read.buckets.push(b.clone());
            continue;
        }
        let objects = if wanted.is_empty() {
            s3::exists(&c.s3, &name).await.map(|e| e.then(Vec::new))
        } else {
            s3::find_objects(&c.s3, &name, &common_prefix(&wanted), &wanted).await
        };
        let objects = match objects {
            Ok(Some(o)) => o,
            Ok(None) => continue,
            Err(e) if e.account_wide() => return Err(e),
            Err(e) => {
                read.unknown.push((Part::Bucket(name), e.warning()));
                continue;
            }
        };
        // The bucket still shows when its versioning cannot be read.
        let (versioned, known) = match s3::versioned(&c.s3, &name).await {
            Ok(v) => (v, true),
            Err(e) if e.account_wide() => return Err(e),
            Err(e) => {
                read.warnings.push(e.warning());
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
        read.buckets.push(bucket);
    }
    Ok(read)
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
