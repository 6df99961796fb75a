//! `crossdeck cleanup`: print a lab's cleanup plan; with `--execute --confirm <ids>`, run it
//! with a progress line per step and per bucket batch.

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Failure;
use crate::backend::Backend;
use crate::backend::sim::{Clock, SIM_EPOCH, SimBackend, SimOptions};
use crate::cleanup::{self, RunOptions};
use crate::cli::CleanupArgs;
use crate::lab::{LabInfo, LabNames, Timestamp};

/// `--execute` under read-only is refused before anything else happens.
pub fn refuse_read_only(args: &CleanupArgs, read_only: bool) -> Result<(), Failure> {
    if args.execute && read_only {
        return Err(Failure::usage(
            "cleanup --execute changes the lab's accounts, and crossdeck is read-only \
             (--read-only or read_only = true): nothing done",
        ));
    }
    Ok(())
}

/// `--confirm` must name exactly the lab's account ids.
pub fn check_confirm(info: &LabInfo, confirm: Option<&str>) -> Result<(), Failure> {
    let want: BTreeSet<&str> = info
        .roles()
        .filter_map(|r| info.accounts[r].as_deref())
        .collect();
    let roles: Vec<&str> = info.roles().map(|r| r.label()).collect();
    let Some(confirm) = confirm else {
        return Err(Failure::usage(format!(
            "cleanup --execute needs --confirm with lab {}'s account ids, comma separated \
             (its {} accounts): nothing done",
            info.name,
            roles.join(", ")
        )));
    };
    let given: BTreeSet<&str> = confirm
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if given == want {
        return Ok(());
    }
    let missing: Vec<&str> = want.difference(&given).copied().collect();
    let extra: Vec<&str> = given.difference(&want).copied().collect();
    let mut why = Vec::new();
    if !missing.is_empty() {
        why.push(format!("{} of its accounts missing", missing.len()));
    }
    if !extra.is_empty() {
        why.push(format!("not its accounts: {}", extra.join(", ")));
    }
    Err(Failure::usage(format!(
        "--confirm does not match lab {}'s account ids ({}): nothing done",
        info.name,
        why.join("; ")
    )))
}

/// Sim time from a moment when the demo class has finished the lab, running `speed` times
/// faster than the wall clock.
struct FinishedClass {
    start: Instant,
    at: Timestamp,
    speed: f64,
}

impl Clock for FinishedClass {
    fn now(&self) -> Timestamp {
        let ms = self.start.elapsed().as_secs_f64() * 1000.0 * self.speed;
        self.at.plus_millis(ms as i64)
    }
}

/// The demo class four hours in (every healthy lab finished), at 120 sim seconds a second.
pub fn demo_backend() -> SimBackend {
    let clock = FinishedClass {
        start: Instant::now(),
        at: SIM_EPOCH.plus_secs(4 * 3600),
        speed: 120.0,
    };
    SimBackend::new(SimOptions::default(), Arc::new(clock))
}

/// Plan, print, and with `--execute` run. Read-only was refused by the caller already.
pub async fn run<B: Backend>(
    backend: &B,
    lab: usize,
    info: &LabInfo,
    names: &LabNames,
    args: &CleanupArgs,
    demo: bool,
) -> Result<(), Failure> {
    if args.execute {
        check_confirm(info, args.confirm.as_deref())?;
    }
    let plan = cleanup::plan_for(backend, lab, info, names).await;
    print!("{plan}");
    if !plan.accounts_read() {
        return Err(Failure {
            code: 1,
            message: format!(
                "cannot plan all of lab {}: {} account(s) could not be read; nothing done",
                info.name,
                plan.unreadable.len()
            ),
        });
    }
    let withheld = withheld_failure(info, &plan);
    if plan.steps.is_empty() {
        return withheld.map_or(Ok(()), Err);
    }
    if !args.execute {
        println!(
            "Nothing was changed. To carry this out: --execute --confirm <the lab's account ids>"
        );
        return withheld.map_or(Ok(()), Err);
    }
    let opts = RunOptions {
        poll: Duration::from_secs(args.poll_interval.unwrap_or(if demo { 1 } else { 10 })),
        timeout: Duration::from_secs(args.wait_timeout),
    };
    tracing::info!(lab = %info.name, steps = plan.steps.len(), "cleanup");
    let outcome = cleanup::run(backend, lab, &plan, opts, |e| {
        println!("{e}");
        ControlFlow::Continue(())
    })
    .await;
    let problems = outcome.problems();
    if problems.is_empty() {
        println!(
            "Cleanup of lab {} done: {} steps.",
            info.name,
            plan.steps.len()
        );
        return withheld.map_or(Ok(()), Err);
    }
    let lines: Vec<String> = problems
        .iter()
        .map(|(i, why)| {
            let title = plan.steps.get(*i).map_or("", |s| s.title.as_str());
            format!("  step {} ({title}): {why}", i + 1)
        })
        .collect();
    Err(Failure {
        code: 1,
        message: format!(
            "cleanup of lab {}: {} of {} steps did not succeed (run it again once fixed):\n{}{}",
            info.name,
            problems.len(),
            plan.steps.len(),
            lines.join("\n"),
            withheld
                .map(|w| format!("\n{}", w.message))
                .unwrap_or_default()
        ),
    })
}

/// The exit when steps were withheld: status 1, naming each withheld step and the read that
/// failed.
fn withheld_failure(info: &LabInfo, plan: &crate::lab::cleanup::Plan) -> Option<Failure> {
    if plan.withheld.is_empty() {
        return None;
    }
    let lines: Vec<String> = plan.withheld.iter().map(|w| format!("  {w}")).collect();
    Some(Failure {
        code: 1,
        message: format!(
            "cleanup of lab {} is incomplete: {} step(s) withheld because a read they depend on \
             failed (run it again once it can be read):\n{}",
            info.name,
            plan.withheld.len(),
            lines.join("\n")
        ),
    })
}
