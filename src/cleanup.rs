//! Runs a cleanup plan against any backend, step by step, reporting typed progress events.
//!
//! Buckets are emptied one batch at a time (the backend deletes at most 1000 versions per call)
//! for as long as it says there is more. "Not found" counts as done. Waits poll the account's
//! snapshot at the caller's interval, up to the caller's timeout. A failed step is recorded and
//! the steps that depend on it are skipped; the rest go on. Running again re-derives the plan
//! from fresh snapshots, so an interrupted cleanup finishes where it stopped.

use std::fmt;
use std::ops::ControlFlow;
use std::time::Duration;

use crate::backend::{AccountKey, Action, ActionError, Backend};
use crate::lab::cleanup::{self, Plan, Step, Wait};
use crate::lab::progress::LabSnapshots;
use crate::lab::{AccountSnapshot, LabInfo, LabNames, Part, Stack};

/// How waits poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Between two snapshots of the account being waited on.
    pub poll: Duration,
    /// How long one wait may take before its step fails.
    pub timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            poll: Duration::from_secs(10),
            timeout: Duration::from_secs(45 * 60),
        }
    }
}

/// Something the run reports; `step` is the 0-based index into the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    StepStarted {
        step: usize,
        total: usize,
        title: String,
    },
    /// One bucket batch deleted; `deleted` counts versions and delete markers so far.
    BatchDone {
        step: usize,
        bucket: String,
        deleted: u64,
        more: bool,
    },
    /// What is being waited for, and the status seen (reported when it changes).
    Waiting {
        step: usize,
        what: String,
        status: String,
    },
    StepDone {
        step: usize,
        summary: String,
    },
    StepFailed {
        step: usize,
        reason: String,
    },
    /// Not run because a step it depends on did not succeed.
    StepSkipped {
        step: usize,
        reason: String,
    },
}

impl fmt::Display for Event {
    /// One progress line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::StepStarted { step, total, title } => {
                write!(f, "[{}/{total}] {title}", step + 1)
            }
            Event::BatchDone {
                step,
                bucket,
                deleted,
                more,
            } => {
                let state = if *more { "more to go" } else { "empty" };
                write!(
                    f,
                    "[{}] {bucket}: {deleted} versions and delete markers deleted, {state}",
                    step + 1
                )
            }
            Event::Waiting { step, what, status } => {
                write!(f, "[{}] waiting for {what}: {status}", step + 1)
            }
            Event::StepDone { step, summary } => write!(f, "[{}] done: {summary}", step + 1),
            Event::StepFailed { step, reason } => write!(f, "[{}] FAILED: {reason}", step + 1),
            Event::StepSkipped { step, reason } => write!(f, "[{}] skipped: {reason}", step + 1),
        }
    }
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepResult {
    Done(String),
    Failed(String),
    Skipped(String),
}

/// What a run did, step by step (steps not reached are absent when it was interrupted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub results: Vec<(usize, StepResult)>,
    /// The observer asked to stop before the plan was finished.
    pub interrupted: bool,
}

impl Outcome {
    /// The steps that failed or were skipped, with why.
    pub fn problems(&self) -> Vec<(usize, &str)> {
        self.results
            .iter()
            .filter_map(|(i, r)| match r {
                StepResult::Failed(m) | StepResult::Skipped(m) => Some((*i, m.as_str())),
                StepResult::Done(_) => None,
            })
            .collect()
    }

    pub fn succeeded(&self) -> bool {
        !self.interrupted && self.problems().is_empty()
    }
}

/// Read the lab's accounts and derive its plan.
pub async fn plan_for<B: Backend>(
    backend: &B,
    lab: usize,
    info: &LabInfo,
    names: &LabNames,
) -> Plan {
    let mut snaps = LabSnapshots::default();
    for role in info.roles() {
        let snap = match backend.snapshot(AccountKey { lab, role }).await {
            Ok(s) => s,
            Err(e) => {
                let id = info.accounts[role].clone().unwrap_or_default();
                let mut s = AccountSnapshot::empty(id, backend.now());
                s.error = Some(e);
                s
            }
        };
        snaps[role] = Some(snap);
    }
    cleanup::plan(info, names, &snaps)
}

/// The observer said stop.
struct Stop;

/// Run `plan` for lab `lab`. `observe` sees every event; returning `Break` stops the run after
/// the call under way (the next run picks up from fresh snapshots).
pub async fn run<B: Backend>(
    backend: &B,
    lab: usize,
    plan: &Plan,
    opts: RunOptions,
    mut observe: impl FnMut(&Event) -> ControlFlow<()>,
) -> Outcome {
    let mut out = Outcome::default();
    let total = plan.steps.len();
    let mut ok = vec![false; total];
    for (i, step) in plan.steps.iter().enumerate() {
        let mut emit = |e: Event| match observe(&e) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(Stop),
        };
        let blocked: Vec<String> = step
            .after
            .iter()
            .filter(|&&a| !ok.get(a).copied().unwrap_or(false))
            .map(|a| (a + 1).to_string())
            .collect();
        let result = if blocked.is_empty() {
            let started = emit(Event::StepStarted {
                step: i,
                total,
                title: step.title.clone(),
            });
            match started {
                Ok(()) => run_step(backend, lab, i, step, opts, &mut emit).await,
                Err(Stop) => Err(Stop),
            }
        } else {
            Ok(StepResult::Skipped(format!(
                "{} (step {} did not succeed)",
                step.title,
                blocked.join(", ")
            )))
        };
        let result = match result {
            Ok(r) => r,
            Err(Stop) => {
                out.interrupted = true;
                return out;
            }
        };
        let event = match &result {
            StepResult::Done(s) => {
                ok[i] = true;
                Event::StepDone {
                    step: i,
                    summary: s.clone(),
                }
            }
            StepResult::Failed(r) => Event::StepFailed {
                step: i,
                reason: r.clone(),
            },
            StepResult::Skipped(r) => Event::StepSkipped {
                step: i,
                reason: r.clone(),
            },
        };
        out.results.push((i, result));
        if emit(event).is_err() {
            out.interrupted = i + 1 < total;
            return out;
        }
    }
    out
}

/// One step: its actions in order, then its wait.
async fn run_step<B: Backend>(
    backend: &B,
    lab: usize,
    i: usize,
    step: &Step,
    opts: RunOptions,
    emit: &mut impl FnMut(Event) -> Result<(), Stop>,
) -> Result<StepResult, Stop> {
    let key = AccountKey {
        lab,
        role: step.role,
    };
    let mut summaries = Vec::new();
    for action in &step.actions {
        let r = match action {
            Action::EmptyBucket { bucket } => empty(backend, key, i, bucket, emit).await?,
            other => backend
                .act(key, other.clone())
                .await
                .map(|d| d.summary)
                .or_else(|e| gone(e, other)),
        };
        match r {
            Ok(s) => summaries.push(s),
            Err(reason) => return Ok(StepResult::Failed(reason)),
        }
    }
    if let Some(w) = &step.wait {
        if let Err(reason) = wait(backend, key, i, w, opts, emit).await? {
            return Ok(StepResult::Failed(reason));
        }
        summaries.push(format!("{w}"));
    }
    Ok(StepResult::Done(summaries.join("; ")))
}

/// "Not found" means already done; anything else is the step's failure.
fn gone(e: ActionError, action: &Action) -> Result<String, String> {
    match e {
        ActionError::NotFound(what) => Ok(format!("already gone: {what}")),
        other => Err(format!("{action}: {other}")),
    }
}

/// EmptyBucket until the backend says there is no more.
async fn empty<B: Backend>(
    backend: &B,
    key: AccountKey,
    i: usize,
    bucket: &str,
    emit: &mut impl FnMut(Event) -> Result<(), Stop>,
) -> Result<Result<String, String>, Stop> {
    let action = Action::EmptyBucket {
        bucket: bucket.to_string(),
    };
    let mut deleted = 0u64;
    loop {
        let done = match backend.act(key, action.clone()).await {
            Ok(d) => d,
            Err(e) => return Ok(gone(e, &action)),
        };
        deleted += done.count;
        emit(Event::BatchDone {
            step: i,
            bucket: bucket.to_string(),
            deleted,
            more: done.more,
        })?;
        if !done.more {
            return Ok(Ok(format!(
                "emptied {bucket} ({deleted} versions and delete markers)"
            )));
        }
        if done.count == 0 {
            return Ok(Err(format!(
                "{bucket}: a batch deleted nothing yet more remains; stopped"
            )));
        }
    }
}

/// What the account shows of the thing waited for.
enum Seen {
    Gone,
    /// Its status and reason.
    There(String, Option<String>),
    /// The part it would be listed in could not be read: not "gone".
    Unknown(String),
}

fn status_of(snap: &AccountSnapshot, w: &Wait) -> Seen {
    let part = match w {
        Wait::StackGone(_) => Part::Stacks,
        Wait::ProductGone { .. } => Part::Products,
        Wait::EndpointGone(_) => Part::Endpoints,
    };
    if let Some(cause) = snap.unknown(&part) {
        return Seen::Unknown(format!("unknown, {part} could not be read: {cause}"));
    }
    let found = match w {
        Wait::StackGone(name) => snap
            .stack(name)
            .filter(|s| s.status != "DELETE_COMPLETE")
            .map(|s| (s.status.clone(), failure_detail(s))),
        Wait::ProductGone { id, .. } => snap
            .provisioned_products
            .iter()
            .find(|p| &p.id == id)
            .map(|p| (p.status.clone(), p.status_message.clone())),
        Wait::EndpointGone(name) => snap
            .endpoints
            .iter()
            .find(|e| &e.name == name)
            .map(|e| (e.status.clone(), e.failure_reason.clone())),
    };
    match found {
        Some((status, reason)) => Seen::There(status, reason),
        None => Seen::Gone,
    }
}

/// Why a stack's deletion failed: each resource that failed to delete, with its reason (from
/// the stack's events), else the stack's own reason.
fn failure_detail(s: &Stack) -> Option<String> {
    if s.status != "DELETE_FAILED" {
        return s.reason.clone();
    }
    let mut seen = Vec::new();
    let failed: Vec<String> = s
        .events
        .iter()
        .filter(|e| e.status == "DELETE_FAILED" && e.logical_id != s.name)
        .filter(|e| {
            let first = !seen.contains(&e.logical_id);
            seen.push(e.logical_id.clone());
            first
        })
        .map(|e| {
            format!(
                "{} ({}): {}",
                e.logical_id,
                e.resource_type,
                e.reason.as_deref().unwrap_or("no reason given")
            )
        })
        .collect();
    if failed.is_empty() {
        return s.reason.clone();
    }
    Some(format!("resources not deleted: {}", failed.join("; ")))
}

/// A status that will not reach "gone" by itself.
fn stuck(w: &Wait, status: &str) -> bool {
    match w {
        Wait::StackGone(_) => status == "DELETE_FAILED",
        Wait::ProductGone { .. } => matches!(status, "AVAILABLE" | "ERROR" | "TAINTED"),
        Wait::EndpointGone(_) => status == "Failed",
    }
}

/// Poll the account until the thing is gone, fails, or the timeout passes.
async fn wait<B: Backend>(
    backend: &B,
    key: AccountKey,
    i: usize,
    w: &Wait,
    opts: RunOptions,
    emit: &mut impl FnMut(Event) -> Result<(), Stop>,
) -> Result<Result<(), String>, Stop> {
    let deadline = tokio::time::Instant::now() + opts.timeout;
    let mut last = String::new();
    // A product's or endpoint's listing may lag the call that changed it: the first look at a
    // settled status is not yet a failure.
    let mut looks = 0u32;
    loop {
        let status = match backend.snapshot(key).await {
            Ok(snap) => match status_of(&snap, w) {
                Seen::Gone => return Ok(Ok(())),
                Seen::There(status, reason) => {
                    looks += 1;
                    // DELETE_FAILED ends a stack's wait at once.
                    if stuck(w, &status) && (looks > 1 || matches!(w, Wait::StackGone(_))) {
                        let why = reason.map(|r| format!(": {r}")).unwrap_or_default();
                        return Ok(Err(format!("{w} not reached: {status}{why}")));
                    }
                    status
                }
                Seen::Unknown(why) => why,
            },
            Err(e) => format!("account not readable: {e}"),
        };
        if status != last {
            emit(Event::Waiting {
                step: i,
                what: w.to_string(),
                status: status.clone(),
            })?;
            last = status;
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(Err(format!(
                "{w} not reached within {}s (last seen: {last})",
                opts.timeout.as_secs()
            )));
        }
        tokio::time::sleep(opts.poll).await;
    }
}
