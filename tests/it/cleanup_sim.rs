//! The cleanup runner on the simulated lab, its clock moved by a background task in paused
//! time: a finished lab is cleaned completely across an interruption, a failed step skips only
//! the steps that depend on it, and at the end the plan is empty.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use crossdeck::backend::sim::{ManualClock, SIM_EPOCH, SimBackend, SimOptions};
use crossdeck::backend::{AccountKey, Backend};
use crossdeck::cleanup::{self, Event, Outcome, RunOptions, StepResult};
use crossdeck::lab::cleanup::Plan;
use crossdeck::lab::{LabInfo, Role};

const OPTS: RunOptions = RunOptions {
    poll: Duration::from_secs(1),
    timeout: Duration::from_secs(600),
};

/// One healthy participant four hours in: the lab is finished, both endpoints InService.
fn finished_lab() -> (SimBackend, ManualClock, LabInfo) {
    let clock = ManualClock::new();
    clock.set(SIM_EPOCH.plus_secs(4 * 3600));
    let opts = SimOptions {
        participants: 1,
        ..SimOptions::default()
    };
    let sim = SimBackend::new(opts, Arc::new(clock.clone()));
    let info = sim.labs()[0].clone();
    (sim, clock, info)
}

/// Five sim seconds pass every (paused) real second while the runner works.
fn ticking(clock: &ManualClock) -> tokio::task::JoinHandle<()> {
    let clock = clock.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            clock.advance_secs(5);
        }
    })
}

async fn plan(sim: &SimBackend, info: &LabInfo) -> Plan {
    cleanup::plan_for(sim, 0, info, sim.names()).await
}

fn titles(p: &Plan) -> Vec<&str> {
    p.steps.iter().map(|s| s.title.as_str()).collect()
}

/// Run to the end (or until `stop` says so), keeping every event.
async fn run(
    sim: &SimBackend,
    p: &Plan,
    mut stop: impl FnMut(&Event) -> bool,
) -> (Outcome, Vec<Event>) {
    let mut events = Vec::new();
    let outcome = cleanup::run(sim, 0, p, OPTS, |e| {
        events.push(e.clone());
        if stop(e) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .await;
    (outcome, events)
}

#[tokio::test(start_paused = true)]
async fn a_finished_lab_is_cleaned_completely_across_an_interruption() {
    let (sim, clock, info) = finished_lab();
    let _tick = ticking(&clock);
    let first = plan(&sim, &info).await;
    assert!(first.complete());
    assert_eq!(first.steps.len(), 13, "{:#?}", titles(&first));

    // Stopped once four steps are done (the Stage account's three and the retained bucket).
    let mut done = 0;
    let (outcome, _) = run(&sim, &first, |e| {
        done += usize::from(matches!(e, Event::StepDone { .. }));
        done == 4
    })
    .await;
    assert!(outcome.interrupted && !outcome.succeeded());
    assert_eq!(outcome.results.len(), 4);
    let stage = sim
        .snapshot(AccountKey {
            lab: 0,
            role: Role::Stage,
        })
        .await
        .expect("stage");
    assert!(stage.stacks.is_empty() && stage.endpoints.is_empty() && stage.buckets.is_empty());

    // Run again: a fresh plan holds exactly the rest.
    let rest = plan(&sim, &info).await;
    assert_eq!(titles(&rest), titles(&first)[4..].to_vec());
    let (outcome, events) = run(&sim, &rest, |_| false).await;
    assert!(outcome.succeeded(), "{outcome:#?}");
    // The termination went UNDER_CHANGE before the product left; stacks were waited for.
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Waiting { status, .. } if status == "UNDER_CHANGE"
    )));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Waiting { what, status, .. }
            if what == "stack MLOpsPipeline DELETE_COMPLETE" && status == "DELETE_IN_PROGRESS"
    )));
    // The Lambda bucket's versions took two batches, counted as they went.
    let lambda = sim
        .names()
        .lambda_bucket(info.accounts[Role::Tools].as_deref().unwrap_or(""));
    let batches: Vec<(u64, bool)> = events
        .iter()
        .filter_map(|e| match e {
            Event::BatchDone {
                bucket,
                deleted,
                more,
                ..
            } if *bucket == lambda => Some((*deleted, *more)),
            _ => None,
        })
        .collect();
    assert_eq!(batches.len(), 2, "{batches:?}");
    assert_eq!(batches[0], (1000, true));
    assert!(batches[1].0 > 1000 && !batches[1].1, "{batches:?}");

    // Every account is empty of the lab, and a new plan says there is nothing to do.
    for role in Role::LAB {
        let s = sim
            .snapshot(AccountKey { lab: 0, role })
            .await
            .expect("readable");
        assert!(
            s.stacks.is_empty()
                && s.buckets.is_empty()
                && s.endpoints.is_empty()
                && s.provisioned_products.is_empty()
                && s.notebooks.is_empty()
                && s.pipelines.is_empty()
                && s.portfolio_shares.is_empty(),
            "{role}: {s:#?}"
        );
    }
    let last = plan(&sim, &info).await;
    assert!(last.is_empty());
    assert_eq!(last.to_string(), "alice: nothing to clean up\n");
}

#[tokio::test(start_paused = true)]
async fn a_failed_step_skips_its_dependants_and_the_rest_goes_on() {
    let (sim, clock, info) = finished_lab();
    let _tick = ticking(&clock);
    let mut p = plan(&sim, &info).await;
    let tools = info.accounts[Role::Tools].clone().unwrap_or_default();
    let data = format!("empty bucket {}", sim.names().data_model_bucket(&tools));
    let i = p
        .steps
        .iter()
        .position(|s| s.title == data)
        .expect("the data-model bucket step");
    // As if that bucket had not been emptied: MLOpsPipeline cannot delete it.
    p.steps[i].actions.clear();
    let (outcome, events) = run(&sim, &p, |_| false).await;
    let pipeline = titles(&p)
        .iter()
        .position(|t| *t == "delete stack MLOpsPipeline")
        .expect("pipeline step");
    let prep = titles(&p)
        .iter()
        .position(|t| *t == "delete stack MLOpsPipelinePrep")
        .expect("prep step");
    for (n, r) in &outcome.results {
        match r {
            StepResult::Failed(why) => {
                assert_eq!(*n, pipeline);
                assert!(
                    why.contains("DELETE_FAILED")
                        && why
                            .contains("resources not deleted: DataModelBucket (AWS::S3::Bucket): ")
                        && why.contains("is not empty"),
                    "{why}"
                );
            }
            StepResult::Skipped(why) => {
                assert_eq!(*n, prep);
                assert!(why.contains(&format!("step {}", pipeline + 1)), "{why}");
            }
            StepResult::Done(_) => assert!(*n != pipeline && *n != prep),
        }
    }
    assert_eq!(outcome.results.len(), p.steps.len());
    assert_eq!(outcome.problems().len(), 2);
    assert!(events.iter().any(|e| e.to_string().starts_with(&format!(
        "[{}] FAILED: stack MLOpsPipeline DELETE_COMPLETE not reached: DELETE_FAILED",
        pipeline + 1
    ))));

    // Fixed by running again: the buckets the two stacks still hold are emptied (the Lambda one
    // is empty already), the pipeline stack is deleted again, then the prep stack.
    let again = plan(&sim, &info).await;
    let lambda = format!("empty bucket {}", sim.names().lambda_bucket(&tools));
    assert_eq!(
        titles(&again),
        [
            lambda.as_str(),
            data.as_str(),
            "delete stack MLOpsPipeline",
            "delete stack MLOpsPipelinePrep"
        ]
    );
    let (outcome, _) = run(&sim, &again, |_| false).await;
    assert!(outcome.succeeded(), "{outcome:#?}");
    assert!(plan(&sim, &info).await.is_empty());
}
