//! One poll of one account: the fewest calls that fill its snapshot, with what need not be read
//! again (verified identity, seen objects, endpoint detail, pipeline structure) kept between polls.

use std::collections::{BTreeMap, HashMap};

use futures_util::future::join_all;

use super::clients::Clients;
use super::errors::CallError;
use super::identity::{self, Identity};
use super::pipelines::{self, Structure};
use super::poll_buckets::{read_buckets, tools_buckets};
use super::{catalog, sagemaker, stacks};
use crate::lab::{
    AccountError, AccountSnapshot, Bucket, Category, Endpoint, LabInfo, LabNames, NotebookInstance,
    Pipeline, PortfolioShare, ProvisionedProduct, Role, Stack, Timestamp,
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
    pub structures: HashMap<String, Structure>,
    /// Endpoint detail, read again when the listed status changes.
    pub endpoints: HashMap<String, Endpoint>,
    /// Buckets whose objects of note have all been seen.
    pub buckets: HashMap<String, Bucket>,
    pub artifacts_bucket: Option<String>,
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
    fatal: Option<CallError>,
}

impl Problems {
    fn buckets(
        &mut self,
        r: Result<(Vec<Bucket>, Vec<String>), CallError>,
        snap: &mut AccountSnapshot,
    ) {
        if let Some((buckets, warnings)) = self.take(r) {
            snap.buckets = buckets;
            self.warnings.extend(warnings);
        }
    }

    fn take<T>(&mut self, r: Result<T, CallError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) if e.account_wide() => {
                if self.fatal.is_none() {
                    self.fatal = Some(e);
                }
                None
            }
            Err(e) => {
                self.warnings.push(e.warning());
                None
            }
        }
    }
}

/// Read one account. Only an account-wide failure is an `Err`; any other failed call becomes a
/// warning on the snapshot and the rest still shows.
pub async fn poll(
    c: &Clients,
    cache: &mut Cache,
    ctx: Ctx<'_>,
) -> Result<AccountSnapshot, CallError> {
    verify_identity(c, cache, ctx.account_id).await?;
    let mut p = Problems::default();
    let mut snap = AccountSnapshot::empty(ctx.account_id, ctx.now);
    snap.region.clone_from(&c.region);

    let stacks = p.take(read_stacks(c, ctx).await).unwrap_or_default();
    if let Some(e) = p.fatal {
        return Err(e);
    }
    let has = |name: &str| {
        stacks
            .iter()
            .any(|s| s.name == name && !s.status.starts_with("DELETE_COMPLETE"))
    };
    let Cache {
        shares,
        product_outputs,
        structures,
        endpoints,
        buckets,
        artifacts_bucket,
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
            let (sh, pl, ep, bk) = tokio::join!(
                read_shares(c, shares, portfolio.as_deref(), ctx),
                read_pipelines(c, structures, ctx.names, pipeline_name.as_deref()),
                read_endpoints(c, endpoints, &ctx.names.endpoint_prefix),
                read_buckets(
                    c,
                    buckets,
                    artifacts_bucket,
                    bucket_plan,
                    has(&ctx.names.pipeline_stack).then(|| {
                        format!(
                            "{}{}-",
                            ctx.names.artifacts_bucket_prefix, ctx.info.unique_id
                        )
                    })
                ),
            );
            snap.portfolio_shares = p.take(sh).unwrap_or_default();
            let (pipes, warns) = pl;
            snap.pipelines = p.take(pipes).unwrap_or_default();
            p.warnings.extend(warns);
            snap.endpoints = p.take(ep).unwrap_or_default();
            p.buckets(bk, &mut snap);
        }
        Role::DataScience => {
            let (pr, nb) = tokio::join!(
                read_products(c, product_outputs, &ctx.names.product_name),
                read_notebooks(c),
            );
            snap.provisioned_products = p.take(pr).unwrap_or_default();
            snap.notebooks = p.take(nb).unwrap_or_default();
            let plan: Vec<(String, Vec<String>)> = snap
                .provisioned_products
                .iter()
                .filter_map(|pp| pp.outputs.get("BucketName").cloned())
                .map(|b| (b, Vec::new()))
                .collect();
            let bk = read_buckets(c, buckets, artifacts_bucket, plan, None).await;
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
                read_buckets(c, buckets, artifacts_bucket, plan, None),
            );
            snap.endpoints = p.take(ep).unwrap_or_default();
            p.buckets(bk, &mut snap);
        }
    }
    if let Some(e) = p.fatal {
        return Err(e);
    }
    snap.stacks = stacks;
    let mut seen = std::collections::HashSet::new();
    snap.warnings = p
        .warnings
        .into_iter()
        .filter(|w| seen.insert(w.clone()))
        .collect();
    Ok(snap)
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
/// declared stages with a warning.
async fn read_pipelines(
    c: &Clients,
    structures: &mut HashMap<String, Structure>,
    names: &LabNames,
    known: Option<&str>,
) -> (Result<Vec<Pipeline>, CallError>, Vec<String>) {
    let list = match known {
        Some(name) => vec![name.to_string()],
        None => match pipelines::list(&c.cp, &names.pipeline_prefix).await {
            Ok(l) => l,
            Err(e) => return (Err(e), Vec::new()),
        },
    };
    structures.retain(|k, _| list.contains(k));
    let mut warnings = Vec::new();
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
                        Err(e) if e.account_wide() => return (Err(e), warnings),
                        Err(e) => warnings.push(e.warning()),
                    }
                }
                if let Some(s) = structures.get(&name) {
                    pipelines::apply_structure(&mut p, s);
                }
                p
            }
            Err(e) if e.account_wide() => return (Err(e), warnings),
            Err(e) => {
                warnings.push(e.warning());
                if !structures.contains_key(&name) {
                    match pipelines::structure(&c.cp, &name).await {
                        Ok(s) => {
                            structures.insert(name.clone(), s);
                        }
                        Err(e) if e.account_wide() => return (Err(e), warnings),
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
            Err(e) if e.account_wide() => return (Err(e), warnings),
            Err(e) => warnings.push(e.warning()),
        }
        out.push(pipeline);
    }
    (Ok(out), warnings)
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

/// Provisioned products of the lab's product; outputs are read once each is available.
async fn read_products(
    c: &Clients,
    outputs: &mut HashMap<String, BTreeMap<String, String>>,
    product_name: &str,
) -> Result<Vec<ProvisionedProduct>, CallError> {
    let mut list = catalog::products(&c.sc, product_name).await?;
    outputs.retain(|id, _| list.iter().any(|p| &p.id == id));
    for p in &mut list {
        if !outputs.contains_key(&p.id) && matches!(p.status.as_str(), "AVAILABLE" | "TAINTED") {
            match catalog::outputs(&c.sc, &p.id).await {
                Ok(o) => {
                    outputs.insert(p.id.clone(), o);
                }
                Err(e) if e.account_wide() => return Err(e),
                Err(_) => {}
            }
        }
        if let Some(o) = outputs.get(&p.id) {
            p.outputs = o.clone();
        }
    }
    Ok(list)
}

/// Turn an account-wide failure into the account's error state.
pub fn account_error(e: CallError) -> AccountError {
    e.into_account_error()
}
