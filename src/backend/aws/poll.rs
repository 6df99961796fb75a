//! One poll of one account: the fewest calls that fill its snapshot, with what need not be read
//! again (verified identity, seen objects, endpoint detail, pipeline structure) kept between polls.

use std::collections::{BTreeMap, HashMap};

use futures_util::future::join_all;

use super::clients::Clients;
use super::errors::CallError;
use super::identity::{self, Identity};
use super::pipelines::{self, Structure};
use super::poll_buckets::{Artifacts, BucketsRead, read_buckets, tools_buckets};
use super::{catalog, sagemaker, stacks};
use crate::lab::{
    AccountError, AccountSnapshot, Bucket, Category, Endpoint, LabInfo, LabNames, NotebookInstance,
    Part, Pipeline, PortfolioShare, ProvisionedProduct, Role, Stack, Timestamp, stack_unique_id,
};

/// What one account's polls remember between them.
#[derive(Clone, Debug, Default)]
pub struct Cache {
    /// The credential-fetch count at which the caller identity was last verified.
    pub verified_at: Option<u64>,
    pub identity: Option<Identity>,
    /// The portfolio's shares, kept once the share to DataScience is seen.
    pub shares: Option<Vec<PortfolioShare>>,
    /// Outputs of provisioned products, by id, once available.
    pub product_outputs: HashMap<String, BTreeMap<String, String>>,
    /// Each provisioned product seen by the last read of products: id -> (product name,
    /// product id), for the check before a termination.
    pub products: HashMap<String, (String, String)>,
    pub structures: HashMap<String, Structure>,
    /// Endpoint detail, read again when the listed status changes.
    pub endpoints: HashMap<String, Endpoint>,
    /// Buckets whose objects of note have all been seen.
    pub buckets: HashMap<String, Bucket>,
    pub artifacts_bucket: Option<String>,
    /// The pipeline stack's `UniqueID` parameter, last seen (Tools, when none is configured).
    pub stack_unique_id: Option<String>,
}

/// What a poll needs to know of the lab.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    pub role: Role,
    pub account_id: &'a str,
    pub info: &'a LabInfo,
    pub names: &'a LabNames,
    pub now: Timestamp,
}

/// Collects the parts that failed; an account-wide failure ends the poll.
#[derive(Default)]
struct Problems {
    warnings: Vec<String>,
    unknown: Vec<(Part, String)>,
    fatal: Option<CallError>,
}

impl Problems {
    /// The content of `part`, or `None` with the part marked unknown (or the poll ended, when
    /// the failure is account-wide).
    fn part<T>(&mut self, part: Part, r: Result<T, CallError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) if e.account_wide() => {
                if self.fatal.is_none() {
                    self.fatal = Some(e);
                }
                None
            }
            Err(e) => {
                self.unknown.push((part, e.warning()));
                None
            }
        }
    }

    fn buckets(&mut self, r: Result<BucketsRead, CallError>, snap: &mut AccountSnapshot) {
        match r {
            Ok(read) => {
                snap.buckets = read.buckets;
                self.unknown.extend(read.unknown);
                self.warnings.extend(read.warnings);
            }
            Err(e) => {
                if self.fatal.is_none() {
                    self.fatal = Some(e);
                }
            }
        }
    }
}

/// Read one account. Only an account-wide failure is an `Err`; any other failed read marks its
/// part of the snapshot unknown (with the read that failed) and the rest still shows.
pub async fn poll(
    c: &Clients,
    cache: &mut Cache,
    ctx: Ctx<'_>,
) -> Result<AccountSnapshot, CallError> {
    verify_identity(c, cache, ctx.account_id).await?;
    let mut p = Problems::default();
    let mut snap = AccountSnapshot::empty(ctx.account_id, ctx.now);
    snap.region.clone_from(&c.region);

    let stacks = p.part(Part::Stacks, read_stacks(c, ctx).await);
    if let Some(e) = p.fatal {
        return Err(e);
    }
    let stacks_known = stacks.is_some();
    let stacks = stacks.unwrap_or_default();
    // Without the stacks, every bucket a stack could have made is looked for.
    let has = |name: &str| {
        !stacks_known
            || stacks
                .iter()
                .any(|s| s.name == name && !s.status.starts_with("DELETE_COMPLETE"))
    };
    if ctx.role == Role::Tools && stacks_known {
        cache.stack_unique_id =
            stack_unique_id(&stacks, &ctx.names.pipeline_stack).map(str::to_string);
    }
    let Cache {
        shares,
        product_outputs,
        products,
        structures,
        endpoints,
        buckets,
        artifacts_bucket,
        stack_unique_id: found_uid,
        ..
    } = cache;

    match ctx.role {
        Role::Tools => {
            let portfolio = stacks
                .iter()
                .find(|s| s.name == ctx.names.tools_catalog_stack)
                .and_then(|s| s.outputs.get("MasterPortfolioId").cloned());
            let bucket_plan = tools_buckets(ctx, &has);
            // The pipeline stack names its pipeline; ListPipelines only when it does not.
            let pipeline_name = stacks
                .iter()
                .find(|s| s.name == ctx.names.pipeline_stack)
                .and_then(|s| s.outputs.get("CodePipeline").cloned());
            let (sh, pl, ep) = tokio::join!(
                read_shares(c, shares, portfolio.as_deref(), ctx),
                read_pipelines(c, structures, ctx.names, pipeline_name.as_deref()),
                read_endpoints(c, endpoints, &ctx.names.endpoint_prefix),
            );
            if !stacks_known && portfolio.is_none() {
                let cause =
                    "the portfolio's id is an output of a stack, and the stacks could not be read";
                p.unknown.push((Part::Shares, cause.to_string()));
            } else if let Some(sh) = p.part(Part::Shares, sh) {
                snap.portfolio_shares = sh;
            }
            let (pipes, warns, state_failed) = pl;
            p.warnings.extend(warns);
            if let Some(pipes) = p.part(Part::Pipelines, pipes) {
                snap.pipelines = pipes;
            }
            if let Some(cause) = state_failed {
                p.unknown.push((Part::Pipelines, cause));
            }
            snap.endpoints = p.part(Part::Endpoints, ep).unwrap_or_default();
            let uid = ctx.info.unique_id.as_deref().or(found_uid.as_deref());
            let artifacts = artifacts_source(ctx, uid, &snap, &p, has(&ctx.names.pipeline_stack));
            let bk = read_buckets(c, buckets, artifacts_bucket, bucket_plan, artifacts).await;
            p.buckets(bk, &mut snap);
        }
        Role::DataScience => {
            let (pr, nb) = tokio::join!(read_products(c, product_outputs), read_notebooks(c));
            if let Some((list, outputs_failed)) = p.part(Part::Products, pr) {
                if let Some(cause) = outputs_failed {
                    p.unknown.push((Part::ProductOutputs, cause));
                }
                *products = list
                    .iter()
                    .map(|x| (x.id.clone(), (x.product_name.clone(), x.product_id.clone())))
                    .collect();
                snap.provisioned_products = list;
            }
            snap.notebooks = p.part(Part::Notebooks, nb).unwrap_or_default();
            let mut plan: Vec<(String, Vec<String>)> = snap
                .provisioned_products
                .iter()
                .filter_map(|pp| pp.outputs.get("BucketName").cloned())
                .map(|b| (b, Vec::new()))
                .collect();
            if has(&ctx.names.ds_resources_stack) {
                plan.push((ctx.names.ds_data_bucket(ctx.account_id), Vec::new()));
            }
            let bk = read_buckets(c, buckets, artifacts_bucket, plan, Artifacts::None).await;
            p.buckets(bk, &mut snap);
        }
        Role::Stage | Role::Production => {
            let plan = if has(&ctx.names.stage_stack) {
                vec![(ctx.names.data_model_bucket(ctx.account_id), Vec::new())]
            } else {
                Vec::new()
            };
            let (ep, bk) = tokio::join!(
                read_endpoints(c, endpoints, &ctx.names.endpoint_prefix),
                read_buckets(c, buckets, artifacts_bucket, plan, Artifacts::None),
            );
            snap.endpoints = p.part(Part::Endpoints, ep).unwrap_or_default();
            p.buckets(bk, &mut snap);
        }
    }
    if let Some(e) = p.fatal {
        return Err(e);
    }
    snap.stacks = stacks;
    for (part, cause) in p.unknown {
        snap.mark_unknown(part, cause);
    }
    let mut seen = std::collections::HashSet::new();
    snap.warnings = p
        .warnings
        .into_iter()
        .filter(|w| seen.insert(w.clone()))
        .collect();
    Ok(snap)
}

/// The artifacts bucket: the pipeline's artifact store when the pipeline was read, else a
/// bucket named exactly `<prefix><uid>-<8 hex>`; none without the pipeline stack (or without a
/// UniqueID, configured or the stack's).
fn artifacts_source(
    ctx: Ctx<'_>,
    uid: Option<&str>,
    snap: &AccountSnapshot,
    p: &Problems,
    pipeline_stack: bool,
) -> Artifacts {
    if !pipeline_stack {
        return Artifacts::None;
    }
    let pipelines_known = !p.unknown.iter().any(|(part, _)| *part == Part::Pipelines);
    if pipelines_known
        && let Some(bucket) = snap
            .pipelines
            .iter()
            .find_map(|x| x.artifact_bucket.clone())
    {
        return Artifacts::Named(bucket);
    }
    let Some(uid) = uid.map(str::to_string) else {
        return Artifacts::None;
    };
    let names = ctx.names.clone();
    Artifacts::Find {
        prefix: format!("{}{uid}-", names.artifacts_bucket_prefix),
        fits: Box::new(move |b: &str| names.is_artifacts_bucket(&uid, b)),
    }
}

/// GetCallerIdentity when the credentials were (re)fetched since the last check.
async fn verify_identity(
    c: &Clients,
    cache: &mut Cache,
    account_id: &str,
) -> Result<(), CallError> {
    let fetches = c.credential_fetches();
    if cache.verified_at == Some(fetches) && cache.identity.is_some() {
        return Ok(());
    }
    let who = identity::caller(&c.sts).await.map_err(|mut e| {
        // Whatever stops STS stops the whole account.
        if !e.account_wide() && e.kind != crate::lab::ErrorKind::AccessDenied {
            e.kind = crate::lab::ErrorKind::Other;
        }
        e
    })?;
    identity::check_account(&who, account_id)?;
    cache.identity = Some(who);
    cache.verified_at = Some(c.credential_fetches());
    Ok(())
}

/// The lab's stacks in this account (the guide's names; in DataScience also the provisioned
/// products' `SC-<account>-pp-` stacks), with events for those in progress or failed.
async fn read_stacks(c: &Clients, ctx: Ctx<'_>) -> Result<Vec<Stack>, CallError> {
    let n = ctx.names;
    let names: Vec<&str> = match ctx.role {
        Role::Tools => vec![&n.tools_catalog_stack, &n.prep_stack, &n.pipeline_stack],
        Role::DataScience => vec![&n.ds_catalog_stack, &n.ds_resources_stack],
        Role::Stage | Role::Production => vec![&n.stage_stack],
    };
    let product_prefix = format!("SC-{}-pp-", ctx.account_id);
    let role = ctx.role;
    let mut list = stacks::describe(&c.cfn, |s| {
        names.contains(&s) || (role == Role::DataScience && s.starts_with(&product_prefix))
    })
    .await?;
    let wanted: Vec<usize> = (0..list.len())
        .filter(|&i| stacks::needs_events(&list[i]))
        .collect();
    let events = join_all(wanted.iter().map(|&i| {
        let (c, s) = (&c.cfn, &list[i]);
        async move {
            if Category::of(&s.status) == Category::Failed {
                stacks::failure_events(c, &s.name).await
            } else {
                stacks::events(c, &s.name).await
            }
        }
    }))
    .await;
    for (i, ev) in wanted.into_iter().zip(events) {
        match ev {
            Ok(ev) => list[i].events = ev,
            Err(e) if e.account_wide() => return Err(e),
            // The stack still shows; its events are missing this time.
            Err(_) => {}
        }
    }
    Ok(list)
}

async fn read_shares(
    c: &Clients,
    cached: &mut Option<Vec<PortfolioShare>>,
    portfolio_id: Option<&str>,
    ctx: Ctx<'_>,
) -> Result<Vec<PortfolioShare>, CallError> {
    let ds = ctx.info.accounts[Role::DataScience].as_deref();
    if let Some(s) = cached.as_ref().filter(|s| {
        s.iter()
            .any(|x| Some(x.portfolio_id.as_str()) == portfolio_id)
    }) {
        return Ok(s.clone());
    }
    let Some(id) = portfolio_id else {
        *cached = None;
        return Ok(Vec::new());
    };
    let shares = catalog::shares(&c.sc, id, &ctx.names.portfolio_name).await?;
    if shares.iter().any(|s| Some(s.shared_with.as_str()) == ds) {
        *cached = Some(shares.clone());
    }
    Ok(shares)
}

/// The lab's pipeline (named by the pipeline stack's `CodePipeline` output), else every
/// pipeline under the configured prefix; a pipeline whose state cannot be read shows its
/// declared stages, and the third value says why (the pipelines' state is then unknown).
async fn read_pipelines(
    c: &Clients,
    structures: &mut HashMap<String, Structure>,
    names: &LabNames,
    known: Option<&str>,
) -> (
    Result<Vec<Pipeline>, CallError>,
    Vec<String>,
    Option<String>,
) {
    let list = match known {
        Some(name) => vec![name.to_string()],
        None => match pipelines::list(&c.cp, &names.pipeline_prefix).await {
            Ok(l) => l,
            Err(e) => return (Err(e), Vec::new(), None),
        },
    };
    structures.retain(|k, _| list.contains(k));
    let mut warnings = Vec::new();
    let mut state_failed = None;
    let mut out = Vec::new();
    for name in list {
        let (state, latest) = tokio::join!(
            pipelines::state(&c.cp, &name),
            pipelines::latest_execution(&c.cp, &name),
        );
        let mut pipeline = match state {
            Ok((mut p, version)) => {
                if structures.get(&name).is_none_or(|s| s.version != version) {
                    match pipelines::structure(&c.cp, &name).await {
                        Ok(s) => {
                            structures.insert(name.clone(), s);
                        }
                        Err(e) if e.account_wide() => return (Err(e), warnings, None),
                        Err(e) => warnings.push(e.warning()),
                    }
                }
                if let Some(s) = structures.get(&name) {
                    pipelines::apply_structure(&mut p, s);
                    p.artifact_bucket.clone_from(&s.artifact_bucket);
                }
                p
            }
            Err(e) if e.account_wide() => return (Err(e), warnings, None),
            Err(e) => {
                state_failed = Some(e.warning());
                if !structures.contains_key(&name) {
                    match pipelines::structure(&c.cp, &name).await {
                        Ok(s) => {
                            structures.insert(name.clone(), s);
                        }
                        Err(e) if e.account_wide() => return (Err(e), warnings, None),
                        Err(e) => warnings.push(e.warning()),
                    }
                }
                match structures.get(&name) {
                    Some(s) => pipelines::declared(&name, s),
                    None => Pipeline {
                        name: name.clone(),
                        ..Pipeline::default()
                    },
                }
            }
        };
        match latest {
            Ok(l) => pipeline.latest_execution = l,
            Err(e) if e.account_wide() => return (Err(e), warnings, None),
            Err(e) => state_failed = Some(e.warning()),
        }
        out.push(pipeline);
    }
    (Ok(out), warnings, state_failed)
}

/// Endpoints under the prefix; DescribeEndpoint only for one not seen before or whose status
/// changed since.
async fn read_endpoints(
    c: &Clients,
    cache: &mut HashMap<String, Endpoint>,
    prefix: &str,
) -> Result<Vec<Endpoint>, CallError> {
    let listed = sagemaker::list_endpoints(&c.sm, prefix).await?;
    cache.retain(|k, _| listed.iter().any(|e| &e.name == k));
    let stale: Vec<&Endpoint> = listed
        .iter()
        .filter(|e| cache.get(&e.name).is_none_or(|c| c.status != e.status))
        .collect();
    let details = join_all(
        stale
            .iter()
            .map(|e| sagemaker::describe_endpoint(&c.sm, &e.name)),
    )
    .await;
    for (e, d) in stale.iter().zip(details) {
        match d {
            Ok(mut d) => {
                // The listing is the newer word on status.
                d.status = e.status.clone();
                cache.insert(e.name.clone(), d);
            }
            Err(err) if err.account_wide() => return Err(err),
            Err(_) => {}
        }
    }
    Ok(listed
        .into_iter()
        .map(|e| cache.get(&e.name).cloned().unwrap_or(e))
        .collect())
}

async fn read_notebooks(c: &Clients) -> Result<Vec<NotebookInstance>, CallError> {
    sagemaker::notebooks(&c.sm).await
}

/// Provisioned products that have a product name; outputs are read once each is available.
/// A product whose outputs could not be read gives the second value: the read that failed
/// (its retained bucket is named only there, so what depends on it must wait).
async fn read_products(
    c: &Clients,
    outputs: &mut HashMap<String, BTreeMap<String, String>>,
) -> Result<(Vec<ProvisionedProduct>, Option<String>), CallError> {
    let mut list = catalog::products(&c.sc).await?;
    let mut failed = None;
    outputs.retain(|id, _| list.iter().any(|p| &p.id == id));
    for p in &mut list {
        if !outputs.contains_key(&p.id) && matches!(p.status.as_str(), "AVAILABLE" | "TAINTED") {
            match catalog::outputs(&c.sc, &p.id).await {
                Ok(o) => {
                    outputs.insert(p.id.clone(), o);
                }
                Err(e) if e.account_wide() => return Err(e),
                Err(e) => failed = Some(e.warning()),
            }
        }
        if let Some(o) = outputs.get(&p.id) {
            p.outputs = o.clone();
        }
    }
    Ok((list, failed))
}

/// Turn an account-wide failure into the account's error state.
pub fn account_error(e: CallError) -> AccountError {
    e.into_account_error()
}
